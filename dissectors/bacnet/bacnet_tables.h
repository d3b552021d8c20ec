// BACnet protocol knowledge (ASHRAE 135 and Annex J, BACnet/IP), kept in tables that can be
// reviewed against the standard. The large registries (vendor ids, property identifiers, error
// codes) are generated into bacnet_registry.cc by gen_tables.py.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace ots::bacnet {

constexpr std::string_view kProtocol = "bacnet";

// ---- Anomalies (stable names; rules match on them) ----

enum class Anomaly : uint8_t {
  None,
  InvalidBvlc,        // BVLC type is not 0x81 (BACnet/IPv4) or the function is unknown
  InvalidBvlcLength,  // BVLC length differs from the datagram length, or a BVLC body has a bad size
  InvalidNpdu,        // NPDU version is not 1, reserved control bits set, bad SNET/SLEN
  InvalidApdu,        // unknown PDU type or a service body that does not have the service's shape
  InvalidTag,         // a malformed BACnet tag (bad length, unbalanced closing tag)
  TagNestingTooDeep,  // opening tags nested deeper than kMaxTagDepth
  Truncated,          // a header, tag or value ends before its length says
  UnknownService,     // a service choice that ASHRAE 135 does not define
  UnmatchedResponse,  // an ACK / Error / Reject / Abort for no pending confirmed request
  kCount
};

constexpr std::string_view kAnomalyNames[] = {
    "",
    "bacnet.invalid_bvlc",
    "bacnet.invalid_bvlc_length",
    "bacnet.invalid_npdu",
    "bacnet.invalid_apdu",
    "bacnet.invalid_tag",
    "bacnet.tag_nesting_too_deep",
    "bacnet.truncated",
    "bacnet.unknown_service",
    "bacnet.unmatched_response",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

constexpr std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }

// ---- Operation codes (Operation::code) ----
// Confirmed services use their service choice (0–255); the other spaces are offset so that
// codes never collide.
constexpr uint32_t kUnconfirmedCodeBase = 0x100;  // + unconfirmed service choice
constexpr uint32_t kNetworkCodeBase = 0x200;      // + network-layer message type
constexpr uint32_t kBvlcCodeBase = 0x300;         // + BVLC function (BVLL-only messages)
constexpr uint32_t kPduCodeBase = 0x400;          // + APDU type, for PDUs with no known service

// ---- Lookup helpers ----

struct NamedId {
  uint32_t id;
  std::string_view name;
};

// Binary search in a table sorted by id; "" when absent.
template <size_t N>
constexpr std::string_view find_name(const NamedId (&table)[N], uint32_t id) {
  const NamedId* it =
      std::lower_bound(table, table + N, id, [](const NamedId& e, uint32_t v) { return e.id < v; });
  return it != table + N && it->id == id ? it->name : std::string_view{};
}

// ---- BVLC (Annex J.2) ----

namespace bvlc {
constexpr uint8_t kTypeBip = 0x81;
constexpr uint8_t kResult = 0x00, kWriteBdt = 0x01, kReadBdt = 0x02, kReadBdtAck = 0x03,
                  kForwardedNpdu = 0x04, kRegisterForeignDevice = 0x05, kReadFdt = 0x06, kReadFdtAck = 0x07,
                  kDeleteFdtEntry = 0x08, kDistributeBroadcast = 0x09, kOriginalUnicast = 0x0A,
                  kOriginalBroadcast = 0x0B, kSecureBvll = 0x0C;
constexpr uint8_t kMaxFunction = kSecureBvll;
}  // namespace bvlc

struct BvlcFunction {
  uint32_t id;
  std::string_view name;
  bool is_write;  // changes a BBMD's tables
};

constexpr BvlcFunction kBvlcFunctions[] = {
    {bvlc::kResult, "BVLC-Result", false},
    {bvlc::kWriteBdt, "Write-Broadcast-Distribution-Table", true},
    {bvlc::kReadBdt, "Read-Broadcast-Distribution-Table", false},
    {bvlc::kReadBdtAck, "Read-Broadcast-Distribution-Table-Ack", false},
    {bvlc::kForwardedNpdu, "Forwarded-NPDU", false},
    {bvlc::kRegisterForeignDevice, "Register-Foreign-Device", true},
    {bvlc::kReadFdt, "Read-Foreign-Device-Table", false},
    {bvlc::kReadFdtAck, "Read-Foreign-Device-Table-Ack", false},
    {bvlc::kDeleteFdtEntry, "Delete-Foreign-Device-Table-Entry", true},
    {bvlc::kDistributeBroadcast, "Distribute-Broadcast-To-Network", false},
    {bvlc::kOriginalUnicast, "Original-Unicast-NPDU", false},
    {bvlc::kOriginalBroadcast, "Original-Broadcast-NPDU", false},
    {bvlc::kSecureBvll, "Secure-BVLL", false},
};
static_assert(std::size(kBvlcFunctions) == bvlc::kMaxFunction + 1u);

