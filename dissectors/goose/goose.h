// Registration of the IEC 61850 GOOSE dissector (EtherType 0x88B8).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_goose;

}  // namespace ots
