// Beckhoff ADS / AMS (Beckhoff Information System "ADS specification", TwinCAT 2/3): the
// stateless wire grammar, all little-endian.
//   AMS/TCP header (TCP 48898)  reserved (2, zero), length (4) of the AMS packet that follows
//   AMS header (32 bytes)       target NetId (6), target port (2), source NetId (6), source port (2),
//                               command id (2), state flags (2: 0x0001 response, 0x0004 ADS command),
//                               data length (4), error code (4), invoke id (4); then the ADS data.
// UDP 48899 carries the TwinCAT discovery / route service: magic 03 66 14 71, invoke id (4),
// service (4: 1 discover, 6 add route; | 0x80000000 = response), the sender's AMS NetId (6) and
// port (2), a tag count (4), then tags: id (2), length (2), value. Tags used: 0x0001 status,
// 0x0002 password (never read), 0x0003 TwinCAT version (major, minor, build (2)), 0x0004 OS
// version (OSVERSIONINFO: size, major, minor, build, platform id, …), 0x0005 host name /
// address, 0x0007 NetId, 0x000C route name, 0x000D user name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::ads {

constexpr size_t kTcpHeaderSize = 6;
constexpr size_t kAmsHeaderSize = 32;
// A frame larger than this is parsed from its first kMaxBufferedFrame bytes, the rest skipped.
constexpr size_t kMaxBufferedFrame = 16 * 1024;
constexpr uint32_t kMaxAmsLength = 16 * 1024 * 1024;  // bounds a plausible AMS/TCP length
constexpr size_t kMaxDiscoveryTags = 32;
constexpr size_t kDeviceNameSize = 16;

enum class Anomaly : uint8_t {
  None,
  InvalidHeader,     // AMS/TCP reserved bytes non-zero, length out of range, or AMS header invalid
  InvalidLength,     // AMS data length disagrees with the frame
  Truncated,         // a command's fixed fields cut short
  InvalidDiscovery,  // a UDP 48899 datagram that is not a well-formed discovery / route message
  TruncatedMessage,  // the TCP stream ended inside a frame
  kCount
};
std::string_view anomaly_name(Anomaly a);

struct CommandInfo {
  uint16_t code;
  std::string_view name;
  bool is_write;  // writes variables or changes the ADS / device state
};
const CommandInfo* find_command(uint16_t command);
// "Run", "Stop", … for an ADS state; empty when unknown.
std::string_view ads_state_name(uint16_t state);

constexpr uint32_t kIndexGroupSymbolHandleByName = 0xF003;
constexpr uint32_t kIndexGroupSumWrite = 0xF081, kIndexGroupSumReadWrite = 0xF082;

struct AmsPacket {
  Anomaly anomaly = Anomaly::None;
  uint8_t target_net_id[6] = {}, source_net_id[6] = {};
  uint16_t target_port = 0, source_port = 0;
  uint16_t command = 0, state_flags = 0;
  uint32_t error_code = 0, invoke_id = 0;
  bool is_response = false;
  // From the ADS data:
  uint32_t result = 0;  // responses (all but DeviceNotification)
  bool has_range = false;
  uint32_t index_group = 0, index_offset = 0, length = 0;
  std::string_view symbol;           // ReadWrite of "symbol handle by name": the variable name
  uint16_t ads_state = 0, device_state = 0;
  bool has_state = false;            // ReadState response / WriteControl request
  uint8_t version_major = 0, version_minor = 0;
  uint16_t version_build = 0;
  std::string_view device_name;      // ReadDeviceInfo response
};
// One AMS packet (AMS header + data). `complete` is false for the buffered prefix of an
// oversized frame.
AmsPacket parse_ams(Bytes packet, bool complete = true);

enum class FrameStatus : uint8_t { Ok, NeedMoreData, Invalid };
struct FrameSize {
  FrameStatus status = FrameStatus::NeedMoreData;
  size_t size = 0;
};
// AMS/TCP frame boundaries: a zero reserved field, a length of at least one AMS header.
FrameSize frame_size(Bytes stream);

constexpr uint32_t kServiceDiscover = 1, kServiceAddRoute = 6, kServiceResponse = 0x80000000;

struct Discovery {
  bool valid = false;
  uint32_t service = 0;  // without the response bit
  bool is_response = false;
  uint8_t net_id[6] = {};
  std::string_view host_name, route_name;
  bool has_status = false;
  uint32_t status = 0;
  bool has_twincat = false;
  uint8_t twincat_major = 0, twincat_minor = 0;
  uint16_t twincat_build = 0;
  bool has_os = false;
  uint32_t os_major = 0, os_minor = 0, os_build = 0, os_platform = 0;
};
Discovery parse_discovery(Bytes datagram);

// AMS/TCP with a valid AMS header, or a discovery datagram (magic 03 66 14 71).
ProbeResult probe(Bytes payload);

}  // namespace ots::ads
