// Per-flow MQTT session (TCP; 8883 is MQTT over TLS and not seen here).
//
// Framing: packets are cut by their fixed header; at most one partial packet of
// kMaxParsedPacket bytes is buffered per direction, and a larger packet is parsed from that
// prefix while the rest of its body is skipped without buffering. MQTT has no resynchronisable
// marker, so after a gap or an invalid fixed header that direction is abandoned (the other
// continues); the session is rejected when both are, or after kMaxConsecutiveViolations
// anomalies in a row.
//
// The protocol level comes from CONNECT (MQTT 5 bodies carry properties); before a CONNECT
// is seen 3.1.1 is assumed.
//
// Events:
//   operation()  every packet, from the side that sent it: code = packet type, name from the
//                packet table ("Connect with username" when the username flag is set — the
//                name itself and the password are never kept), is_request for CONNECT /
//                PUBLISH / PUBREL / SUBSCRIBE / UNSUBSCRIBE / PINGREQ / DISCONNECT / AUTH,
//                is_write for PUBLISH, is_error for a refused CONNACK, a SUBACK / UNSUBACK with
//                a failure code and MQTT 5 reason codes >= 0x80; object = PUBLISH topic, CONNECT
//                will topic; SUBSCRIBE / UNSUBSCRIBE give one operation per topic filter
//                (object = filter).
//   identity()   CONNECT: Description "client id <id>" on the client; on confirmation Role
//                "MQTT client" / "MQTT broker" (the server side).
//   anomaly()    the names of mqtt_parser.h.
//   protocol_confirmed() once: after a valid packet in each direction, or after
//                kConfirmAfterValidPackets valid packets in one direction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/mqtt/mqtt_parser.h"

namespace ots {
extern const DissectorDescriptor kDissector_mqtt;
}

namespace ots::mqtt {

constexpr uint32_t kMaxConsecutiveViolations = 4;
constexpr uint32_t kConfirmAfterValidPackets = 3;

class MqttSession final : public DissectorSession {
 public:
  explicit MqttSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  struct Stream {
    std::vector<uint8_t> buffer;  // a partial packet; allocated only when one spans segments
    uint32_t skip = 0;            // body bytes of an oversized packet still to pass over
    bool lost = false;            // framing lost (gap, bad header): ignore this direction
    uint32_t valid_packets = 0;
  };

  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  void handle_packet(const FlowContext& ctx, Direction dir, const FixedHeader& header, Bytes body,
                     bool complete);
  void emit(const FlowContext& ctx, Direction dir, const Packet& packet);
  void valid_packet(const FlowContext& ctx, Direction dir, std::string_view event);
  void lose(Direction dir);
  void violation(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  uint8_t level_ = kLevel311;
  uint32_t consecutive_violations_ = 0;
  std::string client_id_;  // "client id <id>", the identity value of the last CONNECT
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::mqtt
