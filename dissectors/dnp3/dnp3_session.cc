#include "dissectors/dnp3/dnp3_session.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace ots::dnp3 {
namespace {

constexpr std::string_view kProtocol = "dnp3";
constexpr uint8_t kIpProtocolUdp = 17;

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
Direction other(Direction dir) {
  return dir == Direction::FromClient ? Direction::FromServer : Direction::FromClient;
}
Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }
size_t index_of(Side side) { return static_cast<size_t>(side); }

// Range of the first object header: a start/stop range, or an index list's first index and count.
void set_range(Operation& op, const ObjectHeader& header) {
  if (!header.has_first_index) return;
  op.has_range = true;
  op.address = header.first_index;
  op.quantity = static_cast<uint32_t>(std::min<uint64_t>(header.count, UINT32_MAX));
}

// Device-attribute strings: trimmed of padding; dropped when empty or binary.
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

// Which inventory field a group-0 device attribute fills (visible strings only).
bool attribute_field(uint8_t variation, IdentityField& field) {
  switch (variation) {
    case 252:
      field = IdentityField::Vendor;
      return true;
    case 250:
      field = IdentityField::ProductName;
      return true;
    case 242:
      field = IdentityField::FirmwareVersion;
      return true;
    case 243:
      field = IdentityField::HardwareRevision;
      return true;
    case 248:
      field = IdentityField::SerialNumber;
      return true;
    case 247:
      field = IdentityField::Hostname;
      return true;
    case 245:
      field = IdentityField::Description;
      return true;
    default:
      return false;
  }
}

// Identity provenance: the response that carried IIN1.7 / group-0 device attributes. A solicited
// Response (129) carrying group 0 answers a Read; IIN1.7 rides on any response.
std::string_view restart_event(uint8_t function) {
  switch (function) {
    case kFcUnsolicitedResponse: return "DNP3 Unsolicited Response (IIN1.7 Device Restart)";
    case kFcAuthenticateResponse: return "DNP3 Authenticate Response (IIN1.7 Device Restart)";
    default: return "DNP3 Response (IIN1.7 Device Restart)";
  }
}

std::string_view attributes_event(uint8_t function) {
  switch (function) {
    case kFcUnsolicitedResponse: return "DNP3 Unsolicited Response (device attributes g0)";
    case kFcAuthenticateResponse: return "DNP3 Authenticate Response (device attributes g0)";
    default: return "DNP3 Read reply (device attributes g0)";
  }
}

constexpr std::string_view kRoleEvent = "DNP3 link frame (DIR bit)";
constexpr std::string_view kAddressEvent = "DNP3 link frame (source address)";

}  // namespace

// ---- Framing ----

void Dnp3Session::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  Stream& stream = streams_[index_of(dir)];
  stream.seen_data = true;
  if (ctx.transport == kIpProtocolUdp) {
    data_datagram(ctx, dir, bytes);
    return;
  }
  while (!bytes.empty() && !rejected_) {
    if (stream.buffer.empty()) {
      // Common case: whole frames straight from the segment, no copy.
      bytes = bytes.subspan(scan(ctx, dir, bytes));
      if (rejected_) return;
      // What scan() left is less than one frame (it consumes every whole one).
      stream.buffer.append(bytes);
      return;
    }
    size_t take = std::min(bytes.size(), kMaxFrameSize - stream.buffer.size());
    stream.buffer.append(bytes.first(take));
    bytes = bytes.subspan(take);
    // A full buffer always holds a whole frame or a byte to skip, so each round makes progress.
    stream.buffer.consume(scan(ctx, dir, stream.buffer.view()));
  }
}

void Dnp3Session::data_datagram(const FlowContext& ctx, Direction dir, Bytes datagram) {
  while (!datagram.empty() && !rejected_) {
    LinkHeaderResult link = parse_link_header(datagram);
    size_t frame_size = link.header.frame_size();
    if (link.status == LinkStatus::Ok && frame_size <= datagram.size()) {
      handle_frame(ctx, dir, link.header, datagram.first(frame_size));
      datagram = datagram.subspan(frame_size);
      continue;
    }
    if (link.status == LinkStatus::Malformed) {
      report(ctx, link.anomaly);
      count_violation();
      // A bad header CRC is still framed by LEN when the datagram holds that much.
      if (link.anomaly != Anomaly::BadLinkCrc || frame_size > datagram.size()) return;
    } else {
      report(ctx, Anomaly::InvalidLength);  // the datagram ends inside a frame
      count_violation();
      return;
    }
    datagram = datagram.subspan(frame_size);
  }
}

