// STIX 2.1: patterns reduced to indicators, and indicator objects turned into alert definitions.
//
// A pattern is accepted only when a set of (type, value, role, port) indicators matches exactly
// what it matches: comparisons `=` and `IN`, `ISSUBSET` on address values, `OR` anywhere, `AND`
// inside one network-traffic object (an address ref with a port on the same end). Everything
// else (`!=`, `NOT`, `LIKE`, `MATCHES`, `AND` across objects or observations, `FOLLOWEDBY`,
// qualifiers, unsupported object paths) is rejected with the reason.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "detect/alert_model.h"
#include "detect/ti/ti_model.h"

namespace ots::detect::ti {

// The indicators equivalent to `pattern` (type, canonical value, role, port; other fields at
// their defaults). Throws TiError with the reason when the pattern is malformed or cannot be
// reduced without changing its meaning.
std::vector<Indicator> stix_pattern_to_indicators(std::string_view pattern);

// Adds the indicator objects of `objects` (a bundle's or a TAXII envelope's "objects" array) to
// `package` as one alert definition each; unusable ones go to package.rejected, revoked ones also
// to package.withdrawn_ids. Indicators with a confidence below `min_confidence` are rejected.
void add_stix_objects(const nlohmann::json& objects, int min_confidence, TiPackage& package);

// A STIX bundle file ({"type": "bundle", "objects": […]}). Throws TiError when it is not one.
TiPackage import_stix_bundle(std::string_view text, int min_confidence);

}  // namespace ots::detect::ti
