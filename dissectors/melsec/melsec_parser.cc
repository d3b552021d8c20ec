#include "dissectors/melsec/melsec_parser.h"

#include <algorithm>
#include <iterator>

namespace ots::melsec {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "melsec.none", "melsec.invalid_header", "melsec.invalid_length", "melsec.truncated", "melsec.truncated_message",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

// MC protocol commands (SH-080008 chapter 3 / SLMP command list).
constexpr CommandInfo kMcCommands[] = {
    {0x0101, "Read CPU model name", false},
    {0x0401, "Batch read", false},
    {0x0403, "Random read", false},
    {0x0406, "Batch read multiple blocks", false},
    {0x0601, "Read intelligent module buffer memory", false},
    {0x0613, "Read buffer memory", false},
    {0x0619, "Loopback test", false},
    {0x0801, "Register monitor devices", false},
    {0x0802, "Execute monitor", false},
    {0x1001, "Remote RUN", true},
    {0x1002, "Remote STOP", true},
    {0x1003, "Remote PAUSE", true},
    {0x1005, "Remote latch clear", true},
    {0x1006, "Remote RESET", true},
    {0x1401, "Batch write", true},
    {0x1402, "Random write", true},
    {0x1406, "Batch write multiple blocks", true},
    {0x1601, "Write intelligent module buffer memory", true},
    {0x1613, "Write buffer memory", true},
    {0x1617, "Clear error", true},
    {0x1630, "Remote password unlock", false},
    {0x1631, "Remote password lock", false},
    {0x1810, "Read directory / file information", false},
    {0x1811, "Search directory / file", false},
    {0x1820, "Create new file", true},
    {0x1822, "Delete file", true},
    {0x1823, "Copy file", true},
    {0x1824, "Change file attribute", true},
    {0x1825, "Change file date", true},
    {0x1827, "Open file", false},
    {0x1828, "Read file", false},
    {0x1829, "Write file", true},
    {0x182A, "Close file", false},
};

// MELSOFT commands whose meaning the public captures show (the response carries the model name).
constexpr CommandInfo kMelsoftCommands[] = {
    {0x0121, "Read CPU model", false},
};

struct DeviceCode {
  uint16_t code;
  std::string_view name;
};
// Binary device codes of the MC protocol (SH-080008 table 3.4).
constexpr DeviceCode kDevices[] = {
    {0x90, "M"},  {0x91, "SM"}, {0x92, "L"},  {0x93, "F"},  {0x94, "V"},  {0x98, "S"},  {0x9C, "X"},
    {0x9D, "Y"},  {0xA0, "B"},  {0xA1, "SB"}, {0xA2, "DX"}, {0xA3, "DY"}, {0xA8, "D"},  {0xA9, "SD"},
    {0xAF, "R"},  {0xB0, "ZR"}, {0xB4, "W"},  {0xB5, "SW"}, {0xC0, "TC"}, {0xC1, "TS"}, {0xC2, "TN"},
    {0xC3, "CC"}, {0xC4, "CS"}, {0xC5, "CN"}, {0xC6, "SC"}, {0xC7, "SS"}, {0xC8, "SN"}, {0xCC, "Z"},
};

template <size_t N>
const CommandInfo* find_in(const CommandInfo (&table)[N], uint16_t command) {
  for (const auto& c : table) {
    if (c.code == command) return &c;
  }
  return nullptr;
}

bool is_mc_subheader(uint8_t b0, uint8_t b1) { return b1 == 0 && (b0 == 0x50 || b0 == 0xD0 || b0 == 0x54 || b0 == 0xD4); }
bool is_melsoft(Bytes b) { return b.size() >= 7 && (b[0] == 0x57 || b[0] == 0xD7) && b[1] <= 1 && b[5] == 0x11 && b[6] == 0x11; }

std::string_view trim(std::string_view text) {
  size_t end = text.find('\0');
  if (end != std::string_view::npos) text = text.substr(0, end);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// One device specification: Q/L format (subcommand bit 1 clear: 3-byte number, 1-byte code) or
// iQ-R format (4-byte number, 2-byte code).
bool read_device(ByteReader& r, uint16_t subcommand, uint32_t& number, std::string_view& device) {
  bool iqr = (subcommand & 0x0002) != 0;
  number = iqr ? r.le32() : r.le24();
  uint16_t code = iqr ? r.le16() : r.u8();
  device = device_name(code);
  return r.ok();
}

void parse_range(Frame& f, bool complete) {
  ByteReader r(f.data);
  bool ok = true;
  switch (f.command) {
    case 0x0401:
    case 0x1401:
      ok = read_device(r, f.subcommand, f.address, f.device);
      f.quantity = r.le16();
      break;
    case 0x0403: {  // word access points, double-word access points, then device specifications
      uint8_t words = r.u8(), dwords = r.u8();
      f.quantity = uint32_t{words} + dwords;
      ok = f.quantity == 0 || read_device(r, f.subcommand, f.address, f.device);
      break;
    }
    case 0x1402: {  // bit units: point count; word units: word and double-word point counts
      bool bits = (f.subcommand & 0x0001) != 0;
      f.quantity = r.u8();
      if (!bits) f.quantity += r.u8();
      ok = f.quantity == 0 || read_device(r, f.subcommand, f.address, f.device);
      break;
    }
    default:
      return;
  }
  ok = ok && r.ok();
  f.has_range = ok && f.quantity > 0;
  if (!ok && complete) f.anomaly = Anomaly::Truncated;
}

Frame parse_mc(Bytes bytes, bool complete) {
  Frame f;
  ByteReader r(bytes);
  uint8_t subheader = r.u8();
  r.u8();
  f.is_4e = subheader == 0x54 || subheader == 0xD4;
  bool response = subheader == 0xD0 || subheader == 0xD4;
  f.kind = response ? FrameKind::McResponse : FrameKind::McRequest;
  if (f.is_4e) {
    f.serial = r.le16();
    r.le16();  // reserved
  }
  f.network = r.u8();
  f.pc = r.u8();
  f.module_io = r.le16();
  f.station = r.u8();
  uint16_t length = r.le16();
  if (!r.ok()) {
    f.anomaly = Anomaly::InvalidHeader;
    return f;
  }
  if (length < (response ? 2 : 6) || length > kMaxMcDataLength || (complete && r.remaining() != length)) {
    f.anomaly = Anomaly::InvalidLength;
    return f;
  }
  if (response) {
    f.end_code = r.le16();
  } else {
    r.le16();  // monitoring timer
    f.command = r.le16();
    f.subcommand = r.le16();
  }
  f.data = r.rest();
  if (!response) parse_range(f, complete);
  return f;
}

Frame parse_melsoft(Bytes bytes, bool complete) {
  Frame f;
  bool response = bytes[0] == 0xD7;
  f.kind = response ? FrameKind::MelsoftResponse : FrameKind::MelsoftRequest;
  ByteReader r(bytes);
  r.skip(19);
  uint16_t length = r.le16();
  if (!r.ok() || (complete && r.remaining() != length)) {
    f.anomaly = Anomaly::InvalidLength;
    return f;
  }
  r.skip(kMelsoftCommandOffset - kMelsoftHeaderSize);
  if (response) f.end_code = r.be16();
  f.command = r.be16();
  r.le32();  // sequence number
  if (!r.ok()) {
    f.anomaly = Anomaly::Truncated;
    return f;
  }
  f.data = r.rest();
  if (response && f.end_code == 0 && f.command == 0x0121) {
    ByteReader model(f.data);
    f.model = trim(model.chars(kModelNameSize));
  }
  return f;
}

}  // namespace

std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }
const CommandInfo* find_mc_command(uint16_t command) { return find_in(kMcCommands, command); }
const CommandInfo* find_melsoft_command(uint16_t command) { return find_in(kMelsoftCommands, command); }

