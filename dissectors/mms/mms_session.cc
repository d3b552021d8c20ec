#include "dissectors/mms/mms_session.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "dissectors/mms/mms_tables.h"

namespace ots::mms {

namespace {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// Violations of the framing layers count towards giving up; content problems only get reported.
bool is_framing_violation(Anomaly a) {
  return a == Anomaly::InvalidTpkt || a == Anomaly::InvalidCotp || a == Anomaly::InvalidSpdu ||
         a == Anomaly::UnknownSpdu || a == Anomaly::InvalidPpdu || a == Anomaly::InvalidBer;
}

constexpr std::string_view kDeviceTypeServer = "IED";
// Identity provenance (the message that said it).
constexpr std::string_view kIdentifyEvent = "MMS Identify reply";
constexpr std::string_view kInitiateEvent = "MMS Initiate reply";

}  // namespace

void Session::Pending::set_object(std::string_view text) {
  object_length = static_cast<uint8_t>(std::min(text.size(), object.size()));
  std::copy_n(text.data(), object_length, object.data());
}

// ---- Flow-layer calls ----------------------------------------------------------------------------

void Session::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_) return;
  ctx_ = &ctx;
  transport_.data(dir, bytes);
  if (transport_.gave_up()) rejected_ = true;
}

void Session::gap(const FlowContext& ctx, Direction dir, uint64_t) {
  if (rejected_) return;
  ctx_ = &ctx;
  transport_.gap(dir);
  report_unmatched_ = false;  // the lost bytes may have held requests
}

void Session::end(const FlowContext&, Direction) {}

// ---- Transport and session layer ----------------------------------------------------------------

void Session::on_control_tpdu(Direction, const iso::CotpPdu&) {
  // CR / CC carry transport selectors only; MMS identity starts in the session layer.
}

void Session::on_transport_error(Direction, iso::TransportError error) {
  switch (error) {
    case iso::TransportError::InvalidTpkt: violation(Anomaly::InvalidTpkt); break;
    case iso::TransportError::InvalidCotp: violation(Anomaly::InvalidCotp); break;
    case iso::TransportError::ReassemblyOverflow: anomaly(Anomaly::ReassemblyOverflow); break;
    case iso::TransportError::ResyncFailed: anomaly(Anomaly::ResyncFailed); break;
  }
}

void Session::on_message(Direction dir, Bytes message) {
  if (message.empty() || rejected_) return;
  if (!any_valid_ && probe_session_start(message) == ProbeResult::NoMatch) {
    rejected_ = true;  // classic S7comm (0x32), S7comm-plus (0x72) …: another dissector's flow
    return;
  }
  SessionPdu spdu;
  if (Anomaly a = parse_spdu(message, spdu); a != Anomaly::None) {
    violation(a);
    return;
  }
  switch (spdu.type) {
    case spdu::kConnect:
    case spdu::kAccept: handle_presentation(dir, spdu.user_data, true); break;
    case spdu::kDataTransfer: handle_presentation(dir, spdu.user_data, false); break;
    case spdu::kFinish:
    case spdu::kDisconnect:
      // Release: the ACSE RLRQ / RLRE in fully-encoded user data, when present.
      if (!spdu.user_data.empty()) handle_presentation(dir, spdu.user_data, false);
      break;
    case spdu::kRefuse: {
      valid_message(dir);
      Operation op;
      op.code = kAcseCodeBase + acse::kAare;
      op.name = kAcseNames[acse::kAare];
      op.is_request = false;
      op.is_error = true;
      operation(dir, op);
      break;
    }
    default: valid_message(dir); break;  // abort, not-finished: nothing to report
  }
}

