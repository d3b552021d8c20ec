// Registration of the HTTP/1.x dissector (any TCP port by probe; 80, 8080, 8000, 8081 as hints).
#pragma once

#include "dissectors/dissector.h"

namespace ots {

extern const DissectorDescriptor kDissector_http;

}  // namespace ots
