#include "dissectors/mqtt/mqtt_parser.h"

#include <iterator>

namespace ots::mqtt {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "mqtt.none",
    "mqtt.invalid_header",
    "mqtt.invalid_flags",
    "mqtt.invalid_protocol",
    "mqtt.invalid_connect_flags",
    "mqtt.invalid_qos",
    "mqtt.malformed",
    "mqtt.too_many_topics",
    "mqtt.truncated_message",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

// Index = packet type (OASIS MQTT 3.1.1 table 2.1, MQTT 5.0 table 2-1).
constexpr PacketInfo kPackets[] = {
    {"Reserved", false, false},
    {"Connect", true, false},
    {"Connack", false, false},
    {"Publish", true, true},
    {"Puback", false, false},
    {"Pubrec", false, false},
    {"Pubrel", true, false},
    {"Pubcomp", false, false},
    {"Subscribe", true, false},
    {"Suback", false, false},
    {"Unsubscribe", true, false},
    {"Unsuback", false, false},
    {"Pingreq", true, false},
    {"Pingresp", false, false},
    {"Disconnect", true, false},
    {"Auth", true, false},
};

// A varint of at most four bytes; false when it does not end within four.
bool read_varint(ByteReader& r, uint32_t& value) {
  value = 0;
  for (int i = 0; i < 4; ++i) {
    uint8_t b = r.u8();
    if (!r.ok()) return false;
    value |= uint32_t{b & 0x7Fu} << (7 * i);
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

std::string_view read_string(ByteReader& r) { return r.chars(r.be16()); }

void skip_properties(ByteReader& r) {
  uint32_t length = 0;
  if (!read_varint(r, length)) {
    r.skip(r.remaining() + 1);  // fail the reader
    return;
  }
  r.skip(length);
}

bool printable(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return false;
  }
  return true;
}

// Fixed-header flags each type requires (PUBLISH carries DUP / QoS / RETAIN instead).
bool flags_valid(uint8_t type, uint8_t flags) {
  switch (static_cast<PacketType>(type)) {
    case PacketType::Publish:
      return true;
    case PacketType::Pubrel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
      return flags == 0x2;
    default:
      return flags == 0;
  }
}

void parse_connect(ByteReader& r, Packet& p) {
  std::string_view name = read_string(r);
  p.protocol_level = r.u8();
  uint8_t flags = r.u8();
  r.be16();  // keep alive
  if (!r.ok()) return;
  bool name_ok = (name == "MQTT" && (p.protocol_level == kLevel311 || p.protocol_level == kLevel5)) ||
                 (name == "MQIsdp" && p.protocol_level == kLevel31);
  if (!name_ok) {
    p.anomaly = Anomaly::InvalidProtocol;
    return;
  }
  p.has_will = flags & 0x04;
  p.has_username = flags & 0x80;
  p.has_password = flags & 0x40;
  uint8_t will_qos = (flags >> 3) & 0x3;
  bool flags_ok = (flags & 0x01) == 0 && will_qos != 3 && (p.has_will || (flags & 0x38) == 0) &&
                  (p.protocol_level != kLevel311 || p.has_username || !p.has_password);
  if (!flags_ok) {
    p.anomaly = Anomaly::InvalidConnectFlags;
    return;
  }
  if (p.protocol_level == kLevel5) skip_properties(r);
  p.client_id = read_string(r);
  if (p.has_will) {
    if (p.protocol_level == kLevel5) skip_properties(r);
    p.will_topic = read_string(r);
    r.skip(r.be16());  // will payload
  }
  if (p.has_username) read_string(r);  // presence only: the name is not kept
  if (p.has_password) r.skip(r.be16());
  if (!r.ok()) {
    p.client_id = {};
    p.will_topic = {};
  }
}

void parse_publish(ByteReader& r, Packet& p, uint8_t level) {
  p.dup = p.header.flags & 0x8;
  p.qos = (p.header.flags >> 1) & 0x3;
  p.retain = p.header.flags & 0x1;
  if (p.qos == 3) {
    p.anomaly = Anomaly::InvalidQos;
    return;
  }
  p.topic = read_string(r);
  if (p.qos > 0) p.packet_id = r.be16();
  if (level == kLevel5) skip_properties(r);
  if (!r.ok()) p.topic = {};
}

void parse_subscription(ByteReader& r, Packet& p, uint8_t level, bool complete) {
  p.packet_id = r.be16();
  if (level == kLevel5) skip_properties(r);
  bool subscribe = p.header.type == static_cast<uint8_t>(PacketType::Subscribe);
  while (r.ok() && !r.empty()) {
    ByteReader entry = r;
    std::string_view filter = read_string(entry);
    if (subscribe) entry.u8();  // requested QoS / subscription options
    if (!entry.ok()) {
      if (!complete) return;  // the rest of an oversized packet was not buffered
      r = entry;
      break;
    }
    r = entry;
    if (p.filter_count == kMaxTopicsPerMessage) {
      p.anomaly = Anomaly::TooManyTopics;
      return;
    }
    p.filters[p.filter_count++] = filter;
  }
  if (r.ok() && p.filter_count == 0) r.skip(1);  // at least one filter is required
}

void parse_ack_list(ByteReader& r, Packet& p, uint8_t level) {
  p.packet_id = r.be16();
  bool has_codes = level == kLevel5 || p.header.type == static_cast<uint8_t>(PacketType::Suback);
  if (level == kLevel5) skip_properties(r);
  if (!has_codes) return;
  for (uint8_t code : r.rest()) p.any_failure |= code >= 0x80;
}

// PUBACK / PUBREC / PUBREL / PUBCOMP: packet id, then (MQTT 5) an optional reason code and properties.
void parse_ack(ByteReader& r, Packet& p, uint8_t level) {
  p.packet_id = r.be16();
  if (level == kLevel5 && r.ok() && !r.empty()) {
    p.has_reason = true;
    p.reason = r.u8();
    if (!r.empty()) skip_properties(r);
  }
}

// DISCONNECT / AUTH (MQTT 5): an optional reason code and properties.
void parse_reason_only(ByteReader& r, Packet& p, uint8_t level) {
  if (level != kLevel5 || r.empty()) return;
  p.has_reason = true;
  p.reason = r.u8();
  if (!r.empty()) skip_properties(r);
}

}  // namespace

std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }

const PacketInfo* find_packet(uint8_t type) {
  if (type == 0 || type >= std::size(kPackets)) return nullptr;
  return &kPackets[type];
}

HeaderStatus parse_fixed_header(Bytes stream, FixedHeader& out) {
  ByteReader r(stream);
  uint8_t first = r.u8();
  if (!r.ok()) return HeaderStatus::NeedMoreData;
  out.type = first >> 4;
  out.flags = first & 0x0F;
  if (out.type == 0) return HeaderStatus::Invalid;
  out.remaining = 0;
  for (int i = 0; i < 4; ++i) {
    uint8_t b = r.u8();
    if (!r.ok()) return HeaderStatus::NeedMoreData;
    out.remaining |= uint32_t{b & 0x7Fu} << (7 * i);
    if ((b & 0x80) == 0) {
      out.header_size = r.offset();
      return HeaderStatus::Ok;
    }
  }
  return HeaderStatus::Invalid;
}

Packet parse_packet(const FixedHeader& header, Bytes body, bool complete, uint8_t level) {
  Packet p;
  p.header = header;
  if (!flags_valid(header.type, header.flags)) {
    p.anomaly = Anomaly::InvalidFlags;
    return p;
  }
  ByteReader r(body);
  switch (static_cast<PacketType>(header.type)) {
    case PacketType::Connect:
      parse_connect(r, p);
      break;
    case PacketType::Connack:
      r.u8();  // acknowledge flags
      p.reason = r.u8();
      p.has_reason = r.ok();
      if (level == kLevel5 && r.ok() && !r.empty()) skip_properties(r);
      break;
    case PacketType::Publish:
      parse_publish(r, p, level);
      break;
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
      parse_ack(r, p, level);
      break;
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
      parse_subscription(r, p, level, complete);
      break;
    case PacketType::Suback:
    case PacketType::Unsuback:
      parse_ack_list(r, p, level);
      break;
    case PacketType::Pingreq:
    case PacketType::Pingresp:
      if (!body.empty()) r.skip(body.size() + 1);  // must be empty
      break;
    case PacketType::Disconnect:
    case PacketType::Auth:
      parse_reason_only(r, p, level);
      break;
  }
  if (p.anomaly == Anomaly::None && !r.ok() && complete) p.anomaly = Anomaly::Malformed;
  return p;
}

bool is_refusal(uint8_t level, uint8_t code) { return level == kLevel5 ? code >= 0x80 : code != 0; }

ProbeResult probe(Bytes payload) {
  FixedHeader header;
  switch (parse_fixed_header(payload, header)) {
    case HeaderStatus::NeedMoreData:
      return ProbeResult::NeedMoreData;
    case HeaderStatus::Invalid:
      return ProbeResult::NoMatch;
    case HeaderStatus::Ok:
      break;
  }
  if (!flags_valid(header.type, header.flags)) return ProbeResult::NoMatch;
  ByteReader r(payload.subspan(header.header_size));
  switch (static_cast<PacketType>(header.type)) {
    case PacketType::Connect: {
      if (header.remaining < 10) return ProbeResult::NoMatch;
      std::string_view name = read_string(r);
      uint8_t level = r.u8();
      if (!r.ok()) return ProbeResult::NeedMoreData;
      bool known = (name == "MQTT" && (level == kLevel311 || level == kLevel5)) ||
                   (name == "MQIsdp" && level == kLevel31);
      return known ? ProbeResult::Match : ProbeResult::NoMatch;
    }
    case PacketType::Connack: {
      if (header.remaining < 2 || header.remaining > 1024) return ProbeResult::NoMatch;
      uint8_t ack_flags = r.u8();
      if (!r.ok()) return ProbeResult::NeedMoreData;
      return ack_flags <= 1 ? ProbeResult::Match : ProbeResult::NoMatch;
    }
    case PacketType::Publish:
    case PacketType::Subscribe: {
      bool publish = header.type == static_cast<uint8_t>(PacketType::Publish);
      if (publish && ((header.flags >> 1) & 0x3) == 3) return ProbeResult::NoMatch;
      if (!publish) r.be16();  // packet id
      uint16_t length = r.be16();
      if (!r.ok()) return ProbeResult::NeedMoreData;
      size_t before_topic = publish ? 2 : 4;  // length field (+ packet id)
      if (length == 0 || size_t{length} + before_topic > header.remaining) return ProbeResult::NoMatch;
      std::string_view topic = r.chars(length);
      if (!r.ok()) return ProbeResult::NeedMoreData;
      return printable(topic) ? ProbeResult::Match : ProbeResult::NoMatch;
    }
    default:
      return ProbeResult::NoMatch;
  }
}

}  // namespace ots::mqtt
