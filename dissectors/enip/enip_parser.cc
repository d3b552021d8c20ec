#include "dissectors/enip/enip_parser.h"

#include "dissectors/enip/enip_tables.h"

namespace ots::enip {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "",
    "enip.invalid_command",
    "enip.length_mismatch",
    "enip.invalid_options",
    "enip.invalid_status",
    "enip.invalid_cpf",
    "enip.invalid_epath",
    "enip.truncated",
    "enip.too_many_items",
    "enip.unmatched_response",
    "enip.too_many_pending_requests",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

constexpr size_t kSockaddrSize = 16;
constexpr uint8_t kPcccReplyBit = 0x40;
constexpr uint8_t kPcccCommandMask = 0x0F;
constexpr uint8_t kPcccExtendedStatus = 0xF0;
constexpr size_t kMinRequesterIdLength = 7;  // length byte, vendor id, serial number

// Segment types (top three bits), Vol. 1 appendix C-1.
constexpr uint8_t kSegPort = 0, kSegLogical = 1, kSegNetwork = 2, kSegSymbolic = 3, kSegData = 4;
constexpr uint8_t kLogicalClass = 0, kLogicalInstance = 1, kLogicalMember = 2, kLogicalConnectionPoint = 3,
                  kLogicalAttribute = 4, kLogicalSpecial = 5, kLogicalServiceId = 6;
constexpr uint8_t kElectronicKeyFormat = 4;
constexpr size_t kElectronicKeySize = 8;
constexpr uint8_t kDataSimple = 0x80, kDataAnsiSymbol = 0x91;
constexpr uint8_t kNetworkSafety = 0x10, kNetworkExtended = 0x1F;

bool pccc_has_function(uint8_t command) { return command == 0x06 || command == 0x07 || command == 0x0F; }

// Logical segment value: 8-bit, or a pad byte then 16 / 32 bits (padded EPATH).
bool read_logical_value(ByteReader& r, uint8_t format, uint32_t& value) {
  switch (format) {
    case 0: value = r.u8(); break;
    case 1: r.skip(1); value = r.le16(); break;
    case 2: r.skip(1); value = r.le32(); break;
    default: return false;
  }
  return r.ok();
}

bool parse_port_segment(ByteReader& r, uint8_t segment, EPath& path) {
  bool extended_link = segment & 0x10;
  uint16_t port = segment & 0x0F;
  size_t consumed = 1;
  uint8_t link_size = 1;
  if (extended_link) {
    link_size = r.u8();
    ++consumed;
  }
  if (port == 0x0F) {
    port = r.le16();
    consumed += 2;
  }
  Bytes link = r.bytes(link_size);
  consumed += link_size;
  if (consumed % 2) r.skip(1);
  if (!r.ok() || link_size == 0) return false;
  if (!path.has_port) {
    path.has_port = true;
    path.port = port;
    for (size_t i = 0; i < link.size() && i < 4; ++i) path.link_address |= uint32_t{link[i]} << (8 * i);
  }
  return true;
}

bool parse_logical_segment(ByteReader& r, uint8_t segment, EPath& path) {
  uint8_t logical_type = (segment >> 2) & 0x07;
  uint8_t format = segment & 0x03;
  if (logical_type == kLogicalSpecial) {
    if (format != 0 || r.u8() != kElectronicKeyFormat) return false;
    r.skip(kElectronicKeySize);
    path.has_key = true;
    return r.ok();
  }
  uint32_t value = 0;
  if (logical_type == kLogicalServiceId) return format == 0 && read_logical_value(r, format, value);
  if (!read_logical_value(r, format, value)) return false;
  switch (logical_type) {
    case kLogicalClass:
      if (format == 2) return false;  // class ids are 8 or 16 bits
      // Later class / instance pairs address objects inside the first (Logix does this); the
      // first names the target.
      if (!path.has_class) {
        path.has_class = true;
        path.class_id = static_cast<uint16_t>(value);
      }
      return true;
    case kLogicalInstance:
      if (!path.has_instance) {
        path.has_instance = true;
        path.instance = value;
      }
      return true;
    case kLogicalMember:
      if (!path.has_member) {
        path.has_member = true;
        path.member = value;
      }
      return true;
    case kLogicalConnectionPoint:
      if (!path.has_connection_point) {
        path.has_connection_point = true;
        path.connection_point = value;
      }
      return true;
    case kLogicalAttribute:
      if (format == 2) return false;
      if (!path.has_attribute) {
        path.has_attribute = true;
        path.attribute = static_cast<uint16_t>(value);
      }
      return true;
    default:
      return false;  // extended logical segments are not used on EtherNet/IP
  }
}

bool parse_network_segment(ByteReader& r, uint8_t segment) {
  uint8_t subtype = segment & 0x1F;
  if (subtype == kNetworkSafety || subtype == kNetworkExtended) {
    uint8_t words = r.u8();
    r.skip(size_t{words} * 2);
  } else {
    r.skip(1);
  }
  return r.ok();
}

bool parse_data_segment(ByteReader& r, uint8_t segment, EPath& path) {
  if (segment == kDataSimple) {
    uint8_t words = r.u8();
    r.skip(size_t{words} * 2);
    return r.ok();
  }
  if (segment != kDataAnsiSymbol) return false;
  uint8_t length = r.u8();
  std::string_view symbol = r.chars(length);
  if (length % 2) r.skip(1);
  if (!r.ok() || length == 0) return false;
  if (!path.has_symbol) {
    path.has_symbol = true;
    path.symbol = symbol;
  }
  return true;
}

bool parse_symbolic_segment(ByteReader& r, uint8_t segment) {
  uint8_t size = segment & 0x1F;
  if (size == 0) return false;  // extended symbolic formats (double-byte strings) are not used here
  r.skip(size);
  if ((1 + size) % 2) r.skip(1);
  return r.ok();
}

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < std::size(kAnomalyNames) ? kAnomalyNames[index] : std::string_view{};
}