// J.2.1.1 BVLC-Result codes.
constexpr NamedId kBvlcResults[] = {
    {0x0000, "Successful completion"},
    {0x0010, "Write-Broadcast-Distribution-Table NAK"},
    {0x0020, "Read-Broadcast-Distribution-Table NAK"},
    {0x0030, "Register-Foreign-Device NAK"},
    {0x0040, "Read-Foreign-Device-Table NAK"},
    {0x0050, "Delete-Foreign-Device-Table-Entry NAK"},
    {0x0060, "Distribute-Broadcast-To-Network NAK"},
};

// ---- NPDU (clause 6) ----

namespace npdu {
constexpr uint8_t kVersion = 1;
constexpr uint8_t kNetworkMessage = 0x80, kReserved1 = 0x40, kDestination = 0x20, kReserved2 = 0x10,
                  kSource = 0x08, kExpectingReply = 0x04, kPriorityMask = 0x03;
constexpr uint8_t kFirstProprietaryMessage = 0x80;  // 0x80–0xFF carry a vendor id
}  // namespace npdu

// 6.2.4 network-layer message types; 0x14–0x7F are reserved, 0x80–0xFF proprietary.
constexpr NamedId kNetworkMessages[] = {
    {0x00, "Who-Is-Router-To-Network"},
    {0x01, "I-Am-Router-To-Network"},
    {0x02, "I-Could-Be-Router-To-Network"},
    {0x03, "Reject-Message-To-Network"},
    {0x04, "Router-Busy-To-Network"},
    {0x05, "Router-Available-To-Network"},
    {0x06, "Initialize-Routing-Table"},
    {0x07, "Initialize-Routing-Table-Ack"},
    {0x08, "Establish-Connection-To-Network"},
    {0x09, "Disconnect-Connection-To-Network"},
    {0x0A, "Challenge-Request"},
    {0x0B, "Security-Payload"},
    {0x0C, "Security-Response"},
    {0x0D, "Request-Key-Update"},
    {0x0E, "Update-Key-Set"},
    {0x0F, "Update-Distribution-Key"},
    {0x10, "Request-Master-Key"},
    {0x11, "Set-Master-Key"},
    {0x12, "What-Is-Network-Number"},
    {0x13, "Network-Number-Is"},
};
constexpr std::string_view kProprietaryNetworkMessage = "Proprietary-Network-Message";
constexpr uint8_t kRejectMessageToNetwork = 0x03, kInitializeRoutingTableAck = 0x07;
// 6.4.4 Reject-Message-To-Network reasons.
constexpr std::string_view kNetworkRejectReasons[] = {
    "other",          "no route to DNET", "router busy", "unknown network message type", "message too long",
    "security error", "addressing error"};
// Network messages that change routing state.
constexpr bool is_write_network_message(uint8_t type) {
  return type == 0x06 || type == 0x08 || type == 0x09 || type == 0x0E || type == 0x0F || type == 0x11;
}

// ---- APDU (clause 20) ----

namespace pdu {
constexpr uint8_t kConfirmedRequest = 0, kUnconfirmedRequest = 1, kSimpleAck = 2, kComplexAck = 3,
                  kSegmentAck = 4, kError = 5, kReject = 6, kAbort = 7;
constexpr uint8_t kSegmented = 0x08, kMoreFollows = 0x04, kSegmentedResponseAccepted = 0x02;
constexpr uint8_t kNegativeAck = 0x02, kSentByServer = 0x01;  // Segment-ACK / Abort flags
}  // namespace pdu

constexpr std::string_view kPduTypeNames[] = {"Confirmed-Request",
                                              "Unconfirmed-Request",
                                              "Simple-ACK",
                                              "Complex-ACK",
                                              "Segment-ACK",
                                              "Error",
                                              "Reject",
                                              "Abort"};

// 20.1.2.5 max-APDU-length-accepted encodings (values 6–15 are reserved).
constexpr uint16_t kMaxApduLengths[] = {50, 128, 206, 480, 1024, 1476};
// 20.1.2.4 max-segments-accepted: 0 = unspecified, 7 = more than 64.
constexpr uint8_t kMaxSegments[] = {0, 2, 4, 8, 16, 32, 64, 65};

