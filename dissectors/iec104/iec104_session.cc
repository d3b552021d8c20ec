#include "dissectors/iec104/iec104_session.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

namespace ots::iec104 {
namespace {

constexpr std::string_view kProtocol = "iec104";
constexpr std::string_view kUnknownType = "Unknown Type ID";
constexpr uint8_t kTypeCounterInterrogation = 101;
constexpr uint8_t kFreezeWithReset = 2;  // QCC FRZ: 2 freeze with reset, 3 counter reset
// File transfer APDUs that carry a file towards their receiver.
constexpr uint8_t kFileReady = 120, kSectionReady = 121, kLastSection = 123, kSegment = 125;
constexpr uint8_t kCauseActivation = 6;
constexpr uint8_t kCauseActivationTermination = 10;
constexpr uint8_t kCauseFirstUnknown = 44;
constexpr uint8_t kCauseLastUnknown = 47;
// Identity provenance (the message that said it).
constexpr std::string_view kStartDtActEvent = "IEC-104 STARTDT act";
constexpr std::string_view kStartDtConEvent = "IEC-104 STARTDT con";
constexpr std::string_view kIFormatEvent = "IEC-104 I-format APDU";
constexpr std::string_view kApduEvent = "IEC-104 APDU";
constexpr std::string_view kCommonAddressEvent = "IEC-104 ASDU (common address)";

// Command causes 6-10 qualified by the S/E bit: [cause - 6][select].
constexpr std::string_view kCommandCauseNames[][2] = {
    {"activation (execute)", "activation (select)"},
    {"activation confirmation (execute)", "activation confirmation (select)"},
    {"deactivation (execute)", "deactivation (select)"},
    {"deactivation confirmation (execute)", "deactivation confirmation (select)"},
    {"activation termination (execute)", "activation termination (select)"},
};

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }

bool is_structural(Anomaly anomaly) {
  switch (anomaly) {
    case Anomaly::InvalidStart:
    case Anomaly::InvalidLength:
    case Anomaly::InvalidUFormat:
    case Anomaly::InvalidSFormat:
    case Anomaly::UnknownTypeId:
    case Anomaly::LengthMismatch:
    case Anomaly::TooManyObjects:
      return true;
    default:
      return false;
  }
}

bool is_unknown_cause(uint8_t cause) { return cause >= kCauseFirstUnknown && cause <= kCauseLastUnknown; }

bool is_activation_family(uint8_t cause) {
  return (cause >= kCauseActivation && cause <= kCauseActivationTermination) || is_unknown_cause(cause);
}

bool is_write(Direction dir, const Asdu& asdu, const ElementValue& first) {
  const TypeInfo* type = asdu.type;
  if (type == nullptr) return false;
  if (type->changes_state) return is_activation_family(asdu.cause);
  if (asdu.type_id == kTypeCounterInterrogation) {
    return is_activation_family(asdu.cause) && first.kind == ValueKind::Qualifier &&
           (first.integer >> 6) >= kFreezeWithReset;
  }
  if (type->type_class == TypeClass::File && dir == Direction::FromClient) {
    // File ready / section ready / last section / segment: the client sends a file to the outstation.
    uint8_t id = asdu.type_id;
    return id == kFileReady || id == kSectionReady || id == kLastSection || id == kSegment;
  }
  return false;
}

Operation make_i_operation(Direction dir, const Asdu& asdu, bool objects_walkable) {
  ElementValue first;
  if (objects_walkable) {
    ObjectWalker walker(asdu);
    InformationObject object;
    if (walker.next(object)) first = decode_element(*asdu.type, object.element);
  }
  Operation op;
  op.code = asdu.type_id;
  op.name = asdu.type != nullptr ? asdu.type->name : kUnknownType;
  op.is_request = dir == Direction::FromClient;
  op.is_write = is_write(dir, asdu, first);
  op.is_error = asdu.negative || is_unknown_cause(asdu.cause);
  op.has_range = asdu.has_ioa;
  op.address = asdu.first_ioa;
  op.quantity = asdu.object_count;
  op.unit = asdu.common_address;
  if (first.has_select && asdu.cause >= kCauseActivation && asdu.cause <= kCauseActivationTermination) {
    op.object = kCommandCauseNames[asdu.cause - kCauseActivation][first.select ? 1 : 0];
  } else {
    op.object = cause_name(asdu.cause);
  }
  return op;
}

}  // namespace

