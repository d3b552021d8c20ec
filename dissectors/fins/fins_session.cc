#include "dissectors/fins/fins_session.h"

#include <algorithm>

namespace ots::fins {
namespace {

constexpr std::string_view kProtocol = "fins";
constexpr std::string_view kUnknownCommand = "Unknown command";
constexpr uint8_t kUdp = 17;
constexpr std::string_view kControllerDataEvent = "FINS Controller Data Read reply";  // identity provenance

constexpr size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
constexpr Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

}  // namespace

void FinsSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  if (ctx.transport == kUdp) {
    handle_frame(ctx, dir, bytes);
    return;
  }
  Stream& stream = streams_[index_of(dir)];
  while (!bytes.empty() && !rejected_) {
    if (stream.buffer.empty()) {
      // Common case: whole messages straight from the segment, no copy.
      bytes = bytes.subspan(scan(ctx, dir, bytes));
      if (rejected_) return;
      stream.buffer.assign(bytes.begin(), bytes.end());  // less than one message
      return;
    }
    size_t take = std::min(bytes.size(), kMaxTcpMessageSize - stream.buffer.size());
    stream.buffer.insert(stream.buffer.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    // A full buffer always holds a whole message or a byte to skip: each round makes progress.
    size_t used = scan(ctx, dir, stream.buffer);
    stream.buffer.erase(stream.buffer.begin(), stream.buffer.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

size_t FinsSession::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    TcpHeaderResult header = parse_tcp_header(rest);
    if (header.status == TcpStatus::NeedMoreData) break;
    if (header.status == TcpStatus::Invalid) {
      if (!stream.hunting) {
        report(ctx, Anomaly::InvalidTcpHeader);
        count_violation();
        stream.hunting = true;
      }
      ++consumed;
      if (++stream.hunted_bytes % kMaxTcpMessageSize == 0) count_violation();
      continue;
    }
    stream.hunting = false;
    stream.hunted_bytes = 0;
    size_t size = header.header.message_size();
    if (rest.size() < size) break;
    handle_tcp_message(ctx, dir, header.header, rest.first(size));
    consumed += size;
  }
  return consumed;
}

void FinsSession::handle_tcp_message(const FlowContext& ctx, Direction dir, const TcpHeader& header,
                                     Bytes message) {
  if (header.error_code != 0) report(ctx, Anomaly::TcpError);
  if (header.command == static_cast<uint32_t>(TcpCommand::FrameSend)) {
    handle_frame(ctx, dir, message.subspan(kTcpHeaderSize));
    return;
  }
  // Node address exchange, error notification, connection confirmation: no application meaning.
  valid_message(ctx);
}

void FinsSession::handle_frame(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Frame frame = parse_frame(bytes);
  bool header_ok = frame.anomaly != Anomaly::InvalidHeader &&
                   bytes.size() >= (frame.is_response ? kResponseFrameMin : kCommandFrameMin);
  if (!header_ok) {
    report(ctx, frame.anomaly);
    count_violation();
    return;
  }
  const CommandInfo* info = find_command(frame.command);
  Operation op;
  op.code = frame.command;
  op.name = info != nullptr ? info->name : kUnknownCommand;
  op.is_request = !frame.is_response;
  op.is_write = info != nullptr && info->is_write;
  op.is_error = frame.is_response && is_error_end_code(frame.end_code);
  op.unit = frame.is_response ? frame.sa1 : frame.da1;
  op.has_range = frame.has_range;
  op.address = frame.address;
  op.quantity = frame.quantity;
  sink_.operation(ctx, kProtocol, side_of(dir), op);
  if (frame.anomaly != Anomaly::None) {
    report(ctx, frame.anomaly);
    count_violation();
    return;
  }
  if (!frame.model.empty() && !identity_reported_) {
    identity_reported_ = true;
    sink_.identity(ctx, kProtocol, side_of(dir), IdentityField::ProductName, frame.model, kControllerDataEvent);
    // Only a controller (the CPU unit) answers Controller Data Read with its model: whoever sent the
    // answer is the PLC, whichever way the flow runs or whatever commands it also sends.
    sink_.identity(ctx, kProtocol, side_of(dir), IdentityField::DeviceType, "PLC", kControllerDataEvent);
    if (!frame.version.empty()) {
      sink_.identity(ctx, kProtocol, side_of(dir), IdentityField::FirmwareVersion, frame.version,
                     kControllerDataEvent);
    }
  }
  (frame.is_response ? seen_response_ : seen_command_) = true;
  valid_message(ctx);
}

void FinsSession::valid_message(const FlowContext& ctx) {
  consecutive_violations_ = 0;
  ++valid_frames_;
  if (confirmed_) return;
  if ((seen_command_ && seen_response_) || valid_frames_ >= kConfirmAfterValidFrames) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

void FinsSession::gap(const FlowContext&, Direction dir, uint64_t) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  stream.buffer.clear();
  stream.hunting = true;
  stream.hunted_bytes = 0;
}

void FinsSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  if (!rejected_ && !stream.buffer.empty() && !stream.hunting) report(ctx, Anomaly::TruncatedMessage);
  stream.buffer.clear();
}

void FinsSession::count_violation() {
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void FinsSession::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::fins
