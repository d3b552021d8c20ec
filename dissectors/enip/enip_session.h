// Per-flow EtherNet/IP session: frames TCP byte streams (or takes UDP datagrams) into
// encapsulation PDUs or cyclic I/O packets, unwraps CIP, matches responses to requests
// and reports events.
//
// Framing (TCP): PDUs are cut by the encapsulation length; a segment may hold several PDUs
// and a PDU may span segments (one partial PDU, at most kMaxPduSize bytes, is buffered per
// direction). An unknown command or a gap makes the direction "hunt": it skips bytes until
// probe_encapsulation() accepts a header; every kHuntBytesPerViolation skipped bytes count
// as one violation. UDP: each datagram is one PDU (its size must equal 24 + length) or, if it
// parses as one, a class 0/1 I/O packet (UDP 2222).
//
// Events:
//   operation()  Side = the sending direction (FromClient → Client). is_request: for CIP the
//                service's response bit; for ListIdentity / ListServices / ListInterfaces /
//                legacy commands a request has no data; otherwise the direction.
//     * Encapsulation commands other than SendRRData / SendUnitData: code = command (0x63 …),
//       name = command name, unit = session handle, is_error = non-zero encapsulation status.
//       SendRRData / SendUnitData are reported through the CIP messages they carry (or as the
//       command when an error reply carries none).
//     * CIP messages: code = service without the response bit, name = service name (common
//       services by code, object-specific services by class), unit = class id, address =
//       instance id (has_range false; the attribute id is not carried), object = class name
//       ("Symbol" for tag-addressed requests; the PCCC function name for Execute PCCC).
//       is_write: the service tables' classification (enip_tables.cc); Execute PCCC by PCCC
//       function; containers (Unconnected Send, Multiple_Service_Packet) are writes when a
//       request they carry is. is_error: general status other than 0 and 0x06 (partial
//       transfer), or a non-zero PCCC status. A response inherits name, class, instance and
//       write nature from the request it answers.
//     * Forward Open / Large Forward Open / Forward Close: unit = O→T connection id, address =
//       T→O connection id (requests: the proposed ids; responses: the ids the target granted;
//       Forward Close: the ids of the connection it names, when known).
//     * Unconnected Send: the Unconnected Send operation, then the embedded request's; a
//       successful reply is the embedded service's reply and is reported as such.
//       Multiple_Service_Packet: the packet's operation, then one per embedded service (at most
//       kMaxEmbeddedServices). Responses to embedded requests are matched by position.
//     * Cyclic I/O (UDP): code kIoOperationCode, name "I/O data", is_request true, unit =
//       connection id, address = encapsulation sequence number (0 when unsequenced). The same
//       id appears in the Forward Open that set up the connection (a different, TCP flow), which
//       is how I/O traffic is tied to its connection; connections() lists this session's.
//   identity()   on the side that sent it: ListIdentity item 0x0C, Identity object
//                Get_Attributes_All / Get_Attribute_Single / Get_Attribute_List responses
//                (class 1): Vendor (vendor table), DeviceType (device-type table, else "CIP
//                device type 0x.."), FirmwareVersion "major.minor", SerialNumber "0x%08x",
//                ProductName, CpuState (identity state name), Description "CIP vendor id V,
//                device type T, product code P" (the numeric identity, also for unknown vendors).
//                Not reported: ListIdentity socket address, encapsulation version, status word.
//                A reply to a request an Unconnected Send routed over the backplane (route path: one
//                port segment, port 1, link = slot) describes the module in that slot, not the device:
//                its fields are reported as module attributes, Description "module slot N:
//                productName=…" (inventory/module_fact.h; the numeric Description is left out). A
//                reply from beyond (a route through another port or several hops) describes another
//                device the sensor cannot name: its identity is not reported.
//                event: "ListIdentity reply" or "<service> reply (Identity object)" (Get_Attributes_All /
//                Get_Attribute_Single / Get_Attribute_List).
//   anomaly()    the names of enip_parser.h. unmatched_response is not raised while the client
//                direction has sent nothing (one-sided capture) nor after a gap.
//   protocol_confirmed() once: after a valid PDU (or I/O packet) in each direction, or after
//                kConfirmAfterOneSided valid ones in one direction while the other sent nothing.
// After kMaxConsecutiveViolations malformed PDUs / fruitless hunts in a row, rejected() is true
// and the session ignores further input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/small_vector.h"
#include "core/spill_buffer.h"
#include "dissectors/dissector.h"
#include "dissectors/enip/enip_parser.h"