void Iec104Session::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  Stream& stream = streams_[index_of(dir)];
  while (!bytes.empty() && !rejected_) {
    if (stream.buffer.empty()) {
      // Common case: whole APDUs straight from the segment, no copy.
      bytes = bytes.subspan(scan(ctx, dir, bytes));
      if (rejected_) return;
      // What scan() left is less than one APDU (it consumes every whole one).
      stream.buffer.append(bytes);
      return;
    }
    size_t take = std::min(bytes.size(), kMaxApduSize - stream.buffer.size());
    stream.buffer.append(bytes.first(take));
    bytes = bytes.subspan(take);
    // A full buffer always holds a whole APDU or a byte to skip, so each round makes progress.
    stream.buffer.consume(scan(ctx, dir, stream.buffer.view()));
  }
}

size_t Iec104Session::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    if (stream.hunting) {
      ProbeResult probe = probe_apdu(rest);
      if (probe == ProbeResult::NeedMoreData) break;
      if (probe == ProbeResult::NoMatch) {
        ++consumed;
        if (++stream.hunted_bytes % kMaxApduSize == 0) count_violation();
        continue;
      }
      stream.hunting = false;
      stream.hunted_bytes = 0;
    }
    FrameResult frame = frame_apdu(rest);
    if (frame.status == FrameStatus::NeedMoreData) break;
    if (frame.status == FrameStatus::Malformed) {
      report(ctx, frame.anomaly);
      count_violation();
      stream.hunting = true;  // the hunt skips this byte
      continue;
    }
    if (rest.size() < frame.apdu_size) break;
    handle_apdu(ctx, dir, rest.first(frame.apdu_size));
    consumed += frame.apdu_size;
  }
  return consumed;
}

void Iec104Session::handle_apdu(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Apdu apdu = parse_apdu(bytes);
  if (apdu.anomaly != Anomaly::None) report(ctx, apdu.anomaly);
  bool valid = apdu.anomaly == Anomaly::None;
  switch (apdu.format) {
    case FrameFormat::I:
      valid = handle_i_format(ctx, dir, apdu) && valid;
      break;
    case FrameFormat::U:
      valid = handle_u_format(ctx, dir, apdu) && valid;
      break;
    case FrameFormat::S:
      break;  // acknowledgements only: no event
  }
  if (is_structural(apdu.anomaly)) {
    count_violation();
    return;
  }
  consecutive_violations_ = 0;
  if (!valid) return;
  Stream& stream = streams_[index_of(dir)];
  ++stream.valid_apdus;
  if (apdu.format == FrameFormat::I) stream.valid_i_format = true;
  if (confirmed_) return;
  bool both_sent_data = streams_[0].valid_i_format && streams_[1].valid_i_format;
  bool started =
      startdt_requested_ && dir == Direction::FromServer && apdu.u_function == UFunction::StartDtCon;
  // The roles are said by what confirmed the flow: the STARTDT handshake, data both ways, or one side's APDUs.
  if (started) {
    confirm(ctx, kStartDtActEvent, kStartDtConEvent);
  } else if (both_sent_data) {
    confirm(ctx, kIFormatEvent, kIFormatEvent);
  } else if (stream.valid_apdus >= kConfirmAfterValidApdus) {
    confirm(ctx, kApduEvent, kApduEvent);
  }
}

