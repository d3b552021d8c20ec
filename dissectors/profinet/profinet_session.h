// PROFINET RT session: one per worker thread, fed every 0x8892 frame of every
// device (L2 frames have no flows). Facts are attached to MACs: Side::Client is the
// frame's sender, Side::Server its destination.
//
// Events:
//   protocol_confirmed()  once per sender MAC, after its first well-formed frame (a DCP message whose
//                         blocks parse, a cyclic RT / alarm frame with its trailer, a PTCP frame).
//                         The set of confirmed MACs is capped at kMaxSenders and forgotten when full
//                         (a repeated confirmation is harmless).
//   operation()           from = Side::Client (the sender) for requests and responses alike; the
//                         codes and names are those of profinet_tables.h:
//                         - DCP Identify / Get / Hello requests (Identify: object = the NameOfStation
//                           filter when there is one);
//                         - one per block of a DCP Set request ("DCP Set IP", "DCP Set Name of
//                           Station", "DCP Factory Reset", "DCP Signal", other blocks "DCP Set", all
//                           is_write but Signal; start/end transaction brackets are not reported;
//                           object = the name set, for Name of Station);
//                         - one per Control/Response block of a Set response (is_request false,
//                           is_error when its error code is not 0), and an is_error operation for a
//                           "request not supported" response;
//                         - "RT cyclic data" per cyclic frame (code = first FrameID of its range:
//                           0x0100 RT_CLASS_2/3, 0x8000 and 0xC000 RT_CLASS_1; address = FrameID) and
//                           "RT Alarm High" / "RT Alarm Low" (code = FrameID). The worker coalesces.
//   identity()            from Identify responses, Get responses and Hello requests, about the sender:
//                         Name of Station → Hostname (verbatim), Type of Station (2/1) → ProductName,
//                         Device ID → Description "vendor 0x002a device 0x0a01" and Vendor for the
//                         ids of kVendors, Device Role → Role and DeviceType (kDeviceRoles).
//                         A Set of the Name of Station to a unicast destination → Hostname about that
//                         destination (Side::Server): the engineer named that station.
//                         event: "DCP Identify reply", "DCP Get reply", "DCP Hello", "DCP Set request".
//   anomaly()             the names of profinet_wire.h.
// rejected() stays false: the session is shared by every PROFINET device, one bad frame proves nothing.
#pragma once

#include <cstddef>
#include <unordered_set>

#include "dissectors/dissector.h"
#include "dissectors/profinet/profinet_wire.h"

namespace ots::profinet {

constexpr size_t kMaxSenders = 4096;

class ProfinetSession final : public DissectorSession {
 public:
  explicit ProfinetSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return false; }

 private:
  void handle_dcp(const FlowContext& ctx, Bytes frame);
  // Returns false (after reporting the anomaly) when a block is malformed.
  bool handle_identify_request(const FlowContext& ctx, const DcpMessage& message);
  bool handle_set_request(const FlowContext& ctx, const DcpMessage& message);
  bool handle_set_response(const FlowContext& ctx, const DcpMessage& message);
  // `event`: the DCP message that carried the blocks (static text, e.g. "DCP Identify reply").
  bool report_identity(const FlowContext& ctx, const DcpMessage& message, std::string_view event);
  void emit(const FlowContext& ctx, const Operation& op);
  void confirm(const FlowContext& ctx);
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::unordered_set<MacAddr> confirmed_senders_;
};

}  // namespace ots::profinet
