// The console's detection API: alerts (list, detail, state changes, comments, evidence pcap,
// summary), threat-intelligence packages (upload, list, enable/disable, roll back, remove) and
// baseline learning control. Each request opens the module stores on the sensor's database.
#pragma once

#include "web/console_routes.h"

namespace ots {

void install_detection_routes(ConsoleRoutes& routes);

}  // namespace ots
