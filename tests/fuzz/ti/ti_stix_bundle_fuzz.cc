// STIX bundles: object handling around the patterns (versions, validity, confidence, refs).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/ti/stix.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ots::detect::ti::import_stix_bundle(std::string_view(reinterpret_cast<const char*>(data), size), 30);
  } catch (const ots::detect::ti::TiError&) {
  }
  return 0;
}
