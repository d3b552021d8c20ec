// The schema as an ordered list of migrations: entry i takes the database from
// version i to version i + 1. Append only; never edit a migration that shipped.
#pragma once

#include <span>
#include <string_view>

namespace ots {

std::span<const std::string_view> schema_migrations();

}  // namespace ots
