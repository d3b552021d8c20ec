#include "detect/engine/central_detector.h"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "detect/engine/alert_store.h"
#include "detect/engine/alerts_cli.h"
#include "detect/engine/baseline_cli.h"
#include "tests/unit/engine/test_helpers.h"

namespace ots::detect {
namespace {

using namespace test;

Device device(const char* key, const char* address, const char* firmware = nullptr) {
  Device d;
  d.key = key;
  d.ips = {ip(address)};
  d.traffic.first_seen_ns = kT0;
  d.traffic.last_seen_ns = kT0;
  if (firmware) d.facts.push_back({"firmwareVersion", firmware, "s7comm", kT0, kT0});
  return d;
}

ConnectionObservation connection(const char* client, const char* server, uint16_t port, const char* app) {
  ConnectionObservation c;
  c.key = {ip(client), ip(server), 6, port};
  c.application = app;
  return c;
}

CommandObservation command(const char* client, const char* server, const char* protocol, uint32_t code) {
  CommandObservation c;
  c.client = ip(client);
  c.server = ip(server);
  c.protocol = protocol;
  c.code = code;
  c.name = "Fn";
  return c;
}

StoreBatch plant() {
  StoreBatch b;
  b.devices = {device("mac:02:00:00:00:00:20", "10.0.0.20", "V3.2"), device("ip:10.0.0.5", "10.0.0.5")};
  b.connections = {connection("10.0.0.5", "10.0.0.20", 502, "modbus")};
  b.commands = {command("10.0.0.5", "10.0.0.20", "modbus", 3)};
  return b;
}

std::vector<Alert> drain(CentralDetector& c) {
  std::vector<Alert> out;
  c.drain_alerts(out);
  return out;
}

bool has(const std::vector<Alert>& alerts, std::string_view id) {
  return std::any_of(alerts.begin(), alerts.end(), [&](const Alert& a) { return a.definition_id == id; });
}

ActivityRecord write_activity(const char* client, const char* server, uint32_t first, uint32_t quantity) {
  ActivityRecord a;
  a.client = ip(client);
  a.server = ip(server);
  a.protocol = "modbus";
  a.code = 16;
  a.name = "Write Multiple Registers";
  a.unit = 1;
  a.address = first;
  a.quantity = quantity;
  a.has_range = true;
  a.is_write = true;
  a.ts_ns = kT0;
  return a;
}

TEST(Central, NeverLearnedIsSilent) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  CentralDetector central(*baseline);
  central.on_batch(plant(), kT0);
  EXPECT_TRUE(drain(central).empty());
  EXPECT_EQ(baseline->status().devices, 0u);
}

TEST(Central, LearningIsSilentThenPolicyAlertsFollow) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  CentralDetector central(*baseline);
  baseline->start_learning(60 * kSecond);
  central.on_batch(plant(), kT0);
  ActivityBatch learned;
  learned.activities.push_back(write_activity("10.0.0.5", "10.0.0.20", 100, 10));
  central.on_activity(learned, kT0 + kSecond);
  // New things while learning: recorded, no alert.
  StoreBatch more;
  more.devices = {device("ip:10.0.0.7", "10.0.0.7")};
  central.on_batch(more, kT0 + 30 * kSecond);
  EXPECT_TRUE(drain(central).empty());
  EXPECT_TRUE(baseline->learning());
  EXPECT_TRUE(central.take_view_change());  // learning started (the first call saw it)
  central.on_batch({}, kT0 + 61 * kSecond);  // the period is over (packet time)
  EXPECT_FALSE(baseline->learning());
  EXPECT_TRUE(baseline->established());
  EXPECT_TRUE(central.take_view_change());
  EXPECT_FALSE(central.take_view_change());

  // Operational: the same plant is silent.
  central.on_batch(plant(), kT0 + 70 * kSecond);
  EXPECT_TRUE(drain(central).empty());

