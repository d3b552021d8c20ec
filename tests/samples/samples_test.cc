// The identities each generated capture declares (pcaps/*.expected.json: per device, "facts"
// with field / value / protocol and "protocols" with role, written by the scenario in
// pcaps/gen/) are found on that device by `otsensor replay` + `otsensor devices --json`.
// Devices and connections themselves are compared exactly by tests/e2e.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace ots::samples {
namespace {

using e2e::run;
using e2e::shell_quote;
using nlohmann::json;

const std::filesystem::path kPcaps = std::filesystem::path(OTS_SOURCE_DIR) / "pcaps";

// Captures whose expectation declares identities for at least one device.
std::vector<std::string> captures_with_identities() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kPcaps)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".expected.json")) continue;
    const json expected = e2e::read_json_file(entry.path().string());
    for (const auto& d : expected["devices"]) {
      if (d.contains("facts") || d.contains("protocols")) {
        names.push_back(name.substr(0, name.size() - std::string(".expected.json").size()));
        break;
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The inventory device an expected device names: by MAC, or for an IP-only device by its address.
const json* find_device(const json& devices, const json& expected) {
  for (const auto& d : devices) {
    if (expected["mac"].is_string()) {
      for (const auto& m : d["macAddresses"])
        if (m == expected["mac"]) return &d;
    } else if (d["macAddresses"].empty() && d["ipAddresses"] == expected["ips"]) {
      return &d;
    }
  }
  return nullptr;
}

class DeclaredIdentities : public ::testing::TestWithParam<std::string> {};

TEST_P(DeclaredIdentities, EveryFactAndProtocolIsOnItsDevice) {
  const std::string capture = (kPcaps / GetParam()).string();
  const json expected = e2e::read_json_file(capture + ".expected.json");
  e2e::TempDir dir;
  const std::string db = dir.file("samples.db");
  auto replay = run(e2e::otsensor("replay --workers 1 --db " + shell_quote(db) + " " + shell_quote(capture)));
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  const json devices = e2e::json_of(e2e::otsensor("devices --json --db " + shell_quote(db)));
  ASSERT_TRUE(devices.is_array());
  size_t checked = 0;
  for (const auto& want : expected["devices"]) {
    if (!want.contains("facts") && !want.contains("protocols")) continue;
    const json* device = find_device(devices, want);
    ASSERT_NE(device, nullptr) << GetParam() << ": no device " << want.dump();
    for (const auto& fact : want.value("facts", json::array())) {
      bool found = false;
      for (const auto& f : (*device)["facts"])
        found |= f["field"] == fact["field"] && f["value"] == fact["value"] && f["protocol"] == fact["protocol"];
      EXPECT_TRUE(found) << GetParam() << ": " << want["mac"] << " " << want["ips"] << " lacks " << fact.dump()
                         << "\nit has: " << (*device)["facts"].dump();
      ++checked;
    }
    for (const auto& protocol : want.value("protocols", json::array())) {
      bool found = false;
      for (const auto& p : (*device)["protocols"])
        found |= p["protocol"] == protocol["protocol"] && p["role"] == protocol["role"];
      EXPECT_TRUE(found) << GetParam() << ": " << want["mac"] << " " << want["ips"] << " is not "
                         << protocol.dump() << "\nprotocols: " << (*device)["protocols"].dump();
      ++checked;
    }
  }
  EXPECT_GT(checked, 0u);
}

INSTANTIATE_TEST_SUITE_P(Pcaps, DeclaredIdentities, ::testing::ValuesIn(captures_with_identities()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// Captures whose expectation lists the built-in behaviour alerts they must raise ("alerts").
std::vector<std::string> captures_with_alerts() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kPcaps)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".expected.json")) continue;
    if (e2e::read_json_file(entry.path().string()).contains("alerts"))
      names.push_back(name.substr(0, name.size() - std::string(".expected.json").size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BehaviourAlerts : public ::testing::TestWithParam<std::string> {};

// Each attack capture raises exactly its behaviour alerts of the signed built-in pack
// (OTS-BHV-*), and the benign plant none. Other engines (operational: "PLC stop") may add
// their own alerts; those are not the pack's.
TEST_P(BehaviourAlerts, RaisesExactlyTheExpectedBehaviours) {
  const std::string capture = (kPcaps / GetParam()).string();
  const json expected = e2e::read_json_file(capture + ".expected.json");
  e2e::TempDir dir;
  const std::string db = dir.file("alerts.db");
  auto replay = run(e2e::otsensor("replay --workers 1 --db " + shell_quote(db) + " " + shell_quote(capture)));
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  const json alerts = e2e::json_of(e2e::otsensor("alerts --json --db " + shell_quote(db)));
  std::set<std::string> raised, wanted;
  for (const auto& a : alerts["alerts"]) {
    const std::string id = a["definitionId"];
    if (id.starts_with("OTS-BHV-")) raised.insert(id);
  }
  for (const auto& id : expected["alerts"]) wanted.insert(id.get<std::string>());
  EXPECT_EQ(raised, wanted);
}

INSTANTIATE_TEST_SUITE_P(Pcaps, BehaviourAlerts, ::testing::ValuesIn(captures_with_alerts()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace ots::samples
