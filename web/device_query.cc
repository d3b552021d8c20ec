#include "web/device_query.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "web/http_params.h"
#include "web/json.h"

namespace ots {

namespace {

constexpr size_t kMaxSearchLength = 200;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string_view> single(const std::multimap<std::string, std::string>& params, const char* name,
                                       std::string& error) {
  auto [first, last] = params.equal_range(name);
  if (first == last) return std::nullopt;
  if (std::next(first) != last) {
    error = std::string("parameter '") + name + "' given twice";
    return std::nullopt;
  }
  return std::string_view(first->second);
}

const std::string& first_ip_text(const Device& d, std::string& scratch) {
  scratch = d.ips.empty() ? std::string() : d.ips.front().str();
  return scratch;
}

}  // namespace

const std::vector<std::string>& device_sort_keys() {
  static const std::vector<std::string> kKeys = {"id",       "name",     "ip",          "mac",      "vendor",
                                                 "type",     "model",    "firmware",    "purdueLevel",
                                                 "firstSeen", "lastSeen", "packets"};
  return kKeys;
}

std::optional<DeviceQuery> parse_device_query(const std::multimap<std::string, std::string>& params,
                                              std::string& error) {
  static const std::vector<std::string> kKnown = {"offset", "limit",  "q",       "type",       "vendor",
                                                  "protocol", "purdueLevel", "authorized", "programmingDevice",
                                                  "scanner",  "sort",        "order"};
  for (const auto& [name, value] : params) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      error = "unknown parameter '" + name + "'";
      return std::nullopt;
    }
  }
  DeviceQuery q;
  std::string e;
  auto offset = single(params, "offset", e);
  auto limit = single(params, "limit", e);
  if (!e.empty()) return error = e, std::nullopt;
  PageParams page = parse_page_params(offset, limit);
  if (!page.error.empty()) return error = page.error, std::nullopt;
  q.page = page.page;

  auto text_param = [&](const char* name, std::string& out) -> bool {
    auto v = single(params, name, e);
    if (!e.empty()) return false;
    if (v) {
      if (v->size() > kMaxSearchLength) {
        e = std::string("parameter '") + name + "' is too long";
        return false;
      }
      out = std::string(*v);
    }
    return true;
  };
  if (!text_param("q", q.search) || !text_param("type", q.type) || !text_param("vendor", q.vendor) ||
      !text_param("protocol", q.protocol))
    return error = e, std::nullopt;
  q.search = lower(q.search);

  if (auto v = single(params, "purdueLevel", e)) {
    int level = -2;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), level);
    if (ec != std::errc() || end != v->data() + v->size() || level < -1 || level > 5)
      return error = "purdueLevel must be -1 (unknown) or 0..5", std::nullopt;
    q.purdue_level = level;
  }
  if (auto v = single(params, "authorized", e)) {
    if (*v != "true" && *v != "false") return error = "authorized must be true or false", std::nullopt;
    q.authorized = *v == "true";
  }
  for (auto [name, flag] : {std::pair{"programmingDevice", &q.programming_device}, std::pair{"scanner", &q.scanner}})
    if (auto v = single(params, name, e)) {
      if (*v != "true" && *v != "false") return error = std::string(name) + " must be true or false", std::nullopt;
      *flag = *v == "true";
    }
  std::string sort;
  if (!text_param("sort", sort)) return error = e, std::nullopt;
  if (!sort.empty()) {
    const auto& keys = device_sort_keys();
    if (std::find(keys.begin(), keys.end(), sort) == keys.end()) return error = "unknown sort key '" + sort + "'", std::nullopt;
    q.sort = sort;
  }
  if (auto v = single(params, "order", e)) {
    if (*v != "asc" && *v != "desc") return error = "order must be asc or desc", std::nullopt;
    q.descending = *v == "desc";
  }
  if (!e.empty()) return error = e, std::nullopt;
  return q;
}

