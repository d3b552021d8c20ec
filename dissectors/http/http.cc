#include "dissectors/http/http.h"

#include "dissectors/http/http_parser.h"
#include "dissectors/http/http_session.h"

namespace ots {
namespace {

// Hints only: the probe recognises a request line or a status line on any port.
constexpr uint16_t kHttpPorts[] = {80, 8000, 8080, 8081};

std::unique_ptr<DissectorSession> make_http_session(EventSink& sink) {
  return std::make_unique<http::HttpSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_http{
    .name = "http",
    .transports = transport_bit::Tcp,
    .ports = kHttpPorts,
    .ethertypes = {},
    .probe = http::probe,
    .make_session = make_http_session,
};

}  // namespace ots
