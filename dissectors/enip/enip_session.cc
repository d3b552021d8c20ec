#include "dissectors/enip/enip_session.h"

#include <algorithm>
#include <cstdio>
#include <new>
#include <type_traits>

#include "dissectors/enip/enip_tables.h"
#include "inventory/module_fact.h"

namespace ots::enip {
namespace {

constexpr std::string_view kProtocol = "enip";
constexpr std::string_view kIoName = "I/O data";
constexpr std::string_view kSymbolObject = "Symbol";
constexpr uint8_t kIpProtoUdp = 17;
constexpr int kMaxUnwrapDepth = 1;  // Unconnected Send / Multiple_Service_Packet are unwrapped once

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

bool is_list_command(uint16_t command) {
  return command == kCmdListIdentity || command == kCmdListServices || command == kCmdListInterfaces ||
         command == kCmdLegacyListTargets;
}

bool is_connection_manager(uint16_t class_id, bool has_class) {
  return has_class && class_id == kClassConnectionManager;
}

// Device-supplied strings: trimmed of padding; dropped when empty or binary.
std::string_view clean_text(std::string_view text) {
  auto is_padding = [](char c) { return c == ' ' || c == '\0'; };
  while (!text.empty() && is_padding(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_padding(text.back())) text.remove_suffix(1);
  bool binary = std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u >= 0x7F;
  });
  return binary ? std::string_view{} : text;
}

}  // namespace

// The operations one CIP request produces, reported after the container's write nature is known.
// Room for a Multiple_Service_Packet's worth, but only the slots in use are constructed: most
// requests produce one or two operations, and initialising all of them cost more than the parse.
struct EnipSession::OperationList {
  static constexpr size_t kCapacity = 2 + kMaxEmbeddedServices;
  static_assert(std::is_trivially_destructible_v<Operation>);
  alignas(Operation) std::byte storage[kCapacity * sizeof(Operation)];
  size_t count = 0;
  Operation& operator[](size_t i) { return *std::launder(reinterpret_cast<Operation*>(storage) + i); }
  size_t push(const Operation& op) {
    if (count == kCapacity) return count - 1;  // unreachable: the unwrap limits bound the count
    new (storage + count * sizeof(Operation)) Operation(op);
    return count++;
  }
};

namespace {

Operation make_operation(uint8_t service, bool has_class, uint16_t class_id, uint32_t instance, bool symbolic,
                         bool has_pccc, uint8_t pccc_command, uint8_t pccc_function, bool contains_write,
                         bool is_request) {
  Operation op;
  op.code = service;
  op.name = service_name(service, has_class, class_id, symbolic);
  op.is_request = is_request;
  op.is_write = contains_write || (has_pccc ? is_pccc_write(pccc_command, pccc_function)
                                            : is_write_service(service, has_class, class_id, symbolic));
  op.unit = has_class ? class_id : 0;
  op.address = instance;
  if (has_pccc) op.object = pccc_function_name(pccc_command, pccc_function);
  if (op.object.empty() && has_class) op.object = class_name(class_id);
  if (op.object.empty() && symbolic && !has_class) op.object = kSymbolObject;
  return op;
}

}  // namespace

void EnipSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  if (rejected_ || bytes.empty()) return;
  Stream& stream = streams_[index_of(dir)];
  stream.seen_data = true;
  if (ctx.transport == kIpProtoUdp) {
    handle_datagram(ctx, dir, bytes);
    return;
  }
  while (!bytes.empty() && !rejected_) {
    if (stream.buffer.empty()) {
      // Common case: whole PDUs straight from the segment, no copy.
      bytes = bytes.subspan(scan(ctx, dir, bytes));
      if (rejected_ || bytes.empty()) return;
      stream.buffer.append(bytes);  // less than one PDU remains
      return;
    }
    size_t take = std::min(bytes.size(), kMaxPduSize - stream.buffer.size());
    stream.buffer.append(bytes.first(take));
    bytes = bytes.subspan(take);
    // A full buffer always holds a whole PDU or a byte to skip, so each round makes progress.
    stream.buffer.consume(scan(ctx, dir, stream.buffer.view()));
  }
}

