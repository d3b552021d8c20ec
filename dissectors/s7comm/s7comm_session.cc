#include "dissectors/s7comm/s7comm_session.h"

#include <algorithm>
#include <cstdio>

#include "dissectors/s7comm/s7comm_tables.h"
#include "inventory/module_fact.h"

namespace ots::s7comm {

namespace {

// Gives a drained buffer's memory back: most messages arrive whole, so a flow should not keep
// the largest one it ever had to assemble.
void release(std::vector<uint8_t>& buffer) { std::vector<uint8_t>().swap(buffer); }

constexpr size_t kResyncWindow = 6;  // bytes plausible_tpkt_start() needs

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

bool is_framing_violation(Anomaly a) {
  return a == Anomaly::InvalidTpktLength || a == Anomaly::InvalidCotp || a == Anomaly::InvalidProtocolId ||
         a == Anomaly::InvalidRosctr || a == Anomaly::LengthMismatch || a == Anomaly::Truncated;
}

std::string_view mode_name(std::span<const std::pair<uint8_t, std::string_view>> table, uint8_t mode) {
  for (const auto& [code, name] : table) {
    if (code == mode) return name;
  }
  return {};
}

// Identity provenance (the message that said it).
constexpr std::string_view kModeTransitionEvent = "Mode Transition push";
constexpr std::string_view kReplyEvent = "S7comm reply";
constexpr std::string_view kConnectRequestEvent = "COTP Connection Request";
constexpr std::string_view kConnectConfirmEvent = "COTP Connection Confirm";

std::string_view szl_event(uint16_t id) {
  switch (id) {
    case szl::kModuleIdentificationAll: return "Read SZL 0x0011 reply (module identification)";
    case szl::kModuleIdentificationOne: return "Read SZL 0x0111 reply (module identification)";
    case szl::kComponentIdentificationAll: return "Read SZL 0x001C reply (component identification)";
    case szl::kComponentIdentificationOne: return "Read SZL 0x011C reply (component identification)";
    case szl::kCurrentModeTransition: return "Read SZL 0x0424 reply (CPU state)";
    default: return "Read SZL reply";
  }
}

}  // namespace

void Session::Pending::set_object(std::string_view text) {
  object_length = static_cast<uint8_t>(std::min(text.size(), object.size()));
  std::copy_n(text.data(), object_length, object.data());
}

// ---- Stream framing ------------------------------------------------------------------------------

void Session::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_) return;
  ctx_ = &ctx;
  DirectionState& st = dirs_[index(dir)];
  while (!bytes.empty() && !rejected_) {
    if (st.lost_sync) {
      bytes = resync(dir, bytes);
      continue;
    }
    if (!st.partial.empty()) {
      bytes = complete_partial(dir, bytes);
      continue;
    }
    // Common path: whole TPKTs straight from the segment, without copying.
    TpktFrame frame = tpkt_frame(bytes);
    if (frame.status == TpktStatus::Invalid) {
      violation(Anomaly::InvalidTpktLength);
      st.lost_sync = true;
      st.resync_skipped = 0;
      continue;
    }
    if (frame.status == TpktStatus::NeedMore) {
      st.partial.assign(bytes.begin(), bytes.end());  // < 64 KiB: bounded by the TPKT length field
      break;
    }
    handle_tpkt(dir, bytes.first(frame.length));
    bytes = bytes.subspan(frame.length);
  }
}

