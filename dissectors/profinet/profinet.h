// Registration of the PROFINET RT dissector (EtherType 0x8892): DCP, alarms and
// cyclic real-time frames by FrameID.
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_profinet;

}  // namespace ots
