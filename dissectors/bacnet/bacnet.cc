// The BACnet/IP descriptor: UDP 47808 (0xBAC0) and the 47809–47823 range sites use for further
// BACnet/IP networks as hints, a probe that wants a whole BVLC, and the session factory.
#include "dissectors/bacnet/bacnet_session.h"
#include "dissectors/dissector.h"

namespace ots {
namespace {

constexpr uint16_t kBacnetPorts[] = {47808, 47809, 47810, 47811, 47812, 47813, 47814, 47815,
                                     47816, 47817, 47818, 47819, 47820, 47821, 47822, 47823};

}  // namespace

extern const DissectorDescriptor kDissector_bacnet;
const DissectorDescriptor kDissector_bacnet{
    .name = bacnet::kProtocol,
    .transports = transport_bit::Udp,
    .ports = kBacnetPorts,
    .ethertypes = {},
    .probe = &bacnet::probe,
    .make_session = &bacnet::make_session,
};

}  // namespace ots