  StoreBatch changes;
  changes.devices = {device("ip:10.0.0.99", "10.0.0.99"), device("mac:02:00:00:00:00:20", "10.0.0.20", "V4.0")};
  changes.connections = {connection("10.0.0.99", "10.0.0.20", 502, "modbus"),
                         connection("10.0.0.5", "10.0.0.20", 102, "s7comm"),
                         connection("10.0.0.5", "8.8.8.8", 443, "tls")};
  changes.commands = {command("10.0.0.5", "10.0.0.20", "modbus", 16)};
  central.on_batch(changes, kT0 + 80 * kSecond);
  auto alerts = drain(central);
  EXPECT_TRUE(has(alerts, "ots.policy.new_device"));
  EXPECT_TRUE(has(alerts, "ots.policy.firmware_changed"));
  EXPECT_TRUE(has(alerts, "ots.policy.new_connection"));
  EXPECT_TRUE(has(alerts, "ots.policy.new_protocol"));
  EXPECT_TRUE(has(alerts, "ots.policy.new_internet_connectivity"));
  EXPECT_TRUE(has(alerts, "ots.policy.new_function_code"));
  EXPECT_EQ(alerts.size(), 6u);
  for (const Alert& a : alerts) EXPECT_EQ(a.engine, EngineKind::PolicyViolation);

  ActivityBatch activity;
  activity.activities.push_back(write_activity("10.0.0.5", "10.0.0.20", 102, 4));  // inside the learned range
  activity.activities.push_back(write_activity("10.0.0.5", "10.0.0.20", 500, 1));  // never written
  ActivityRecord db = write_activity("10.0.0.5", "10.0.0.20", 0, 2);
  db.protocol = "s7comm";
  db.code = 4;
  db.name = "Read Var";
  db.is_write = false;
  db.unit = 7;
  activity.activities.push_back(db);
  ActivityRecord cip = write_activity("10.0.0.5", "10.0.0.20", 0, 0);
  cip.protocol = "enip";
  cip.is_write = false;
  cip.unit = 0x6B;
  cip.code = 0x4C;
  activity.activities.push_back(cip);
  central.on_activity(activity, kT0 + 90 * kSecond);
  alerts = drain(central);
  EXPECT_EQ(alerts.size(), 3u);
  EXPECT_TRUE(has(alerts, "ots.policy.write_range_violation"));
  EXPECT_TRUE(has(alerts, "ots.policy.s7_block_access"));
  EXPECT_TRUE(has(alerts, "ots.policy.new_cip_service"));
}

// The S7 block policy compares blocks and areas, not addresses: a data block or area read at
// another offset is no new access; an area never accessed is.
TEST(Central, S7BlockPolicyComparesBlocksAndAreas) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  CentralDetector central(*baseline);
  auto s7_read = [](uint32_t db, const char* object, int64_t ts_ns) {
    ActivityRecord a;
    a.client = ip("10.0.0.5");
    a.server = ip("10.0.0.20");
    a.protocol = "s7comm";
    a.code = 4;
    a.name = "Read Var";
    a.unit = db;
    a.object = object;
    a.ts_ns = ts_ns;
    return a;
  };
  baseline->start_learning(60 * kSecond);
  ActivityBatch learn;
  learn.activities = {s7_read(5, "DB5.DBX 0.0 BYTE 4", kT0), s7_read(0, "M 10.0 BYTE 2", kT0)};
  central.on_activity(learn, kT0);
  central.on_batch({}, kT0 + 61 * kSecond);  // learning ends (packet time)
  ASSERT_TRUE(baseline->established());
  EXPECT_TRUE(drain(central).empty());
  ActivityBatch later;
  later.activities = {s7_read(5, "DB5.DBX 96.0 BYTE 4", kT0 + 90 * kSecond),
                      s7_read(0, "M 200.0 BYTE 8", kT0 + 90 * kSecond),
                      s7_read(0, "Q 0.0 BYTE 1", kT0 + 90 * kSecond)};
  central.on_activity(later, kT0 + 90 * kSecond);
  auto alerts = drain(central);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.policy.s7_block_access");
  EXPECT_EQ(alerts[0].activity, "protocol=s7comm item=Q");
}

// Baselines learned before S7 items were blocks and areas are migrated on open.
TEST(Baseline, OldS7ItemsBecomeBlocksAndAreas) {
  TempDir dir;
  const std::string path = dir.file("b.db");
  Baseline::open(path);  // today's schema
  {
    auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
    db->exec("DELETE FROM module_migrations WHERE module = 'baseline' AND version = 2");  // back to version 1
    db->exec("INSERT INTO baseline_blocks(server, protocol, item) VALUES "
             "('10.0.0.20', 's7comm', 'M 10.0 BYTE 2'), ('10.0.0.20', 's7comm', 'M 90.0 BYTE 2'), "
             "('10.0.0.20', 's7comm', '_DELE FC7'), ('10.0.0.20', 's7comm', 'SZL 0x0011 index 0x0000'), "
             "('10.0.0.20', 's7comm', 'DB5'), ('10.0.0.20', 's7comm', 'OB1')");
  }
  auto baseline = Baseline::open(path);
  for (const char* item : {"M", "FC7", "DB5", "OB1"}) EXPECT_TRUE(baseline->has_block(ip("10.0.0.20"), "s7comm", item)) << item;
  for (const char* item : {"M 10.0 BYTE 2", "_DELE FC7", "SZL 0x0011 index 0x0000", "SZL", "_DELE"})
    EXPECT_FALSE(baseline->has_block(ip("10.0.0.20"), "s7comm", item)) << item;
}

