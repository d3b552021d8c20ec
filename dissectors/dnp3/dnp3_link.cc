// DNP3 data link and transport layers (IEEE 1815-2012 clauses 9 and 8) and the anomaly names.
#include <algorithm>
#include <array>
#include <cstring>

#include "dissectors/dnp3/dnp3_parser.h"

namespace ots::dnp3 {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "",
    "dnp3.bad_link_crc",
    "dnp3.bad_block_crc",
    "dnp3.invalid_length",
    "dnp3.invalid_start",
    "dnp3.reassembly_overflow",
    "dnp3.transport_sequence_error",
    "dnp3.invalid_function_code",
    "dnp3.reserved_iin_set",
    "dnp3.invalid_qualifier",
    "dnp3.unknown_object",
    "dnp3.truncated_object",
    "dnp3.too_many_objects",
    "dnp3.unmatched_response",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

// CRC-16/DNP: polynomial x^16+x^13+x^12+x^11+x^10+x^8+x^6+x^5+x^2+1 (0x3D65), processed
// least-significant bit first, so the tables are built from the reflected polynomial.
// Slicing-by-8: kCrcTables[k][b] is the CRC of byte b followed by k zero bytes, so eight
// input bytes fold into the register with eight independent look-ups instead of a chain of
// eight dependent ones (every link frame checks up to 18 blocks of 16 bytes).
constexpr uint16_t kReflectedPolynomial = 0xA6BC;
constexpr size_t kSlice = 8;
constexpr auto kCrcTables = [] {
  std::array<std::array<uint16_t, 256>, kSlice> tables{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    uint16_t crc = static_cast<uint16_t>(byte);
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 1) ? static_cast<uint16_t>((crc >> 1) ^ kReflectedPolynomial) : crc >> 1;
    tables[0][byte] = crc;
  }
  for (size_t k = 1; k < kSlice; ++k) {
    for (unsigned byte = 0; byte < 256; ++byte) {
      uint16_t previous = tables[k - 1][byte];
      tables[k][byte] = static_cast<uint16_t>((previous >> 8) ^ tables[0][previous & 0xFF]);
    }
  }
  return tables;
}();

// Link function codes (clause 9.2.4.1.3). Primary codes 1 (Reset User Process) and 14 / 15 on
// the secondary side are obsolete but still sent by old stacks.
struct LinkFunction {
  bool primary;
  uint8_t code;
  std::string_view name;
  bool carries_user_data;
};
constexpr LinkFunction kLinkFunctions[] = {
    {true, 0, "Reset Link States", false},
    {true, 1, "Reset User Process", false},
    {true, 2, "Test Link States", false},
    {true, kLinkConfirmedUserData, "Confirmed User Data", true},
    {true, kLinkUnconfirmedUserData, "Unconfirmed User Data", true},
    {true, 9, "Request Link Status", false},
    {false, 0, "ACK", false},
    {false, 1, "NACK", false},
    {false, 11, "Link Status", false},
    {false, 14, "Link Service Not Functioning", false},
    {false, 15, "Link Service Not Used", false},
};

const LinkFunction* find_link_function(bool primary, uint8_t code) {
  for (const LinkFunction& f : kLinkFunctions) {
    if (f.primary == primary && f.code == code) return &f;
  }
  return nullptr;
}

uint16_t stored_crc(Bytes two) { return static_cast<uint16_t>(two[0] | two[1] << 8); }

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < std::size(kAnomalyNames) ? kAnomalyNames[index] : std::string_view{};
}

uint16_t crc16(Bytes data) {
  const auto& t = kCrcTables;
  uint32_t crc = 0;
  size_t i = 0;
  for (; i + kSlice <= data.size(); i += kSlice) {
    // The 16-bit register folds into the first two bytes of the slice (reflected CRC).
    const uint8_t* p = data.data() + i;
    uint32_t lo = crc ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8);
    crc = t[7][lo & 0xFF] ^ t[6][lo >> 8] ^ t[5][p[2]] ^ t[4][p[3]] ^ t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^
          t[0][p[7]];
  }
  for (; i < data.size(); ++i) crc = (crc >> 8) ^ t[0][(crc ^ data[i]) & 0xFF];
  return static_cast<uint16_t>(~crc);
}