Bytes Session::complete_partial(Direction dir, Bytes bytes) {
  DirectionState& st = dirs_[index(dir)];
  std::vector<uint8_t>& p = st.partial;
  if (p.size() < kTpktHeaderSize) {
    size_t take = std::min(kTpktHeaderSize - p.size(), bytes.size());
    p.insert(p.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    if (p.size() < kTpktHeaderSize) return bytes;
  }
  TpktFrame frame = tpkt_frame(p);
  if (frame.status == TpktStatus::Invalid) {
    violation(Anomaly::InvalidTpktLength);
    release(p);
    st.lost_sync = true;
    st.resync_skipped = 0;
    return bytes;
  }
  size_t take = std::min(frame.length - p.size(), bytes.size());
  p.insert(p.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
  bytes = bytes.subspan(take);
  if (p.size() == frame.length) {
    handle_tpkt(dir, p);
    release(p);
  }
  return bytes;
}

// Looks for the next plausible TPKT header; the last few unscanned bytes wait in `partial`.
Bytes Session::resync(Direction dir, Bytes bytes) {
  DirectionState& st = dirs_[index(dir)];
  std::vector<uint8_t>& tail = st.partial;
  if (!tail.empty()) {
    std::array<uint8_t, 2 * kResyncWindow> window{};
    size_t from_tail = tail.size();  // < kResyncWindow
    size_t from_bytes = std::min(bytes.size(), kResyncWindow);
    std::copy(tail.begin(), tail.end(), window.begin());
    std::copy_n(bytes.begin(), from_bytes, window.begin() + static_cast<std::ptrdiff_t>(from_tail));
    size_t total = from_tail + from_bytes;
    for (size_t i = 0; i < from_tail; ++i) {
      if (total - i < kResyncWindow) {
        // Not enough bytes yet to judge this position: keep waiting with everything from here.
        tail.assign(window.begin() + static_cast<std::ptrdiff_t>(i),
                    window.begin() + static_cast<std::ptrdiff_t>(total));
        st.resync_skipped += i;
        return bytes.subspan(from_bytes);
      }
      if (plausible_tpkt_start(Bytes(window).subspan(i, total - i))) {
        tail.erase(tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(i));
        st.lost_sync = false;
        return bytes;  // the header continues in `partial`
      }
    }
    st.resync_skipped += from_tail;
    release(tail);
  }
  for (size_t i = 0; i + kResyncWindow <= bytes.size(); ++i) {
    if (plausible_tpkt_start(bytes.subspan(i))) {
      st.lost_sync = false;
      return bytes.subspan(i);
    }
  }
  size_t keep = std::min(bytes.size(), kResyncWindow - 1);
  st.resync_skipped += bytes.size() - keep;
  tail.assign(bytes.end() - static_cast<std::ptrdiff_t>(keep), bytes.end());
  if (st.resync_skipped > SessionLimits::kMaxResyncSkipBytes) rejected_ = true;  // give up
  return {};
}

// ---- COTP ----------------------------------------------------------------------------------------

void Session::handle_tpkt(Direction dir, Bytes frame) {
  CotpPdu tpdu;
  Anomaly a = parse_cotp(frame.subspan(kTpktHeaderSize), tpdu);
  if (a != Anomaly::None) {
    violation(a);
    return;
  }
  switch (tpdu.type) {
    case cotp::kConnectRequest:
    case cotp::kConnectConfirm:
      if (is_s7plus_tsap(tpdu.called_tsap) || is_s7plus_tsap(tpdu.calling_tsap)) {
        leave_to_s7comm_plus();
        return;
      }
      if (tpdu.type == cotp::kConnectRequest) {
        connect_request_seen_ = true;
        rack_slot_ = rack_slot_from_tsap(tpdu.called_tsap);
      } else {
        connect_confirm_seen_ = true;
      }
      break;
    case cotp::kData: handle_data_tpdu(dir, tpdu); break;
    default: break;  // disconnect and error TPDUs carry nothing to report
  }
}

void Session::handle_data_tpdu(Direction dir, const CotpPdu& tpdu) {
  DirectionState& st = dirs_[index(dir)];
  std::vector<uint8_t>& msg = st.message;
  if (msg.empty() && !st.message_overflow && tpdu.last_data_unit) {
    handle_message(dir, tpdu.user_data);  // single-TPDU message: no copy
    return;
  }
  if (st.message_overflow) {
    st.message_overflow = !tpdu.last_data_unit;
    return;
  }
  if (msg.size() + tpdu.user_data.size() > SessionLimits::kMaxMessageBytes) {
    anomaly(Anomaly::ReassemblyOverflow);
    release(msg);
    st.message_overflow = !tpdu.last_data_unit;
    return;
  }
  msg.insert(msg.end(), tpdu.user_data.begin(), tpdu.user_data.end());
  if (tpdu.last_data_unit) {
    handle_message(dir, msg);
    release(msg);
  }
}

// ---- S7 PDUs -------------------------------------------------------------------------------------

void Session::handle_message(Direction dir, Bytes message) {
  if (!message.empty() && message[0] == kProtocolIdPlus) {
    leave_to_s7comm_plus();
    return;
  }
  S7Pdu pdu;
  Anomaly a = parse_s7_pdu(message, pdu);
  if (a != Anomaly::None) {
    violation(a);
    return;
  }
  dirs_[index(dir)].s7_seen = true;
  maybe_confirm();
  switch (pdu.rosctr) {
    case rosctr::kJob: handle_job(dir, pdu); break;
    case rosctr::kAck:
    case rosctr::kAckData: handle_ack(dir, pdu); break;
    default: handle_userdata(dir, pdu); break;
  }
}

void Session::describe_job(const S7Pdu& pdu, Operation& op, Pending& pending) {
  std::array<char, kObjectCapacity> text{};
  const uint8_t func = pdu.params[0];
  switch (func) {
    case function::kReadVar:
    case function::kWriteVar: {
      VarRequest request;
      Anomaly a = parse_var_request(pdu.params, request);
      if (a != Anomaly::None) {
        anomaly(a);
        return;
      }
      pending.item_count = request.item_count;
      const VarAddress& first = request.first;
      if (first.is_s7any()) {
        op.has_range = true;
        op.unit =
            first.area == area::kDataBlock || first.area == area::kInstanceDataBlock ? first.db_number : 0;
        op.address = first.byte_offset();
        op.quantity = first.length;
      }
      pending.set_object(format_address(first, text));
      if (func == function::kWriteVar) {
        DataItems items;
        Anomaly data_anomaly = parse_data_items(pdu.data, request.item_count, items);
        if (data_anomaly != Anomaly::None) anomaly(data_anomaly);
      }
      break;
    }
    case function::kSetupCommunication: {
      SetupCommunication setup;
      if (Anomaly a = parse_setup_communication(pdu.params, setup); a != Anomaly::None) anomaly(a);
      break;
    }
    case function::kRequestDownload:
    case function::kDownloadBlock:
    case function::kDownloadEnded:
    case function::kStartUpload:
    case function::kUpload:
    case function::kEndUpload: {
      BlockTransfer transfer;
      if (Anomaly a = parse_block_transfer(pdu.params, transfer); a != Anomaly::None) {
        anomaly(a);
        return;
      }
      std::string_view block = format_block_name(transfer.filename, text);
      pending.set_object(block.empty() ? transfer.filename : block);
      break;
    }
    case function::kPiService: {
      PiServiceCall call;
      if (Anomaly a = parse_pi_service(pdu.params, call); a != Anomaly::None) {
        anomaly(a);
        return;
      }
      if (call.service == "P_PROGRAM") {
        bool cold = !call.parameter_block.empty() && call.parameter_block[0] == 'C';
        op.name = cold ? kPiColdRestart : kPiWarmRestart;
      } else if (const PiServiceName* known = find_pi_service(call.service)) {
        op.name = known->operation;
      }
      std::array<char, kObjectCapacity> block_text{};
      std::string_view block = format_block_name(call.first_block, block_text);
      int n = std::snprintf(text.data(), text.size(), "%.*s%s%.*s", static_cast<int>(call.service.size()),
                            call.service.data(), block.empty() ? "" : " ", static_cast<int>(block.size()),
                            block.data());
      pending.set_object({text.data(), std::min(static_cast<size_t>(std::max(n, 0)), text.size() - 1)});
      break;
    }
    case function::kPlcStop: {
      std::string_view service;
      if (Anomaly a = parse_plc_stop(pdu.params, service); a != Anomaly::None) {
        anomaly(a);
        return;
      }
      pending.set_object(service);
      break;
    }
    default: break;
  }
}

void Session::handle_job(Direction dir, const S7Pdu& pdu) {
  if (pdu.params.empty()) {
    anomaly(Anomaly::Truncated);
    return;
  }
  const uint8_t func = pdu.params[0];
  Operation op;
  op.code = func;
  op.is_request = true;
  if (const JobFunction* f = find_job_function(func)) {
    op.name = f->name;
    op.is_write = f->is_write;
  } else {
    op.name = "Unknown";
    anomaly(Anomaly::UnknownFunction);
  }
  Pending& pending = new_pending(dir, pdu.pdu_ref, false);
  describe_job(pdu, op, pending);
  op.object = pending.object_view();
  pending.code = op.code;
  pending.name = op.name;
  pending.is_write = op.is_write;
  pending.has_range = op.has_range;
  pending.unit = op.unit;
  pending.address = op.address;
  pending.quantity = op.quantity;
  operation(dir, op);
}

void Session::handle_ack(Direction dir, const S7Pdu& pdu) {
  const Pending* request = find_pending(opposite(dir), pdu.pdu_ref, false);
  Operation op;
  op.is_request = false;
  op.is_error = pdu.error_class != 0;
  const bool has_function = !pdu.params.empty();
  const uint8_t func = has_function ? pdu.params[0] : 0;
  if (request && has_function && func != request->code) {
    anomaly(Anomaly::InvalidItem);  // an answer to another function than the one asked
  }
  if (request) {
    op.code = has_function ? func : request->code;
    op.name = request->name;
    op.is_write = request->is_write;
    op.has_range = request->has_range;
    op.unit = request->unit;
    op.address = request->address;
    op.quantity = request->quantity;
    op.object = request->object_view();
  } else {
    if (report_unmatched_) anomaly(Anomaly::UnmatchedResponse);
    op.code = func;
    const JobFunction* f = has_function ? find_job_function(func) : nullptr;
    op.name = f ? f->name : std::string_view{has_function ? "Unknown" : "Ack"};
    op.is_write = f && f->is_write;
  }
  if (has_function && !find_job_function(func)) anomaly(Anomaly::UnknownFunction);
  if (pdu.rosctr == rosctr::kAckData && !op.is_error && has_function) {
    uint8_t item_count = 0;
    DataItems items;
    Anomaly a = Anomaly::None;
    switch (func) {
      case function::kReadVar:
        a = parse_var_response_params(pdu.params, item_count);
        if (a == Anomaly::None) a = parse_data_items(pdu.data, item_count, items);
        break;
      case function::kWriteVar:
        a = parse_var_response_params(pdu.params, item_count);
        if (a == Anomaly::None) a = parse_write_results(pdu.data, item_count, items);
        break;
      case function::kSetupCommunication: {
        SetupCommunication setup;
        a = parse_setup_communication(pdu.params, setup);
        break;
      }
      default: break;
    }
    if (a == Anomaly::None && request && request->item_count != 0 && item_count != 0 &&
        item_count != request->item_count) {
      a = Anomaly::InvalidItem;  // the answer does not cover the items asked for
    }
    if (a != Anomaly::None) anomaly(a);
    if (items.failed > 0) op.is_error = true;
  }
  operation(dir, op);  // op.object views the request's text: drop it only afterwards
  if (request) drop_pending(request);
}

void Session::handle_userdata(Direction dir, const S7Pdu& pdu) {
  UserdataParams params;
  if (Anomaly a = parse_userdata_params(pdu.params, params); a != Anomaly::None) {
    anomaly(a);
    return;
  }
  UserdataData data;
  if (Anomaly a = parse_userdata_data(pdu.data, data); a != Anomaly::None) anomaly(a);

  Operation op;
  op.code = kUserdataCode | uint32_t{params.group} << 8 | params.subfunction;
  const bool request = params.type == userdata_type::kRequest || params.type == userdata_type::kNcRequest;
  const bool response = params.type == userdata_type::kResponse || params.type == userdata_type::kNcResponse;
  const bool push = params.type == userdata_type::kPush || params.type == userdata_type::kNcPush;
  if (!request && !response && !push) anomaly(Anomaly::UnknownFunction);
  op.is_request = request;
  if (params.group == group::kModeTransition) {
    op.name = "Mode Transition";
  } else if (const UserdataFunction* f = find_userdata_function(params.group, params.subfunction)) {
    op.name = f->name;
    op.is_write = f->is_write;
  } else if (const UserdataGroup* g = find_userdata_group(params.group)) {
    op.name = g->name;
  } else {
    op.name = "Unknown";
    anomaly(Anomaly::UnknownFunction);
  }
  const bool read_szl =
      params.group == group::kCpuFunctions && params.subfunction == cpu_subfunction::kReadSzl;
  op.is_error =
      params.error_code != 0 || (response && data.present && data.return_code != kItemReturnSuccess);

  std::array<char, kObjectCapacity> text{};
  if (request) {
    Pending& pending = new_pending(dir, pdu.pdu_ref, true);
    SzlRequest szl;
    // Follow-up requests for further fragments carry no SZL id.
    if (read_szl && data.payload.size() >= 4 && parse_szl_request(data.payload, szl) == Anomaly::None) {
      int n = std::snprintf(text.data(), text.size(), "SZL 0x%04x index 0x%04x", szl.id, szl.index);
      pending.set_object({text.data(), static_cast<size_t>(std::max(n, 0))});
    }
    pending.code = op.code;
    pending.name = op.name;
    pending.is_write = op.is_write;
    op.object = pending.object_view();
    operation(dir, op);
    return;
  }
  const Pending* matched = nullptr;
  if (response) {
    matched = find_pending(opposite(dir), pdu.pdu_ref, true);
    if (!matched && report_unmatched_) anomaly(Anomaly::UnmatchedResponse);
    if (matched) op.object = matched->object_view();
    if (read_szl && data.present && data.return_code == kItemReturnSuccess) {
      handle_szl_response(dir, params, data.payload);
    }
  } else if (params.group == group::kModeTransition) {
    std::string_view mode = mode_name(kModeTransitions, params.subfunction);
    if (!mode.empty()) identity(side_of(dir), IdentityField::CpuState, mode, kModeTransitionEvent);
  }
  operation(dir, op);
  if (matched) drop_pending(matched);
}

// ---- SZL -----------------------------------------------------------------------------------------

void Session::handle_szl_response(Direction dir, const UserdataParams& params, Bytes payload) {
  const bool continuation =
      szl_active_ && params.extended && params.data_unit_ref == szl_unit_ref_ && szl_dir_ == dir;
  if (!continuation) {
    szl_active_ = false;
    release(szl_buffer_);
    if (params.last_data_unit) {
      process_szl(dir, payload);  // the whole list in one PDU: no copy
      return;
    }
    szl_active_ = true;
    szl_unit_ref_ = params.data_unit_ref;
    szl_dir_ = dir;
  }
  if (szl_buffer_.size() + payload.size() > SessionLimits::kMaxSzlBytes) {
    anomaly(Anomaly::ReassemblyOverflow);
    szl_active_ = false;
    release(szl_buffer_);
    return;
  }
  szl_buffer_.insert(szl_buffer_.end(), payload.begin(), payload.end());
  if (params.last_data_unit) {
    process_szl(dir, szl_buffer_);
    szl_active_ = false;
    release(szl_buffer_);
  }
}

void Session::process_szl(Direction dir, Bytes payload) {
  SzlList list;
  if (Anomaly a = parse_szl_list(payload, list); a != Anomaly::None) {
    anomaly(a);
    return;
  }
  const Side side = side_of(dir);
  const std::string_view event = szl_event(list.id);
  std::array<char, 32> text{};
  for (size_t i = 0; i < list.entry_count; ++i) {
    Bytes entry = szl_entry(list, i);
    if (entry.empty()) break;  // list cut short: the records present were used
    Anomaly a = Anomaly::None;
    if (list.id == szl::kModuleIdentificationAll || list.id == szl::kModuleIdentificationOne) {
      ModuleIdentification module;
      a = parse_module_identification(entry, module);
      if (a == Anomaly::None) {
        if (module.index == szl::kIndexModule && !module.order_number.empty()) {
          identity(side, IdentityField::OrderNumber, module.order_number, event);
        } else if (module.index == szl::kIndexBasicHardware) {
          std::string_view version = format_firmware_version(module.ausbg, module.ausbe, text);
          if (version.empty()) {
            int n = std::snprintf(text.data(), text.size(), "%u", module.ausbg);
            version = {text.data(), static_cast<size_t>(std::max(n, 0))};
          }
          identity(side, IdentityField::HardwareRevision, version, event);
        } else if (module.index == szl::kIndexBasicFirmware) {
          std::string_view version = format_firmware_version(module.ausbg, module.ausbe, text);
          if (!version.empty()) identity(side, IdentityField::FirmwareVersion, version, event);
        }
      }
    } else if (list.id == szl::kComponentIdentificationAll || list.id == szl::kComponentIdentificationOne) {
      ComponentIdentification component;
      a = parse_component_identification(entry, component);
      if (a == Anomaly::None && !component.text.empty()) {
        switch (component.index) {
          case szl::kIndexPlcName: identity(side, IdentityField::Hostname, component.text, event); break;
          case szl::kIndexModuleName: identity(side, IdentityField::ModuleName, component.text, event); break;
          case szl::kIndexSerialNumber: identity(side, IdentityField::SerialNumber, component.text, event); break;
          case szl::kIndexModuleTypeName: identity(side, IdentityField::ProductName, component.text, event); break;
          default: break;
        }
      }
    } else if (list.id == szl::kCurrentModeTransition) {
      ModeTransition mode;
      a = parse_mode_transition(entry, mode);
      std::string_view state = a == Anomaly::None ? mode_name(kSzlCpuModes, mode.requested_mode) : "";
      if (!state.empty()) identity(side, IdentityField::CpuState, state, event);
    } else {
      break;  // other lists carry no identity
    }
    if (a != Anomaly::None) {
      anomaly(a);
      break;
    }
  }
}

// ---- Request / response matching -----------------------------------------------------------------

Session::Pending& Session::new_pending(Direction dir, uint16_t pdu_ref, bool userdata) {
  Pending* slot = nullptr;
  Pending* oldest = nullptr;
  size_t in_direction = 0;
  for (Pending& p : pending_) {
    if (p.dir != dir) continue;
    if (p.pdu_ref == pdu_ref && p.userdata == userdata) {
      slot = &p;  // a repeated reference replaces the stale request
      break;
    }
    ++in_direction;
    if (!oldest || p.age < oldest->age) oldest = &p;
  }
  if (!slot) {
    // Full: the oldest request is presumed unanswered.
    slot = in_direction < SessionLimits::kMaxPendingPerDirection ? &pending_.emplace_back() : oldest;
  }
  *slot = Pending{};
  slot->dir = dir;
  slot->userdata = userdata;
  slot->pdu_ref = pdu_ref;
  slot->age = ++pending_age_;
  return *slot;
}

const Session::Pending* Session::find_pending(Direction request_dir, uint16_t pdu_ref, bool userdata) const {
  for (const Pending& p : pending_) {
    if (p.dir == request_dir && p.pdu_ref == pdu_ref && p.userdata == userdata) return &p;
  }
  return nullptr;
}

void Session::drop_pending(const Pending* answered) {
  Pending& slot = pending_[static_cast<size_t>(answered - pending_.begin())];
  if (&slot != &pending_.back()) slot = pending_.back();
  pending_.pop_back();
}

// ---- Events and limits ---------------------------------------------------------------------------

void Session::maybe_confirm() {
  if (confirmed_) return;
  bool both_directions = dirs_[0].s7_seen && dirs_[1].s7_seen;
  if (!both_directions && !(connect_request_seen_ && connect_confirm_seen_)) return;
  confirmed_ = true;
  sink_.protocol_confirmed(*ctx_, kProtocolName);
  // The server is a Siemens PLC because it answers S7 PDUs (or, before any, confirmed the connection).
  const std::string_view said = dirs_[index(Direction::FromServer)].s7_seen ? kReplyEvent : kConnectConfirmEvent;
  identity(Side::Server, IdentityField::Vendor, "Siemens", said);
  identity(Side::Server, IdentityField::DeviceType, "PLC", said);
  if (rack_slot_) {
    identity(Side::Server, IdentityField::Description,
             module_fact::describe(module_fact::rack_slot_address(rack_slot_->rack, rack_slot_->slot)),
             kConnectRequestEvent);  // its called TSAP addresses the module
  }
}

void Session::leave_to_s7comm_plus() {
  // A confirmed classic session that later carries S7comm-plus keeps its classic PDUs only.
  if (!confirmed_) rejected_ = true;
}

void Session::anomaly(Anomaly a) { sink_.anomaly(*ctx_, kProtocolName, anomaly_name(a)); }

void Session::violation(Anomaly a) {
  anomaly(a);
  if (!is_framing_violation(a)) return;
  ++violations_;
  int limit = confirmed_ ? SessionLimits::kMaxViolationsConfirmed : SessionLimits::kMaxViolationsUnconfirmed;
  if (violations_ >= limit) rejected_ = true;
}

// The fields SZL 0x0011 / 0x001C report that describe the addressed module (the PLC name and the
// CPU state describe the station).
std::string_view Session::module_attribute(IdentityField field) {
  switch (field) {
    case IdentityField::OrderNumber: return "orderNumber";
    case IdentityField::HardwareRevision: return "hardwareRevision";
    case IdentityField::FirmwareVersion: return "firmwareVersion";
    case IdentityField::ModuleName: return "moduleName";
    case IdentityField::SerialNumber: return "serialNumber";
    case IdentityField::ProductName: return "productName";
    default: return {};
  }
}

void Session::identity(Side side, IdentityField field, std::string_view value, std::string_view event) {
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
  // SZL answers describe the module the connection addresses: the CPU at the TSAP's rack and slot.
  const std::string_view attribute = module_attribute(field);
  if (side == Side::Server && rack_slot_ && !attribute.empty()) {
    sink_.identity(*ctx_, kProtocolName, side, IdentityField::Description,
                   module_fact::describe(module_fact::rack_slot_address(rack_slot_->rack, rack_slot_->slot),
                                         attribute, value),
                   event);
  }
}

void Session::operation(Direction dir, const Operation& op) {
  sink_.operation(*ctx_, kProtocolName, side_of(dir), op);
}

void Session::gap(const FlowContext& ctx, Direction dir, uint64_t) {
  if (rejected_) return;
  ctx_ = &ctx;
  DirectionState& st = dirs_[index(dir)];
  release(st.partial);
  release(st.message);
  st.message_overflow = false;
  st.lost_sync = true;
  st.resync_skipped = 0;
  if (szl_dir_ == dir) {
    szl_active_ = false;
    release(szl_buffer_);
  }
  report_unmatched_ = false;
}

void Session::end(const FlowContext& ctx, Direction dir) {
  if (rejected_) return;
  ctx_ = &ctx;
  DirectionState& st = dirs_[index(dir)];
  if ((!st.partial.empty() && !st.lost_sync) || !st.message.empty()) anomaly(Anomaly::Truncated);
  release(st.partial);
  release(st.message);
  st.message_overflow = false;
}

std::unique_ptr<DissectorSession> make_session(EventSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace ots::s7comm
