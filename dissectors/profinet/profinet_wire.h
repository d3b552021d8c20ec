// PROFINET RT wire grammar (IEC 61158-6-10): every frame after EtherType 0x8892
// starts with a 2-byte FrameID whose range says what follows (profinet_tables.h).
// DCP frames then carry: ServiceID, ServiceType, Xid (4), ResponseDelay / reserved
// (2), DCPDataLength (2) and that many bytes of blocks. A block is Option,
// Suboption, DCPBlockLength (2) and the value — which starts with a 2-byte
// BlockInfo (responses, Hello) or BlockQualifier (Set requests) —, padded to an even
// length. Identify request filters and Set response blocks have no BlockInfo; a Get
// request is a bare list of Option/Suboption pairs.
// Stateless: views point into the frame.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/net_types.h"
#include "dissectors/dissector.h"
#include "dissectors/profinet/profinet_tables.h"

namespace ots::profinet {

constexpr uint16_t kEthertype = 0x8892;
constexpr size_t kDcpHeaderSize = 10;
constexpr size_t kRtTrailerSize = 4;  // cycle counter, data status, transfer status
constexpr size_t kMaxBlocks = 64;     // real DCP messages carry < 20

// Stable anomaly names ("profinet.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None = 0,
  Truncated,          // shorter than its FrameID, DCP header or RT trailer
  InvalidDcpLength,   // DCPDataLength past the frame, or a block past DCPDataLength / too short for its kind
  InvalidDcpService,  // a service or service type that does not belong on this FrameID
  TooManyBlocks,      // more than kMaxBlocks blocks
  kCount
};
std::string_view anomaly_name(Anomaly a);  // "profinet.invalid_dcp_length"; "" for None

enum class FrameKind : uint8_t { Ptcp, RtCyclic, Alarm, Dcp, Reserved };
FrameKind classify(uint16_t frame_id);
// The first FrameID of a cyclic frame's range (the "RT cyclic data" operation code); 0 otherwise.
uint16_t cyclic_range(uint16_t frame_id);

struct DcpHeader {
  uint16_t frame_id = 0;
  uint8_t service_id = 0;
  uint8_t service_type = 0;
  uint32_t xid = 0;
  uint16_t response_delay = 0;
  uint16_t data_length = 0;
  bool is_request() const { return service_type == service_type::kRequest; }
};

enum class BlockLayout : uint8_t {
  OptionList,  // Get request: Option, Suboption pairs only
  Plain,       // Identify request filters, Set responses: no BlockInfo
  WithInfo,    // responses, Hello, Set requests: 2-byte BlockInfo / BlockQualifier first
};

struct DcpBlock {
  uint16_t key = 0;   // option << 8 | suboption
  uint16_t info = 0;  // BlockInfo / BlockQualifier (WithInfo only)
  Bytes value;        // after BlockInfo
};

struct DcpMessage {
  DcpHeader header;
  BlockLayout layout = BlockLayout::WithInfo;
  Bytes blocks;                     // DCPDataLength bytes
  Anomaly anomaly = Anomaly::None;  // Truncated / InvalidDcpLength / InvalidDcpService
};

// Parses the DCP header of a frame (bytes after the EtherType, FrameID included).
DcpMessage parse_dcp(Bytes frame);

// Walks `message.blocks`: true with the next block, false at the end or on a malformed block
// (then `anomaly` is set). Padding after odd-length blocks is skipped.
class BlockReader {
 public:
  explicit BlockReader(const DcpMessage& message) : reader_(message.blocks), layout_(message.layout) {}
  bool next(DcpBlock& out);
  Anomaly anomaly() const { return anomaly_; }

 private:
  ByteReader reader_;
  BlockLayout layout_;
  size_t count_ = 0;
  Anomaly anomaly_ = Anomaly::None;
};

struct IpSuite {
  IpAddr ip, mask, gateway;
};
bool parse_ip_suite(Bytes value, IpSuite& out);  // blocks 1/2 and 1/3 (the first 12 bytes)

struct DeviceId {
  uint16_t vendor = 0, device = 0;
};
bool parse_device_id(Bytes value, DeviceId& out);  // blocks 2/3 and 2/8

// Match when the bytes start with a DCP FrameID and a service that belongs on it, or a cyclic /
// alarm FrameID; NeedMoreData below the DCP header size for DCP FrameIDs.
ProbeResult probe(Bytes frame);

}  // namespace ots::profinet
