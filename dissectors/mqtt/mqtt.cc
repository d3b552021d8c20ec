// Registration of the MQTT dissector (TCP 1883).
#include "dissectors/mqtt/mqtt_parser.h"
#include "dissectors/mqtt/mqtt_session.h"

namespace ots {
namespace {

constexpr uint16_t kMqttPorts[] = {1883};

// A CONNECT with a known protocol name / level, a CONNACK, or a PUBLISH / SUBSCRIBE with a
// printable topic: enough structure that other protocols' first bytes do not pass.
ProbeResult probe_mqtt(Direction, Bytes payload) { return mqtt::probe(payload); }

std::unique_ptr<DissectorSession> make_mqtt_session(EventSink& sink) {
  return std::make_unique<mqtt::MqttSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_mqtt{
    .name = "mqtt",
    .transports = transport_bit::Tcp,
    .ports = kMqttPorts,
    .ethertypes = {},
    .probe = probe_mqtt,
    .make_session = make_mqtt_session,
};

}  // namespace ots
