#include "dissectors/s7commplus/s7commplus_session.h"

#include <algorithm>
#include <cstdio>

#include "dissectors/s7commplus/s7commplus_tables.h"

namespace ots::s7commplus {

namespace {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// TLS record types (change cipher spec … application data) followed by major version 3.
bool looks_like_tls(Bytes message) {
  return message.size() >= 3 && message[0] >= 0x14 && message[0] <= 0x17 && message[1] == 0x03;
}

template <typename... Args>
std::string_view format_into(std::span<char> buffer, const char* fmt, Args... args) {
  int n = std::snprintf(buffer.data(), buffer.size(), fmt, args...);
  if (n < 0) return {};
  return {buffer.data(), std::min(static_cast<size_t>(n), buffer.size() - 1)};
}

// Identity provenance (the message that said it).
constexpr std::string_view kCreateObjectEvent = "S7comm-plus CreateObject reply";
constexpr std::string_view kReplyEvent = "S7comm-plus reply";
constexpr std::string_view kRequestEvent = "S7comm-plus request";
constexpr std::string_view kFrameEvent = "S7comm-plus keep-alive / system event";

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
  DirectionState& st = dirs_[index(dir)];
  st.fragments.clear();
  st.fragment_overflow = false;
  report_unmatched_ = false;  // the lost bytes may have held requests
}

void Session::end(const FlowContext&, Direction) {}

// ---- Transport -----------------------------------------------------------------------------------

void Session::on_control_tpdu(Direction, const iso::CotpPdu&) {
  // Connection set-up carries only TSAPs ("SIMATIC-ROOT-ES"); the probe already used them.
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
  if (message.empty() || rejected_) return;  // DT without user data (an ISO-level keep-alive)
  if (message[0] != kProtocolId) {
    if (looks_like_tls(message) && (tls_started_ || frame_seen_)) {
      if (!encrypted_reported_) anomaly(Anomaly::Encrypted);
      encrypted_reported_ = true;
      return;
    }
    if (!frame_seen_) {
      rejected_ = true;  // classic S7comm, MMS …: another dissector's flow
      return;
    }
    violation(Anomaly::InvalidHeader);
    return;
  }
  Frame frame;
  if (Anomaly a = parse_frame(message, frame); a != Anomaly::None) {
    if (a == Anomaly::IntegrityUnparsed) {
      anomaly(a);
    } else {
      violation(a);
    }
    return;
  }
  frame_seen_ = true;
  violations_ = 0;
  if (frame.version <= version::kV3) versions_seen_ |= static_cast<uint8_t>(1u << frame.version);
  DirectionState& st = dirs_[index(dir)];
  if (frame.version == version::kKeepAlive || frame.version == version::kSystemEvent) {
    ++st.valid_frames;
    maybe_confirm(dir);
    return;
  }
  if (!frame.has_trailer || !st.fragments.empty() || st.fragment_overflow) {
    // A message spread over several frames: each carries its own header, the last one the trailer.
    if (!st.fragment_overflow) {
      if (st.fragments.size() + frame.data.size() > SessionLimits::kMaxMessageBytes) {
        anomaly(Anomaly::ReassemblyOverflow);
        st.fragments.clear();
        st.fragment_overflow = true;
      } else {
        st.fragments.insert(st.fragments.end(), frame.data.begin(), frame.data.end());
      }
    }
    if (!frame.has_trailer) return;
    const bool overflowed = st.fragment_overflow;
    st.fragment_overflow = false;
    if (!overflowed) handle_data(dir, st.fragments);
    st.fragments.clear();
    return;
  }
  handle_data(dir, frame.data);
}

// ---- Messages ------------------------------------------------------------------------------------

void Session::handle_data(Direction dir, Bytes data) {
  DataHeader header;
  if (Anomaly a = parse_data_header(data, header); a != Anomaly::None) {
    violation(a);
    return;
  }
  DirectionState& st = dirs_[index(dir)];
  ++st.valid_frames;
  st.message_seen = true;
  maybe_confirm(dir);
  if (header.opcode == opcode::kRequest) {
    handle_request(dir, header);
  } else if (header.opcode == opcode::kNotification) {
    Operation op;
    op.code = kNotificationCode;
    op.name = kNotificationName;
    op.is_request = false;
    operation(dir, op);
  } else {
    handle_response(dir, header);
  }
}

void Session::describe_request(const DataHeader& header, Operation& op, Pending& pending) {
  std::array<char, kObjectCapacity> text{};
  const Bytes body = header.body;
  // Writes addressed to the session object itself are the session handshake, not PLC data.
  auto on_session = [&](uint32_t object_id) {
    return object_id != 0 && (object_id == header.session_id || is_session_object(object_id));
  };
  switch (header.function) {
    case function::kGetMultiVariables:
    case function::kSetMultiVariables: {
      MultiVariableRequest request;
      if (Anomaly a = parse_multi_variable_request(body, request); a != Anomaly::None) {
        anomaly(a);
        return;
      }
      op.quantity = request.item_count;
      if (on_session(request.object_id)) {
        op.is_write = false;
        pending.set_object("ServerSession");
      } else if (request.object_id == 0 && request.has_first) {
        if (auto db = data_block_number(request.first.access_area)) op.unit = *db;
        pending.set_object(format_item_address(request.first, text));
      } else if (request.has_first) {
        pending.set_object(format_into(text, "object 0x%X attr %u", unsigned{request.object_id},
                                       unsigned{request.first_attribute}));
      }
      break;
    }
    case function::kCreateObject: {
      CreateObjectRequest request;
      if (Anomaly a = parse_create_object_request(body, request); a != Anomaly::None) {
        anomaly(a);
        return;
      }
      pending.class_id = request.class_id;
      if (is_session_management_class(request.class_id)) {
        op.is_write = false;
        pending.set_object(request.class_id == ids::kClassServerSession ? "ServerSession" : "Subscription");
      } else if (request.request_id == ids::kThePlcProgram) {
        pending.set_object(format_into(text, "PLC program class %u", unsigned{request.class_id}));
      } else {
        pending.set_object(
            format_into(text, "class %u in 0x%X", unsigned{request.class_id}, unsigned{request.request_id}));
      }
      break;
    }
    case function::kDeleteObject:
    case function::kSetVariable:
    case function::kGetVariable:
    case function::kSetVarSubStreamed:
    case function::kGetVarSubStreamed:
    case function::kExplore:
    case function::kGetLink:
    case function::kAddLink:
    case function::kRemoveLink:
    case function::kInvoke: {
      uint32_t object_id = 0;
      if (Anomaly a = parse_object_id(body, object_id); a != Anomaly::None) {
        anomaly(a);
        return;
      }
      if (on_session(object_id)) {
        op.is_write = false;
        pending.set_object("ServerSession");
      } else {
        pending.set_object(format_into(text, "object 0x%X", unsigned{object_id}));
      }
      break;
    }
    case function::kInitSsl: tls_started_ = true; break;
    default: break;
  }
}

void Session::handle_request(Direction dir, const DataHeader& header) {
  Operation op;
  op.code = header.function;
  op.is_request = true;
  if (const FunctionInfo* f = find_function(header.function)) {
    op.name = f->name;
    op.is_write = f->is_write;
  } else {
    op.name = "Unknown";
    anomaly(Anomaly::UnknownFunction);
  }
  Pending& pending = new_pending(header.sequence);
  describe_request(header, op, pending);
  pending.function = header.function;
  pending.name = op.name;
  pending.is_write = op.is_write;
  pending.unit = op.unit;
  pending.quantity = op.quantity;
  op.object = pending.object_view();
  operation(dir, op);
}

void Session::handle_response(Direction dir, const DataHeader& header) {
  std::optional<Pending> request = take_pending(header.sequence);
  const FunctionInfo* f = find_function(header.function);
  Operation op;
  op.code = header.function;
  op.is_request = false;
  if (request) {
    op.name = request->name;
    op.is_write = request->is_write;
    op.unit = request->unit;
    op.quantity = request->quantity;
    op.object = request->object_view();
    if (f && f->is_error) op.name = f->name;
  } else {
    if (report_unmatched_) anomaly(Anomaly::UnmatchedResponse);
    op.name = f ? f->name : std::string_view{"Unknown"};
    op.is_write = f && f->is_write;
  }
  if (!f) anomaly(Anomaly::UnknownFunction);
  ByteReader body(header.body);
  const uint64_t return_value = read_varuint64(body);
  op.is_error = (f && f->is_error) || (body.ok() && return_value_is_error(return_value));

  if (header.function == function::kCreateObject && !op.is_error) {
    CreateObjectResponse created;
    if (Anomaly a = parse_create_object_response(header.body, created); a != Anomaly::None) {
      anomaly(a);
    } else if (request && is_session_management_class(request->class_id) && created.object_count > 0) {
      remember_session_object(created.first_object_id);
      if (request->class_id == ids::kClassServerSession) session_id_ = created.first_object_id;
    }
    // A new session answers with the PLC's session-version string: order number and firmware.
    std::string_view paom = find_wstring_attribute(header.body, ids::kSessionVersionPaomString);
    if (auto identity_text = parse_paom_string(paom); identity_text && confirmed_) {
      identity(Side::Server, IdentityField::OrderNumber, identity_text->order_number, kCreateObjectEvent);
      if (!identity_text->firmware.empty()) {
        identity(Side::Server, IdentityField::FirmwareVersion, identity_text->firmware, kCreateObjectEvent);
      }
    }
  }
  operation(dir, op);
}

void Session::remember_session_object(uint32_t object_id) {
  if (object_id == 0 || is_session_object(object_id)) return;
  session_objects_[session_object_next_] = object_id;
  session_object_next_ = (session_object_next_ + 1) % session_objects_.size();
}

bool Session::is_session_object(uint32_t object_id) const {
  return object_id != 0 &&
         (object_id == session_id_ ||
          std::find(session_objects_.begin(), session_objects_.end(), object_id) != session_objects_.end());
}

// ---- Pending requests ----------------------------------------------------------------------------

Session::Pending& Session::new_pending(uint16_t sequence) {
  Pending* slot = nullptr;
  for (Pending& p : pending_) {
    if (p.sequence == sequence) {
      slot = &p;  // a retransmitted or reused sequence number replaces the old request
      break;
    }
  }
  if (!slot && pending_.size() < SessionLimits::kMaxPending) slot = &pending_.emplace_back();
  if (!slot) {  // full: the oldest request is forgotten
    slot = std::min_element(pending_.begin(), pending_.end(),
                            [](const Pending& a, const Pending& b) { return a.age < b.age; });
  }
  *slot = Pending{};
  slot->sequence = sequence;
  slot->age = ++pending_age_;
  return *slot;
}

std::optional<Session::Pending> Session::take_pending(uint16_t sequence) {
  for (Pending& p : pending_) {
    if (p.sequence == sequence) {
      Pending out = p;
      p = pending_.back();
      pending_.pop_back();
      return out;
    }
  }
  return std::nullopt;
}

// ---- Events --------------------------------------------------------------------------------------

void Session::maybe_confirm(Direction dir) {
  if (confirmed_) return;
  const bool both = dirs_[0].message_seen && dirs_[1].message_seen;
  const bool other_silent = dirs_[index(dir) ^ 1].valid_frames == 0;
  if (both || (other_silent && dirs_[index(dir)].valid_frames >= SessionLimits::kConfirmOneSidedFrames)) {
    confirm();
  }
}

void Session::confirm() {
  confirmed_ = true;
  sink_.protocol_confirmed(*ctx_, kProtocolName);
  // Said by what confirmed the flow: the PLC's messages, else the requests sent to it, else bare frames
  // (keep-alives, system events) of a one-sided capture.
  std::string_view said = kFrameEvent;
  if (dirs_[index(Direction::FromServer)].message_seen) {
    said = kReplyEvent;
  } else if (dirs_[index(Direction::FromClient)].message_seen) {
    said = kRequestEvent;
  }
  identity(Side::Server, IdentityField::Vendor, "Siemens", said);
  identity(Side::Server, IdentityField::DeviceType, "PLC", said);
}

void Session::anomaly(Anomaly a) { sink_.anomaly(*ctx_, kProtocolName, anomaly_name(a)); }

void Session::violation(Anomaly a) {
  anomaly(a);
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

}  // namespace ots::s7commplus
