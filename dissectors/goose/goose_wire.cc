#include "dissectors/goose/goose_wire.h"

#include <array>

namespace ots::goose {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Anomaly::kCount)> kAnomalyNames = {
    "",
    "goose.invalid_ber",
    "goose.length_mismatch",
    "goose.missing_field",
    "goose.too_complex",
    "goose.stnum_regression",
    "goose.sqnum_regression",
};

constexpr uint8_t kGoosePduTag = 0x61;
constexpr uint8_t kClassMask = 0xC0, kContextClass = 0x80, kConstructed = 0x20, kTagNumberMask = 0x1F;
constexpr uint16_t kSimulationBit = 0x8000;

struct Tlv {
  uint8_t tag = 0;
  Bytes value;
};

// One BER TLV with the strict rules of this file's header.
Anomaly read_tlv(ByteReader& r, Tlv& out) {
  out.tag = r.u8();
  uint8_t first = r.u8();
  if (!r.ok()) return Anomaly::LengthMismatch;
  if ((out.tag & kTagNumberMask) == kTagNumberMask) return Anomaly::InvalidBer;
  size_t length = first;
  if (first & 0x80) {
    size_t count = first & 0x7F;
    if (count == 0 || count > 4) return Anomaly::InvalidBer;
    length = 0;
    for (size_t i = 0; i < count; ++i) length = length << 8 | r.u8();
    if (!r.ok()) return Anomaly::LengthMismatch;
  }
  out.value = r.bytes(length);
  return r.ok() ? Anomaly::None : Anomaly::LengthMismatch;
}

// INTEGER / Unsigned of at most 32 significant bits (a leading 0x00 allowed).
bool read_unsigned(Bytes value, uint32_t& out) {
  if (value.empty() || value.size() > 5 || (value.size() == 5 && value[0] != 0)) return false;
  uint64_t v = 0;
  for (uint8_t b : value) v = v << 8 | b;
  out = static_cast<uint32_t>(v);
  return true;
}

bool read_boolean(Bytes value, bool& out) {
  if (value.size() != 1) return false;
  out = value[0] != 0;
  return true;
}

// Walks a sequence of Data elements; counts the top-level ones.
Anomaly walk_data(Bytes data, size_t depth, size_t& elements, size_t* top_level) {
  if (depth > kMaxDataDepth) return Anomaly::TooComplex;
  ByteReader r(data);
  while (!r.empty()) {
    Tlv element;
    if (Anomaly a = read_tlv(r, element); a != Anomaly::None) return a;
    if ((element.tag & kClassMask) != kContextClass) return Anomaly::InvalidBer;
    if (++elements > kMaxDataElements) return Anomaly::TooComplex;
    if (top_level) ++*top_level;
    if (element.tag & kConstructed) {
      if (Anomaly a = walk_data(element.value, depth + 1, elements, nullptr); a != Anomaly::None) return a;
    }
  }
  return Anomaly::None;
}

Anomaly parse_field(const Tlv& field, GoosePdu& out) {
  bool ok = true;
  switch (field.tag) {
    case 0x80:
      out.gocb_ref = as_chars(field.value);
      out.has_gocb_ref = true;
      break;
    case 0x81: ok = read_unsigned(field.value, out.time_allowed_to_live); break;
    case 0x82: out.dat_set = as_chars(field.value); break;
    case 0x83: out.go_id = as_chars(field.value); break;
    case 0x84:
      ok = field.value.size() == 8;
      for (uint8_t b : field.value) out.t = out.t << 8 | b;
      break;
    case 0x85: ok = out.has_st_num = read_unsigned(field.value, out.st_num); break;
    case 0x86: ok = out.has_sq_num = read_unsigned(field.value, out.sq_num); break;
    case 0x87: ok = read_boolean(field.value, out.simulation); break;
    case 0x88: ok = read_unsigned(field.value, out.conf_rev); break;
    case 0x89: ok = read_boolean(field.value, out.nds_com); break;
    case 0x8A: ok = out.has_num_entries = read_unsigned(field.value, out.num_dat_set_entries); break;
    case 0xAB: {
      size_t elements = 0;
      return walk_data(field.value, 1, elements, &out.data_entries);
    }
    default:
      // Other context tags (later editions' extensions) are skipped; other classes are not GOOSE.
      ok = (field.tag & kClassMask) == kContextClass;
      break;
  }
  return ok ? Anomaly::None : Anomaly::InvalidBer;
}

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < kAnomalyNames.size() ? kAnomalyNames[index] : std::string_view{};
}

GoosePdu parse_goose(Bytes payload) {
  GoosePdu out;
  ByteReader header(payload);
  out.appid = header.be16();
  out.length = header.be16();
  out.simulation_bit = header.be16() & kSimulationBit;
  header.be16();  // Reserved2
  if (!header.ok() || out.length < kHeaderSize || out.length > payload.size()) {
    out.anomaly = Anomaly::LengthMismatch;
    return out;
  }
  ByteReader body(payload.subspan(kHeaderSize, out.length - kHeaderSize));
  Tlv pdu;
  out.anomaly = read_tlv(body, pdu);
  if (out.anomaly != Anomaly::None) return out;
  if (pdu.tag != kGoosePduTag) {
    out.anomaly = Anomaly::InvalidBer;
    return out;
  }
  ByteReader fields(pdu.value);
  while (!fields.empty()) {
    Tlv field;
    out.anomaly = read_tlv(fields, field);
    if (out.anomaly == Anomaly::None) out.anomaly = parse_field(field, out);
    if (out.anomaly != Anomaly::None) return out;
  }
  if (!out.has_gocb_ref || !out.has_st_num || !out.has_sq_num) {
    out.anomaly = Anomaly::MissingField;
  } else if (out.has_num_entries && out.num_dat_set_entries != out.data_entries) {
    out.anomaly = Anomaly::LengthMismatch;
  }
  return out;
}

ProbeResult probe(Bytes payload) {
  if (payload.size() < kHeaderSize + 2) return ProbeResult::NeedMoreData;
  uint16_t length = static_cast<uint16_t>(payload[2] << 8 | payload[3]);
  bool fits = length >= kHeaderSize + 2 && length <= payload.size();
  return fits && payload[kHeaderSize] == kGoosePduTag ? ProbeResult::Match : ProbeResult::NoMatch;
}

std::string_view logical_device(std::string_view gocb_ref) {
  size_t slash = gocb_ref.find('/');
  return slash == std::string_view::npos ? std::string_view{} : gocb_ref.substr(0, slash);
}

}  // namespace ots::goose
