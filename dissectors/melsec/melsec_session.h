// Per-flow MELSEC session: MC protocol 3E / 4E binary frames and the MELSOFT engineering
// framing, over UDP (one frame per datagram) or TCP (frames cut by their length; at most one
// partial frame of kMaxBufferedFrame bytes buffered per direction, a larger MELSOFT frame is
// parsed from that prefix and the rest skipped). After a gap or an invalid header the
// direction hunts for the next valid header, every kMaxBufferedFrame bytes skipped counting as
// one violation. The transport comes from FlowContext::transport (17 = UDP).
//
// MC responses carry no command: they are matched to requests by serial number (4E) or in
// order (3E), at most kMaxPendingRequests outstanding (the oldest is forgotten beyond that).
//
// Events:
//   operation()  every frame, from the side that sent it: code = MC command / MELSOFT command
//                (0x5A for discovery), name from the command tables ("MC command" /
//                "MELSOFT command" otherwise), is_write for device / memory / file writes and
//                remote RUN / STOP / PAUSE / latch clear / RESET (also on the response),
//                is_error = non-zero end code / MELSOFT status, unit = PC number,
//                address / quantity / object (device name, "D") for batch and random read / write.
//   identity()   server: ProductName (MC 0x0101 / MELSOFT 0x0121 model name), Vendor
//                "Mitsubishi Electric" and DeviceType "PLC" with it; CpuState "RUN" / "STOP" /
//                "PAUSE" after a successful remote RUN / STOP / PAUSE. Client of MELSOFT
//                framing: DeviceType "Engineering workstation". event: the reply that carried it
//                ("MC Read CPU Model Name reply", "MC Remote RUN reply" …), or "MELSOFT request".
//   anomaly()    the names of melsec_parser.h.
//   protocol_confirmed() once: after a valid request and a valid response, or after
//                kConfirmAfterValidFrames valid frames.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/melsec/melsec_parser.h"

namespace ots {
extern const DissectorDescriptor kDissector_melsec;
}

namespace ots::melsec {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterValidFrames = 3;
constexpr size_t kMaxPendingRequests = 16;

class MelsecSession final : public DissectorSession {
 public:
  explicit MelsecSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  struct Stream {
    std::vector<uint8_t> buffer;  // a partial frame; allocated only when one spans segments
    size_t skip = 0;              // bytes of an oversized frame still to pass over
    bool hunting = false;
    size_t hunted_bytes = 0;
  };
  struct Pending {
    bool is_4e;
    uint16_t serial, command;
  };

  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  void handle_frame(const FlowContext& ctx, Direction dir, Bytes bytes, bool complete);
  void mc_request(const FlowContext& ctx, Side side, const Frame& frame);
  void mc_response(const FlowContext& ctx, Side side, const Frame& frame);
  void melsoft(const FlowContext& ctx, Side side, const Frame& frame);
  // `event`: the reply that carried the model name (static text, e.g. "MC Read CPU Model Name reply").
  void report_model(const FlowContext& ctx, Side side, std::string_view model, std::string_view event);
  void valid_frame(const FlowContext& ctx, bool request);
  void violation(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  std::deque<Pending> pending_;
  uint32_t consecutive_violations_ = 0;
  uint32_t valid_frames_ = 0;
  bool seen_request_ = false, seen_response_ = false;
  bool model_reported_ = false, workstation_reported_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::melsec
