// EtherNet/IP and CIP protocol knowledge: the names and classifications the
// dissector reports, kept in the constexpr tables of enip_tables.cc so that they
// can be reviewed against the specifications (ODVA "The CIP Networks Library"
// Vol. 1 (CIP) and Vol. 2 (EtherNet/IP adaptation), the ODVA vendor id registry,
// Rockwell publication 1756-PM020 (Logix data access) and 1770-6.5.16 (DF1/PCCC)).
#pragma once

#include <cstdint>
#include <string_view>

namespace ots::enip {

// Encapsulation commands (Vol. 2, table 2-3.2).
constexpr uint16_t kCmdNop = 0x0000;
constexpr uint16_t kCmdLegacyListTargets = 0x0001;  // 0x0001–0x0003: reserved for legacy use (RSLinx sends 0x0001)
constexpr uint16_t kCmdListServices = 0x0004;
constexpr uint16_t kCmdListIdentity = 0x0063;
constexpr uint16_t kCmdListInterfaces = 0x0064;
constexpr uint16_t kCmdRegisterSession = 0x0065;
constexpr uint16_t kCmdUnRegisterSession = 0x0066;
constexpr uint16_t kCmdSendRRData = 0x006F;
constexpr uint16_t kCmdSendUnitData = 0x0070;
constexpr uint16_t kCmdIndicateStatus = 0x0072;
constexpr uint16_t kCmdCancel = 0x0073;

// Common Packet Format item type ids (Vol. 2, table 2-6.3).
constexpr uint16_t kItemNullAddress = 0x0000;
constexpr uint16_t kItemListIdentity = 0x000C;
constexpr uint16_t kItemConnectedAddress = 0x00A1;
constexpr uint16_t kItemConnectedData = 0x00B1;
constexpr uint16_t kItemUnconnectedData = 0x00B2;
constexpr uint16_t kItemListServices = 0x0100;
constexpr uint16_t kItemSockaddrOtoT = 0x8000;
constexpr uint16_t kItemSockaddrTtoO = 0x8001;
constexpr uint16_t kItemSequencedAddress = 0x8002;

// CIP services (Vol. 1, appendix A) and classes used by the session logic.
constexpr uint8_t kResponseBit = 0x80;
constexpr uint8_t kSvcGetAttributesAll = 0x01;
constexpr uint8_t kSvcGetAttributeList = 0x03;
constexpr uint8_t kSvcMultipleServicePacket = 0x0A;
constexpr uint8_t kSvcGetAttributeSingle = 0x0E;
constexpr uint8_t kSvcExecutePccc = 0x4B;
constexpr uint8_t kSvcForwardClose = 0x4E;
constexpr uint8_t kSvcUnconnectedSend = 0x52;
constexpr uint8_t kSvcForwardOpen = 0x54;
constexpr uint8_t kSvcLargeForwardOpen = 0x5B;
constexpr uint16_t kClassIdentity = 0x01;
constexpr uint16_t kClassMessageRouter = 0x02;
constexpr uint16_t kClassConnectionManager = 0x06;
constexpr uint16_t kClassPccc = 0x67;

// "" when the table has no entry.
std::string_view command_name(uint16_t command);
bool is_known_command(uint16_t command);
// Encapsulation status codes (Vol. 2, table 2-3.3); success is known.
bool is_known_encapsulation_status(uint32_t status);

// Service name: common services (< 0x4B) by code, object-specific ones (>= 0x4B) by class.
// Requests addressed by symbol (Logix tags) use the Symbol object's services.
std::string_view service_name(uint8_t service, bool has_class, uint16_t class_id, bool symbolic);
// Whether the service changes process state, configuration or program (see the table comments).
bool is_write_service(uint8_t service, bool has_class, uint16_t class_id, bool symbolic);
std::string_view class_name(uint16_t class_id);

std::string_view vendor_name(uint16_t vendor_id);
std::string_view device_type_name(uint16_t device_type);
std::string_view identity_state_name(uint8_t state);  // Identity object attribute 8

// PCCC (DF1) command 0x0F / 0x06 function codes carried by Execute PCCC.
std::string_view pccc_function_name(uint8_t command, uint8_t function);
bool is_pccc_write(uint8_t command, uint8_t function);

}  // namespace ots::enip
