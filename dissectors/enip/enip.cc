#include "dissectors/enip/enip.h"

#include "dissectors/enip/enip_parser.h"
#include "dissectors/enip/enip_session.h"

namespace ots {
namespace {

constexpr uint16_t kEnipPorts[] = {44818, 2222};

// A plausible encapsulation header, or a whole I/O datagram (which nDPI takes for "SkypeCall").
ProbeResult probe_enip(Direction, Bytes payload) { return enip::probe(payload); }

std::unique_ptr<DissectorSession> make_enip_session(EventSink& sink) {
  return std::make_unique<enip::EnipSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_enip{
    .name = "enip",
    .transports = transport_bit::Tcp | transport_bit::Udp,
    .ports = kEnipPorts,
    .ethertypes = {},
    .probe = probe_enip,
    .make_session = make_enip_session,
};

}  // namespace ots
