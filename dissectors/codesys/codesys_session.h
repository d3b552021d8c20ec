// Per-flow CODESYS V3 session: TCP 11740 / 1217 (block-driver frames cut by their length; at
// most one partial frame of kMaxBufferedFrame bytes buffered per direction, a larger frame is
// parsed from that prefix and the rest skipped; after a gap or an invalid header the direction
// hunts for the next block-driver magic, every kMaxBufferedFrame bytes skipped counting as one
// violation) and UDP 1740–1743 (one datagram each). The transport comes from
// FlowContext::transport (17 = UDP).
//
// Events:
//   operation()  services layer (first application block of a channel message): code =
//                service group << 16 | service, name "CmpDevice.Login" … from the service table
//                (the group's name otherwise), is_request unless the group's response bit is
//                set, is_write for application download / online change / start / stop / reset,
//                file writes, variable writes, operating-mode changes (also on the response).
//                Login attempts are CmpDevice.Login (1/2) and CmpApp.Login (2/1).
//                Channel management: code = 0x400000 | channel type ("Open channel", …).
//                Name service: code = sub-command (0xC201 "Address resolve", 0xC202 "Name
//                resolve", 0xC280 "Device info", the last not a request).
//   identity()   from a device-info answer, on the side that sent it: Hostname = node name,
//                ProductName = device name, Vendor = vendor name, FirmwareVersion "a.b.c.d",
//                DeviceType "PLC". event "CODESYS identification reply".
//   anomaly()    the names of codesys_parser.h.
//   protocol_confirmed() once: after a valid request and a valid response, or after
//                kConfirmAfterValidMessages valid messages.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/codesys/codesys_parser.h"
#include "dissectors/dissector.h"

namespace ots {
extern const DissectorDescriptor kDissector_codesys;
}

namespace ots::codesys {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterValidMessages = 3;
constexpr uint32_t kChannelCodeBase = 0x400000;

class CodesysSession final : public DissectorSession {
 public:
  explicit CodesysSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  struct Stream {
    std::vector<uint8_t> buffer;  // a partial frame; allocated only when one spans segments
    size_t skip = 0;
    bool hunting = false;
    size_t hunted_bytes = 0;
  };

  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  void handle_datagram(const FlowContext& ctx, Direction dir, Bytes datagram, bool complete);
  void report_device(const FlowContext& ctx, Side side, const Message& m);
  void valid_message(const FlowContext& ctx, bool request);
  void violation(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  std::string node_, device_, vendor_, firmware_;
  uint32_t consecutive_violations_ = 0;
  uint32_t valid_messages_ = 0;
  bool seen_request_ = false, seen_response_ = false;
  bool device_reported_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::codesys