void Session::handle_presentation(Direction dir, Bytes ppdu, bool connect_phase) {
  PresentationData presentation;
  if (Anomaly a = parse_presentation(ppdu, connect_phase, presentation); a != Anomaly::None) {
    violation(a);
    return;
  }
  violations_ = 0;
  if (presentation.kind == PresentationData::Kind::ConnectReject) {
    valid_message(dir);
    Operation op;
    op.code = kAcseCodeBase + acse::kAare;
    op.name = kAcseNames[acse::kAare];
    op.is_request = false;
    op.is_error = true;
    operation(dir, op);
    return;
  }
  for (size_t i = 0; i < presentation.pdv_count && !rejected_; ++i) handle_pdv(dir, presentation.pdvs[i]);
}

void Session::handle_pdv(Direction dir, Bytes pdv) {
  if (is_acse_apdu(pdv)) {
    handle_acse(dir, pdv);
  } else {
    handle_mms(dir, pdv, false);
  }
}

void Session::handle_acse(Direction dir, Bytes pdv) {
  AcseApdu apdu;
  if (Anomaly a = parse_acse(pdv, apdu); a != Anomaly::None) {
    violation(a);
    return;
  }
  const bool rejected_association = apdu.type == acse::kAare && apdu.has_result && apdu.result != 0;
  if (!apdu.user_pdu.empty() && (apdu.type == acse::kAarq || apdu.type == acse::kAare)) {
    handle_mms(dir, apdu.user_pdu, rejected_association);  // initiate-Request / -Response / -Error
    return;
  }
  valid_message(dir);
  if (apdu.type == acse::kAarq || (apdu.type == acse::kAare && !rejected_association)) return;
  Operation op;
  op.code = kAcseCodeBase + apdu.type;
  op.name = kAcseNames[apdu.type];
  op.is_request = apdu.type == acse::kRlrq || apdu.type == acse::kAbrt;
  op.is_error = rejected_association;
  operation(dir, op);
}

// ---- MMS -----------------------------------------------------------------------------------------

void Session::handle_mms(Direction dir, Bytes bytes, bool association_rejected) {
  MmsPdu pdu;
  if (Anomaly a = parse_mms_pdu(bytes, pdu); a != Anomaly::None) {
    violation(a);
    return;
  }
  valid_message(dir);
  switch (pdu.kind) {
    case pdu::kConfirmedRequest: handle_confirmed_request(dir, pdu); break;
    case pdu::kConfirmedResponse: handle_confirmed_response(dir, pdu); break;
    case pdu::kConfirmedError: handle_confirmed_error(dir, pdu); break;
    case pdu::kUnconfirmed: handle_unconfirmed(dir, pdu); break;
    default: handle_other_pdu(dir, pdu, association_rejected); break;
  }
}

void Session::handle_confirmed_request(Direction dir, const MmsPdu& pdu) {
  Operation op;
  op.code = pdu.service.tag;
  op.is_request = true;
  if (const ServiceInfo* s = find_confirmed_service(pdu.service.tag)) {
    op.name = s->name;
    op.is_write = s->is_write;
  } else {
    op.name = "Unknown";
    anomaly(Anomaly::UnknownService);
  }
  std::array<char, kObjectCapacity> text{};
  ServiceSummary summary;
  if (Anomaly a = describe_request(pdu.service, text, summary); a != Anomaly::None) anomaly(a);
  op.quantity = summary.count;
  Pending& pending = new_pending(pdu.invoke_id);
  pending.code = op.code;
  pending.name = op.name;
  pending.is_write = op.is_write;
  pending.quantity = op.quantity;
  pending.set_object(summary.object);
  op.object = pending.object_view();
  operation(dir, op);
}

