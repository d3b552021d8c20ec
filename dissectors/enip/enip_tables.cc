#include "dissectors/enip/enip_tables.h"

#include <algorithm>
#include <span>

namespace ots::enip {
namespace {

struct Name16 {
  uint16_t code;
  std::string_view name;
};
struct Name8 {
  uint8_t code;
  std::string_view name;
};

template <typename Entry, typename Code>
std::string_view find_name(std::span<const Entry> table, Code code) {
  for (const Entry& e : table) {
    if (e.code == code) return e.name;
  }
  return {};
}

// Vol. 2, table 2-3.2.
constexpr Name16 kCommands[] = {
    {kCmdNop, "NOP"},
    {kCmdLegacyListTargets, "Legacy Command (0x0001)"},
    {0x0002, "Legacy Command (0x0002)"},
    {0x0003, "Legacy Command (0x0003)"},
    {kCmdListServices, "ListServices"},
    {kCmdListIdentity, "ListIdentity"},
    {kCmdListInterfaces, "ListInterfaces"},
    {kCmdRegisterSession, "RegisterSession"},
    {kCmdUnRegisterSession, "UnRegisterSession"},
    {kCmdSendRRData, "SendRRData"},
    {kCmdSendUnitData, "SendUnitData"},
    {kCmdIndicateStatus, "IndicateStatus"},
    {kCmdCancel, "Cancel"},
};

// Vol. 2, table 2-3.3: success, invalid command, insufficient memory, incorrect data,
// invalid session handle, invalid length, unsupported protocol revision, and
// "encapsulated CIP service not allowed on this port" (0x6A, newer editions).
constexpr uint32_t kEncapsulationStatuses[] = {0x0000, 0x0001, 0x0002, 0x0003, 0x0064, 0x0065, 0x0069, 0x006A};

// Common services, Vol. 1 appendix A, table.
struct Service {
  uint8_t code;
  std::string_view name;
  bool is_write;
};
constexpr Service kCommonServices[] = {
    {0x01, "Get_Attributes_All", false},
    {0x02, "Set_Attributes_All", true},
    {0x03, "Get_Attribute_List", false},
    {0x04, "Set_Attribute_List", true},
    {0x05, "Reset", true},
    {0x06, "Start", true},
    {0x07, "Stop", true},
    {0x08, "Create", true},
    {0x09, "Delete", true},
    {0x0A, "Multiple_Service_Packet", false},  // its embedded services decide
    {0x0D, "Apply_Attributes", true},
    {0x0E, "Get_Attribute_Single", false},
    {0x10, "Set_Attribute_Single", true},
    {0x11, "Find_Next_Object_Instance", false},
    {0x14, "Error Response", false},
    {0x15, "Restore", true},
    {0x16, "Save", true},  // commits configuration to non-volatile storage
    {0x17, "No Operation", false},
    {0x18, "Get_Member", false},
    {0x19, "Set_Member", true},
    {0x1A, "Insert_Member", true},
    {0x1B, "Remove_Member", true},
    {0x1C, "GroupSync", false},
    {0x1D, "Get_Connection_Point_Member_List", false},
};

// Object-specific services (codes >= 0x4B) by class.
struct ClassService {
  uint16_t class_id;
  uint8_t code;
  std::string_view name;
  bool is_write;
};
constexpr uint16_t kClassSymbol = 0x6B;
constexpr uint16_t kClassTemplate = 0x6C;
constexpr uint16_t kClassNonVolatileStorage = 0xA1;
constexpr ClassService kClassServices[] = {
    // Connection Manager, Vol. 1 §3-5.5. Opening a connection changes no process state.
    {kClassConnectionManager, 0x4E, "Forward Close", false},
    {kClassConnectionManager, 0x52, "Unconnected Send", false},  // the embedded request decides
    {kClassConnectionManager, 0x54, "Forward Open", false},
    {kClassConnectionManager, 0x56, "Get Connection Data", false},
    {kClassConnectionManager, 0x57, "Search Connection Data", false},
    {kClassConnectionManager, 0x5A, "Get Connection Owner", false},
    {kClassConnectionManager, 0x5B, "Large Forward Open", false},
    // Rockwell PCCC object: the session decides is_write from the PCCC command / function.
    {kClassPccc, 0x4B, "Execute PCCC", false},
    {kClassPccc, 0x4C, "Execute DH+", false},
    {kClassPccc, 0x4D, "Execute Local PCCC", false},
    // Logix Symbol object (1756-PM020); also used for requests addressed by a symbolic path.
    {kClassSymbol, 0x4C, "Read Tag", false},
    {kClassSymbol, 0x4D, "Write Tag", true},
    {kClassSymbol, 0x4E, "Read Modify Write Tag", true},
    {kClassSymbol, 0x52, "Read Tag Fragmented", false},
    {kClassSymbol, 0x53, "Write Tag Fragmented", true},
    {kClassSymbol, 0x55, "Get Instance Attribute List", false},
    // Logix Template object.
    {kClassTemplate, 0x4C, "Read Template", false},
    // Rockwell non-volatile storage object, the target of ControlFLASH firmware updates: the
    // begin / transfer / end sequence as seen in the ITI EIP-FirmwareChange capture. Every
    // service of this object rewrites the device's firmware image, hence is_write.
    {kClassNonVolatileStorage, 0x4B, "NVS Begin Update", true},
    {kClassNonVolatileStorage, 0x4D, "NVS Transfer Data", true},
    {kClassNonVolatileStorage, 0x51, "NVS End Update", true},
};
constexpr std::string_view kObjectSpecificService = "Object-Specific Service";
constexpr std::string_view kUnknownService = "Unknown Service";
constexpr uint8_t kFirstObjectSpecificService = 0x4B;

// Vol. 1 chapter 5 (object library) and vendor-documented objects.
constexpr Name16 kClasses[] = {
    {0x01, "Identity"},
    {0x02, "Message Router"},
    {0x03, "DeviceNet"},
    {0x04, "Assembly"},
    {0x05, "Connection"},
    {0x06, "Connection Manager"},
    {0x07, "Register"},
    {0x08, "Discrete Input Point"},
    {0x09, "Discrete Output Point"},
    {0x0A, "Analog Input Point"},
    {0x0B, "Analog Output Point"},
    {0x0E, "Presence Sensing"},
    {0x0F, "Parameter"},
    {0x10, "Parameter Group"},
    {0x12, "Group"},
    {0x1D, "Discrete Input Group"},
    {0x1E, "Discrete Output Group"},
    {0x1F, "Discrete Group"},
    {0x20, "Analog Input Group"},
    {0x21, "Analog Output Group"},
    {0x22, "Analog Group"},
    {0x23, "Position Sensor"},
    {0x24, "Position Controller Supervisor"},
    {0x25, "Position Controller"},
    {0x26, "Block Sequencer"},
    {0x27, "Command Block"},
    {0x28, "Motor Data"},
    {0x29, "Control Supervisor"},
    {0x2A, "AC/DC Drive"},
    {0x2B, "Acknowledge Handler"},
    {0x2C, "Overload"},
    {0x2D, "Softstart"},
    {0x2E, "Selection"},
    {0x30, "S-Device Supervisor"},
    {0x37, "File"},
    {0x39, "Safety Supervisor"},
    {0x3A, "Safety Validator"},
    {0x41, "Event Log"},
    {0x42, "Motion Axis"},
    {0x43, "Time Sync"},
    {0x44, "Modbus"},
    {0x45, "Originator Connection List"},
    {0x46, "Modbus Serial Link"},
    {0x47, "Device Level Ring"},
    {0x48, "QoS"},
    {0x4E, "Base Energy"},
    {0x4F, "Electrical Energy"},
    {0x50, "Non-Electrical Energy"},
    {0x53, "Power Management"},
    {kClassPccc, "PCCC"},
    {kClassSymbol, "Symbol"},
    {kClassTemplate, "Template"},
    {kClassNonVolatileStorage, "Non-Volatile Storage"},
    {0xF0, "ControlNet"},
    {0xF1, "ControlNet Keeper"},
    {0xF2, "ControlNet Scheduling"},
    {0xF3, "Connection Configuration"},
    {0xF4, "Port"},
    {0xF5, "TCP/IP Interface"},
    {0xF6, "Ethernet Link"},
    {0xF7, "CompoNet Link"},
    {0xF8, "CompoNet Repeater"},
};

// ODVA vendor id registry (as published with Nmap's enip-info and Wireshark's packet-cip.c):
// the vendors most often met on EtherNet/IP networks.
constexpr Name16 kVendors[] = {
    {1, "Rockwell Automation/Allen-Bradley"},
    {2, "Namco Controls Corp."},
    {3, "Honeywell Inc."},
    {4, "Parker Hannifin Corp. (Veriflo Division)"},
    {5, "Rockwell Automation/Reliance Elec."},
    {7, "SMC Corporation"},
    {8, "Molex Incorporated"},
    {9, "Western Reserve Controls Corp."},
    {10, "Advanced Micro Controls Inc. (AMCI)"},
    {12, "Banner Engineering Corp."},
    {13, "Belden Wire & Cable Company"},
    {26, "Festo Corporation"},
    {40, "Wago Corporation"},
    {42, "IMI Norgren Limited"},
    {43, "BALLUFF Inc."},
    {44, "Yaskawa Electric America Inc."},
    {45, "Eurotherm Controls Inc"},
    {46, "ABB Industrial Systems"},
    {47, "Omron Corporation"},
    {48, "TURCK Inc."},
    {50, "Real Time Automation (C&ID)"},
    {52, "Numatics Inc."},
    {56, "Softing GmbH"},
    {57, "Pepperl + Fuchs"},
    {58, "Spectrum Controls Inc."},
    {68, "Eaton Electrical"},
    {74, "Hitachi Ltd."},
    {75, "ABB Robotics Products AB"},
    {81, "IXXAT Automation GmbH"},
    {82, "Mitsubishi Electric Automation Inc."},
    {83, "OPTO-22"},
    {90, "HMS Industrial Networks AB"},
    {94, "Advantech Co. Ltd."},
    {95, "Square D Company"},
    {97, "Danfoss"},
    {100, "Bosch Rexroth Corporation"},
    {108, "Beckhoff Automation GmbH"},
    {109, "National Instruments"},
    {121, "KUKA Roboter GmbH"},
    {143, "GE Industrial Systems"},
    {145, "Siemens Energy & Automation/Drives"},
    {161, "Mitsubishi Electric Corporation"},
    {176, "Red Lion Controls"},
    {181, "Pilz GmbH & Co"},
    {243, "Schneider Automation Inc."},
    {250, "Yokogawa Electric Corporation"},
    {255, "Bosch Rexroth"},
    {257, "Control Techniques PLC"},
    {259, "LS Industrial Systems"},
    {283, "Hilscher GmbH"},
    {309, "Prosoft Technology"},
    {315, "SEW Eurodrive GmbH"},
    {319, "Fuji Electric Co.Ltd."},
    {322, "ifm efector inc."},
    {326, "GE Fanuc Automation North America Inc."},
    {334, "KEBA AG"},
    {345, "Endress + Hauser"},
    {356, "Fanuc Robotics America"},
    {367, "Keyence Corporation"},
    {443, "Vacon Plc"},
    {445, "Lenze Drive Systems GmbH"},
    {452, "Kollmorgen"},
    {482, "Koyo Electronics"},
    {501, "VIPA GmbH"},
    {511, "SICK Stegmann GmbH"},
    {524, "Leuze Electronic GmbH & Co. KG"},
};

// Vol. 1, table 6-7.1 (device profiles).
constexpr Name16 kDeviceTypes[] = {
    {0x00, "Generic Device (deprecated)"},
    {0x02, "AC Drive"},
    {0x03, "Motor Overload"},
    {0x04, "Limit Switch"},
    {0x05, "Inductive Proximity Switch"},
    {0x06, "Photoelectric Sensor"},
    {0x07, "General Purpose Discrete I/O"},
    {0x09, "Resolver"},
    {0x0C, "Communications Adapter"},
    {0x0E, "Programmable Logic Controller"},
    {0x10, "Position Controller"},
    {0x13, "DC Drive"},
    {0x15, "Contactor"},
    {0x16, "Motor Starter"},
    {0x17, "Soft Start"},
    {0x18, "Human-Machine Interface"},
    {0x1A, "Mass Flow Controller"},
    {0x1B, "Pneumatic Valve"},
    {0x1C, "Vacuum Pressure Gauge"},
    {0x1D, "Process Control Value"},
    {0x1E, "Residual Gas Analyzer"},
    {0x1F, "DC Power Generator"},
    {0x20, "RF Power Generator"},
    {0x21, "Turbomolecular Vacuum Pump"},
    {0x22, "Encoder"},
    {0x23, "Safety Discrete I/O Device"},
    {0x24, "Fluid Flow Controller"},
    {0x25, "CIP Motion Drive"},
    {0x26, "CompoNet Repeater"},
    {0x27, "Mass Flow Controller, Enhanced"},
    {0x28, "CIP Modbus Device"},
    {0x29, "CIP Modbus Translator"},
    {0x2A, "Safety Analog I/O Device"},
    {0x2B, "Generic Device (keyable)"},
    {0x2C, "Managed Switch"},
    {0x32, "ControlNet Physical Layer Component"},
    {0xC8, "Embedded Component"},
};

// Identity object attribute 8.
constexpr Name8 kIdentityStates[] = {
    {0, "Nonexistent"},
    {1, "Device Self Testing"},
    {2, "Standby"},
    {3, "Operational"},
    {4, "Major Recoverable Fault"},
    {5, "Major Unrecoverable Fault"},
    {0xFF, "Default"},
};

// PCCC (DF1, Rockwell 1770-6.5.16): commands without a function byte, then command 0x06 / 0x0F
// functions. is_write: data table writes and processor mode changes.
struct PcccFunction {
  uint8_t command;
  uint8_t function;  // ignored for commands without a function byte
  std::string_view name;
  bool is_write;
};
constexpr PcccFunction kPcccFunctions[] = {
    {0x00, 0, "Protected Write", true},
    {0x01, 0, "Unprotected Read", false},
    {0x02, 0, "Protected Bit Write", true},
    {0x05, 0, "Unprotected Bit Write", true},
    {0x08, 0, "Unprotected Write", true},
    {0x06, 0x00, "Echo", false},
    {0x06, 0x03, "Diagnostic Status", false},
    {0x0F, 0x00, "Word Range Write", true},
    {0x0F, 0x01, "Word Range Read", false},
    {0x0F, 0x02, "Bit Write", true},
    {0x0F, 0x11, "Get Edit Resource", false},
    {0x0F, 0x12, "Return Edit Resource", false},
    {0x0F, 0x26, "Read-Modify-Write", true},
    {0x0F, 0x67, "Typed Write", true},
    {0x0F, 0x68, "Typed Read", false},
    {0x0F, 0x80, "Change Mode", true},
    {0x0F, 0xA1, "Protected Typed Logical Read (2 address fields)", false},
    {0x0F, 0xA2, "Protected Typed Logical Read (3 address fields)", false},
    {0x0F, 0xA9, "Protected Typed Logical Write (2 address fields)", true},
    {0x0F, 0xAA, "Protected Typed Logical Write (3 address fields)", true},
    {0x0F, 0xAB, "Protected Typed Logical Masked Write", true},
};

bool pccc_has_function(uint8_t command) { return command == 0x06 || command == 0x07 || command == 0x0F; }

const PcccFunction* find_pccc(uint8_t command, uint8_t function) {
  for (const PcccFunction& f : kPcccFunctions) {
    if (f.command == command && (!pccc_has_function(command) || f.function == function)) return &f;
  }
  return nullptr;
}

const Service* find_common(uint8_t service) {
  for (const Service& s : kCommonServices) {
    if (s.code == service) return &s;
  }
  return nullptr;
}

const ClassService* find_class_service(uint8_t service, bool has_class, uint16_t class_id, bool symbolic) {
  uint16_t owner = symbolic && !has_class ? kClassSymbol : class_id;
  if (!has_class && !symbolic) return nullptr;
  for (const ClassService& s : kClassServices) {
    if (s.class_id == owner && s.code == service) return &s;
  }
  return nullptr;
}

}  // namespace

std::string_view command_name(uint16_t command) { return find_name<Name16>(kCommands, command); }
bool is_known_command(uint16_t command) { return !command_name(command).empty(); }

bool is_known_encapsulation_status(uint32_t status) {
  return std::find(std::begin(kEncapsulationStatuses), std::end(kEncapsulationStatuses), status) !=
         std::end(kEncapsulationStatuses);
}

std::string_view service_name(uint8_t service, bool has_class, uint16_t class_id, bool symbolic) {
  service &= static_cast<uint8_t>(~kResponseBit);
  if (service < kFirstObjectSpecificService) {
    const Service* s = find_common(service);
    return s ? s->name : kUnknownService;
  }
  const ClassService* s = find_class_service(service, has_class, class_id, symbolic);
  return s ? s->name : kObjectSpecificService;
}

bool is_write_service(uint8_t service, bool has_class, uint16_t class_id, bool symbolic) {
  service &= static_cast<uint8_t>(~kResponseBit);
  if (service < kFirstObjectSpecificService) {
    const Service* s = find_common(service);
    return s && s->is_write;
  }
  const ClassService* s = find_class_service(service, has_class, class_id, symbolic);
  return s && s->is_write;
}

std::string_view class_name(uint16_t class_id) { return find_name<Name16>(kClasses, class_id); }
std::string_view vendor_name(uint16_t vendor_id) { return find_name<Name16>(kVendors, vendor_id); }
std::string_view device_type_name(uint16_t device_type) { return find_name<Name16>(kDeviceTypes, device_type); }
std::string_view identity_state_name(uint8_t state) { return find_name<Name8>(kIdentityStates, state); }

std::string_view pccc_function_name(uint8_t command, uint8_t function) {
  const PcccFunction* f = find_pccc(command, function);
  return f ? f->name : std::string_view{};
}

bool is_pccc_write(uint8_t command, uint8_t function) {
  const PcccFunction* f = find_pccc(command, function);
  return f && f->is_write;
}

}  // namespace ots::enip
