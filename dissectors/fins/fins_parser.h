// Omron FINS (Factory Interface Network Service, Omron W342/W421): the stateless wire grammar.
// FINS/UDP carries one FINS frame per datagram. FINS/TCP wraps frames in a 16-byte header:
// "FINS", length (bytes after the length field), command, error code — all big-endian.
// A FINS frame: ICF RSV GCT DNA DA1 DA2 SNA SA1 SA2 SID, command code MRC SRC, then (in
// responses) the end code MRES SRES, then the command's data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::fins {

constexpr size_t kFrameHeaderSize = 10;
constexpr size_t kCommandFrameMin = kFrameHeaderSize + 2;
constexpr size_t kResponseFrameMin = kCommandFrameMin + 2;
constexpr size_t kTcpHeaderSize = 16;
// A FINS frame carries at most 2000 data bytes plus headers; 4 KiB bounds a FINS/TCP message.
constexpr size_t kMaxTcpMessageSize = 4096;
constexpr size_t kModelSize = 20, kVersionSize = 20;  // controller data read (0501) response fields

enum class Anomaly : uint8_t {
  None,
  InvalidHeader,     // ICF / RSV / GCT out of range
  Truncated,         // frame shorter than its header + command (+ end code), or command data short
  InvalidTcpHeader,  // FINS/TCP magic, length or command invalid
  TcpError,          // FINS/TCP header with a non-zero error code
  TruncatedMessage,  // the TCP stream ended inside a message
  kCount
};
std::string_view anomaly_name(Anomaly a);

struct CommandInfo {
  uint16_t code;  // MRC << 8 | SRC
  std::string_view name;
  bool is_write;  // changes memory, parameters, program, files, operating mode, clock or forced bits
};
const CommandInfo* find_command(uint16_t code);

struct Frame {
  uint8_t icf = 0;
  bool is_response = false;
  bool response_required = false;
  uint8_t gct = 0;
  uint8_t dna = 0, da1 = 0, da2 = 0, sna = 0, sa1 = 0, sa2 = 0, sid = 0;
  uint16_t command = 0;
  uint16_t end_code = 0;  // responses
  Bytes data;             // after the command code (commands) or the end code (responses)
  // Memory area read / write / fill / transfer: the first area accessed.
  bool has_range = false;
  uint8_t area = 0;
  uint32_t address = 0;  // word address << 8 | bit
  uint32_t quantity = 0;
  // Controller data read (0501) response.
  std::string_view model, version;
  Anomaly anomaly = Anomaly::None;
};
// Parses one FINS frame; anomaly is set when it is not a valid frame.
Frame parse_frame(Bytes frame);
// An end code that reports a failure (relay / fatal / non-fatal flags and normal completion aside).
bool is_error_end_code(uint16_t end_code);

enum class TcpCommand : uint32_t {
  ClientNodeAddress = 0,
  ServerNodeAddress = 1,
  FrameSend = 2,
  FrameSendError = 3,
  ConnectionConfirmation = 6,
};
struct TcpHeader {
  uint32_t length = 0;  // bytes after the length field
  uint32_t command = 0;
  uint32_t error_code = 0;
  size_t message_size() const { return 8 + size_t{length}; }
};
enum class TcpStatus : uint8_t { Ok, NeedMoreData, Invalid };
struct TcpHeaderResult {
  TcpStatus status = TcpStatus::NeedMoreData;
  TcpHeader header;
};
TcpHeaderResult parse_tcp_header(Bytes stream);

// FINS/TCP: a valid header; otherwise FINS/UDP: a valid frame header with a known command.
ProbeResult probe(Bytes payload);

}  // namespace ots::fins
