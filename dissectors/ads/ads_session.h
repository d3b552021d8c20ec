// Per-flow Beckhoff ADS session: AMS/TCP on TCP 48898 (frames cut by the AMS/TCP length; at
// most one partial frame of kMaxBufferedFrame bytes buffered per direction, a larger frame is
// parsed from that prefix and the rest skipped; after a gap or an invalid header the direction
// hunts for the next valid header, every kMaxBufferedFrame bytes skipped counting as one
// violation) and the discovery / route service on UDP 48899 (one message per datagram). The
// transport comes from FlowContext::transport (17 = UDP).
//
// Events:
//   operation()  every AMS packet, from the side that sent it: code = ADS command id, name from
//                the command table, is_request from the state flags, is_write for Write, Write
//                Control and the sum-write Read Writes (also on the response), is_error = AMS error
//                code or ADS result non-zero, unit = index group, address = index offset,
//                quantity = length (Read / Write / Read Write / Add Notification), object = the
//                variable name of a "symbol handle by name" Read Write.
//                Discovery: code = service (1 "Discover", 6 "Add Route", is_write), is_error =
//                non-zero route status.
//   identity()   Description "AMS NetId a.b.c.d.e.f" for each side (source NetId of what it sent);
//                server: ProductName / FirmwareVersion from Read Device Info, CpuState from the
//                ADS state of Read State (when it changes); discovery responder: Hostname,
//                Software "TwinCAT x.y.z", OperatingSystem, Vendor "Beckhoff"; route requester:
//                Hostname (a host name, not an address). User names and passwords are not kept.
//                event: the message that carried it ("ADS Read Device Info reply", "ADS Discover reply" …).
//   anomaly()    the names of ads_parser.h.
//   protocol_confirmed() once: after a valid request and a valid response, or after
//                kConfirmAfterValidFrames valid frames.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/ads/ads_parser.h"
#include "dissectors/dissector.h"

namespace ots {
extern const DissectorDescriptor kDissector_ads;
}

namespace ots::ads {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterValidFrames = 3;

class AdsSession final : public DissectorSession {
 public:
  explicit AdsSession(EventSink& sink) : sink_(sink) {}

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
  void handle_ams(const FlowContext& ctx, Direction dir, Bytes packet, bool complete);
  void handle_discovery(const FlowContext& ctx, Direction dir, Bytes datagram);
  // `event`: the message that carried the fact (static text, e.g. "ADS Read Device Info reply").
  void report_net_id(const FlowContext& ctx, Side side, const uint8_t (&net_id)[6], std::string_view event);
  void report(const FlowContext& ctx, Side side, IdentityField field, std::string& storage, std::string value,
              std::string_view event);
  void valid_frame(const FlowContext& ctx, bool request);
  void violation(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  std::array<std::array<uint8_t, 6>, 2> net_id_bytes_{};  // the NetId last reported per side
  std::array<std::string, 2> net_ids_;                    // and its description
  std::string version_, software_, os_;
  uint16_t last_state_ = 0xFFFF;
  uint32_t consecutive_violations_ = 0;
  uint32_t valid_frames_ = 0;
  bool seen_request_ = false, seen_response_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::ads
