#include "detect/engine/alert_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "detect/engine/pcap_evidence.h"
#include "tests/support/tshark.h"
#include "tests/unit/engine/test_helpers.h"

namespace ots::detect {
namespace {

using namespace test;

Alert make_alert(const char* id, const char* src, const char* dst, int64_t ts) {
  Alert a;
  a.engine = EngineKind::Operational;
  a.severity = Severity::Major;
  a.definition_id = id;
  a.title = "PLC stop command";
  a.message = "stop";
  a.source_ip = ip(src);
  a.destination_ip = ip(dst);
  a.source_mac = mac("02:00:00:00:00:01");
  a.protocol = "s7comm";
  a.attack_techniques = {"T0858", "T0881"};
  a.group = "Restart/Stop Commands";
  a.activity = "code=0x29";
  a.first_seen_ns = a.last_seen_ns = ts;
  return a;
}

// A minimal Ethernet/IPv4/TCP frame, so tshark has something real to decode.
std::vector<uint8_t> frame(uint8_t marker) {
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
                            0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 5, 10, 0, 0, 20,
                            0xc3, 0x50, 0, 102, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, marker};
  f[17] = static_cast<uint8_t>(f.size() - 14);
  return f;
}

TEST(AlertStore, RepeatsAggregateIntoOneRow) {
  TempDir dir;
  auto store = AlertStore::open(dir.file("a.db"));
  Alert a = make_alert("ots.operational.plc_stop", "10.0.0.5", "10.0.0.20", kT0);
  a.count = 2;
  const int64_t id = store->record(a);
  Alert again = make_alert("ots.operational.plc_stop", "10.0.0.5", "10.0.0.20", kT0 + 10 * kSecond);
  again.message = "stop again";
  EXPECT_EQ(store->record(again), id);
  EXPECT_NE(store->record(make_alert("ots.operational.plc_stop", "10.0.0.6", "10.0.0.20", kT0)), id);
  auto stored = store->get(id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->alert.count, 3u);
  EXPECT_EQ(stored->alert.first_seen_ns, kT0);
  EXPECT_EQ(stored->alert.last_seen_ns, kT0 + 10 * kSecond);
  EXPECT_EQ(stored->alert.message, "stop again");
  EXPECT_EQ(stored->alert.attack_techniques, (std::vector<std::string>{"T0858", "T0881"}));
  EXPECT_EQ(stored->alert.source_ip, ip("10.0.0.5"));
  EXPECT_EQ(stored->alert.source_mac, mac("02:00:00:00:00:01"));
  EXPECT_EQ(stored->alert.activity, "code=0x29");
  EXPECT_EQ(store->list({}).total, 2);
}

TEST(AlertStore, MutedStaysMutedAcknowledgedReopens) {
  TempDir dir;
  auto store = AlertStore::open(dir.file("a.db"));
  const int64_t muted = store->record(make_alert("x.muted", "10.0.0.5", "10.0.0.20", kT0));
  const int64_t acked = store->record(make_alert("x.acked", "10.0.0.5", "10.0.0.20", kT0));
  EXPECT_TRUE(store->set_state(muted, AlertState::Muted, "alice", kT0 + 1));
  EXPECT_TRUE(store->set_state(acked, AlertState::Acknowledged, "bob", kT0 + 2));
  EXPECT_FALSE(store->set_state(999, AlertState::Muted, "bob", kT0));
  auto a = store->get(acked);
  EXPECT_EQ(a->alert.state, AlertState::Acknowledged);
  EXPECT_EQ(a->state_changed_by, "bob");
  EXPECT_EQ(a->state_changed_at_ns, kT0 + 2);
  store->record(make_alert("x.muted", "10.0.0.5", "10.0.0.20", kT0 + 5));
  store->record(make_alert("x.acked", "10.0.0.5", "10.0.0.20", kT0 + 5));
  auto m = store->get(muted);
  EXPECT_EQ(m->alert.state, AlertState::Muted);
  EXPECT_EQ(m->alert.count, 2u);
  EXPECT_EQ(m->state_changed_by, "alice");
  EXPECT_EQ(store->get(acked)->alert.state, AlertState::New);
}

TEST(AlertStore, Comments) {
  TempDir dir;
  auto store = AlertStore::open(dir.file("a.db"));
  const int64_t id = store->record(make_alert("x", "10.0.0.5", "10.0.0.20", kT0));
  EXPECT_GT(store->add_comment(id, "alice", "checked with the plant", kT0), 0);
  EXPECT_EQ(store->add_comment(id + 100, "alice", "nothing", kT0), 0);
  auto stored = store->get(id);
  ASSERT_EQ(stored->comments.size(), 1u);
  EXPECT_EQ(stored->comments[0].author, "alice");
  EXPECT_EQ(stored->comments[0].text, "checked with the plant");
}

TEST(AlertStore, FiltersPaginationAndTotal) {
  TempDir dir;
  auto store = AlertStore::open(dir.file("a.db"));
  std::vector<Alert> batch;
  for (int i = 0; i < 25; ++i) {
    Alert a = make_alert(("x." + std::to_string(i)).c_str(), i % 2 ? "10.0.0.5" : "10.0.0.6", "10.0.0.20",
                         kT0 + i * kSecond);
    a.engine = i % 5 == 0 ? EngineKind::Anomaly : EngineKind::Operational;
    a.severity = static_cast<Severity>(i % 4);
    batch.push_back(a);
  }
  store->record_all(batch);
  AlertFilter f;
  f.limit = 10;
  AlertPage page = store->list(f);
  EXPECT_EQ(page.total, 25);
  ASSERT_EQ(page.alerts.size(), 10u);
  EXPECT_EQ(page.alerts[0].alert.definition_id, "x.24");  // newest first
  f.offset = 20;
  EXPECT_EQ(store->list(f).alerts.size(), 5u);

  AlertFilter engine;
  engine.engine = EngineKind::Anomaly;
  EXPECT_EQ(store->list(engine).total, 5);
  AlertFilter severity;
  severity.severity = Severity::Critical;
  EXPECT_EQ(store->list(severity).total, 6);
  AlertFilter worse;
  worse.min_severity = Severity::Major;
  EXPECT_EQ(store->list(worse).total, 12);
  AlertFilter device;
  device.device_ip = ip("10.0.0.5");
  EXPECT_EQ(store->list(device).total, 12);
  device.device_ip = ip("10.0.0.20");
  EXPECT_EQ(store->list(device).total, 25);
  AlertFilter text;
  text.text = "X.2";  // case-insensitive: x.2 and x.20 … x.24
  EXPECT_EQ(store->list(text).total, 6);
  text.text = "plc STOP";
  EXPECT_EQ(store->list(text).total, 25);
  text.text = "10.0.0.5";
  EXPECT_EQ(store->list(text).total, 12);
  text.text = "100%_";  // no LIKE wildcards: plain text that nothing contains
  EXPECT_EQ(store->list(text).total, 0);
  AlertFilter time;
  time.from_ns = kT0 + 10 * kSecond;
  time.to_ns = kT0 + 14 * kSecond;
  EXPECT_EQ(store->list(time).total, 5);
  store->set_state(store->list(f).alerts[0].alert.id, AlertState::Muted, "x", kT0);
  AlertFilter state;
  state.state = AlertState::Muted;
  EXPECT_EQ(store->list(state).total, 1);
}

TEST(AlertStore, EvidenceIsBoundedAndServedAsAPcapTsharkReads) {
  TempDir dir;
  auto store = AlertStore::open(dir.file("a.db"));
  Alert a = make_alert("x", "10.0.0.5", "10.0.0.20", kT0);
  for (int i = 0; i < 15; ++i) {
    a.evidence_frames.push_back(frame(static_cast<uint8_t>(i)));
    a.evidence_times_ns.push_back(kT0 + i * kMs + 123);
  }
  const int64_t id = store->record(a);
  store->record(a);  // 15 more offered: only 5 fit
  auto stored = store->get(id);
  EXPECT_EQ(stored->evidence_count, kMaxEvidenceFrames);
  ASSERT_EQ(stored->alert.evidence_frames.size(), kMaxEvidenceFrames);
  EXPECT_EQ(stored->alert.evidence_frames[15], frame(0));

  auto pcap = store->pcap(id);
  ASSERT_TRUE(pcap);
  EXPECT_FALSE(store->pcap(id + 1000));
  ASSERT_GE(pcap->size(), 24u);
  EXPECT_EQ((*pcap)[0], 0x4d);  // a1b23c4d little-endian: nanosecond pcap
  EXPECT_EQ((*pcap)[3], 0xa1);
  EXPECT_EQ(pcap->size(), 24 + kMaxEvidenceFrames * (16 + frame(0).size()));
  if (!test_support::have_tshark()) GTEST_SKIP() << "tshark not installed";
  const std::string path = dir.file("evidence.pcap");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(pcap->data()),
                                              static_cast<std::streamsize>(pcap->size()));
  auto lines = test_support::run_lines("tshark -r " + path + " -T fields -e frame.time_epoch -e ip.src -e tcp.dstport");
  ASSERT_EQ(lines.size(), kMaxEvidenceFrames);
  EXPECT_EQ(lines[0], "1700000000.000000123\t10.0.0.5\t102");
}

