// The behaviour pack reader and the snapshot builder over arbitrary bytes: a bad document throws
// std::invalid_argument, anything else yields definitions and listed problems, never a crash.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "detect/engine/behaviour_pack.h"
#include "detect/engine/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ots::detect;
  try {
    BehaviourPack pack = parse_behaviour_pack(std::string_view(reinterpret_cast<const char*>(data), size));
    std::vector<SnapshotProblem> problems;
    auto snapshot = make_snapshot(std::move(pack.definitions), {}, {}, {}, &problems);
    for (const BehaviourConfig& config : snapshot->behaviours)
      if (config.enabled && config.definition == nullptr) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