size_t EnipSession::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    if (stream.hunting) {
      ProbeResult probe = probe_encapsulation(rest);
      if (probe == ProbeResult::NeedMoreData) break;
      if (probe == ProbeResult::NoMatch) {
        ++consumed;
        if (++stream.hunted_bytes % kHuntBytesPerViolation == 0) count_violation();
        continue;
      }
      stream.hunting = false;
      stream.hunted_bytes = 0;
    }
    EncapsulationHeader header;
    if (!parse_header(rest, header)) break;
    if (!is_known_command(header.command)) {
      // Not a PDU boundary we can trust: look for the next plausible header.
      report(ctx, Anomaly::InvalidCommand);
      count_violation();
      stream.hunting = true;
      ++consumed;
      continue;
    }
    if (rest.size() < header.pdu_size()) break;
    bool valid = handle_pdu(ctx, dir, header, rest.subspan(kHeaderSize, header.length));
    valid ? count_valid(ctx, dir) : count_violation();
    consumed += header.pdu_size();
  }
  return consumed;
}

void EnipSession::handle_datagram(const FlowContext& ctx, Direction dir, Bytes datagram) {
  IoPacket io;
  if (parse_io(datagram, io)) {
    Operation op;
    op.code = kIoOperationCode;
    op.name = kIoName;
    op.is_request = true;
    op.unit = io.connection_id;
    op.address = io.sequence;
    emit(ctx, side_of(dir), op);
    count_valid(ctx, dir);
    return;
  }
  EncapsulationHeader header;
  if (!parse_header(datagram, header)) {
    report(ctx, Anomaly::Truncated);
    count_violation();
    return;
  }
  if (!is_known_command(header.command)) {
    report(ctx, Anomaly::InvalidCommand);
    count_violation();
    return;
  }
  if (datagram.size() != header.pdu_size()) {
    report(ctx, Anomaly::LengthMismatch);
    count_violation();
    return;
  }
  handle_pdu(ctx, dir, header, datagram.subspan(kHeaderSize)) ? count_valid(ctx, dir) : count_violation();
}

bool EnipSession::handle_pdu(const FlowContext& ctx, Direction dir, const EncapsulationHeader& header, Bytes body) {
  bool valid = true;
  if (header.options != 0) {
    report(ctx, Anomaly::InvalidOptions);
    valid = false;
  }
  bool list_request = is_list_command(header.command) && header.length == 0;
  bool is_request = is_list_command(header.command) ? list_request : dir == Direction::FromClient;
  if (!is_known_encapsulation_status(header.status) || (is_request && header.status != 0)) {
    report(ctx, Anomaly::InvalidStatus);
    valid = false;
  }
  if (header.command == kCmdSendRRData || header.command == kCmdSendUnitData) {
    // An error reply may carry no CIP message: report the command itself then.
    if (!(header.status != 0 && body.empty())) return handle_send_data(ctx, dir, header, body) && valid;
  }
  Operation op;
  op.code = header.command;
  op.name = command_name(header.command);  // callers pass known commands only
  op.is_request = is_request;
  op.is_error = header.status != 0;
  op.unit = header.session_handle;
  emit(ctx, side_of(dir), op);
  switch (header.command) {
    case kCmdRegisterSession:
      if (header.length != kRegisterSessionLength) {
        report(ctx, Anomaly::LengthMismatch);
        valid = false;
      }
      break;
    case kCmdUnRegisterSession:
      if (header.length != 0) {
        report(ctx, Anomaly::LengthMismatch);
        valid = false;
      }
      break;
    default:
      if (is_list_command(header.command) && !list_request && header.status == 0) {
        valid = handle_list_reply(ctx, dir, header, body) && valid;
      }
      break;
  }
  return valid;
}

bool EnipSession::handle_list_reply(const FlowContext& ctx, Direction dir, const EncapsulationHeader& header,
                                    Bytes body) {
  CpfList list = parse_cpf(body);
  if (list.anomaly != Anomaly::None) {
    report(ctx, list.anomaly);
    return false;
  }
  if (header.command != kCmdListIdentity) return true;
  bool valid = true;
  for (size_t i = 0; i < list.count; ++i) {
    if (list.items[i].type != kItemListIdentity) continue;
    Identity identity;
    if (!parse_list_identity_item(list.items[i].data, identity)) {
      report(ctx, Anomaly::InvalidCpf);
      valid = false;
      continue;
    }
    report_identity(ctx, side_of(dir), nullptr, identity, "ListIdentity reply");
  }
  return valid;
}

