// Registration of the SSH dissector (TCP 22 as a hint; the probe looks for "SSH-").
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_ssh;

}  // namespace ots
