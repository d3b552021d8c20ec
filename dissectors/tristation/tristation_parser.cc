#include "dissectors/tristation/tristation_parser.h"

#include <iterator>

namespace ots::tristation {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "tristation.none", "tristation.invalid_type", "tristation.invalid_length", "tristation.invalid_direction",
    "tristation.truncated",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

// Index = message type.
constexpr MessageInfo kMessages[] = {
    {"Reserved", false, true},
    {"Connection Request", true, false},
    {"Connection Response", false, false},
    {"Disconnection Response", false, false},
    {"Disconnection Request", true, false},
    {"Execution Command", true, false},
    {"Ping", true, false},
    {"Connection Limit Reached", false, true},
    {"Not Connected", false, true},
    {"MPs Are Dead", false, true},
    {"Access Denied", false, true},
    {"Connection Failed", false, true},
};

// TriStation command codes as named in the TRITON framework's TS_cnames (via the public analyses).
constexpr CommandInfo kCommands[] = {
    {0, "Start download all", true},
    {1, "Start download change", true},
    {2, "Update configuration", true},
    {3, "Upload configuration", false},
    {4, "Set I/O addresses", true},
    {5, "Allocate network", true},
    {6, "Load vector table", true},
    {7, "Set calendar", true},
    {8, "Get calendar", false},
    {9, "Set scan time", true},
    {10, "End download all", true},
    {11, "End download change", true},
    {12, "Cancel download change", true},
    {13, "Attach TRICON", false},
    {14, "Set I/O address limits", true},
    {15, "Configure module", true},
    {16, "Set multiple point values", true},
    {17, "Enable all points", true},
    {18, "Upload vector table", false},
    {19, "Get CP status", false},
    {20, "Run program", true},
    {21, "Halt program", true},
    {22, "Pause program", true},
    {23, "Do single scan", true},
    {24, "Get chassis status", false},
    {25, "Get minimum scan time", false},
    {26, "Set node number", true},
    {27, "Set I/O point values", true},
    {28, "Get I/O point values", false},
    {29, "Get MP status", false},
    {30, "Set retentive values", true},
    {31, "Adjust clock calendar", true},
    {32, "Clear module alarms", true},
    {33, "Get event log", false},
    {34, "Set SOE block", true},
    {35, "Record event log", false},
    {36, "Get SOE data", false},
    {37, "Enable OVD", true},
    {38, "Disable OVD", true},
    {39, "Enable all OVDs", true},
    {40, "Disable all OVDs", true},
    {41, "Process MODBUS", false},
    {42, "Upload network", false},
    {43, "Set label", true},
    {44, "Configure system variables", true},
    {45, "Deconfigure module", true},
    {46, "Get system variables", false},
    {47, "Get module types", false},
    {48, "Begin conversion table download", true},
    {49, "Continue conversion table download", true},
    {50, "End conversion table download", true},
    {51, "Get conversion table", false},
    {52, "Set ICM status", true},
    {53, "Broadcast SOE data available", false},
    {54, "Get module versions", false},
    {55, "Allocate program", true},
    {56, "Allocate function", true},
    {57, "Clear retentives", true},
    {58, "Set initial values", true},
    {59, "Start TS2 program download", true},
    {60, "Set TS2 data area", true},
    {61, "Get TS2 data", false},
    {62, "Set TS2 data", true},
    {63, "Set program information", true},
    {64, "Get program information", false},
    {65, "Upload program", false},
    {66, "Upload function", false},
    {67, "Get point groups", false},
    {68, "Allocate symbol table", true},
    {69, "Get I/O address", false},
    {70, "Resend I/O address", false},
    {71, "Get program timing", false},
    {72, "Allocate multiple functions", true},
    {73, "Get node number", false},
    {74, "Get symbol table", false},
    {80, "Go to DOWNLOAD mode", true},
    {100, "Command rejected", false},
    {101, "Download all permitted", false},
    {102, "Download change permitted", false},
    {103, "Modification accepted", false},
    {104, "Download cancelled", false},
    {105, "Program accepted", false},
    {106, "TRICON attached", false},
    {107, "I/O addresses set", false},
    {108, "Get CP status response", false},
    {109, "Program is running", false},
    {110, "Program is halted", false},
    {111, "Program is paused", false},
    {112, "End of single scan", false},
    {113, "Get chassis configuration response", false},
    {114, "Scan period modified", false},
    {117, "Module configured", false},
    {119, "Get chassis status response", false},
    {120, "Vectors response", false},
    {121, "Get I/O point values response", false},
    {122, "Calendar changed", false},
    {123, "Configuration updated", false},
    {124, "Get minimum scan time response", false},
    {126, "Node number set", false},
    {127, "Get MP status response", false},
    {128, "Retentive values set", false},
    {129, "SOE block set", false},
    {130, "Module alarms cleared", false},
    {131, "Get event log response", false},
    {132, "Symbol table accepted", false},
    {133, "OVD enable accepted", false},
    {134, "OVD disable accepted", false},
    {135, "Record event log response", false},
    {136, "Upload network response", false},
    {137, "Get SOE data response", false},
    {138, "Allocate network accepted", false},
    {139, "Load vector table accepted", false},
    {140, "Get calendar response", false},
    {141, "Label set", false},
    {142, "Get module types response", false},
    {143, "System variables configured", false},
    {144, "Module deconfigured", false},
    {147, "Get conversion table response", false},
    {148, "ICM print data sent", false},
    {149, "Set ICM status response", false},
    {150, "Get system variables response", false},
    {151, "Get module versions response", false},
    {152, "Process MODBUS response", false},
    {153, "Allocate program response", false},
    {154, "Allocate function response", false},
    {155, "Clear retentives response", false},
    {156, "Set initial values response", false},
    {157, "Set TS2 data area response", false},
    {158, "Get TS2 data response", false},
    {159, "Set TS2 data response", false},
    {160, "Set program information response", false},
    {161, "Get program information response", false},
    {162, "Upload program response", false},
    {163, "Upload function response", false},
    {164, "Get point groups response", false},
    {165, "Allocate symbol table response", false},
    {166, "Program timing response", false},
    {167, "Disable points full", false},
    {168, "Allocate multiple functions response", false},
    {169, "Get node number response", false},
    {170, "Symbol table response", false},
    {200, "Wrong command", false},
    {201, "Load is in progress", false},
    {202, "Bad clock calendar data", false},
    {203, "Control program not halted", false},
    {204, "Control program checksum error", false},
    {205, "No memory available", false},
    {206, "Control program not valid", false},
    {207, "Not loading a control program", false},
    {208, "Network is out of range", false},
    {209, "Not enough arguments", false},
    {210, "A network is missing", false},
    {211, "The download time mismatches", false},
    {212, "Key setting prohibits this operation", false},
    {213, "Bad control program version", false},
    {214, "Command not in correct sequence", false},
    {216, "Bad index for a module", false},
    {217, "Module address is invalid", false},
    {220, "Bad offset for an I/O point", false},
    {221, "Invalid point type", false},
    {222, "Invalid point location", false},
    {223, "Program name is invalid", false},
    {227, "Invalid module type", false},
    {229, "Invalid table type", false},
    {231, "Invalid network continuation", false},
    {232, "Invalid scan time", false},
    {233, "Load is busy", false},
    {234, "An MP has re-educated", false},
    {235, "Invalid chassis or slot", false},
    {236, "Invalid SOE number", false},
    {237, "Invalid SOE type", false},
    {238, "Invalid SOE state", false},
    {239, "The variable is write protected", false},
    {240, "Node number mismatch", false},
    {241, "Command not allowed", false},
    {242, "Invalid sequence number", false},
    {243, "Time change on non-master TRICON", false},
    {244, "No free TriStation ports", false},
    {245, "Invalid TriStation I command", false},
    {246, "Invalid TriStation 1131 command", false},
    {247, "Only one chassis allowed", false},
    {248, "Bad variable address", false},
    {249, "Response overflow", false},
    {250, "Invalid bus", false},
    {251, "Disable is not allowed", false},
    {252, "Invalid length", false},
    {253, "Point cannot be disabled", false},
    {254, "Too many retentive variables", false},
    {255, "Loader connect", false},
};

}  // namespace

