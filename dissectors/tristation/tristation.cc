// Registration of the Triconex TriStation dissector (UDP 1502).
#include "dissectors/tristation/tristation_parser.h"
#include "dissectors/tristation/tristation_session.h"

namespace ots {
namespace {

constexpr uint16_t kTriStationPorts[] = {1502};

// The datagram size equals the length field + 6, the message type is known and an execution
// command's direction byte is 0 or 1.
ProbeResult probe_tristation(Direction, Bytes payload) { return tristation::probe(payload); }

std::unique_ptr<DissectorSession> make_tristation_session(EventSink& sink) {
  return std::make_unique<tristation::TriStationSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_tristation{
    .name = "tristation",
    .transports = transport_bit::Udp,
    .ports = kTriStationPorts,
    .ethertypes = {},
    .probe = probe_tristation,
    .make_session = make_tristation_session,
};

}  // namespace ots
