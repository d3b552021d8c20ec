// Registration of the MELSEC dissector: MC protocol on TCP/UDP 5000–5010, the MELSOFT
// engineering framing on TCP 5001 / 5007 / 5562 and UDP 5560 / 5562.
#include "dissectors/melsec/melsec_parser.h"
#include "dissectors/melsec/melsec_session.h"

namespace ots {
namespace {

constexpr uint16_t kMelsecPorts[] = {5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010, 5560, 5562};

// An MC 3E / 4E header with a sane length and a known command (requests), or the MELSOFT
// marker bytes; MELSOFT discovery only as its exact 4-byte request.
ProbeResult probe_melsec(Direction, Bytes payload) { return melsec::probe(payload); }

std::unique_ptr<DissectorSession> make_melsec_session(EventSink& sink) {
  return std::make_unique<melsec::MelsecSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_melsec{
    .name = "melsec",
    .transports = transport_bit::Tcp | transport_bit::Udp,
    .ports = kMelsecPorts,
    .ethertypes = {},
    .probe = probe_melsec,
    .make_session = make_melsec_session,
};

}  // namespace ots
