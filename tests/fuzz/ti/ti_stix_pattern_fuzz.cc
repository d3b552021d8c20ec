// STIX pattern parsing and reduction to indicators.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/ti/stix.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ots::detect::ti::stix_pattern_to_indicators(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const ots::detect::ti::TiError&) {
  }
  return 0;
}
