// Registration of the IEC 60870-5-104 dissector (TCP port 2404).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_iec104;

}  // namespace ots
