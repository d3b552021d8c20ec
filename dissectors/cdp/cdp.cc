#include "dissectors/cdp/cdp.h"

#include "dissectors/cdp/cdp_session.h"
#include "dissectors/cdp/cdp_wire.h"

namespace ots {
namespace {

// The decoder reports an LLC/SNAP frame with its SNAP protocol id as the ethertype.
constexpr uint16_t kCdpEthertypes[] = {cdp::kSnapProtocolId};

ProbeResult probe_cdp(Direction, Bytes payload) { return cdp::probe(payload); }

std::unique_ptr<DissectorSession> make_cdp_session(EventSink& sink) {
  return std::make_unique<cdp::CdpSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_cdp{
    .name = "cdp",
    .transports = transport_bit::Ethernet,
    .ports = {},
    .ethertypes = kCdpEthertypes,
    .probe = probe_cdp,
    .make_session = make_cdp_session,
};

}  // namespace ots