std::string_view device_name(uint16_t device_code) {
  for (const auto& d : kDevices) {
    if (d.code == device_code) return d.name;
  }
  return {};
}

FrameSize frame_size(Bytes stream) {
  FrameSize out;
  if (stream.size() < 2) return out;
  if (is_mc_subheader(stream[0], stream[1])) {
    bool is_4e = stream[0] == 0x54 || stream[0] == 0xD4;
    size_t header = is_4e ? kMc4eHeaderSize : kMc3eHeaderSize;
    if (stream.size() < header) return out;
    if (is_4e && (stream[4] != 0 || stream[5] != 0)) {
      out.status = FrameStatus::Invalid;
      out.anomaly = Anomaly::InvalidHeader;
      return out;
    }
    size_t length = size_t{stream[header - 2]} | size_t{stream[header - 1]} << 8;
    bool response = stream[0] == 0xD0 || stream[0] == 0xD4;
    if (length < (response ? 2u : 6u) || length > kMaxMcDataLength) {
      out.status = FrameStatus::Invalid;
      out.anomaly = Anomaly::InvalidLength;
      return out;
    }
    out.status = FrameStatus::Ok;
    out.size = header + length;
    return out;
  }
  if (stream.size() < 7) return out;
  if (is_melsoft(stream)) {
    if (stream.size() < kMelsoftHeaderSize) return out;
    out.status = FrameStatus::Ok;
    out.size = kMelsoftHeaderSize + (size_t{stream[19]} | size_t{stream[20]} << 8);
    return out;
  }
  out.status = FrameStatus::Invalid;
  out.anomaly = Anomaly::InvalidHeader;
  return out;
}