TEST(Central, LearnOnAnAlertSilencesItsRepeat) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  baseline->start_learning(0);
  CentralDetector central(*baseline);
  central.on_batch(plant(), kT0);
  baseline->end_learning();
  StoreBatch changes;
  changes.devices = {device("ip:10.0.0.99", "10.0.0.99")};
  changes.commands = {command("10.0.0.5", "10.0.0.20", "modbus", 16)};
  changes.connections = {connection("10.0.0.99", "10.0.0.20", 502, "modbus")};
  ActivityBatch activity;
  activity.activities.push_back(write_activity("10.0.0.5", "10.0.0.20", 500, 1));
  central.on_batch(changes, kT0 + kSecond);
  central.on_activity(activity, kT0 + kSecond);
  auto alerts = drain(central);
  ASSERT_EQ(alerts.size(), 4u);
  for (const Alert& a : alerts) central.learn(a);
  EXPECT_TRUE(central.take_view_change());
  central.on_batch(changes, kT0 + 2 * kSecond);
  central.on_activity(activity, kT0 + 2 * kSecond);
  EXPECT_TRUE(drain(central).empty());
  EXPECT_TRUE(baseline->view().known_writers.contains(pair_protocol_key(ip("10.0.0.5"), ip("10.0.0.20"), "modbus")));
}

TEST(Central, AGapWithNoTrafficAtAllIsNotADeviceSilence) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  CentralDetector central(*baseline);
  StoreBatch before;
  Device plc = device("ip:10.0.0.20", "10.0.0.20");
  plc.traffic.last_seen_ns = kT0 + 600 * kSecond;
  before.devices = {plc};
  central.on_batch(before, kT0 + 600 * kSecond);
  // The next replayed capture starts a year later: nothing was heard in between.
  const int64_t next_file = kT0 + 365 * 86400 * kSecond;
  StoreBatch after;
  Device hmi = device("ip:10.0.0.5", "10.0.0.5");
  hmi.traffic.first_seen_ns = next_file;
  hmi.traffic.last_seen_ns = next_file;
  after.devices = {hmi};
  central.on_batch(after, next_file);
  central.on_batch({}, next_file + 200 * kSecond);
  EXPECT_TRUE(drain(central).empty());
  // Traffic keeps flowing without the PLC past the silence limit: now it is suspected disconnected.
  central.on_batch({}, next_file + 301 * kSecond);
  auto alerts = drain(central);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.operational.device_disconnected");
  EXPECT_EQ(alerts[0].source_ip.str(), "10.0.0.20");
}

// The next file of a replay: its own timeline.
TEST(Central, ANewTimelineFarAwayRetiresThePreviousDevices) {
  for (const int64_t next_file : {kT0 - 5 * 365 * 86400 * kSecond, kT0 + 5 * 365 * 86400 * kSecond}) {
    TempDir dir;
    auto baseline = Baseline::open(dir.file("b.db"));
    CentralDetector central(*baseline);
    StoreBatch first;
    Device plc = device("ip:10.0.0.20", "10.0.0.20");
    plc.traffic.last_seen_ns = kT0 + 600 * kSecond;
    first.devices = {plc};
    central.on_batch(first, kT0 + 600 * kSecond);
    central.begin_timeline(next_file);
    StoreBatch second;
    Device hmi = device("ip:10.0.0.5", "10.0.0.5");
    hmi.traffic.first_seen_ns = next_file;
    hmi.traffic.last_seen_ns = next_file + 1000 * kSecond;
    second.devices = {hmi};
    central.on_batch(second, next_file + 1000 * kSecond);
    central.on_batch({}, next_file + 1001 * kSecond);
    EXPECT_TRUE(drain(central).empty());
  }
}