DeviceIndex::DeviceIndex(std::vector<Device> devices, std::vector<console::DeviceAnnotation> annotations) {
  std::map<int64_t, console::DeviceAnnotation> by_id;
  for (auto& a : annotations) by_id.emplace(a.device_id, std::move(a));
  rows_.reserve(devices.size());
  std::string scratch;
  for (Device& d : devices) {
    DeviceRow row;
    row.device = std::move(d);
    if (auto it = by_id.find(row.device.id); it != by_id.end()) row.annotation = it->second;
    const Device& dev = row.device;
    row.model = dev.fact("productName");
    row.firmware = dev.fact("firmwareVersion");
    row.effective_type = row.annotation && row.annotation->type ? *row.annotation->type : dev.type;
    row.effective_purdue =
        row.annotation && row.annotation->purdue_level ? *row.annotation->purdue_level : dev.purdue_level;
    if (row.annotation && row.annotation->name) {
      row.display_name = *row.annotation->name;
    } else if (std::string host = dev.fact("hostname"); !host.empty()) {
      row.display_name = host;
    } else if (!dev.ips.empty()) {
      row.display_name = first_ip_text(dev, scratch);
    } else if (dev.mac) {
      row.display_name = dev.mac->str();
    }
    std::string text = row.display_name + '\n' + dev.vendor + '\n' + row.effective_type + '\n';
    for (const IpAddr& ip : dev.ips) text += ip.str() + '\n';
    if (dev.mac) text += dev.mac->str() + '\n';
    for (const DeviceFact& f : dev.facts) text += f.value + '\n';
    for (const DeviceProtocol& p : dev.protocols) text += p.protocol + '\n';
    if (row.annotation) {
      if (row.annotation->notes) text += *row.annotation->notes + '\n';
      for (const auto& t : row.annotation->tags) text += t + '\n';
    }
    row.search_text = lower(text);
    rows_.push_back(std::move(row));
  }
  std::sort(rows_.begin(), rows_.end(), [](const DeviceRow& a, const DeviceRow& b) { return a.device.id < b.device.id; });
}

const DeviceRow* DeviceIndex::find(int64_t id) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), id,
                             [](const DeviceRow& r, int64_t value) { return r.device.id < value; });
  return it != rows_.end() && it->device.id == id ? &*it : nullptr;
}

DeviceIndex::Result DeviceIndex::query(const DeviceQuery& q) const {
  const std::string type = lower(q.type), vendor = lower(q.vendor);
  std::vector<const DeviceRow*> matches;
  matches.reserve(rows_.size());
  for (const DeviceRow& row : rows_) {
    if (!q.search.empty() && row.search_text.find(q.search) == std::string::npos) continue;
    if (!type.empty() && lower(row.effective_type) != type) continue;
    if (!vendor.empty() && lower(row.device.vendor).find(vendor) == std::string::npos &&
        lower(row.device.fact("vendor")).find(vendor) == std::string::npos)
      continue;
    if (!q.protocol.empty() &&
        std::none_of(row.device.protocols.begin(), row.device.protocols.end(),
                     [&](const DeviceProtocol& p) { return p.protocol == q.protocol; }))
      continue;
    if (q.purdue_level && row.effective_purdue != *q.purdue_level) continue;
    if (q.authorized) {
      bool authorized = row.annotation && row.annotation->authorized.value_or(false);
      if (authorized != *q.authorized) continue;
    }
    if (q.programming_device && row.device.programming_device != *q.programming_device) continue;
    if (q.scanner && row.device.scanner != *q.scanner) continue;
    matches.push_back(&row);
  }

  // Ties break on id so pages are stable.
  auto by = [&](auto key) {
    return [key, desc = q.descending](const DeviceRow* a, const DeviceRow* b) {
      auto ka = key(*a), kb = key(*b);
      if (ka != kb) return desc ? kb < ka : ka < kb;
      return a->device.id < b->device.id;
    };
  };
  const std::string& s = q.sort;
  if (s == "name") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) { return lower(r.display_name); }));
  } else if (s == "ip") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) {
      return r.device.ips.empty() ? std::array<uint8_t, 16>{0xFF} : r.device.ips.front().bytes;
    }));
  } else if (s == "mac") {
    std::stable_sort(matches.begin(), matches.end(),
                     by([](const DeviceRow& r) { return r.device.mac ? r.device.mac->str() : std::string("~"); }));
  } else if (s == "vendor") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) { return lower(r.device.vendor); }));
  } else if (s == "type") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) { return r.effective_type; }));
  } else if (s == "model") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) { return r.model; }));
  } else if (s == "firmware") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) { return r.firmware; }));
  } else if (s == "purdueLevel") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) { return r.effective_purdue; }));
  } else if (s == "firstSeen") {
    std::stable_sort(matches.begin(), matches.end(),
                     by([](const DeviceRow& r) { return r.device.traffic.first_seen_ns; }));
  } else if (s == "lastSeen") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) { return r.device.traffic.last_seen_ns; }));
  } else if (s == "packets") {
    std::stable_sort(matches.begin(), matches.end(), by([](const DeviceRow& r) {
      return r.device.traffic.packets_sent + r.device.traffic.packets_received;
    }));
  } else if (q.descending) {
    std::reverse(matches.begin(), matches.end());
  }

  Result result;
  result.total = static_cast<int64_t>(matches.size());
  const size_t begin = std::min(matches.size(), static_cast<size_t>(q.page.offset));
  const size_t end = std::min(matches.size(), begin + static_cast<size_t>(q.page.limit));
  result.rows.assign(matches.begin() + static_cast<std::ptrdiff_t>(begin),
                     matches.begin() + static_cast<std::ptrdiff_t>(end));
  return result;
}

