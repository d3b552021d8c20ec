#include "store/store_writer.h"

#include <gtest/gtest.h>

#include "tests/unit/store/temp_dir.h"

namespace ots {
namespace {

using testing::TempDir;

MacAddr mac(const char* text) { return *MacAddr::parse(text); }

StoreBatch mac_batch(uint64_t packets) {
  StoreBatch batch;
  batch.macs = {MacObservation{mac("00:1b:1b:00:00:01"), {1, 2, packets, 0, 0, 0}, {}}};
  Device d;
  d.key = "ip:10.0.0." + std::to_string(packets);
  d.ips = {*IpAddr::parse("10.0.0." + std::to_string(packets))};
  batch.devices = {d};
  return batch;
}

TEST(StoreWriter, FlushWaitsForEveryBatchAppliedInOrder) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  StoreWriter writer(path);
  for (uint64_t i = 1; i <= 200; ++i) writer.submit(mac_batch(i));
  writer.flush();
  EXPECT_EQ(writer.batches_committed(), 200u);
  EXPECT_FALSE(writer.last_error().has_value());

  auto reader = Database::open(path, Database::Mode::ReadOnly);
  StoredObservations stored = reader->load_observations();
  ASSERT_EQ(stored.macs.size(), 1u);
  EXPECT_EQ(stored.macs[0].traffic.packets_sent, 200u);  // the last batch won
  auto devices = reader->list_devices({0, 1000});
  ASSERT_EQ(devices.size(), 200u);
  for (size_t i = 0; i < devices.size(); ++i) {  // ids follow submission order
    EXPECT_EQ(devices[i].key, "ip:10.0.0." + std::to_string(i + 1));
  }
}

TEST(StoreWriter, SynchronousCallsSeeEarlierBatches) {
  TempDir dir;
  StoreWriter writer(dir.file("a.db"));
  RunRecord run;
  run.mode = "capture";
  run.status = "running";
  const int64_t first = writer.begin_run(run);
  writer.submit(mac_batch(7));
  StoredObservations stored = writer.load_observations();
  ASSERT_EQ(stored.macs.size(), 1u);
  EXPECT_EQ(stored.macs[0].traffic.packets_sent, 7u);
  EXPECT_GT(writer.begin_run(run), first);
}

TEST(StoreWriter, AFailedBatchIsReportedAndTheThreadKeepsGoing) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  StoreWriter writer(path);
  StoreBatch bad = mac_batch(1);
  bad.runs = {RunRecord{}};  // no id: rejected by the store
  writer.submit(bad);
  writer.flush();
  ASSERT_TRUE(writer.last_error().has_value());
  EXPECT_NE(writer.last_error()->find("run record without an id"), std::string::npos);
  EXPECT_EQ(writer.batches_failed(), 1u);

  writer.submit(mac_batch(2));
  writer.flush();
  EXPECT_EQ(writer.batches_committed(), 1u);
  EXPECT_EQ(Database::open(path, Database::Mode::ReadOnly)->count_devices(), 1);
}

TEST(StoreWriter, DestructorDrainsTheQueue) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  {
    StoreWriter writer(path);
    for (uint64_t i = 1; i <= 50; ++i) writer.submit(mac_batch(i));
  }
  EXPECT_EQ(Database::open(path, Database::Mode::ReadOnly)->count_devices(), 50);
}

TEST(StoreWriter, BadPathThrowsInTheCallersThread) {
  EXPECT_THROW(StoreWriter("/nonexistent/dir/a.db"), StoreError);
}

}  // namespace
}  // namespace ots
