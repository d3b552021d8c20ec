// The JSON shape of the inventory, shared by the REST API and the CLI's --json output.
// Field names are camelCase, close to Defender for IoT's device API; the contract is
// web/schema/api.schema.json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "inventory/model.h"
#include "store/database.h"

namespace ots {

// "2024-01-02T03:04:05.123456789Z": UTC, always nine fractional digits.
std::string iso8601_utc(int64_t ns_since_epoch);

// purdueLevel is null when unknown; facts and protocols keep their provenance.
nlohmann::json device_to_json(const Device& device);
nlohmann::json connection_to_json(const ConnectionObservation& connection);
nlohmann::json run_to_json(const RunRecord& run);  // endedAt is null while the run is going

}  // namespace ots
