// NetBIOS name service (RFC 1001/1002, UDP 137). The wire format is DNS's (dissectors/dns/dns_parser.h);
// names are first-level encoded: 32 characters 'A'…'P' carrying 15 name bytes and a suffix byte.
//
// Events:
//   operation()  every message from its sender: code = opcode, name from kOpcodeNames (" response"
//                variants for responses), object = the first record's name as "NAME<xx>", is_write for
//                registration / release / refresh, is_error = response with RCODE ≠ 0.
//   identity()   names the SENDER owns, when its IP is unicast:
//                - registration / refresh requests: the NB additional record's name;
//                - positive name query responses whose NB address is the sender's;
//                - node status (NBSTAT) responses: the sender's whole name table;
//                unique <00> (workstation) and <20> (server) → Hostname; <1b>/<1c>/<1e> and group <00>
//                → Description "domain <X>". A query for <1c> (domain controllers) also yields
//                "domain <X>" for the sender: hosts look up their own domain's controllers.
//                Plain name queries name the target, not the sender, and report nothing.
//                Each distinct fact is reported once per session (up to kMaxRemembered facts).
//   anomaly()    kAnomalyNames (the DNS grammar's failures under the nbns. prefix).
//   protocol_confirmed() after the first valid response or the second valid request.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/dns/dns_parser.h"

namespace ots::nbns {

constexpr uint32_t kMaxConsecutiveViolations = 4;
constexpr uint16_t kNameServicePort = 137;
constexpr size_t kMaxFactsPerMessage = 16;
constexpr size_t kMaxRemembered = 32;

constexpr std::string_view kAnomalyNames[] = {
    "",
    "nbns.truncated_header",
    "nbns.too_many_records",
    "nbns.bad_name",
    "nbns.pointer_loop",
    "nbns.truncated_record",
    "nbns.bad_rdata",
};
static_assert(std::size(kAnomalyNames) == size_t(dns::Anomaly::kCount));

struct OpcodeName {
  uint8_t opcode;
  std::string_view request, response;
  bool is_write;
};
constexpr OpcodeName kOpcodeNames[] = {
    {0, "name query", "name query response", false},
    {5, "registration", "registration response", true},
    {6, "release", "release response", true},
    {7, "WACK", "WACK", false},
    {8, "refresh", "refresh response", true},
    {9, "refresh", "refresh response", true},
    {15, "multi-homed registration", "multi-homed registration response", true},
};

// Suffix bytes (the 16th name byte) this dissector interprets.
namespace suffix {
constexpr uint8_t kWorkstation = 0x00, kServer = 0x20, kDomainMaster = 0x1B, kDomainControllers = 0x1C,
                  kBrowserElection = 0x1E;
}

struct NetbiosName {
  std::array<char, 15> text{};
  size_t length = 0;  // trailing spaces removed
  uint8_t suffix = 0;
  std::string_view name() const { return {text.data(), length}; }
};

// Decodes the first label of a first-level encoded name; false if it is not one.
bool decode_name(std::string_view encoded, NetbiosName& out);

ProbeResult probe(Direction dir, Bytes payload);

class NbnsSession final : public DissectorSession, private dns::Visitor {
 public:
  explicit NbnsSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return rejected_; }

 public:
  struct Fact {
    IdentityField field;
    NetbiosName name;
    std::string_view event;  // the message that said it ("NBNS name registration")
  };

 private:
  void record(const dns::Record& record) override;
  void add_fact(const NetbiosName& name, bool group, std::string_view event);
  void report(const FlowContext& ctx, Side sender, const Fact& fact);

  EventSink& sink_;
  dns::Header header_;
  IpAddr sender_ip_;
  // Per message.
  bool have_object_ = false;
  std::array<char, 20> object_{};  // "NAME<xx>"
  size_t object_length_ = 0;
  size_t fact_count_ = 0;  // the facts themselves are per-thread scratch in nbns_session.cc
  // Per session.
  std::vector<std::string> reported_;
  std::string scratch_text_;
  uint32_t valid_requests_ = 0;
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::nbns
