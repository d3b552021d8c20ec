// The console's device list: filter, full-text search and sort over an in-memory snapshot
// of the inventory (rebuilt when the database changes), so a page of a 20,000-device
// inventory is answered in a few milliseconds. Parsing of the query string is pure and
// fuzzed (tests/fuzz/web/).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "inventory/model.h"
#include "store/database.h"
#include "web/auth/console_store.h"

namespace ots {

struct DeviceQuery {
  std::string search;    // case-insensitive substring over addresses, names, vendor, type and every fact
  std::string type;      // exact (case-insensitive) device type
  std::string vendor;    // substring
  std::string protocol;  // the device speaks it (either role)
  std::optional<int> purdue_level;
  std::optional<bool> authorized;
  std::optional<bool> programming_device;
  std::optional<bool> scanner;
  std::string sort = "id";  // one of device_sort_keys()
  bool descending = false;
  Page page;
};

// Sort keys the API accepts.
const std::vector<std::string>& device_sort_keys();

// Parses the query parameters of GET /api/v1/devices; `error` says what is wrong.
std::optional<DeviceQuery> parse_device_query(const std::multimap<std::string, std::string>& params,
                                              std::string& error);

// A device as the console shows it: the sensor's record plus the operator's annotation.
struct DeviceRow {
  Device device;
  std::optional<console::DeviceAnnotation> annotation;
  // Derived once per snapshot.
  std::string display_name;  // annotation name, else hostname fact, else first IP, else MAC
  std::string model;         // productName fact
  std::string firmware;      // firmwareVersion fact
  std::string effective_type;
  int effective_purdue = -1;
  std::string search_text;   // lower-case concatenation of everything searchable
};

class DeviceIndex {
 public:
  DeviceIndex(std::vector<Device> devices, std::vector<console::DeviceAnnotation> annotations);

  struct Result {
    int64_t total = 0;  // matching devices
    std::vector<const DeviceRow*> rows;  // the requested page, sorted
  };
  Result query(const DeviceQuery& query) const;
  const DeviceRow* find(int64_t id) const;
  size_t size() const { return rows_.size(); }
  const std::vector<DeviceRow>& rows() const { return rows_; }

 private:
  std::vector<DeviceRow> rows_;
};

// Summary counts for the overview page: by type, vendor, Purdue level and protocol.
nlohmann::json device_overview(const DeviceIndex& index);
// The JSON of one row: device_to_json() plus displayName, annotation fields and derived ones.
nlohmann::json device_row_to_json(const DeviceRow& row);

}  // namespace ots
