#include "dissectors/bacnet/bacnet_session.h"

#include <algorithm>
#include <charconv>

namespace ots::bacnet {
namespace {

// Scratch for decoded strings. The sink copies each value before the next one is decoded, so
// one buffer per thread serves every session instead of 1.1 KB in each.
thread_local std::array<char, 512> text_scratch;      // decoded CharacterString
thread_local std::array<char, 600> composed_scratch;  // prefixed Description values

constexpr std::string_view kUnknownName = "unknown";
// Identity provenance (the message that said it).
constexpr std::string_view kIAmEvent = "BACnet I-Am";
constexpr std::string_view kWhoAmIEvent = "BACnet Who-Am-I";
constexpr std::string_view kReadPropertyEvent = "BACnet ReadProperty reply";
constexpr std::string_view kReadPropertyMultipleEvent = "BACnet ReadPropertyMultiple reply";

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }
Direction opposite(Direction dir) {
  return dir == Direction::FromClient ? Direction::FromServer : Direction::FromClient;
}

bool is_response(uint8_t type) {
  return type == pdu::kSimpleAck || type == pdu::kComplexAck || type == pdu::kError || type == pdu::kReject ||
         type == pdu::kAbort;
}

// The direction that sent the confirmed request a response PDU answers (or, for a client's
// Abort, the aborting requester itself).
Direction requester_of(const Apdu& apdu, Direction dir) {
  return apdu.type == pdu::kAbort && !apdu.sent_by_server ? dir : opposite(dir);
}

bool is_private_transfer(const Apdu& apdu) {
  return apdu.has_service &&
         apdu.service == (apdu.type == pdu::kUnconfirmedRequest ? unconfirmed::kPrivateTransfer
                                                                : confirmed::kPrivateTransfer);
}

// Fills the protocol-neutral shape from what the service carried.
void describe(const Apdu& apdu, const ServiceDetails& details, Operation& op) {
  if (details.has_limits) {
    op.has_range = true;
    op.address = details.low_limit;
    op.quantity = details.high_limit >= details.low_limit ? details.high_limit - details.low_limit + 1 : 0;
  } else if (details.has_object) {
    op.has_range = true;
    op.address = details.object.instance;
    op.quantity = std::max<uint32_t>(1, details.property_count);
  }
  if (details.property_count == 1) op.object = property_name(details.property);
  if (details.has_state) {
    const StateName& state = apdu.service == confirmed::kReinitializeDevice
                                 ? kReinitializeStates[details.state]
                                 : kCommunicationStates[details.state];
    op.object = details.has_password ? state.with_password : state.plain;
  }
  if (details.has_duration && !op.has_range) op.quantity = details.duration_minutes;
  if (details.has_error) {
    op.object = error_code_name(details.error_code);
    if (op.object.empty()) op.object = name_at(kErrorClasses, details.error_class);
  }
  if (apdu.type == pdu::kReject) op.object = name_at(kRejectReasons, apdu.reason);
  if (apdu.type == pdu::kAbort) op.object = name_at(kAbortReasons, apdu.reason);
}

}  // namespace

void Session::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_) return;
  Anomaly anomaly = handle_datagram(ctx, dir, bytes);
  if (anomaly != Anomaly::None) {
    report(ctx, anomaly);
    if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
    return;
  }
  consecutive_violations_ = 0;
  if (!confirmed_ && ++valid_datagrams_ >= kConfirmAfterValidDatagrams) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

Anomaly Session::handle_datagram(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Bvlc header;
  if (Anomaly a = parse_bvlc(bytes, header); a != Anomaly::None) return a;
  // Reported, yet not a violation by itself: the message is read from the datagram's bytes.
  if (header.length_mismatch) report(ctx, Anomaly::InvalidBvlcLength);
  Message m{ctx, dir, !header.forwarded};
  if (!header.has_npdu) {
    handle_bvll(m, header);
    return Anomaly::None;
  }
  Npdu npdu;
  if (Anomaly a = parse_npdu(header.npdu, npdu); a != Anomaly::None) return a;
  m.attributable = m.attributable && !npdu.has_source;
  if (npdu.is_network_message) return handle_network_message(m, npdu);
  return handle_apdu(m, npdu.body);
}

