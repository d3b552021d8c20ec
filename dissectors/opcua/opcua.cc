#include "dissectors/opcua/opcua.h"

#include "dissectors/opcua/opcua_parser.h"
#include "dissectors/opcua/opcua_session.h"

namespace ots {
namespace {

constexpr uint16_t kOpcuaPorts[] = {4840, 4843};

// A known message type, a chunk type allowed for it and a plausible chunk size.
ProbeResult probe_opcua(Direction, Bytes payload) { return opcua::probe_header(payload); }

std::unique_ptr<DissectorSession> make_opcua_session(EventSink& sink) {
  return std::make_unique<opcua::OpcuaSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_opcua{
    .name = "opcua",
    .transports = transport_bit::Tcp,
    .ports = kOpcuaPorts,
    .ethertypes = {},
    .probe = probe_opcua,
    .make_session = make_opcua_session,
};

}  // namespace ots
