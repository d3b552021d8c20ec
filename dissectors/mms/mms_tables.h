// MMS protocol knowledge (ISO 9506-2 ASN.1, as in Wireshark's mms.asn): the confirmed
// service CHOICE numbers with their names and whether they change state, the unconfirmed
// services, the other PDU kinds, and the basic object classes of getNameList.
#pragma once

#include <cstdint>
#include <string_view>

namespace ots::mms {

struct ServiceInfo {
  uint32_t number;  // ConfirmedServiceRequest / -Response CHOICE number = Operation.code
  std::string_view name;
  bool is_write;  // changes variables, configuration, programs, files or the VMD's state
};

namespace service {
constexpr uint32_t kStatus = 0, kGetNameList = 1, kIdentify = 2, kRead = 4, kWrite = 5,
                   kGetVariableAccessAttributes = 6, kDefineNamedVariableList = 11,
                   kGetNamedVariableListAttributes = 12, kDeleteNamedVariableList = 13, kObtainFile = 46,
                   kFileOpen = 72, kFileRead = 73, kFileClose = 74, kFileRename = 75, kFileDelete = 76,
                   kFileDirectory = 77;
}

inline constexpr ServiceInfo kConfirmedServices[] = {
    {0, "Status", false},
    {1, "GetNameList", false},
    {2, "Identify", false},
    {3, "Rename", true},
    {4, "Read", false},
    {5, "Write", true},
    {6, "GetVariableAccessAttributes", false},
    {7, "DefineNamedVariable", true},
    {8, "DefineScatteredAccess", true},
    {9, "GetScatteredAccessAttributes", false},
    {10, "DeleteVariableAccess", true},
    {11, "DefineNamedVariableList", true},
    {12, "GetNamedVariableListAttributes", false},
    {13, "DeleteNamedVariableList", true},
    {14, "DefineNamedType", true},
    {15, "GetNamedTypeAttributes", false},
    {16, "DeleteNamedType", true},
    {17, "Input", false},
    {18, "Output", true},
    {19, "TakeControl", true},
    {20, "RelinquishControl", true},
    {21, "DefineSemaphore", true},
    {22, "DeleteSemaphore", true},
    {23, "ReportSemaphoreStatus", false},
    {24, "ReportPoolSemaphoreStatus", false},
    {25, "ReportSemaphoreEntryStatus", false},
    {26, "InitiateDownloadSequence", true},
    {27, "DownloadSegment", true},
    {28, "TerminateDownloadSequence", true},
    {29, "InitiateUploadSequence", false},
    {30, "UploadSegment", false},
    {31, "TerminateUploadSequence", false},
    {32, "RequestDomainDownload", true},
    {33, "RequestDomainUpload", false},
    {34, "LoadDomainContent", true},
    {35, "StoreDomainContent", false},
    {36, "DeleteDomain", true},
    {37, "GetDomainAttributes", false},
    {38, "CreateProgramInvocation", true},
    {39, "DeleteProgramInvocation", true},
    {40, "Start", true},
    {41, "Stop", true},
    {42, "Resume", true},
    {43, "Reset", true},
    {44, "Kill", true},
    {45, "GetProgramInvocationAttributes", false},
    {46, "ObtainFile", true},
    {47, "DefineEventCondition", true},
    {48, "DeleteEventCondition", true},
    {49, "GetEventConditionAttributes", false},
    {50, "ReportEventConditionStatus", false},
    {51, "AlterEventConditionMonitoring", true},
    {52, "TriggerEvent", true},
    {53, "DefineEventAction", true},
    {54, "DeleteEventAction", true},
    {55, "GetEventActionAttributes", false},
    {56, "ReportEventActionStatus", false},
    {57, "DefineEventEnrollment", true},
    {58, "DeleteEventEnrollment", true},
    {59, "AlterEventEnrollment", true},
    {60, "ReportEventEnrollmentStatus", false},
    {61, "GetEventEnrollmentAttributes", false},
    {62, "AcknowledgeEventNotification", true},
    {63, "GetAlarmSummary", false},
    {64, "GetAlarmEnrollmentSummary", false},
    {65, "ReadJournal", false},
    {66, "WriteJournal", true},
    {67, "InitializeJournal", true},
    {68, "ReportJournalStatus", false},
    {69, "CreateJournal", true},
    {70, "DeleteJournal", true},
    {71, "GetCapabilityList", false},
    {72, "FileOpen", false},
    {73, "FileRead", false},
    {74, "FileClose", false},
    {75, "FileRename", true},
    {76, "FileDelete", true},
    {77, "FileDirectory", false},
};

inline const ServiceInfo* find_confirmed_service(uint32_t number) {
  for (const auto& s : kConfirmedServices) {
    if (s.number == number) return &s;
  }
  return nullptr;
}

// Operation codes of PDUs that are not confirmed services (kept apart from service numbers).
inline constexpr uint32_t kPduCodeBase = 0x100;          // + MMSpdu CHOICE number (initiate 0x108 …)
inline constexpr uint32_t kUnconfirmedCodeBase = 0x200;  // + UnconfirmedService CHOICE number
inline constexpr uint32_t kAcseCodeBase = 0x300;         // + ACSE [APPLICATION n] (release 0x302 …)

inline constexpr std::string_view kUnconfirmedServices[] = {"InformationReport", "UnsolicitedStatus",
                                                            "EventNotification"};

struct PduName {
  uint8_t kind;
  std::string_view name;
};
inline constexpr PduName kPduNames[] = {
    {4, "Reject"},   {5, "Cancel"},    {6, "Cancel"},    {7, "Cancel"},    {8, "Initiate"},
    {9, "Initiate"}, {10, "Initiate"}, {11, "Conclude"}, {12, "Conclude"}, {13, "Conclude"},
};
inline std::string_view pdu_name(uint8_t kind) {
  for (const auto& p : kPduNames) {
    if (p.kind == kind) return p.name;
  }
  return "Unknown";
}

inline constexpr std::string_view kAcseNames[] = {"Associate", "Associate", "Release", "Release", "Abort"};

// getNameList basic object classes (ObjectClass ::= basicObjectClass INTEGER).
inline constexpr std::string_view kObjectClasses[] = {
    "namedVariable", "scatteredAccess", "namedVariableList", "namedType",
    "semaphore",     "eventCondition",  "eventAction",       "eventEnrollment",
    "journal",       "domain",          "programInvocation", "operatorStation"};

}  // namespace ots::mms
