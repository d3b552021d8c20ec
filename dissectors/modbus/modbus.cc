#include "dissectors/modbus/modbus.h"

#include "dissectors/modbus/modbus_parser.h"
#include "dissectors/modbus/modbus_session.h"

namespace ots {
namespace {

constexpr uint16_t kModbusPorts[] = {502};

// A whole MBAP header with protocol id 0, a sane length and a known function code.
ProbeResult probe_modbus(Direction dir, Bytes payload) { return modbus::probe_header(dir, payload); }

std::unique_ptr<DissectorSession> make_modbus_session(EventSink& sink) {
  return std::make_unique<modbus::ModbusSession>(sink);
}

}  // namespace

const DissectorDescriptor kDissector_modbus{
    .name = "modbus",
    .transports = transport_bit::Tcp,
    .ports = kModbusPorts,
    .ethertypes = {},
    .probe = probe_modbus,
    .make_session = make_modbus_session,
};

}  // namespace ots
