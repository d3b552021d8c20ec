#include "dissectors/ads/ads_session.h"

#include <algorithm>
#include <iterator>

namespace ots::ads {
namespace {

constexpr std::string_view kProtocol = "ads";
constexpr std::string_view kUnknownCommand = "ADS command";
constexpr std::string_view kDiscover = "Discover", kAddRoute = "Add Route", kRouteService = "Route service";
constexpr uint8_t kUdp = 17;
constexpr uint32_t kWindowsNt = 2, kWindowsCe = 3;

constexpr size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
constexpr Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

std::string net_id_text(const uint8_t (&id)[6]) {
  std::string out = "AMS NetId ";
  for (size_t i = 0; i < 6; ++i) {
    if (i > 0) out += '.';
    out += std::to_string(id[i]);
  }
  return out;
}

// Identity provenance: the message an AMS packet is, by command id (kCommands order) and direction.
constexpr std::string_view kAmsEvents[][2] = {
    {"ADS Invalid request", "ADS Invalid reply"},
    {"ADS Read Device Info request", "ADS Read Device Info reply"},
    {"ADS Read request", "ADS Read reply"},
    {"ADS Write request", "ADS Write reply"},
    {"ADS Read State request", "ADS Read State reply"},
    {"ADS Write Control request", "ADS Write Control reply"},
    {"ADS Add Device Notification request", "ADS Add Device Notification reply"},
    {"ADS Delete Device Notification request", "ADS Delete Device Notification reply"},
    {"ADS Device Notification", "ADS Device Notification"},  // one-way: a notification has no reply
    {"ADS Read Write request", "ADS Read Write reply"},
};

std::string_view ams_event(const AmsPacket& p) {
  if (p.command >= std::size(kAmsEvents)) return p.is_response ? "AMS reply" : "AMS request";
  return kAmsEvents[p.command][p.is_response ? 1 : 0];
}

std::string_view discovery_event(const Discovery& d) {
  if (d.service == kServiceDiscover) return d.is_response ? "ADS Discover reply" : "ADS Discover request";
  if (d.service == kServiceAddRoute) return d.is_response ? "ADS Add Route reply" : "ADS Add Route request";
  return d.is_response ? "ADS route service reply" : "ADS route service request";
}

// "192.168.1.8" is an address, not a host name.
bool looks_like_address(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == ':'; });
}

}  // namespace

void AdsSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  if (ctx.transport == kUdp) {
    handle_discovery(ctx, dir, bytes);
    return;
  }
  Stream& stream = streams_[index_of(dir)];
  while (!bytes.empty() && !rejected_) {
    if (stream.skip > 0) {
      size_t n = std::min(stream.skip, bytes.size());
      stream.skip -= n;
      bytes = bytes.subspan(n);
      continue;
    }
    if (stream.buffer.empty()) {
      bytes = bytes.subspan(scan(ctx, dir, bytes));
      if (stream.skip > 0 || rejected_) continue;
      stream.buffer.assign(bytes.begin(), bytes.end());  // less than one frame
      return;
    }
    size_t take = std::min(bytes.size(), kMaxBufferedFrame - stream.buffer.size());
    stream.buffer.insert(stream.buffer.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    // A full buffer always holds a whole frame, an oversized frame's prefix or a byte to skip.
    size_t used = scan(ctx, dir, stream.buffer);
    stream.buffer.erase(stream.buffer.begin(), stream.buffer.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

size_t AdsSession::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    FrameSize size = frame_size(rest);
    if (size.status == FrameStatus::NeedMoreData) break;
    if (size.status == FrameStatus::Invalid) {
      if (!stream.hunting) {
        violation(ctx, Anomaly::InvalidHeader);
        stream.hunting = true;
      }
      ++consumed;
      if (++stream.hunted_bytes % kMaxBufferedFrame == 0) violation(ctx, Anomaly::InvalidHeader);
      continue;
    }
    stream.hunting = false;
    stream.hunted_bytes = 0;
    if (rest.size() >= size.size) {
      handle_ams(ctx, dir, rest.subspan(kTcpHeaderSize, size.size - kTcpHeaderSize), true);
      consumed += size.size;
      continue;
    }
    if (rest.size() < kMaxBufferedFrame) break;
    handle_ams(ctx, dir, rest.subspan(kTcpHeaderSize), false);
    stream.skip = size.size - rest.size();
    return window.size();
  }
  return consumed;
}

void AdsSession::handle_ams(const FlowContext& ctx, Direction dir, Bytes packet, bool complete) {
  AmsPacket p = parse_ams(packet, complete);
  if (p.anomaly == Anomaly::InvalidHeader || p.anomaly == Anomaly::InvalidLength) {
    violation(ctx, p.anomaly);
    return;
  }
  Side side = side_of(dir);
  const CommandInfo* info = find_command(p.command);
  Operation op;
  op.code = p.command;
  op.name = info != nullptr ? info->name : kUnknownCommand;
  op.is_request = !p.is_response;
  op.is_write = (info != nullptr && info->is_write) ||
                (p.command == 9 && (p.index_group == kIndexGroupSumWrite || p.index_group == kIndexGroupSumReadWrite));
  op.is_error = p.error_code != 0 || p.result != 0;
  op.has_range = p.has_range;
  op.unit = p.index_group;
  op.address = p.index_offset;
  op.quantity = p.length;
  op.object = p.symbol;
  sink_.operation(ctx, kProtocol, side, op);
  if (p.anomaly != Anomaly::None) {
    violation(ctx, p.anomaly);
    return;
  }
  const std::string_view event = ams_event(p);
  report_net_id(ctx, side, p.source_net_id, event);
  if (p.is_response && !op.is_error) {
    if (!p.device_name.empty()) {  // only a Read Device Info reply carries one
      sink_.identity(ctx, kProtocol, side, IdentityField::ProductName, p.device_name, event);
      report(ctx, side, IdentityField::FirmwareVersion, version_,
             std::to_string(p.version_major) + "." + std::to_string(p.version_minor) + "." +
                 std::to_string(p.version_build),
             event);
    }
    std::string_view state = ads_state_name(p.ads_state);
    if (p.has_state && !state.empty() && p.ads_state != last_state_) {  // a Read State reply
      last_state_ = p.ads_state;
      sink_.identity(ctx, kProtocol, side, IdentityField::CpuState, state, event);
    }
  }
  valid_frame(ctx, !p.is_response);
}

void AdsSession::handle_discovery(const FlowContext& ctx, Direction dir, Bytes datagram) {
  Discovery d = parse_discovery(datagram);
  if (!d.valid) {
    violation(ctx, Anomaly::InvalidDiscovery);
    return;
  }
  Side side = side_of(dir);
  Operation op;
  op.code = d.service;
  op.name = d.service == kServiceDiscover ? kDiscover : d.service == kServiceAddRoute ? kAddRoute : kRouteService;
  op.is_request = !d.is_response;
  op.is_write = d.service == kServiceAddRoute;
  op.is_error = d.has_status && d.status != 0;
  op.object = d.is_response ? std::string_view{} : d.route_name;
  sink_.operation(ctx, kProtocol, side, op);
  const std::string_view event = discovery_event(d);
  report_net_id(ctx, side, d.net_id, event);
  if (!d.host_name.empty() && !looks_like_address(d.host_name)) {
    sink_.identity(ctx, kProtocol, side, IdentityField::Hostname, d.host_name, event);
  }
  if (d.is_response && d.has_twincat) {
    sink_.identity(ctx, kProtocol, side, IdentityField::Vendor, "Beckhoff", event);
    report(ctx, side, IdentityField::Software, software_,
           "TwinCAT " + std::to_string(d.twincat_major) + "." + std::to_string(d.twincat_minor) + "." +
               std::to_string(d.twincat_build),
           event);
  }
  if (d.is_response && d.has_os) {
    std::string version = std::to_string(d.os_major) + "." + std::to_string(d.os_minor);
    std::string os = d.os_platform == kWindowsNt   ? "Windows NT " + version + " build " + std::to_string(d.os_build)
                     : d.os_platform == kWindowsCe ? "Windows CE " + version
                                                   : "OS " + version + "." + std::to_string(d.os_build);
    report(ctx, side, IdentityField::OperatingSystem, os_, std::move(os), event);
  }
  valid_frame(ctx, !d.is_response);
}

void AdsSession::report_net_id(const FlowContext& ctx, Side side, const uint8_t (&net_id)[6],
                               std::string_view event) {
  auto& last = net_id_bytes_[static_cast<size_t>(side)];
  if (std::equal(last.begin(), last.end(), std::begin(net_id)) && !net_ids_[static_cast<size_t>(side)].empty()) return;
  std::copy(std::begin(net_id), std::end(net_id), last.begin());
  std::string& text = net_ids_[static_cast<size_t>(side)];
  text = net_id_text(net_id);
  sink_.identity(ctx, kProtocol, side, IdentityField::Description, text, event);
}

void AdsSession::report(const FlowContext& ctx, Side side, IdentityField field, std::string& storage,
                        std::string value, std::string_view event) {
  storage = std::move(value);
  sink_.identity(ctx, kProtocol, side, field, storage, event);
}

void AdsSession::valid_frame(const FlowContext& ctx, bool request) {
  consecutive_violations_ = 0;
  ++valid_frames_;
  (request ? seen_request_ : seen_response_) = true;
  if (confirmed_) return;
  if ((seen_request_ && seen_response_) || valid_frames_ >= kConfirmAfterValidFrames) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

void AdsSession::gap(const FlowContext&, Direction dir, uint64_t) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  stream.buffer.clear();
  stream.skip = 0;
  stream.hunting = true;
  stream.hunted_bytes = 0;
}

void AdsSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  bool inside_frame = (!stream.buffer.empty() && !stream.hunting) || stream.skip > 0;
  if (!rejected_ && inside_frame) sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::TruncatedMessage));
  stream.buffer.clear();
  stream.skip = 0;
}

void AdsSession::violation(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

}  // namespace ots::ads
