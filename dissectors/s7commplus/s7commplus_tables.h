// S7comm-plus protocol knowledge, reviewable against the public references: the Wireshark
// s7comm_plus plugin (packet-s7comm_plus.c, Thomas Wiens) and S7CommPlusDriver's
// Functioncode.cs / Ids.cs.
#pragma once

#include <cstdint>
#include <string_view>

namespace ots::s7commplus {

struct FunctionInfo {
  uint16_t code;
  std::string_view name;
  bool is_write;  // changes process data, configuration or program (see the session for exceptions)
  bool is_error;  // an error answer in place of the function asked for
};

namespace function {
constexpr uint16_t kError = 0x04B1, kExplore = 0x04BB, kCreateObject = 0x04CA, kDeleteObject = 0x04D4,
                   kSetVariable = 0x04F2, kGetVariable = 0x04FC, kAddLink = 0x0506, kRemoveLink = 0x051A,
                   kGetLink = 0x0524, kSetMultiVariables = 0x0542, kGetMultiVariables = 0x054C,
                   kBeginSequence = 0x0556, kEndSequence = 0x0560, kInvoke = 0x056B,
                   kSetVarSubStreamed = 0x057C, kGetVarSubStreamed = 0x0586, kGetVariablesAddress = 0x0590,
                   kAbort = 0x059A, kError2 = 0x05A9, kInitSsl = 0x05B3;
}

inline constexpr FunctionInfo kFunctions[] = {
    {function::kError, "Error", false, true},
    {function::kExplore, "Explore", false, false},
    {function::kCreateObject, "CreateObject", true, false},
    {function::kDeleteObject, "DeleteObject", true, false},
    {function::kSetVariable, "SetVariable", true, false},
    {function::kGetVariable, "GetVariable", false, false},
    {function::kAddLink, "AddLink", false, false},
    {function::kRemoveLink, "RemoveLink", false, false},
    {function::kGetLink, "GetLink", false, false},
    {function::kSetMultiVariables, "SetMultiVariables", true, false},
    {function::kGetMultiVariables, "GetMultiVariables", false, false},
    {function::kBeginSequence, "BeginSequence", false, false},
    {function::kEndSequence, "EndSequence", false, false},
    {function::kInvoke, "Invoke", false, false},
    {function::kSetVarSubStreamed, "SetVarSubStreamed", true, false},
    {function::kGetVarSubStreamed, "GetVarSubStreamed", false, false},
    {function::kGetVariablesAddress, "GetVariablesAddress", false, false},
    {function::kAbort, "Abort", false, false},
    {function::kError2, "Error", false, true},
    {function::kInitSsl, "InitSsl", false, false},
};

inline const FunctionInfo* find_function(uint16_t code) {
  for (const auto& f : kFunctions) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

// Operation codes of messages without a function code.
inline constexpr uint32_t kNotificationCode = 0x10033;  // marker bit + opcode 0x33, apart from function codes
inline constexpr std::string_view kNotificationName = "Notification";

// Object and class ids (Ids.cs) the session needs.
namespace ids {
constexpr uint32_t kThePlcProgram = 3;
constexpr uint32_t kObjectServerSessionContainer = 285;
constexpr uint32_t kClassServerSession = 287;
constexpr uint32_t kObjectNullServerSession = 288;  // session id of requests before a session exists
constexpr uint32_t kClassSubscriptions = 255;
constexpr uint32_t kClassSubscription = 1001;
constexpr uint32_t kSessionVersionPaomString = 319;  // LID_SessionVersionSystemPAOMString
constexpr uint32_t kNativeIArea = 80, kNativeQArea = 81, kNativeMArea = 82, kNativeCounters = 83,
                   kNativeTimers = 84;
constexpr uint32_t kDataBlockAreaBase = 0x8A0E0000;  // + DB number
}  // namespace ids

// Classes whose creation or deletion only manages the connection, not the PLC.
inline constexpr bool is_session_management_class(uint32_t class_id) {
  return class_id == ids::kClassServerSession || class_id == ids::kClassSubscription ||
         class_id == ids::kClassSubscriptions;
}

}  // namespace ots::s7commplus