nlohmann::json device_row_to_json(const DeviceRow& row) {
  nlohmann::json j = device_to_json(row.device);
  j["displayName"] = row.display_name;
  j["model"] = row.model;
  j["firmware"] = row.firmware;
  j["effectiveType"] = row.effective_type;
  j["effectivePurdueLevel"] = row.effective_purdue < 0 ? nlohmann::json(nullptr) : nlohmann::json(row.effective_purdue);
  nlohmann::json a = nlohmann::json::object();
  if (row.annotation) {
    const auto& an = *row.annotation;
    a["name"] = an.name ? nlohmann::json(*an.name) : nlohmann::json(nullptr);
    a["type"] = an.type ? nlohmann::json(*an.type) : nlohmann::json(nullptr);
    a["purdueLevel"] = an.purdue_level ? nlohmann::json(*an.purdue_level) : nlohmann::json(nullptr);
    a["authorized"] = an.authorized ? nlohmann::json(*an.authorized) : nlohmann::json(nullptr);
    a["notes"] = an.notes ? nlohmann::json(*an.notes) : nlohmann::json(nullptr);
    a["tags"] = an.tags;
    a["updatedAt"] = iso8601_utc(an.updated_at_ns);
    a["updatedBy"] = an.updated_by;
  }
  j["annotation"] = std::move(a);
  return j;
}

nlohmann::json device_overview(const DeviceIndex& index) {
  std::map<std::string, int64_t> by_type, by_vendor, by_purdue, by_protocol;
  for (const DeviceRow& row : index.rows()) {
    ++by_type[row.effective_type.empty() ? "Unknown" : row.effective_type];
    std::string vendor = row.device.fact("vendor");
    if (vendor.empty()) vendor = row.device.vendor;
    ++by_vendor[vendor.empty() ? "Unknown" : vendor];
    ++by_purdue[row.effective_purdue < 0 ? "unknown" : std::to_string(row.effective_purdue)];
    std::vector<std::string> seen;
    for (const DeviceProtocol& p : row.device.protocols) {
      if (std::find(seen.begin(), seen.end(), p.protocol) != seen.end()) continue;
      seen.push_back(p.protocol);
      ++by_protocol[p.protocol];
    }
  }
  auto to_list = [](const std::map<std::string, int64_t>& m) {
    std::vector<std::pair<std::string, int64_t>> v(m.begin(), m.end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, count] : v) out.push_back({{"name", name}, {"count", count}});
    return out;
  };
  return {{"devices", static_cast<int64_t>(index.size())},
          {"byType", to_list(by_type)},
          {"byVendor", to_list(by_vendor)},
          {"byPurdueLevel", to_list(by_purdue)},
          {"byProtocol", to_list(by_protocol)}};
}

}  // namespace ots
