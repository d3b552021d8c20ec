#include "dissectors/fins/fins.h"

#include "dissectors/fins/fins_parser.h"
#include "dissectors/fins/fins_session.h"

namespace ots {
namespace {

constexpr uint16_t kFinsPorts[] = {9600};

// FINS/TCP: "FINS", a bounded length and a known command; FINS/UDP: a valid ICF / RSV / GCT and a
// known command code.
ProbeResult probe_fins(Direction, Bytes payload) { return fins::probe(payload); }

std::unique_ptr<DissectorSession> make_fins_session(EventSink& sink) {
  return std::make_unique<fins::FinsSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_fins{
    .name = "fins",
    .transports = transport_bit::Tcp | transport_bit::Udp,
    .ports = kFinsPorts,
    .ethertypes = {},
    .probe = probe_fins,
    .make_session = make_fins_session,
};

}  // namespace ots
