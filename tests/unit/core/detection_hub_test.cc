// The detection hub on a real database that refuses writes: a failed step is counted and
// named, never thrown into the inventory thread; alerts it could not store are stored at the
// next flush once the database takes them again.
#include "core/detection.h"

#include <gtest/gtest.h>

#include "detect/engine/alert_store.h"
#include "store/sqlite.h"
#include "tests/unit/store/temp_dir.h"

namespace ots {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000'000;

detect::Alert alert(const std::string& id, int64_t ts_ns) {
  detect::Alert a;
  a.engine = detect::EngineKind::Operational;
  a.severity = detect::Severity::Major;
  a.definition_id = id;
  a.title = "Test alert " + id;
  a.message = "raised by the test";
  a.source_ip = IpAddr::v4(0x0A000005u);
  a.destination_ip = IpAddr::v4(0x0A000014u);
  a.protocol = "s7comm";
  a.first_seen_ns = a.last_seen_ns = ts_ns;
  return a;
}

int64_t stored_alerts(const std::string& db) {
  return detect::AlertStore::open(db, SqliteConnection::Mode::ReadOnly)->list({}).total;
}

TEST(DetectionHub, AlertsTheDatabaseRefusesAreKeptAndStoredLater) {
  testing::TempDir dir;
  const std::string db = dir.file("hub.db");
  DetectionHub hub(db, {});
  auto admin = SqliteConnection::open(db, SqliteConnection::Mode::ReadWrite);
  admin->exec("CREATE TRIGGER refuse_alerts BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");

  std::vector<detect::Alert> alerts = {alert("test.one", kT0), alert("test.two", kT0 + 1)};
  EXPECT_NO_THROW(hub.on_flush({}, alerts, {}, kT0, std::nullopt, nullptr));
  EXPECT_TRUE(alerts.empty());  // taken over by the hub
  EXPECT_EQ(stored_alerts(db), 0);
  EXPECT_EQ(hub.alerts_stored(), 0u);
  EXPECT_EQ(hub.alerts_unstored(), 2u);
  DetectionHub::Failures f = hub.failures();
  EXPECT_EQ(f.count, 1u);
  EXPECT_NE(f.last.find("storing alerts"), std::string::npos) << f.last;
  EXPECT_NE(f.last.find("refused by the test"), std::string::npos) << f.last;

  std::vector<detect::Alert> more = {alert("test.three", kT0 + 2), alert("test.one", kT0 + 5)};
  hub.on_flush({}, more, {}, kT0 + 2, std::nullopt, nullptr);  // still refused: all three wait
  EXPECT_EQ(hub.alerts_unstored(), 3u);  // the repeat of test.one folded into the waiting one
  EXPECT_EQ(hub.failures().count, 2u);

  admin->exec("DROP TRIGGER refuse_alerts");
  std::vector<detect::Alert> none;
  hub.on_flush({}, none, {}, kT0 + 3, std::nullopt, nullptr);
  EXPECT_EQ(hub.alerts_unstored(), 0u);
  EXPECT_EQ(hub.alerts_stored(), 3u);
  EXPECT_EQ(stored_alerts(db), 3);
  EXPECT_EQ(hub.failures().alerts_dropped, 0u);
  detect::AlertFilter one;
  one.definition_id = "test.one";
  const auto page = detect::AlertStore::open(db, SqliteConnection::Mode::ReadOnly)->list(one);
  ASSERT_EQ(page.alerts.size(), 1u);
  EXPECT_EQ(page.alerts[0].alert.count, 2u);
  EXPECT_EQ(page.alerts[0].alert.last_seen_ns, kT0 + 5);
}

}  // namespace
}  // namespace ots
