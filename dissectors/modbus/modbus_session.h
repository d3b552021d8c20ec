// Per-flow Modbus/TCP session: frames each direction's byte stream into ADUs,
// matches responses to requests by transaction id and reports events.
//
// Framing: ADUs are cut by the MBAP length; one segment may hold several ADUs and an
// ADU may span segments (at most one partial ADU, kMaxAduSize bytes, is buffered per
// direction, and only while it is incomplete). After a gap or a bad header the direction "hunts": it skips bytes until
// probe_header() accepts one; every kMaxAduSize bytes skipped count as one violation.
//
// Events:
//   operation()  every request (FromClient) and response (FromServer). code = function
//                code (exceptions: the base code, is_error set); object = the FC8
//                diagnostic sub-function, FC43 MEI type or UMAS function name; a response
//                inherits range, sub-function and is_write from its request.
//                FC23 reports its write range.
//   identity()   Role "master" (client) / "slave" (server) at confirmation; FC43/14 objects
//                from the server: VendorName → Vendor, ProductCode → OrderNumber,
//                MajorMinorRevision → FirmwareVersion, ProductName → ProductName,
//                ModelName → ProductName unless a ProductName was reported,
//                UserApplicationName → Hostname (the user-given name of what the device runs);
//                FC17 → Description (longest printable run of the device-specific server id).
//   anomaly()    the names of modbus_parser.h. unmatched_response is not raised while the
//                client direction has sent nothing (one-sided capture) nor right after a gap.
//   protocol_confirmed() once: after a valid request and its valid matching response, or
//                after 3 valid ADUs in one direction while the other has sent nothing
//                (captures that only see one side).
// After kMaxConsecutiveViolations malformed ADUs / bad headers / fruitless hunts in a row,
// rejected() is true and the session ignores further input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/small_vector.h"
#include "core/spill_buffer.h"
#include "dissectors/dissector.h"
#include "dissectors/modbus/modbus_parser.h"

namespace ots::modbus {

constexpr size_t kMaxPendingRequests = 64;
constexpr int64_t kPendingTimeoutNs = 60'000'000'000;  // unanswered requests older than this expire silently
constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterOneSidedAdus = 3;

class ModbusSession final : public DissectorSession {
 public:
  explicit ModbusSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

  size_t pending_requests() const { return pending_.size(); }

 private:
  struct Stream {
    SpillBuffer buffer;  // a partial ADU (at most kMaxAduSize bytes), only while one is split
    bool hunting = false;
    size_t hunted_bytes = 0;  // skipped since hunting started
    uint32_t valid_adus = 0;
    bool seen_data = false;
  };
  struct PendingRequest {
    uint64_t sequence = 0;  // arrival order, to evict the oldest
    int64_t ts_ns = 0;
    uint16_t transaction_id = 0;
    Pdu request;  // a request Pdu holds no views into packet bytes
  };

  // Frames and handles whole ADUs at the front of `window`; returns the bytes consumed.
  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  void handle_adu(const FlowContext& ctx, Direction dir, const MbapHeader& header, Bytes pdu);
  void handle_request(const FlowContext& ctx, const MbapHeader& header, const Pdu& pdu);
  // Returns whether the response matched a valid request and agrees with it.
  bool handle_response(const FlowContext& ctx, const MbapHeader& header, const Pdu& pdu);
  void report_identity(const FlowContext& ctx, const Pdu& pdu);
  void remember(const FlowContext& ctx, const Pdu& pdu, uint16_t transaction_id);
  // The events name the messages that showed each side's role.
  void confirm(const FlowContext& ctx, std::string_view client_event, std::string_view server_event);
  void count_violation();
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  // In arrival order until eviction reuses a slot; usually one, up to kMaxPendingRequests.
  SmallVector<PendingRequest, 1> pending_;
  uint64_t next_sequence_ = 0;
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
  bool product_name_reported_ = false;
  bool tolerate_unmatched_ = false;  // after a gap, until a response matches again
};

}  // namespace ots::modbus
