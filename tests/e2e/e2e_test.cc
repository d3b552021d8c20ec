// End-to-end: the real otsensor binary replays the captures the repository
// generates (pcaps/, with expectations derived from each scenario by the
// generator) into real SQLite files, and its inventory is compared exactly.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace ots::e2e {
namespace {

const std::string kPcaps = std::string(OTS_SOURCE_DIR) + "/pcaps/";

std::vector<std::string> sample_names(bool corrupt) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kPcaps)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".expected.json";
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string capture = name.substr(0, name.size() - suffix.size());
    if ((capture.rfind("corrupt_", 0) == 0) == corrupt) names.push_back(capture);
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Inventory {
  nlohmann::json devices, connections, stats;
};

Inventory read_inventory(const std::string& db) {
  return {json_of(otsensor("devices --json --db " + shell_quote(db))),
          json_of(otsensor("connections --json --db " + shell_quote(db))),
          json_of(otsensor("stats --json --db " + shell_quote(db)))};
}

// Device JSON without the store-assigned id, for comparing two databases.
nlohmann::json without_ids(nlohmann::json devices) {
  for (auto& d : devices) d.erase("id");
  std::sort(devices.begin(), devices.end(), [](const auto& a, const auto& b) { return a["key"] < b["key"]; });
  return devices;
}

class GeneratedSample : public ::testing::TestWithParam<std::string> {};