struct Service {
  uint32_t id;
  std::string_view name;
  bool is_write;  // changes process values, configuration, device state or the device clock
};

// 21 BACnetConfirmedServiceChoice.
constexpr Service kConfirmedServices[] = {
    {0, "acknowledgeAlarm", true},
    {1, "confirmedCOVNotification", false},
    {2, "confirmedEventNotification", false},
    {3, "getAlarmSummary", false},
    {4, "getEnrollmentSummary", false},
    {5, "subscribeCOV", false},
    {6, "atomicReadFile", false},
    {7, "atomicWriteFile", true},
    {8, "addListElement", true},
    {9, "removeListElement", true},
    {10, "createObject", true},
    {11, "deleteObject", true},
    {12, "readProperty", false},
    {13, "readPropertyConditional", false},
    {14, "readPropertyMultiple", false},
    {15, "writeProperty", true},
    {16, "writePropertyMultiple", true},
    {17, "deviceCommunicationControl", true},
    {18, "confirmedPrivateTransfer", false},
    {19, "confirmedTextMessage", false},
    {20, "reinitializeDevice", true},
    {21, "vtOpen", false},
    {22, "vtClose", false},
    {23, "vtData", false},
    {24, "authenticate", false},
    {25, "requestKey", false},
    {26, "readRange", false},
    {27, "lifeSafetyOperation", true},
    {28, "subscribeCOVProperty", false},
    {29, "getEventInformation", false},
    {30, "subscribeCOVPropertyMultiple", false},
    {31, "confirmedCOVNotificationMultiple", false},
    {32, "confirmedAuditNotification", false},
    {33, "auditLogQuery", false},
};

// 21 BACnetUnconfirmedServiceChoice.
constexpr Service kUnconfirmedServices[] = {
    {0, "i-Am", false},
    {1, "i-Have", false},
    {2, "unconfirmedCOVNotification", false},
    {3, "unconfirmedEventNotification", false},
    {4, "unconfirmedPrivateTransfer", false},
    {5, "unconfirmedTextMessage", false},
    {6, "timeSynchronization", true},
    {7, "who-Has", false},
    {8, "who-Is", false},
    {9, "utcTimeSynchronization", true},
    {10, "writeGroup", true},
    {11, "unconfirmedCOVNotificationMultiple", false},
    {12, "unconfirmedAuditNotification", false},
    {13, "who-Am-I", false},
    {14, "you-Are", true},
};

namespace confirmed {
constexpr uint8_t kAtomicReadFile = 6, kAtomicWriteFile = 7, kCreateObject = 10, kDeleteObject = 11,
                  kReadProperty = 12, kReadPropertyMultiple = 14, kWriteProperty = 15,
                  kWritePropertyMultiple = 16, kDeviceCommunicationControl = 17, kReinitializeDevice = 20,
                  kReadRange = 26, kSubscribeCov = 5, kSubscribeCovProperty = 28, kPrivateTransfer = 18;
}
namespace unconfirmed {
constexpr uint8_t kIAm = 0, kIHave = 1, kPrivateTransfer = 4, kWhoHas = 7, kWhoIs = 8, kWhoAmI = 13,
                  kYouAre = 14;
}

inline const Service* find_service(bool is_confirmed, uint8_t choice) {
  if (is_confirmed) return choice < std::size(kConfirmedServices) ? &kConfirmedServices[choice] : nullptr;
  return choice < std::size(kUnconfirmedServices) ? &kUnconfirmedServices[choice] : nullptr;
}

// 21 BACnetErrorClass.
constexpr std::string_view kErrorClasses[] = {"device",   "object",   "property", "resources",
                                              "security", "services", "vt",       "communication"};
// 21 BACnetRejectReason.
constexpr std::string_view kRejectReasons[] = {"other",
                                               "buffer-overflow",
                                               "inconsistent-parameters",
                                               "invalid-parameter-data-type",
                                               "invalid-tag",
                                               "missing-required-parameter",
                                               "parameter-out-of-range",
                                               "too-many-arguments",
                                               "undefined-enumeration",
                                               "unrecognized-service"};
// 21 BACnetAbortReason.
constexpr std::string_view kAbortReasons[] = {"other",
                                              "buffer-overflow",
                                              "invalid-apdu-in-this-state",
                                              "preempted-by-higher-priority-task",
                                              "segmentation-not-supported",
                                              "security-error",
                                              "insufficient-security",
                                              "window-size-out-of-range",
                                              "application-exceeded-reply-time",
                                              "out-of-resources",
                                              "tsm-timeout",
                                              "apdu-too-long"};

