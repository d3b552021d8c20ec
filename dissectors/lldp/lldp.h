// Registration of the LLDP dissector (IEEE 802.1AB, EtherType 0x88CC).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_lldp;

}  // namespace ots
