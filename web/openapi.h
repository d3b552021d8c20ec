// The console's OpenAPI document (web/openapi.json, embedded at build time), served at
// /api/openapi.json. Modules that add routes extend the JSON file.
#pragma once

#include <string_view>

namespace ots {
std::string_view openapi_document();
}