bool parse_header(Bytes bytes, EncapsulationHeader& out) {
  ByteReader r(bytes);
  out.command = r.le16();
  out.length = r.le16();
  out.session_handle = r.le32();
  out.status = r.le32();
  out.sender_context = r.le64();
  out.options = r.le32();
  return r.ok();
}

ProbeResult probe_encapsulation(Bytes payload) {
  if (payload.size() < 2) return ProbeResult::NeedMoreData;
  uint16_t command = static_cast<uint16_t>(payload[0] | payload[1] << 8);
  // A conversation opens with one of these; NOP, legacy 0x0002/0x0003, IndicateStatus and
  // Cancel never come first and would let zero-filled payloads through.
  switch (command) {
    case kCmdLegacyListTargets:
    case kCmdListServices:
    case kCmdListIdentity:
    case kCmdListInterfaces:
    case kCmdRegisterSession:
    case kCmdUnRegisterSession:
    case kCmdSendRRData:
    case kCmdSendUnitData: break;
    default: return ProbeResult::NoMatch;
  }
  EncapsulationHeader header;
  if (!parse_header(payload, header)) return ProbeResult::NeedMoreData;
  if (header.options != 0 || !is_known_encapsulation_status(header.status)) return ProbeResult::NoMatch;
  bool ok_length = true;
  switch (command) {
    case kCmdRegisterSession: ok_length = header.length == kRegisterSessionLength; break;
    case kCmdUnRegisterSession: ok_length = header.length == 0; break;
    case kCmdSendRRData:
    case kCmdSendUnitData:
      // An error reply may come without data; otherwise the CPF list needs at least its count.
      ok_length = header.status != 0 || header.length >= kSendDataPrefix + 2;
      break;
    case kCmdListServices:
    case kCmdListIdentity:
    case kCmdListInterfaces: ok_length = header.length == 0 || header.length >= 2; break;
    default: break;
  }
  return ok_length ? ProbeResult::Match : ProbeResult::NoMatch;
}

ProbeResult probe(Bytes payload) {
  ProbeResult encapsulation = probe_encapsulation(payload);
  if (encapsulation == ProbeResult::Match) return ProbeResult::Match;
  IoPacket io;
  if (parse_io(payload, io)) return ProbeResult::Match;
  return encapsulation;
}

const CpfItem* CpfList::find(uint16_t type) const {
  for (size_t i = 0; i < count; ++i) {
    if (items[i].type == type) return &items[i];
  }
  return nullptr;
}

CpfList parse_cpf(Bytes bytes) {
  CpfList list;
  ByteReader r(bytes);
  uint16_t count = r.le16();
  if (!r.ok()) {
    list.anomaly = Anomaly::InvalidCpf;
    return list;
  }
  if (count > kMaxCpfItems) {
    list.anomaly = Anomaly::TooManyItems;
    return list;
  }
  for (uint16_t i = 0; i < count; ++i) {
    CpfItem& item = list.items[list.count];
    item.type = r.le16();
    uint16_t length = r.le16();
    item.data = r.bytes(length);
    if (!r.ok()) {
      list.anomaly = Anomaly::InvalidCpf;
      return list;
    }
    ++list.count;
  }
  if (!r.empty()) list.anomaly = Anomaly::InvalidCpf;
  return list;
}

