// Registration of the Beckhoff ADS dissector: AMS/TCP on TCP 48898, discovery / routes on UDP 48899.
#include "dissectors/ads/ads_parser.h"
#include "dissectors/ads/ads_session.h"

namespace ots {
namespace {

constexpr uint16_t kAdsPorts[] = {48898, 48899};

// AMS/TCP with a zero reserved field, a consistent AMS data length, the ADS-command flag and
// a known command id; or the discovery magic 03 66 14 71 with well-formed tags.
ProbeResult probe_ads(Direction, Bytes payload) { return ads::probe(payload); }

std::unique_ptr<DissectorSession> make_ads_session(EventSink& sink) { return std::make_unique<ads::AdsSession>(sink); }

}  // namespace

const DissectorDescriptor kDissector_ads{
    .name = "ads",
    .transports = transport_bit::Tcp | transport_bit::Udp,
    .ports = kAdsPorts,
    .ethertypes = {},
    .probe = probe_ads,
    .make_session = make_ads_session,
};

}  // namespace ots
