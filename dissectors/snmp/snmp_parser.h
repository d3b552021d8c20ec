// SNMP v1/v2c message grammar (RFC 1157, RFC 3416) over BER (X.690), bounded and non-recursive:
// the structure has a fixed depth, so each level is read with one TLV reader. SNMPv3 messages
// (RFC 3412) are recognised by version only. The community string is exposed only for comparison.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"

namespace ots::snmp {

constexpr size_t kMaxVarbinds = 128;
constexpr size_t kMaxOidText = 160;  // dotted text; longer OIDs are cut (and still parse)
constexpr uint32_t kVersion1 = 0, kVersion2c = 1, kVersion3 = 3;

namespace tag {
constexpr uint8_t kInteger = 0x02, kOctetString = 0x04, kNull = 0x05, kOid = 0x06, kSequence = 0x30;
constexpr uint8_t kPduBase = 0xA0;  // context-specific, constructed, 0…8
}

struct PduType {
  uint8_t code;
  std::string_view name;
  bool is_request;
  bool is_write;
};
// RFC 3416 §3 PDU tags.
constexpr PduType kPduTypes[] = {
    {0, "get-request", true, false},  {1, "get-next-request", true, false}, {2, "response", false, false},
    {3, "set-request", true, true},   {4, "trap", true, false},             {5, "get-bulk-request", true, false},
    {6, "inform-request", true, false}, {7, "snmpV2-trap", true, false},    {8, "report", false, false},
};
constexpr uint8_t kPduResponse = 2, kPduTrapV1 = 4;

enum class Anomaly : uint8_t { None, BadBer, UnknownVersion, UnknownPdu, TooManyVarbinds, DefaultCommunity, kCount };
constexpr std::string_view kAnomalyNames[] = {
    "",
    "snmp.bad_ber",              // a TLV that is not well formed or overruns its container
    "snmp.unknown_version",      // version other than 0, 1, 3
    "snmp.unknown_pdu",          // a PDU tag outside 0xA0…0xA8
    "snmp.too_many_varbinds",    // more than kMaxVarbinds
    "snmp.default_community",    // community "public" or "private" (a finding, not a parse error)
};
static_assert(std::size(kAnomalyNames) == size_t(Anomaly::kCount));
constexpr std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[size_t(a)]; }

struct Oid {
  std::array<char, kMaxOidText> text{};
  size_t length = 0;
  std::string_view view() const { return {text.data(), length}; }
};

// Decodes BER OID contents into dotted text; false when malformed.
bool decode_oid(Bytes contents, Oid& out);

struct Varbind {
  Oid name;
  uint8_t value_tag = 0;
  Bytes value;  // contents octets
};

class VarbindVisitor {
 public:
  virtual ~VarbindVisitor() = default;
  virtual void varbind(const Varbind& varbind) = 0;
};

struct Message {
  uint32_t version = 0;
  std::string_view community;  // v1/v2c; never stored or reported by the session
  uint8_t pdu_type = 0;        // tag - 0xA0
  int64_t request_id = 0;
  int64_t error_status = 0;
  size_t varbind_count = 0;
};

// Parses one datagram; every varbind goes to `visitor` (may be null). `scratch` is reused per varbind.
Anomaly parse(Bytes datagram, Message& out, VarbindVisitor* visitor, Varbind& scratch);

const PduType* pdu_type(uint8_t code);

}  // namespace ots::snmp