// Operation::object of ReinitializeDevice / DeviceCommunicationControl: the requested state,
// and whether a password came with it.
struct StateName {
  std::string_view plain, with_password;
};
// 16.4 ReinitializeDevice reinitialized-state-of-device.
constexpr StateName kReinitializeStates[] = {
    {"coldstart", "coldstart with password"},       {"warmstart", "warmstart with password"},
    {"startbackup", "startbackup with password"},   {"endbackup", "endbackup with password"},
    {"startrestore", "startrestore with password"}, {"endrestore", "endrestore with password"},
    {"abortrestore", "abortrestore with password"}, {"activate-changes", "activate-changes with password"},
};
// 16.1 DeviceCommunicationControl enable-disable.
constexpr StateName kCommunicationStates[] = {
    {"enable", "enable with password"},
    {"disable", "disable with password"},
    {"disable-initiation", "disable-initiation with password"},
};

// 21 BACnetObjectType (0–64 standard, 128–1023 proprietary).
constexpr std::string_view kObjectTypes[] = {"analog-input",
                                             "analog-output",
                                             "analog-value",
                                             "binary-input",
                                             "binary-output",
                                             "binary-value",
                                             "calendar",
                                             "command",
                                             "device",
                                             "event-enrollment",
                                             "file",
                                             "group",
                                             "loop",
                                             "multi-state-input",
                                             "multi-state-output",
                                             "notification-class",
                                             "program",
                                             "schedule",
                                             "averaging",
                                             "multi-state-value",
                                             "trend-log",
                                             "life-safety-point",
                                             "life-safety-zone",
                                             "accumulator",
                                             "pulse-converter",
                                             "event-log",
                                             "global-group",
                                             "trend-log-multiple",
                                             "load-control",
                                             "structured-view",
                                             "access-door",
                                             "timer",
                                             "access-credential",
                                             "access-point",
                                             "access-rights",
                                             "access-user",
                                             "access-zone",
                                             "credential-data-input",
                                             "network-security",
                                             "bitstring-value",
                                             "characterstring-value",
                                             "date-pattern-value",
                                             "date-value",
                                             "datetime-pattern-value",
                                             "datetime-value",
                                             "integer-value",
                                             "large-analog-value",
                                             "octetstring-value",
                                             "positive-integer-value",
                                             "time-pattern-value",
                                             "time-value",
                                             "notification-forwarder",
                                             "alert-enrollment",
                                             "channel",
                                             "lighting-output",
                                             "binary-lighting-output",
                                             "network-port",
                                             "elevator-group",
                                             "escalator",
                                             "lift",
                                             "staging",
                                             "audit-log",
                                             "audit-reporter",
                                             "color",
                                             "color-temperature"};
constexpr uint16_t kObjectTypeDevice = 8;

// Property identifiers the dissector acts on (names of all of them: property_name()).
namespace property {
constexpr uint32_t kApplicationSoftwareVersion = 12, kDescription = 28, kFirmwareRevision = 44,
                   kLocation = 58, kModelName = 70, kObjectIdentifier = 75, kObjectName = 77,
                   kVendorIdentifier = 120, kVendorName = 121, kSerialNumber = 372;
// The device-object properties that name the device (what ReadProperty ACKs report as identity).
constexpr uint32_t kIdentityProperties[] = {
    kApplicationSoftwareVersion, kDescription, kFirmwareRevision, kLocation, kModelName, kObjectName,
    kVendorIdentifier,           kVendorName,  kSerialNumber};
constexpr bool is_identity_property(uint32_t id) {
  return std::find(std::begin(kIdentityProperties), std::end(kIdentityProperties), id) !=
         std::end(kIdentityProperties);
}
}  // namespace property

// 20.2.9 character sets of a CharacterString.
namespace charset {
constexpr uint8_t kUtf8 = 0, kDbcs = 1, kJisX0208 = 2, kUcs4 = 3, kUcs2 = 4, kIso8859_1 = 5;
}

// Generated registries (bacnet_registry.cc).
std::string_view vendor_name(uint32_t id);
std::string_view property_name(uint32_t id);
std::string_view error_code_name(uint32_t id);

template <size_t N>
constexpr std::string_view name_at(const std::string_view (&table)[N], uint32_t index) {
  return index < N ? table[index] : std::string_view{};
}

}  // namespace ots::bacnet
