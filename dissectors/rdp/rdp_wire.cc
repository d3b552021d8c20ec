#include "dissectors/rdp/rdp_wire.h"

#include <algorithm>

namespace ots::rdp {
namespace {

constexpr std::string_view kCookie = "Cookie: ";
constexpr std::string_view kMstsHash = "Cookie: mstshash=";
constexpr std::string_view kGccUserDataKey = "Duca";  // H.221 non-standard key of MS T.124 user data
constexpr uint8_t kBerApplicationConstructed = 0x7F, kMcsConnectInitial = 0x65;
constexpr uint16_t kClientCoreData = 0xC001;
constexpr size_t kClientBuildOffset = 20, kClientNameSize = 32;
constexpr uint8_t kX224EndOfTransmission = 0x80;

// The X.224 header of a CR or CC: LI covers the whole rest of the PDU; returns the variable part.
Anomaly x224_connection(Bytes pdu, uint8_t code, Bytes& variable) {
  ByteReader r(pdu);
  r.skip(kTpktHeaderSize);
  uint8_t length_indicator = r.u8();
  uint8_t tpdu_code = r.u8();
  r.skip(5);  // dst-ref, src-ref, class
  if (!r.ok() || tpdu_code != code || length_indicator != pdu.size() - kTpktHeaderSize - 1)
    return Anomaly::BadX224;
  variable = r.rest();
  return Anomaly::None;
}

// Whether the bytes seen so far agree with `expected` (need_more when they agree but are fewer).
bool prefix_matches(Bytes seen, std::string_view expected, size_t wanted, bool& need_more) {
  size_t n = std::min({seen.size(), expected.size(), wanted});
  if (!std::equal(seen.begin(), seen.begin() + n, expected.begin(),
                  [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); })) {
    return false;
  }
  if (n < std::min(expected.size(), wanted)) need_more = true;
  return true;
}

bool looks_like_connection(Bytes bytes, uint8_t code, bool& need_more) {
  need_more = false;
  int32_t length = tpkt_length(bytes);
  if (length < 0) return false;
  if (bytes.size() < kTpktHeaderSize + kX224FixedSize) {
    need_more = true;
    return true;
  }
  if (size_t(length) < kTpktHeaderSize + kX224FixedSize || bytes[4] != length - kTpktHeaderSize - 1 ||
      bytes[5] != code || bytes[10] != 0) {
    return false;
  }
  size_t variable_length = size_t(length) - kTpktHeaderSize - kX224FixedSize;
  if (variable_length == 0) return true;
  Bytes variable = bytes.subspan(kTpktHeaderSize + kX224FixedSize);
  if (variable.empty()) {
    need_more = true;
    return true;
  }
  uint8_t first = variable[0];
  if (code == tpdu::kConnectionRequest && first == static_cast<uint8_t>(kCookie[0])) {
    return prefix_matches(variable, kCookie, variable_length, need_more);
  }
  bool negotiation = code == tpdu::kConnectionRequest ? first == neg::kRequest
                                                      : (first == neg::kResponse || first == neg::kFailure);
  if (!negotiation || variable_length < neg::kLength) return false;
  if (variable.size() < 4) {
    need_more = true;
    return true;
  }
  return (variable[2] | variable[3] << 8) == neg::kLength;
}

}  // namespace

std::string_view failure_name(uint32_t code) {
  for (const auto& f : kFailureCodes) {
    if (f.code == code) return f.name;
  }
  return {};
}

std::string_view client_version_name(uint32_t code) {
  for (const auto& v : kClientVersions) {
    if (v.code == code) return v.name;
  }
  return {};
}

int32_t tpkt_length(Bytes bytes) {
  if (bytes.size() < kTpktHeaderSize) return 0;
  if (bytes[0] != kTpktVersion || bytes[1] != 0) return -1;
  int32_t length = bytes[2] << 8 | bytes[3];
  return size_t(length) < kMinTpktLength ? -1 : length;
}