void Session::handle_confirmed_response(Direction dir, const MmsPdu& pdu) {
  std::optional<Pending> request = take_pending(pdu.invoke_id);
  Operation op;
  op.is_request = false;
  if (request) {
    op.code = request->code;
    op.name = request->name;
    op.is_write = request->is_write;
    op.quantity = request->quantity;
    op.object = request->object_view();
  } else if (report_unmatched_) {
    anomaly(Anomaly::UnmatchedResponse);
  }
  if (!pdu.has_service) {
    anomaly(Anomaly::InvalidPdu);  // a response without its service result
    if (!request) op.name = "Unknown";
    operation(dir, op);
    return;
  }
  const ServiceInfo* s = find_confirmed_service(pdu.service.tag);
  if (!s) anomaly(Anomaly::UnknownService);
  if (request && request->code != pdu.service.tag) anomaly(Anomaly::InvalidPdu);  // answers another service
  if (!request) {
    op.code = pdu.service.tag;
    op.name = s ? s->name : std::string_view{"Unknown"};
    op.is_write = s && s->is_write;
  }
  ServiceSummary summary;
  if (Anomaly a = describe_response(pdu.service, summary); a != Anomaly::None) anomaly(a);
  op.is_error = summary.failures > 0;
  if (pdu.service.tag == service::kIdentify) {
    IdentifyResponse identify;
    if (Anomaly a = parse_identify_response(pdu.service, identify); a != Anomaly::None) {
      anomaly(a);
    } else {
      const Side server = side_of(dir);
      identity(server, IdentityField::Vendor, identify.vendor, kIdentifyEvent);
      identity(server, IdentityField::ProductName, identify.model, kIdentifyEvent);
      identity(server, IdentityField::FirmwareVersion, identify.revision, kIdentifyEvent);
      identity(server, IdentityField::DeviceType, kDeviceTypeServer, kIdentifyEvent);
    }
  }
  operation(dir, op);
}

void Session::handle_confirmed_error(Direction dir, const MmsPdu& pdu) {
  std::optional<Pending> request = take_pending(pdu.invoke_id);
  Operation op;
  op.is_request = false;
  op.is_error = true;
  if (request) {
    op.code = request->code;
    op.name = request->name;
    op.is_write = request->is_write;
    op.quantity = request->quantity;
    op.object = request->object_view();
  } else {
    if (report_unmatched_) anomaly(Anomaly::UnmatchedResponse);
    op.code = kPduCodeBase + pdu::kConfirmedError;
    op.name = "ConfirmedError";
  }
  operation(dir, op);
}

void Session::handle_unconfirmed(Direction dir, const MmsPdu& pdu) {
  Operation op;
  op.code = kUnconfirmedCodeBase + pdu.service.tag;
  op.is_request = false;  // unsolicited data from the server, not a request
  if (pdu.service.tag < std::size(kUnconfirmedServices)) {
    op.name = kUnconfirmedServices[pdu.service.tag];
  } else {
    op.name = "Unknown";
    anomaly(Anomaly::UnknownService);
  }
  std::array<char, kObjectCapacity> text{};
  ServiceSummary summary;
  if (Anomaly a = describe_unconfirmed(pdu.service, text, summary); a != Anomaly::None) anomaly(a);
  op.object = summary.object;
  op.quantity = summary.count;
  operation(dir, op);
}

void Session::handle_other_pdu(Direction dir, const MmsPdu& pdu, bool association_rejected) {
  Operation op;
  std::array<char, 24> text{};
  switch (pdu.kind) {
    case pdu::kInitiateRequest:
    case pdu::kInitiateResponse:
    case pdu::kInitiateError: {
      op.code = kPduCodeBase + pdu::kInitiateRequest;
      op.is_request = pdu.kind == pdu::kInitiateRequest;
      op.is_error = pdu.kind == pdu::kInitiateError || association_rejected;
      InitiateDetail detail;
      if (pdu.kind != pdu::kInitiateError) {
        if (Anomaly a = parse_initiate(pdu.body, detail); a != Anomaly::None) anomaly(a);
      }
      if (detail.has_version) {
        const int n = std::snprintf(text.data(), text.size(), "version %u", unsigned{detail.version});
        if (n > 0) op.object = {text.data(), std::min(static_cast<size_t>(n), text.size() - 1)};
      }
      if (pdu.kind == pdu::kInitiateResponse && !op.is_error) {
        identity(side_of(dir), IdentityField::DeviceType, kDeviceTypeServer, kInitiateEvent);
      }
      break;
    }
    case pdu::kConcludeRequest:
    case pdu::kConcludeResponse:
    case pdu::kConcludeError:
      op.code = kPduCodeBase + pdu::kConcludeRequest;
      op.is_request = pdu.kind == pdu::kConcludeRequest;
      op.is_error = pdu.kind == pdu::kConcludeError;
      break;
    case pdu::kCancelRequest:
    case pdu::kCancelResponse:
    case pdu::kCancelError:
      op.code = kPduCodeBase + pdu::kCancelRequest;
      op.is_request = pdu.kind == pdu::kCancelRequest;
      op.is_error = pdu.kind == pdu::kCancelError;
      if (!op.is_request) take_pending(pdu.invoke_id);  // the cancelled request gets no answer
      break;
    default:  // reject
      op.code = kPduCodeBase + pdu::kReject;
      op.is_request = false;
      op.is_error = true;
      if (pdu.has_invoke_id) take_pending(pdu.invoke_id);
      break;
  }
  op.name = pdu_name(pdu.kind);
  operation(dir, op);
}

