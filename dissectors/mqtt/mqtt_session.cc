#include "dissectors/mqtt/mqtt_session.h"

#include <algorithm>

namespace ots::mqtt {
namespace {

constexpr std::string_view kProtocol = "mqtt";
constexpr std::string_view kConnectWithUsername = "Connect with username";
// Identity event names by packet type: the control packet names of the MQTT specification.
constexpr std::string_view kPacketEvents[16] = {
    "MQTT Reserved",  "MQTT CONNECT",  "MQTT CONNACK",     "MQTT PUBLISH",
    "MQTT PUBACK",    "MQTT PUBREC",   "MQTT PUBREL",      "MQTT PUBCOMP",
    "MQTT SUBSCRIBE", "MQTT SUBACK",   "MQTT UNSUBSCRIBE", "MQTT UNSUBACK",
    "MQTT PINGREQ",   "MQTT PINGRESP", "MQTT DISCONNECT",  "MQTT AUTH",
};

constexpr size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
constexpr Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }

}  // namespace

void MqttSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Stream& stream = streams_[index_of(dir)];
  while (!bytes.empty() && !rejected_ && !stream.lost) {
    if (stream.skip > 0) {
      size_t n = std::min<size_t>(stream.skip, bytes.size());
      stream.skip -= static_cast<uint32_t>(n);
      bytes = bytes.subspan(n);
      continue;
    }
    if (stream.buffer.empty()) {
      // Common case: whole packets straight from the segment, no copy.
      bytes = bytes.subspan(scan(ctx, dir, bytes));
      if (stream.skip > 0 || stream.lost) continue;
      stream.buffer.assign(bytes.begin(), bytes.end());  // less than one packet
      return;
    }
    size_t take = std::min(bytes.size(), kMaxParsedPacket - stream.buffer.size());
    stream.buffer.insert(stream.buffer.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    // A full buffer always holds a whole packet or an oversized packet's prefix: progress.
    size_t used = scan(ctx, dir, stream.buffer);
    if (stream.lost) return;  // lose() has released the buffer
    stream.buffer.erase(stream.buffer.begin(), stream.buffer.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

size_t MqttSession::scan(const FlowContext& ctx, Direction dir, Bytes window) {
  Stream& stream = streams_[index_of(dir)];
  size_t consumed = 0;
  while (consumed < window.size() && !rejected_) {
    Bytes rest = window.subspan(consumed);
    FixedHeader header;
    HeaderStatus status = parse_fixed_header(rest, header);
    if (status == HeaderStatus::NeedMoreData) break;
    if (status == HeaderStatus::Invalid) {
      violation(ctx, Anomaly::InvalidHeader);
      lose(dir);
      return window.size();
    }
    if (rest.size() >= header.total()) {
      handle_packet(ctx, dir, header, rest.subspan(header.header_size, header.remaining), true);
      consumed += header.total();
      continue;
    }
    if (rest.size() < kMaxParsedPacket) break;
    // Oversized: parse the buffered prefix, pass over the rest of the body.
    handle_packet(ctx, dir, header, rest.subspan(header.header_size), false);
    stream.skip = static_cast<uint32_t>(header.total() - rest.size());
    return window.size();
  }
  return consumed;
}

void MqttSession::handle_packet(const FlowContext& ctx, Direction dir, const FixedHeader& header, Bytes body,
                                bool complete) {
  Packet packet = parse_packet(header, body, complete, level_);
  if (packet.anomaly != Anomaly::None) {
    violation(ctx, packet.anomaly);
    return;
  }
  if (header.type == static_cast<uint8_t>(PacketType::Connect)) level_ = packet.protocol_level;
  emit(ctx, dir, packet);
  valid_packet(ctx, dir, kPacketEvents[header.type & 0x0F]);
}

void MqttSession::emit(const FlowContext& ctx, Direction dir, const Packet& packet) {
  const PacketInfo* info = find_packet(packet.header.type);
  Side side = side_of(dir);
  Operation op;
  op.code = packet.header.type;
  op.name = info->name;
  op.is_request = info->is_request;
  op.is_write = info->is_write;
  switch (static_cast<PacketType>(packet.header.type)) {
    case PacketType::Connect:
      if (packet.has_username) op.name = kConnectWithUsername;
      op.object = packet.will_topic;
      if (!packet.client_id.empty()) {
        client_id_.assign("client id ").append(packet.client_id);
        sink_.identity(ctx, kProtocol, side, IdentityField::Description, client_id_, "MQTT CONNECT");
      }
      break;
    case PacketType::Connack:
      op.is_error = is_refusal(level_, packet.reason);
      break;
    case PacketType::Publish:
      op.object = packet.topic;
      break;
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
      for (size_t i = 0; i < packet.filter_count; ++i) {
        op.object = packet.filters[i];
        sink_.operation(ctx, kProtocol, side, op);
      }
      return;
    case PacketType::Suback:
    case PacketType::Unsuback:
      op.is_error = packet.any_failure;
      break;
    default:
      op.is_error = packet.has_reason && packet.reason >= 0x80;
      break;
  }
  sink_.operation(ctx, kProtocol, side, op);
}

void MqttSession::valid_packet(const FlowContext& ctx, Direction dir, std::string_view event) {
  consecutive_violations_ = 0;
  ++streams_[index_of(dir)].valid_packets;
  if (confirmed_) return;
  uint32_t from_client = streams_[0].valid_packets, from_server = streams_[1].valid_packets;
  if ((from_client > 0 && from_server > 0) || from_client >= kConfirmAfterValidPackets ||
      from_server >= kConfirmAfterValidPackets) {
    confirmed_ = true;
    sink_.protocol_confirmed(ctx, kProtocol);
    // The roles follow from the connection's direction; `event` is the packet that confirmed it.
    sink_.identity(ctx, kProtocol, Side::Client, IdentityField::Role, "MQTT client", event);
    sink_.identity(ctx, kProtocol, Side::Server, IdentityField::Role, "MQTT broker", event);
  }
}

void MqttSession::gap(const FlowContext&, Direction dir, uint64_t) { lose(dir); }

void MqttSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  bool inside_packet = !stream.buffer.empty() || stream.skip > 0;
  if (!rejected_ && !stream.lost && inside_packet) sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::TruncatedMessage));
  stream.buffer.clear();
  stream.skip = 0;
}

void MqttSession::lose(Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  stream.lost = true;
  stream.buffer.clear();
  stream.buffer.shrink_to_fit();
  stream.skip = 0;
  if (streams_[0].lost && streams_[1].lost) rejected_ = true;
}

void MqttSession::violation(const FlowContext& ctx, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  if (++consecutive_violations_ >= kMaxConsecutiveViolations) rejected_ = true;
}

}  // namespace ots::mqtt
