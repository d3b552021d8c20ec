// S7comm protocol knowledge as reviewable tables (STYLE.md lesson 13).
// Sources checked: Wireshark's S7comm dissector value tables (as exported by
// `tshark -G values` 4.0) and the Siemens "System Software for S7-300/400"
// SZL descriptions. Names only; no parsing logic lives here.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

namespace ots::s7comm {

// Job / Ack-Data function codes (first parameter byte).
namespace function {
constexpr uint8_t kCpuServices = 0x00, kSetupCommunication = 0xF0, kReadVar = 0x04, kWriteVar = 0x05,
                  kRequestDownload = 0x1A, kDownloadBlock = 0x1B, kDownloadEnded = 0x1C, kStartUpload = 0x1D,
                  kUpload = 0x1E, kEndUpload = 0x1F, kPiService = 0x28, kPlcStop = 0x29;
}

struct JobFunction {
  uint8_t code;
  std::string_view name;
  bool is_write;  // changes process state, configuration or program
};

inline constexpr JobFunction kJobFunctions[] = {
    {function::kCpuServices, "CPU Services", false},
    {function::kSetupCommunication, "Setup Communication", false},
    {function::kReadVar, "Read Var", false},
    {function::kWriteVar, "Write Var", true},
    {function::kRequestDownload, "Request Download", true},
    {function::kDownloadBlock, "Download Block", true},
    {function::kDownloadEnded, "Download Ended", true},
    {function::kStartUpload, "Start Upload", false},
    {function::kUpload, "Upload", false},
    {function::kEndUpload, "End Upload", false},
    {function::kPiService, "PI-Service", true},
    {function::kPlcStop, "PLC Stop", true},
};

// Userdata function groups (low nibble of the type/group byte).
namespace group {
constexpr uint8_t kModeTransition = 0x0, kProgrammerCommands = 0x1, kCyclicData = 0x2, kBlockFunctions = 0x3,
                  kCpuFunctions = 0x4, kSecurity = 0x5, kPbc = 0x6, kTimeFunctions = 0x7,
                  kNcProgramming = 0xF;
}
namespace cpu_subfunction {
constexpr uint8_t kReadSzl = 0x01;
}

struct UserdataGroup {
  uint8_t group;
  std::string_view name;  // used when the subfunction is not in kUserdataFunctions
};

inline constexpr UserdataGroup kUserdataGroups[] = {
    {group::kModeTransition, "Mode Transition"},
    {group::kProgrammerCommands, "Programmer Commands"},
    {group::kCyclicData, "Cyclic Data"},
    {group::kBlockFunctions, "Block Functions"},
    {group::kCpuFunctions, "CPU Functions"},
    {group::kSecurity, "Security"},
    {group::kPbc, "PBC BSEND/BRECV"},
    {group::kTimeFunctions, "Time Functions"},
    {group::kNcProgramming, "NC Programming"},
};

struct UserdataFunction {
  uint8_t group;
  uint8_t subfunction;
  std::string_view name;
  bool is_write;
};

// Group 0 (mode transition) is a push whose subfunction is the new CPU mode; see kModeTransitions.
inline constexpr UserdataFunction kUserdataFunctions[] = {
    // Group 1: programmer commands (test and installation functions).
    {group::kProgrammerCommands, 0x01, "Block Status", false},
    {group::kProgrammerCommands, 0x02, "Variable Status", false},
    {group::kProgrammerCommands, 0x03, "Output ISTACK", false},
    {group::kProgrammerCommands, 0x04, "Output BSTACK", false},
    {group::kProgrammerCommands, 0x05, "Output LSTACK", false},
    {group::kProgrammerCommands, 0x06, "Time Measurement", false},
    {group::kProgrammerCommands, 0x07, "Force Selection", false},
    {group::kProgrammerCommands, 0x08, "Modify Variable", true},
    {group::kProgrammerCommands, 0x09, "Force", true},
    {group::kProgrammerCommands, 0x0A, "Breakpoint", true},
    {group::kProgrammerCommands, 0x0B, "Exit HOLD", true},
    {group::kProgrammerCommands, 0x0C, "Memory Reset", true},
    {group::kProgrammerCommands, 0x0D, "Disable Job", false},
    {group::kProgrammerCommands, 0x0E, "Enable Job", false},
    {group::kProgrammerCommands, 0x0F, "Delete Job", false},
    {group::kProgrammerCommands, 0x10, "Read Job List", false},
    {group::kProgrammerCommands, 0x11, "Read Job", false},
    {group::kProgrammerCommands, 0x12, "Replace Job", false},
    {group::kProgrammerCommands, 0x13, "Block Status v2", false},
    {group::kProgrammerCommands, 0x16, "Flash LED", false},
    // Group 2: cyclic data.
    {group::kCyclicData, 0x01, "Cyclic Transfer", false},
    {group::kCyclicData, 0x04, "Unsubscribe", false},
    {group::kCyclicData, 0x05, "Change Driven Transfer", false},
    {group::kCyclicData, 0x07, "Change Driven Transfer Modify", false},
    {group::kCyclicData, 0x08, "RDREC", false},
    // Group 3: block functions.
    {group::kBlockFunctions, 0x01, "List Blocks", false},
    {group::kBlockFunctions, 0x02, "List Blocks of Type", false},
    {group::kBlockFunctions, 0x03, "Get Block Info", false},
    // Group 4: CPU functions.
    {group::kCpuFunctions, cpu_subfunction::kReadSzl, "Read SZL", false},
    {group::kCpuFunctions, 0x02, "Message Service", false},
    {group::kCpuFunctions, 0x03, "Diagnostic Message", false},
    {group::kCpuFunctions, 0x05, "ALARM_8 Indication", false},
    {group::kCpuFunctions, 0x06, "NOTIFY Indication", false},
    {group::kCpuFunctions, 0x07, "ALARM_8 Lock", false},
    {group::kCpuFunctions, 0x08, "ALARM_8 Unlock", false},
    {group::kCpuFunctions, 0x09, "SCAN Indication", false},
    {group::kCpuFunctions, 0x0B, "ALARM Ack", false},
    {group::kCpuFunctions, 0x0C, "ALARM Ack Indication", false},
    {group::kCpuFunctions, 0x0D, "ALARM Lock Indication", false},
    {group::kCpuFunctions, 0x0E, "ALARM Unlock Indication", false},
    {group::kCpuFunctions, 0x10, "AR_SEND Indication", false},
    {group::kCpuFunctions, 0x11, "ALARM_SQ Indication", false},
    {group::kCpuFunctions, 0x12, "ALARM_S Indication", false},
    {group::kCpuFunctions, 0x13, "ALARM Query", false},
    {group::kCpuFunctions, 0x16, "NOTIFY_8 Indication", false},
    // Group 5: security.
    {group::kSecurity, 0x01, "PLC Password", true},
    // Group 7: time functions.
    {group::kTimeFunctions, 0x01, "Read Clock", false},
    {group::kTimeFunctions, 0x02, "Set Clock", true},
    {group::kTimeFunctions, 0x03, "Read Clock (following)", false},
    {group::kTimeFunctions, 0x04, "Set Clock", true},
};

// Userdata type (high nibble of the type/group byte).
namespace userdata_type {
constexpr uint8_t kPush = 0x0, kRequest = 0x4, kResponse = 0x8, kNcPush = 0x3, kNcRequest = 0x7,
                  kNcResponse = 0xB;
}

// Memory areas of an S7ANY address.
namespace area {
constexpr uint8_t kPeripheral = 0x80, kInputs = 0x81, kOutputs = 0x82, kFlags = 0x83, kDataBlock = 0x84,
                  kInstanceDataBlock = 0x85, kLocal = 0x86, kPreviousLocal = 0x87, kCounter = 0x1C,
                  kTimer = 0x1D, kIecCounter = 0x1E, kIecTimer = 0x1F;
}

struct Area {
  uint8_t code;
  std::string_view prefix;  // Step 7 address prefix: "DB" (with ".DBX"), "I", "Q", "M" …
};

inline constexpr Area kAreas[] = {
    {0x01, "RECORD"},
    {0x03, "SI200"},
    {0x05, "SF200"},
    {0x06, "AI200"},
    {0x07, "AO200"},
    {area::kPeripheral, "P"},
    {area::kInputs, "I"},
    {area::kOutputs, "Q"},
    {area::kFlags, "M"},
    {area::kDataBlock, "DB"},
    {area::kInstanceDataBlock, "DI"},
    {area::kLocal, "L"},
    {area::kPreviousLocal, "V"},
    {area::kCounter, "C"},
    {area::kTimer, "T"},
    {area::kIecCounter, "C200"},
    {area::kIecTimer, "T200"},
};

// Item transport sizes in an S7ANY address (unit of the item length).
inline constexpr std::pair<uint8_t, std::string_view> kTransportSizes[] = {
    {1, "BIT"},  {2, "BYTE"},     {3, "CHAR"},   {4, "WORD"},         {5, "INT"},        {6, "DWORD"},
    {7, "DINT"}, {8, "REAL"},     {9, "DATE"},   {10, "TOD"},         {11, "TIME"},      {12, "S5TIME"},
    {15, "DT"},  {28, "COUNTER"}, {29, "TIMER"}, {30, "IEC_COUNTER"}, {31, "IEC_TIMER"}, {32, "HS_COUNTER"},
};

// Data transport sizes whose item length counts bits rather than bytes.
constexpr bool data_length_in_bits(uint8_t transport_size) {
  return transport_size == 0x03 || transport_size == 0x04 || transport_size == 0x05;
}
constexpr uint8_t kItemReturnSuccess = 0xFF;

// Block type codes as carried in file names ("_0A00001P": '0A' = DB).
inline constexpr std::pair<std::string_view, std::string_view> kBlockTypes[] = {
    {"08", "OB"}, {"09", "CMOD"}, {"0A", "DB"}, {"0B", "SDB"},
    {"0C", "FC"}, {"0D", "SFC"},  {"0E", "FB"}, {"0F", "SFB"},
};

// PI services (program invocation, function 0x28). An empty argument to P_PROGRAM is a warm
// restart, "C " a cold restart (as sent by Step 7 / Snap7); PLC Stop (0x29) also names P_PROGRAM.
struct PiServiceName {
  std::string_view service;
  std::string_view operation;
};

inline constexpr PiServiceName kPiServices[] = {
    {"_INSE", "Activate Block"}, {"_INS2", "Activate Block"},  {"_DELE", "Delete Block"},
    {"P_PROGRAM", "PLC Start"},  {"_MODU", "Copy RAM to ROM"}, {"_GARB", "Compress Memory"},
    {"_N_LOGIN_", "NC Login"},   {"_N_LOGOUT", "NC Logout"},
};
inline constexpr std::string_view kPiWarmRestart = "PLC Warm Restart";
inline constexpr std::string_view kPiColdRestart = "PLC Cold Restart";

// CPU modes: SZL 0x0424 bzu-id (low nibble = requested/current mode), reduced to the inventory's state.
inline constexpr std::pair<uint8_t, std::string_view> kSzlCpuModes[] = {
    {0x1, "STOP"},    {0x2, "STOP"},    {0x3, "STOP"},   {0x4, "STOP"}, {0x5, "STARTUP"},
    {0x6, "STARTUP"}, {0x7, "STARTUP"}, {0x8, "RUN"},    {0x9, "RUN"},  {0xA, "HOLD"},
    {0xB, "LINK-UP"}, {0xC, "UPDATE"},  {0xD, "DEFECT"},
};

// CPU modes announced by a mode-transition push (userdata group 0, subfunction = mode).
inline constexpr std::pair<uint8_t, std::string_view> kModeTransitions[] = {
    {0, "STOP"},    {1, "STARTUP"}, {2, "RUN"},      {3, "STARTUP"}, {4, "HOLD"},
    {6, "STARTUP"}, {9, "RUN"},     {11, "LINK-UP"}, {12, "UPDATE"},
};

// SZL ids (partial-list number in the low byte; the extract in the high nibbles).
namespace szl {
constexpr uint16_t kModuleIdentificationAll = 0x0011, kModuleIdentificationOne = 0x0111;
constexpr uint16_t kComponentIdentificationAll = 0x001C, kComponentIdentificationOne = 0x011C;
constexpr uint16_t kCurrentModeTransition = 0x0424;
// Indexes of the module-identification records (SZL 0x0011 / 0x0111).
constexpr uint16_t kIndexModule = 0x0001, kIndexBasicHardware = 0x0006, kIndexBasicFirmware = 0x0007;
// Indexes of the component-identification records (SZL 0x001C / 0x011C).
constexpr uint16_t kIndexPlcName = 0x0001, kIndexModuleName = 0x0002, kIndexPlantId = 0x0003,
                   kIndexCopyright = 0x0004, kIndexSerialNumber = 0x0005, kIndexModuleTypeName = 0x0007,
                   kIndexMemoryCardSerial = 0x0008, kIndexManufacturer = 0x0009, kIndexOemId = 0x000A,
                   kIndexLocation = 0x000B;
}  // namespace szl

// Linear lookups: the tables are small and looked up once per PDU.
template <typename Table, typename Key>
constexpr auto find_in(const Table& table, Key key) -> decltype(&table[0]) {
  for (const auto& entry : table) {
    if (entry.first == key) return &entry;
  }
  return nullptr;
}

constexpr const JobFunction* find_job_function(uint8_t code) {
  for (const auto& f : kJobFunctions) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

constexpr const UserdataFunction* find_userdata_function(uint8_t grp, uint8_t subfunction) {
  for (const auto& f : kUserdataFunctions) {
    if (f.group == grp && f.subfunction == subfunction) return &f;
  }
  return nullptr;
}

constexpr const UserdataGroup* find_userdata_group(uint8_t grp) {
  for (const auto& g : kUserdataGroups) {
    if (g.group == grp) return &g;
  }
  return nullptr;
}

constexpr const Area* find_area(uint8_t code) {
  for (const auto& a : kAreas) {
    if (a.code == code) return &a;
  }
  return nullptr;
}

constexpr const PiServiceName* find_pi_service(std::string_view service) {
  for (const auto& s : kPiServices) {
    if (s.service == service) return &s;
  }
  return nullptr;
}

}  // namespace ots::s7comm