TEST(Central, AContinuingTimelineAndReportedPausesKeepRealSilences) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  CentralDetector central(*baseline);
  StoreBatch talk;
  Device plc = device("ip:10.0.0.20", "10.0.0.20");
  plc.traffic.last_seen_ns = kT0 + 400 * kSecond;
  talk.devices = {plc};
  const std::vector<QuietPeriod> none;
  central.on_quiet_periods(none);  // the pipeline measures pauses: batch times may jump freely
  central.on_batch(talk, kT0 + 500 * kSecond);
  central.begin_timeline(kT0 + 501 * kSecond);  // a rotated file: the clock continues
  // One pause of 1000 s without any packet: not the PLC's silence.
  const std::vector<QuietPeriod> pause = {{kT0 + 600 * kSecond, kT0 + 1600 * kSecond}};
  central.on_quiet_periods(pause);
  central.on_batch({}, kT0 + 1650 * kSecond);
  EXPECT_TRUE(drain(central).empty());
  central.on_batch({}, kT0 + 1800 * kSecond);  // 1400 s since, 400 s of it with traffic flowing
  auto alerts = drain(central);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.operational.device_disconnected");
}

TEST(Central, DeviceSilenceAndIdleInterface) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  CentralDetector central(*baseline);
  StoreBatch talk;
  Device plc = device("ip:10.0.0.20", "10.0.0.20");
  plc.traffic.last_seen_ns = kT0 + 600 * kSecond;
  talk.devices = {plc};
  central.on_batch(talk, kT0 + 600 * kSecond);
  central.on_batch({}, kT0 + 800 * kSecond);
  EXPECT_TRUE(drain(central).empty());
  central.on_batch({}, kT0 + 901 * kSecond);
  auto alerts = drain(central);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.operational.device_disconnected");
  EXPECT_EQ(alerts[0].engine, EngineKind::Operational);
  central.on_batch({}, kT0 + 1000 * kSecond);
  EXPECT_TRUE(drain(central).empty());  // once per silence

  central.on_interface_packets("eth1", 10, kT0);
  central.on_interface_packets("eth1", 20, kT0 + 100 * kSecond);
  central.on_interface_packets("eth1", 20, kT0 + 300 * kSecond);
  EXPECT_TRUE(drain(central).empty());
  central.on_interface_packets("eth1", 20, kT0 + 401 * kSecond);
  alerts = drain(central);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.operational.no_traffic");
}

TEST(Baseline, SurvivesReopenAndResets) {
  TempDir dir;
  const std::string path = dir.file("b.db");
  {
    auto b = Baseline::open(path);
    b->start_learning(0);
    b->add_device("ip:10.0.0.1", "1.0");
    b->add_protocol(ip("10.0.0.1"), ip("10.0.0.2"), "modbus");
    b->add_function(ip("10.0.0.1"), ip("10.0.0.2"), "modbus", 3);
    b->add_write_range(ip("10.0.0.2"), "modbus", 1, 10, 19);
    b->add_write_range(ip("10.0.0.2"), "modbus", 1, 20, 29);  // touches: merged
    b->add_write_range(ip("10.0.0.2"), "modbus", 1, 40, 49);
    b->add_engineering_host(ip("10.0.0.1"));
    b->add_polling(ip("10.0.0.1"), ip("10.0.0.2"), "modbus", 3, 0, {100e6, 1e6, 50});
    b->end_learning();
  }
  auto b = Baseline::open(path);
  EXPECT_TRUE(b->established());
  EXPECT_FALSE(b->learning());
  EXPECT_EQ(b->device_firmware("ip:10.0.0.1"), "1.0");
  EXPECT_TRUE(b->has_pair(ip("10.0.0.1"), ip("10.0.0.2")));
  EXPECT_TRUE(b->has_function(ip("10.0.0.1"), ip("10.0.0.2"), "modbus", 3));
  EXPECT_TRUE(b->write_covered(ip("10.0.0.2"), "modbus", 1, 12, 28));
  EXPECT_FALSE(b->write_covered(ip("10.0.0.2"), "modbus", 1, 25, 45));
  EXPECT_FALSE(b->write_covered(ip("10.0.0.2"), "modbus", 2, 12, 12));
  EXPECT_EQ(b->status().write_ranges, 2u);
  BaselineView v = b->view();
  EXPECT_TRUE(v.established);
  EXPECT_TRUE(v.engineering_hosts.contains(ip("10.0.0.1")));
  auto polling = v.polling.find(channel_key(ip("10.0.0.1"), ip("10.0.0.2"), "modbus", 3, 0));
  ASSERT_NE(polling, v.polling.end());
  EXPECT_DOUBLE_EQ(polling->second.mean_ns, 100e6);
  const uint64_t generation = b->status().generation;
  b->reset();
  EXPECT_FALSE(b->established());
  EXPECT_EQ(b->status().devices, 0u);
  EXPECT_EQ(b->status().generation, generation + 1);
  EXPECT_EQ(Baseline::open(path)->status().pairs, 0u);
}

