#include "dissectors/tristation/tristation_session.h"

namespace ots::tristation {
namespace {

constexpr std::string_view kProtocol = "tristation";
constexpr std::string_view kUnknownCommand = "TriStation command";

struct StateReport {
  uint8_t command;
  std::string_view state;
};
constexpr StateReport kStateReports[] = {{109, "RUN"}, {110, "STOP"}, {111, "PAUSE"}};

constexpr Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

}  // namespace

void TriStationSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  Message m = parse_message(bytes);
  if (m.anomaly != Anomaly::None) {
    sink_.anomaly(ctx, kProtocol, anomaly_name(m.anomaly));
    if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
    return;
  }
  Side side = side_of(dir);
  Operation op;
  bool request;
  if (m.type == static_cast<uint8_t>(MessageType::Execute)) {
    const CommandInfo* info = find_command(m.command);
    request = is_command_request(m.command);
    op.code = m.command;
    op.name = info != nullptr ? info->name : kUnknownCommand;
    op.is_write = info != nullptr && info->is_write;
    op.is_error = is_command_rejection(m.command);
    op.unit = m.connection_id;
    for (const auto& report : kStateReports) {
      if (report.command == m.command && report.state != last_state_) {
        last_state_ = report.state;
        sink_.identity(ctx, kProtocol, side, IdentityField::CpuState, report.state, op.name);
      }
    }
  } else {
    const MessageInfo* info = find_message(m.type);
    request = info->is_request;
    op.code = kOtherMessageBase + m.type;
    op.name = info->name;
    op.is_error = info->is_error;
  }
  op.is_request = request;
  sink_.operation(ctx, kProtocol, side, op);
  if (!roles_reported_) {
    roles_reported_ = true;
    // Said by the first valid message; op.name is static (the message / command tables).
    sink_.identity(ctx, kProtocol, Side::Server, IdentityField::DeviceType, "SIS controller", op.name);
    sink_.identity(ctx, kProtocol, Side::Client, IdentityField::DeviceType, "Engineering workstation", op.name);
  }
  valid_message(ctx, request);
}

void TriStationSession::valid_message(const FlowContext& ctx, bool request) {
  consecutive_violations_ = 0;
  ++valid_messages_;
  (request ? seen_request_ : seen_response_) = true;
  if (confirmed_) return;
  if ((seen_request_ && seen_response_) || valid_messages_ >= kConfirmAfterValidMessages) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

}  // namespace ots::tristation
