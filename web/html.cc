#include "web/html.h"

#include <algorithm>

#include "web/http_params.h"
#include "web/json.h"

namespace ots {

namespace {

template <typename T, typename Format>
std::string join(const std::vector<T>& values, Format format) {
  std::string out;
  for (const T& v : values) {
    if (!out.empty()) out += ", ";
    out += format(v);
  }
  return out;
}

void cell(std::string& html, std::string_view text) {
  html += "<td>";
  html += html_escape(text);
  html += "</td>";
}

std::string page_link(Page page, std::string_view label) {
  return "<a href=\"/?offset=" + std::to_string(page.offset) + "&amp;limit=" + std::to_string(page.limit) +
         "\">" + std::string(label) + "</a>";
}

}  // namespace

std::string render_devices_page(const std::vector<Device>& devices, int64_t total, Page page) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>otsensor devices</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body>\n"
      "<h1>Devices</h1>\n";
  html += "<p>" + std::to_string(total) + " devices";
  if (!devices.empty()) {
    html += ", showing " + std::to_string(page.offset + 1) + "–" +
            std::to_string(page.offset + static_cast<int64_t>(devices.size()));
  }
  html += ".</p>\n<table>\n<thead><tr><th>ID</th><th>MAC</th><th>IP addresses</th><th>VLANs</th><th>Vendor</th>"
          "<th>Type</th><th>Router</th><th>First seen</th><th>Last seen</th><th>Packets sent</th><th>Packets received</th>"
          "</tr></thead>\n<tbody>\n";
  for (const Device& d : devices) {
    html += "<tr>";
    cell(html, std::to_string(d.id));
    cell(html, d.mac ? d.mac->str() : "");
    cell(html, join(d.ips, [](const IpAddr& ip) { return ip.str(); }));
    cell(html, join(d.vlans, [](uint16_t vlan) { return vlan == 0 ? std::string("untagged") : std::to_string(vlan); }));
    cell(html, d.vendor);
    cell(html, d.type);
    cell(html, d.is_router ? "yes" : "");
    cell(html, iso8601_utc(d.traffic.first_seen_ns));
    cell(html, iso8601_utc(d.traffic.last_seen_ns));
    cell(html, std::to_string(d.traffic.packets_sent));
    cell(html, std::to_string(d.traffic.packets_received));
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n<nav>";
  if (page.offset > 0) {
    html += page_link({std::max<int64_t>(0, page.offset - page.limit), page.limit}, "previous");
  }
  if (page.offset + page.limit < total) {
    if (page.offset > 0) html += " ";
    html += page_link({page.offset + page.limit, page.limit}, "next");
  }
  html += "</nav>\n<p>JSON: <a href=\"/api/v1/devices\">/api/v1/devices</a>, "
          "<a href=\"/api/v1/connections\">/api/v1/connections</a>, <a href=\"/api/v1/stats\">/api/v1/stats</a></p>\n"
          "</body>\n</html>\n";
  return html;
}

std::string_view devices_page_stylesheet() {
  return "body { font-family: sans-serif; margin: 1.5em; }\n"
         "table { border-collapse: collapse; font-size: 0.9em; }\n"
         "th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }\n"
         "thead { background: #eee; }\n"
         "nav { margin-top: 1em; }\n";
}

}  // namespace ots
