// Registration of the CDP dissector (Cisco Discovery Protocol over 802.3 LLC/SNAP,
// OUI 00-00-0C, protocol id 0x2000).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_cdp;

}  // namespace ots