Frame parse_frame(Bytes frame, bool complete) {
  if (frame.size() >= 2 && is_mc_subheader(frame[0], frame[1])) return parse_mc(frame, complete);
  if (is_melsoft(frame)) {
    if (frame.size() < kMelsoftHeaderSize) {
      Frame f;
      f.anomaly = Anomaly::InvalidHeader;
      return f;
    }
    return parse_melsoft(frame, complete);
  }
  Frame f;
  if (frame.size() >= 4 && (frame[0] == 0x5A || frame[0] == 0xDA) && frame[1] == 0 && frame[2] == 0) {
    f.kind = FrameKind::Discovery;
    return f;
  }
  f.anomaly = Anomaly::InvalidHeader;
  return f;
}

std::string_view cpu_model_name(Bytes response_data) {
  ByteReader r(response_data);
  std::string_view name = r.chars(kModelNameSize);
  return r.ok() ? trim(name) : std::string_view{};
}

ProbeResult probe(Bytes payload) {
  if (payload.size() == 4 && payload[0] == 0x5A && payload[1] == 0 && payload[2] == 0) return ProbeResult::Match;
  FrameSize size = frame_size(payload);
  if (size.status == FrameStatus::NeedMoreData) return ProbeResult::NeedMoreData;
  if (size.status == FrameStatus::Invalid) return ProbeResult::NoMatch;
  if (is_melsoft(payload)) return ProbeResult::Match;
  // MC: a known command in a request, a plausible end code in a response (whole header needed).
  Frame f = parse_frame(payload.first(std::min(payload.size(), size.size)), false);
  if (f.anomaly != Anomaly::None) return ProbeResult::NoMatch;
  if (f.kind == FrameKind::McResponse) return ProbeResult::Match;
  if (payload.size() < (f.is_4e ? kMc4eHeaderSize : kMc3eHeaderSize) + 6) return ProbeResult::NeedMoreData;
  return find_mc_command(f.command) != nullptr ? ProbeResult::Match : ProbeResult::NoMatch;
}

}  // namespace ots::melsec
