#include "dissectors/tls/tls_parser.h"

#include <algorithm>
#include <cstdio>

namespace ots::tls {
namespace {

struct AlertName {
  uint8_t description;
  std::string_view name;
};
// RFC 8446 6.2 / RFC 5246 7.2 / IANA TLS Alerts registry.
constexpr AlertName kAlertNames[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
};

struct VersionName {
  uint16_t version;
  std::string_view name;
};
constexpr VersionName kVersionNames[] = {
    {0x0300, "SSL 3.0"}, {0x0301, "TLS 1.0"}, {0x0302, "TLS 1.1"}, {0x0303, "TLS 1.2"}, {0x0304, "TLS 1.3"},
};

// A 16-bit length-prefixed vector.
Bytes vector16(ByteReader& r) { return r.bytes(r.be16()); }
Bytes vector8(ByteReader& r) { return r.bytes(r.u8()); }

// Validates the extension block framing: every extension's length fits exactly.
bool valid_extension_block(Bytes block) {
  ByteReader r(block);
  while (r.ok() && !r.empty()) {
    r.be16();
    r.bytes(r.be16());
  }
  return r.ok();
}

// DER: one TLV with a single-byte tag and a definite length of at most 4 bytes.
bool read_tlv(ByteReader& r, uint8_t& tag, Bytes& value) {
  tag = r.u8();
  uint8_t first = r.u8();
  if (!r.ok() || (tag & 0x1f) == 0x1f) return false;
  size_t length = first;
  if (first & 0x80) {
    size_t count = first & 0x7f;
    if (count == 0 || count > 4) return false;
    length = 0;
    for (size_t i = 0; i < count; ++i) length = length << 8 | r.u8();
  }
  value = r.bytes(length);
  return r.ok();
}

bool expect_tlv(ByteReader& r, uint8_t expected_tag, Bytes& value) {
  uint8_t tag = 0;
  return read_tlv(r, tag, value) && tag == expected_tag;
}

constexpr uint8_t kDerSequence = 0x30, kDerSet = 0x31, kDerOid = 0x06, kDerUtcTime = 0x17, kDerGeneralizedTime = 0x18;
constexpr uint8_t kOidCommonName[] = {0x55, 0x04, 0x03};
constexpr uint8_t kOidOrganization[] = {0x55, 0x04, 0x0a};

std::string_view printable_string(uint8_t tag, Bytes value) {
  // UTF8String, PrintableString, T61String, IA5String; BMPString / UniversalString are not text here.
  if (tag != 0x0c && tag != 0x13 && tag != 0x14 && tag != 0x16) return {};
  std::string_view text = as_chars(value);
  bool control = std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  return control ? std::string_view{} : text;
}

// Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue).
bool parse_name(Bytes name, std::string_view& common_name, std::string_view& organization) {
  ByteReader rdns(name);
  while (!rdns.empty()) {
    Bytes set;
    if (!expect_tlv(rdns, kDerSet, set)) return false;
    ByteReader attributes(set);
    while (!attributes.empty()) {
      Bytes attribute, oid, value;
      uint8_t value_tag = 0;
      if (!expect_tlv(attributes, kDerSequence, attribute)) return false;
      ByteReader fields(attribute);
      if (!expect_tlv(fields, kDerOid, oid) || !read_tlv(fields, value_tag, value)) return false;
      auto is = [&](std::span<const uint8_t> wanted) { return std::equal(oid.begin(), oid.end(), wanted.begin(), wanted.end()); };
      // The last CN / O wins: RDNs go from the root to the most specific.
      if (is(kOidCommonName)) common_name = printable_string(value_tag, value);
      if (is(kOidOrganization)) organization = printable_string(value_tag, value);
    }
  }
  return true;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// UTCTime YYMMDDHHMMSSZ / GeneralizedTime YYYYMMDDHHMMSSZ → "YYYY-MM-DD HH:MM:SS UTC".
bool format_time(uint8_t tag, Bytes value, std::array<char, 24>& out) {
  std::string_view text = as_chars(value);
  std::string_view year;
  char century[2] = {'2', '0'};
  if (tag == kDerUtcTime && text.size() == 13 && text.back() == 'Z') {
    year = text.substr(0, 2);
    if (year[0] >= '5') century[0] = '1', century[1] = '9';  // RFC 5280 4.1.2.5.1
    text.remove_prefix(2);
  } else if (tag == kDerGeneralizedTime && text.size() == 15 && text.back() == 'Z') {
    century[0] = text[0], century[1] = text[1];
    year = text.substr(2, 2);
    text.remove_prefix(4);
  } else {
    return false;
  }
  text.remove_suffix(1);  // 'Z'
  if (!all_digits(year) || !all_digits(text) || text.size() != 10) return false;
  std::snprintf(out.data(), out.size(), "%c%c%.2s-%.2s-%.2s %.2s:%.2s:%.2s UTC", century[0], century[1],
                year.data(), text.data(), text.data() + 2, text.data() + 4, text.data() + 6, text.data() + 8);
  return true;
}

}  // namespace

bool parse_record_header(Bytes header, RecordHeader& out) {
  ByteReader r(header);
  out.type = r.u8();
  out.version = r.be16();
  out.length = r.be16();
  if (!r.ok()) return false;
  bool known_type = out.type >= content::kChangeCipherSpec && out.type <= content::kHeartbeat;
  bool known_version = (out.version >> 8) == 3 && (out.version & 0xff) <= 4;
  return known_type && known_version && out.length <= kMaxRecordLength;
}

ProbeResult probe(Direction dir, Bytes payload) {
  if (payload.size() < kRecordHeaderSize + 1) {
    // Reject early what can never become a handshake record.
    if (!payload.empty() && payload[0] != content::kHandshake) return ProbeResult::NoMatch;
    if (payload.size() >= 2 && payload[1] != 3) return ProbeResult::NoMatch;
    return ProbeResult::NeedMoreData;
  }
  RecordHeader header;
  if (!parse_record_header(payload.first(kRecordHeaderSize), header) || header.type != content::kHandshake ||
      header.length < kHandshakeHeaderSize) {
    return ProbeResult::NoMatch;
  }
  uint8_t wanted = dir == Direction::FromClient ? handshake::kClientHello : handshake::kServerHello;
  return payload[kRecordHeaderSize] == wanted ? ProbeResult::Match : ProbeResult::NoMatch;
}

Anomaly parse_client_hello(Bytes body, ClientHello& out) {
  out = {};
  ByteReader r(body);
  out.legacy_version = r.be16();
  r.skip(32);   // random
  vector8(r);   // session id
  out.cipher_suites = vector16(r);
  vector8(r);   // compression methods
  if (!r.ok() || out.cipher_suites.size() % 2 != 0 || out.cipher_suites.empty()) return Anomaly::MalformedClientHello;
  if (r.empty()) return Anomaly::None;  // no extensions (SSL 3.0 style)
  out.extensions = vector16(r);
  if (!r.ok() || !r.empty() || !valid_extension_block(out.extensions)) return Anomaly::MalformedClientHello;

  ExtensionWalker walker(out.extensions);
  uint16_t type = 0;
  Bytes data;
  while (walker.next(type, data)) {
    ByteReader e(data);
    switch (type) {
      case extension::kServerName: {
        out.has_server_name = true;
        ByteReader list(vector16(e));
        while (list.ok() && !list.empty()) {
          uint8_t name_type = list.u8();
          Bytes name = vector16(list);
          if (list.ok() && name_type == 0 && out.server_name.empty()) out.server_name = as_chars(name);
        }
        // An empty SNI extension is legal in a ServerHello only, but clients do send it.
        if (!e.ok() || !list.ok() || !e.empty()) return Anomaly::MalformedClientHello;
        break;
      }
      case extension::kAlpn: {
        ByteReader list(vector16(e));
        out.first_alpn = vector8(list);
        if (!e.ok() || !list.ok()) return Anomaly::MalformedClientHello;
        break;
      }
      case extension::kSupportedGroups:
        out.supported_groups = vector16(e);
        if (!e.ok() || out.supported_groups.size() % 2) return Anomaly::MalformedClientHello;
        break;
      case extension::kEcPointFormats:
        out.ec_point_formats = vector8(e);
        if (!e.ok()) return Anomaly::MalformedClientHello;
        break;
      case extension::kSignatureAlgorithms:
        out.signature_algorithms = vector16(e);
        if (!e.ok() || out.signature_algorithms.size() % 2) return Anomaly::MalformedClientHello;
        break;
      case extension::kSupportedVersions:
        out.supported_versions = vector8(e);
        if (!e.ok() || out.supported_versions.size() % 2) return Anomaly::MalformedClientHello;
        break;
      default:
        break;
    }
  }
  return Anomaly::None;
}

Anomaly parse_server_hello(Bytes body, ServerHello& out) {
  out = {};
  ByteReader r(body);
  out.legacy_version = r.be16();
  r.skip(32);  // random
  vector8(r);  // session id
  out.cipher_suite = r.be16();
  r.u8();      // compression method
  if (!r.ok()) return Anomaly::MalformedServerHello;
  out.selected_version = out.legacy_version;
  if (r.empty()) return Anomaly::None;
  out.extensions = vector16(r);
  if (!r.ok() || !r.empty() || !valid_extension_block(out.extensions)) return Anomaly::MalformedServerHello;
  ExtensionWalker walker(out.extensions);
  uint16_t type = 0;
  Bytes data;
  while (walker.next(type, data)) {
    if (type != extension::kSupportedVersions) continue;
    ByteReader e(data);
    out.selected_version = e.be16();
    if (!e.ok() || !e.empty()) return Anomaly::MalformedServerHello;
  }
  return Anomaly::None;
}

bool ExtensionWalker::next(uint16_t& type, Bytes& data) {
  if (reader_.empty()) return false;
  type = reader_.be16();
  data = vector16(reader_);
  return reader_.ok();
}

bool CertificateList::parse(Bytes body) {
  ByteReader r(body);
  Bytes list = r.bytes(r.be24());
  if (!r.ok() || !r.empty()) return false;
  ByteReader check(list);
  while (check.ok() && !check.empty()) check.bytes(check.be24());
  reader_ = ByteReader(list);
  return check.ok();
}

bool CertificateList::next(Bytes& der) {
  if (reader_.empty()) return false;
  der = reader_.bytes(reader_.be24());
  return reader_.ok();
}

bool parse_certificate(Bytes der, CertificateSummary& out) {
  out = {};
  ByteReader outer(der);
  Bytes certificate, tbs;
  if (!expect_tlv(outer, kDerSequence, certificate)) return false;
  ByteReader cert(certificate);
  if (!expect_tlv(cert, kDerSequence, tbs)) return false;
  ByteReader r(tbs);
  uint8_t tag = 0;
  Bytes value;
  if (!read_tlv(r, tag, value)) return false;
  if (tag == 0xa0 && !read_tlv(r, tag, value)) return false;  // [0] version, then serialNumber
  if (tag != 0x02) return false;
  Bytes signature, issuer, validity, subject;
  if (!expect_tlv(r, kDerSequence, signature) || !expect_tlv(r, kDerSequence, issuer) ||
      !expect_tlv(r, kDerSequence, validity) || !expect_tlv(r, kDerSequence, subject)) {
    return false;
  }
  if (!parse_name(issuer, out.issuer_cn, out.issuer_org) || !parse_name(subject, out.subject_cn, out.subject_org)) {
    return false;
  }
  ByteReader times(validity);
  Bytes not_before, not_after;
  uint8_t before_tag = 0, after_tag = 0;
  if (!read_tlv(times, before_tag, not_before) || !read_tlv(times, after_tag, not_after)) return false;
  if (!format_time(after_tag, not_after, out.not_after)) out.not_after[0] = '\0';
  return true;
}

bool looks_like_hostname(std::string_view name) {
  if (name.empty() || name.size() > kMaxServerNameLength || name.front() == '.' || name.front() == '-') return false;
  bool letter = false;
  char previous = '\0';
  for (char c : name) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool ok = alpha || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok || (c == '.' && previous == '.')) return false;
    letter |= alpha;
    previous = c;
  }
  return letter;
}

std::string_view alert_description_name(uint8_t description) {
  for (const auto& entry : kAlertNames) {
    if (entry.description == description) return entry.name;
  }
  return "unknown";
}

std::string_view version_name(uint16_t version) {
  for (const auto& entry : kVersionNames) {
    if (entry.version == version) return entry.name;
  }
  return "unknown";
}

}  // namespace ots::tls
