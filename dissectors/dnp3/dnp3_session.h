// Per-flow DNP3 session (TCP or UDP, port 20000): frames each direction into link frames,
// reassembles transport segments into application fragments, matches responses to requests
// and reports events.
//
// Framing. TCP: frames are cut by LEN; one segment may hold several frames and a frame may span
// segments (at most one partial frame, kMaxFrameSize bytes, is buffered per direction). A frame
// whose header CRC fails is still skipped by its LEN so the stream stays in sync; a bad start
// or LEN < 5 makes the direction "hunt" for the next header with a valid CRC (also after a
// gap); every kMaxFrameSize bytes skipped count as one violation. UDP: each datagram holds
// whole frames; a partial frame at its end is dnp3.invalid_length.
//
// Transport. Segments are reassembled per direction and per (source, destination) pair (up to
// kReassembliesPerDirection pairs, least recently used evicted), up to kMaxFragmentSize bytes.
// A repeated segment (same sequence) is dropped silently; a segment out of sequence, a middle
// segment with nothing in progress or a new first segment abandoning an unfinished fragment is
// dnp3.transport_sequence_error — except while a pair waits for a first segment (capture start,
// after a gap, a bad block CRC, or a previous transport error / overflow: one anomaly per incident).
//
// Events:
//   operation()  every application fragment with a defined function, from the side that sent
//                it: requests (is_request) and responses (129 Response, 130 Unsolicited
//                Response, 131 Authenticate Response). code = function code; unit = the
//                outstation's address (a request's link destination, a response's link source);
//                has_range / address / quantity from the first object header (start/stop range,
//                or the first index and the count of an index-prefixed header); object = the name
//                of the first object's group (variation-specific for class data, time, files and
//                secure authentication). Responses match the oldest outstanding request with
//                the same application sequence and address pair (later fragments of a
//                multi-fragment response: the next sequence); they inherit is_write, and range
//                and object when they carry no objects. is_error when IIN2 reports function code
//                not supported, object unknown or parameter error; the object is then that IIN
//                bit's name. An Authenticate Response (a challenge) to a request other than
//                Authenticate Request leaves that request outstanding for the final response.
//   identity()   per side, once the flow is confirmed: Role "master" / "outstation" from the
//                DIR bit of the link frames that side sends (so a reversed UDP flow still gets
//                the right roles); Description "DNP3 address N" for each link source address it
//                sends from (up to kAddressesPerSide); from group-0 device attributes in its
//                responses: manufacturer → Vendor, product name and model → ProductName,
//                software version → FirmwareVersion, hardware version → HardwareRevision,
//                serial number → SerialNumber, user-assigned device name → Hostname,
//                user-assigned location → Description; CpuState "restarted" when a response
//                carries IIN1.7 Device Restart, and "running" when it clears again (restart
//                reporting is a state change, not an anomaly).
//   anomaly()    the names of dnp3_parser.h. unknown_object is reported once per session for
//                each group / variation (at most kUnknownObjectsRemembered distinct ones), so
//                a device polling a private object does not flood; unmatched_response is not
//                raised while the other direction has sent nothing, nor after a gap until a
//                response matches again.
//   protocol_confirmed() once: when both directions have sent a frame with valid CRCs and an
//                application fragment parsed cleanly, or after kConfirmAfterOneSidedFrames valid
//                frames in one direction while the other has sent nothing.
// After kMaxConsecutiveViolations link-level violations in a row (bad CRCs, bad starts or
// lengths, undefined link functions, fruitless hunts), rejected() is true and the session
// ignores further input. Application-level anomalies in CRC-valid frames are not violations.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/small_vector.h"
#include "core/spill_buffer.h"
#include "dissectors/dissector.h"
#include "dissectors/dnp3/dnp3_parser.h"

namespace ots::dnp3 {

constexpr size_t kMaxFragmentSize = 2048;
constexpr size_t kReassembliesPerDirection = 4;
constexpr size_t kMaxPendingRequests = 16;
constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterOneSidedFrames = 3;
constexpr size_t kAddressesPerSide = 4;
constexpr size_t kUnknownObjectsRemembered = 16;
constexpr uint8_t kAppSequenceModulo = 16;

class Dnp3Session final : public DissectorSession {
 public:
  explicit Dnp3Session(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

  size_t pending_requests() const { return pending_.size(); }

 private:
  struct Reassembly {
    uint16_t source = 0;
    uint16_t destination = 0;
    bool synced = false;  // a first segment (FIR) was seen
    bool in_progress = false;
    uint8_t last_sequence = 0;
    uint64_t last_used = 0;
    std::vector<uint8_t> fragment;
  };
  struct Stream {
    SpillBuffer buffer;  // a partial frame (at most kMaxFrameSize bytes), only while one is split
    bool hunting = false;
    size_t hunted_bytes = 0;
    uint32_t valid_frames = 0;
    bool seen_data = false;
    SmallVector<Reassembly, 1> reassemblies;  // one per address pair, up to kReassembliesPerDirection
  };
  // What one side of the flow has revealed about itself.
  struct Peer {
    bool role_known = false;
    bool is_master = false;
    bool role_reported = false;
    std::array<uint16_t, kAddressesPerSide> addresses{};
    size_t address_count = 0;
    size_t addresses_reported = 0;
    bool restart_known = false;
    bool restarted = false;
  };
  struct PendingRequest {
    uint64_t order = 0;  // arrival order, to pick and evict the oldest
    uint16_t master = 0;
    uint16_t outstation = 0;
    uint8_t app_sequence = 0;
    bool continuing = false;  // a multi-fragment response is under way; next fragment: app_sequence
    Operation request;        // names are static; no views into packet bytes
  };

  void data_datagram(const FlowContext& ctx, Direction dir, Bytes datagram);
  // Frames and handles whole frames at the front of `window`; returns the bytes consumed.
  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  void handle_frame(const FlowContext& ctx, Direction dir, const LinkHeader& header, Bytes frame);
  void handle_segment(const FlowContext& ctx, Direction dir, const LinkHeader& header, Bytes segment);
  Reassembly& reassembly_for(Direction dir, uint16_t source, uint16_t destination);
  void handle_fragment(const FlowContext& ctx, Direction dir, const LinkHeader& header, Bytes bytes);
  void handle_response(const FlowContext& ctx, Direction dir, const LinkHeader& header,
                       const Fragment& fragment, Operation& op);
  void remember(const LinkHeader& header, const Fragment& fragment, const Operation& op);
  void report_fragment_anomalies(const FlowContext& ctx, const Fragment& fragment);
  void report_attributes(const FlowContext& ctx, Side side, const Fragment& fragment);
  void report_restart(const FlowContext& ctx, Side side, uint16_t iin, std::string_view event);
  void note_peer(const FlowContext& ctx, Direction dir, const LinkHeader& header);
  void report_peer_identities(const FlowContext& ctx);
  void maybe_confirm(const FlowContext& ctx);
  void count_violation();
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  std::array<Peer, 2> peers_{};  // indexed by Side
  SmallVector<PendingRequest, 1> pending_;  // usually one; up to kMaxPendingRequests
  uint64_t next_order_ = 0;
  uint64_t reassembly_clock_ = 0;
  std::array<uint16_t, kUnknownObjectsRemembered> unknown_objects_{};  // group << 8 | variation
  size_t unknown_object_count_ = 0;
  uint32_t consecutive_violations_ = 0;
  bool fragment_parsed_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
  bool tolerate_unmatched_ = false;
};

}  // namespace ots::dnp3
