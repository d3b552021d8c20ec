// TLS wire grammar: pure, stateless functions over untrusted bytes (RFC 5246, RFC 8446).
//
// The record layer is framed here (5-byte headers); handshake messages are parsed from
// the reassembled handshake stream (record bodies of content type 22 concatenated).
// ClientHello and ServerHello are decoded into views of the message (no copies); the
// fingerprints (JA3, JA3S, JA4) are computed from them in tls_fingerprint.h. Certificates
// are summarised by a small bounded DER walker (subject / issuer common name, validity).
// SSLv2-compatible ClientHellos (first byte 0x80) are not parsed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::tls {

constexpr size_t kRecordHeaderSize = 5;
constexpr uint16_t kMaxRecordLength = 16384 + 2048;  // TLSCiphertext limit (RFC 5246 6.2.3)
constexpr size_t kHandshakeHeaderSize = 4;
constexpr size_t kMaxHandshakeMessage = 64 * 1024;  // larger messages are skipped, not buffered
constexpr size_t kMaxServerNameLength = 253;

namespace content {
constexpr uint8_t kChangeCipherSpec = 20, kAlert = 21, kHandshake = 22, kApplicationData = 23, kHeartbeat = 24;
}
namespace handshake {
constexpr uint8_t kClientHello = 1, kServerHello = 2, kCertificate = 11;
}
namespace extension {
constexpr uint16_t kServerName = 0x0000, kSupportedGroups = 0x000a, kEcPointFormats = 0x000b,
                   kSignatureAlgorithms = 0x000d, kAlpn = 0x0010, kSupportedVersions = 0x002b;
}
constexpr uint16_t kTls12 = 0x0303, kTls13 = 0x0304;

// Stable anomaly names ("tls.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None,
  BadRecordHeader,      // unknown content type, version or oversize length
  EmptyRecord,          // zero-length handshake / alert / change-cipher-spec record
  HandshakeTooLarge,    // a handshake message over kMaxHandshakeMessage (skipped)
  MalformedClientHello,
  MalformedServerHello,
  MalformedCertificate,
  MalformedAlert,
  MalformedChangeCipherSpec,
  UnexpectedHandshake,  // a hello from the wrong side
  BadServerName,        // SNI that is not a plausible host name
  TruncatedRecord,      // the stream ended inside a record
  kCount
};
constexpr std::string_view kAnomalyNames[] = {
    "",
    "tls.bad_record_header",
    "tls.empty_record",
    "tls.handshake_too_large",
    "tls.malformed_client_hello",
    "tls.malformed_server_hello",
    "tls.malformed_certificate",
    "tls.malformed_alert",
    "tls.malformed_change_cipher_spec",
    "tls.unexpected_handshake",
    "tls.bad_server_name",
    "tls.truncated_record",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));
inline std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }

struct RecordHeader {
  uint8_t type = 0;
  uint16_t version = 0;
  uint16_t length = 0;
};
// Whether `header` (5 bytes) is a plausible TLS record header: known content type,
// version 3.0–3.4, length within the ciphertext limit.
bool parse_record_header(Bytes header, RecordHeader& out);

// The descriptor's probe: a handshake record whose first message is a ClientHello (from the
// client) or ServerHello (from the server). Needs 6 bytes.
ProbeResult probe(Direction dir, Bytes payload);

// GREASE values (RFC 8701): 0x?A?A with equal bytes.
constexpr bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

struct ClientHello {
  uint16_t legacy_version = 0;
  Bytes cipher_suites;         // 2 bytes per suite, validated even length
  Bytes extensions;            // the validated extension block (type, length, data)*
  std::string_view server_name;  // first host_name of the SNI extension (as sent)
  bool has_server_name = false;  // the SNI extension is present
  Bytes first_alpn;            // first protocol of the ALPN extension
  Bytes supported_groups;      // 2 bytes per group
  Bytes ec_point_formats;      // 1 byte per format
  Bytes signature_algorithms;  // 2 bytes per algorithm
  Bytes supported_versions;    // 2 bytes per version
};
// `body` = the handshake message body (after the 4-byte handshake header).
Anomaly parse_client_hello(Bytes body, ClientHello& out);

struct ServerHello {
  uint16_t legacy_version = 0;
  uint16_t cipher_suite = 0;
  Bytes extensions;
  uint16_t selected_version = 0;  // supported_versions extension, else legacy_version
};
Anomaly parse_server_hello(Bytes body, ServerHello& out);

// Walks the validated extension block of a hello: next(type, data) until false.
class ExtensionWalker {
 public:
  explicit ExtensionWalker(Bytes block) : reader_(block) {}
  bool next(uint16_t& type, Bytes& data);

 private:
  ByteReader reader_;
};

// TLS ≤ 1.2 Certificate message: a list of DER certificates, leaf first.
class CertificateList {
 public:
  // False (MalformedCertificate) unless the list framing is exact.
  bool parse(Bytes body);
  bool next(Bytes& der);

 private:
  ByteReader reader_;
};

// What the inventory wants from a certificate. Views into the DER bytes; a string that is
// not plain text (BMPString, control characters) stays empty.
struct CertificateSummary {
  std::string_view subject_cn;
  std::string_view subject_org;
  std::string_view issuer_cn;
  std::string_view issuer_org;
  std::array<char, 24> not_after{};  // "2016-07-04 23:59:59 UTC", NUL-terminated; empty when absent
  std::string_view not_after_text() const { return not_after.data(); }
};
// Bounded DER walk of Certificate → tbsCertificate → issuer, validity, subject.
bool parse_certificate(Bytes der, CertificateSummary& out);

// Whether `name` is a plausible DNS host name (letters, digits, '-', '_', dots; at least one
// letter; no wildcard; not an IP literal).
bool looks_like_hostname(std::string_view name);

std::string_view alert_description_name(uint8_t description);  // "handshake_failure"; "unknown" otherwise
std::string_view version_name(uint16_t version);                // "TLS 1.2"; "unknown" otherwise

}  // namespace ots::tls
