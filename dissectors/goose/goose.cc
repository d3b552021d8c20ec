#include "dissectors/goose/goose.h"

#include "dissectors/goose/goose_session.h"
#include "dissectors/goose/goose_wire.h"

namespace ots {
namespace {

constexpr uint16_t kGooseEthertypes[] = {goose::kEthertype};

ProbeResult probe_goose(Direction, Bytes payload) { return goose::probe(payload); }

std::unique_ptr<DissectorSession> make_goose_session(EventSink& sink) {
  return std::make_unique<goose::GooseSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_goose{
    .name = "goose",
    .transports = transport_bit::Ethernet,
    .ports = {},
    .ethertypes = kGooseEthertypes,
    .probe = probe_goose,
    .make_session = make_goose_session,
};

}  // namespace ots
