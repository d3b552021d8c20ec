#include "dissectors/ads/ads_parser.h"

#include <algorithm>
#include <iterator>

namespace ots::ads {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "ads.none", "ads.invalid_header", "ads.invalid_length", "ads.truncated", "ads.invalid_discovery",
    "ads.truncated_message",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

// ADS command ids (ADS specification, "ADS Commands").
constexpr CommandInfo kCommands[] = {
    {0, "Invalid", false},
    {1, "Read Device Info", false},
    {2, "Read", false},
    {3, "Write", true},
    {4, "Read State", false},
    {5, "Write Control", true},
    {6, "Add Device Notification", false},
    {7, "Delete Device Notification", false},
    {8, "Device Notification", false},
    {9, "Read Write", false},
};

// ADSSTATE values (TcAdsDef.h).
constexpr std::string_view kStates[] = {
    "INVALID", "IDLE",  "RESET",    "INIT",     "START",    "RUN",    "STOP",   "SAVECFG", "LOADCFG", "POWERFAILURE",
    "POWERGOOD", "ERROR", "SHUTDOWN", "SUSPEND", "RESUME", "CONFIG", "RECONFIG", "STOPPING", "INCOMPATIBLE",
    "EXCEPTION",
};

constexpr uint16_t kFlagResponse = 0x0001, kFlagAdsCommand = 0x0004;
constexpr uint8_t kDiscoveryMagic[] = {0x03, 0x66, 0x14, 0x71};

enum Tag : uint16_t {
  kTagStatus = 0x0001,
  kTagTwinCatVersion = 0x0003,
  kTagOsVersion = 0x0004,
  kTagHost = 0x0005,
  kTagRouteName = 0x000C,
};

std::string_view trim_nul(std::string_view text) {
  size_t end = text.find('\0');
  return end == std::string_view::npos ? text : text.substr(0, end);
}

void parse_request(ByteReader& r, AmsPacket& p) {
  switch (p.command) {
    case 2:  // Read
    case 3:  // Write
    case 6:  // Add Device Notification
      p.index_group = r.le32();
      p.index_offset = r.le32();
      p.length = r.le32();
      p.has_range = r.ok();
      break;
    case 5:  // Write Control
      p.ads_state = r.le16();
      p.device_state = r.le16();
      r.le32();
      p.has_state = r.ok();
      break;
    case 7:  // Delete Device Notification: the handle
    case 8:  // Device Notification: the length of the stamps
      r.le32();
      break;
    case 9: {  // Read Write
      p.index_group = r.le32();
      p.index_offset = r.le32();
      p.length = r.le32();  // read length
      uint32_t write_length = r.le32();
      p.has_range = r.ok();
      if (p.index_group == kIndexGroupSymbolHandleByName && r.ok()) {
        ByteReader name = r;
        std::string_view symbol = name.chars(std::min<size_t>(write_length, r.remaining()));
        p.symbol = trim_nul(symbol);
      }
      break;
    }
    default:
      break;
  }
}

void parse_response(ByteReader& r, AmsPacket& p) {
  if (p.command == 8 || p.command == 0) return;  // notifications are not answered
  p.result = r.le32();
  switch (p.command) {
    case 1:  // Read Device Info
      p.version_major = r.u8();
      p.version_minor = r.u8();
      p.version_build = r.le16();
      p.device_name = trim_nul(r.chars(kDeviceNameSize));
      if (!r.ok()) p.device_name = {};
      break;
    case 4:  // Read State
      p.ads_state = r.le16();
      p.device_state = r.le16();
      p.has_state = r.ok();
      break;
    case 2:
    case 9:
      p.length = r.le32();
      break;
    case 6:
      r.le32();  // notification handle
      break;
    default:
      break;
  }
}

}  // namespace

std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }

const CommandInfo* find_command(uint16_t command) {
  return command < std::size(kCommands) ? &kCommands[command] : nullptr;
}

std::string_view ads_state_name(uint16_t state) { return state < std::size(kStates) ? kStates[state] : std::string_view{}; }

