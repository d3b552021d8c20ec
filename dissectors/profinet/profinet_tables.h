// PROFINET RT / DCP protocol knowledge as reviewable tables (STYLE.md lesson 13).
// Sources checked: IEC 61158-6-10 (FrameID ranges, DCP services, options and
// suboptions) as Wireshark's packet-pn-rt.c / packet-pn-dcp.c present them (tshark 4.0),
// and the captures in shared/pcaps. Names only; no parsing logic lives here.
#pragma once

#include <cstdint>
#include <string_view>

namespace ots::profinet {

// FrameID ranges (first two bytes after the EtherType).
namespace frame_id {
constexpr uint16_t kRtClass23First = 0x0100, kRtClass23Last = 0x7FFF;  // isochronous / synchronised cyclic
constexpr uint16_t kRtClass1First = 0x8000, kRtClass1Last = 0xBFFF;    // cyclic RT_CLASS_1
constexpr uint16_t kRtClass1McFirst = 0xC000,
                   kRtClass1McLast = 0xFBFF;  // cyclic RT_CLASS_1 (unicast/multicast)
constexpr uint16_t kAlarmHigh = 0xFC01, kAlarmLow = 0xFE01;
constexpr uint16_t kDcpHello = 0xFEFC, kDcpGetSet = 0xFEFD, kDcpIdentifyRequest = 0xFEFE,
                   kDcpIdentifyResponse = 0xFEFF;
// 0x0000–0x00FF and 0xFF00–0xFFFF carry PTCP time synchronisation (and reserved ids).
constexpr uint16_t kPtcpLowLast = 0x00FF, kPtcpHighFirst = 0xFF00;
}  // namespace frame_id

namespace service {
constexpr uint8_t kGet = 3, kSet = 4, kIdentify = 5, kHello = 6;
}

namespace service_type {
constexpr uint8_t kRequest = 0, kResponseSuccess = 1, kResponseUnsupported = 5;
}

// DCP options (high byte) and suboptions (low byte) as one 16-bit key.
namespace block {
constexpr uint16_t kMacAddress = 0x0101, kIpParameter = 0x0102, kFullIpSuite = 0x0103;
constexpr uint16_t kTypeOfStation = 0x0201, kNameOfStation = 0x0202, kDeviceId = 0x0203, kDeviceRole = 0x0204,
                   kDeviceOptions = 0x0205, kAliasName = 0x0206, kDeviceInstance = 0x0207,
                   kOemDeviceId = 0x0208;
constexpr uint16_t kStartTransaction = 0x0501, kEndTransaction = 0x0502, kSignal = 0x0503, kResponse = 0x0504,
                   kFactoryReset = 0x0505, kResetToFactory = 0x0506;
constexpr uint16_t kAllSelector = 0xFFFF;
}  // namespace block

// Operation codes: DCP services are `service << 16 | option << 8 | suboption` (option/suboption 0 for
// services that are not about one block); RT frames use the first FrameID of their range.
struct DcpOperation {
  uint32_t code;
  std::string_view name;
  bool is_write;  // changes the device's configuration
};

constexpr uint32_t dcp_code(uint8_t service, uint16_t block = 0) { return uint32_t{service} << 16 | block; }

inline constexpr DcpOperation kDcpIdentify{dcp_code(service::kIdentify), "DCP Identify", false};
inline constexpr DcpOperation kDcpGet{dcp_code(service::kGet), "DCP Get", false};
inline constexpr DcpOperation kDcpHello{dcp_code(service::kHello), "DCP Hello", false};
// One Set request carries blocks; each block is one operation (start/end transaction brackets are not).
inline constexpr DcpOperation kDcpSetOperations[] = {
    {dcp_code(service::kSet, block::kIpParameter), "DCP Set IP", true},
    {dcp_code(service::kSet, block::kFullIpSuite), "DCP Set IP", true},
    {dcp_code(service::kSet, block::kNameOfStation), "DCP Set Name of Station", true},
    {dcp_code(service::kSet, block::kFactoryReset), "DCP Factory Reset", true},
    {dcp_code(service::kSet, block::kResetToFactory), "DCP Factory Reset", true},
    {dcp_code(service::kSet, block::kSignal), "DCP Signal", false},  // flashes an LED, changes nothing
};
inline constexpr std::string_view kDcpSetOther = "DCP Set";  // any other block: still a write

inline constexpr std::string_view kRtCyclic = "RT cyclic data";
inline constexpr std::string_view kAlarmHighName = "RT Alarm High", kAlarmLowName = "RT Alarm Low";

// DeviceRoleDetails bits (block 2/4), most significant role first.
struct DeviceRole {
  uint8_t bit;
  std::string_view role;
  std::string_view device_type;  // "" when the role says nothing about the kind of device
};
inline constexpr DeviceRole kDeviceRoles[] = {
    {0x02, "IO controller", "PLC"},
    {0x01, "IO device", "IO device"},
    {0x04, "IO multidevice", "IO device"},
    {0x08, "PN supervisor", ""},
};

// PROFIBUS & PROFINET International vendor ids (block 2/3) — only ids checked against a public
// device list; others are left to the Description "vendor 0x…".
struct VendorName {
  uint16_t id;
  std::string_view name;
};
inline constexpr VendorName kVendors[] = {
    {0x002A, "Siemens"},
};

}  // namespace ots::profinet
