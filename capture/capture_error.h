// The one exception type packet sources throw when they cannot be opened.
// Its message is a single line that names the file, interface or port.
#pragma once

#include <stdexcept>

namespace ots {

class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ots
