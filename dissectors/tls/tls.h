// Registration of the TLS dissector (any TCP port; 443, 8443, 8883 MQTT over TLS, 5061 SIP over TLS …).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_tls;

}  // namespace ots