bool EnipSession::handle_send_data(const FlowContext& ctx, Direction dir, const EncapsulationHeader& header,
                                   Bytes body) {
  ByteReader reader(body);
  reader.skip(kSendDataPrefix);
  CpfList list = parse_cpf(reader.rest());
  if (!reader.ok() || list.anomaly != Anomaly::None) {
    report(ctx, reader.ok() ? list.anomaly : Anomaly::InvalidCpf);
    return false;
  }
  if (header.command == kCmdSendRRData) {
    const CpfItem* item = list.find(kItemUnconnectedData);
    if (!item) {
      report(ctx, Anomaly::InvalidCpf);
      return false;
    }
    return handle_cip(ctx, dir, Channel::Unconnected, header.sender_context, item->data);
  }
  const CpfItem* item = list.find(kItemConnectedData);
  if (!item || !list.find(kItemConnectedAddress)) {
    report(ctx, Anomaly::InvalidCpf);
    return false;
  }
  ByteReader data(item->data);
  uint16_t sequence_count = data.le16();
  if (!data.ok()) {
    report(ctx, Anomaly::InvalidCpf);
    return false;
  }
  return handle_cip(ctx, dir, Channel::Connected, sequence_count, data.rest());
}

bool EnipSession::handle_cip(const FlowContext& ctx, Direction dir, Channel channel, uint64_t key, Bytes message) {
  CipMessage msg = parse_cip(message);
  if (msg.anomaly != Anomaly::None) {
    report(ctx, msg.anomaly);
    return false;
  }
  Side side = side_of(dir);
  if (msg.is_response) return handle_response(ctx, side, msg, channel, key);

  PendingRequest request;
  request.channel = channel;
  request.key = key;
  OperationList ops;
  Anomaly anomaly = describe_request(msg, 0, ops, request, request.outer);
  for (size_t i = 0; i < ops.count; ++i) emit(ctx, side, ops[i]);
  if (anomaly != Anomaly::None) report(ctx, anomaly);
  remember(ctx, std::move(request));
  return anomaly == Anomaly::None;
}

