#include "dissectors/tls/tls.h"

#include "dissectors/tls/tls_parser.h"
#include "dissectors/tls/tls_session.h"

namespace ots {
namespace {

// Hints only: the probe recognises a ClientHello / ServerHello on any port.
// 4840 (OPC UA over TCP) is the opcua dissector's.
constexpr uint16_t kTlsPorts[] = {443, 465, 636, 853, 993, 995, 5061, 8443, 8883};

std::unique_ptr<DissectorSession> make_tls_session(EventSink& sink) { return std::make_unique<tls::TlsSession>(sink); }

}  // namespace

const DissectorDescriptor kDissector_tls{
    .name = "tls",
    .transports = transport_bit::Tcp,
    .ports = kTlsPorts,
    .ethertypes = {},
    .probe = tls::probe,
    .make_session = make_tls_session,
};

}  // namespace ots
