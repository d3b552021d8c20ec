// Per-flow SNMP session (UDP 161 agent, 162 traps). Each datagram is one message.
//
// Events:
//   operation()  every message from its sender: code = PDU tag number, name from kPduTypes,
//                is_write = set-request, is_error = response with error-status ≠ 0, object = the first
//                varbind's OID, quantity = varbind count, unit = request id (low 32 bits). SNMPv3: code 3, name "SNMPv3" (the PDU is usually encrypted).
//   identity()   from responses, about their sender (the agent): sysDescr.0 → Description,
//                sysName.0 → Hostname, sysObjectID.0 → Description "sysObjectID <oid>"; each once per session.
//   anomaly()    snmp_parser.h kAnomalyNames; snmp.default_community once per session when a message
//                carries "public" or "private". The community itself is never stored nor reported.
//   protocol_confirmed() after the first whole message (a complete BER structure with a known version
//                and PDU is a strong signature; agents and trap receivers often see one direction only).
#pragma once

#include <string>

#include "dissectors/dissector.h"
#include "dissectors/snmp/snmp_parser.h"

namespace ots::snmp {

constexpr uint32_t kMaxConsecutiveViolations = 4;
constexpr uint16_t kAgentPort = 161, kTrapPort = 162;

// MIB-II system group objects (RFC 1213) reported as identity.
constexpr std::string_view kSysDescr = "1.3.6.1.2.1.1.1.0";
constexpr std::string_view kSysObjectId = "1.3.6.1.2.1.1.2.0";
constexpr std::string_view kSysName = "1.3.6.1.2.1.1.5.0";

ProbeResult probe(Direction dir, Bytes payload);

class SnmpSession final : public DissectorSession, private VarbindVisitor {
 public:
  explicit SnmpSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return rejected_; }

 private:
  void varbind(const Varbind& varbind) override;

  EventSink& sink_;
  Message message_;
  Varbind scratch_;
  // Per message.
  Oid first_oid_;
  bool have_first_oid_ = false;
  Bytes sys_descr_, sys_name_;
  Oid sys_object_id_;
  bool have_sys_object_id_ = false;
  // Per session.
  bool descr_reported_ = false, name_reported_ = false, object_id_reported_ = false;
  bool default_community_reported_ = false;
  std::string text_;
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::snmp
