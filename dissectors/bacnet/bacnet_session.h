// Per-flow BACnet/IP session (UDP: data() gets one whole datagram): BVLC → NPDU → APDU,
// confirmed requests matched to their ACK / Error / Reject / Abort by invoke id, events reported.
//
// Sides: BACnet is peer to peer over UDP and much of it is broadcast (I-Am to the subnet
// broadcast address), so every fact is about the SENDER of the datagram:
// Direction::FromClient → Side::Client, FromServer → Side::Server — for operations and identities.
//
// Events:
//   operation()  one per APDU, network-layer message, or BVLL-only message (BVLC-Result,
//                Write-BDT, Register-Foreign-Device …):
//     code     confirmed service choice (0–33); kUnconfirmedCodeBase (0x100) + unconfirmed service;
//              kNetworkCodeBase (0x200) + network message type; kBvlcCodeBase (0x300) + BVLC function;
//              kPduCodeBase (0x400) + PDU type for Segment-ACK and for a Reject / Abort whose request
//              was not seen (a matched Reject / Abort carries its request's service).
//     name     the service / message / function name of the tables (static storage).
//     is_request  requests (confirmed and unconfirmed), network and BVLL requests; false for ACKs,
//              Error / Reject / Abort, Segment-ACK, BVLC-Result, Read-BDT/FDT-Ack,
//              Reject-Message-To-Network, Initialize-Routing-Table-Ack.
//     is_write services that change values, configuration, device state or clock (table column),
//              BVLL table writes, routing-table changes; a response inherits its request's.
//     is_error Error, Reject, Abort, BVLC-Result NAKs, Reject-Message-To-Network.
//     address / quantity / has_range  the object instance and the number of property references
//              (1 for ReadProperty / WriteProperty; the first object of ReadPropertyMultiple /
//              WritePropertyMultiple); Who-Is / Who-Has instance limits (low, high − low + 1);
//              network messages: first DNET and DNET count. Without has_range, quantity carries
//              the BDT/FDT entry count or the Register-Foreign-Device TTL, or the
//              DeviceCommunicationControl duration in minutes.
//     unit     the device instance the operation concerns when known: I-Am / I-Have / You-Are device,
//              a device object being read or written, else the instance learned from the serving
//              side (the receiver of a confirmed request, the sender otherwise); PrivateTransfer and
//              proprietary network messages: the vendor id.
//     object   the property name when one property is named; the reinitialize / communication state
//              ("coldstart", "disable with password"); the error code (else class) of an Error; the
//              Reject / Abort reason; the BVLC-Result code name.
//   identity()  on the sender, only when the sender is the device itself (no Forwarded-NPDU,
//              no NPDU source specifier — a routed message's sender is the router):
//     I-Am          Description "device instance <n>", Vendor (vendor id table, else "BACnet vendor <id>")
//     Who-Am-I      Vendor, ProductName (model name), SerialNumber
//     ReadProperty / ReadPropertyMultiple ACKs, device object only: vendor-name → Vendor,
//                   vendor-identifier → Vendor (table), model-name → ProductName,
//                   firmware-revision → FirmwareVersion, object-name → Hostname,
//                   serial-number → SerialNumber, description → Description,
//                   application-software-version → Description "application software <v>",
//                   location → Description "location <v>" (the inventory keeps every Description).
//   anomaly()   the names of bacnet_tables.h. unmatched_response is raised only when the
//              requesting direction has sent confirmed requests in this flow. A BVLC length that
//              disagrees with the datagram raises invalid_bvlc_length, yet the message is decoded
//              from the datagram's bytes (the UDP length is authoritative; some stacks and traffic
//              generators get the BVLC length wrong) and, if otherwise sound, counts as valid.
//   protocol_confirmed()  once, after 2 valid datagrams (any direction): most BACnet traffic is
//              unconfirmed and one-directional (broadcast I-Am / Who-Is), and each datagram is
//              checked whole (BVLC header, NPDU version 1, APDU and its service parameters decoded).
// Segmented messages are not reassembled: the first segment's leading parameters are decoded,
// later segments only counted; a request stays pending until the last segment of its ACK.
// After kMaxConsecutiveViolations malformed datagrams in a row, rejected() is true.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "dissectors/bacnet/bacnet_wire.h"
#include "core/small_vector.h"
#include "dissectors/dissector.h"

namespace ots::bacnet {

constexpr size_t kMaxPendingRequests = 32;
constexpr int64_t kPendingTimeoutNs = 60'000'000'000;  // unanswered requests older than this expire
constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterValidDatagrams = 2;

class Session final : public DissectorSession {
 public:
  explicit Session(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}  // UDP: nothing to resynchronise
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return rejected_; }

  bool confirmed() const { return confirmed_; }
  size_t pending_requests() const { return pending_.size(); }

 private:
  // What a response needs from its request.
  struct Pending {
    uint64_t sequence = 0;
    int64_t ts_ns = 0;
    uint8_t invoke_id = 0;
    Direction requester = Direction::FromClient;
    uint8_t service = 0;
    bool has_object = false;
    ObjectId object;
    uint32_t quantity = 0;
    std::string_view object_name;  // Operation::object of the request
  };
  // One datagram's decoding context.
  struct Message {
    const FlowContext& ctx;
    Direction dir;
    bool attributable;  // the sender is the device (not forwarded, not routed)
  };

  Anomaly handle_datagram(const FlowContext& ctx, Direction dir, Bytes bytes);
  void handle_bvll(const Message& m, const Bvlc& header);
  Anomaly handle_network_message(const Message& m, const Npdu& npdu);
  Anomaly handle_apdu(const Message& m, Bytes bytes);
  void handle_request(const Message& m, const Apdu& apdu, const ServiceDetails& details, Operation& op);
  void handle_response(const Message& m, const Apdu& apdu, Operation& op);
  void report_identity(const Message& m, const Apdu& apdu, const ServiceDetails& details);
  void report_property_value(const Message& m, const PropertyValue& value, std::string_view event);
  // `event`: static text naming the message that said it (the fact's provenance).
  void emit(const Message& m, IdentityField field, std::string_view value, std::string_view event);
  void remember(const Message& m, const Apdu& apdu, const Operation& op, const ServiceDetails& details);
  Pending* find_pending(Direction requester, uint8_t invoke_id, const Apdu& apdu);
  void forget(Pending* entry);
  void learn_device(const Message& m, uint32_t instance);
  std::string_view compose(std::string_view prefix, std::string_view text);
  std::string_view compose(std::string_view prefix, uint32_t number);
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  SmallVector<Pending, 1> pending_;  // usually one; up to kMaxPendingRequests
  uint64_t next_sequence_ = 0;
  std::array<bool, 2> sent_requests_{};  // per direction: has sent a confirmed request
  std::array<bool, 2> knows_device_{};   // per side: its device instance is known
  std::array<uint32_t, 2> device_instance_{};
  uint32_t valid_datagrams_ = 0;
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
};

std::unique_ptr<DissectorSession> make_session(EventSink& sink);
// Match: plausible_bvlc() (bacnet_wire.h). NeedMoreData: shorter than a BVLC header.
ProbeResult probe(Direction dir, Bytes payload);

}  // namespace ots::bacnet
