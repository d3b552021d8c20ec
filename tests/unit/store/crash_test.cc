// A writer SIGKILLed in the middle of writing leaves a database that opens cleanly with
// every committed batch, each one complete.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "store/database.h"
#include "tests/unit/store/temp_dir.h"

namespace ots {
namespace {

constexpr int kMacsPerBatch = 50;

// Every row of batch n carries n, so a torn batch would show mixed values.
StoreBatch numbered_batch(int64_t run_id, uint64_t n) {
  StoreBatch batch;
  for (int i = 0; i < kMacsPerBatch; ++i) {
    uint8_t bytes[6] = {0x02, 0, 0, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    batch.macs.push_back({MacAddr::from(bytes), {1, 2, n, n, n, n}, {}});
    Device d;
    d.key = "mac:" + MacAddr::from(bytes).str();
    d.mac = MacAddr::from(bytes);
    d.traffic.packets_sent = n;
    batch.devices.push_back(d);
  }
  RunRecord run;
  run.id = run_id;
  run.mode = "replay";
  run.status = "running";
  run.packets = n;
  batch.runs = {run};
  return batch;
}

[[noreturn]] void write_until_killed(const std::string& path, int ready_fd) {
  try {
    auto db = Database::open(path, Database::Mode::ReadWrite);
    RunRecord run;
    run.mode = "replay";
    const int64_t run_id = db->begin_run(run);
    for (uint64_t n = 1;; ++n) {
      db->apply(numbered_batch(run_id, n));
      if (n == 1) {
        char byte = 1;
        if (write(ready_fd, &byte, 1) != 1) _exit(3);
      }
    }
  } catch (...) {
    _exit(2);
  }
}

TEST(CrashSafety, SigkillDuringWritesKeepsEveryCommittedBatch) {
  testing::TempDir dir;
  const std::string path = dir.file("crash.db");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    write_until_killed(path, ready[1]);
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the child never committed a batch";
  close(ready[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited early, status " << status;

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "ok");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);

  auto db = Database::open(path, Database::Mode::ReadOnly);
  auto runs = db->list_runs();
  ASSERT_EQ(runs.size(), 1u);
  const uint64_t committed = runs[0].packets;
  EXPECT_GE(committed, 1u);
  StoredObservations stored = db->load_observations();
  ASSERT_EQ(stored.macs.size(), static_cast<size_t>(kMacsPerBatch));
  for (const MacObservation& m : stored.macs) EXPECT_EQ(m.traffic.packets_sent, committed);
  auto devices = db->list_devices({0, 1000});
  ASSERT_EQ(devices.size(), static_cast<size_t>(kMacsPerBatch));
  for (const Device& d : devices) EXPECT_EQ(d.traffic.packets_sent, committed);
  std::printf("child committed %llu batches before SIGKILL\n", static_cast<unsigned long long>(committed));
}

}  // namespace
}  // namespace ots
