// Per-flow TriStation session (UDP 1502, one message per datagram).
//
// Events:
//   operation()  every valid message, from the side that sent it. Execution commands:
//                code = command code, name from the command table ("TriStation command"
//                otherwise), is_request for codes below 100, is_write for program download /
//                run / halt / pause, point writes, clock, configuration and the like (requests
//                only), is_error for rejections (100, 200..255), unit = connection id. Other
//                message types: code = 0x100 + message type (connect / disconnect / ping …),
//                is_error for connection limit / not connected / MPs dead / access denied /
//                connection failed.
//   identity()   server: DeviceType "SIS controller" (on the first valid message it sends or
//                receives), CpuState "RUN" / "STOP" / "PAUSE" from "Program is running /
//                halted / paused"; client: DeviceType "Engineering workstation".
//   anomaly()    the names of tristation_parser.h.
//   protocol_confirmed() once: after a valid request and a valid response, or after
//                kConfirmAfterValidMessages valid messages.
#pragma once

#include <cstdint>
#include <string_view>

#include "dissectors/dissector.h"
#include "dissectors/tristation/tristation_parser.h"

namespace ots {
extern const DissectorDescriptor kDissector_tristation;
}

namespace ots::tristation {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterValidMessages = 3;
constexpr uint32_t kOtherMessageBase = 0x100;

class TriStationSession final : public DissectorSession {
 public:
  explicit TriStationSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}  // datagrams: nothing to resynchronise
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return rejected_; }

 private:
  void valid_message(const FlowContext& ctx, bool request);

  EventSink& sink_;
  std::string_view last_state_;
  uint32_t consecutive_violations_ = 0;
  uint32_t valid_messages_ = 0;
  bool seen_request_ = false, seen_response_ = false;
  bool roles_reported_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::tristation