AmsPacket parse_ams(Bytes packet, bool complete) {
  AmsPacket p;
  ByteReader r(packet);
  if (packet.size() < kAmsHeaderSize) {
    p.anomaly = Anomaly::InvalidHeader;
    return p;
  }
  Bytes target = r.bytes(6);
  std::copy(target.begin(), target.end(), p.target_net_id);
  p.target_port = r.le16();
  Bytes source = r.bytes(6);
  std::copy(source.begin(), source.end(), p.source_net_id);
  p.source_port = r.le16();
  p.command = r.le16();
  p.state_flags = r.le16();
  uint32_t data_length = r.le32();
  p.error_code = r.le32();
  p.invoke_id = r.le32();
  p.is_response = p.state_flags & kFlagResponse;
  if ((p.state_flags & kFlagAdsCommand) == 0) {
    p.anomaly = Anomaly::InvalidHeader;
    return p;
  }
  if (complete ? r.remaining() != data_length : r.remaining() > data_length) {
    p.anomaly = Anomaly::InvalidLength;
    return p;
  }
  // An error reply may come without data; nothing more to read then.
  if (data_length == 0 && (p.error_code != 0 || !p.is_response)) return p;
  if (p.is_response) {
    parse_response(r, p);
  } else {
    parse_request(r, p);
  }
  if (!r.ok() && complete) p.anomaly = Anomaly::Truncated;
  return p;
}

FrameSize frame_size(Bytes stream) {
  FrameSize out;
  ByteReader r(stream);
  uint16_t reserved = r.le16();
  uint32_t length = r.le32();
  if (!r.ok()) return out;
  if (reserved != 0 || length < kAmsHeaderSize || length > kMaxAmsLength) {
    out.status = FrameStatus::Invalid;
    return out;
  }
  // The AMS header's ADS-command flag, once it is there: a cheap check that we are in sync.
  if (stream.size() >= kTcpHeaderSize + 20 && (stream[kTcpHeaderSize + 18] & kFlagAdsCommand) == 0) {
    out.status = FrameStatus::Invalid;
    return out;
  }
  out.status = FrameStatus::Ok;
  out.size = kTcpHeaderSize + length;
  return out;
}

Discovery parse_discovery(Bytes datagram) {
  Discovery d;
  ByteReader r(datagram);
  Bytes magic = r.bytes(4);
  if (!r.ok() || !std::equal(magic.begin(), magic.end(), std::begin(kDiscoveryMagic))) return d;
  r.le32();  // invoke id
  uint32_t service = r.le32();
  d.is_response = service & kServiceResponse;
  d.service = service & ~kServiceResponse;
  Bytes net_id = r.bytes(6);
  r.le16();  // AMS port
  uint32_t tags = r.le32();
  if (!r.ok() || tags > kMaxDiscoveryTags) return d;
  std::copy(net_id.begin(), net_id.end(), d.net_id);
  for (uint32_t i = 0; i < tags; ++i) {
    uint16_t id = r.le16();
    uint16_t length = r.le16();
    ByteReader value(r.bytes(length));
    if (!r.ok()) return d;
    switch (id) {
      case kTagStatus:
        d.status = value.le32();
        d.has_status = value.ok();
        break;
      case kTagTwinCatVersion:
        d.twincat_major = value.u8();
        d.twincat_minor = value.u8();
        d.twincat_build = value.le16();
        d.has_twincat = value.ok();
        break;
      case kTagOsVersion:
        value.le32();  // structure size
        d.os_major = value.le32();
        d.os_minor = value.le32();
        d.os_build = value.le32();
        d.os_platform = value.le32();
        d.has_os = value.ok();
        break;
      case kTagHost:
        d.host_name = trim_nul(as_chars(value.rest()));
        break;
      case kTagRouteName:
        d.route_name = trim_nul(as_chars(value.rest()));
        break;
      default:  // the password (0x0002) and anything else is passed over unread
        break;
    }
  }
  d.valid = true;
  return d;
}

ProbeResult probe(Bytes payload) {
  size_t magic = std::min(payload.size(), std::size(kDiscoveryMagic));
  if (magic > 0 && std::equal(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(magic),
                              std::begin(kDiscoveryMagic))) {
    if (payload.size() < 12) return ProbeResult::NeedMoreData;
    return parse_discovery(payload).valid ? ProbeResult::Match : ProbeResult::NoMatch;
  }
  FrameSize size = frame_size(payload);
  if (size.status == FrameStatus::Invalid) return ProbeResult::NoMatch;
  if (payload.size() < kTcpHeaderSize + kAmsHeaderSize) return ProbeResult::NeedMoreData;
  ByteReader r(payload.subspan(kTcpHeaderSize));
  r.skip(16);
  uint16_t command = r.le16();
  uint16_t flags = r.le16();
  uint32_t data_length = r.le32();
  bool ok = command <= 9 && (flags & kFlagAdsCommand) != 0 && size_t{data_length} + kAmsHeaderSize == size.size - kTcpHeaderSize;
  return ok ? ProbeResult::Match : ProbeResult::NoMatch;
}

}  // namespace ots::ads
