// The built-in OT behaviour pack: alert definitions whose `behaviours` entries enable the
// state machines of worker_detector.cc. Its source is detect/pack/behaviour_pack.json (the
// lead signs it into a TI package); this reads that JSON form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "detect/alert_model.h"

namespace ots::detect {

struct PackProblem {
  std::string definition_id;  // "" when the problem is not about one definition
  std::string reason;
};

struct BehaviourPack {
  std::string version;
  std::vector<AlertDefinition> definitions;
  // Definitions that could not be used (missing id/title, bad severity or engine …), each with
  // its reason. They are left out of `definitions`, never silently.
  std::vector<PackProblem> problems;
};

// Parses the pack's JSON form:
//   {"format": "otsensor-behaviour-pack", "version": "1.0.0", "definitions": [
//     {"id": "OTS-BHV-…", "title": …, "attack_name": …, "severity": "Critical", "engine": "malware",
//      "description": …, "remediation": …, "attack_techniques": ["T0855"], "group": …,
//      "behaviours": ["industroyer2 window_s=120 threshold=8"]}, …]}
// Throws std::invalid_argument with the reason when the document as a whole is unusable
// (not JSON, wrong format tag, no definitions array).
BehaviourPack parse_behaviour_pack(std::string_view json_text);
BehaviourPack load_behaviour_pack(const std::string& path);  // reads the file, then parses

}  // namespace ots::detect
