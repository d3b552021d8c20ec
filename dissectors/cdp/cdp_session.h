// CDP session: one per worker thread, fed every CDP frame of every sender (L2
// frames have no flows). Each frame is one announcement about its sender.
//
// Events (all about the frame's sender, Side::Client):
//   protocol_confirmed()  once per sender MAC after its first PDU that parses with a valid checksum
//                         (the set of confirmed MACs is capped at kMaxSenders and forgotten when full:
//                         a repeated confirmation is harmless).
//   identity()            per PDU that parses (a bad checksum is reported but the PDU still counts: the
//                         bytes were read from the wire intact as far as the decoder can tell):
//                         Vendor "Cisco"; Device ID → Hostname; Platform → ProductName ("cisco
//                         WS-C2950-12"); Software Version → OperatingSystem (its line that names the
//                         "Version", else its first line) and FirmwareVersion (the token after
//                         "Version "); capabilities → DeviceType ("Switch" when switching or
//                         transparent bridging — layer-3 switches also set Router —, else "Router",
//                         "IP phone", "Host"). Addresses, port, VLAN, duplex and VTP domain are parsed
//                         (cdp_wire.h) but have no identity field.
//   operation()           none: CDP is a periodic announcement, not an operation.
//   anomaly()             the names of cdp_wire.h.
// rejected() stays false: the session is shared by every CDP sender, one bad frame proves nothing.
#pragma once

#include <cstddef>
#include <unordered_set>

#include "dissectors/cdp/cdp_wire.h"
#include "dissectors/dissector.h"

namespace ots::cdp {

constexpr size_t kMaxSenders = 4096;

class CdpSession final : public DissectorSession {
 public:
  explicit CdpSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return false; }

 private:
  void report_identity(const FlowContext& ctx, const CdpPdu& pdu);

  EventSink& sink_;
  std::unordered_set<MacAddr> confirmed_senders_;
};

// The line of a CDP software version text that names the version (else its first non-empty line),
// without surrounding whitespace.
std::string_view software_line(std::string_view software_version);
// The version token of that line: "12.1(22)EA14" from "…, Version 12.1(22)EA14, RELEASE …"; "" if none.
std::string_view version_token(std::string_view line);

}  // namespace ots::cdp
