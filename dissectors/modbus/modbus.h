// Registration of the Modbus/TCP dissector (TCP port 502, Schneider UMAS included).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_modbus;

}  // namespace ots