TEST(Baseline, RefreshSeesAnotherProcessesControl) {
  TempDir dir;
  const std::string path = dir.file("b.db");
  auto sensor = Baseline::open(path);
  auto cli = Baseline::open(path);
  cli->start_learning(0);
  EXPECT_TRUE(sensor->refresh());
  EXPECT_TRUE(sensor->learning());
  sensor->add_device("ip:10.0.0.1", "");
  cli->reset();
  EXPECT_TRUE(sensor->refresh());
  EXPECT_FALSE(sensor->learning());
  EXPECT_EQ(sensor->status().devices, 0u);
}

TEST(Cli, BaselineCommands) {
  TempDir dir;
  std::ostringstream out, err;
  BaselineCommand c;
  c.db = dir.file("c.db");
  c.action = BaselineCommand::Action::Learn;
  c.duration = "2h";
  EXPECT_EQ(run_baseline_command(c, out, err), 0);
  EXPECT_NE(out.str().find("learning for 2h"), std::string::npos);
  c.action = BaselineCommand::Action::Status;
  c.json = true;
  out.str("");
  EXPECT_EQ(run_baseline_command(c, out, err), 0);
  auto status = nlohmann::json::parse(out.str());
  EXPECT_EQ(status["mode"], "learning");
  EXPECT_EQ(status["learningDurationNs"], 7200 * kSecond);
  c.action = BaselineCommand::Action::Learn;
  c.duration = "soon";
  EXPECT_EQ(run_baseline_command(c, out, err), 2);
  c.action = BaselineCommand::Action::Reset;
  EXPECT_EQ(run_baseline_command(c, out, err), 0);
  EXPECT_FALSE(Baseline::open(c.db)->learning());
  EXPECT_EQ(parse_duration_ns("90s"), 90 * kSecond);
  EXPECT_EQ(parse_duration_ns("30m"), 1800 * kSecond);
  EXPECT_EQ(parse_duration_ns("7d"), 7 * 86400 * kSecond);
  EXPECT_EQ(parse_duration_ns("3600"), 3600 * kSecond);
  EXPECT_EQ(parse_duration_ns("-5s"), -1);
  EXPECT_EQ(parse_duration_ns("5w"), -1);
}

