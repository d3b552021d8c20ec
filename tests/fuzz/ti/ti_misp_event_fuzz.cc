// MISP event files.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/ti/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ots::detect::ti::import_misp_event(std::string_view(reinterpret_cast<const char*>(data), size), {});
  } catch (const ots::detect::ti::TiError&) {
  }
  return 0;
}
