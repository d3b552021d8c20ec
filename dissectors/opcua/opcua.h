// Registration of the OPC UA binary (opc.tcp) dissector (TCP 4840, 4843).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_opcua;

}  // namespace ots
