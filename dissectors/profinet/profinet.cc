#include "dissectors/profinet/profinet.h"

#include "dissectors/profinet/profinet_session.h"
#include "dissectors/profinet/profinet_wire.h"

namespace ots {
namespace {

constexpr uint16_t kProfinetEthertypes[] = {profinet::kEthertype};

ProbeResult probe_profinet(Direction, Bytes payload) { return profinet::probe(payload); }

std::unique_ptr<DissectorSession> make_profinet_session(EventSink& sink) {
  return std::make_unique<profinet::ProfinetSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_profinet{
    .name = "profinet",
    .transports = transport_bit::Ethernet,
    .ports = {},
    .ethertypes = kProfinetEthertypes,
    .probe = probe_profinet,
    .make_session = make_profinet_session,
};

}  // namespace ots