TEST(Cli, AlertsListJsonPcapAndLearn) {
  TempDir dir;
  const std::string db = dir.file("c.db");
  auto store = AlertStore::open(db);
  Alert a;
  a.engine = EngineKind::PolicyViolation;
  a.severity = Severity::Minor;
  a.definition_id = "ots.policy.new_function_code";
  a.title = "Unpermitted function code";
  a.source_ip = ip("10.0.0.5");
  a.destination_ip = ip("10.0.0.20");
  a.protocol = "modbus";
  a.activity = "protocol=modbus code=0x10 name=Write Multiple Registers";
  a.first_seen_ns = a.last_seen_ns = kT0;
  a.evidence_frames = {{1, 2, 3}};
  a.evidence_times_ns = {kT0};
  const int64_t id = store->record(a);
  Alert other = a;
  other.definition_id = "ots.anomaly.port_scan";
  other.engine = EngineKind::Anomaly;
  store->record(other);

  std::ostringstream out, err;
  AlertsCommand c;
  c.db = db;
  EXPECT_EQ(run_alerts_command(c, out, err), 0);
  EXPECT_NE(out.str().find("Unpermitted function code"), std::string::npos);
  EXPECT_NE(out.str().find("2 of 2 alerts"), std::string::npos);

  c.json = true;
  c.engine = "policy_violation";
  out.str("");
  EXPECT_EQ(run_alerts_command(c, out, err), 0);
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["total"], 1);
  EXPECT_EQ(j["alerts"][0]["definitionId"], "ots.policy.new_function_code");
  EXPECT_EQ(j["alerts"][0]["sourceIp"], "10.0.0.5");
  EXPECT_EQ(j["alerts"][0]["evidenceFrames"], 1);

  c.engine = "bogus";
  EXPECT_EQ(run_alerts_command(c, out, err), 2);
  c.engine.clear();
  c.from = "not a time";
  EXPECT_EQ(run_alerts_command(c, out, err), 2);
  c.from = "2023-11-14T22:13:20Z";  // kT0
  out.str("");
  EXPECT_EQ(run_alerts_command(c, out, err), 0);
  EXPECT_EQ(nlohmann::json::parse(out.str())["total"], 2);

  AlertsCommand pcap;
  pcap.db = db;
  pcap.pcap = id;
  pcap.output = dir.file("e.pcap");
  EXPECT_EQ(run_alerts_command(pcap, out, err), 0);
  EXPECT_EQ(std::filesystem::file_size(pcap.output), 24u + 16u + 3u);

  // Learn: baseline established, the function code is learned, the alert is marked learned.
  Baseline::open(db)->start_learning(0);
  Baseline::open(db)->end_learning();
  AlertsCommand learn;
  learn.db = db;
  learn.learn = id;
  learn.by = "alice";
  EXPECT_EQ(run_alerts_command(learn, out, err), 0);
  EXPECT_TRUE(Baseline::open(db)->has_function(ip("10.0.0.5"), ip("10.0.0.20"), "modbus", 0x10));
  auto stored = AlertStore::open(db)->get(id);
  EXPECT_EQ(stored->alert.state, AlertState::Learned);
  EXPECT_EQ(stored->state_changed_by, "alice");

  AlertsCommand missing;
  missing.db = dir.file("none.db");
  EXPECT_EQ(run_alerts_command(missing, out, err), 1);
  EXPECT_EQ(parse_time_ns("2023-11-14"), 1699920000 * kSecond);
  EXPECT_EQ(parse_time_ns("1700000000"), kT0);
}

ProbeRecord probe(const IpAddr& client, const IpAddr& server, uint16_t port, int64_t ts_ns,
                  ProbeKind kind = ProbeKind::Unanswered) {
  ProbeRecord p;
  p.kind = kind;
  p.client = client;
  p.server = server;
  p.server_port = port;
  p.transport = 6;
  p.protocol = kind == ProbeKind::Identity ? "enip" : "tcp";
  p.ts_ns = ts_ns;
  return p;
}

std::vector<Alert> scan_alerts(const std::vector<ActivityBatch>& batches, CentralSettings settings = {}) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  CentralDetector central(*baseline, settings);
  central.on_activity(batches, kT0);  // one flush's batches, as the detection hub hands them over
  return drain(central);
}

TEST(CentralScans, PortScanAboveThresholdOnly) {
  ActivityBatch few, many;
  for (uint16_t port = 1; port <= 23; ++port)
    few.probes.push_back(probe(ip("10.0.0.66"), ip("10.0.0.20"), port, kT0 + port));
  EXPECT_TRUE(scan_alerts({few}).empty());
  many = few;
  many.probes.push_back(probe(ip("10.0.0.66"), ip("10.0.0.20"), 24, kT0 + 24, ProbeKind::Refused));
  auto alerts = scan_alerts({many});
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.anomaly.port_scan");
  EXPECT_EQ(alerts[0].engine, EngineKind::Anomaly);
  EXPECT_EQ(alerts[0].source_ip, ip("10.0.0.66"));
  EXPECT_EQ(alerts[0].destination_ip, ip("10.0.0.20"));
}

