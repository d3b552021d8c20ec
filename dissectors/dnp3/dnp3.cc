#include "dissectors/dnp3/dnp3.h"

#include "dissectors/dnp3/dnp3_parser.h"
#include "dissectors/dnp3/dnp3_session.h"

namespace ots {
namespace {

constexpr uint16_t kDnp3Ports[] = {20000};

// A whole link header (0x05 0x64, LEN ≥ 5, defined link function) whose CRC checks: a random
// payload passes with probability about 2^-32, so the probe does not claim other protocols.
ProbeResult probe_dnp3(Direction, Bytes payload) { return dnp3::probe_link_header(payload); }

std::unique_ptr<DissectorSession> make_dnp3_session(EventSink& sink) {
  return std::make_unique<dnp3::Dnp3Session>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_dnp3{
    .name = "dnp3",
    .transports = transport_bit::Tcp | transport_bit::Udp,
    .ports = kDnp3Ports,
    .ethertypes = {},
    .probe = probe_dnp3,
    .make_session = make_dnp3_session,
};

}  // namespace ots
