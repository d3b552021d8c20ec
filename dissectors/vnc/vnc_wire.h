// RFB (VNC) handshake grammar (RFC 6143 §7.1–7.3): ProtocolVersion, security negotiation,
// SecurityResult, ClientInit and ServerInit. Framebuffer traffic is never parsed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"

namespace ots::vnc {

constexpr size_t kVersionSize = 12;           // "RFB 003.008\n"
constexpr size_t kMaxText = 256;              // bytes kept of a failure reason or desktop name
constexpr uint32_t kMaxTextLength = 1 << 20;  // a longer announced string is not RFB
constexpr size_t kChallengeSize = 16;
constexpr size_t kPixelFormatSize = 16;

// Security types (RFC 6143 §7.1.2 and the IANA RFB registry).
namespace security {
constexpr uint8_t kInvalid = 0, kNone = 1, kVncAuthentication = 2;
}
struct SecurityTypeName {
  uint8_t code;
  std::string_view name;
};
constexpr SecurityTypeName kSecurityTypes[] = {
    {0, "Invalid"},
    {1, "None"},
    {2, "VNC Authentication"},
    {5, "RA2"},
    {6, "RA2ne"},
    {16, "Tight"},
    {17, "Ultra"},
    {18, "TLS"},
    {19, "VeNCrypt"},
    {20, "SASL"},
    {21, "MD5"},
    {22, "xvp"},
    {23, "Secure Tunnel"},
    {24, "Integrated SSH"},
    {30, "Apple Remote Desktop"},
};
constexpr std::string_view kUnknownSecurityType = "Unknown";
std::string_view security_type_name(uint8_t code);

// Version strings that name a product (RFC 6143 §7.1.1 lists only 3.3, 3.7 and 3.8).
struct VersionProduct {
  std::string_view version;  // "RFB 003.889"
  std::string_view product;
};
constexpr VersionProduct kVersionProducts[] = {
    {"RFB 003.889", "Apple Remote Desktop"},
    {"RFB 004.000", "RealVNC"},
    {"RFB 004.001", "RealVNC"},
};
std::string_view version_product(std::string_view version);  // "" when it names none

enum class Anomaly : uint8_t {
  None,
  BadVersion,
  NoAuthentication,
  BadSecurityType,
  BadLength,
  Truncated,
  kCount
};
constexpr std::string_view kAnomalyNames[] = {
    "",
    "vnc.bad_version",        // not "RFB xxx.yyy\n"
    "vnc.no_authentication",  // security type None chosen: anyone on the network gets the desktop
    "vnc.bad_security_type",  // the client chose a type the server did not offer
    "vnc.bad_length",         // a reason / desktop name longer than kMaxTextLength, or 0 pixel bits
    "vnc.truncated",          // the stream ended inside a handshake message
};
static_assert(std::size(kAnomalyNames) == size_t(Anomaly::kCount));
constexpr std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[size_t(a)]; }

struct Version {
  uint16_t major = 0, minor = 0;
  std::string_view text;  // without the newline
};
// Exactly kVersionSize bytes: "RFB " 3 digits "." 3 digits "\n".
bool parse_version(Bytes twelve, Version& out);
// The handshake variant a version speaks (RFC 6143 §7.1.1: unknown minors act as 3.3, later as 3.8).
uint16_t effective_minor(const Version& v);

}  // namespace ots::vnc
