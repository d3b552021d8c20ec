// Per-flow S7comm session: TPKT framing of each TCP direction, COTP DT
// reassembly, request/response matching by PDU reference, SZL fragment
// reassembly, and the events it reports (STYLE.md lessons 6, 8, 12).
//
// Events:
//  - operation() for every job, ack/ack-data and userdata PDU. Operation.code is the
//    function code for job/ack-data (0x04 Read Var, 0x28 PI-Service …) and, for userdata,
//    kUserdataCode | group << 8 | subfunction (e.g. 0x10401 Read SZL): the marker bit keeps
//    userdata codes apart from job codes (group 0 subfunction 4 would otherwise read as 0x04).
//    Responses repeat the request's name, range and object; is_error is set for a header
//    error class, a userdata error code, or any failed item return code.
//  - identity() for the side that answers SZL reads (the PLC): OrderNumber (SZL 0x0011 index 1),
//    HardwareRevision (index 6), FirmwareVersion (index 7, "V3.2.7"), Hostname (SZL 0x001C
//    index 1, PLC name), ModuleName (index 2), SerialNumber (index 5), ProductName (index 7,
//    module type name such as "CPU 315-2 PN/DP"), CpuState (SZL 0x0424, mode-transition pushes).
//    On confirmation the server side also gets Vendor "Siemens", DeviceType "PLC" and, when the
//    session saw the COTP CR (the probe takes a CR whose called TSAP is a classic S7 one), the
//    module the called TSAP addresses: Description "module rack R slot S" (inventory/module_fact.h).
//    With that address known, each SZL fact that describes the module (order number, hardware
//    revision, firmware, module name, serial, module type name) is also reported as a module
//    attribute, Description "module rack R slot S: orderNumber=…", so the inventory shows the CPU
//    module with its rack and slot.
//  - S7comm-plus (protocol id 0x72, "SIMATIC-…" TSAPs) is left to its own dissector: an
//    unconfirmed session rejects itself quietly, without anomalies.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/small_vector.h"
#include "dissectors/dissector.h"
#include "dissectors/s7comm/s7comm_wire.h"

namespace ots::s7comm {

inline constexpr std::string_view kProtocolName = "s7comm";
inline constexpr uint32_t kUserdataCode = 0x10000;

struct SessionLimits {
  static constexpr size_t kMaxMessageBytes = 64 * 1024;      // one reassembled COTP message (S7 PDU)
  static constexpr size_t kMaxSzlBytes = 16 * 1024;          // one reassembled SZL answer
  static constexpr size_t kMaxPendingPerDirection = 16;      // requests awaiting their response
  static constexpr size_t kMaxResyncSkipBytes = 128 * 1024;  // bytes searched for a TPKT after a gap
  static constexpr int kMaxViolationsUnconfirmed = 3;
  static constexpr int kMaxViolationsConfirmed = 32;
};

class Session final : public DissectorSession {
 public:
  explicit Session(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }
  bool confirmed() const { return confirmed_; }

 private:
  static constexpr size_t kObjectCapacity = 48;

  struct DirectionState {
    std::vector<uint8_t> partial;   // an incomplete TPKT (or, while resynchronising, the unscanned tail)
    std::vector<uint8_t> message;   // COTP DT payloads until EOT
    bool message_overflow = false;  // dropping the rest of an oversized message
    bool lost_sync = false;
    size_t resync_skipped = 0;
    bool s7_seen = false;
  };

  struct Pending {
    Direction dir = Direction::FromClient;  // the direction the request travelled
    bool userdata = false;
    uint16_t pdu_ref = 0;
    uint64_t age = 0;
    uint32_t code = 0;
    std::string_view name;
    bool is_write = false, has_range = false;
    uint32_t unit = 0, address = 0, quantity = 0;
    uint8_t item_count = 0;
    std::array<char, kObjectCapacity> object{};
    uint8_t object_length = 0;
    std::string_view object_view() const { return {object.data(), object_length}; }
    void set_object(std::string_view text);
  };

  static size_t index(Direction d) { return static_cast<size_t>(d); }
  static Direction opposite(Direction d) {
    return d == Direction::FromClient ? Direction::FromServer : Direction::FromClient;
  }
  static Side side_of(Direction d) { return d == Direction::FromClient ? Side::Client : Side::Server; }

  Bytes resync(Direction dir, Bytes bytes);
  Bytes complete_partial(Direction dir, Bytes bytes);
  void handle_tpkt(Direction dir, Bytes frame);
  void handle_data_tpdu(Direction dir, const CotpPdu& tpdu);
  void handle_message(Direction dir, Bytes message);
  void handle_job(Direction dir, const S7Pdu& pdu);
  void handle_ack(Direction dir, const S7Pdu& pdu);
  void handle_userdata(Direction dir, const S7Pdu& pdu);
  void handle_szl_response(Direction dir, const UserdataParams& params, Bytes payload);
  void process_szl(Direction dir, Bytes payload);
  void describe_job(const S7Pdu& pdu, Operation& op, Pending& pending);

  Pending& new_pending(Direction dir, uint16_t pdu_ref, bool userdata);
  // The request a response answers, if any; it stays pending until drop_pending(), so a response's
  // Operation can view the request's object text while it is reported (no copy of the request).
  const Pending* find_pending(Direction request_dir, uint16_t pdu_ref, bool userdata) const;
  void drop_pending(const Pending* answered);

  void maybe_confirm();
  void leave_to_s7comm_plus();
  void anomaly(Anomaly a);
  void violation(Anomaly a);
  // `event`: static text naming the message that said it (the fact's provenance).
  void identity(Side side, IdentityField field, std::string_view value, std::string_view event);
  static std::string_view module_attribute(IdentityField field);
  void operation(Direction dir, const Operation& op);

  EventSink& sink_;
  const FlowContext* ctx_ = nullptr;
  std::array<DirectionState, 2> dirs_;
  // Requests awaiting their response, both directions: usually one, up to kMaxPendingPerDirection each.
  SmallVector<Pending, 1> pending_;
  uint64_t pending_age_ = 0;

  // SZL answers split over several userdata responses (same data unit reference).
  std::vector<uint8_t> szl_buffer_;
  bool szl_active_ = false;
  uint8_t szl_unit_ref_ = 0;
  Direction szl_dir_ = Direction::FromServer;

  std::optional<RackSlot> rack_slot_;
  bool connect_request_seen_ = false, connect_confirm_seen_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
  bool report_unmatched_ = true;  // off after a gap: lost requests make responses look orphaned
  int violations_ = 0;
  // Identity values already reported (the last value's hash per side and field): polls repeat them.
  // A flow reports a handful of fields, so a short list beats a table of every side and field.
  struct Reported {
    uint8_t key = 0;  // side * IdentityField::kCount + field
    uint64_t hash = 0;
  };
  SmallVector<Reported, 4> reported_;
};

std::unique_ptr<DissectorSession> make_session(EventSink& sink);
ProbeResult probe(Direction dir, Bytes payload);

}  // namespace ots::s7comm