// ---- Pending requests ----------------------------------------------------------------------------

Session::Pending& Session::new_pending(uint32_t invoke_id) {
  Pending* slot = nullptr;
  for (Pending& p : pending_) {
    if (p.invoke_id == invoke_id) {
      slot = &p;  // a reused invokeID replaces the unanswered request
      break;
    }
  }
  if (!slot && pending_.size() < SessionLimits::kMaxPending) slot = &pending_.emplace_back();
  if (!slot) {  // full: the oldest request is forgotten
    slot = std::min_element(pending_.begin(), pending_.end(),
                            [](const Pending& a, const Pending& b) { return a.age < b.age; });
  }
  *slot = Pending{};
  slot->invoke_id = invoke_id;
  slot->age = ++pending_age_;
  return *slot;
}

std::optional<Session::Pending> Session::take_pending(uint32_t invoke_id) {
  for (Pending& p : pending_) {
    if (p.invoke_id == invoke_id) {
      Pending out = p;
      p = pending_.back();
      pending_.pop_back();
      return out;
    }
  }
  return std::nullopt;
}

// ---- Events --------------------------------------------------------------------------------------

void Session::valid_message(Direction dir) {
  any_valid_ = true;
  violations_ = 0;
  ++valid_messages_[index(dir)];
  if (confirmed_) return;
  const int here = valid_messages_[index(dir)], there = valid_messages_[index(dir) ^ 1];
  if ((here > 0 && there > 0) || (there == 0 && here >= SessionLimits::kConfirmOneSidedMessages)) {
    confirmed_ = true;
    sink_.protocol_confirmed(*ctx_, kProtocolName);
  }
}

void Session::anomaly(Anomaly a) { sink_.anomaly(*ctx_, kProtocolName, anomaly_name(a)); }

void Session::violation(Anomaly a) {
  anomaly(a);
  if (!is_framing_violation(a)) return;
  ++violations_;
  const int limit =
      confirmed_ ? SessionLimits::kMaxViolationsConfirmed : SessionLimits::kMaxViolationsUnconfirmed;
  if (violations_ >= limit) rejected_ = true;
}

void Session::identity(Side side, IdentityField field, std::string_view value, std::string_view event) {
  if (value.empty()) return;
  const uint8_t key = static_cast<uint8_t>(static_cast<size_t>(side) * static_cast<size_t>(IdentityField::kCount) +
                                           static_cast<size_t>(field));
  const uint64_t h = fnv1a(value);
  auto same_fact = [key](const Reported& r) { return r.key == key; };
  Reported* reported = std::find_if(reported_.begin(), reported_.end(), same_fact);
  if (reported == reported_.end()) {
    reported = &reported_.emplace_back();
    reported->key = key;
  } else if (reported->hash == h) {
    return;
  }
  reported->hash = h;
  sink_.identity(*ctx_, kProtocolName, side, field, value, event);
}

void Session::operation(Direction dir, const Operation& op) {
  sink_.operation(*ctx_, kProtocolName, side_of(dir), op);
}

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace ots::mms
