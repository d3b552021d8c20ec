// Fuzzes the console's PUT /api/v1/settings/export body: JSON from the client, then the
// forwarding targets' checks. Bad input must end in std::invalid_argument (a 400), never a
// crash; a body that passes must map every target onto a forwarder configuration.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "web/settings_routes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;
  try {
    const auto targets = ots::parse_export_settings(body);
    if (targets.size() > ots::detect::kMaxForwardTargets) std::abort();
    for (size_t i = 0; i < targets.size(); ++i) ots::detect::forward_target_config(targets[i], i + 1);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
