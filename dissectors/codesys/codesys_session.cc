#include "dissectors/codesys/codesys_session.h"

#include <algorithm>

namespace ots::codesys {
namespace {

constexpr std::string_view kProtocol = "codesys";
constexpr uint8_t kUdp = 17;

struct Named {
  uint32_t code;
  std::string_view name;
  bool is_request;
};
constexpr Named kChannelMessages[] = {
    {0xC2, "Get channel info", true},        {0x82, "Channel info", false}, {0xC3, "Open channel", true},
    {0x83, "Open channel response", false}, {0xC4, "Close channel", true}, {0x84, "Close channel response", false},
};
constexpr Named kNameService[] = {
    {0xC201, "Address resolve", true}, {0xC202, "Name resolve", true}, {0xC280, "Device info", false}};
constexpr std::string_view kChannelOther = "Channel message", kNameServiceOther = "Name service";

template <size_t N>
const Named* find(const Named (&table)[N], uint32_t code) {
  for (const auto& n : table) {
    if (n.code == code) return &n;
  }
  return nullptr;
}

constexpr size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
constexpr Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

}  // namespace

void CodesysSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  if (ctx.transport == kUdp) {
    handle_datagram(ctx, dir, bytes, true);
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

size_t CodesysSession::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    FrameSize size = frame_size(rest);
    if (size.status == FrameStatus::NeedMoreData) break;
    if (size.status == FrameStatus::Invalid) {
      if (!stream.hunting) {
        violation(ctx, Anomaly::InvalidBlockDriver);
        stream.hunting = true;
      }
      ++consumed;
      if (++stream.hunted_bytes % kMaxBufferedFrame == 0) violation(ctx, Anomaly::InvalidBlockDriver);
      continue;
    }
    stream.hunting = false;
    stream.hunted_bytes = 0;
    if (rest.size() >= size.size) {
      handle_datagram(ctx, dir, rest.subspan(kBlockDriverHeaderSize, size.size - kBlockDriverHeaderSize), true);
      consumed += size.size;
      continue;
    }
    if (rest.size() < kMaxBufferedFrame) break;
    handle_datagram(ctx, dir, rest.subspan(kBlockDriverHeaderSize), false);
    stream.skip = size.size - rest.size();
    return window.size();
  }
  return consumed;
}

void CodesysSession::handle_datagram(const FlowContext& ctx, Direction dir, Bytes datagram, bool complete) {
  Message m = parse_datagram(datagram, complete);
  if (m.anomaly != Anomaly::None) {
    violation(ctx, m.anomaly);
    return;
  }
  Side side = side_of(dir);
  Operation op;
  bool request = side == Side::Client;
  switch (m.layer) {
    case Layer::Other:
      break;
    case Layer::Channel: {
      const Named* named = find(kChannelMessages, m.channel_type);
      op.code = kChannelCodeBase | m.channel_type;
      op.name = named != nullptr ? named->name : kChannelOther;
      request = named != nullptr ? named->is_request : request;
      break;
    }
    case Layer::Service: {
      const ServiceInfo* info = find_service(m.group, m.service);
      op.code = uint32_t{m.group} << 16 | m.service;
      op.name = info != nullptr ? info->name : group_name(m.group);
      op.is_write = info != nullptr && info->is_write;
      request = !m.is_response;
      break;
    }
    case Layer::NameService: {
      const Named* named = find(kNameService, m.ns_command);
      op.code = m.ns_command;
      op.name = named != nullptr ? named->name : kNameServiceOther;
      request = named != nullptr ? named->is_request : request;
      if (m.has_device_info) report_device(ctx, side, m);
      break;
    }
  }
  if (m.layer != Layer::Other) {
    op.is_request = request;
    sink_.operation(ctx, kProtocol, side, op);
  }
  valid_message(ctx, request);
}

void CodesysSession::report_device(const FlowContext& ctx, Side side, const Message& m) {
  if (device_reported_) return;
  device_reported_ = true;
  node_.clear();
  device_.clear();
  vendor_.clear();
  append_utf16(node_, m.node_name);
  append_utf16(device_, m.device_name);
  append_utf16(vendor_, m.vendor_name);
  firmware_ = std::to_string(m.firmware[3]) + "." + std::to_string(m.firmware[2]) + "." +
              std::to_string(m.firmware[1]) + "." + std::to_string(m.firmware[0]);
  // The name service's device-info answer (0xC280) to a scan or address/name resolve.
  constexpr std::string_view event = "CODESYS identification reply";
  if (!node_.empty()) sink_.identity(ctx, kProtocol, side, IdentityField::Hostname, node_, event);
  if (!device_.empty()) sink_.identity(ctx, kProtocol, side, IdentityField::ProductName, device_, event);
  if (!vendor_.empty()) sink_.identity(ctx, kProtocol, side, IdentityField::Vendor, vendor_, event);
  sink_.identity(ctx, kProtocol, side, IdentityField::FirmwareVersion, firmware_, event);
  sink_.identity(ctx, kProtocol, side, IdentityField::DeviceType, "PLC", event);
}

void CodesysSession::valid_message(const FlowContext& ctx, bool request) {
  consecutive_violations_ = 0;
  ++valid_messages_;
  (request ? seen_request_ : seen_response_) = true;
  if (confirmed_) return;
  if ((seen_request_ && seen_response_) || valid_messages_ >= kConfirmAfterValidMessages) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

void CodesysSession::gap(const FlowContext&, Direction dir, uint64_t) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  stream.buffer.clear();
  stream.skip = 0;
  stream.hunting = true;
  stream.hunted_bytes = 0;
}

void CodesysSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  bool inside_frame = (!stream.buffer.empty() && !stream.hunting) || stream.skip > 0;
  if (!rejected_ && inside_frame) sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::TruncatedMessage));
  stream.buffer.clear();
  stream.skip = 0;
}

void CodesysSession::violation(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

}  // namespace ots::codesys