Anomaly EnipSession::describe_request(const CipMessage& msg, int depth, OperationList& ops,
                                      PendingRequest& pending, RequestRecord& record) {
  record = RequestRecord{};
  record.service = msg.service;
  record.has_class = msg.path.has_class;
  record.class_id = msg.path.class_id;
  record.instance = msg.path.instance;
  record.symbolic = msg.path.has_symbol;
  record.has_attribute = msg.path.has_attribute;
  record.attribute = msg.path.attribute;
  bool connection_manager = is_connection_manager(record.class_id, record.has_class);
  bool pccc = record.has_class && record.class_id == kClassPccc && msg.service == kSvcExecutePccc;
  if (pccc) {
    Pccc command;
    if (!parse_pccc(msg.data, false, command)) {
      ops.push(make_operation(msg.service, record.has_class, record.class_id, record.instance, record.symbolic,
                              false, 0, 0, false, true));
      return Anomaly::Truncated;
    }
    record.has_pccc = true;
    record.pccc_command = command.command;
    record.pccc_function = command.function;
  }
  size_t at = ops.push(make_operation(msg.service, record.has_class, record.class_id, record.instance,
                                      record.symbolic, record.has_pccc, record.pccc_command, record.pccc_function,
                                      false, true));
  Anomaly anomaly = Anomaly::None;
  if (connection_manager && (msg.service == kSvcForwardOpen || msg.service == kSvcLargeForwardOpen)) {
    ForwardOpenRequest open;
    if (!parse_forward_open_request(msg.data, msg.service == kSvcLargeForwardOpen, open)) return Anomaly::Truncated;
    Connection& connection = add_connection({open.connection_serial, open.originator_vendor, open.originator_serial});
    connection.o_to_t_id = open.o_to_t_id;
    connection.t_to_o_id = open.t_to_o_id;
    connection.o_to_t_rpi_us = open.o_to_t_rpi_us;
    connection.t_to_o_rpi_us = open.t_to_o_rpi_us;
    connection.o_to_t_parameters = open.o_to_t_parameters;
    connection.t_to_o_parameters = open.t_to_o_parameters;
    ops[at].unit = open.o_to_t_id;
    ops[at].address = open.t_to_o_id;
  } else if (connection_manager && msg.service == kSvcForwardClose) {
    ConnectionTriple triple;
    if (!parse_forward_close_request(msg.data, triple)) return Anomaly::Truncated;
    const Connection* connection = connection_by_triple(triple);
    ops[at].unit = connection ? connection->o_to_t_id : 0;
    ops[at].address = connection ? connection->t_to_o_id : 0;
  } else if (connection_manager && msg.service == kSvcUnconnectedSend && depth < kMaxUnwrapDepth) {
    UnconnectedSend send;
    if (!parse_unconnected_send(msg.data, send)) return Anomaly::Truncated;
    CipMessage inner = parse_cip(send.embedded);
    if (inner.anomaly != Anomaly::None) return inner.anomaly;
    if (inner.is_response) return Anomaly::Truncated;
    pending.has_inner = true;
    anomaly = describe_request(inner, depth + 1, ops, pending, pending.inner);
    const EPath& route = send.route;
    const bool backplane = route.has_port && route.port == kBackplanePort && route.segments == 1;
    const Target target = backplane ? Target::BackplaneModule : route.has_port ? Target::Beyond : Target::Device;
    // The embedded request (and a Multiple_Service_Packet's entries) go where the route leads.
    pending.inner.target = target;
    pending.inner.slot = route.link_address;
    for (size_t i = 0; pending.embedded && i < pending.embedded_count; ++i) {
      pending.embedded[i].target = target;
      pending.embedded[i].slot = route.link_address;
    }
  } else if (msg.service == kSvcMultipleServicePacket && pending.embedded_count == 0 && depth <= kMaxUnwrapDepth) {
    EmbeddedIterator entries;
    if (!start_embedded(msg.data, entries)) return entries.anomaly;
    if (entries.count > kMaxEmbeddedServices) anomaly = Anomaly::TooManyItems;
    Bytes entry;
    if (!pending.embedded) pending.embedded = std::make_unique<RequestRecord[]>(kMaxEmbeddedServices);
    while (pending.embedded_count < kMaxEmbeddedServices && next_embedded(entries, entry)) {
      CipMessage embedded = parse_cip(entry);
      if (embedded.anomaly != Anomaly::None || embedded.is_response) {
        anomaly = embedded.is_response ? Anomaly::Truncated : embedded.anomaly;
        break;
      }
      // Depth kMaxUnwrapDepth + 1: services inside the packet are not unwrapped further.
      describe_request(embedded, kMaxUnwrapDepth + 1, ops, pending, pending.embedded[pending.embedded_count++]);
    }
    if (entries.anomaly != Anomaly::None) anomaly = entries.anomaly;
  }
  // A container writes when anything it carries writes.
  for (size_t i = at + 1; i < ops.count; ++i) record.contains_write |= ops[i].is_write;
  ops[at].is_write |= record.contains_write;
  return anomaly;
}

bool EnipSession::handle_response(const FlowContext& ctx, Side side, const CipMessage& msg, Channel channel,
                                  uint64_t key) {
  auto end = pending_.end();
  auto match = end;
  bool inner = false;
  for (auto it = pending_.begin(); it != end; ++it) {
    if (it->channel != channel || it->key != key) continue;
    bool answers_outer = it->outer.service == msg.service;
    bool answers_inner = it->has_inner && it->inner.service == msg.service;
    if ((answers_outer || answers_inner) && (match == end || it->sequence < match->sequence)) {
      match = it;
      inner = !answers_outer;
    }
  }
  if (match == end) {
    // Nothing to blame while the client side is unseen or just lost bytes.
    bool requests_visible = streams_[index_of(Direction::FromClient)].seen_data;
    if (requests_visible && !tolerate_unmatched_) report(ctx, Anomaly::UnmatchedResponse);
    RequestRecord unknown;
    unknown.service = msg.service;
    return report_response(ctx, side, msg, unknown, nullptr);
  }
  PendingRequest request = std::move(*match);
  if (match != &pending_.back()) *match = std::move(pending_.back());
  pending_.pop_back();
  tolerate_unmatched_ = false;
  return report_response(ctx, side, msg, inner ? request.inner : request.outer, &request);
}

