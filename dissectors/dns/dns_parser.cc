#include "dissectors/dns/dns_parser.h"

namespace ots::dns {

bool read_header(Bytes message, Header& h) {
  ByteReader r(message);
  h.id = r.be16();
  h.flags = r.be16();
  h.qdcount = r.be16();
  h.ancount = r.be16();
  h.nscount = r.be16();
  h.arcount = r.be16();
  return r.ok();
}

bool plausible_header(const Header& h) {
  uint8_t op = h.opcode();
  bool known_opcode = op <= opcode::kStatus || op == opcode::kNotify || op == opcode::kUpdate;
  size_t total = size_t(h.qdcount) + h.ancount + h.nscount + h.arcount;
  return known_opcode && total > 0 && total <= kMaxRecords && (h.response() || h.qdcount > 0 || op == opcode::kUpdate);
}

bool is_netbios_encoded(std::string_view name) {
  if (name.size() < 32 || (name.size() > 32 && name[32] != '.')) return false;
  for (size_t i = 0; i < 32; ++i) {
    if (name[i] < 'A' || name[i] > 'P') return false;
  }
  return true;
}

Anomaly read_name(Bytes message, size_t& offset, Name& out) {
  out.length = 0;
  size_t position = offset;
  size_t jumps = 0;
  bool jumped = false;
  for (;;) {
    if (position >= message.size()) return Anomaly::TruncatedRecord;
    uint8_t length = message[position];
    if ((length & 0xC0) == 0xC0) {
      if (position + 1 >= message.size()) return Anomaly::TruncatedRecord;
      size_t target = size_t(length & 0x3F) << 8 | message[position + 1];
      if (!jumped) offset = position + 2;
      jumped = true;
      // Strictly backwards and bounded: no loop can form.
      if (target >= position || ++jumps > kMaxPointerJumps) return Anomaly::PointerLoop;
      position = target;
      continue;
    }
    if (length & 0xC0) return Anomaly::BadName;  // 0x40 / 0x80: obsolete or reserved label types
    if (length == 0) {
      if (!jumped) offset = position + 1;
      return Anomaly::None;
    }
    if (position + 1 + length > message.size()) return Anomaly::TruncatedRecord;
    size_t needed = out.length + (out.length ? 1 : 0) + length;
    if (needed > kMaxNameLength) return Anomaly::BadName;
    if (out.length) out.text[out.length++] = '.';
    for (size_t i = 0; i < length; ++i) out.text[out.length++] = char(message[position + 1 + i]);
    position += 1 + length;
  }
}

namespace {

Anomaly decode_rdata(Bytes message, size_t rdata_offset, Record& rec) {
  ByteReader r(rec.rdata);
  switch (rec.type) {
    case rrtype::kA:
      if (rec.rdata.size() != 4) return Anomaly::BadRdata;
      rec.address = IpAddr::v4(rec.rdata.data());
      rec.has_address = true;
      return Anomaly::None;
    case rrtype::kAaaa:
      if (rec.rdata.size() != 16) return Anomaly::BadRdata;
      rec.address = IpAddr::v6(rec.rdata.data());
      rec.has_address = true;
      return Anomaly::None;
    case rrtype::kCname:
    case rrtype::kNs:
    case rrtype::kPtr: {
      size_t at = rdata_offset;
      if (read_name(message.first(rdata_offset + rec.rdata.size()), at, rec.target) != Anomaly::None) {
        return Anomaly::BadRdata;
      }
      rec.has_target = true;
      return Anomaly::None;
    }
    default: return Anomaly::None;
  }
}

}  // namespace

Anomaly parse(Bytes message, Header& h, Visitor* visitor, Record& rec, Dialect dialect) {
  if (!read_header(message, h)) return Anomaly::TruncatedHeader;
  size_t total = size_t(h.qdcount) + h.ancount + h.nscount + h.arcount;
  if (total > kMaxRecords) return Anomaly::TooManyRecords;
  size_t offset = kHeaderSize;
  const size_t counts[] = {h.qdcount, h.ancount, h.nscount, h.arcount};
  for (size_t s = 0; s < 4; ++s) {
    for (size_t i = 0; i < counts[s]; ++i) {
      rec.section = Section(s);
      rec.has_address = rec.has_target = false;
      rec.rdata = {};
      rec.ttl = 0;
      rec.port = 0;
      if (Anomaly a = read_name(message, offset, rec.name); a != Anomaly::None) return a;
      ByteReader r(message.subspan(offset));
      rec.type = r.be16();
      rec.rclass = r.be16();
      if (s > 0) {
        rec.ttl = r.be32();
        uint16_t rdlength = r.be16();
        size_t rdata_offset = offset + r.offset();
        rec.rdata = r.bytes(rdlength);
        if (!r.ok()) return Anomaly::TruncatedRecord;
        if (rec.type == rrtype::kSrv && dialect == Dialect::Dns && rdlength >= 7) {
          ByteReader srv(rec.rdata);
          srv.skip(4);  // priority, weight
          rec.port = srv.be16();
          size_t at = rdata_offset + 6;
          if (read_name(message.first(rdata_offset + rdlength), at, rec.target) != Anomaly::None) {
            return Anomaly::BadRdata;
          }
          rec.has_target = true;
        } else if (Anomaly a = decode_rdata(message, rdata_offset, rec); a != Anomaly::None) {
          return a;
        }
      }
      if (!r.ok()) return Anomaly::TruncatedRecord;
      offset += r.offset();
      if (visitor) visitor->record(rec);
    }
  }
  return Anomaly::None;
}

}  // namespace ots::dns