Anomaly parse_connection_request(Bytes pdu, ConnectionRequest& out) {
  Bytes variable;
  if (Anomaly a = x224_connection(pdu, tpdu::kConnectionRequest, variable); a != Anomaly::None) return a;
  std::string_view text = as_chars(variable);
  if (text.starts_with(kCookie)) {
    size_t end = text.substr(0, kMaxCookie).find("\r\n");
    if (end == std::string_view::npos) return Anomaly::BadNegotiation;
    if (text.starts_with(kMstsHash)) {
      out.user = text.substr(kMstsHash.size(), end - kMstsHash.size());
    } else {
      out.routing_token = true;
    }
    variable = variable.subspan(end + 2);
  }
  if (variable.empty()) return Anomaly::None;
  ByteReader r(variable);
  uint8_t type = r.u8();
  r.u8();  // flags
  uint16_t length = r.le16();
  out.requested_protocols = r.le32();
  if (!r.ok() || type != neg::kRequest || length != neg::kLength) return Anomaly::BadNegotiation;
  out.has_negotiation = true;
  return Anomaly::None;  // an RDP_NEG_CORRELATION_INFO may follow; it names nothing
}

Anomaly parse_connection_confirm(Bytes pdu, ConnectionConfirm& out) {
  Bytes variable;
  if (Anomaly a = x224_connection(pdu, tpdu::kConnectionConfirm, variable); a != Anomaly::None) return a;
  if (variable.empty()) return Anomaly::None;  // an old server: standard RDP security
  ByteReader r(variable);
  uint8_t type = r.u8();
  r.u8();  // flags
  uint16_t length = r.le16();
  uint32_t value = r.le32();
  if (!r.ok() || (type != neg::kResponse && type != neg::kFailure) || length != neg::kLength) {
    return Anomaly::BadNegotiation;
  }
  out.has_negotiation = true;
  out.failed = type == neg::kFailure;
  (out.failed ? out.failure_code : out.selected_protocol) = value;
  return Anomaly::None;
}

Anomaly parse_connect_initial(Bytes pdu, ClientCore& out) {
  ByteReader r(pdu);
  r.skip(kTpktHeaderSize);
  uint8_t length_indicator = r.u8();
  uint8_t code = r.u8();
  uint8_t eot = r.u8();
  if (!r.ok() || length_indicator != 2 || code != tpdu::kData || eot != kX224EndOfTransmission) {
    return Anomaly::BadX224;
  }
  if (r.u8() != kBerApplicationConstructed || r.u8() != kMcsConnectInitial) return Anomaly::BadMcs;
  // The GCC conference create request is PER-encoded; its user data follows the "Duca" key.
  std::string_view rest = as_chars(r.rest());
  size_t key = rest.find(kGccUserDataKey);
  if (key == std::string_view::npos) return Anomaly::BadMcs;
  ByteReader user_data(r.whole().subspan(r.whole().size() - rest.size() + key + kGccUserDataKey.size()));
  size_t length = user_data.u8();
  if (length & 0x80) length = (length & 0x7F) << 8 | user_data.u8();
  Bytes blocks = user_data.bytes(std::min(length, user_data.remaining()));
  ByteReader b(blocks);
  for (size_t count = 0; count < kMaxUserDataBlocks && b.has(4); ++count) {
    uint16_t type = b.le16();
    uint16_t block_length = b.le16();
    if (block_length < 4) return Anomaly::BadMcs;
    Bytes block = b.bytes(std::min<size_t>(block_length - 4, b.remaining()));
    if (type != kClientCoreData) continue;
    ByteReader core(block);
    out.version = core.le32();
    core.skip(kClientBuildOffset - 8);
    out.build = core.le32();
    out.client_name = core.bytes(kClientNameSize);
    return core.ok() ? Anomaly::None : Anomaly::BadMcs;
  }
  return Anomaly::BadMcs;
}

bool looks_like_connection_request(Bytes bytes, bool& need_more) {
  return looks_like_connection(bytes, tpdu::kConnectionRequest, need_more);
}

bool looks_like_connection_confirm(Bytes bytes, bool& need_more) {
  return looks_like_connection(bytes, tpdu::kConnectionConfirm, need_more);
}

}  // namespace ots::rdp
