// CODESYS V3 (CODESYS Control runtime ↔ IDE / gateway): the stateless wire grammar, all
// little-endian. No vendor specification is public; the layers follow the public research
// (Tenable TRA-2020-04, the codesys3 Wireshark Lua plugin, open-source CODESYS V3 clients) and
// CODESYS' own documentation of the service header (CDSV3ProtocolUtils.ServiceHeader):
//   block driver (TCP 11740 / 1217 only)  magic 00 01 17 E8, length (4) including these 8 bytes
//   datagram layer   0xC5, header length (low 3 bits, in 16-bit words, 3) | hop count (5 bits),
//                    packet info, service id (0x40 channel manager, 3 / 4 name service),
//                    message id, address lengths (low nibble receiver, high nibble sender, in
//                    16-bit words), receiver and sender addresses, padding to a multiple of 4
//   channel layer    (service 0x40) type: 0x01 application block, 0x02 ack, 0x03 keep-alive,
//                    0xC2 get info, 0xC3 open channel, 0x83 open channel response, 0xC4 close;
//                    an application block: type, flags (0x80 request, 0x01 first block),
//                    channel id (2), block id (4), ack id (4) and, in the first block, the
//                    remaining size (4) and a CRC-32 (4), followed by the services layer
//   services layer   protocol id (2: 0xCD55, 0x7557 secure), header size (2, bytes after this
//                    field), service group (2, 0x80 = response), service (2), session id (4),
//                    content size (4), [customer id, reserved]
//   name service     (service 3 / 4) sub-command (2: 0xC280 device info, 0xC202 name resolve,
//                    0xC201 address resolve), version (2), message id (4); a device-info
//                    answer then carries max channels (2), byte order, reserved, node name
//                    offset (2), node / device / vendor name lengths (2 each, in UTF-16
//                    characters), target type (2), target id (2), reserved (4), firmware (4,
//                    least significant part first), reserved (4), serial length (1), then the
//                    names (UTF-16LE, each NUL-terminated).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::codesys {

constexpr size_t kBlockDriverHeaderSize = 8;
constexpr size_t kDatagramFixedSize = 6;
constexpr size_t kMaxBufferedFrame = 16 * 1024;  // larger TCP blocks are parsed from this prefix
constexpr uint32_t kMaxBlockLength = 16 * 1024 * 1024;
constexpr size_t kMaxNameLength = 128;  // UTF-16 characters kept per device-info name

enum class Anomaly : uint8_t {
  None,
  InvalidBlockDriver,  // TCP block driver magic or length invalid
  InvalidDatagram,     // no 0xC5 datagram header, or its addresses run past the frame
  Truncated,           // a channel / services / name-service header cut short
  TruncatedMessage,    // the TCP stream ended inside a block
  kCount
};
std::string_view anomaly_name(Anomaly a);

constexpr uint8_t kServiceChannelManager = 0x40;
constexpr uint8_t kServiceNameServer = 3, kServiceNameClient = 4;

enum class Layer : uint8_t {
  Other,        // address service, acks, keep-alives, follow-up blocks: nothing to report
  Channel,      // open / close channel, get info
  Service,      // a services-layer header (first application block)
  NameService,  // name-service request / device-info answer
};

struct ServiceInfo {
  uint16_t group, service;
  std::string_view name;
  bool is_write;  // downloads / changes applications, files, variables, run state or settings
};
// group without the response bit.
const ServiceInfo* find_service(uint16_t group, uint16_t service);
std::string_view group_name(uint16_t group);

struct Message {
  Anomaly anomaly = Anomaly::None;
  Layer layer = Layer::Other;
  uint8_t datagram_service = 0;
  // Channel layer
  uint8_t channel_type = 0;
  uint16_t channel_id = 0;
  // Services layer
  uint16_t protocol_id = 0;
  uint16_t group = 0, service = 0;  // group without the response bit
  bool is_response = false;
  uint32_t session_id = 0;
  // Name service
  uint16_t ns_command = 0;
  bool has_device_info = false;
  Bytes node_name, device_name, vendor_name;  // UTF-16LE, without terminators
  uint8_t firmware[4] = {};
};
// One datagram (UDP payload, or a TCP block without its block driver header). `complete` is
// false for the buffered prefix of an oversized block.
Message parse_datagram(Bytes datagram, bool complete = true);

enum class FrameStatus : uint8_t { Ok, NeedMoreData, Invalid };
struct FrameSize {
  FrameStatus status = FrameStatus::NeedMoreData;
  size_t size = 0;
};
// TCP block-driver frame boundaries.
FrameSize frame_size(Bytes stream);

// UTF-16LE → ASCII (others as '?'), at most kMaxNameLength characters.
void append_utf16(std::string& out, Bytes utf16);

// A block driver header followed by 0xC5 (TCP), or a datagram header with a known service (UDP).
ProbeResult probe(Bytes payload);

}  // namespace ots::codesys
