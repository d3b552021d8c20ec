// Per-flow DNS session over UDP: DNS (53), mDNS (5353) and LLMNR (5355). Each datagram is one message.
//
// Events:
//   operation()  every message from the side that sent it: code = QTYPE of the first question (0 when
//                none), name from kOpcodeNames ("query"/"response", "update"/"update response", …),
//                object = the first question's name, is_write = UPDATE, is_error = response with RCODE ≠ 0.
//   identity()   mDNS / LLMNR responses only (by port): an A/AAAA record in any section whose address
//                is the sender's own IP → Hostname of the sender, ".local" and the root dot stripped.
//                Plain DNS answers describe other hosts and name nobody.
//   observable() Domain: the first question of every query, and CNAME targets in answers (lower case,
//                no root dot), for threat-intel matching.
//   anomaly()    dns_parser.h kAnomalyNames.
//   protocol_confirmed() after the first valid response, or the second valid query (flows that only
//                carry queries, such as multicast announcements never answered).
// After kMaxConsecutiveViolations malformed datagrams in a row the session is rejected.
#pragma once

#include <string>

#include "dissectors/dissector.h"
#include "dissectors/dns/dns_parser.h"

namespace ots::dns {

constexpr uint32_t kMaxConsecutiveViolations = 4;
constexpr uint16_t kDnsPort = 53, kMdnsPort = 5353, kLlmnrPort = 5355;

struct OpcodeName {
  uint8_t opcode;
  std::string_view request, response;
};
constexpr OpcodeName kOpcodeNames[] = {
    {opcode::kQuery, "query", "response"},
    {opcode::kInverseQuery, "inverse query", "inverse query response"},
    {opcode::kStatus, "status", "status response"},
    {opcode::kNotify, "notify", "notify response"},
    {opcode::kUpdate, "update", "update response"},
};

// The descriptor's probe: a plausible header, a whole message, no NetBIOS-encoded question.
ProbeResult probe(Direction dir, Bytes payload);

// "host.local." → "host"; "" when the name is not usable as a host name.
std::string_view host_label(std::string_view name);

class DnsSession final : public DissectorSession, private Visitor {
 public:
  explicit DnsSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return rejected_; }

 private:
  void record(const Record& record) override;
  void emit_domain(std::string_view name);

  EventSink& sink_;
  Header header_;
  // Per message, filled by record() (the names themselves are per-thread scratch in dns_session.cc).
  uint16_t first_qtype_ = 0;
  bool have_question_ = false;
  const FlowContext* ctx_ = nullptr;  // the message being parsed (record() emits observables)
  Side sender_ = Side::Client;
  IpAddr sender_ip_;
  bool have_self_name_ = false;  // the message named the sender (see record())
  std::string last_hostname_;  // mDNS repeats itself; report a name once per change
  uint32_t valid_queries_ = 0;
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::dns
