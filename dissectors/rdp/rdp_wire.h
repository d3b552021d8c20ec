// RDP connection-sequence wire grammar (MS-RDPBCGR §2.2.1.1–2.2.1.3): TPKT (RFC 1006) framing,
// the X.224 Connection Request with its cookie / routing token and RDP_NEG_REQ, the Connection
// Confirm with RDP_NEG_RSP / RDP_NEG_FAILURE, and the client core data (TS_UD_CS_CORE) of an
// MCS Connect Initial, which is readable only when standard RDP security (no TLS) was chosen.
// Pure functions; views point into the PDU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"

namespace ots::rdp {

constexpr size_t kTpktHeaderSize = 4;
constexpr uint8_t kTpktVersion = 3;
constexpr size_t kX224FixedSize = 7;                    // LI, code, dst-ref, src-ref, class (CR / CC)
constexpr size_t kMinTpktLength = kTpktHeaderSize + 3;  // a data TPDU header
constexpr size_t kMaxCookie = 256;                      // bytes searched for the cookie's CR LF
constexpr size_t kMaxUserDataBlocks = 32;

// X.224 TPDU codes (ITU-T X.224 §13).
namespace tpdu {
constexpr uint8_t kConnectionRequest = 0xE0, kConnectionConfirm = 0xD0, kDisconnectRequest = 0x80,
                  kData = 0xF0;
}

// RDP_NEG_* structure types and protocol bits (MS-RDPBCGR §2.2.1.1.1, §2.2.1.2.1–2).
namespace neg {
constexpr uint8_t kRequest = 0x01, kResponse = 0x02, kFailure = 0x03;
constexpr uint16_t kLength = 8;
}  // namespace neg
struct ProtocolBit {
  uint32_t bit;
  std::string_view name;
};
constexpr std::string_view kStandardRdp = "RDP";
constexpr ProtocolBit kProtocols[] = {
    {0x01, "TLS"}, {0x02, "CredSSP"}, {0x04, "RDSTLS"}, {0x08, "CredSSP-EX"}, {0x10, "RDSAAD"},
};
struct FailureCode {
  uint32_t code;
  std::string_view name;
};
constexpr FailureCode kFailureCodes[] = {
    {1, "SSL_REQUIRED_BY_SERVER"},    {2, "SSL_NOT_ALLOWED_BY_SERVER"},
    {3, "SSL_CERT_NOT_ON_SERVER"},    {4, "INCONSISTENT_FLAGS"},
    {5, "HYBRID_REQUIRED_BY_SERVER"}, {6, "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"},
};
std::string_view failure_name(uint32_t code);  // "" when unknown

// RDP client versions of TS_UD_CS_CORE.version (MS-RDPBCGR §2.2.1.3.2).
struct ClientVersion {
  uint32_t code;
  std::string_view name;
};
constexpr ClientVersion kClientVersions[] = {
    {0x00080001, "4.0"},   {0x00080004, "5.0"},   {0x00080005, "10.0"},  {0x00080006, "10.1"},
    {0x00080007, "10.2"},  {0x00080008, "10.3"},  {0x00080009, "10.4"},  {0x0008000A, "10.5"},
    {0x0008000B, "10.6"},  {0x0008000C, "10.7"},  {0x0008000D, "10.8"},  {0x0008000E, "10.9"},
    {0x0008000F, "10.10"}, {0x00080010, "10.11"}, {0x00080011, "10.12"},
};
std::string_view client_version_name(uint32_t code);

enum class Anomaly : uint8_t {
  None,
  BadTpkt,
  BadX224,
  BadNegotiation,
  BadMcs,
  StandardRdpSecurity,
  TruncatedPdu,
  kCount
};
constexpr std::string_view kAnomalyNames[] = {
    "",
    "rdp.bad_tpkt",               // TPKT version not 3 or length below the minimum
    "rdp.bad_x224",               // X.224 length indicator or TPDU code not what this stage expects
    "rdp.bad_negotiation",        // RDP_NEG_* with a bad type or length, or an unterminated cookie
    "rdp.bad_mcs",                // MCS Connect Initial without readable client core data
    "rdp.standard_rdp_security",  // the server chose standard RDP security (no TLS / NLA): a finding
    "rdp.truncated_pdu",          // the stream ended inside a PDU
};
static_assert(std::size(kAnomalyNames) == size_t(Anomaly::kCount));
constexpr std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[size_t(a)]; }

// TPKT length of the PDU at the front of `bytes`: 0 when fewer than 4 bytes, -1 when not a TPKT header.
int32_t tpkt_length(Bytes bytes);

struct ConnectionRequest {
  std::string_view user;  // from "Cookie: mstshash=<user>"
  bool routing_token = false;
  bool has_negotiation = false;
  uint32_t requested_protocols = 0;
};
// `pdu` is a whole TPKT PDU.
Anomaly parse_connection_request(Bytes pdu, ConnectionRequest& out);

struct ConnectionConfirm {
  bool has_negotiation = false;
  bool failed = false;
  uint32_t selected_protocol = 0;  // when !failed
  uint32_t failure_code = 0;       // when failed
};
Anomaly parse_connection_confirm(Bytes pdu, ConnectionConfirm& out);

struct ClientCore {
  uint32_t version = 0;
  uint32_t build = 0;
  Bytes client_name;  // UTF-16LE, up to 32 bytes
};
// An X.224 data TPDU carrying MCS Connect Initial → GCC conference create request → CS_CORE.
Anomaly parse_connect_initial(Bytes pdu, ClientCore& out);

// The probe's strict test: a whole-looking X.224 CR (client) or CC (server) header.
bool looks_like_connection_request(Bytes bytes, bool& need_more);
bool looks_like_connection_confirm(Bytes bytes, bool& need_more);

}  // namespace ots::rdp
