// Per-flow S7comm-plus session: ISO transport framing (shared with MMS), S7comm-plus
// fragment reassembly, request/response matching by sequence number, and events.
//
// Events:
//  - operation() for every request (client) and response (server) with Operation.code = the
//    function code (0x04CA CreateObject, 0x054C GetMultiVariables …, table in
//    s7commplus_tables.h); notifications from the PLC use kNotificationCode. Responses repeat
//    their request's name, object, unit and quantity; is_error is set for a negative return
//    value or an Error function. Get/SetMultiVariables: quantity = item count, object = the first
//    address ("DB3 lid=10", "M lid=5") or "object 0x… attr N", unit = DB number.
//    is_write: SetVariable, SetMultiVariables, SetVarSubStreamed, CreateObject and DeleteObject —
//    except when they only manage the connection: writes to the session object itself (the
//    session-version handshake), creating / deleting the server session or subscriptions.
//  - identity() for the PLC (server side) on confirmation: Vendor "Siemens", DeviceType "PLC";
//    from the session-version string of the CreateObject (session) response: OrderNumber
//    ("6ES7 214-1HE30-0XB0") and FirmwareVersion ("V2.2").
//  - anomaly() with the names of s7commplus_wire.h. V3 frames carry an integrity digest that
//    is skipped (not verified); s7commplus.integrity_unparsed when it is malformed.
//    s7commplus.encrypted (once) when the COTP payload turns into TLS (InitSsl, newer firmware):
//    nothing after it can be parsed.
//  - protocol_confirmed() once: after a valid request and a valid response, or after
//    kConfirmOneSidedFrames valid frames when only one direction is seen.
// A flow whose first COTP data is not S7comm-plus (classic S7comm 0x32, MMS) is left quietly:
// rejected() turns true without anomalies.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/small_vector.h"
#include "dissectors/dissector.h"
#include "dissectors/mms/iso_transport.h"
#include "dissectors/s7commplus/s7commplus_wire.h"

namespace ots::s7commplus {

inline constexpr std::string_view kProtocolName = "s7commplus";

struct SessionLimits {
  static constexpr size_t kMaxMessageBytes = 64 * 1024;  // one reassembled S7comm-plus data part
  static constexpr size_t kMaxPending = 32;        // requests awaiting their response (TIA pipelines ~20)
  static constexpr size_t kMaxSessionObjects = 8;  // remembered session / subscription object ids
  static constexpr int kMaxViolationsUnconfirmed = 3;
  static constexpr int kMaxViolationsConfirmed = 32;
  static constexpr int kConfirmOneSidedFrames = 3;
};

class Session final : public DissectorSession, private iso::TransportHandler {
 public:
  explicit Session(EventSink& sink) : sink_(sink), transport_(*this) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

  bool confirmed() const { return confirmed_; }
  // Bit v set when a frame of protocol version v (1, 2, 3) was seen.
  uint8_t versions_seen() const { return versions_seen_; }

 private:
  static constexpr size_t kObjectCapacity = 48;

  struct Pending {
    uint16_t sequence = 0;
    uint64_t age = 0;
    uint16_t function = 0;
    std::string_view name;
    bool is_write = false;
    uint32_t unit = 0, quantity = 0;
    uint32_t class_id = 0;  // CreateObject: class of the new object
    std::array<char, kObjectCapacity> object{};
    uint8_t object_length = 0;
    std::string_view object_view() const { return {object.data(), object_length}; }
    void set_object(std::string_view text);
  };

  struct DirectionState {
    std::vector<uint8_t> fragments;  // data parts of frames without a trailer
    bool fragment_overflow = false;
    int valid_frames = 0;
    bool message_seen = false;
  };

  static size_t index(Direction d) { return static_cast<size_t>(d); }
  static Side side_of(Direction d) { return d == Direction::FromClient ? Side::Client : Side::Server; }

  // iso::TransportHandler
  void on_control_tpdu(Direction dir, const iso::CotpPdu& tpdu) override;
  void on_message(Direction dir, Bytes message) override;
  void on_transport_error(Direction dir, iso::TransportError error) override;

  void handle_data(Direction dir, Bytes data);
  void handle_request(Direction dir, const DataHeader& header);
  void handle_response(Direction dir, const DataHeader& header);
  void describe_request(const DataHeader& header, Operation& op, Pending& pending);
  void remember_session_object(uint32_t object_id);
  bool is_session_object(uint32_t object_id) const;

  Pending& new_pending(uint16_t sequence);
  std::optional<Pending> take_pending(uint16_t sequence);

  void maybe_confirm(Direction dir);
  void confirm();
  void anomaly(Anomaly a);
  void violation(Anomaly a);
  // `event`: static text naming the message that said it (the fact's provenance).
  void identity(Side side, IdentityField field, std::string_view value, std::string_view event);
  void operation(Direction dir, const Operation& op);

  EventSink& sink_;
  iso::IsoTransport transport_;
  const FlowContext* ctx_ = nullptr;
  std::array<DirectionState, 2> dirs_;
  SmallVector<Pending, 1> pending_;  // usually one; up to SessionLimits::kMaxPending
  uint64_t pending_age_ = 0;
  std::array<uint32_t, SessionLimits::kMaxSessionObjects> session_objects_{};
  size_t session_object_next_ = 0;
  uint32_t session_id_ = 0;
  uint8_t versions_seen_ = 0;
  bool frame_seen_ = false;
  bool tls_started_ = false;
  bool encrypted_reported_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
  bool report_unmatched_ = true;  // off after a gap
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

}  // namespace ots::s7commplus
