// End-to-end detection checks on captures generated here: scans against polling, the same
// alerts whatever the worker count, and replays of several files whose times lie far apart.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <sqlite3.h>

#include "pcaps/gen/capture_writer.h"
#include "pcaps/gen/ot_payloads.h"
#include "pcaps/gen/proto_payloads.h"
#include "pcaps/gen/recorder.h"
#include "tests/e2e/e2e_support.h"

namespace ots::e2e {
namespace {

using pcapgen::Endpoint;
using pcapgen::Recorder;
using pcapgen::TcpConversation;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kYear = 365 * 86400 * kSecond;
constexpr int64_t kJan2024 = 1704067200 * kSecond;

struct PlantSpec {
  int64_t start_ns = kJan2024;
  int subnet = 1;                // 10.<subnet>.x.y, so two plants never share a device
  int plcs = 30;                 // polled by one master every 10 s
  int64_t duration_ns = 600 * kSecond;
  int silent_plc_after_s = -1;   // >= 0: PLC 1 stops answering (and is no longer polled) then
  bool address_scan = false;     // 10.<subnet>.0.66 sends SYNs to 40 absent hosts
  bool port_scan = false;        // 10.<subnet>.0.67 probes 30 ports of PLC 1, which resets them
  bool ping_sweep = false;       // 10.<subnet>.0.68 pings 40 hosts; the 5 that exist answer
  bool arp_sweep = false;        // 10.<subnet>.0.69 ARPs for all of 10.<subnet>.1.0/24; the PLCs answer
  bool identity_scan = false;    // 10.<subnet>.0.70 asks 10 PLCs for their Modbus device identification
  bool floods = false;           // 2,500 SYNs to PLC 1 and 2,500 UDP datagrams to PLC 2, each within 0.5 s,
                                 // from as many spoofed sources
};

Endpoint host(int subnet, int third, int fourth) {
  const std::string ip = "10." + std::to_string(subnet) + "." + std::to_string(third) + "." + std::to_string(fourth);
  char mac[32];
  std::snprintf(mac, sizeof mac, "02:00:%02x:%02x:%02x:%02x", subnet & 0xff, third & 0xff, fourth & 0xff, 1);
  return {pcapgen::mac(mac), pcapgen::ip(ip.c_str())};
}

void write_plant(const std::string& path, const PlantSpec& spec) {
  pcapgen::PcapWriter writer(path, 1);
  Recorder rec(writer, spec.start_ns);
  const auto lan = pcapgen::ethernet_link();
  const Endpoint master = host(spec.subnet, 0, 1);
  std::vector<std::unique_ptr<TcpConversation>> polls;
  for (int i = 1; i <= spec.plcs; ++i) {
    polls.push_back(std::make_unique<TcpConversation>(rec, lan, master, host(spec.subnet, 1, i),
                                                      static_cast<uint16_t>(50000 + i), 502, 1000 + i));
    if (i != 1 || spec.silent_plc_after_s != 0) polls.back()->handshake();
  }
  // The master resolves its PLCs (they answer) and three addresses of devices that are
  // switched off: a few unanswered requests are no scan.
  auto arp_request = [&](const Endpoint& from, const IpAddr& target) {
    rec.emit(pcapgen::ethernet({from.mac, pcapgen::mac("ff:ff:ff:ff:ff:ff"), {}}, pcapgen::ethertype::Arp,
                               pcapgen::arp(1, from.mac, from.ip, MacAddr{}, target)));
  };
  auto arp_reply = [&](const Endpoint& from, const Endpoint& to) {
    rec.emit(pcapgen::ethernet({from.mac, to.mac, {}}, pcapgen::ethertype::Arp,
                               pcapgen::arp(2, from.mac, from.ip, to.mac, to.ip)));
  };
  for (int i = 1; i <= spec.plcs; ++i) {
    arp_request(master, host(spec.subnet, 1, i).ip);
    rec.advance(1'000'000);
    arp_reply(host(spec.subnet, 1, i), master);
  }
  for (int i = 1; i <= 3; ++i) arp_request(master, host(spec.subnet, 3, i).ip);
  uint16_t transaction = 0;
  for (int64_t round = 0; rec.now() - spec.start_ns < spec.duration_ns; ++round) {
    const int64_t elapsed_s = (rec.now() - spec.start_ns) / kSecond;
    for (int i = 1; i <= spec.plcs; ++i) {
      if (i == 1 && spec.silent_plc_after_s >= 0 && elapsed_s >= spec.silent_plc_after_s) continue;
      ++transaction;
      polls[i - 1]->exchange(pcapgen::modbus_read_request(transaction, 1, 0, 10),
                             pcapgen::modbus_read_response(transaction, 1, 10, transaction), false);
    }
    if (round == 3 && spec.address_scan) {
      const Endpoint scanner = host(spec.subnet, 0, 66);
      for (int i = 1; i <= 40; ++i) {
        TcpConversation probe(rec, lan, scanner, host(spec.subnet, 2, i), 40000, 502, 5000 + i);
        probe.send(true, pcapgen::tcp_flags::Syn);
      }
    }
    if (round == 5 && spec.port_scan) {
      const Endpoint scanner = host(spec.subnet, 0, 67);
      for (int port = 1; port <= 30; ++port) {
        TcpConversation probe(rec, lan, scanner, host(spec.subnet, 1, 1), 41000, static_cast<uint16_t>(port), 9000);
        probe.send(true, pcapgen::tcp_flags::Syn);
        probe.send(false, pcapgen::tcp_flags::Rst | pcapgen::tcp_flags::Ack);
      }
    }
    if (round == 7 && spec.ping_sweep) {
      const Endpoint scanner = host(spec.subnet, 0, 68);
      for (int i = 1; i <= 40; ++i) {
        pcapgen::PingConversation ping(rec, lan, scanner, host(spec.subnet, 1, i), static_cast<uint16_t>(i));
        ping.ping(1, pcapgen::pattern_bytes(32, static_cast<uint32_t>(i)), i <= 5);
      }
    }
    if (round == 9 && spec.arp_sweep) {
      const Endpoint scanner = host(spec.subnet, 0, 69);
      for (int i = 1; i <= 254; ++i) {
        arp_request(scanner, host(spec.subnet, 1, i).ip);
        rec.advance(1'000'000);
        if (i <= spec.plcs) arp_reply(host(spec.subnet, 1, i), scanner);
      }
    }
    if (round == 13 && spec.identity_scan) {
      const Endpoint scanner = host(spec.subnet, 0, 70);
      for (int i = 1; i <= 10; ++i) {
        TcpConversation ask(rec, lan, scanner, host(spec.subnet, 1, i), 42000, 502, 11000 + i);
        ask.handshake();
        ask.exchange(pcapgen::proto::modbus_device_id_request(1, 1),
                     pcapgen::proto::modbus_device_id_reply(1, 1, "ACME", "P1", "1.0"), true);
      }
    }
    if (round == 11 && spec.floods) {
      const MacAddr attacker = pcapgen::mac("02:66:66:66:66:66");
      for (int i = 0; i < 2500; ++i) {
        const Endpoint spoofed{attacker, IpAddr::v4(0xAC100000u + static_cast<uint32_t>(i) + 1)};  // 172.16/16
        TcpConversation syn(rec, lan, spoofed, host(spec.subnet, 1, 1), static_cast<uint16_t>(20000 + i), 502,
                            static_cast<uint32_t>(7000 + i));
        syn.send(true, pcapgen::tcp_flags::Syn);
        rec.advance(100'000);
        pcapgen::UdpConversation datagram(rec, lan, spoofed, host(spec.subnet, 1, 2),
                                          static_cast<uint16_t>(30000 + i), 161);
        datagram.send(true, pcapgen::pattern_bytes(64, static_cast<uint32_t>(i)));
        rec.advance(100'000);
      }
    }
    rec.advance(10 * kSecond);
  }
  writer.close();
}

using AlertKey = std::tuple<std::string, std::string, std::string>;  // title, source, destination

std::string text(const nlohmann::json& object, const char* key) {
  return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : std::string();
}

std::set<AlertKey> alert_keys(const std::string& db) {
  const nlohmann::json out = json_of(otsensor("alerts --json --db " + shell_quote(db)));
  std::set<AlertKey> keys;
  for (const auto& a : out["alerts"]) keys.emplace(text(a, "title"), text(a, "sourceIp"), text(a, "destinationIp"));
  return keys;
}

// `must_succeed`: false for the deliberately damaged sample captures (replay reports them, exit 2).
std::set<AlertKey> replay(const TempDir& dir, const std::string& name, const std::vector<std::string>& files,
                          int workers, bool must_succeed = true) {
  const std::string db = dir.file(name + ".db");
  std::string command = otsensor("replay --workers " + std::to_string(workers) + " --db " + shell_quote(db));
  for (const auto& f : files) command += " " + shell_quote(f);
  const Result r = run(command);
  if (must_succeed) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  return alert_keys(db);
}

size_t count_title(const std::set<AlertKey>& keys, const std::string& title) {
  return static_cast<size_t>(
      std::count_if(keys.begin(), keys.end(), [&](const AlertKey& k) { return std::get<0>(k) == title; }));
}

std::string describe(const std::set<AlertKey>& keys) {
  std::string out;
  for (const auto& [title, source, destination] : keys) out += title + " " + source + " -> " + destination + "\n";
  return out;
}

TEST(ScanDetection, PollingIsNoScanAndRealScansAreFoundWithAnyWorkerCount) {
  TempDir dir;
  const std::string capture = dir.file("plant_scans.pcap");
  PlantSpec spec;
  spec.plcs = 40;  // more PLCs than the address-scan threshold: the master still does not scan
  spec.address_scan = true;
  spec.port_scan = true;
  spec.ping_sweep = true;
  spec.arp_sweep = true;
  spec.floods = true;
  write_plant(capture, spec);
  const auto one = replay(dir, "one", {capture}, 1);
  const auto two = replay(dir, "two", {capture}, 2);
  EXPECT_EQ(one, two) << "1 worker:\n" << describe(one) << "2 workers:\n" << describe(two);
  // Floods spread over the workers are summed centrally, as scans are.
  EXPECT_TRUE(one.contains({"SYN flood", "", "10.1.1.1"})) << describe(one);
  EXPECT_TRUE(one.contains({"UDP flood", "", "10.1.1.2"})) << describe(one);
  EXPECT_TRUE(one.contains({"Address scan", "10.1.0.66", ""})) << describe(one);
  EXPECT_TRUE(one.contains({"Port scan", "10.1.0.67", "10.1.1.1"})) << describe(one);
  EXPECT_TRUE(one.contains({"Address scan", "10.1.0.68", ""})) << describe(one);  // the ping sweep
  EXPECT_TRUE(one.contains({"Address scan", "10.1.0.69", ""})) << describe(one);  // the ARP sweep
  EXPECT_EQ(count_title(one, "Address scan"), 3u) << describe(one);
  EXPECT_EQ(count_title(one, "Port scan"), 1u) << describe(one);
}

// The inventory flags the hosts that scanned, whichever worker saw their probes: the address
// sweep, the port scan, the ping sweep, the ARP sweep and the identity requests. The master polling 40 PLCs,
// the scanned PLCs and the spoofed flood sources are no scanners.
TEST(ScanDetection, InventoryFlagsTheScanners) {
  TempDir dir;
  const std::string capture = dir.file("plant_scanners.pcap");
  PlantSpec spec;
  spec.plcs = 40;
  spec.address_scan = spec.port_scan = spec.ping_sweep = spec.arp_sweep = spec.identity_scan = spec.floods = true;
  write_plant(capture, spec);
  for (int workers : {1, 2}) {
    SCOPED_TRACE(std::to_string(workers) + " worker(s)");
    const std::string db = dir.file("scanners" + std::to_string(workers) + ".db");
    replay(dir, "scanners" + std::to_string(workers), {capture}, workers);
    std::map<std::string, std::vector<std::string>> scanners;  // first IP -> reasons
    for (const auto& d : json_of(otsensor("devices --json --db " + shell_quote(db))))
      if (d["scanner"].get<bool>()) scanners[d["ipAddresses"][0].get<std::string>()] = d["typeReasons"];
    const std::map<std::string, std::vector<std::string>> expected{
        {"10.1.0.66", {"probed 40 hosts without a conversation (no answer, a refusal or a single reply)"}},
        {"10.1.0.67", {"probed 30 tcp ports of 10.1.1.1"}},
        {"10.1.0.68", {"probed 40 hosts without a conversation (no answer, a refusal or a single reply)"}},
        {"10.1.0.69", {"asked ARP for 214 addresses no host holds"}},
        {"10.1.0.70", {"asked 10 devices for their identity"}},
    };
    EXPECT_EQ(scanners, expected);
  }
}

// What an evidence frame says about itself: the sender's IPv4 address (IP source or ARP sender)
// and, for TCP, the flags.
struct EvidenceFrame {
  std::string sender;
  int tcp_flags = -1;
  bool arp = false;
};

std::vector<EvidenceFrame> evidence_frames(const std::string& pcap) {
  std::ifstream in(pcap, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto u8 = [&](size_t at) { return static_cast<uint8_t>(bytes.at(at)); };
  auto le32 = [&](size_t at) { return u8(at) | u8(at + 1) << 8 | u8(at + 2) << 16 | uint32_t{u8(at + 3)} << 24; };
  auto ipv4 = [&](size_t at) {
    return std::to_string(u8(at)) + "." + std::to_string(u8(at + 1)) + "." + std::to_string(u8(at + 2)) + "." +
           std::to_string(u8(at + 3));
  };
  EXPECT_GE(bytes.size(), 24u);
  EXPECT_TRUE(le32(0) == 0xa1b2c3d4u || le32(0) == 0xa1b23c4du);  // classic pcap (µs or ns)
  EXPECT_EQ(le32(20), 1u);          // Ethernet
  std::vector<EvidenceFrame> frames;
  for (size_t at = 24; at + 16 <= bytes.size();) {
    const size_t frame = at + 16, length = le32(at + 8);
    EvidenceFrame f;
    const uint16_t ethertype = static_cast<uint16_t>(u8(frame + 12) << 8 | u8(frame + 13));
    if (ethertype == 0x0806) {
      f.arp = true;
      f.sender = ipv4(frame + 14 + 14);
    } else if (ethertype == 0x0800) {
      f.sender = ipv4(frame + 14 + 12);
      const size_t ihl = (u8(frame + 14) & 0x0f) * 4u;
      if (u8(frame + 14 + 9) == 6) f.tcp_flags = u8(frame + 14 + ihl + 13);
    }
    frames.push_back(f);
    at = frame + length;
  }
  return frames;
}

// Scan and flood alerts are decided over every worker's probes; their evidence pcap holds the
// probes' own frames, whichever worker saw them: SYNs of the address scan, SYN and RST of the
// refused port scan, echo requests of the ping sweep, ARP requests of the ARP sweep, the spoofed
// SYNs and datagrams of the floods.
TEST(ScanDetection, ScanAlertsCarryTheProbesFramesAsEvidence) {
  TempDir dir;
  const std::string capture = dir.file("plant_scans.pcap");
  PlantSpec spec;
  spec.address_scan = spec.port_scan = spec.ping_sweep = spec.arp_sweep = spec.floods = true;
  write_plant(capture, spec);
  for (int workers : {1, 2}) {
    const std::string db = dir.file("evidence" + std::to_string(workers) + ".db");
    replay(dir, "evidence" + std::to_string(workers), {capture}, workers);
    const nlohmann::json out = json_of(otsensor("alerts --json --db " + shell_quote(db)));
    size_t scans = 0;
    for (const auto& alert : out["alerts"]) {
      const std::string title = text(alert, "title"), scanner = text(alert, "sourceIp");
      const bool flood = title == "SYN flood" || title == "UDP flood";
      if (title != "Address scan" && title != "Port scan" && !flood) continue;
      ++scans;
      SCOPED_TRACE(title + " from " + scanner + ", " + std::to_string(workers) + " worker(s)");
      const std::string pcap = dir.file("alert" + std::to_string(alert["id"].get<int64_t>()) + ".pcap");
      const Result r = run(otsensor("alerts --db " + shell_quote(db) + " --pcap " + std::to_string(alert["id"].get<int64_t>()) +
                                    " --output " + shell_quote(pcap)));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const auto frames = evidence_frames(pcap);
      EXPECT_EQ(alert["evidenceFrames"].get<size_t>(), frames.size());
      EXPECT_GE(frames.size(), flood ? 4u : 8u);  // a UDP flood: the first 4 flows per worker and delta
      size_t from_scanner = 0, syn = 0, rst = 0, arp = 0;
      for (const EvidenceFrame& f : frames) {
        from_scanner += f.sender == scanner;
        syn += f.sender == scanner && f.tcp_flags == 0x02;
        rst += f.sender == "10.1.1.1" && (f.tcp_flags & 0x04) != 0;
        arp += f.arp;
      }
      if (scanner == "10.1.0.66") EXPECT_EQ(syn, frames.size());
      if (scanner == "10.1.0.67") {  // SYN, then the PLC's RST
        EXPECT_EQ(syn, frames.size() / 2);
        EXPECT_EQ(rst, frames.size() / 2);
      }
      if (scanner == "10.1.0.68") EXPECT_EQ(from_scanner, frames.size());
      if (scanner == "10.1.0.69") {
        EXPECT_EQ(arp, frames.size());
        EXPECT_EQ(from_scanner, frames.size());
      }
      if (flood) {  // from the spoofed sources to the flooded PLC: SYNs, or UDP datagrams
        size_t spoofed = 0, spoofed_syn = 0, not_tcp = 0;
        for (const EvidenceFrame& f : frames) {
          spoofed += f.sender.starts_with("172.16.");
          spoofed_syn += f.sender.starts_with("172.16.") && f.tcp_flags == 0x02;
          not_tcp += f.tcp_flags == -1;
        }
        EXPECT_EQ(spoofed, frames.size());
        EXPECT_EQ(title == "SYN flood" ? spoofed_syn : not_tcp, frames.size());
      }
    }
    EXPECT_EQ(scans, 6u);
  }
}

TEST(ScanDetection, SampleCapturesRaiseTheSameAlertsWithOneAndTwoWorkers) {
  TempDir dir;
  size_t compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(OTS_SOURCE_DIR) + "/pcaps")) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".pcap" && entry.path().extension() != ".pcapng") continue;
    const std::string name = entry.path().stem().string();
    const bool damaged = name.starts_with("corrupt_");
    const auto one = replay(dir, name + "-1", {path}, 1, !damaged);
    const auto two = replay(dir, name + "-2", {path}, 2, !damaged);
    EXPECT_EQ(one, two) << name << "\n1 worker:\n" << describe(one) << "2 workers:\n" << describe(two);
    ++compared;
  }
  EXPECT_GE(compared, 20u);
}

// A database that refuses alerts (here a trigger; in the field a lock held past the busy timeout
// or a full disk) does not bring the sensor down: the run ends normally, the inventory is
// stored, and the exit status and message say how many alerts were not stored and why.
TEST(DetectionFailures, RefusedAlertsAreReportedAndTheInventoryIsKept) {
  TempDir dir;
  const std::string db = dir.file("refusing.db");
  const std::string capture = std::string(OTS_SOURCE_DIR) + "/pcaps/attack_s7_stop_download.pcap";
  const std::string benign = std::string(OTS_SOURCE_DIR) + "/pcaps/plant_basic.pcap";
  ASSERT_EQ(run(otsensor("replay --db " + shell_quote(db) + " " + shell_quote(benign))).exit_code, 0);  // the schema
  const size_t benign_alerts = json_of(otsensor("alerts --json --db " + shell_quote(db)))["alerts"].size();
  const size_t benign_devices = json_of(otsensor("devices --json --db " + shell_quote(db))).size();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "CREATE TRIGGER refuse_alerts BEFORE INSERT ON alerts "
                         "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(raw);
  sqlite3_close(raw);
  const Result r = run(otsensor("replay --workers 2 --db " + shell_quote(db) + " " + shell_quote(capture)));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("alerts could not be stored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("refused by the test"), std::string::npos) << r.err;
  const nlohmann::json devices = json_of(otsensor("devices --json --db " + shell_quote(db)));
  EXPECT_GE(devices.size(), benign_devices + 2) << "the attack capture's devices are stored";
  EXPECT_EQ(json_of(otsensor("alerts --json --db " + shell_quote(db)))["alerts"].size(), benign_alerts);
}

// Two captures of different plants, five years apart, replayed in one run in both orders, and
// as two separate runs into one database: nobody fell silent.
TEST(Timelines, FilesFarApartInTimeRaiseNoDeviceSilence) {
  TempDir dir;
  const std::string early = dir.file("early.pcap"), late = dir.file("late.pcap");
  PlantSpec a;
  a.subnet = 1;
  write_plant(early, a);
  PlantSpec b;
  b.subnet = 2;
  b.start_ns = kJan2024 + 5 * kYear;
  write_plant(late, b);
  for (int workers : {1, 2}) {
    const auto forward = replay(dir, "forward" + std::to_string(workers), {early, late}, workers);
    EXPECT_EQ(count_title(forward, "Device suspected disconnected"), 0u) << describe(forward);
    const auto backward = replay(dir, "backward" + std::to_string(workers), {late, early}, workers);
    EXPECT_EQ(count_title(backward, "Device suspected disconnected"), 0u) << describe(backward);
  }
  replay(dir, "separate", {late}, 1);
  const auto separate = replay(dir, "separate", {early}, 1);
  EXPECT_EQ(count_title(separate, "Device suspected disconnected"), 0u) << describe(separate);
}

TEST(Timelines, ARealSilenceStillAlertsInOneFileAndAcrossContinuousFiles) {
  TempDir dir;
  const std::string whole = dir.file("whole.pcap");
  PlantSpec spec;
  spec.duration_ns = 1000 * kSecond;
  spec.silent_plc_after_s = 400;  // it talked for 400 s (more than the 300 s silence time), then not for 600 s
  write_plant(whole, spec);
  const auto alerts = replay(dir, "whole", {whole}, 1);
  EXPECT_TRUE(alerts.contains({"Device suspected disconnected", "10.1.1.1", ""})) << describe(alerts);
  EXPECT_EQ(count_title(alerts, "Device suspected disconnected"), 1u) << describe(alerts);

  // The same plant as two rotated files: the second continues the first's clock.
  const std::string first = dir.file("part1.pcap"), second = dir.file("part2.pcap");
  PlantSpec part1 = spec;
  part1.duration_ns = 500 * kSecond;
  write_plant(first, part1);
  PlantSpec part2 = spec;
  part2.start_ns = spec.start_ns + 500 * kSecond;
  part2.duration_ns = 500 * kSecond;
  part2.silent_plc_after_s = 0;
  write_plant(second, part2);
  for (int workers : {1, 2}) {
    const auto rotated = replay(dir, "rotated" + std::to_string(workers), {first, second}, workers);
    EXPECT_TRUE(rotated.contains({"Device suspected disconnected", "10.1.1.1", ""})) << describe(rotated);
  }
}

}  // namespace
}  // namespace ots::e2e
