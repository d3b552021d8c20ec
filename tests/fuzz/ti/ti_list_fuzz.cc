// Plain lists and CSV (header detection, quoting, type inference), and format recognition.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/ti/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ots::detect::ti::detect_text_format(text);
  try {
    ots::detect::ti::import_list(text, {});
  } catch (const ots::detect::ti::TiError&) {
  }
  return 0;
}