LinkControl decode_link_control(uint8_t control) {
  return {.dir = (control & 0x80) != 0,
          .prm = (control & 0x40) != 0,
          .fcb = (control & 0x20) != 0,
          .fcv = (control & 0x10) != 0,
          .function = static_cast<uint8_t>(control & 0x0F)};
}

size_t LinkHeader::frame_size() const {
  size_t data = user_data_size();
  return kLinkHeaderSize + data + 2 * ((data + kBlockSize - 1) / kBlockSize);
}

LinkHeaderResult parse_link_header(Bytes stream) {
  LinkHeaderResult result;
  ByteReader r(stream);
  uint8_t start1 = r.u8();
  uint8_t start2 = r.u8();
  if (r.ok() && (start1 != kStart1 || start2 != kStart2)) {
    result.status = LinkStatus::Malformed;
    result.anomaly = Anomaly::InvalidStart;
    return result;
  }
  if (!r.ok() && !stream.empty() && stream[0] != kStart1) {
    result.status = LinkStatus::Malformed;
    result.anomaly = Anomaly::InvalidStart;
    return result;
  }
  result.header.length = r.u8();
  result.header.control = decode_link_control(r.u8());
  result.header.destination = r.le16();
  result.header.source = r.le16();
  Bytes crc = r.bytes(2);
  if (!r.ok()) return result;  // NeedMoreData
  if (result.header.length < kMinLinkLength) {
    result.status = LinkStatus::Malformed;
    result.anomaly = Anomaly::InvalidLength;
    return result;
  }
  if (crc16(stream.first(kLinkHeaderSize - 2)) != stored_crc(crc)) {
    result.status = LinkStatus::Malformed;
    result.anomaly = Anomaly::BadLinkCrc;
    return result;
  }
  result.status = LinkStatus::Ok;
  return result;
}

Anomaly check_link_header(const LinkHeader& header) {
  const LinkFunction* function = find_link_function(header.control.prm, header.control.function);
  if (!function) return Anomaly::InvalidFunctionCode;
  // User data needs at least the transport octet; other functions carry none.
  bool has_data = header.length > kMinLinkLength;
  if (has_data != function->carries_user_data) return Anomaly::InvalidLength;
  return Anomaly::None;
}

ProbeResult probe_link_header(Bytes stream) {
  LinkHeaderResult result = parse_link_header(stream);
  if (result.status == LinkStatus::NeedMoreData) {
    // Reject early on what is already visible: the start octets and LEN.
    if (stream.size() >= 2 && stream[1] != kStart2) return ProbeResult::NoMatch;
    if (stream.size() >= 3 && stream[2] < kMinLinkLength) return ProbeResult::NoMatch;
    return ProbeResult::NeedMoreData;
  }
  if (result.status != LinkStatus::Ok) return ProbeResult::NoMatch;
  return find_link_function(result.header.control.prm, result.header.control.function) ? ProbeResult::Match
                                                                                       : ProbeResult::NoMatch;
}

Anomaly extract_user_data(const LinkHeader& header, Bytes frame, uint8_t* out) {
  size_t at = kLinkHeaderSize;
  size_t left = header.user_data_size();
  while (left > 0) {
    size_t block = std::min(left, kBlockSize);
    // Callers pass whole frames; never trust it blindly.
    if (frame.size() < at + block + 2) return Anomaly::InvalidLength;
    Bytes data = frame.subspan(at, block);
    if (crc16(data) != stored_crc(frame.subspan(at + block, 2))) return Anomaly::BadBlockCrc;
    std::memcpy(out, data.data(), block);
    out += block;
    at += block + 2;
    left -= block;
  }
  return Anomaly::None;
}

std::string_view link_function_name(bool primary, uint8_t function) {
  const LinkFunction* f = find_link_function(primary, function);
  return f ? f->name : std::string_view{};
}

TransportHeader decode_transport_header(uint8_t octet) {
  return {
      .fin = (octet & 0x80) != 0, .fir = (octet & 0x40) != 0, .sequence = static_cast<uint8_t>(octet & 0x3F)};
}

}  // namespace ots::dnp3
