#include "dissectors/lldp/lldp.h"

#include "dissectors/lldp/lldp_session.h"
#include "dissectors/lldp/lldp_wire.h"

namespace ots {
namespace {

constexpr uint16_t kLldpEthertypes[] = {lldp::kEthertype};

ProbeResult probe_lldp(Direction, Bytes payload) { return lldp::probe(payload); }

std::unique_ptr<DissectorSession> make_lldp_session(EventSink& sink) {
  return std::make_unique<lldp::LldpSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_lldp{
    .name = "lldp",
    .transports = transport_bit::Ethernet,
    .ports = {},
    .ethertypes = kLldpEthertypes,
    .probe = probe_lldp,
    .make_session = make_lldp_session,
};

}  // namespace ots