void Session::handle_bvll(const Message& m, const Bvlc& header) {
  const BvlcFunction& function = kBvlcFunctions[header.function];
  Operation op;
  op.code = kBvlcCodeBase + header.function;
  op.name = function.name;
  op.is_write = function.is_write;
  switch (header.function) {
    case bvlc::kResult:
      op.is_request = false;
      op.is_error = header.result_code != 0;
      op.object = find_name(kBvlcResults, header.result_code);
      break;
    case bvlc::kReadBdtAck:
    case bvlc::kReadFdtAck:
      op.is_request = false;
      op.quantity = header.table_entries;
      break;
    case bvlc::kWriteBdt:
    case bvlc::kDeleteFdtEntry:
      op.quantity = header.table_entries;
      break;
    case bvlc::kRegisterForeignDevice:
      op.quantity = header.time_to_live;
      break;
    default:
      break;
  }
  sink_.operation(m.ctx, kProtocol, side_of(m.dir), op);
}

Anomaly Session::handle_network_message(const Message& m, const Npdu& npdu) {
  NetworkMessage message;
  Anomaly result = parse_network_message(npdu, message);
  Operation op;
  op.code = kNetworkCodeBase + message.type;
  op.name = find_name(kNetworkMessages, message.type);
  if (op.name.empty()) {
    op.name = message.type >= npdu::kFirstProprietaryMessage ? kProprietaryNetworkMessage : kUnknownName;
  }
  op.is_request = message.type != kRejectMessageToNetwork && message.type != kInitializeRoutingTableAck;
  op.is_error = message.type == kRejectMessageToNetwork;
  op.is_write = is_write_network_message(message.type);
  if (message.network_count > 0) {
    op.has_range = true;
    op.address = message.first_network;
    op.quantity = message.network_count;
  }
  if (message.type >= npdu::kFirstProprietaryMessage) op.unit = npdu.vendor_id;
  if (op.is_error) op.object = name_at(kNetworkRejectReasons, message.reason);
  sink_.operation(m.ctx, kProtocol, side_of(m.dir), op);
  return result;
}

Anomaly Session::handle_apdu(const Message& m, Bytes bytes) {
  Apdu apdu;
  if (Anomaly a = parse_apdu(bytes, apdu); a != Anomaly::None) return a;
  const Service* service =
      apdu.has_service ? find_service(apdu.type != pdu::kUnconfirmedRequest, apdu.service) : nullptr;
  // Later segments continue parameters that started in the first one: nothing to decode alone.
  bool continuation = apdu.segmented && apdu.sequence_number != 0;
  Anomaly result = Anomaly::None;
  ServiceDetails details;
  if (apdu.has_service && !service) {
    result = Anomaly::UnknownService;
  } else if (!continuation) {
    result = decode_service(apdu, apdu.segmented && apdu.more_follows, details);
  }

  Operation op;
  op.is_request = apdu.type == pdu::kConfirmedRequest || apdu.type == pdu::kUnconfirmedRequest;
  op.is_error = apdu.type == pdu::kError || apdu.type == pdu::kReject || apdu.type == pdu::kAbort;
  if (apdu.has_service) {
    op.code = apdu.type == pdu::kUnconfirmedRequest ? kUnconfirmedCodeBase + apdu.service : apdu.service;
    op.name = service ? service->name : kUnknownName;
    op.is_write = service && service->is_write;
  } else {
    op.code = kPduCodeBase + apdu.type;
    op.name = kPduTypeNames[apdu.type];
  }
  describe(apdu, details, op);
  // The device the operation concerns: named by the message, else the serving side's.
  if (details.has_device) {
    op.unit = details.device.instance;
  } else if (is_private_transfer(apdu)) {  // whose vendor-defined service it is
    op.unit = details.vendor_id;
  } else if (details.has_object && details.object.type == kObjectTypeDevice) {
    op.unit = details.object.instance;
  } else {
    Side serving = side_of(apdu.type == pdu::kConfirmedRequest ? opposite(m.dir) : m.dir);
    if (knows_device_[static_cast<size_t>(serving)]) op.unit = device_instance_[static_cast<size_t>(serving)];
  }

  if (apdu.type == pdu::kConfirmedRequest) {
    sent_requests_[index_of(m.dir)] = true;
    if (service && !continuation) remember(m, apdu, op, details);
  } else if (is_response(apdu.type)) {
    handle_response(m, apdu, op);
  }
  sink_.operation(m.ctx, kProtocol, side_of(m.dir), op);
  if (result == Anomaly::None) report_identity(m, apdu, details);
  return result;
}