size_t Dnp3Session::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    if (stream.hunting) {
      ProbeResult probe = probe_link_header(rest);
      if (probe == ProbeResult::NeedMoreData) break;
      if (probe == ProbeResult::NoMatch) {
        ++consumed;
        if (++stream.hunted_bytes % kMaxFrameSize == 0) count_violation();
        continue;
      }
      stream.hunting = false;
      stream.hunted_bytes = 0;
    }
    LinkHeaderResult link = parse_link_header(rest);
    if (link.status == LinkStatus::NeedMoreData) break;
    size_t frame_size = link.header.frame_size();
    if (link.status == LinkStatus::Malformed) {
      if (link.anomaly == Anomaly::BadLinkCrc) {
        // Still framed by LEN so the stream stays in sync (wait for the whole frame first).
        if (rest.size() < frame_size) break;
        consumed += frame_size;
      } else {
        stream.hunting = true;  // the hunt skips this header
      }
      report(ctx, link.anomaly);
      count_violation();
      continue;
    }
    if (rest.size() < frame_size) break;
    handle_frame(ctx, dir, link.header, rest.first(frame_size));
    consumed += frame_size;
  }
  return consumed;
}

// ---- Link and transport ----

void Dnp3Session::handle_frame(const FlowContext& ctx, Direction dir, const LinkHeader& header, Bytes frame) {
  Anomaly invalid = check_link_header(header);
  if (invalid != Anomaly::None) {
    report(ctx, invalid);
    count_violation();
    return;
  }
  std::array<uint8_t, kMaxUserData> user_data;  // the frame's user data without its block CRCs
  if (header.carries_user_data()) {
    Anomaly crc = extract_user_data(header, frame, user_data.data());
    if (crc != Anomaly::None) {
      report(ctx, crc);
      count_violation();
      // The addresses are trustworthy (header CRC); what this pair was reassembling is lost.
      Reassembly& reassembly = reassembly_for(dir, header.source, header.destination);
      reassembly.in_progress = false;
      reassembly.synced = false;
      return;
    }
  }
  consecutive_violations_ = 0;
  ++streams_[index_of(dir)].valid_frames;
  note_peer(ctx, dir, header);
  maybe_confirm(ctx);
  if (header.carries_user_data())
    handle_segment(ctx, dir, header, Bytes(user_data.data(), header.user_data_size()));
}

Dnp3Session::Reassembly& Dnp3Session::reassembly_for(Direction dir, uint16_t source, uint16_t destination) {
  auto& reassemblies = streams_[index_of(dir)].reassemblies;
  Reassembly* chosen = nullptr;
  for (Reassembly& r : reassemblies) {
    if (r.source == source && r.destination == destination) {
      chosen = &r;
      break;
    }
  }
  if (!chosen) {
    // A new slot, else the least recently used pair gives way.
    if (reassemblies.size() < kReassembliesPerDirection) {
      chosen = &reassemblies.emplace_back();
    } else {
      chosen = std::min_element(reassemblies.begin(), reassemblies.end(),
                                [](const Reassembly& a, const Reassembly& b) { return a.last_used < b.last_used; });
    }
    chosen->source = source;
    chosen->destination = destination;
    chosen->synced = false;
    chosen->in_progress = false;
    chosen->fragment.clear();
  }
  chosen->last_used = ++reassembly_clock_;
  return *chosen;
}

void Dnp3Session::handle_segment(const FlowContext& ctx, Direction dir, const LinkHeader& header,
                                 Bytes segment) {
  TransportHeader transport = decode_transport_header(segment[0]);
  Bytes payload = segment.subspan(1);
  Reassembly& r = reassembly_for(dir, header.source, header.destination);
  if (transport.fir) {
    if (r.in_progress) report(ctx, Anomaly::TransportSequenceError);  // the unfinished fragment is abandoned
    r.synced = true;
    r.in_progress = false;
    r.last_sequence = transport.sequence;
    r.fragment.clear();
    if (transport.fin) {
      handle_fragment(ctx, dir, header, payload);  // single-segment fragment: no copy
      return;
    }
    r.fragment.assign(payload.begin(), payload.end());
    r.in_progress = true;
    return;
  }
  if (!r.in_progress) {
    // Repeats of the last segment are dropped; anything else has lost its first segment.
    if (r.synced && transport.sequence != r.last_sequence) report(ctx, Anomaly::TransportSequenceError);
    return;
  }
  if (transport.sequence == r.last_sequence) return;  // a repeat
  // After an error the pair waits silently for the next first segment (no cascade of anomalies).
  if (transport.sequence != (r.last_sequence + 1) % kTransportSequenceModulo) {
    report(ctx, Anomaly::TransportSequenceError);
    r.in_progress = false;
    r.synced = false;
    return;
  }
  r.last_sequence = transport.sequence;
  if (r.fragment.size() + payload.size() > kMaxFragmentSize) {
    report(ctx, Anomaly::ReassemblyOverflow);
    r.in_progress = false;
    r.synced = false;
    r.fragment.clear();
    return;
  }
  r.fragment.insert(r.fragment.end(), payload.begin(), payload.end());
  if (!transport.fin) return;
  r.in_progress = false;
  handle_fragment(ctx, dir, header, r.fragment);
}