EPath parse_epath(Bytes bytes) {
  EPath path;
  ByteReader r(bytes);
  while (!r.empty()) {
    if (++path.segments > kMaxPathSegments) {
      path.valid = false;
      return path;
    }
    uint8_t segment = r.u8();
    bool ok = false;
    switch (segment >> 5) {
      case kSegPort: ok = parse_port_segment(r, segment, path); break;
      case kSegLogical: ok = parse_logical_segment(r, segment, path); break;
      case kSegNetwork: ok = parse_network_segment(r, segment); break;
      case kSegSymbolic: ok = parse_symbolic_segment(r, segment); break;
      case kSegData: ok = parse_data_segment(r, segment, path); break;
      default: ok = false; break;
    }
    if (!ok || !r.ok()) {
      path.valid = false;
      return path;
    }
  }
  return path;
}

CipMessage parse_cip(Bytes message) {
  CipMessage msg;
  ByteReader r(message);
  uint8_t service = r.u8();
  msg.is_response = service & kResponseBit;
  msg.service = service & static_cast<uint8_t>(~kResponseBit);
  if (msg.is_response) {
    r.skip(1);  // reserved
    msg.general_status = r.u8();
    msg.extended_words = r.u8();
    Bytes extended = r.bytes(size_t{msg.extended_words} * 2);
    if (extended.size() >= 2) msg.extended_status = static_cast<uint16_t>(extended[0] | extended[1] << 8);
  } else {
    uint8_t path_words = r.u8();
    Bytes path = r.bytes(size_t{path_words} * 2);
    if (r.ok()) {
      msg.path = parse_epath(path);
      if (!msg.path.valid) msg.anomaly = Anomaly::InvalidEpath;
    }
  }
  if (!r.ok()) msg.anomaly = Anomaly::Truncated;
  msg.data = r.rest();
  return msg;
}

bool parse_forward_open_request(Bytes data, bool large, ForwardOpenRequest& out) {
  ByteReader r(data);
  out.priority_time_tick = r.u8();
  out.timeout_ticks = r.u8();
  out.o_to_t_id = r.le32();
  out.t_to_o_id = r.le32();
  out.connection_serial = r.le16();
  out.originator_vendor = r.le16();
  out.originator_serial = r.le32();
  out.timeout_multiplier = r.u8();
  r.skip(3);  // reserved
  out.o_to_t_rpi_us = r.le32();
  out.o_to_t_parameters = large ? r.le32() : r.le16();
  out.t_to_o_rpi_us = r.le32();
  out.t_to_o_parameters = large ? r.le32() : r.le16();
  out.transport_trigger = r.u8();
  uint8_t path_words = r.u8();
  Bytes path = r.bytes(size_t{path_words} * 2);
  if (!r.ok()) return false;
  out.connection_path = parse_epath(path);
  return out.connection_path.valid;
}

bool parse_forward_open_response(Bytes data, ForwardOpenResponse& out) {
  ByteReader r(data);
  out.o_to_t_id = r.le32();
  out.t_to_o_id = r.le32();
  out.connection_serial = r.le16();
  out.originator_vendor = r.le16();
  out.originator_serial = r.le32();
  out.o_to_t_api_us = r.le32();
  out.t_to_o_api_us = r.le32();
  uint8_t reply_words = r.u8();
  r.skip(1);  // reserved
  r.skip(size_t{reply_words} * 2);
  return r.ok();
}

bool parse_forward_close_request(Bytes data, ConnectionTriple& out) {
  ByteReader r(data);
  r.skip(2);  // priority / time tick, timeout ticks
  out.connection_serial = r.le16();
  out.originator_vendor = r.le16();
  out.originator_serial = r.le32();
  uint8_t path_words = r.u8();
  r.skip(1);  // reserved
  Bytes path = r.bytes(size_t{path_words} * 2);
  return r.ok() && parse_epath(path).valid;
}

bool parse_connection_triple(Bytes data, ConnectionTriple& out) {
  ByteReader r(data);
  out.connection_serial = r.le16();
  out.originator_vendor = r.le16();
  out.originator_serial = r.le32();
  return r.ok();
}

bool parse_unconnected_send(Bytes data, UnconnectedSend& out) {
  ByteReader r(data);
  out.priority_time_tick = r.u8();
  out.timeout_ticks = r.u8();
  uint16_t size = r.le16();
  out.embedded = r.bytes(size);
  if (r.remaining() % 2) r.skip(1);  // pad after an odd-sized embedded request
  uint8_t route_words = r.u8();
  r.skip(1);  // reserved
  Bytes route = r.bytes(size_t{route_words} * 2);
  if (!r.ok() || size == 0) return false;
  out.route = parse_epath(route);
  return out.route.valid;
}

bool start_embedded(Bytes data, EmbeddedIterator& it) {
  it = EmbeddedIterator{};
  it.data = data;
  ByteReader r(data);
  it.count = r.le16();
  r.skip(size_t{it.count} * 2);
  if (!r.ok()) {
    it.anomaly = Anomaly::Truncated;
    return false;
  }
  return true;
}