// The scan alert carries the frames of the probes that made it: the first in packet time
// (whichever batch held them), in time order, bounded.
TEST(CentralScans, ScanAlertsCarryTheProbesFrames) {
  auto frame = [](int64_t ts_ns, uint8_t fill) {
    ProbeFrame f;
    f.ts_ns = ts_ns;
    f.length = 60;
    f.bytes.fill(fill);
    return f;
  };
  ActivityBatch late, early;  // two workers' batches, the later probes first
  for (uint16_t port = 1; port <= 24; ++port) {
    ProbeRecord p = probe(ip("10.0.0.66"), ip("10.0.0.20"), port, kT0 + port * kMs, ProbeKind::Refused);
    p.frames = {frame(p.ts_ns, static_cast<uint8_t>(port)), frame(p.ts_ns + 1, static_cast<uint8_t>(port))};
    (port > 12 ? late : early).probes.push_back(p);
  }
  auto alerts = scan_alerts({late, early});
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& scan = alerts[0];
  ASSERT_EQ(scan.evidence_frames.size(), 12u);  // bounded
  ASSERT_EQ(scan.evidence_times_ns.size(), 12u);
  EXPECT_TRUE(std::is_sorted(scan.evidence_times_ns.begin(), scan.evidence_times_ns.end()));
  EXPECT_EQ(scan.evidence_frames[0], std::vector<uint8_t>(60, 1));  // the first probes in time, whatever the batch
  EXPECT_EQ(scan.evidence_times_ns[0], kT0 + 1 * kMs);
  EXPECT_EQ(scan.evidence_times_ns[11], kT0 + 6 * kMs + 1);
  // A PLC scan's identity requests too.
  ActivityBatch identity;
  for (int i = 1; i <= 8; ++i) {
    ProbeRecord p = probe(ip("10.0.0.66"), IpAddr::v4(0x0A000100u + i), 44818, kT0 + i, ProbeKind::Identity);
    p.frames = {frame(p.ts_ns, 0xEE)};
    identity.probes.push_back(p);
  }
  auto plc = scan_alerts({identity});
  ASSERT_EQ(plc.size(), 1u);
  EXPECT_EQ(plc[0].evidence_frames.size(), 8u);
}

// Floods are summed over workers: each worker's share stays below the threshold, the sum does
// not; a slow stream never floods; the alert names the server and carries frames.
TEST(CentralScans, SynAndUdpFloodsAreSummedOverWorkers) {
  AnomalySettings a;
  a.syn_flood_syns = 100;
  a.udp_flood_flows = 100;
  CentralSettings settings;
  settings.anomaly = a;
  ProbeFrame frame;
  frame.length = 54;
  ActivityBatch worker1, worker2;
  for (uint16_t i = 0; i < 120; ++i) {  // 120 SYNs in 120 ms, from spoofed sources
    ProbeRecord p = probe(IpAddr::v4(0xC6336400u + i), ip("10.0.0.20"), 80, kT0 + i * kMs);
    p.frames = {frame};
    p.frames[0].ts_ns = p.ts_ns;
    (i % 2 ? worker1 : worker2).probes.push_back(p);
  }
  FlowStartCount udp;
  udp.server = ip("10.0.0.21");
  udp.server_mac = mac("02:00:00:00:00:21");
  udp.bucket = probe_bucket(kT0, a.flood_window_ns);
  udp.first_ts_ns = kT0;
  udp.flows = 60;
  udp.frames = {frame};
  udp.frames[0].ts_ns = kT0;
  worker1.udp_flow_starts.push_back(udp);
  worker2.udp_flow_starts.push_back(udp);
  auto alerts = scan_alerts({worker1, worker2}, settings);
  ASSERT_EQ(alerts.size(), 2u);
  std::sort(alerts.begin(), alerts.end(), [](const Alert& x, const Alert& y) { return x.definition_id < y.definition_id; });
  EXPECT_EQ(alerts[0].definition_id, "ots.anomaly.syn_flood");
  EXPECT_EQ(alerts[0].destination_ip, ip("10.0.0.20"));
  EXPECT_TRUE(alerts[0].source_ip.is_unspecified());
  EXPECT_EQ(alerts[0].evidence_frames.size(), 12u);
  EXPECT_EQ(alerts[1].definition_id, "ots.anomaly.udp_flood");
  EXPECT_EQ(alerts[1].destination_ip, ip("10.0.0.21"));
  EXPECT_EQ(alerts[1].destination_mac, mac("02:00:00:00:00:21"));
  EXPECT_EQ(alerts[1].evidence_frames.size(), 2u);
  EXPECT_NE(alerts[1].message.find("120 new UDP flows"), std::string::npos) << alerts[1].message;
  // Either worker alone stays below the threshold.
  EXPECT_TRUE(scan_alerts({worker1}, settings).empty());
  // A batch (the first handed over) with later events for the same servers, seconds on, hides
  // neither flood: the flush is counted in packet-time order.
  ActivityBatch later;
  later.probes.push_back(probe(ip("198.51.100.9"), ip("10.0.0.20"), 80, kT0 + 5 * kSecond));
  FlowStartCount late_udp = udp;
  late_udp.bucket += 10;
  late_udp.flows = 1;
  later.udp_flow_starts.push_back(late_udp);
  EXPECT_EQ(scan_alerts({later, worker1, worker2}, settings).size(), 2u);
  // 50 unanswered SYNs per second never flood.
  ActivityBatch slow;
  for (uint16_t i = 0; i < 500; ++i) slow.probes.push_back(probe(IpAddr::v4(0xC6336400u + i), ip("10.0.0.20"), 80, kT0 + i * 20 * kMs));
  EXPECT_TRUE(scan_alerts({slow}, settings).empty());
}

