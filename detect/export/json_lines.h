// Alerts as JSON: one object per alert (the same shape the CLI's --json prints), one line each
// for JSON-lines export.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "detect/alert_model.h"

namespace ots::detect {

// {"id", "engine", "severity", "definitionId", "title", "message", "sourceIp", "destinationIp",
//  "sourceMac", "destinationMac", "protocol", "attackTechniques", "group", "activity",
//  "firstSeen", "lastSeen" (ISO 8601 UTC), "firstSeenNs", "lastSeenNs", "count", "state",
//  "evidenceFrames"}; absent addresses are null.
nlohmann::json alert_to_json(const Alert& alert);
std::string alert_json_line(const Alert& alert);  // compact, no newline
std::string iso8601(int64_t ts_ns);               // "2024-05-01T12:00:00.123456789Z"

}  // namespace ots::detect
