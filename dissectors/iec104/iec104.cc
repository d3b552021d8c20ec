#include "dissectors/iec104/iec104.h"

#include "dissectors/iec104/iec104_parser.h"
#include "dissectors/iec104/iec104_session.h"

namespace ots {
namespace {

constexpr uint16_t kIec104Ports[] = {2404};

// A well-formed APCI (and, for I-format, a known type id and a cause of transmission).
ProbeResult probe_iec104(Direction, Bytes payload) { return iec104::probe_apdu(payload); }

std::unique_ptr<DissectorSession> make_iec104_session(EventSink& sink) {
  return std::make_unique<iec104::Iec104Session>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_iec104{
    .name = "iec104",
    .transports = transport_bit::Tcp,
    .ports = kIec104Ports,
    .ethertypes = {},
    .probe = probe_iec104,
    .make_session = make_iec104_session,
};

}  // namespace ots
