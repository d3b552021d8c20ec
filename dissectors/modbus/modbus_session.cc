#include "dissectors/modbus/modbus_session.h"

#include <algorithm>

namespace ots::modbus {
namespace {

constexpr std::string_view kProtocol = "modbus";
constexpr std::string_view kUnknownFunction = "Unknown Function";
constexpr size_t kMinServerIdText = 4;
// Identity provenance (the message that said it).
constexpr std::string_view kRequestEvent = "Modbus request";
constexpr std::string_view kReplyEvent = "Modbus reply";
constexpr std::string_view kDeviceIdEvent = "Read Device Identification reply";
constexpr std::string_view kServerIdEvent = "Report Server ID reply";

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }

// Device-identification strings: trimmed of padding; dropped when empty or binary.
std::string_view clean_text(Bytes bytes) {
  std::string_view text = as_chars(bytes);
  auto is_padding = [](char c) { return c == ' ' || c == '\0'; };
  while (!text.empty() && is_padding(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_padding(text.back())) text.remove_suffix(1);
  bool binary = std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
  return binary ? std::string_view{} : text;
}

Operation make_operation(const MbapHeader& header, const Pdu& pdu, bool is_request) {
  Operation op;
  op.code = pdu.function_code;
  op.name = function_name(pdu.function_code);
  if (op.name.empty()) op.name = kUnknownFunction;
  op.is_request = is_request;
  op.is_write = is_write(pdu.function_code, pdu.has_sub_function, pdu.sub_function);
  op.is_error = pdu.is_exception || pdu.is_umas_error;
  op.has_range = pdu.has_range;
  op.address = pdu.address;
  op.quantity = pdu.quantity;
  op.unit = header.unit_id;
  if (pdu.has_sub_function) op.object = sub_function_name(pdu.function_code, pdu.sub_function);
  return op;
}

}  // namespace

void ModbusSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  Stream& stream = streams_[index_of(dir)];
  stream.seen_data = true;
  while (!bytes.empty() && !rejected_) {
    if (stream.buffer.empty()) {
      // Common case: whole ADUs straight from the segment, no copy.
      bytes = bytes.subspan(scan(ctx, dir, bytes));
      if (rejected_) return;
      // What scan() left is less than one ADU (it consumes every whole one).
      stream.buffer.append(bytes);
      return;
    }
    size_t take = std::min(bytes.size(), kMaxAduSize - stream.buffer.size());
    stream.buffer.append(bytes.first(take));
    bytes = bytes.subspan(take);
    // A full buffer always holds a whole ADU or a byte to skip, so each round makes progress.
    stream.buffer.consume(scan(ctx, dir, stream.buffer.view()));
  }
}

size_t ModbusSession::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    if (stream.hunting) {
      ProbeResult probe = probe_header(dir, rest);
      if (probe == ProbeResult::NeedMoreData) break;
      if (probe == ProbeResult::NoMatch) {
        ++consumed;
        if (++stream.hunted_bytes % kMaxAduSize == 0) count_violation();
        continue;
      }
      stream.hunting = false;
      stream.hunted_bytes = 0;
    }
    MbapResult mbap = parse_mbap(rest);
    if (mbap.status == MbapStatus::NeedMoreData) break;
    if (mbap.status == MbapStatus::Malformed) {
      report(ctx, mbap.anomaly);
      count_violation();
      stream.hunting = true;  // the hunt skips this header
      continue;
    }
    size_t adu_size = mbap.header.adu_size();
    if (rest.size() < adu_size) break;
    handle_adu(ctx, dir, mbap.header, rest.subspan(kMbapHeaderSize, mbap.header.pdu_size()));
    consumed += adu_size;
  }
  return consumed;
}

void ModbusSession::handle_adu(const FlowContext& ctx, Direction dir, const MbapHeader& header, Bytes pdu_bytes) {
  bool valid = true;
  if (header.length > kMaxSpecLength) {
    report(ctx, Anomaly::InvalidLength);
    valid = false;
  }
  bool from_client = dir == Direction::FromClient;
  Pdu pdu = from_client ? parse_request(pdu_bytes) : parse_response(pdu_bytes);
  if (pdu.anomaly != Anomaly::None) {
    report(ctx, pdu.anomaly);
    valid = false;
  }
  bool matched_valid_request = false;
  if (from_client) {
    handle_request(ctx, header, pdu);
  } else {
    matched_valid_request = handle_response(ctx, header, pdu);
  }
  if (!valid) {
    count_violation();
    return;
  }
  consecutive_violations_ = 0;
  Stream& stream = streams_[index_of(dir)];
  ++stream.valid_adus;
  const Stream& other = streams_[index_of(from_client ? Direction::FromServer : Direction::FromClient)];
  bool one_sided = stream.valid_adus >= kConfirmAfterOneSidedAdus && !other.seen_data;
  if (!confirmed_ && (matched_valid_request || one_sided)) {
    // The roles are said by the messages seen: both sides' for a matched pair, this side's alone otherwise.
    std::string_view said = from_client ? kRequestEvent : kReplyEvent;
    confirm(ctx, matched_valid_request ? kRequestEvent : said, matched_valid_request ? kReplyEvent : said);
  }
}

void ModbusSession::handle_request(const FlowContext& ctx, const MbapHeader& header, const Pdu& pdu) {
  sink_.operation(ctx, kProtocol, Side::Client, make_operation(header, pdu, true));
  remember(ctx, pdu, header.transaction_id);
}

