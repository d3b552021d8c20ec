// Triconex TriStation (TriStation 1131 ↔ Tricon / Trident / Tri-GP safety controllers, UDP 1502):
// the stateless wire grammar. There is no vendor specification; the layout follows the public
// TRITON / TRISIS analyses (FireEye "TriStation UDP basic dissector", Nozomi, nDPI):
//   message type (1), channel (1), data length (2, LE), data (length bytes), CRC-16 (2)
// so a datagram is exactly length + 6 bytes. Message types: 1 connection request,
// 2 connection response, 3 disconnection response, 4 disconnection request, 5 execution command,
// 6 ping, 7 connection limit reached, 8 not connected, 9 MPs are dead, 10 access denied,
// 11 connection failed. An execution command's data starts with direction (0/1), connection
// id, command code, counter: command codes below 100 are requests (start download, run / halt
// program, set point values, …), 100–199 responses, 100 and 200–255 rejections.
// The CRC is not verified (its parameters are not publicly documented with certainty).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::tristation {

constexpr size_t kFrameOverhead = 6;  // type, channel, length, CRC
constexpr size_t kExecHeaderSize = 4;  // direction, connection id, command, counter

enum class Anomaly : uint8_t {
  None,
  InvalidType,       // message type outside 1..11
  InvalidLength,     // data length + 6 differs from the datagram size
  InvalidDirection,  // execution command direction byte above 1
  Truncated,         // execution command shorter than its 4-byte header
  kCount
};
std::string_view anomaly_name(Anomaly a);

enum class MessageType : uint8_t {
  ConnectRequest = 1,
  ConnectResponse = 2,
  DisconnectResponse = 3,
  DisconnectRequest = 4,
  Execute = 5,
  Ping = 6,
  ConnectionLimit = 7,
  NotConnected = 8,
  MpsDead = 9,
  AccessDenied = 10,
  ConnectionFailed = 11,
};

struct MessageInfo {
  std::string_view name;
  bool is_request;
  bool is_error;
};
const MessageInfo* find_message(uint8_t type);

struct CommandInfo {
  uint8_t code;
  std::string_view name;
  bool is_write;  // downloads / changes the control program, its state, points, clock or configuration
};
// Execution command codes (requests < 100, responses 100..199, rejections 100 and 200..255).
const CommandInfo* find_command(uint8_t code);
constexpr bool is_command_request(uint8_t code) { return code < 100; }
constexpr bool is_command_rejection(uint8_t code) { return code == 100 || code >= 200; }

struct Message {
  Anomaly anomaly = Anomaly::None;
  uint8_t type = 0;
  uint8_t channel = 0;
  Bytes data;
  // Execution commands:
  uint8_t direction = 0, connection_id = 0, command = 0, counter = 0;
};
Message parse_message(Bytes datagram);

// Match for a datagram whose size equals its length field + 6 with a known message type (and a
// valid direction byte for execution commands).
ProbeResult probe(Bytes payload);

}  // namespace ots::tristation
