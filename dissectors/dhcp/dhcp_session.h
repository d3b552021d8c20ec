// Per-flow DHCP session (UDP 67/68). Each datagram is one message.
//
// Events:
//   operation()  every message, from the side that sent it: code = option 53 message type
//                (0 and "BOOTREQUEST"/"BOOTREPLY" when absent), is_request = op 1, is_error = DHCPNAK.
//   identity()   about the SENDER, only when the sender's IP in the flow context is unicast.
//                Client messages (op 1): option 12 → Hostname, option 81 → Hostname (when it differs),
//                option 60 → Description "vendor class <x>", option 55 → Description
//                "dhcp fingerprint 1,3,6,…" (the usual DHCP fingerprint). Server messages (op 2):
//                option 60 → Description "vendor class <x>" (the server's own class, e.g. ArubaAP).
//                Limitation: DISCOVER/REQUEST sent from 0.0.0.0 name no host, since the EventSink
//                keys facts on the flow's IP and cannot name the client's MAC (chaddr).
//   anomaly()    dhcp_parser.h kAnomalyNames.
//   protocol_confirmed() after the first whole message with the magic cookie (DHCP replies are
//                often broadcast to another flow, so one direction is all a flow may ever see).
// After kMaxConsecutiveViolations malformed datagrams in a row the session is rejected.
#pragma once

#include <string>

#include "dissectors/dhcp/dhcp_parser.h"
#include "dissectors/dissector.h"

namespace ots::dhcp {

constexpr uint32_t kMaxConsecutiveViolations = 4;
constexpr uint16_t kServerPort = 67, kClientPort = 68;

class DhcpSession final : public DissectorSession {
 public:
  explicit DhcpSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return rejected_; }

 private:
  void report_identity(const FlowContext& ctx, Side sender, const Message& message);

  EventSink& sink_;
  Message message_;
  std::string scratch_;  // reused for composed descriptions
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::dhcp
