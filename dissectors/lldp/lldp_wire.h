// LLDP wire grammar (IEEE 802.1AB): one LLDPDU = a sequence of TLVs, each a
// 16-bit header (7-bit type, 9-bit length) followed by `length` bytes. The
// first three TLVs must be Chassis ID, Port ID and Time To Live; End of LLDPDU
// (type 0, length 0) closes the PDU and whatever follows it is Ethernet padding.
// Stateless: parse_lldpdu() returns views into the frame.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::lldp {

constexpr uint16_t kEthertype = 0x88CC;
constexpr size_t kMaxTlvs =
    512;  // a 9000-byte jumbo frame holds at most 4500 empty TLVs; real PDUs carry < 40

namespace tlv {
constexpr uint8_t kEnd = 0, kChassisId = 1, kPortId = 2, kTtl = 3, kPortDescription = 4, kSystemName = 5,
                  kSystemDescription = 6, kSystemCapabilities = 7, kManagementAddress = 8,
                  kOrganizationSpecific = 127;
}

// System capabilities bits (802.1AB 8.5.8).
namespace capability {
constexpr uint16_t kOther = 0x0001, kRepeater = 0x0002, kBridge = 0x0004, kWlanAccessPoint = 0x0008,
                   kRouter = 0x0010, kTelephone = 0x0020, kDocsis = 0x0040, kStationOnly = 0x0080,
                   kCVlan = 0x0100, kSVlan = 0x0200, kTpmr = 0x0400;
}

// Chassis ID subtypes (802.1AB 8.5.2.2) used here.
namespace chassis_subtype {
constexpr uint8_t kMacAddress = 4, kNetworkAddress = 5, kLocallyAssigned = 7;
}

// Stable anomaly names ("lldp.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None = 0,
  MissingMandatoryTlv,  // the PDU does not start with Chassis ID, Port ID, TTL in that order
  InvalidTlvLength,     // a TLV runs past the frame, or its length is outside what its type allows
  TooManyTlvs,          // more than kMaxTlvs TLVs before End of LLDPDU
  kCount
};
std::string_view anomaly_name(Anomaly a);  // "lldp.invalid_tlv_length"; "" for None

// LLDP-MED inventory (TIA-1057, OUI 00-12-BB subtypes 5–11).
struct MedInventory {
  std::string_view hardware_revision, firmware_revision, software_revision, serial_number, manufacturer,
      model, asset_id;
};

struct ManagementAddress {
  uint8_t subtype = 0;  // IANA address family: 1 IPv4, 2 IPv6, 6 802
  Bytes address;
};

struct Lldpdu {
  uint8_t chassis_subtype = 0;
  Bytes chassis_id;
  uint8_t port_subtype = 0;
  Bytes port_id;
  uint16_t ttl = 0;
  std::string_view port_description, system_name, system_description;
  bool has_capabilities = false;
  uint16_t capabilities = 0, enabled_capabilities = 0;
  ManagementAddress management;  // the first IPv4 one, else the first one
  uint16_t port_vlan_id = 0;     // 802.1 Port VLAN ID (0 when absent)
  MedInventory med;
  size_t tlv_count = 0;
  bool has_end = false;
  Anomaly anomaly = Anomaly::None;  // the first malformation; fields parsed before it stay filled
};

// Parses the bytes after the EtherType. Never fails hard: a malformed TLV stops the walk.
Lldpdu parse_lldpdu(Bytes payload);

// Match when the bytes start with a well-formed Chassis ID TLV; NeedMoreData below 2 bytes.
ProbeResult probe(Bytes payload);

}  // namespace ots::lldp