bool EnipSession::report_response(const FlowContext& ctx, Side side, const CipMessage& msg,
                                  const RequestRecord& record, const PendingRequest* pending) {
  Operation op = make_operation(record.service, record.has_class, record.class_id, record.instance,
                                record.symbolic, record.has_pccc, record.pccc_command, record.pccc_function,
                                record.contains_write, false);
  op.is_error = msg.is_error();
  Anomaly anomaly = Anomaly::None;
  bool connection_manager = is_connection_manager(record.class_id, record.has_class);
  if (connection_manager && (record.service == kSvcForwardOpen || record.service == kSvcLargeForwardOpen)) {
    if (!op.is_error) {
      ForwardOpenResponse granted;
      if (parse_forward_open_response(msg.data, granted)) {
        ConnectionTriple triple{granted.connection_serial, granted.originator_vendor, granted.originator_serial};
        Connection* connection = connection_by_triple(triple);
        if (!connection) connection = &add_connection(triple);
        connection->o_to_t_id = granted.o_to_t_id;
        connection->t_to_o_id = granted.t_to_o_id;
        connection->established = true;
        op.unit = granted.o_to_t_id;
        op.address = granted.t_to_o_id;
      } else {
        anomaly = Anomaly::Truncated;
      }
    } else {
      ConnectionTriple triple;
      if (parse_connection_triple(msg.data, triple)) {
        if (const Connection* refused = connection_by_triple(triple)) {
          op.unit = refused->o_to_t_id;
          op.address = refused->t_to_o_id;
        }
        forget_connection(triple);
      }
    }
  } else if (connection_manager && record.service == kSvcForwardClose) {
    ConnectionTriple triple;
    if (parse_connection_triple(msg.data, triple)) {
      if (const Connection* closed = connection_by_triple(triple)) {
        op.unit = closed->o_to_t_id;
        op.address = closed->t_to_o_id;
      }
      if (!op.is_error) forget_connection(triple);
    } else if (!op.is_error) {
      anomaly = Anomaly::Truncated;
    }
  } else if (record.has_pccc && !op.is_error) {
    Pccc reply;
    if (parse_pccc(msg.data, true, reply)) {
      op.is_error = reply.status != 0;
    } else {
      anomaly = Anomaly::Truncated;
    }
  }
  emit(ctx, side, op);
  if (!op.is_error) report_identity_response(ctx, side, msg, record);

  if (record.service == kSvcMultipleServicePacket && pending && pending->embedded_count > 0 &&
      msg.data.size() >= 2) {
    EmbeddedIterator entries;
    Bytes entry;
    if (!start_embedded(msg.data, entries)) anomaly = entries.anomaly;
    for (size_t i = 0; i < kMaxEmbeddedServices && next_embedded(entries, entry); ++i) {
      CipMessage embedded = parse_cip(entry);
      if (embedded.anomaly != Anomaly::None || !embedded.is_response) {
        anomaly = embedded.is_response ? embedded.anomaly : Anomaly::Truncated;
        break;
      }
      RequestRecord unknown;
      unknown.service = embedded.service;
      bool paired = i < pending->embedded_count && pending->embedded[i].service == embedded.service;
      // Entries carry no containers of their own (depth-limited on the request side).
      report_response(ctx, side, embedded, paired ? pending->embedded[i] : unknown, nullptr);
    }
    if (entries.anomaly != Anomaly::None) anomaly = entries.anomaly;
  }
  if (anomaly != Anomaly::None) report(ctx, anomaly);
  return anomaly == Anomaly::None;
}

