// Per-flow MMS session: ISO transport framing (iso_transport.h), the session / presentation /
// ACSE layers down to MMS PDUs, request/response matching by invokeID, and events.
//
// Events:
//  - operation() for every MMS PDU. Confirmed services: Operation.code = the
//    ConfirmedServiceRequest CHOICE number (Read 4, Write 5, GetNameList 1, Identify 2, …; the
//    numbers tshark shows as mms.confirmedServiceRequest), name and is_write from mms_tables.h;
//    responses and confirmed-Errors repeat their request's name and object, is_error for
//    confirmed-Error, reject, or any failed access result. Object: "domain/item" of the
//    (first) variable or variable list, "namedVariable in LD0" for getNameList, the file name for
//    file services; quantity = variables / results. Other PDUs: kPduCodeBase + MMSpdu number
//    (Initiate 0x108 with object "version N", Conclude 0x10B, Cancel 0x105, Reject 0x104);
//    unconfirmed services kUnconfirmedCodeBase + number (InformationReport 0x200, from the
//    server, is_request false, object = the report's variable list name, e.g. "RPT");
//    ACSE without MMS inside: release (0x302/0x303), abort (0x304) and a rejected association
//    (0x301, is_error).
//  - identity() for the server: Vendor / ProductName / FirmwareVersion from the Identify
//    response (vendorName, modelName, revision); DeviceType "IED" once an initiate or identify
//    response is seen.
//  - anomaly(): the names of mms_wire.h.
//  - protocol_confirmed() once: after a valid PDU in each direction, or after
//    kConfirmOneSidedMessages valid ones when only one direction is seen.
// A flow whose first COTP data is not an ISO session SPDU (classic S7comm, S7comm-plus) is
// left quietly: rejected() turns true without anomalies.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/small_vector.h"
#include "dissectors/dissector.h"
#include "dissectors/mms/iso_transport.h"
#include "dissectors/mms/mms_wire.h"

namespace ots::mms {

inline constexpr std::string_view kProtocolName = "mms";

struct SessionLimits {
  static constexpr size_t kMaxPending = 16;  // confirmed requests awaiting their response
  static constexpr int kMaxViolationsUnconfirmed = 3;
  static constexpr int kMaxViolationsConfirmed = 32;
  static constexpr int kConfirmOneSidedMessages = 3;
};

class Session final : public DissectorSession, private iso::TransportHandler {
 public:
  explicit Session(EventSink& sink) : sink_(sink), transport_(*this) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }
  bool confirmed() const { return confirmed_; }

 private:
  static constexpr size_t kObjectCapacity = 96;

  struct Pending {
    uint32_t invoke_id = 0;
    uint64_t age = 0;
    uint32_t code = 0;
    std::string_view name;
    bool is_write = false;
    uint32_t quantity = 0;
    std::array<char, kObjectCapacity> object{};
    uint8_t object_length = 0;
    std::string_view object_view() const { return {object.data(), object_length}; }
    void set_object(std::string_view text);
  };

  static size_t index(Direction d) { return static_cast<size_t>(d); }
  static Side side_of(Direction d) { return d == Direction::FromClient ? Side::Client : Side::Server; }

  void on_control_tpdu(Direction dir, const iso::CotpPdu& tpdu) override;
  void on_message(Direction dir, Bytes message) override;
  void on_transport_error(Direction dir, iso::TransportError error) override;

  void handle_presentation(Direction dir, Bytes ppdu, bool connect_phase);
  void handle_pdv(Direction dir, Bytes pdv);
  void handle_acse(Direction dir, Bytes pdv);
  void handle_mms(Direction dir, Bytes bytes, bool association_rejected);
  void handle_confirmed_request(Direction dir, const MmsPdu& pdu);
  void handle_confirmed_response(Direction dir, const MmsPdu& pdu);
  void handle_confirmed_error(Direction dir, const MmsPdu& pdu);
  void handle_unconfirmed(Direction dir, const MmsPdu& pdu);
  void handle_other_pdu(Direction dir, const MmsPdu& pdu, bool association_rejected);

  Pending& new_pending(uint32_t invoke_id);
  std::optional<Pending> take_pending(uint32_t invoke_id);

  void valid_message(Direction dir);
  void anomaly(Anomaly a);
  void violation(Anomaly a);
  // `event`: static text naming the message that said it (the fact's provenance).
  void identity(Side side, IdentityField field, std::string_view value, std::string_view event);
  void operation(Direction dir, const Operation& op);

  EventSink& sink_;
  iso::IsoTransport transport_;
  const FlowContext* ctx_ = nullptr;
  std::array<int, 2> valid_messages_{};
  SmallVector<Pending, 1> pending_;  // usually one; up to SessionLimits::kMaxPending
  uint64_t pending_age_ = 0;
  bool any_valid_ = false;
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

}  // namespace ots::mms