namespace ots::enip {

constexpr size_t kMaxPendingRequests = 32;
constexpr size_t kMaxConnections = 32;  // the oldest connection is forgotten when full
constexpr int64_t kPendingTimeoutNs = 60'000'000'000;
constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterOneSided = 3;
constexpr size_t kHuntBytesPerViolation = 512;
constexpr uint32_t kIoOperationCode = 0x8002;  // the sequenced address item type
constexpr uint16_t kBackplanePort = 1;          // CIP port 1 of a chassis module: its backplane

// A CIP connection set up by Forward Open on this session.
struct Connection {
  ConnectionTriple triple;
  uint32_t o_to_t_id = 0, t_to_o_id = 0;
  uint32_t o_to_t_rpi_us = 0, t_to_o_rpi_us = 0;
  uint32_t o_to_t_parameters = 0, t_to_o_parameters = 0;
  bool established = false;  // the target accepted it
  uint64_t sequence = 0;     // creation order
};

class EnipSession final : public DissectorSession {
 public:
  explicit EnipSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

  // Connections opened (or being opened) by Forward Open on this session, and not closed.
  std::span<const Connection> connections() const { return {connections_.data(), connections_.size()}; }
  // The connection with this O→T or T→O id, if any.
  const Connection* find_connection(uint32_t connection_id) const;
  size_t pending_requests() const { return pending_.size(); }

 private:
  // Where a request went: this device, the module in a slot of its backplane (an Unconnected Send
  // routed through port 1), or on beyond it (another chassis or network). A reply's identity
  // describes that target.
  enum class Target : uint8_t { Device, BackplaneModule, Beyond };
  // What a response needs to know about the request it answers.
  struct RequestRecord {
    Target target = Target::Device;
    uint32_t slot = 0;  // Target::BackplaneModule
    uint8_t service = 0;
    bool has_class = false, symbolic = false, has_attribute = false;
    bool has_pccc = false, contains_write = false;
    uint16_t class_id = 0, attribute = 0;
    uint32_t instance = 0;
    uint8_t pccc_command = 0, pccc_function = 0;
  };
  enum class Channel : uint8_t { Unconnected, Connected };  // SendRRData / SendUnitData
  struct PendingRequest {
    uint64_t sequence = 0;
    int64_t ts_ns = 0;
    Channel channel = Channel::Unconnected;
    uint64_t key = 0;  // sender context (unconnected) or connection sequence count (connected)
    RequestRecord outer;
    bool has_inner = false;  // Unconnected Send's embedded request
    RequestRecord inner;
    uint8_t embedded_count = 0;  // Multiple_Service_Packet entries (of outer or inner)
    std::unique_ptr<RequestRecord[]> embedded;  // kMaxEmbeddedServices, for Multiple_Service_Packet only
  };
  struct Stream {
    SpillBuffer buffer;  // a partial PDU, only while one is split
    bool hunting = false;
    size_t hunted_bytes = 0;
    uint32_t valid_messages = 0;
    bool seen_data = false;
  };
  struct OperationList;

  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  void handle_datagram(const FlowContext& ctx, Direction dir, Bytes datagram);
  bool handle_pdu(const FlowContext& ctx, Direction dir, const EncapsulationHeader& header, Bytes body);
  bool handle_list_reply(const FlowContext& ctx, Direction dir, const EncapsulationHeader& header, Bytes body);
  bool handle_send_data(const FlowContext& ctx, Direction dir, const EncapsulationHeader& header, Bytes body);
  bool handle_cip(const FlowContext& ctx, Direction dir, Channel channel, uint64_t key, Bytes message);
  Anomaly describe_request(const CipMessage& msg, int depth, OperationList& ops, PendingRequest& pending,
                           RequestRecord& record);
  bool handle_response(const FlowContext& ctx, Side side, const CipMessage& msg, Channel channel, uint64_t key);
  bool report_response(const FlowContext& ctx, Side side, const CipMessage& msg, const RequestRecord& record,
                       const PendingRequest* pending);
  void report_identity_response(const FlowContext& ctx, Side side, const CipMessage& msg,
                                const RequestRecord& record);
  // `event`: the message that carried the identity (static text, e.g. "ListIdentity reply").
  void report_identity(const FlowContext& ctx, Side side, const RequestRecord* request, const Identity& identity,
                       std::string_view event);
  void report_identity_attribute(const FlowContext& ctx, Side side, const RequestRecord* request, uint16_t attribute,
                                 Bytes value, std::string_view event);
  void emit_identity(const FlowContext& ctx, Side side, const RequestRecord* request, IdentityField field,
                     std::string_view value, std::string_view event);
  void remember(const FlowContext& ctx, PendingRequest request);
  Connection* connection_by_triple(const ConnectionTriple& triple);
  Connection& add_connection(const ConnectionTriple& triple);
  void forget_connection(const ConnectionTriple& triple);
  void count_valid(const FlowContext& ctx, Direction dir);
  void count_violation();
  void report(const FlowContext& ctx, Anomaly anomaly);
  void emit(const FlowContext& ctx, Side side, const Operation& op);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  SmallVector<PendingRequest, 1> pending_;  // usually one; up to kMaxPendingRequests
  uint64_t next_sequence_ = 0;
  SmallVector<Connection, 0> connections_;  // up to kMaxConnections, on sessions that open any
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
  bool tolerate_unmatched_ = false;  // after a gap, until a response matches again
};

}  // namespace ots::enip