TEST(CentralScans, AddressScanButNotKnownPairs) {
  TempDir dir;
  auto baseline = Baseline::open(dir.file("b.db"));
  baseline->start_learning(60 * kSecond);
  for (int i = 1; i <= 40; ++i) baseline->add_pair(ip("10.0.0.1"), IpAddr::v4(0x0A000100u + i));
  CentralDetector central(*baseline);
  ActivityBatch batch;
  for (int i = 1; i <= 40; ++i) {
    batch.probes.push_back(probe(ip("10.0.0.1"), IpAddr::v4(0x0A000100u + i), 502, kT0 + i));  // its PLCs are down
    batch.probes.push_back(probe(ip("10.0.0.66"), IpAddr::v4(0x0A000100u + i), 502, kT0 + i));
  }
  central.on_activity(batch, kT0);
  auto alerts = drain(central);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.anomaly.address_scan");
  EXPECT_EQ(alerts[0].source_ip, ip("10.0.0.66"));
  EXPECT_TRUE(alerts[0].destination_ip.is_unspecified());
}

TEST(CentralScans, ScanWindowExpires) {
  ActivityBatch slow;
  for (uint16_t port = 1; port <= 40; ++port)  // one port every 5 s: never 24 within 60 s
    slow.probes.push_back(probe(ip("10.0.0.66"), ip("10.0.0.20"), port, kT0 + port * 5 * kSecond));
  EXPECT_TRUE(scan_alerts({slow}).empty());
  ActivityBatch fast;  // 24 ports in 58 s, across bucket boundaries
  for (uint16_t port = 1; port <= 24; ++port)
    fast.probes.push_back(probe(ip("10.0.0.66"), ip("10.0.0.20"), port, kT0 + 20 * kSecond + port * 2400 * kMs));
  EXPECT_EQ(scan_alerts({fast}).size(), 1u);
}

TEST(CentralScans, PlcScan) {
  ActivityBatch batch;
  for (int i = 1; i <= 7; ++i)
    batch.probes.push_back(probe(ip("10.0.0.66"), IpAddr::v4(0x0A000100u + i), 44818, kT0 + i, ProbeKind::Identity));
  EXPECT_TRUE(scan_alerts({batch}).empty());
  batch.probes.push_back(probe(ip("10.0.0.66"), IpAddr::v4(0x0A000108u), 44818, kT0 + 8, ProbeKind::Identity));
  auto alerts = scan_alerts({batch});
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.anomaly.plc_scan");
  EXPECT_EQ(alerts[0].protocol, "enip");
}

// Workers deliver their probes in any order and split: the verdict is the same.
TEST(CentralScans, VerdictDoesNotDependOnOrderOrSplit) {
  std::vector<ProbeRecord> all;
  for (int i = 0; i < 60; ++i) {
    all.push_back(probe(ip("10.0.0.66"), IpAddr::v4(0x0A000200u + i), 80, kT0 + i * 900 * kMs));
    all.push_back(probe(ip("10.0.0.67"), ip("10.0.0.20"), static_cast<uint16_t>(1000 + i), kT0 + i * 800 * kMs));
  }
  auto titles = [](std::vector<Alert> alerts) {
    std::vector<std::string> out;
    for (const Alert& a : alerts)
      out.push_back(a.definition_id + " " + a.source_ip.str() + " " + a.destination_ip.str());
    std::sort(out.begin(), out.end());
    return out;
  };
  ActivityBatch in_order;
  in_order.probes = all;
  const auto expected = titles(scan_alerts({in_order}));
  ASSERT_EQ(expected.size(), 2u);
  ActivityBatch even, odd;
  for (size_t i = 0; i < all.size(); ++i) (i % 4 < 2 ? even : odd).probes.push_back(all[all.size() - 1 - i]);
  EXPECT_EQ(titles(scan_alerts({odd, even})), expected);
  EXPECT_EQ(titles(scan_alerts({even, odd})), expected);
}

}  // namespace
}  // namespace ots::detect