TEST_P(GeneratedSample, InventoryMatchesScenario) {
  const std::string capture = kPcaps + GetParam();
  const nlohmann::json expected = read_json_file(capture + ".expected.json");
  TempDir dir;
  const std::string db = dir.file("sensor.db");
  Result r = run(otsensor("replay --workers 1 --db " + shell_quote(db) + " " + shell_quote(capture)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Inventory inv = read_inventory(db);
  EXPECT_EQ(device_identities(inv.devices), device_identities(expected["devices"]))
      << "ours: " << inv.devices.dump() << "\nexpected: " << expected["devices"].dump();
  EXPECT_EQ(connection_identities(inv.connections), connection_identities(expected["connections"]))
      << "ours: " << inv.connections.dump() << "\nexpected: " << expected["connections"].dump();
  ASSERT_EQ(inv.stats.size(), 1u);
  EXPECT_EQ(inv.stats[0]["packets"], expected["packets"]);
  EXPECT_EQ(inv.stats[0]["status"], "completed");
  // VLANs of each MAC device as the scenario put them.
  std::map<std::string, nlohmann::json> vlans_by_mac;
  for (const auto& d : expected["devices"])
    if (d["mac"].is_string()) vlans_by_mac[d["mac"]] = d["vlans"];
  for (const auto& d : inv.devices) {
    if (!d["macAddresses"].empty()) {
      EXPECT_EQ(d["vlans"], vlans_by_mac[d["macAddresses"][0]]) << d.dump();
    }
    // Provenance: every fact names the message that said it.
    for (const auto& f : d["facts"]) EXPECT_NE(f["event"], "") << d["key"] << ": " << f.dump();
  }
}

TEST_P(GeneratedSample, OneAndTwoWorkersGiveTheSameInventory) {
  const std::string capture = kPcaps + GetParam();
  TempDir dir;
  Inventory by_workers[2];
  for (int w = 1; w <= 2; ++w) {
    const std::string db = dir.file("w" + std::to_string(w) + ".db");
    Result r = run(otsensor("replay --workers " + std::to_string(w) + " --db " + shell_quote(db) + " " +
                            shell_quote(capture)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    by_workers[w - 1] = read_inventory(db);
  }
  EXPECT_EQ(without_ids(by_workers[0].devices), without_ids(by_workers[1].devices));
  EXPECT_EQ(by_workers[0].connections, by_workers[1].connections);
}

INSTANTIATE_TEST_SUITE_P(Pcaps, GeneratedSample, ::testing::ValuesIn(sample_names(false)),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

class CorruptSample : public ::testing::TestWithParam<std::string> {};

TEST_P(CorruptSample, StopsAtTheBadRecordNamingFileAndOffsetAndKeepsWhatCameBefore) {
  const std::string capture = kPcaps + GetParam();
  const nlohmann::json expected = read_json_file(capture + ".expected.json");
  TempDir dir;
  const std::string db = dir.file("sensor.db");
  Result r = run(otsensor("replay --db " + shell_quote(db) + " " + shell_quote(capture)));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(GetParam()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("offset " + std::to_string(expected["badRecordOffset"].get<int>())), std::string::npos)
      << r.err;
  const Inventory inv = read_inventory(db);
  EXPECT_EQ(device_identities(inv.devices), device_identities(expected["devices"]));
  EXPECT_EQ(connection_identities(inv.connections), connection_identities(expected["connections"]));
  EXPECT_EQ(inv.stats[0]["packets"], expected["packets"]);
  EXPECT_NE(inv.stats[0]["status"].get<std::string>().find("error"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Pcaps, CorruptSample, ::testing::ValuesIn(sample_names(true)),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(Replay, IntoAnExistingDatabaseUpdatesWithoutDuplicates) {
  TempDir dir;
  const std::string db = dir.file("sensor.db");
  const std::string capture = kPcaps + "plant_basic.pcap";
  ASSERT_EQ(run(otsensor("replay --db " + shell_quote(db) + " " + shell_quote(capture))).exit_code, 0);
  const Inventory first = read_inventory(db);
  ASSERT_EQ(run(otsensor("replay --db " + shell_quote(db) + " " + shell_quote(capture))).exit_code, 0);
  const Inventory second = read_inventory(db);
  ASSERT_EQ(first.devices.size(), second.devices.size());
  EXPECT_EQ(first.connections.size(), second.connections.size());
  for (size_t i = 0; i < first.devices.size(); ++i) {
    EXPECT_EQ(first.devices[i]["id"], second.devices[i]["id"]);  // stable ids
    EXPECT_EQ(first.devices[i]["key"], second.devices[i]["key"]);
    // Counters accumulate across runs; times stay those of the packets.
    EXPECT_EQ(second.devices[i]["packetsSent"].get<uint64_t>(), 2 * first.devices[i]["packetsSent"].get<uint64_t>());
    EXPECT_EQ(first.devices[i]["firstSeen"], second.devices[i]["firstSeen"]);
  }
  EXPECT_EQ(second.stats.size(), 2u);  // one record per run
}

TEST(Replay, SeveralFilesAndAllLinkTypesInOneRun) {
  TempDir dir;
  const std::string db = dir.file("sensor.db");
  std::string files;
  uint64_t packets = 0;
  for (const std::string& name : sample_names(false)) {
    files += " " + shell_quote(kPcaps + name);
    packets += read_json_file(kPcaps + name + ".expected.json")["packets"].get<uint64_t>();
  }
  Result r = run(otsensor("replay --workers 2 --db " + shell_quote(db) + files));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_inventory(db).stats[0]["packets"].get<uint64_t>(), packets);
}

TEST(Replay, RealtimePacingFollowsCaptureTime) {
  // plant_basic.pcap spans 14.4 s of capture time: at --speed 20 it takes about 0.7 s.
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  Result r = run(otsensor("replay --speed 20 --db " + shell_quote(dir.file("s.db")) + " " +
                          shell_quote(kPcaps + "plant_basic.pcap")));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(seconds, 0.65);
}

TEST(BadInput, MissingFileUnwritableDatabaseUnknownInterfaceBadEalArgs) {
  TempDir dir;
  struct Case {
    std::string args, must_mention;
  } cases[] = {
      {"replay --db " + dir.file("a.db") + " /nonexistent/capture.pcap", "/nonexistent/capture.pcap"},
      {"replay --db /nonexistent-dir/x.db " + kPcaps + "plant_basic.pcap", "/nonexistent-dir/x.db"},
      {"capture --db " + dir.file("b.db") + " --interface ots-no-such-if0", "ots-no-such-if0"},
      {"capture --db " + dir.file("c.db") + " --dpdk '--no-such-eal-flag'", "EAL"},
      {"devices --db " + dir.file("missing.db"), "missing.db"},
  };
  for (const Case& c : cases) {
    Result r = run(otsensor(c.args));
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.err.find(c.must_mention), std::string::npos) << c.args << "\n" << r.err;
    // One clear line: our own error line is the last line, and there is exactly one of it.
    size_t ours = 0;
    for (size_t pos = 0; (pos = r.err.find("otsensor: error:", pos)) != std::string::npos; ++pos) ++ours;
    EXPECT_EQ(ours, 1u) << c.args << "\n" << r.err;
  }
}

TEST(Store, SigkillDuringReplayLeavesAnOpenableDatabaseWithCommittedData) {
  TempDir dir;
  const std::string db = dir.file("sensor.db");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Capture pace: 14 s of traffic, flushed every second.
    ::execl(OTSENSOR_BIN, OTSENSOR_BIN, "replay", "--realtime", "--db", db.c_str(),
            (kPcaps + "plant_basic.pcap").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  Result check = run("sqlite3 " + shell_quote(db) + " 'PRAGMA integrity_check;'");
  EXPECT_EQ(check.out, "ok\n") << check.err;
  const Inventory inv = read_inventory(db);
  EXPECT_GT(inv.devices.size(), 0u);  // committed before the kill
  EXPECT_EQ(inv.stats[0]["status"], "running");
  const nlohmann::json expected = read_json_file(kPcaps + "plant_basic.pcap.expected.json");
  EXPECT_LT(inv.stats[0]["packets"].get<uint64_t>(), expected["packets"].get<uint64_t>());
}

// The sensor restarts itself once with glibc's malloc on transparent huge pages, keeps its own
// name and pid, and leaves it when told not to.
TEST(Memory, HeapOnHugePagesUnderItsOwnNameUnlessTurnedOff) {
  auto read_proc = [](pid_t pid, const char* what) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/" + what, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  for (const bool turned_off : {false, true}) {
    TempDir dir;
    const std::string db = dir.file("sensor.db");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::unsetenv("GLIBC_TUNABLES");
      if (turned_off) ::setenv("OTSENSOR_MALLOC_HUGE_PAGES", "0", 1);
      else ::unsetenv("OTSENSOR_MALLOC_HUGE_PAGES");
      ::execl(OTSENSOR_BIN, OTSENSOR_BIN, "replay", "--realtime", "--db", db.c_str(),
              (kPcaps + "plant_basic.pcap").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // The environment of the image running now (after a restart, the restarted one's).
    std::string environment;
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      environment = read_proc(child, "environ");
      if (environment.find("OTSENSOR_MALLOC_HUGE_PAGES=") != std::string::npos) break;
    }
    const std::string name = read_proc(child, "comm");
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_EQ(name, "otsensor\n");
    const bool huge = environment.find(std::string("GLIBC_TUNABLES=glibc.malloc.hugetlb=1") + '\0') != std::string::npos;
    EXPECT_EQ(huge, !turned_off) << (turned_off ? "turned off" : "default");
    EXPECT_NE(environment.find(turned_off ? "OTSENSOR_MALLOC_HUGE_PAGES=0" : "OTSENSOR_MALLOC_HUGE_PAGES=1"),
              std::string::npos);
  }
}

TEST(Capture, SigintStopsCleanlyWithEverythingFlushed) {
  // A live capture on loopback that is stopped by SIGINT records its run as interrupted.
  TempDir dir;
  const std::string db = dir.file("sensor.db");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::execl(OTSENSOR_BIN, OTSENSOR_BIN, "capture", "--interface", "lo", "--bpf", "udp port 47999", "--db",
            db.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(child, SIGINT);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 1) GTEST_SKIP() << "cannot capture on lo here";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const Inventory inv = read_inventory(db);
  EXPECT_EQ(inv.stats[0]["status"], "interrupted");
  EXPECT_FALSE(inv.stats[0]["endedAt"].is_null());
}

}  // namespace
}  // namespace ots::e2e