void EnipSession::report_identity_response(const FlowContext& ctx, Side side, const CipMessage& msg,
                                           const RequestRecord& record) {
  if (!record.has_class || record.class_id != kClassIdentity) return;
  switch (record.service) {
    case kSvcGetAttributesAll: {
      Identity identity;
      if (parse_identity_attributes(msg.data, identity)) {
        report_identity(ctx, side, &record, identity, "Get_Attributes_All reply (Identity object)");
      }
      break;
    }
    case kSvcGetAttributeSingle:
      if (record.has_attribute) {
        report_identity_attribute(ctx, side, &record, record.attribute, msg.data,
                                  "Get_Attribute_Single reply (Identity object)");
      }
      break;
    case kSvcGetAttributeList: {
      ByteReader reader(msg.data);
      uint16_t remaining = reader.le16();
      AttributeValue attribute;
      while (reader.ok() && next_identity_attribute(reader, remaining, attribute)) {
        if (attribute.status == 0) {
          report_identity_attribute(ctx, side, &record, attribute.id, attribute.value,
                                    "Get_Attribute_List reply (Identity object)");
        }
      }
      break;
    }
    default: break;
  }
}

namespace {

// The module attribute (inventory/module_fact.h) an Identity object field becomes.
std::string_view module_attribute(IdentityField field) {
  switch (field) {
    case IdentityField::Vendor: return "vendor";
    case IdentityField::DeviceType: return "deviceType";
    case IdentityField::FirmwareVersion: return "firmwareVersion";
    case IdentityField::SerialNumber: return "serialNumber";
    case IdentityField::ProductName: return "productName";
    case IdentityField::CpuState: return "cpuState";
    default: return {};  // the numeric Description repeats the others
  }
}

}  // namespace

void EnipSession::emit_identity(const FlowContext& ctx, Side side, const RequestRecord* request, IdentityField field,
                                std::string_view value, std::string_view event) {
  if (value.empty()) return;
  const Target target = request ? request->target : Target::Device;
  if (target == Target::Device) {
    sink_.identity(ctx, kProtocol, side, field, value, event);
    return;
  }
  const std::string_view attribute = module_attribute(field);
  if (target != Target::BackplaneModule || attribute.empty()) return;
  sink_.identity(ctx, kProtocol, side, IdentityField::Description,
                 module_fact::describe(module_fact::slot_address(request->slot), attribute, value), event);
}

void EnipSession::report_identity(const FlowContext& ctx, Side side, const RequestRecord* request,
                                  const Identity& identity, std::string_view event) {
  auto emit_field = [&](IdentityField field, std::string_view value) {
    emit_identity(ctx, side, request, field, value, event);
  };
  char text[96];
  emit_field(IdentityField::Vendor, vendor_name(identity.vendor));
  std::string_view device_type = device_type_name(identity.device_type);
  if (device_type.empty()) {
    std::snprintf(text, sizeof text, "CIP device type 0x%02x", identity.device_type);
    device_type = text;
  }
  emit_field(IdentityField::DeviceType, device_type);
  std::snprintf(text, sizeof text, "%u.%u", identity.revision_major, identity.revision_minor);
  emit_field(IdentityField::FirmwareVersion, text);
  std::snprintf(text, sizeof text, "0x%08x", identity.serial);
  emit_field(IdentityField::SerialNumber, text);
  emit_field(IdentityField::ProductName, clean_text(identity.product_name));
  if (identity.has_state) emit_field(IdentityField::CpuState, identity_state_name(identity.state));
  std::snprintf(text, sizeof text, "CIP vendor id %u, device type %u, product code %u", identity.vendor,
                identity.device_type, identity.product_code);
  emit_field(IdentityField::Description, text);
}