bool Iec104Session::handle_i_format(const FlowContext& ctx, Direction dir, const Apdu& apdu) {
  bool valid = check_sequence(ctx, dir, apdu.send_seq);
  if (apdu.anomaly == Anomaly::InvalidLength) return false;  // no ASDU to report
  const Asdu& asdu = apdu.asdu;
  bool objects_walkable = !is_structural(apdu.anomaly);
  sink_.operation(ctx, kProtocol, dir == Direction::FromClient ? Side::Client : Side::Server,
                  make_i_operation(dir, asdu, objects_walkable));
  Anomaly direction = check_direction(dir, asdu);
  if (direction != Anomaly::None) {
    report(ctx, direction);
    valid = false;
  }
  if (objects_walkable) note_common_address(ctx, asdu.common_address);
  return valid;
}

bool Iec104Session::handle_u_format(const FlowContext& ctx, Direction dir, const Apdu& apdu) {
  if (apdu.u_function == UFunction::None) return false;
  auto control = static_cast<uint8_t>(apdu.u_function);
  Operation op;
  op.code = kUFormatCodeBase + control;
  op.name = u_function_name(apdu.u_function);
  op.is_request = apdu.u_function == UFunction::StartDtAct || apdu.u_function == UFunction::StopDtAct ||
                  apdu.u_function == UFunction::TestFrAct;
  op.is_write = apdu.u_function == UFunction::StartDtAct || apdu.u_function == UFunction::StopDtAct;
  sink_.operation(ctx, kProtocol, dir == Direction::FromClient ? Side::Client : Side::Server, op);
  Anomaly direction = check_u_direction(dir, apdu.u_function);
  if (direction != Anomaly::None) {
    report(ctx, direction);
    return false;
  }
  if (apdu.anomaly == Anomaly::None && apdu.u_function == UFunction::StartDtAct) startdt_requested_ = true;
  return true;
}

bool Iec104Session::check_sequence(const FlowContext& ctx, Direction dir, uint16_t send_seq) {
  Stream& stream = streams_[index_of(dir)];
  bool in_order = !stream.send_seq_known || send_seq == stream.expected_send_seq;
  stream.send_seq_known = true;
  stream.expected_send_seq = static_cast<uint16_t>((send_seq + 1) % kSequenceModulus);
  if (!in_order) report(ctx, Anomaly::SequenceError);
  return in_order;
}

void Iec104Session::note_common_address(const FlowContext& ctx, uint16_t common_address) {
  if (common_address == 0 || common_address == kGlobalCommonAddress) return;
  auto end = common_addresses_.begin() + common_address_count_;
  if (std::find(common_addresses_.begin(), end, common_address) != end) return;
  if (common_address_count_ == common_addresses_.size()) return;
  common_addresses_[common_address_count_++] = common_address;
  if (confirmed_) report_common_address(ctx, common_address);
}

void Iec104Session::report_common_address(const FlowContext& ctx, uint16_t common_address) {
  constexpr std::string_view kPrefix = "CASDU ";
  char text[16];
  std::memcpy(text, kPrefix.data(), kPrefix.size());
  // A uint16_t always fits: to_chars cannot fail here.
  const char* end = std::to_chars(text + kPrefix.size(), text + sizeof text, common_address).ptr;
  sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Description,
                 std::string_view(text, static_cast<size_t>(end - text)), kCommonAddressEvent);
}

void Iec104Session::confirm(const FlowContext& ctx, std::string_view client_event, std::string_view server_event) {
  confirmed_ = true;
  sink_.protocol_confirmed(ctx, kProtocol);
  sink_.identity(ctx, kProtocol, Side::Client, IdentityField::Role, "controlling station", client_event);
  sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Role, "controlled station", server_event);
  for (size_t i = 0; i < common_address_count_; ++i) report_common_address(ctx, common_addresses_[i]);
}

void Iec104Session::gap(const FlowContext&, Direction dir, uint64_t) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  stream.buffer.clear();
  stream.hunting = true;
  stream.hunted_bytes = 0;
  stream.send_seq_known = false;  // the lost bytes may have held I-format APDUs
}

void Iec104Session::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  if (!rejected_ && !stream.buffer.empty() && !stream.hunting) report(ctx, Anomaly::TruncatedApdu);
  stream.buffer.clear();
}

void Iec104Session::count_violation() {
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void Iec104Session::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::iec104