// ---- Application ----

void Dnp3Session::handle_fragment(const FlowContext& ctx, Direction dir, const LinkHeader& header,
                                  Bytes bytes) {
  Fragment fragment = parse_fragment(bytes);
  report_fragment_anomalies(ctx, fragment);
  if (fragment.anomaly == Anomaly::InvalidLength || fragment.anomaly == Anomaly::InvalidFunctionCode) return;

  Side side = side_of(dir);
  Operation op;
  op.code = fragment.function;
  op.name = function_name(fragment.function);
  op.is_request = !fragment.is_response;
  op.is_write = is_write(fragment);
  op.unit = fragment.is_response ? header.source : header.destination;
  if (fragment.has_first_object) {
    set_range(op, fragment.first_object);
    op.object = object_name(fragment.first_object.group, fragment.first_object.variation);
  }
  if (fragment.is_response) {
    handle_response(ctx, dir, header, fragment, op);
  } else {
    sink_.operation(ctx, kProtocol, side, op);
    if (expects_response(fragment.function) && header.destination < kBroadcastMin)
      remember(header, fragment, op);
  }
  if (fragment.anomaly == Anomaly::None) fragment_parsed_ = true;
  maybe_confirm(ctx);
  if (fragment.is_response && confirmed_) {
    report_restart(ctx, side, fragment.iin, restart_event(fragment.function));
    report_attributes(ctx, side, fragment);
  }
}

void Dnp3Session::report_fragment_anomalies(const FlowContext& ctx, const Fragment& fragment) {
  if (fragment.iin & iin::kReserved) report(ctx, Anomaly::ReservedIinSet);
  if (fragment.anomaly == Anomaly::None) return;
  if (fragment.anomaly == Anomaly::UnknownObject) {
    auto key = static_cast<uint16_t>(fragment.unknown_group << 8 | fragment.unknown_variation);
    auto known = unknown_objects_.begin() + unknown_object_count_;
    if (std::find(unknown_objects_.begin(), known, key) != known) return;
    if (unknown_object_count_ < unknown_objects_.size()) unknown_objects_[unknown_object_count_++] = key;
  }
  report(ctx, fragment.anomaly);
}

void Dnp3Session::remember(const LinkHeader& header, const Fragment& fragment, const Operation& op) {
  PendingRequest* slot = nullptr;
  if (pending_.size() == kMaxPendingRequests) {
    // Requests that were never answered give way to new ones, oldest first.
    slot = std::min_element(pending_.begin(), pending_.end(),
                            [](const auto& a, const auto& b) { return a.order < b.order; });
  } else {
    slot = &pending_.emplace_back();
  }
  slot->order = next_order_++;
  slot->master = header.source;
  slot->outstation = header.destination;
  slot->app_sequence = fragment.control.sequence;
  slot->continuing = false;
  slot->request = op;
}

void Dnp3Session::handle_response(const FlowContext& ctx, Direction dir, const LinkHeader& header,
                                  const Fragment& fragment, Operation& op) {
  if (fragment.iin & iin::kErrors) {
    op.is_error = true;
    op.object = iin_error_name(fragment.iin);
  }
  if (fragment.function != kFcUnsolicitedResponse) {
    auto end = pending_.end();
    auto match = end;
    for (auto it = pending_.begin(); it != end; ++it) {
      bool answers = it->outstation == header.source && it->master == header.destination &&
                     it->app_sequence == fragment.control.sequence && it->continuing == !fragment.control.fir;
      if (answers && (match == end || it->order < match->order)) match = it;
    }
    if (match == end) {
      // Nothing to blame while the requesting side is unseen (one-sided capture) or just lost bytes.
      if (streams_[index_of(other(dir))].seen_data && !tolerate_unmatched_)
        report(ctx, Anomaly::UnmatchedResponse);
    } else {
      const Operation& request = match->request;
      op.is_write = request.is_write;
      if (!fragment.has_first_object && !op.is_error) {
        op.has_range = request.has_range;
        op.address = request.address;
        op.quantity = request.quantity;
        op.object = request.object;
      }
      tolerate_unmatched_ = false;
      bool challenge = fragment.function == kFcAuthenticateResponse && request.code != kFcAuthenticateRequest;
      if (!fragment.control.fin) {
        match->continuing = true;
        match->app_sequence = (fragment.control.sequence + 1) % kAppSequenceModulo;
      } else if (!challenge) {
        *match = pending_.back();
        pending_.pop_back();
      }
    }
  }
  sink_.operation(ctx, kProtocol, side_of(dir), op);
}

