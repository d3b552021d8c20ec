// Mitsubishi MELSEC communication: the stateless wire grammar of two framings.
//
// MC protocol (SLMP) binary 3E / 4E frames (MELSEC Communication Protocol Reference Manual,
// SH-080008; SLMP SH-080956). Little-endian after the subheader:
//   3E request  50 00 | network, PC, module I/O (2), station | data length (2) | timer (2),
//               command (2), subcommand (2), data               (data length counts from timer)
//   3E response D0 00 | network, PC, module I/O, station | data length | end code (2), data
//   4E          54 00 / D4 00 | serial (2) | 00 00 | the 3E fields
//
// MELSOFT engineering framing (GX Works ↔ CPU on TCP 5001/5007/5562, UDP 5560): no public
// specification; the layout below is inferred from the public captures
// melsoft_iti_melsoft_{UDP_clean_2,129_clean}.pcap and covers framing and commands only:
//   [0] 0x57 'W' request / 0xD7 response, [1] 0x01 (UDP) / 0x00 (TCP), [5..6] 11 11,
//   [19..20] data length (LE, bytes after offset 21), then data: a 4-byte prefix and zeros up
//   to offset 45, where a request has its command (2 bytes, shown big-endian as in the
//   captures) and a response its status (2 bytes, 0 = success) followed by the command at 47;
//   after the command a 4-byte sequence number. Command 0x0121 (read CPU model) answers with a
//   16-byte model name ("FX5U-32MT/ES"). 0x5A 'Z' / 0xDA datagrams are discovery.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::melsec {

constexpr size_t kMc3eHeaderSize = 9;    // subheader .. data length
constexpr size_t kMc4eHeaderSize = 13;
constexpr size_t kMaxMcDataLength = 8192;  // well above the largest MC request (960 words + headers)
constexpr size_t kMelsoftHeaderSize = 21;
constexpr size_t kMelsoftCommandOffset = 45;
constexpr size_t kModelNameSize = 16;
// A frame larger than this is parsed from its first kMaxBufferedFrame bytes, the rest skipped.
constexpr size_t kMaxBufferedFrame = kMc4eHeaderSize + kMaxMcDataLength;

enum class Anomaly : uint8_t {
  None,
  InvalidHeader,     // no known subheader / MELSOFT marker where a frame must start
  InvalidLength,     // MC data length below its fixed fields or above kMaxMcDataLength
  Truncated,         // a command's device specification cut short, or a MELSOFT frame shorter than its command
  TruncatedMessage,  // the TCP stream ended inside a frame
  kCount
};
std::string_view anomaly_name(Anomaly a);

enum class FrameKind : uint8_t { McRequest, McResponse, MelsoftRequest, MelsoftResponse, Discovery };

struct CommandInfo {
  uint16_t code;
  std::string_view name;
  bool is_write;  // writes devices / buffer memory / files, or changes the CPU's operating state
};
const CommandInfo* find_mc_command(uint16_t command);
const CommandInfo* find_melsoft_command(uint16_t command);

// MC device codes (binary) → the device's name ("D", "M", "X" …).
std::string_view device_name(uint16_t device_code);

enum class FrameStatus : uint8_t { Ok, NeedMoreData, Invalid };
struct FrameSize {
  FrameStatus status = FrameStatus::NeedMoreData;
  size_t size = 0;  // whole frame, when Ok
  Anomaly anomaly = Anomaly::None;
};
// Frame boundaries in a TCP stream (MC 3E / 4E or MELSOFT).
FrameSize frame_size(Bytes stream);

struct Frame {
  FrameKind kind = FrameKind::McRequest;
  Anomaly anomaly = Anomaly::None;
  bool is_4e = false;
  uint16_t serial = 0;  // 4E
  uint8_t network = 0, pc = 0, station = 0;
  uint16_t module_io = 0;
  uint16_t command = 0, subcommand = 0;  // requests (and MELSOFT responses)
  uint16_t end_code = 0;                 // responses: MC end code / MELSOFT status
  Bytes data;                            // request data after the subcommand / response data after the end code
  // Device range of batch / random read and write requests.
  bool has_range = false;
  uint32_t address = 0;
  uint32_t quantity = 0;
  std::string_view device;
  // MELSOFT read-CPU-model response.
  std::string_view model;
};
// Parses one whole frame (a TCP frame cut by frame_size, or one datagram); `complete` is false
// for the buffered prefix of an oversized frame.
Frame parse_frame(Bytes frame, bool complete = true);

// MC read-CPU-model (0x0101) response data: 16-character model name (trailing spaces / NULs trimmed).
std::string_view cpu_model_name(Bytes response_data);

// MC 3E / 4E and MELSOFT frame headers; MELSOFT discovery only as a whole 4-byte request.
ProbeResult probe(Bytes payload);

}  // namespace ots::melsec
