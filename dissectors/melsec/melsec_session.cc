#include "dissectors/melsec/melsec_session.h"

#include <algorithm>

namespace ots::melsec {
namespace {

constexpr std::string_view kProtocol = "melsec";
constexpr std::string_view kUnknownMc = "MC command";
constexpr std::string_view kUnknownMelsoft = "MELSOFT command";
constexpr std::string_view kDiscovery = "MELSOFT discovery";
constexpr uint16_t kDiscoveryCode = 0x5A;
constexpr uint16_t kReadCpuModel = 0x0101;
constexpr uint8_t kUdp = 17;

struct StateChange {
  uint16_t command;
  std::string_view state;
  std::string_view event;  // the reply that confirms it
};
constexpr StateChange kStateChanges[] = {{0x1001, "RUN", "MC Remote RUN reply"},
                                         {0x1002, "STOP", "MC Remote STOP reply"},
                                         {0x1003, "PAUSE", "MC Remote PAUSE reply"}};

constexpr size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
constexpr Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

}  // namespace

void MelsecSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  if (ctx.transport == kUdp) {
    handle_frame(ctx, dir, bytes, true);
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

size_t MelsecSession::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    FrameSize size = frame_size(rest);
    if (size.status == FrameStatus::NeedMoreData) break;
    if (size.status == FrameStatus::Invalid) {
      if (!stream.hunting) {
        violation(ctx, size.anomaly);
        stream.hunting = true;
      }
      ++consumed;
      if (++stream.hunted_bytes % kMaxBufferedFrame == 0) violation(ctx, Anomaly::InvalidHeader);
      continue;
    }
    stream.hunting = false;
    stream.hunted_bytes = 0;
    if (rest.size() >= size.size) {
      handle_frame(ctx, dir, rest.first(size.size), true);
      consumed += size.size;
      continue;
    }
    if (rest.size() < kMaxBufferedFrame) break;
    handle_frame(ctx, dir, rest, false);
    stream.skip = size.size - rest.size();
    return window.size();
  }
  return consumed;
}

void MelsecSession::handle_frame(const FlowContext& ctx, Direction dir, Bytes bytes, bool complete) {
  Frame frame = parse_frame(bytes, complete);
  bool melsoft_frame = frame.kind == FrameKind::MelsoftRequest || frame.kind == FrameKind::MelsoftResponse;
  if (frame.anomaly == Anomaly::InvalidHeader || frame.anomaly == Anomaly::InvalidLength ||
      (melsoft_frame && frame.anomaly != Anomaly::None)) {
    violation(ctx, frame.anomaly);
    return;
  }
  Side side = side_of(dir);
  switch (frame.kind) {
    case FrameKind::McRequest:
      mc_request(ctx, side, frame);
      break;
    case FrameKind::McResponse:
      mc_response(ctx, side, frame);
      break;
    case FrameKind::MelsoftRequest:
    case FrameKind::MelsoftResponse:
      melsoft(ctx, side, frame);
      break;
    case FrameKind::Discovery: {
      Operation op;
      op.code = kDiscoveryCode;
      op.name = kDiscovery;
      op.is_request = bytes[0] == 0x5A;
      sink_.operation(ctx, kProtocol, side, op);
      break;
    }
  }
  if (frame.anomaly != Anomaly::None) {
    violation(ctx, frame.anomaly);
    return;
  }
  bool request = frame.kind == FrameKind::McRequest || frame.kind == FrameKind::MelsoftRequest ||
                 (frame.kind == FrameKind::Discovery && bytes[0] == 0x5A);
  valid_frame(ctx, request);
}

void MelsecSession::mc_request(const FlowContext& ctx, Side side, const Frame& frame) {
  const CommandInfo* info = find_mc_command(frame.command);
  Operation op;
  op.code = frame.command;
  op.name = info != nullptr ? info->name : kUnknownMc;
  op.is_write = info != nullptr && info->is_write;
  op.unit = frame.pc;
  op.has_range = frame.has_range;
  op.address = frame.address;
  op.quantity = frame.quantity;
  op.object = frame.device;
  sink_.operation(ctx, kProtocol, side, op);
  if (pending_.size() == kMaxPendingRequests) pending_.pop_front();
  pending_.push_back({frame.is_4e, frame.serial, frame.command});
}

void MelsecSession::mc_response(const FlowContext& ctx, Side side, const Frame& frame) {
  auto match = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
    return p.is_4e == frame.is_4e && (!frame.is_4e || p.serial == frame.serial);
  });
  uint16_t command = 0;
  if (match != pending_.end()) {
    command = match->command;
    pending_.erase(match);
  }
  const CommandInfo* info = find_mc_command(command);
  Operation op;
  op.code = command;
  op.name = info != nullptr ? info->name : kUnknownMc;
  op.is_request = false;
  op.is_write = info != nullptr && info->is_write;
  op.is_error = frame.end_code != 0;
  op.unit = frame.pc;
  sink_.operation(ctx, kProtocol, side, op);
  if (op.is_error) return;
  if (command == kReadCpuModel) report_model(ctx, side, cpu_model_name(frame.data), "MC Read CPU Model Name reply");
  for (const auto& change : kStateChanges) {
    if (change.command == command) {
      sink_.identity(ctx, kProtocol, side, IdentityField::CpuState, change.state, change.event);
    }
  }
}

void MelsecSession::melsoft(const FlowContext& ctx, Side side, const Frame& frame) {
  const CommandInfo* info = find_melsoft_command(frame.command);
  bool response = frame.kind == FrameKind::MelsoftResponse;
  Operation op;
  op.code = frame.command;
  op.name = info != nullptr ? info->name : kUnknownMelsoft;
  op.is_request = !response;
  op.is_write = info != nullptr && info->is_write;
  op.is_error = response && frame.end_code != 0;
  sink_.operation(ctx, kProtocol, side, op);
  if (!response && !workstation_reported_) {
    workstation_reported_ = true;
    sink_.identity(ctx, kProtocol, side, IdentityField::DeviceType, "Engineering workstation", "MELSOFT request");
  }
  // Only a Read CPU Model (0x0121) reply carries a model (melsec_parser.cc).
  if (response) report_model(ctx, side, frame.model, "MELSOFT Read CPU Model reply");
}

void MelsecSession::report_model(const FlowContext& ctx, Side side, std::string_view model, std::string_view event) {
  if (model.empty() || model_reported_) return;
  model_reported_ = true;
  sink_.identity(ctx, kProtocol, side, IdentityField::Vendor, "Mitsubishi Electric", event);
  sink_.identity(ctx, kProtocol, side, IdentityField::ProductName, model, event);
  sink_.identity(ctx, kProtocol, side, IdentityField::DeviceType, "PLC", event);
}

void MelsecSession::valid_frame(const FlowContext& ctx, bool request) {
  consecutive_violations_ = 0;
  ++valid_frames_;
  (request ? seen_request_ : seen_response_) = true;
  if (confirmed_) return;
  if ((seen_request_ && seen_response_) || valid_frames_ >= kConfirmAfterValidFrames) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

void MelsecSession::gap(const FlowContext&, Direction dir, uint64_t) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  stream.buffer.clear();
  stream.skip = 0;
  stream.hunting = true;
  stream.hunted_bytes = 0;
  pending_.clear();  // responses can no longer be paired in order
}

void MelsecSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  bool inside_frame = (!stream.buffer.empty() && !stream.hunting) || stream.skip > 0;
  if (!rejected_ && inside_frame) sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::TruncatedMessage));
  stream.buffer.clear();
  stream.skip = 0;
}

void MelsecSession::violation(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

}  // namespace ots::melsec