void Dnp3Session::report_restart(const FlowContext& ctx, Side side, uint16_t iin, std::string_view event) {
  Peer& peer = peers_[index_of(side)];
  bool restarted = (iin & iin::kDeviceRestart) != 0;
  // Only changes are news; a device never seen restarting is not reported as "running".
  if (restarted == peer.restarted && (peer.restart_known || !restarted)) return;
  peer.restart_known = true;
  peer.restarted = restarted;
  sink_.identity(ctx, kProtocol, side, IdentityField::CpuState, restarted ? "restarted" : "running", event);
}

void Dnp3Session::report_attributes(const FlowContext& ctx, Side side, const Fragment& fragment) {
  if (!fragment.has_device_attributes) return;  // spares most responses a second walk
  DeviceAttributeReader reader(fragment.objects, fragment.function);
  DeviceAttribute attribute;
  while (reader.next(attribute)) {
    IdentityField field;
    if (attribute.data_type != kAttributeVisibleString || !attribute_field(attribute.variation, field))
      continue;
    std::string_view value = clean_text(attribute.value);
    if (!value.empty()) sink_.identity(ctx, kProtocol, side, field, value, attributes_event(fragment.function));
  }
}

// ---- Identity of the two sides ----

void Dnp3Session::note_peer(const FlowContext& ctx, Direction dir, const LinkHeader& header) {
  Peer& peer = peers_[index_of(side_of(dir))];
  if (!peer.role_known) {
    peer.role_known = true;
    peer.is_master = header.control.dir;
  }
  auto end = peer.addresses.begin() + peer.address_count;
  bool known = std::find(peer.addresses.begin(), end, header.source) != end;
  if (!known && header.source < kReservedAddressMin && peer.address_count < peer.addresses.size()) {
    peer.addresses[peer.address_count++] = header.source;
  }
  if (confirmed_) report_peer_identities(ctx);
}

void Dnp3Session::report_peer_identities(const FlowContext& ctx) {
  for (Side side : {Side::Client, Side::Server}) {
    Peer& peer = peers_[index_of(side)];
    if (peer.role_known && !peer.role_reported) {
      peer.role_reported = true;
      sink_.identity(ctx, kProtocol, side, IdentityField::Role, peer.is_master ? "master" : "outstation", kRoleEvent);
    }
    for (; peer.addresses_reported < peer.address_count; ++peer.addresses_reported) {
      char text[32] = "DNP3 address ";
      size_t prefix = std::strlen(text);
      auto [end, ec] =
          std::to_chars(text + prefix, text + sizeof text, peer.addresses[peer.addresses_reported]);
      if (ec != std::errc{}) continue;
      sink_.identity(ctx, kProtocol, side, IdentityField::Description,
                     std::string_view(text, static_cast<size_t>(end - text)), kAddressEvent);
    }
  }
}

void Dnp3Session::maybe_confirm(const FlowContext& ctx) {
  if (confirmed_) return;
  const Stream& client = streams_[index_of(Direction::FromClient)];
  const Stream& server = streams_[index_of(Direction::FromServer)];
  bool both_sides = client.valid_frames > 0 && server.valid_frames > 0 && fragment_parsed_;
  bool one_sided = (client.valid_frames >= kConfirmAfterOneSidedFrames && !server.seen_data) ||
                   (server.valid_frames >= kConfirmAfterOneSidedFrames && !client.seen_data);
  if (!both_sides && !one_sided) return;
  confirmed_ = true;
  sink_.protocol_confirmed(ctx, kProtocol);
  report_peer_identities(ctx);
}

// ---- Stream events ----

void Dnp3Session::gap(const FlowContext&, Direction dir, uint64_t) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  stream.buffer.clear();
  stream.hunting = true;
  stream.hunted_bytes = 0;
  for (Reassembly& r : stream.reassemblies) {
    r.in_progress = false;
    r.synced = false;
  }
  // Requests or responses were lost: forget what is outstanding and excuse strays for a while.
  pending_.clear();
  tolerate_unmatched_ = true;
}

void Dnp3Session::end(const FlowContext&, Direction dir) {
  // A partial frame at the end of a capture or connection is not evidence of anything.
  streams_[index_of(dir)].buffer.clear();
}

void Dnp3Session::count_violation() {
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void Dnp3Session::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

}  // namespace ots::dnp3