bool next_embedded(EmbeddedIterator& it, Bytes& out) {
  if (it.index >= it.count || it.anomaly != Anomaly::None) return false;
  auto offset_at = [&](size_t i) {
    size_t at = 2 + 2 * i;
    return size_t{it.data[at]} | size_t{it.data[at + 1]} << 8;
  };
  size_t table_end = 2 + 2 * size_t{it.count};
  size_t begin = offset_at(it.index);
  size_t end = it.index + 1 < it.count ? offset_at(it.index + 1) : it.data.size();
  if (begin < table_end || end < begin || end > it.data.size()) {
    it.anomaly = Anomaly::Truncated;
    return false;
  }
  out = it.data.subspan(begin, end - begin);
  ++it.index;
  return true;
}

bool parse_pccc(Bytes data, bool is_response, Pccc& out) {
  ByteReader r(data);
  uint8_t requester_length = r.u8();
  out.requester_vendor = r.le16();
  out.requester_serial = r.le32();
  if (requester_length < kMinRequesterIdLength) return false;
  r.skip(requester_length - kMinRequesterIdLength);  // optional product-specific requester data
  uint8_t command = r.u8();
  out.command = command & kPcccCommandMask;
  out.status = r.u8();
  out.transaction = r.le16();
  if (!r.ok() || bool(command & kPcccReplyBit) != is_response) return false;
  if (!is_response && pccc_has_function(out.command)) {
    out.has_function = true;
    out.function = r.u8();
  }
  if (is_response && out.status == kPcccExtendedStatus) r.skip(1);
  return r.ok();
}

bool parse_identity_attributes(Bytes data, Identity& out) {
  ByteReader r(data);
  out.vendor = r.le16();
  out.device_type = r.le16();
  out.product_code = r.le16();
  out.revision_major = r.u8();
  out.revision_minor = r.u8();
  out.status = r.le16();
  out.serial = r.le32();
  uint8_t name_length = r.u8();
  out.product_name = r.chars(name_length);
  if (!r.ok()) return false;
  out.has_state = r.has(1);
  if (out.has_state) {
    out.state = r.u8();
  }
  return true;
}

bool parse_list_identity_item(Bytes item, Identity& out) {
  out = Identity{};
  ByteReader r(item);
  out.encapsulation_version = r.le16();
  Bytes sockaddr = r.bytes(kSockaddrSize);
  if (!r.ok()) return false;
  ByteReader s(sockaddr);
  s.skip(2);  // sin_family (big-endian, 2)
  out.socket_port = s.be16();
  out.socket_address = s.be32();
  return parse_identity_attributes(r.rest(), out) && out.has_state;
}

bool next_identity_attribute(ByteReader& reader, uint16_t& remaining, AttributeValue& out) {
  if (remaining == 0) return false;
  --remaining;
  out.id = reader.le16();
  out.status = reader.le16();
  out.value = {};
  if (!reader.ok()) return false;
  if (out.status != 0) return true;  // no value follows a failed attribute
  size_t size = 0;
  switch (out.id) {
    case 1: case 2: case 3: case 4: case 5: size = 2; break;  // vendor, type, product code, revision, status
    case 6: size = 4; break;                                   // serial number
    case 7: size = 1 + size_t{reader.peek_u8()}; break;        // SHORT_STRING product name
    case 8: size = 1; break;                                   // state
    default: return false;                                     // unknown size: stop walking
  }
  out.value = reader.bytes(size);
  return reader.ok();
}

bool parse_io(Bytes datagram, IoPacket& out) {
  CpfList list = parse_cpf(datagram);
  if (list.anomaly != Anomaly::None || list.count < 2) return false;
  const CpfItem& address = list.items[0];
  ByteReader a(address.data);
  if (address.type == kItemSequencedAddress && address.data.size() == 8) {
    out.connection_id = a.le32();
    out.sequence = a.le32();
    out.sequenced = true;
  } else if (address.type == kItemConnectedAddress && address.data.size() == 4) {
    out.connection_id = a.le32();
    out.sequenced = false;
  } else {
    return false;
  }
  const CpfItem* data = nullptr;
  for (size_t i = 1; i < list.count; ++i) {
    const CpfItem& item = list.items[i];
    if (item.type == kItemConnectedData && !data) {
      data = &item;
    } else if ((item.type != kItemSockaddrOtoT && item.type != kItemSockaddrTtoO) ||
               item.data.size() != kSockaddrSize) {
      return false;
    }
  }
  if (!data) return false;
  out.data = data->data;
  return true;
}

}  // namespace ots::enip