void Session::handle_response(const Message& m, const Apdu& apdu, Operation& op) {
  Direction requester = requester_of(apdu, m.dir);
  Pending* request = find_pending(requester, apdu.invoke_id, apdu);
  if (!request) {
    // Nothing to blame while that direction has sent no request (one-sided capture, replies
    // to requests before the capture started).
    if (sent_requests_[index_of(requester)]) report(m.ctx, Anomaly::UnmatchedResponse);
    return;
  }
  const Service& service = kConfirmedServices[request->service];
  if (!apdu.has_service) {  // Reject / Abort name no service: their request does
    op.code = request->service;
    op.name = service.name;
  }
  op.is_write = service.is_write;
  if (!op.has_range && request->has_object) {
    op.has_range = true;
    op.address = request->object.instance;
    op.quantity = request->quantity;
  }
  if (op.object.empty()) op.object = request->object_name;
  // A segmented ACK completes its request with the last segment.
  if (!(apdu.type == pdu::kComplexAck && apdu.more_follows)) forget(request);
}

void Session::remember(const Message& m, const Apdu& apdu, const Operation& op,
                       const ServiceDetails& details) {
  if (pending_.size() == kMaxPendingRequests) {
    // Requests never answered (lost, or the reply fell outside the capture) age out first.
    auto expired = [&](const Pending& p) { return m.ctx.ts_ns - p.ts_ns > kPendingTimeoutNs; };
    pending_.truncate(static_cast<size_t>(std::remove_if(pending_.begin(), pending_.end(), expired) -
                                          pending_.begin()));
  }
  if (pending_.size() == kMaxPendingRequests) {
    auto by_age = [](const Pending& a, const Pending& b) { return a.sequence < b.sequence; };
    forget(std::min_element(pending_.begin(), pending_.end(), by_age));
  }
  Pending& entry = pending_.emplace_back();
  entry.sequence = next_sequence_++;
  entry.ts_ns = m.ctx.ts_ns;
  entry.invoke_id = apdu.invoke_id;
  entry.requester = m.dir;
  entry.service = apdu.service;
  entry.has_object = details.has_object;
  entry.object = details.object;
  entry.quantity = op.quantity;
  entry.object_name = op.object;
}

Session::Pending* Session::find_pending(Direction requester, uint8_t invoke_id, const Apdu& apdu) {
  Pending* oldest = nullptr;
  for (Pending& p : pending_) {
    bool answers = p.requester == requester && p.invoke_id == invoke_id &&
                   (!apdu.has_service || p.service == apdu.service);
    if (answers && (!oldest || p.sequence < oldest->sequence)) oldest = &p;
  }
  return oldest;
}

void Session::forget(Pending* entry) {
  *entry = pending_.back();
  pending_.pop_back();
}

void Session::learn_device(const Message& m, uint32_t instance) {
  auto side = static_cast<size_t>(side_of(m.dir));
  knows_device_[side] = true;
  device_instance_[side] = instance;
}

