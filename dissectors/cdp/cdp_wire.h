// CDP wire grammar. CDP rides in 802.3 frames with an LLC/SNAP header
// (AA AA 03, OUI 00-00-0C, protocol id 0x2000). The decoder reports such frames
// with ethertype = the SNAP protocol id and l3_payload starting at the LLC header
// (DecodedPacket::llc), so parse_cdp() accepts the PDU with or without that 8-byte
// header. Then: version (1 or 2), TTL (seconds), checksum, and TLVs of
// type (2 bytes), length (2 bytes, header included), value.
// Stateless: parse_cdp() returns views into the frame.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/net_types.h"
#include "dissectors/dissector.h"

namespace ots::cdp {

constexpr uint16_t kSnapProtocolId = 0x2000;
constexpr size_t kSnapHeaderSize = 8;
constexpr size_t kHeaderSize = 4;     // version, ttl, checksum
constexpr size_t kMaxTlvs = 256;      // a 1500-byte frame holds at most 374 empty TLVs; real PDUs carry < 20
constexpr size_t kMaxAddresses = 16;  // kept per Addresses / Management Address TLV

namespace tlv {
constexpr uint16_t kDeviceId = 0x0001, kAddresses = 0x0002, kPortId = 0x0003, kCapabilities = 0x0004,
                   kSoftwareVersion = 0x0005, kPlatform = 0x0006, kVtpDomain = 0x0009, kNativeVlan = 0x000A,
                   kDuplex = 0x000B, kManagementAddresses = 0x0016;
}

namespace capability {
constexpr uint32_t kRouter = 0x01, kTransparentBridge = 0x02, kSourceRouteBridge = 0x04, kSwitch = 0x08,
                   kHost = 0x10, kIgmp = 0x20, kRepeater = 0x40, kVoipPhone = 0x80, kRemotelyManaged = 0x100;
}

// Stable anomaly names ("cdp.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None = 0,
  InvalidHeader,     // shorter than the CDP header, or a version other than 1 and 2
  InvalidTlvLength,  // a TLV length below its 4-byte header, past the PDU, or wrong for its type
  BadChecksum,       // the checksum (RFC 1071, with Cisco's odd-length quirk) does not verify
  TooManyTlvs,       // more than kMaxTlvs TLVs
  kCount
};
std::string_view anomaly_name(Anomaly a);  // "cdp.bad_checksum"; "" for None

struct AddressList {
  IpAddr ips[kMaxAddresses];
  size_t count = 0;  // IPv4 (NLPID 0xCC) and IPv6 (802.2 SNAP 0x86DD) entries kept, in order
};

struct CdpPdu {
  uint8_t version = 0;
  uint8_t ttl = 0;
  uint16_t checksum = 0;
  bool checksum_ok = false;
  std::string_view device_id, port_id, software_version, platform, vtp_domain;
  bool has_capabilities = false;
  uint32_t capabilities = 0;
  bool has_native_vlan = false;
  uint16_t native_vlan = 0;
  bool has_duplex = false;
  bool full_duplex = false;
  AddressList addresses, management_addresses;
  size_t tlv_count = 0;
  Anomaly anomaly = Anomaly::None;  // the first malformation; fields parsed before it stay filled
};

// Parses one CDP PDU (the bytes after the 802.3 length field, or the bare CDP PDU).
CdpPdu parse_cdp(Bytes payload);

// The CDP checksum of `pdu` (the bytes from the version field on) verifies.
bool checksum_valid(Bytes pdu);

// The bytes start with an LLC/SNAP header for another OUI or protocol (not CDP: ignored, not an anomaly).
bool is_foreign_snap(Bytes payload);

// Match when the bytes start with a CDP LLC/SNAP header (or a bare CDP v1/v2 header).
ProbeResult probe(Bytes payload);

}  // namespace ots::cdp
