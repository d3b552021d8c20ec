#include "dissectors/snmp/snmp_parser.h"

#include <charconv>

namespace ots::snmp {
namespace {

struct Tlv {
  uint8_t tag = 0;
  Bytes contents;
};

// One BER TLV: single-byte tags only (SNMP needs no others), definite lengths of up to 4 octets.
bool read_tlv(ByteReader& r, Tlv& out) {
  out.tag = r.u8();
  if ((out.tag & 0x1F) == 0x1F) return false;
  uint8_t first = r.u8();
  size_t length = first;
  if (first & 0x80) {
    size_t octets = first & 0x7F;
    if (octets == 0 || octets > 4) return false;  // indefinite form is not allowed in SNMP
    length = 0;
    for (size_t i = 0; i < octets; ++i) length = length << 8 | r.u8();
  }
  out.contents = r.bytes(length);
  return r.ok();
}

bool read_integer(ByteReader& r, int64_t& value) {
  Tlv tlv;
  if (!read_tlv(r, tlv) || tlv.tag != tag::kInteger || tlv.contents.empty() || tlv.contents.size() > 8) return false;
  uint64_t v = (tlv.contents[0] & 0x80) ? ~uint64_t{0} : 0;
  for (uint8_t b : tlv.contents) v = v << 8 | b;
  value = static_cast<int64_t>(v);
  return true;
}

}  // namespace

const PduType* pdu_type(uint8_t code) {
  for (const auto& p : kPduTypes) {
    if (p.code == code) return &p;
  }
  return nullptr;
}

bool decode_oid(Bytes contents, Oid& out) {
  out.length = 0;
  if (contents.empty()) return false;
  char digits[24];
  auto append = [&](uint64_t v) {
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    size_t n = size_t(end - digits) + (out.length ? 1 : 0);
    if (out.length + n > out.text.size()) return;  // cut, still well formed
    if (out.length) out.text[out.length++] = '.';
    for (char* p = digits; p != end; ++p) out.text[out.length++] = *p;
  };
  uint64_t value = 0;
  size_t digits_in_value = 0;
  bool first = true;
  for (uint8_t b : contents) {
    if (digits_in_value == 0 && b == 0x80) return false;  // non-minimal encoding
    if (++digits_in_value > 9) return false;              // > 63 bits
    value = value << 7 | (b & 0x7F);
    if (b & 0x80) continue;
    if (first) {
      uint64_t x = value < 80 ? value / 40 : 2;
      append(x);
      append(value - 40 * x);
      first = false;
    } else {
      append(value);
    }
    value = 0;
    digits_in_value = 0;
  }
  return digits_in_value == 0;
}

Anomaly parse(Bytes datagram, Message& out, VarbindVisitor* visitor, Varbind& scratch) {
  ByteReader outer(datagram);
  Tlv message;
  if (!read_tlv(outer, message) || message.tag != tag::kSequence) return Anomaly::BadBer;
  ByteReader r(message.contents);
  int64_t version = 0;
  if (!read_integer(r, version)) return Anomaly::BadBer;
  if (version != kVersion1 && version != kVersion2c && version != kVersion3) return Anomaly::UnknownVersion;
  out.version = uint32_t(version);
  if (version == kVersion3) {
    Tlv global_data, security, data;
    if (!read_tlv(r, global_data) || global_data.tag != tag::kSequence || !read_tlv(r, security) ||
        security.tag != tag::kOctetString || !read_tlv(r, data)) {
      return Anomaly::BadBer;
    }
    return Anomaly::None;
  }
  Tlv community, pdu;
  if (!read_tlv(r, community) || community.tag != tag::kOctetString || !read_tlv(r, pdu)) return Anomaly::BadBer;
  out.community = as_chars(community.contents);
  if ((pdu.tag & 0xF0) != tag::kPduBase || !pdu_type(pdu.tag & 0x0F)) return Anomaly::UnknownPdu;
  out.pdu_type = pdu.tag & 0x0F;
  ByteReader p(pdu.contents);
  if (out.pdu_type == kPduTrapV1) {
    Tlv enterprise, agent;
    int64_t generic = 0, specific = 0;
    if (!read_tlv(p, enterprise) || enterprise.tag != tag::kOid || !read_tlv(p, agent) ||
        !read_integer(p, generic) || !read_integer(p, specific) || !read_tlv(p, agent)) {
      return Anomaly::BadBer;
    }
  } else {
    int64_t error_index = 0;
    if (!read_integer(p, out.request_id) || !read_integer(p, out.error_status) || !read_integer(p, error_index)) {
      return Anomaly::BadBer;
    }
  }
  Tlv list;
  if (!read_tlv(p, list) || list.tag != tag::kSequence) return Anomaly::BadBer;
  ByteReader v(list.contents);
  while (!v.empty()) {
    if (out.varbind_count == kMaxVarbinds) return Anomaly::TooManyVarbinds;
    Tlv varbind, name, value;
    if (!read_tlv(v, varbind) || varbind.tag != tag::kSequence) return Anomaly::BadBer;
    ByteReader vb(varbind.contents);
    if (!read_tlv(vb, name) || name.tag != tag::kOid || !read_tlv(vb, value) || !vb.empty()) return Anomaly::BadBer;
    if (!decode_oid(name.contents, scratch.name)) return Anomaly::BadBer;
    scratch.value_tag = value.tag;
    scratch.value = value.contents;
    ++out.varbind_count;
    if (visitor) visitor->varbind(scratch);
  }
  return Anomaly::None;
}

}  // namespace ots::snmp
