// Registration of the EtherNet/IP + CIP dissector: explicit messaging on TCP/UDP 44818
// (encapsulation, CIP, PCCC) and cyclic class 0/1 I/O on UDP 2222.
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_enip;

}  // namespace ots
