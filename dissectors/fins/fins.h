// Registration of the Omron FINS dissector (UDP and TCP 9600).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_fins;

}  // namespace ots
