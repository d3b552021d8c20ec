#include "dissectors/fins/fins_parser.h"

#include <iterator>

namespace ots::fins {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "", "fins.invalid_header", "fins.truncated", "fins.invalid_tcp_header", "fins.tcp_error", "fins.truncated_message",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

// FINS commands (Omron W342 §5, W421 §6).
constexpr CommandInfo kCommands[] = {
    {0x0101, "Memory Area Read", false},
    {0x0102, "Memory Area Write", true},
    {0x0103, "Memory Area Fill", true},
    {0x0104, "Multiple Memory Area Read", false},
    {0x0105, "Memory Area Transfer", true},
    {0x0201, "Parameter Area Read", false},
    {0x0202, "Parameter Area Write", true},
    {0x0203, "Parameter Area Clear", true},
    {0x0304, "Program Area Protect", true},
    {0x0305, "Program Area Protect Clear", true},
    {0x0306, "Program Area Read", false},
    {0x0307, "Program Area Write", true},
    {0x0308, "Program Area Clear", true},
    {0x0401, "Run", true},
    {0x0402, "Stop", true},
    {0x0501, "Controller Data Read", false},
    {0x0502, "Connection Data Read", false},
    {0x0601, "Controller Status Read", false},
    {0x0620, "Cycle Time Read", false},
    {0x0701, "Clock Read", false},
    {0x0702, "Clock Write", true},
    {0x0920, "Message Read / Clear", false},
    {0x0C01, "Access Right Acquire", false},
    {0x0C02, "Access Right Forced Acquire", false},
    {0x0C03, "Access Right Release", false},
    {0x2101, "Error Clear", true},
    {0x2102, "Error Log Read", false},
    {0x2103, "Error Log Clear", true},
    {0x2140, "FINS Write Access Log Read", false},
    {0x2141, "FINS Write Access Log Clear", true},
    {0x2201, "File Name Read", false},
    {0x2202, "Single File Read", false},
    {0x2203, "Single File Write", true},
    {0x2204, "File Memory Format", true},
    {0x2205, "File Delete", true},
    {0x2207, "File Copy", true},
    {0x2208, "File Name Change", true},
    {0x220A, "Memory Area File Transfer", true},
    {0x220B, "Parameter Area File Transfer", true},
    {0x220C, "Program Area File Transfer", true},
    {0x220F, "File Memory Index Read", false},
    {0x2210, "File Memory Read", false},
    {0x2211, "File Memory Write", true},
    {0x2206, "Volume Label Create / Delete", true},
    {0x2209, "File Data Check", false},
    {0x2215, "Create / Delete Directory", true},
    {0x2301, "Forced Set / Reset", true},
    {0x2302, "Forced Set / Reset Cancel", true},
    {0x2601, "Name Set", true},
    {0x2602, "Name Delete", true},
    {0x2603, "Name Read", false},
};

constexpr uint8_t kIcfGateway = 0x80, kIcfResponse = 0x40, kIcfNoResponse = 0x01;
constexpr uint8_t kMaxGatewayCount = 7;
constexpr uint32_t kMaxTcpCommand = 6;

// Area code, word address, bit: the 4-byte memory address of W342 §5.
void read_address(ByteReader& reader, Frame& out) {
  out.area = reader.u8();
  uint32_t word = reader.be16();
  uint32_t bit = reader.u8();
  out.address = word << 8 | bit;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return text;
}

bool parse_command_data(Frame& out) {
  ByteReader reader(out.data);
  switch (out.command) {
    case 0x0101:
    case 0x0102:
    case 0x0103:
      read_address(reader, out);
      out.quantity = reader.be16();
      break;
    case 0x0105:  // source address, destination address, count
      read_address(reader, out);
      reader.skip(4);
      out.quantity = reader.be16();
      break;
    default:
      return true;
  }
  out.has_range = reader.ok();
  return reader.ok();
}

bool parse_response_data(Frame& out) {
  if (out.command != 0x0501 || is_error_end_code(out.end_code)) return true;
  ByteReader reader(out.data);
  out.model = trimmed(reader.chars(kModelSize));
  out.version = trimmed(reader.chars(kVersionSize));
  return reader.ok();
}

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < std::size(kAnomalyNames) ? kAnomalyNames[index] : std::string_view{};
}

const CommandInfo* find_command(uint16_t code) {
  for (const CommandInfo& info : kCommands) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

bool is_error_end_code(uint16_t end_code) {
  // MRES bit 7: relay error flag; SRES bit 7 / 6: fatal / non-fatal CPU error flags.
  return (end_code & 0x7F3F) != 0;
}

Frame parse_frame(Bytes frame) {
  Frame out;
  ByteReader reader(frame);
  out.icf = reader.u8();
  uint8_t reserved = reader.u8();
  out.gct = reader.u8();
  out.dna = reader.u8();
  out.da1 = reader.u8();
  out.da2 = reader.u8();
  out.sna = reader.u8();
  out.sa1 = reader.u8();
  out.sa2 = reader.u8();
  out.sid = reader.u8();
  out.command = reader.be16();
  if (!reader.ok()) {
    out.anomaly = Anomaly::Truncated;
    return out;
  }
  if ((out.icf & ~(kIcfGateway | kIcfResponse | kIcfNoResponse)) != 0 || (out.icf & kIcfGateway) == 0 ||
      reserved != 0 || out.gct > kMaxGatewayCount) {
    out.anomaly = Anomaly::InvalidHeader;
    return out;
  }
  out.is_response = (out.icf & kIcfResponse) != 0;
  out.response_required = (out.icf & kIcfNoResponse) == 0;
  if (out.is_response) {
    out.end_code = reader.be16();
    if (!reader.ok()) {
      out.anomaly = Anomaly::Truncated;
      return out;
    }
  }
  out.data = reader.rest();
  bool complete = out.is_response ? parse_response_data(out) : parse_command_data(out);
  if (!complete) out.anomaly = Anomaly::Truncated;
  return out;
}

TcpHeaderResult parse_tcp_header(Bytes stream) {
  TcpHeaderResult result;
  constexpr std::string_view kMagic = "FINS";
  for (size_t i = 0; i < kMagic.size() && i < stream.size(); ++i) {
    if (stream[i] != uint8_t(kMagic[i])) {
      result.status = TcpStatus::Invalid;
      return result;
    }
  }
  if (stream.size() < kTcpHeaderSize) return result;
  ByteReader reader(stream.subspan(kMagic.size()));
  TcpHeader& header = result.header;
  header.length = reader.be32();
  header.command = reader.be32();
  header.error_code = reader.be32();
  bool valid = header.length >= 8 && header.message_size() <= kMaxTcpMessageSize && header.command <= kMaxTcpCommand;
  result.status = valid ? TcpStatus::Ok : TcpStatus::Invalid;
  return result;
}

ProbeResult probe(Bytes payload) {
  if (payload.empty()) return ProbeResult::NeedMoreData;
  if (payload[0] == 'F') {
    TcpHeaderResult tcp = parse_tcp_header(payload);
    if (tcp.status == TcpStatus::Ok) return ProbeResult::Match;
    if (tcp.status == TcpStatus::NeedMoreData) return ProbeResult::NeedMoreData;
    return ProbeResult::NoMatch;
  }
  if (payload.size() < kCommandFrameMin) return ProbeResult::NeedMoreData;
  Frame frame = parse_frame(payload);
  if (frame.anomaly == Anomaly::InvalidHeader) return ProbeResult::NoMatch;
  return find_command(frame.command) != nullptr ? ProbeResult::Match : ProbeResult::NoMatch;
}

}  // namespace ots::fins