std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }

const MessageInfo* find_message(uint8_t type) {
  return type > 0 && type < std::size(kMessages) ? &kMessages[type] : nullptr;
}

const CommandInfo* find_command(uint8_t code) {
  for (const auto& c : kCommands) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

Message parse_message(Bytes datagram) {
  Message m;
  ByteReader r(datagram);
  m.type = r.u8();
  m.channel = r.u8();
  uint16_t length = r.le16();
  if (!r.ok() || datagram.size() != size_t{length} + kFrameOverhead) {
    m.anomaly = Anomaly::InvalidLength;
    return m;
  }
  if (find_message(m.type) == nullptr) {
    m.anomaly = Anomaly::InvalidType;
    return m;
  }
  m.data = r.bytes(length);
  if (m.type != static_cast<uint8_t>(MessageType::Execute)) return m;
  ByteReader exec(m.data);
  m.direction = exec.u8();
  m.connection_id = exec.u8();
  m.command = exec.u8();
  m.counter = exec.u8();
  if (!exec.ok()) {
    m.anomaly = Anomaly::Truncated;
  } else if (m.direction > 1) {
    m.anomaly = Anomaly::InvalidDirection;
  }
  return m;
}

ProbeResult probe(Bytes payload) {
  if (payload.size() < 4) return ProbeResult::NeedMoreData;
  Message m = parse_message(payload);
  return m.anomaly == Anomaly::None ? ProbeResult::Match : ProbeResult::NoMatch;
}

}  // namespace ots::tristation