void Session::report_identity(const Message& m, const Apdu& apdu, const ServiceDetails& details) {
  if (!m.attributable) return;
  auto vendor = [&](uint32_t id, std::string_view event) {
    std::string_view name = vendor_name(id);
    emit(m, IdentityField::Vendor, name.empty() ? compose("BACnet vendor ", id) : name, event);
  };
  if (apdu.type == pdu::kUnconfirmedRequest && apdu.service == unconfirmed::kIAm) {
    learn_device(m, details.device.instance);
    emit(m, IdentityField::Description, compose("device instance ", details.device.instance), kIAmEvent);
    vendor(details.vendor_id, kIAmEvent);
  } else if (apdu.type == pdu::kUnconfirmedRequest && apdu.service == unconfirmed::kWhoAmI) {
    // A device asking for its identity describes itself.
    vendor(details.vendor_id, kWhoAmIEvent);
    emit(m, IdentityField::ProductName, decode_text(details.model_name, text_scratch), kWhoAmIEvent);
    emit(m, IdentityField::SerialNumber, decode_text(details.serial_number, text_scratch), kWhoAmIEvent);
  } else if (apdu.type == pdu::kComplexAck) {
    if (details.has_object && details.object.type == kObjectTypeDevice)
      learn_device(m, details.object.instance);
    // Only the ReadProperty and ReadPropertyMultiple ACKs carry property values.
    std::string_view event =
        apdu.service == confirmed::kReadPropertyMultiple ? kReadPropertyMultipleEvent : kReadPropertyEvent;
    for (size_t i = 0; i < details.value_count; ++i) report_property_value(m, details.values[i], event);
  }
}

void Session::report_property_value(const Message& m, const PropertyValue& value, std::string_view event) {
  if (value.property == property::kVendorIdentifier) {
    uint32_t id = 0;
    if (!value.value.is_application(app_tag::kUnsigned) || !read_unsigned(value.value.value, id)) return;
    std::string_view name = vendor_name(id);
    emit(m, IdentityField::Vendor, name.empty() ? compose("BACnet vendor ", id) : name, event);
    return;
  }
  if (!value.value.is_application(app_tag::kCharacterString)) return;
  std::string_view text = decode_text(value.value.value, text_scratch);
  if (text.empty()) return;
  switch (value.property) {
    case property::kVendorName:
      emit(m, IdentityField::Vendor, text, event);
      break;
    case property::kModelName:
      emit(m, IdentityField::ProductName, text, event);
      break;
    case property::kFirmwareRevision:
      emit(m, IdentityField::FirmwareVersion, text, event);
      break;
    case property::kObjectName:
      emit(m, IdentityField::Hostname, text, event);
      break;
    case property::kSerialNumber:
      emit(m, IdentityField::SerialNumber, text, event);
      break;
    case property::kDescription:
      emit(m, IdentityField::Description, text, event);
      break;
    case property::kApplicationSoftwareVersion:
      emit(m, IdentityField::Description, compose("application software ", text), event);
      break;
    case property::kLocation:
      emit(m, IdentityField::Description, compose("location ", text), event);
      break;
    default:
      break;
  }
}

void Session::emit(const Message& m, IdentityField field, std::string_view value, std::string_view event) {
  if (!value.empty()) sink_.identity(m.ctx, kProtocol, side_of(m.dir), field, value, event);
}

std::string_view Session::compose(std::string_view prefix, std::string_view text) {
  size_t n = std::min(prefix.size() + text.size(), composed_scratch.size());
  std::copy(prefix.begin(), prefix.end(), composed_scratch.begin());
  std::copy_n(text.begin(), n - prefix.size(),
              composed_scratch.begin() + static_cast<std::ptrdiff_t>(prefix.size()));
  return {composed_scratch.data(), n};
}

std::string_view Session::compose(std::string_view prefix, uint32_t number) {
  char digits[10];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, number);
  return compose(prefix, std::string_view(digits, static_cast<size_t>(end - digits)));
}

void Session::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<Session>(sink); }

ProbeResult probe(Direction, Bytes payload) {
  if (payload.size() < kBvlcHeaderSize) return ProbeResult::NeedMoreData;
  return plausible_bvlc(payload) ? ProbeResult::Match : ProbeResult::NoMatch;
}

}  // namespace ots::bacnet
