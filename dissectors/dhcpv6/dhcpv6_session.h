// Per-flow DHCPv6 session (UDP 546/547). Each datagram is one message; relay messages are
// followed through their Relay Message option up to kMaxRelayDepth levels.
//
// Events (kept consistent with the DHCPv4 dissector, dissectors/dhcp/):
//   operation()  every level of every message, from the side that sent the datagram: code = message
//                type, is_request = a client (or relay-forward) type, is_error = a non-success status
//                (top level or inside an IA; object = the status name); relay levels have object
//                "peer <address>".
//   identity()   only from a top-level, non-relay message (the facts of a relayed message are about
//                the peer, which the flow context cannot name):
//                about the SENDER when its IP is unicast — Client ID / Server ID DUID-LLT/LL over
//                Ethernet → Description "duid aa:bb:cc:dd:ee:ff"; Vendor Class → Description
//                "vendor class <enterprise> <data,…>" and Vendor when the enterprise is a hardware
//                vendor (kHardwareVendors). Client messages also: FQDN → Hostname, User Class →
//                Description "user class <data,…>", Option Request → Description
//                "dhcpv6 option request list 23,24,…".
//                about the RECEIVER when its IP is unicast — Reply IA addresses → Description
//                "assigned <address>".
//   anomaly()    dhcpv6_parser.h kAnomalyNames.
//   protocol_confirmed() after the first whole valid message: clients multicast to ff02::1:2 and
//                servers answer on another flow, so one direction is all a flow may ever see.
// After kMaxConsecutiveViolations malformed datagrams in a row the session is rejected.
#pragma once

#include <string>

#include "dissectors/dhcpv6/dhcpv6_parser.h"
#include "dissectors/dissector.h"

namespace ots::dhcpv6 {

constexpr uint32_t kMaxConsecutiveViolations = 4;
constexpr uint16_t kClientPort = 546, kServerPort = 547;

ProbeResult probe(Direction dir, Bytes payload);

class Dhcpv6Session final : public DissectorSession {
 public:
  explicit Dhcpv6Session(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return rejected_; }

 private:
  void report_operation(const FlowContext& ctx, Side sender, const Message& m);
  void report_identity(const FlowContext& ctx, Side sender, const Message& m);
  void report_duid(const FlowContext& ctx, Side side, Bytes duid, std::string_view event);
  void violation(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  Message message_;
  std::string scratch_;  // reused for composed descriptions
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::dhcpv6