void ModbusSession::remember(const FlowContext& ctx, const Pdu& pdu, uint16_t transaction_id) {
  // A reused transaction id is kept as its own entry (clients that always send 0, application
  // retries); responses match the oldest request with their id first.
  PendingRequest* slot = nullptr;
  if (pending_.size() == kMaxPendingRequests) {
    // Drop requests that will never be answered (e.g. broadcasts) before blaming the peer.
    auto expired = [&](const PendingRequest& p) { return ctx.ts_ns - p.ts_ns > kPendingTimeoutNs; };
    pending_.truncate(static_cast<size_t>(std::remove_if(pending_.begin(), pending_.end(), expired) -
                                          pending_.begin()));
    if (pending_.size() == kMaxPendingRequests) {
      report(ctx, Anomaly::TooManyPendingRequests);
      auto by_sequence = [](const PendingRequest& a, const PendingRequest& b) { return a.sequence < b.sequence; };
      slot = std::min_element(pending_.begin(), pending_.end(), by_sequence);
    }
  }
  if (!slot) slot = &pending_.emplace_back();
  slot->sequence = next_sequence_++;
  slot->ts_ns = ctx.ts_ns;
  slot->transaction_id = transaction_id;
  slot->request = pdu;
}

bool ModbusSession::handle_response(const FlowContext& ctx, const MbapHeader& header, const Pdu& pdu) {
  Operation op = make_operation(header, pdu, false);
  auto end = pending_.end();
  auto match = end;
  for (auto it = pending_.begin(); it != end; ++it) {
    bool answers = it->transaction_id == header.transaction_id && it->request.function_code == pdu.function_code;
    if (answers && (match == end || it->sequence < match->sequence)) match = it;
  }
  bool agrees = false;
  if (match == end) {
    // Nothing to blame while the client side is unseen (one-sided capture, or a capture
    // that starts with a response) or just lost bytes.
    bool requests_visible = streams_[index_of(Direction::FromClient)].seen_data;
    if (requests_visible && !tolerate_unmatched_) report(ctx, Anomaly::UnmatchedResponse);
  } else {
    const Pdu& request = match->request;
    // The response answers the request: it shares its sub-function, range and write nature.
    if (!pdu.has_sub_function && request.has_sub_function) {
      op.object = sub_function_name(request.function_code, request.sub_function);
    }
    if (!pdu.has_range && request.has_range) {
      op.has_range = true;
      op.address = request.address;
      op.quantity = request.quantity;
    }
    op.is_write = is_write(request.function_code, request.has_sub_function, request.sub_function);
    Anomaly disagreement = check_response(request, pdu);
    if (disagreement != Anomaly::None) report(ctx, disagreement);
    agrees = request.anomaly == Anomaly::None && disagreement == Anomaly::None;
    *match = pending_.back();
    pending_.pop_back();
    tolerate_unmatched_ = false;
  }
  sink_.operation(ctx, kProtocol, Side::Server, op);
  if (pdu.anomaly == Anomaly::None && !pdu.is_exception) report_identity(ctx, pdu);
  return agrees;
}

void ModbusSession::report_identity(const FlowContext& ctx, const Pdu& pdu) {
  auto emit = [&](IdentityField field, std::string_view value, std::string_view event) {
    if (!value.empty()) sink_.identity(ctx, kProtocol, Side::Server, field, value, event);
  };
  if (pdu.function_code == kFcReportServerId) {
    emit(IdentityField::Description, longest_printable_run(pdu.server_id_data, kMinServerIdText), kServerIdEvent);
    return;
  }
  if (pdu.function_code != kFcEncapsulatedInterface || pdu.sub_function != kMeiReadDeviceId) return;
  ByteReader list(pdu.object_list);
  DeviceIdObject object;
  while (next_device_object(list, object)) {
    std::string_view value = clean_text(object.value);
    if (value.empty()) continue;
    switch (object.id) {
      case 0: emit(IdentityField::Vendor, value, kDeviceIdEvent); break;
      case 1: emit(IdentityField::OrderNumber, value, kDeviceIdEvent); break;
      case 2: emit(IdentityField::FirmwareVersion, value, kDeviceIdEvent); break;
      case 4:
        emit(IdentityField::ProductName, value, kDeviceIdEvent);
        product_name_reported_ = true;
        break;
      case 5:
        if (!product_name_reported_) emit(IdentityField::ProductName, value, kDeviceIdEvent);
        break;
      case 6: emit(IdentityField::Hostname, value, kDeviceIdEvent); break;
      default: break;  // VendorUrl, reserved and private objects have no inventory field
    }
  }
}

void ModbusSession::confirm(const FlowContext& ctx, std::string_view client_event, std::string_view server_event) {
  confirmed_ = true;
  sink_.protocol_confirmed(ctx, kProtocol);
  sink_.identity(ctx, kProtocol, Side::Client, IdentityField::Role, "master", client_event);
  sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Role, "slave", server_event);
}

void ModbusSession::gap(const FlowContext&, Direction dir, uint64_t) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  stream.buffer.clear();
  stream.hunting = true;
  stream.hunted_bytes = 0;
  // Responses in a server-side gap are lost: their requests would only age out as anomalies.
  if (dir == Direction::FromServer) pending_.clear();
  // Either way, responses to requests we never saw (or just forgot) are expected for a while.
  tolerate_unmatched_ = true;
}

void ModbusSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  if (!rejected_ && !stream.buffer.empty() && !stream.hunting) report(ctx, Anomaly::TruncatedPdu);
  stream.buffer.clear();
}

void ModbusSession::count_violation() {
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void ModbusSession::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::modbus
