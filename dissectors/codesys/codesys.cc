// Registration of the CODESYS V3 dissector: TCP 11740 / 1217, UDP 1740–1743.
#include "dissectors/codesys/codesys_parser.h"
#include "dissectors/codesys/codesys_session.h"

namespace ots {
namespace {

constexpr uint16_t kCodesysPorts[] = {11740, 1217, 1740, 1741, 1742, 1743};

// The block-driver magic 00 01 17 E8 with a sane length followed by a datagram header, or (UDP)
// a 0xC5 datagram header of three words with a known service.
ProbeResult probe_codesys(Direction, Bytes payload) { return codesys::probe(payload); }

std::unique_ptr<DissectorSession> make_codesys_session(EventSink& sink) {
  return std::make_unique<codesys::CodesysSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_codesys{
    .name = "codesys",
    .transports = transport_bit::Tcp | transport_bit::Udp,
    .ports = kCodesysPorts,
    .ethertypes = {},
    .probe = probe_codesys,
    .make_session = make_codesys_session,
};

}  // namespace ots