void EnipSession::report_identity_attribute(const FlowContext& ctx, Side side, const RequestRecord* request,
                                            uint16_t attribute, Bytes value, std::string_view event) {
  auto emit_field = [&](IdentityField field, std::string_view text) {
    emit_identity(ctx, side, request, field, text, event);
  };
  ByteReader r(value);
  char text[64];
  switch (attribute) {
    case 1: {
      uint16_t vendor = r.le16();
      if (!r.ok()) return;
      emit_field(IdentityField::Vendor, vendor_name(vendor));
      std::snprintf(text, sizeof text, "CIP vendor id %u", vendor);
      emit_field(IdentityField::Description, text);
      break;
    }
    case 2: {
      uint16_t type = r.le16();
      if (!r.ok()) return;
      std::string_view name = device_type_name(type);
      if (name.empty()) {
        std::snprintf(text, sizeof text, "CIP device type 0x%02x", type);
        name = text;
      }
      emit_field(IdentityField::DeviceType, name);
      break;
    }
    case 4: {
      uint8_t major = r.u8();
      uint8_t minor = r.u8();
      if (!r.ok()) return;
      std::snprintf(text, sizeof text, "%u.%u", major, minor);
      emit_field(IdentityField::FirmwareVersion, text);
      break;
    }
    case 6: {
      uint32_t serial = r.le32();
      if (!r.ok()) return;
      std::snprintf(text, sizeof text, "0x%08x", serial);
      emit_field(IdentityField::SerialNumber, text);
      break;
    }
    case 7: {
      uint8_t length = r.u8();
      std::string_view name = r.chars(length);
      if (r.ok()) emit_field(IdentityField::ProductName, clean_text(name));
      break;
    }
    case 8: {
      uint8_t state = r.u8();
      if (r.ok()) emit_field(IdentityField::CpuState, identity_state_name(state));
      break;
    }
    default: break;  // product code (3) and status (5) name nothing in the inventory on their own
  }
}

void EnipSession::remember(const FlowContext& ctx, PendingRequest request) {
  PendingRequest* slot = nullptr;
  if (pending_.size() == kMaxPendingRequests) {
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
  *slot = std::move(request);
  slot->sequence = next_sequence_++;
  slot->ts_ns = ctx.ts_ns;
}

const Connection* EnipSession::find_connection(uint32_t connection_id) const {
  for (const Connection& c : connections()) {
    if (c.o_to_t_id == connection_id || c.t_to_o_id == connection_id) return &c;
  }
  return nullptr;
}

Connection* EnipSession::connection_by_triple(const ConnectionTriple& triple) {
  for (Connection& c : connections_) {
    if (c.triple == triple) return &c;
  }
  return nullptr;
}

Connection& EnipSession::add_connection(const ConnectionTriple& triple) {
  Connection* slot = connection_by_triple(triple);
  if (!slot) {
    if (connections_.size() < kMaxConnections) {
      slot = &connections_.emplace_back();
    } else {
      auto by_sequence = [](const Connection& a, const Connection& b) { return a.sequence < b.sequence; };
      slot = &*std::min_element(connections_.begin(), connections_.end(), by_sequence);
    }
  }
  *slot = Connection{};
  slot->triple = triple;
  slot->sequence = next_sequence_++;
  return *slot;
}

void EnipSession::forget_connection(const ConnectionTriple& triple) {
  if (Connection* c = connection_by_triple(triple)) {
    *c = connections_.back();
    connections_.pop_back();
  }
}

void EnipSession::count_valid(const FlowContext& ctx, Direction dir) {
  consecutive_violations_ = 0;
  Stream& stream = streams_[index_of(dir)];
  ++stream.valid_messages;
  const Stream& other = streams_[index_of(dir == Direction::FromClient ? Direction::FromServer : Direction::FromClient)];
  bool both_sides = other.valid_messages > 0;
  bool one_sided = stream.valid_messages >= kConfirmAfterOneSided && !other.seen_data;
  if (!confirmed_ && (both_sides || one_sided)) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
  }
}

void EnipSession::gap(const FlowContext&, Direction dir, uint64_t) {
  if (rejected_) return;
  Stream& stream = streams_[index_of(dir)];
  stream.buffer.clear();
  stream.hunting = true;
  stream.hunted_bytes = 0;
  // Replies lost in a server-side gap would leave their requests pending forever.
  if (dir == Direction::FromServer) pending_.clear();
  tolerate_unmatched_ = true;
}

void EnipSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  if (!rejected_ && !stream.buffer.empty() && !stream.hunting) report(ctx, Anomaly::Truncated);
  stream.buffer.clear();
}

void EnipSession::count_violation() {
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

void EnipSession::report(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
}

void EnipSession::emit(const FlowContext& ctx, Side side, const Operation& op) {
  sink_.operation(ctx, kProtocol, side, op);
}

}  // namespace ots::enip
