// The console's event timeline (GET /api/v1/events), after Defender for IoT's: alerts raised,
// console user operations (the audit log, so admins only) and device discoveries, merged newest
// first. Each source is read in time order straight from SQLite and merged as it streams, so a
// page costs its offset plus its limit in rows, never a whole table in memory.
#pragma once

#include "web/console_routes.h"

namespace ots {

void install_event_routes(ConsoleRoutes& routes);

}  // namespace ots
