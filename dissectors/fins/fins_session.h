// Per-flow Omron FINS session over UDP (one frame per datagram) or TCP (FINS/TCP messages cut by
// their length, at most one partial message of kMaxTcpMessageSize buffered per direction; after
// a gap or a bad header the direction hunts for the next "FINS" header, every
// kMaxTcpMessageSize bytes skipped counting as one violation). The transport comes from
// FlowContext::transport (17 = UDP, anything else = TCP).
//
// Which side sent a frame is taken from the ICF (command or response), not from the flow
// direction: captures exist where both travel the same way.
//
// Events:
//   operation()  every FINS frame: code = MRC << 8 | SRC, name from the command table
//                ("Unknown command" otherwise), is_request = command frame, is_write for
//                commands that change memory, parameters, program, files, mode, clock or
//                forced bits (on the response too), is_error = response end code with an error,
//                unit = destination node (DA1) of a command / source node (SA1) of a response,
//                address (word << 8 | bit) / quantity / has_range for memory area
//                read / write / fill / transfer commands (the source of a transfer).
//                FINS/TCP node address exchanges carry no operation.
//   identity()   from a successful Controller Data Read (0501) response, on the side that sent
//                it: ProductName = controller model, FirmwareVersion = controller version
//                (20 bytes each, trailing spaces / NULs trimmed), DeviceType "PLC" (only a CPU
//                unit answers it; the flow's direction and the commands the same host sends do not
//                decide, see fins_cisagovfork_omron.pcap where one host sends both); once per session.
//   anomaly()    the names of fins_parser.h.
//   protocol_confirmed() once: after a valid command and a valid response, or after
//                kConfirmAfterValidFrames valid frames (one-sided captures).
// After kMaxConsecutiveViolations invalid frames / headers / fruitless hunts in a row
// rejected() is true and the session ignores further input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/fins/fins_parser.h"

namespace ots::fins {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterValidFrames = 3;

class FinsSession final : public DissectorSession {
 public:
  explicit FinsSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  struct Stream {
    std::vector<uint8_t> buffer;  // a partial FINS/TCP message; allocated only when one spans segments
    bool hunting = false;
    size_t hunted_bytes = 0;
  };

  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  void handle_tcp_message(const FlowContext& ctx, Direction dir, const TcpHeader& header, Bytes message);
  void handle_frame(const FlowContext& ctx, Direction dir, Bytes bytes);
  void valid_message(const FlowContext& ctx);
  void count_violation();
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  uint32_t consecutive_violations_ = 0;
  uint32_t valid_frames_ = 0;
  bool seen_command_ = false, seen_response_ = false;
  bool identity_reported_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::fins
