// SSH transport wire grammar (RFC 4253): the identification line ("banner") and the binary
// packet carrying SSH_MSG_KEXINIT. Pure, stateless functions over untrusted bytes. Everything
// after the key exchange is encrypted and not parsed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::ssh {

constexpr size_t kMaxBannerLine = 255;     // RFC 4253 4.2, CR LF included
constexpr size_t kMaxPreambleLines = 32;   // lines a server may send before its banner
constexpr uint32_t kMaxPacketLength = 35000;  // RFC 4253 6.1: every implementation handles this
constexpr uint32_t kMinPacketLength = 5;   // padding length byte + 4 bytes of padding
constexpr uint8_t kMsgKexInit = 20;

// Stable anomaly names ("ssh.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None,
  BadBanner,            // an identification line that is not "SSH-x.y-software[ comments]"
  BannerTooLong,
  TooManyPreambleLines,
  Protocol1,            // SSH-1.x only (SSH-1.99 means 2.0 compatible)
  BadPacketLength,
  BadPadding,
  UnexpectedMessage,    // the first packet is not KEXINIT
  MalformedKexInit,
  Truncated,            // the stream ended inside the banner or the first packet
  kCount
};
constexpr std::string_view kAnomalyNames[] = {
    "",
    "ssh.bad_banner",
    "ssh.banner_too_long",
    "ssh.too_many_preamble_lines",
    "ssh.protocol_1",
    "ssh.bad_packet_length",
    "ssh.bad_padding",
    "ssh.unexpected_message",
    "ssh.malformed_kexinit",
    "ssh.truncated",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));
inline std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }

struct Banner {
  std::string_view proto_version;     // "2.0", "1.99"
  std::string_view software_version;  // "OpenSSH_8.9p1"
  std::string_view comments;          // "Ubuntu-3" (may be empty)
  std::string_view software;          // software_version and comments: "OpenSSH_8.9p1 Ubuntu-3"
};
// `line` = the identification line without CR LF.
bool parse_banner(std::string_view line, Banner& out);
bool is_protocol_2(const Banner& banner);  // "2.0" or "1.99"

// The operating system a banner reveals ("Ubuntu", "Windows", …), or "" (table in ssh_parser.cc).
std::string_view operating_system_hint(const Banner& banner);

// The binary packet framing: whole packet = 4-byte length + length bytes (no MAC before NEWKEYS).
// Returns the payload (without padding) or an anomaly.
struct Packet {
  Bytes payload;
  Anomaly anomaly = Anomaly::None;
};
// `packet` = the bytes after the 4-byte length field (exactly packet_length of them).
Packet parse_packet(Bytes packet);
bool plausible_packet_length(uint32_t length);

// SSH_MSG_KEXINIT name-lists, in wire order.
enum KexList : size_t {
  kKexAlgorithms, kServerHostKeyAlgorithms,
  kEncryptionClientToServer, kEncryptionServerToClient,
  kMacClientToServer, kMacServerToClient,
  kCompressionClientToServer, kCompressionServerToClient,
  kLanguagesClientToServer, kLanguagesServerToClient,
  kKexListCount
};
struct KexInit {
  std::array<std::string_view, kKexListCount> lists;
  bool first_kex_packet_follows = false;
};
Anomaly parse_kexinit(Bytes payload, KexInit& out);

// HASSH (Salesforce): "kex;encryption;mac;compression" with the client-to-server lists for
// the client (HASSH) and the server-to-client lists for the server (HASSHServer).
void hassh_string(const KexInit& kex, Direction dir, std::string& out);

// The descriptor's probe: the stream starts with "SSH-" (server preamble lines are not probed).
ProbeResult probe(Direction dir, Bytes payload);

}  // namespace ots::ssh
