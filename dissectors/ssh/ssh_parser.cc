#include "dissectors/ssh/ssh_parser.h"

#include <algorithm>

namespace ots::ssh {
namespace {

struct OsHint {
  std::string_view needle;  // found in the software version or comments
  std::string_view os;
};
// What common SSH servers and clients reveal in their identification strings.
constexpr OsHint kOsHints[] = {
    {"Ubuntu", "Ubuntu"},
    {"Debian", "Debian"},
    {"Raspbian", "Raspbian"},
    {"FreeBSD", "FreeBSD"},
    {"NetBSD", "NetBSD"},
    {"for_Windows", "Windows"},
    {"ROSSSH", "MikroTik RouterOS"},
    {"Cisco", "Cisco IOS"},
    {"HUAWEI", "Huawei VRP"},
    {"Comware", "HPE Comware"},
};

bool is_visible(char c) { return c > 0x20 && c < 0x7f; }

}  // namespace

bool parse_banner(std::string_view line, Banner& out) {
  out = {};
  constexpr std::string_view kPrefix = "SSH-";
  if (line.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view rest = line.substr(kPrefix.size());
  size_t dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos) return false;
  out.proto_version = rest.substr(0, dash);
  out.software = rest.substr(dash + 1);
  size_t space = out.software.find(' ');
  out.software_version = out.software.substr(0, space);
  if (space != std::string_view::npos) out.comments = out.software.substr(space + 1);
  bool version_ok = std::all_of(out.proto_version.begin(), out.proto_version.end(),
                                [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  bool software_ok = !out.software_version.empty() &&
                     std::all_of(out.software_version.begin(), out.software_version.end(), is_visible);
  bool comments_ok = std::all_of(out.comments.begin(), out.comments.end(), [](char c) {
    return c == ' ' || is_visible(c) || static_cast<unsigned char>(c) >= 0x80;  // UTF-8 is allowed
  });
  return version_ok && software_ok && comments_ok;
}

bool is_protocol_2(const Banner& banner) { return banner.proto_version == "2.0" || banner.proto_version == "1.99"; }

std::string_view operating_system_hint(const Banner& banner) {
  for (const auto& hint : kOsHints) {
    if (banner.software.find(hint.needle) != std::string_view::npos) return hint.os;
  }
  return {};
}

bool plausible_packet_length(uint32_t length) { return length >= kMinPacketLength && length <= kMaxPacketLength; }

Packet parse_packet(Bytes packet) {
  Packet out;
  ByteReader r(packet);
  uint8_t padding = r.u8();
  if (!r.ok() || padding < 4 || padding >= packet.size()) {
    out.anomaly = Anomaly::BadPadding;
    return out;
  }
  out.payload = r.bytes(packet.size() - 1 - padding);
  if (out.payload.empty()) out.anomaly = Anomaly::BadPadding;
  return out;
}

Anomaly parse_kexinit(Bytes payload, KexInit& out) {
  out = {};
  ByteReader r(payload);
  if (r.u8() != kMsgKexInit) return Anomaly::UnexpectedMessage;
  r.skip(16);  // cookie
  for (auto& list : out.lists) {
    list = r.chars(r.be32());
    if (!r.ok()) return Anomaly::MalformedKexInit;
    // Names are printable US-ASCII without spaces (RFC 4251 5).
    if (!std::all_of(list.begin(), list.end(), is_visible)) return Anomaly::MalformedKexInit;
  }
  out.first_kex_packet_follows = r.u8() != 0;
  r.be32();  // reserved
  return r.ok() ? Anomaly::None : Anomaly::MalformedKexInit;
}

void hassh_string(const KexInit& kex, Direction dir, std::string& out) {
  bool client = dir == Direction::FromClient;
  out.assign(kex.lists[kKexAlgorithms]);
  out.push_back(';');
  out.append(kex.lists[client ? kEncryptionClientToServer : kEncryptionServerToClient]);
  out.push_back(';');
  out.append(kex.lists[client ? kMacClientToServer : kMacServerToClient]);
  out.push_back(';');
  out.append(kex.lists[client ? kCompressionClientToServer : kCompressionServerToClient]);
}

ProbeResult probe(Direction, Bytes payload) {
  constexpr std::string_view kPrefix = "SSH-";
  std::string_view text = as_chars(payload);
  size_t n = std::min(text.size(), kPrefix.size());
  if (text.substr(0, n) != kPrefix.substr(0, n)) return ProbeResult::NoMatch;
  if (text.size() <= kPrefix.size()) return ProbeResult::NeedMoreData;
  // "SSH-" then a protocol version digit: enough to tell SSH from everything else.
  char version = text[kPrefix.size()];
  return version >= '1' && version <= '2' ? ProbeResult::Match : ProbeResult::NoMatch;
}

}  // namespace ots::ssh
