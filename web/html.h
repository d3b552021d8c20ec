// The one server-rendered page: a table of devices. No scripts, no external resources;
// every value is HTML-escaped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/model.h"
#include "store/database.h"

namespace ots {

// `page` is the slice shown, `total` the number of devices, for the previous/next links.
std::string render_devices_page(const std::vector<Device>& devices, int64_t total, Page page);

// The stylesheet the page links to (served at /static/style.css, allowed by the CSP).
std::string_view devices_page_stylesheet();

}  // namespace ots
