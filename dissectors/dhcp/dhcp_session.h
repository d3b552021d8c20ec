// Per-flow DHCP session (UDP 67/68). Each datagram is one message.
//
// Events:
//   operation()  every message, from the side that sent it: code = option 53 message type
//                (0 and "BOOTREQUEST"/"BOOTREPLY" when absent), is_request = op 1, is_error = DHCPNAK.
//   identity()   Client messages (op 1), about the sender, when chaddr is the sender's MAC (a relay
//                agent forwards requests of other hosts from its own MAC: not trusted, nothing is
//                reported; without Ethernet, when giaddr is 0) and the sender has a unicast IP, or is
//                0.0.0.0 with a unicast MAC. The worker feeds datagrams from 0.0.0.0:68 to :67 to
//                this session without a flow, like L2 frames (transport 0, client MAC = frame
//                source), so a DISCOVER / REQUEST's facts land on the device with that MAC:
//                option 12 → Hostname, option 81 → Hostname (when it differs), option 60 →
//                Description "vendor class <x>", option 55 → Description "dhcp fingerprint 1,3,6,…"
//                (the usual DHCP fingerprint).
//                Server messages (op 2): option 60 → Description "vendor class <x>" about the sender
//                (the server's own class, e.g. ArubaAP) when its IP is unicast. A DHCPACK or BOOTP
//                reply also describes the client it names (chaddr) when that client is on this link
//                (the reply's destination MAC is chaddr, or giaddr is 0): option 12 → Hostname (the
//                name the server gives it), yiaddr → Description "dhcp assigned address <ip>",
//                reported as Side::Client of a context whose transport is 0 and client MAC chaddr.
//   anomaly()    dhcp_parser.h kAnomalyNames.
//   protocol_confirmed() after the first whole message with the magic cookie (DHCP replies are
//                often broadcast to another flow, so one direction is all a flow may ever see);
//                without a flow (transport 0), once per client MAC (at most kMaxConfirmedClients
//                remembered).
// After kMaxConsecutiveViolations malformed datagrams in a row the session is rejected.
#pragma once

#include <string>
#include <unordered_set>

#include "dissectors/dhcp/dhcp_parser.h"
#include "dissectors/dissector.h"

namespace ots::dhcp {

constexpr uint32_t kMaxConsecutiveViolations = 4;
constexpr uint16_t kServerPort = 67, kClientPort = 68;
constexpr size_t kMaxConfirmedClients = 1024;

class DhcpSession final : public DissectorSession {
 public:
  explicit DhcpSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return rejected_; }

 private:
  void confirm(const FlowContext& ctx);
  void report_client(const FlowContext& ctx, Side sender, const Message& message, std::string_view event);
  void report_vendor_class(const FlowContext& ctx, Side sender, const Message& message, std::string_view event);
  void report_assignment(const FlowContext& about_client, const Message& message, std::string_view event);

  EventSink& sink_;
  Message message_;
  std::string scratch_;  // reused for composed descriptions
  uint32_t consecutive_violations_ = 0;
  std::unordered_set<MacAddr> confirmed_clients_;  // flowless session only
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::dhcp
