// MQTT 3.1 / 3.1.1 / 5.0 (OASIS mqtt-v3.1.1-os, mqtt-v5.0-os): the stateless wire grammar.
// A control packet is a fixed header (type << 4 | flags, remaining length as a 1–4 byte
// varint) and a body whose layout depends on the type and, for MQTT 5, carries properties
// (a varint length and that many bytes, skipped here).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::mqtt {

// Packets larger than this are parsed from their first kMaxParsedPacket bytes (the headers,
// topic and properties always fit) and the rest of the body is skipped unbuffered.
constexpr size_t kMaxParsedPacket = 16 * 1024;
constexpr size_t kMaxTopicsPerMessage = 32;
constexpr uint32_t kMaxRemainingLength = 268'435'455;  // four varint bytes

enum class Anomaly : uint8_t {
  None,
  InvalidHeader,        // packet type 0 or a remaining length of more than four bytes
  InvalidFlags,         // fixed-header flags the type forbids (SUBSCRIBE/UNSUBSCRIBE/PUBREL need 0b0010)
  InvalidProtocol,      // CONNECT protocol name / level unknown
  InvalidConnectFlags,  // reserved bit set, will QoS 3, will flags without will, password without username (3.1.1)
  InvalidQos,           // PUBLISH QoS 3
  Malformed,            // body shorter than its fields, or a property length beyond the body
  TooManyTopics,        // SUBSCRIBE / UNSUBSCRIBE with more than kMaxTopicsPerMessage filters
  TruncatedMessage,     // the stream ended inside a packet
  kCount
};
std::string_view anomaly_name(Anomaly a);

enum class PacketType : uint8_t {
  Connect = 1,
  Connack = 2,
  Publish = 3,
  Puback = 4,
  Pubrec = 5,
  Pubrel = 6,
  Pubcomp = 7,
  Subscribe = 8,
  Suback = 9,
  Unsubscribe = 10,
  Unsuback = 11,
  Pingreq = 12,
  Pingresp = 13,
  Disconnect = 14,
  Auth = 15,
};

struct PacketInfo {
  std::string_view name;
  bool is_request;  // sent to ask for something (vs. an acknowledgement / response)
  bool is_write;    // delivers application data (PUBLISH)
};
// nullptr for type 0.
const PacketInfo* find_packet(uint8_t type);

constexpr uint8_t kLevel31 = 3, kLevel311 = 4, kLevel5 = 5;

struct FixedHeader {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint32_t remaining = 0;
  size_t header_size = 0;  // type byte + varint bytes
  size_t total() const { return header_size + remaining; }
};
enum class HeaderStatus : uint8_t { Ok, NeedMoreData, Invalid };
HeaderStatus parse_fixed_header(Bytes stream, FixedHeader& out);

struct Packet {
  FixedHeader header;
  Anomaly anomaly = Anomaly::None;
  // CONNECT
  uint8_t protocol_level = 0;
  std::string_view client_id, will_topic;
  bool has_will = false, has_username = false, has_password = false;
  // CONNACK, PUBACK…PUBCOMP, DISCONNECT, AUTH (MQTT 5 reason code / 3.x return code)
  bool has_reason = false;
  uint8_t reason = 0;
  // PUBLISH
  std::string_view topic;
  uint8_t qos = 0;
  bool retain = false, dup = false;
  uint16_t packet_id = 0;
  // SUBSCRIBE / UNSUBSCRIBE filters (the first kMaxTopicsPerMessage)
  std::array<std::string_view, kMaxTopicsPerMessage> filters{};
  size_t filter_count = 0;
  // SUBACK / UNSUBACK: a failure return / reason code among the acknowledgements
  bool any_failure = false;
};

// Parses the body of one packet. `body` is the whole body, or its first bytes when
// `complete` is false (an oversized packet): fields cut off there are not an anomaly.
// `level` is the protocol level negotiated by CONNECT (4 when none was seen).
Packet parse_packet(const FixedHeader& header, Bytes body, bool complete, uint8_t level);

// True for a return / reason code that reports failure in a CONNACK (3.x: non-zero; 5: >= 0x80).
bool is_refusal(uint8_t level, uint8_t code);

// Match for a CONNECT with a known protocol name and level, a CONNACK, a PUBLISH with a
// printable topic, or a SUBSCRIBE with a printable filter.
ProbeResult probe(Bytes payload);

}  // namespace ots::mqtt
