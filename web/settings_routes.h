// The console's settings that the sensor reads at start: GET/PUT /api/v1/settings/export, the
// alert forwarding (syslog) targets `otsensor replay` and `capture` send alerts to beside any
// --forward-alerts. Admins only; each change is audited.
#pragma once

#include "web/console_routes.h"

namespace ots {

void install_settings_routes(ConsoleRoutes& routes);

}  // namespace ots
