// Rules files: line splitting, continuations and option extraction (sid, msg, priority).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/ti/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::detect::ti::import_rules(std::string_view(reinterpret_cast<const char*>(data), size), {});
  return 0;
}
