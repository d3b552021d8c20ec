// The console's settings that the sensor reads at start: GET/PUT /api/v1/settings/export, the
// alert forwarding (syslog) targets `otsensor replay` and `capture` send alerts to beside any
// --forward-alerts. Admins only; each change is audited.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "detect/export/forward_targets.h"
#include "web/console_routes.h"

namespace ots {

void install_settings_routes(ConsoleRoutes& routes);

// The targets of a PUT body {"syslog": [{host, port, transport, format[, ca | pin]}]}, checked;
// throws std::invalid_argument with the reason (naming the bad target) otherwise.
std::vector<detect::ForwardTarget> parse_export_settings(const nlohmann::json& body);

}  // namespace ots
