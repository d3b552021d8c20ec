// Registration of the DNP3 dissector (IEEE 1815; TCP and UDP port 20000).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_dnp3;

}  // namespace ots