TEST(AlertStore, ReadOnlyReaderSeesTheWritersRowsAndAnEmptyDatabase) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);  // a database without the alerts module
  auto empty = AlertStore::open(path, SqliteConnection::Mode::ReadOnly);
  EXPECT_EQ(empty->list({}).total, 0);
  EXPECT_FALSE(empty->get(1));
  auto writer = AlertStore::open(path);
  const int64_t id = writer->record(make_alert("x", "10.0.0.5", "10.0.0.20", kT0));
  auto reader = AlertStore::open(path, SqliteConnection::Mode::ReadOnly);
  EXPECT_EQ(reader->list({}).total, 1);
  EXPECT_TRUE(reader->get(id));
  EXPECT_THROW(reader->record(make_alert("y", "10.0.0.5", "10.0.0.20", kT0)), StoreError);
}

TEST(AlertStore, L2AlertsAggregateByMac) {
  TempDir dir;
  auto store = AlertStore::open(dir.file("a.db"));
  Alert a;
  a.definition_id = "ots.anomaly.gratuitous_arp_storm";
  a.source_mac = mac("02:00:00:00:00:10");
  a.protocol = "arp";
  Alert b = a;
  b.source_mac = mac("02:00:00:00:00:11");
  EXPECT_EQ(store->record(a), store->record(a));
  EXPECT_NE(store->record(a), store->record(b));
}

TEST(PcapEvidence, EmptyPcapIsAHeader) {
  auto bytes = make_pcap({});
  EXPECT_EQ(bytes.size(), 24u);
}

}  // namespace
}  // namespace ots::detect
