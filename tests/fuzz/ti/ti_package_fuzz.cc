// Signed package parsing and verification: header, base64 signature, then (when the bytes are
// signed by the fixed test key) the strict JSON payload. A fuzzer cannot forge signatures, so
// the payload parser is also driven directly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/ti/indicator_set.h"
#include "detect/ti/package_signing.h"

namespace {

const ots::detect::ti::TrustedKeys& keys() {
  static const ots::detect::ti::TrustedKeys trusted = [] {
    ots::detect::ti::TrustedKeys k;
    k.add_pem(
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAq7L1/2F8syUzCIpT+FzpoOFYHgXLOblGAWXfBeFUVJs=\n-----END PUBLIC KEY-----\n");
    return k;
  }();
  return trusted;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    ots::detect::ti::read_signed_package(text, keys());
  } catch (const ots::detect::ti::TiError&) {
  }
  try {
    auto package = ots::detect::ti::package_from_json(text);
    auto set = ots::detect::ti::IndicatorSet::build(package.definitions);
    for (const auto& d : set->definitions())
      for (const auto& i : d.indicators) set->match_value(i.type, i.value, 0);
    (void)ots::detect::ti::package_to_json(package);
  } catch (const ots::detect::ti::TiError&) {
  }
  (void)ots::detect::ti::base64_decode(text);
  return 0;
}
