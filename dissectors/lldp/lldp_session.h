// LLDP session: one per worker thread, fed every LLDP frame of every sender
// (L2 frames have no flows). Each frame is one LLDPDU about its sender.
//
// Events (all about the frame's sender, Side::Client):
//   protocol_confirmed()  once per sender MAC after its first LLDPDU with the three mandatory TLVs
//                         (the set of confirmed MACs is capped at kMaxSenders and forgotten when full:
//                         a repeated confirmation is harmless).
//   identity()            per valid LLDPDU: System Name → Hostname (else a locally assigned Chassis ID,
//                         which PROFINET devices set to their NameOfStation); System Description →
//                         Description; enabled capabilities → DeviceType ("Switch" when bridging is
//                         enabled — layer-3 switches also enable routing —, else "Router",
//                         "Access point", "Telephone"); LLDP-MED inventory: hardware revision →
//                         HardwareRevision, firmware revision → FirmwareVersion, serial number →
//                         SerialNumber, manufacturer → Vendor, model → ProductName. Management address,
//                         port and VLAN are parsed (lldp_wire.h) but have no identity field.
//   operation()           none: LLDP is a periodic announcement, not an operation.
//   anomaly()             the names of lldp_wire.h.
// rejected() stays false: the session is shared by every LLDP sender, one bad frame proves nothing.
#pragma once

#include <cstddef>
#include <unordered_set>

#include "dissectors/dissector.h"
#include "dissectors/lldp/lldp_wire.h"

namespace ots::lldp {

constexpr size_t kMaxSenders = 4096;

class LldpSession final : public DissectorSession {
 public:
  explicit LldpSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return false; }

 private:
  void report_identity(const FlowContext& ctx, const Lldpdu& pdu);

  EventSink& sink_;
  std::unordered_set<MacAddr> confirmed_senders_;
};

}  // namespace ots::lldp
