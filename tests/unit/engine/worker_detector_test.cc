#include "detect/engine/worker_detector.h"

#include <gtest/gtest.h>

#include "tests/unit/engine/test_helpers.h"

namespace ots::detect {
namespace {

using namespace test;

std::vector<Alert> drain(WorkerDetector& d) {
  std::vector<Alert> out;
  d.drain_alerts(out);
  return out;
}

size_t count_id(const std::vector<Alert>& alerts, std::string_view id) {
  return static_cast<size_t>(
      std::count_if(alerts.begin(), alerts.end(), [&](const Alert& a) { return a.definition_id == id; }));
}

BaselineView established_baseline() {
  BaselineView b;
  b.established = true;
  b.engineering_hosts.insert(ip("10.0.0.5"));
  return b;
}

TEST(BehaviourPack, LoadsAndEnablesEveryBehaviour) {
  BehaviourPack pack = load_behaviour_pack(pack_path());
  EXPECT_TRUE(pack.problems.empty());
  std::vector<SnapshotProblem> problems;
  auto s = make_snapshot(pack.definitions, {}, {}, {}, &problems);
  EXPECT_TRUE(problems.empty());
  for (size_t i = 0; i < kBehaviourCount; ++i) {
    EXPECT_TRUE(s->behaviours[i].enabled) << behaviour_id(static_cast<Behaviour>(i));
    ASSERT_NE(s->behaviours[i].definition, nullptr);
    EXPECT_FALSE(s->behaviours[i].definition->attack_techniques.empty());
  }
  const auto& industroyer2 = s->behaviours[static_cast<size_t>(Behaviour::Industroyer2)];
  EXPECT_EQ(industroyer2.params.threshold, 8u);
  EXPECT_EQ(industroyer2.params.window_ns, 120 * kSecond);
  EXPECT_FALSE(industroyer2.params.needs_baseline);
}

TEST(BehaviourPack, ReportsUnusableEntries) {
  AlertDefinition a;
  a.id = "A";
  a.behaviours = {"no_such_behaviour", "triton window_s=0", "modbus_fc8 colour=red", "dnp3_restart threshold"};
  AlertDefinition b;
  b.id = "B";
  b.behaviours = {"frostygoop", "frostygoop threshold=2"};
  std::vector<SnapshotProblem> problems;
  auto s = make_snapshot({a, b}, {}, {}, {}, &problems);
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_NE(problems[0].reason.find("unknown behaviour"), std::string::npos);
  EXPECT_NE(problems[1].reason.find("window_s"), std::string::npos);
  EXPECT_NE(problems[2].reason.find("unknown parameter"), std::string::npos);
  EXPECT_NE(problems[3].reason.find("key=value"), std::string::npos);
  EXPECT_NE(problems[4].reason.find("already enabled"), std::string::npos);
  EXPECT_TRUE(s->behaviours[static_cast<size_t>(Behaviour::FrostyGoop)].enabled);
  EXPECT_FALSE(s->behaviours[static_cast<size_t>(Behaviour::Triton)].enabled);
}

TEST(BehaviourPack, RejectsBadDocumentsAndListsBadDefinitions) {
  EXPECT_THROW(parse_behaviour_pack("{"), std::invalid_argument);
  EXPECT_THROW(parse_behaviour_pack(R"({"format":"other","definitions":[]})"), std::invalid_argument);
  EXPECT_THROW(parse_behaviour_pack(R"({"format":"otsensor-behaviour-pack"})"), std::invalid_argument);
  BehaviourPack pack = parse_behaviour_pack(R"({"format":"otsensor-behaviour-pack","definitions":[
    {"id":"X","title":"t","severity":"Huge","behaviours":["triton"]},
    {"id":"Y","title":"t","severity":"Minor"},
    {"id":"Z","title":"t","severity":"Minor","behaviours":["triton"]},
    {"id":"Z","title":"t","severity":"Minor","behaviours":["triton"]}, 7]})");
  ASSERT_EQ(pack.definitions.size(), 1u);
  ASSERT_EQ(pack.problems.size(), 4u);
  EXPECT_NE(pack.problems[0].reason.find("severity"), std::string::npos);
  EXPECT_NE(pack.problems[1].reason.find("no behaviour"), std::string::npos);
  EXPECT_EQ(pack.problems[2].reason, "duplicate id");
}

TEST(ProtocolViolation, AnomalyRaisesAggregatedAlertWithTheFlowsFrames) {
  WorkerDetector d(snapshot());
  FlowContext ctx = tcp("10.0.0.1", "10.0.0.2", 20000, kT0);
  FlowContext other = tcp("10.0.0.3", "10.0.0.2", 502, kT0);
  const uint8_t frame_a[] = {1, 2, 3}, frame_b[] = {9, 9};
  d.on_packet(kT0, frame_a, WorkerDetector::flow_id(ctx));
  d.on_packet(kT0 + 1, frame_b, WorkerDetector::flow_id(other));
  d.on_packet(kT0 + 2, frame_a, WorkerDetector::flow_id(ctx));
  for (int i = 0; i < 3; ++i) {
    ctx.ts_ns = kT0 + i * kSecond;
    d.on_anomaly(ctx, "dnp3", "dnp3.bad_link_crc");
  }
  d.on_anomaly(ctx, "modbus", "modbus.invalid_function_code");
  auto alerts = drain(d);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].definition_id, "ots.protocol.dnp3.bad_link_crc");
  EXPECT_EQ(alerts[0].engine, EngineKind::ProtocolViolation);
  EXPECT_EQ(alerts[0].severity, Severity::Minor);
  EXPECT_EQ(alerts[0].count, 3u);
  EXPECT_EQ(alerts[0].last_seen_ns, kT0 + 2 * kSecond);
  ASSERT_EQ(alerts[0].evidence_frames.size(), 2u);  // the other flow's frame is not evidence
  EXPECT_EQ(alerts[0].evidence_frames[0], std::vector<uint8_t>({1, 2, 3}));
  EXPECT_EQ(alerts[1].severity, Severity::Major);
  EXPECT_TRUE(drain(d).empty());
}

TEST(ProtocolViolation, SwitchedOffBySnapshot) {
  EngineSwitches off;
  off.protocol_violation = false;
  WorkerDetector d(snapshot({}, {}, off));
  d.on_anomaly(tcp("10.0.0.1", "10.0.0.2", 502, kT0), "modbus", "modbus.invalid_length");
  EXPECT_TRUE(drain(d).empty());
}

TEST(Operational, ControllerCommandsRaiseTheirAlerts) {
  WorkerDetector d(snapshot());
  FlowContext s7 = tcp("10.0.0.5", "10.0.0.20", 102, kT0);
  d.on_operation(s7, "s7comm", Side::Client, request(0x29, "PLC Stop", true, "P_PROGRAM"));
  d.on_operation(s7, "s7comm", Side::Server, response(0x29, "PLC Stop", false));  // the answer: no second alert
  d.on_operation(s7, "s7comm", Side::Client, request(0x1A, "Request Download", true, "OB1"));
  FlowContext mb = tcp("10.0.0.5", "10.0.0.21", 502, kT0);
  d.on_operation(mb, "modbus", Side::Client, request(8, "Diagnostics", true, "Force Listen Only Mode"));
  FlowContext dnp = tcp("10.0.0.5", "10.0.0.22", 20000, kT0);
  d.on_operation(dnp, "dnp3", Side::Client, request(13, "Cold Restart", true));
  FlowContext iec = tcp("10.0.0.5", "10.0.0.23", 2404, kT0);
  d.on_operation(iec, "iec104", Side::Client, request(0x113, "STOPDT act", true));
  FlowContext dcp;
  dcp.ts_ns = kT0;
  dcp.client_mac = mac("02:00:00:00:00:05");
  dcp.server_mac = mac("02:00:00:00:00:30");
  d.on_operation(dcp, "profinet", Side::Client, request(0x40505, "DCP Factory Reset", true));
  auto alerts = drain(d);
  EXPECT_EQ(count_id(alerts, "ots.operational.plc_stop"), 1u);
  EXPECT_EQ(count_id(alerts, "ots.operational.program_download"), 1u);
  EXPECT_EQ(count_id(alerts, "ots.operational.modbus_force_listen_only"), 1u);
  EXPECT_EQ(count_id(alerts, "ots.operational.dnp3_cold_restart"), 1u);
  EXPECT_EQ(count_id(alerts, "ots.operational.iec104_stopdt"), 1u);
  EXPECT_EQ(count_id(alerts, "ots.operational.profinet_factory_reset"), 1u);
  for (const Alert& a : alerts) {
    if (a.engine == EngineKind::Operational) {
      EXPECT_FALSE(a.attack_techniques.empty()) << a.definition_id;
    }
  }
}

TEST(Operational, BenignPollingRaisesNothing) {
  WorkerDetector d(snapshot());
  for (int i = 0; i < 500; ++i) {
    FlowContext ctx = tcp("10.0.0.9", "10.0.0.20", 502, kT0 + i * 100 * kMs);
    d.on_operation(ctx, "modbus", Side::Client, ranged(request(3, "Read Holding Registers"), 1, 0, 10));
    d.on_operation(ctx, "modbus", Side::Server, ranged(response(3, "Read Holding Registers", false), 1, 0, 10));
    d.on_operation(ctx, "modbus", Side::Client, ranged(request(4, "Read Input Registers"), 1, 100, 4));
  }
  EXPECT_TRUE(drain(d).empty());
}

EndedFlow ended(const char* client, const char* server, uint16_t port, uint8_t transport, uint64_t client_packets,
                uint64_t server_packets, bool payload, bool closed) {
  EndedFlow f;
  f.first_ts_ns = kT0;
  f.last_ts_ns = kT0 + kSecond;
  f.transport = transport;
  f.client = ip(client);
  f.server = ip(server);
  f.client_port = port == 0 ? 0 : 40000;  // ICMP has no ports
  f.server_port = port;
  f.client_packets = client_packets;
  f.server_packets = server_packets;
  f.payload = payload;
  f.closed = closed;
  return f;
}

std::vector<ProbeRecord> probes(WorkerDetector& d) {
  ActivityBatch batch;
  d.drain_activity(batch);
  return batch.probes;
}

TEST(Anomaly, ProbesAreUnansweredOrRefusedFlowsOnly) {
  WorkerDetector d(snapshot());
  d.on_flow_end(ended("10.0.0.1", "10.0.0.20", 502, 6, 100, 100, true, false));  // a poll: answered
  d.on_flow_end(ended("10.0.0.1", "10.0.0.21", 502, 6, 3, 2, false, true));      // connect, close: a session
  d.on_flow_end(ended("10.0.0.1", "10.0.0.22", 161, 17, 2, 2, true, false));     // UDP answered
  d.on_flow_end(ended("10.0.0.1", "255.255.255.255", 47808, 17, 5, 0, true, false));  // broadcast
  EXPECT_TRUE(probes(d).empty());
  d.on_flow_end(ended("10.0.0.66", "10.0.0.30", 102, 6, 2, 0, false, false));  // SYN, SYN retransmitted
  d.on_flow_end(ended("10.0.0.66", "10.0.0.31", 102, 6, 1, 1, false, true));   // SYN, RST
  d.on_flow_end(ended("10.0.0.66", "10.0.0.32", 161, 17, 1, 0, true, false));  // UDP, no reply
  // ICMP: an unanswered ping is a probe; a router's unreachable (not an echo request) is not.
  d.on_flow_start(kT0, 1, ip("10.0.0.66"), 0, ip("10.0.0.33"), 0, {}, true);
  d.on_flow_end(ended("10.0.0.66", "10.0.0.33", 0, 1, 1, 0, true, false));
  d.on_flow_start(kT0, 1, ip("10.0.0.254"), 0, ip("10.0.0.34"), 0, {}, false);
  d.on_flow_end(ended("10.0.0.254", "10.0.0.34", 0, 1, 1, 0, true, false));
  auto found = probes(d);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].kind, ProbeKind::Unanswered);
  EXPECT_EQ(found[0].protocol, "tcp");
  EXPECT_EQ(found[0].ts_ns, kT0);  // the flow's first packet, not its end
  EXPECT_EQ(found[1].kind, ProbeKind::Refused);
  EXPECT_EQ(found[1].server, ip("10.0.0.31"));
  EXPECT_EQ(found[2].kind, ProbeKind::Unanswered);
  EXPECT_EQ(found[2].protocol, "udp");
  EXPECT_EQ(found[3].protocol, "icmp");
  EXPECT_EQ(found[3].server, ip("10.0.0.33"));
  EXPECT_TRUE(drain(d).empty());  // scans are decided centrally
}

TEST(Anomaly, IdentityRequestsAreReportedOncePerPairAndBucket) {
  WorkerDetector d(snapshot());
  for (int round = 0; round < 3; ++round) {
    for (int i = 1; i <= 8; ++i) {
      FlowContext ctx = tcp("10.0.0.66", "10.0.1.1", 44818, kT0 + round * kSecond + i);
      ctx.server_ip = IpAddr::v4(0x0A000100u + i);
      d.on_operation(ctx, "enip", Side::Client, request(0x63, "ListIdentity"));
    }
  }
  auto found = probes(d);
  ASSERT_EQ(found.size(), 8u);
  EXPECT_EQ(found[0].kind, ProbeKind::Identity);
  EXPECT_EQ(found[0].protocol, "enip");
  // The next bucket (half a scan window later) reports again.
  FlowContext later = tcp("10.0.0.66", "10.0.1.1", 44818, kT0 + 31 * kSecond);
  later.server_ip = IpAddr::v4(0x0A000101u);
  d.on_operation(later, "enip", Side::Client, request(0x63, "ListIdentity"));
  EXPECT_EQ(probes(d).size(), 1u);
  EXPECT_TRUE(drain(d).empty());
}

TEST(Anomaly, ArpSpoofingWhileTheOwnerIsAlive) {
  WorkerDetector d(snapshot());
  const MacAddr owner = mac("02:00:00:00:00:10"), attacker = mac("02:00:00:00:00:66");
  d.on_arp(kT0, owner, ip("10.0.0.1"), {}, ip("10.0.0.2"), false);
  d.on_arp(kT0 + 10 * kSecond, attacker, ip("10.0.0.1"), {}, ip("10.0.0.2"), true);
  auto alerts = drain(d);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "ots.anomaly.arp_spoofing");
  EXPECT_EQ(alerts[0].source_mac, attacker);
  EXPECT_EQ(alerts[0].destination_mac, owner);
  // A replaced device: the old MAC was quiet longer than the alive time.
  d.on_arp(kT0, owner, ip("10.0.0.7"), {}, ip("10.0.0.2"), false);
  d.on_arp(kT0 + 600 * kSecond, attacker, ip("10.0.0.7"), {}, ip("10.0.0.2"), false);
  EXPECT_TRUE(drain(d).empty());
}

TEST(Anomaly, GratuitousArpStorm) {
  WorkerDetector d(snapshot());
  for (int i = 0; i < 29; ++i) d.on_arp(kT0 + i * kMs, mac("02:00:00:00:00:10"), ip("10.0.0.1"), {}, ip("10.0.0.1"), true);
  EXPECT_TRUE(drain(d).empty());
  d.on_arp(kT0 + 30 * kMs, mac("02:00:00:00:00:10"), ip("10.0.0.1"), {}, ip("10.0.0.1"), true);
  EXPECT_EQ(count_id(drain(d), "ots.anomaly.gratuitous_arp_storm"), 1u);
}

// ARP requests pair with their replies on packet time: one answered in time is nothing, one
// answered late or never becomes an "arp" probe (the central detector counts ARP sweeps).
TEST(Anomaly, UnansweredArpRequestsBecomeProbes) {
  WorkerDetector d(snapshot());
  const MacAddr scanner = mac("02:00:00:00:00:66");
  const IpAddr from = ip("10.0.0.66");
  auto request = [&](const char* target, int64_t t) { d.on_arp(t, scanner, from, {}, ip(target), false); };
  auto reply = [&](const char* sender, int64_t t) {
    d.on_arp(t, mac("02:00:00:00:00:20"), ip(sender), scanner, from, true);
  };
  request("10.0.0.20", kT0);
  reply("10.0.0.20", kT0 + 2 * kMs);             // answered
  request("10.0.0.21", kT0 + 10 * kMs);
  request("10.0.0.21", kT0 + 1010 * kMs);         // a retry: still one request
  request("10.0.0.22", kT0 + 20 * kMs);
  reply("10.0.0.22", kT0 + 5 * kSecond);          // too late: the request counts as unanswered
  request("10.0.0.23", kT0 + 6 * kSecond);        // still waiting at the end of input
  request("10.0.0.66", kT0 + 6 * kSecond);        // an announcement names itself: no request
  ActivityBatch batch;
  d.drain_activity(batch);
  ASSERT_EQ(batch.probes.size(), 2u);  // .21 and .22, decided once packet time passed their wait
  EXPECT_EQ(batch.probes[0].server, ip("10.0.0.21"));
  EXPECT_EQ(batch.probes[0].ts_ns, kT0 + 10 * kMs);
  EXPECT_EQ(batch.probes[1].server, ip("10.0.0.22"));
  for (const ProbeRecord& p : batch.probes) {
    EXPECT_EQ(p.kind, ProbeKind::Unanswered);
    EXPECT_EQ(p.client, from);
    EXPECT_EQ(p.protocol, "arp");
    EXPECT_EQ(p.transport, 0);
  }
  d.end_of_input();
  ActivityBatch rest;
  d.drain_activity(rest);
  ASSERT_EQ(rest.probes.size(), 1u);
  EXPECT_EQ(rest.probes[0].server, ip("10.0.0.23"));
}

// A flow that may end as a probe keeps its opening frames (the client's first, the server's first
// answer); payload makes it a conversation that keeps none; the probe carries them.
TEST(Anomaly, ProbesCarryTheirOpeningFrames) {
  WorkerDetector d(snapshot());
  const uint64_t refused = WorkerDetector::flow_id(ip("10.0.0.66"), 40000, ip("10.0.0.31"), 102, 6);
  const std::vector<uint8_t> syn(60, 0x11), rst(200, 0x22), retry(60, 0x33);
  d.on_packet(kT0, syn, refused);
  EXPECT_TRUE(d.keep_probe_frame(refused));
  d.on_packet(kT0 + kMs, rst, refused);
  EXPECT_TRUE(d.keep_probe_frame(refused));
  d.on_packet(kT0 + 2 * kMs, retry, refused);
  EXPECT_TRUE(d.keep_probe_frame(refused));  // only the first two stay
  const uint64_t other = WorkerDetector::flow_id(ip("10.0.0.66"), 40000, ip("10.0.0.32"), 102, 6);
  EXPECT_FALSE(d.keep_probe_frame(other));   // the newest ring frame is another flow's
  const uint64_t session = WorkerDetector::flow_id(ip("10.0.0.1"), 40000, ip("10.0.0.20"), 502, 6);
  d.on_packet(kT0, syn, session);
  EXPECT_TRUE(d.keep_probe_frame(session));
  d.forget_probe_frames(session);

  EndedFlow probe = ended("10.0.0.66", "10.0.0.31", 102, 6, 2, 1, false, true);
  probe.evidence_id = refused;
  probe.probe_frames = true;
  d.on_flow_end(probe);
  EndedFlow conversation = ended("10.0.0.1", "10.0.0.20", 502, 6, 3, 0, false, false);
  conversation.evidence_id = session;
  conversation.probe_frames = true;  // forgotten since: it ends as a probe without frames
  d.on_flow_end(conversation);
  auto found = probes(d);
  ASSERT_EQ(found.size(), 2u);
  ASSERT_EQ(found[0].frames.size(), 2u);
  EXPECT_EQ(found[0].frames[0].ts_ns, kT0);
  EXPECT_EQ(std::vector<uint8_t>(found[0].frames[0].view().begin(), found[0].frames[0].view().end()), syn);
  EXPECT_EQ(found[0].frames[1].length, ProbeFrame::kSnapBytes);  // headers and the start of the rest
  EXPECT_EQ(found[0].frames[1].bytes[0], 0x22);
  EXPECT_TRUE(found[1].frames.empty());
}

TEST(Anomaly, ProbeFrameCandidatesAreBoundedAndCounted) {
  EvidenceSettings evidence;
  evidence.probe_candidates = 2;
  WorkerDetector d(snapshot(), evidence);
  const std::vector<uint8_t> syn(60, 0x11);
  for (uint16_t port = 1; port <= 3; ++port) {
    const uint64_t flow = WorkerDetector::flow_id(ip("10.0.0.66"), 40000, ip("10.0.0.31"), port, 6);
    d.on_packet(kT0 + port, syn, flow);
    EXPECT_EQ(d.keep_probe_frame(flow), port <= 2) << port;
  }
  EXPECT_EQ(d.counters().probe_frames_untracked, 1u);
}

TEST(Anomaly, UnansweredArpRequestProbesCarryTheRequest) {
  WorkerDetector d(snapshot());
  const MacAddr scanner = mac("02:00:00:00:00:66");
  const uint64_t frame_flow = WorkerDetector::l2_flow_id(scanner, mac("ff:ff:ff:ff:ff:ff"));
  const std::vector<uint8_t> request(42, 0x06);
  d.on_packet(kT0, request, frame_flow);
  d.on_arp(kT0, scanner, ip("10.0.0.66"), {}, ip("10.0.0.21"), false, frame_flow);
  d.on_arp(kT0 + kMs, scanner, ip("10.0.0.66"), {}, ip("10.0.0.22"), false);  // not in the ring
  d.end_of_input();
  auto found = probes(d);
  ASSERT_EQ(found.size(), 2u);
  ASSERT_EQ(found[0].frames.size(), 1u);
  EXPECT_EQ(found[0].frames[0].length, 42u);
  EXPECT_EQ(found[0].frames[0].ts_ns, kT0);
  EXPECT_TRUE(found[1].frames.empty());
}

// Floods are counted centrally; a worker sums its new UDP flows per server and flood bucket
// (with the first flow's first frame) until it drains them.
TEST(Anomaly, NewUdpFlowsAreCountedPerServerAndBucket) {
  WorkerDetector d(snapshot());
  const std::vector<uint8_t> datagram(80, 0x44);
  for (uint16_t i = 0; i < 150; ++i) {
    const int64_t ts = kT0 + i * kMs;  // 150 ms: one half-second bucket
    const uint64_t flow = WorkerDetector::flow_id(ip("198.51.100.2"), i, ip("10.0.0.21"), 161, 17);
    d.on_packet(ts, datagram, flow);
    d.on_flow_start(ts, 17, ip("198.51.100.2"), i, ip("10.0.0.21"), 161, mac("02:00:00:00:00:21"));
  }
  d.on_flow_start(kT0 + 600 * kMs, 17, ip("198.51.100.2"), 7, ip("10.0.0.21"), 161, {});  // the next bucket
  d.on_flow_start(kT0, 17, ip("10.0.0.5"), 40000, ip("255.255.255.255"), 161, {});  // broadcast: nobody's flood
  d.on_flow_start(kT0, 6, ip("198.51.100.2"), 40000, ip("10.0.0.21"), 80, {});  // TCP: counted from probes
  ActivityBatch batch;
  d.drain_activity(batch);
  ASSERT_EQ(batch.udp_flow_starts.size(), 2u);
  std::sort(batch.udp_flow_starts.begin(), batch.udp_flow_starts.end(),
            [](const FlowStartCount& a, const FlowStartCount& b) { return a.bucket < b.bucket; });
  const FlowStartCount& first = batch.udp_flow_starts[0];
  EXPECT_EQ(first.server, ip("10.0.0.21"));
  EXPECT_EQ(first.server_mac, mac("02:00:00:00:00:21"));
  EXPECT_EQ(first.flows, 150u);
  EXPECT_EQ(first.first_ts_ns, kT0);
  ASSERT_EQ(first.frames.size(), kFlowStartFrames);  // the first flows'
  EXPECT_EQ(first.frames[0].length, 80u);
  EXPECT_EQ(first.frames[3].ts_ns, kT0 + 3 * kMs);
  EXPECT_EQ(batch.udp_flow_starts[1].flows, 1u);
  EXPECT_EQ(batch.udp_flow_starts[1].bucket, first.bucket + 1);
  ActivityBatch again;
  d.drain_activity(again);
  EXPECT_TRUE(again.udp_flow_starts.empty());  // drained
  EXPECT_TRUE(drain(d).empty());               // decided centrally
}

TEST(Anomaly, PasswordGuessing) {
  WorkerDetector d(snapshot());
  for (int i = 0; i < 4; ++i)
    d.on_operation(tcp("10.0.0.66", "10.0.0.30", 80, kT0 + i * kSecond), "http", Side::Server,
                   response(401, "Unauthorized", true));
  EXPECT_TRUE(drain(d).empty());
  d.on_operation(tcp("10.0.0.66", "10.0.0.30", 80, kT0 + 5 * kSecond), "http", Side::Server,
                 response(401, "Unauthorized", true));
  EXPECT_EQ(count_id(drain(d), "ots.anomaly.password_guessing"), 1u);
  // Failed logins of another protocol, by operation name and by anomaly name.
  for (int i = 0; i < 5; ++i)
    d.on_operation(tcp("10.0.0.67", "10.0.0.31", 102, kT0 + i), "s7comm", Side::Server,
                   response(0x14501, "PLC Password", true));
  for (int i = 0; i < 5; ++i) d.on_anomaly(tcp("10.0.0.68", "10.0.0.32", 161, kT0 + i), "snmp", "snmp.wrong_community");
  auto alerts = drain(d);
  EXPECT_EQ(count_id(alerts, "ots.anomaly.password_guessing"), 2u);
  // Successful logins do not count.
  for (int i = 0; i < 10; ++i)
    d.on_operation(tcp("10.0.0.69", "10.0.0.31", 102, kT0 + i), "s7comm", Side::Server,
                   response(0x14501, "PLC Password", false));
  EXPECT_TRUE(drain(d).empty());
  // FTP's 530 is a plain reply, not flagged as an error, and still a failed login.
  for (int i = 0; i < 5; ++i)
    d.on_operation(tcp("10.0.0.70", "10.0.0.33", 21, kT0 + i), "ftp", Side::Server,
                   response(530, "Not logged in", false));
  EXPECT_EQ(count_id(drain(d), "ots.anomaly.password_guessing"), 1u);
}

TEST(Anomaly, AbnormalPollingPeriodAfterLearningOnly) {
  WorkerDetector d(snapshot());
  int64_t t = kT0;
  auto poll = [&] {
    d.on_operation(tcp("10.0.0.9", "10.0.0.20", 502, t), "modbus", Side::Client,
                   ranged(request(3, "Read Holding Registers"), 1, 0, 10));
  };
  // 100 ms ± 3 %: benign, learned after 30 intervals.
  for (int i = 0; i < 200; ++i) {
    poll();
    t += 100 * kMs + ((i % 7) - 3) * kMs;
  }
  EXPECT_TRUE(drain(d).empty());
  ActivityBatch activity;
  d.drain_activity(activity);
  ASSERT_EQ(activity.polling.size(), 1u);
  EXPECT_NEAR(activity.polling[0].stats.mean_ns, 100.0 * kMs, 2.0 * kMs);
  t += 2 * kSecond;  // a long gap
  poll();
  auto alerts = drain(d);
  ASSERT_EQ(count_id(alerts, "ots.anomaly.abnormal_polling_period"), 1u);
}

// The flow memo (the worker passes one per flow) is a shortcut only: with two channels
// alternating on one flow it keeps switching, and the periods learned and judged stay the same.
TEST(Anomaly, PollingThroughAFlowMemoJudgesEachChannel) {
  WorkerDetector d(snapshot());
  WorkerDetector::FlowMemo memo;
  int64_t t = kT0;
  auto poll = [&](uint32_t code, uint32_t address) {
    d.on_operation(tcp("10.0.0.9", "10.0.0.20", 502, t), "modbus", Side::Client,
                   ranged(request(code, code == 3 ? "Read Holding Registers" : "Read Input Registers"), 1, address,
                          10),
                   &memo);
  };
  for (int i = 0; i < 200; ++i) {
    poll(3, 0);
    poll(4, 100);
    t += 100 * kMs + ((i % 7) - 3) * kMs;
  }
  EXPECT_TRUE(drain(d).empty());
  ActivityBatch activity;
  d.drain_activity(activity);
  EXPECT_EQ(activity.polling.size(), 2u);
  t += 2 * kSecond;
  poll(4, 100);
  EXPECT_EQ(count_id(drain(d), "ots.anomaly.abnormal_polling_period"), 1u);
  t += 100 * kMs;
  poll(4, 100);  // back in rhythm (the memo now names this channel)
  EXPECT_TRUE(drain(d).empty());
}

TEST(Anomaly, IrregularChannelIsNeverJudged) {
  WorkerDetector d(snapshot());
  int64_t t = kT0;
  for (int i = 0; i < 300; ++i) {
    d.on_operation(tcp("10.0.0.9", "10.0.0.20", 502, t), "modbus", Side::Client, request(6, "Write Single Register"));
    t += (i % 2 ? 10 : 900) * kMs;
  }
  EXPECT_TRUE(drain(d).empty());
}

TEST(Behaviour, Industroyer2Sequence) {
  WorkerDetector d(snapshot());
  int64_t t = kT0;
  FlowContext ctx = tcp("10.0.0.66", "10.0.0.40", 2404, t);
  d.on_operation(ctx, "iec104", Side::Client, request(0x107, "STARTDT act", true));
  d.on_operation(ctx, "iec104", Side::Client, ranged(request(100, "C_IC_NA_1"), 1, 0, 1));
  for (uint32_t ioa = 1; ioa <= 7; ++ioa) {
    ctx.ts_ns = t + ioa * kSecond;
    d.on_operation(ctx, "iec104", Side::Client, ranged(request(45, "C_SC_NA_1", true), 1, ioa, 1));
  }
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-INDUSTROYER2"), 0u);
  ctx.ts_ns = t + 8 * kSecond;
  d.on_operation(ctx, "iec104", Side::Client, ranged(request(46, "C_DC_NA_1", true), 1, 8, 1));
  auto alerts = drain(d);
  ASSERT_EQ(count_id(alerts, "OTS-BHV-INDUSTROYER2"), 1u);
  const Alert& a = *std::find_if(alerts.begin(), alerts.end(),
                                 [](const Alert& x) { return x.definition_id == "OTS-BHV-INDUSTROYER2"; });
  EXPECT_EQ(a.engine, EngineKind::Malware);
  EXPECT_EQ(a.severity, Severity::Critical);
  EXPECT_EQ(a.attack_techniques.front(), "T0855");
}

TEST(Behaviour, Industroyer2NeedsTheWholeSequenceAndANewMaster) {
  // Commands to many IOAs without STARTDT + interrogation: a normal control session.
  WorkerDetector d(snapshot());
  for (uint32_t ioa = 1; ioa <= 20; ++ioa)
    d.on_operation(tcp("10.0.0.1", "10.0.0.40", 2404, kT0 + ioa), "iec104", Side::Client,
                   ranged(request(45, "C_SC_NA_1", true), 1, ioa, 1));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-INDUSTROYER2"), 0u);
  // The whole sequence from the known master of an established baseline.
  BaselineView b = established_baseline();
  b.known_pair_protocols.insert(pair_protocol_key(ip("10.0.0.1"), ip("10.0.0.40"), "iec104"));
  WorkerDetector known(snapshot(b));
  FlowContext ctx = tcp("10.0.0.1", "10.0.0.40", 2404, kT0);
  known.on_operation(ctx, "iec104", Side::Client, request(0x107, "STARTDT act", true));
  known.on_operation(ctx, "iec104", Side::Client, ranged(request(100, "C_IC_NA_1"), 1, 0, 1));
  for (uint32_t ioa = 1; ioa <= 20; ++ioa)
    known.on_operation(ctx, "iec104", Side::Client, ranged(request(45, "C_SC_NA_1", true), 1, ioa, 1));
  EXPECT_EQ(count_id(drain(known), "OTS-BHV-INDUSTROYER2"), 0u);
}

TEST(Behaviour, FrostyGoopFromTheInternetAndSilentForKnownWriters) {
  WorkerDetector d(snapshot());
  FlowContext ctx = tcp("203.0.113.9", "10.0.0.50", 502, kT0);
  d.on_operation(ctx, "modbus", Side::Client, ranged(request(3, "Read Holding Registers"), 1, 0, 10));
  d.on_operation(ctx, "modbus", Side::Client, ranged(request(6, "Write Single Register", true), 1, 5, 1));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-FROSTYGOOP"), 1u);
  // A private source and no baseline: undecided, silent.
  FlowContext lan = tcp("10.0.0.9", "10.0.0.50", 502, kT0);
  d.on_operation(lan, "modbus", Side::Client, ranged(request(3, "Read Holding Registers"), 1, 0, 10));
  d.on_operation(lan, "modbus", Side::Client, ranged(request(16, "Write Multiple Registers", true), 1, 5, 2));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-FROSTYGOOP"), 0u);
  // Established baseline: the known writer is silent, a new one alerts.
  BaselineView b = established_baseline();
  b.known_writers.insert(pair_protocol_key(ip("10.0.0.9"), ip("10.0.0.50"), "modbus"));
  WorkerDetector e(snapshot(b));
  for (const char* source : {"10.0.0.9", "10.0.0.77"}) {
    FlowContext c = tcp(source, "10.0.0.50", 502, kT0);
    e.on_operation(c, "modbus", Side::Client, ranged(request(3, "Read Holding Registers"), 1, 0, 10));
    e.on_operation(c, "modbus", Side::Client, ranged(request(16, "Write Multiple Registers", true), 1, 5, 2));
  }
  auto alerts = drain(e);
  ASSERT_EQ(count_id(alerts, "OTS-BHV-FROSTYGOOP"), 1u);
  EXPECT_EQ(alerts.back().source_ip, ip("10.0.0.77"));
}

// Through a flow memo a repeated read costs no state lookup; what the state would decide stays:
// reads of an ended window do not arm a later write, reads of the current one do.
TEST(Behaviour, FrostyGoopThroughAFlowMemoJudgesLikeWithout) {
  const auto settings = snapshot();
  const int64_t window = settings->behaviours[static_cast<size_t>(Behaviour::FrostyGoop)].params.window_ns;
  WorkerDetector d(settings);
  WorkerDetector::FlowMemo memo;
  auto op = [&](int64_t t, bool write) {
    d.on_operation(tcp("203.0.113.9", "10.0.0.50", 502, t), "modbus", Side::Client,
                   write ? ranged(request(6, "Write Single Register", true), 1, 5, 1)
                         : ranged(request(3, "Read Holding Registers"), 1, 0, 10),
                   &memo);
  };
  op(kT0, false);
  op(kT0 + kSecond, false);       // within the window: the memo's shortcut
  op(kT0 + window + kSecond, true);  // the reads' window is over: a write alone
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-FROSTYGOOP"), 0u);
  const int64_t later = kT0 + 3 * window;
  op(later, false);
  op(later + kSecond, false);
  op(later + 2 * kSecond, true);
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-FROSTYGOOP"), 1u);
}

TEST(Behaviour, S7StopFromNonEngineeringHostOnly) {
  WorkerDetector d(snapshot(established_baseline()));
  d.on_operation(tcp("10.0.0.5", "10.0.0.20", 102, kT0), "s7comm", Side::Client, request(0x29, "PLC Stop", true));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-S7-STOP-DOWNLOAD"), 0u);  // the engineering station
  d.on_operation(tcp("10.0.0.99", "10.0.0.20", 102, kT0), "s7comm", Side::Client, request(0x29, "PLC Stop", true));
  auto alerts = drain(d);
  EXPECT_EQ(count_id(alerts, "OTS-BHV-S7-STOP-DOWNLOAD"), 1u);
  EXPECT_EQ(count_id(alerts, "ots.operational.plc_stop"), 1u);
  // Without a baseline a private host is undecided: only the operational alert.
  WorkerDetector none(snapshot());
  none.on_operation(tcp("10.0.0.99", "10.0.0.20", 102, kT0), "s7comm", Side::Client, request(0x29, "PLC Stop", true));
  auto only_operational = drain(none);
  EXPECT_EQ(count_id(only_operational, "OTS-BHV-S7-STOP-DOWNLOAD"), 0u);
  EXPECT_EQ(count_id(only_operational, "ots.operational.plc_stop"), 1u);
}

TEST(Behaviour, ControllerBehavioursFromNonEngineeringHosts) {
  WorkerDetector d(snapshot(established_baseline()));
  const char* intruder = "10.0.0.99";
  d.on_operation(tcp(intruder, "10.0.0.21", 502, kT0), "modbus", Side::Client,
                 request(8, "Diagnostics", true, "Restart Communications Option"));
  d.on_operation(tcp(intruder, "10.0.0.21", 502, kT0), "modbus", Side::Client,
                 request(0x5A, "Schneider UMAS", true, "STOP_PLC"));
  d.on_operation(tcp(intruder, "10.0.0.22", 20000, kT0), "dnp3", Side::Client, request(18, "Stop Application", true));
  FlowContext fins = tcp(intruder, "10.0.0.23", 9600, kT0);
  fins.transport = 17;
  d.on_operation(fins, "fins", Side::Client, request(0x0402, "Stop", true));
  d.on_operation(tcp(intruder, "10.0.0.24", 1502, kT0), "tristation", Side::Client,
                 request(1, "Program Download", true));
  auto alerts = drain(d);
  for (const char* id : {"OTS-BHV-MODBUS-FC8", "OTS-BHV-PIPEDREAM-UMAS", "OTS-BHV-DNP3-RESTART",
                         "OTS-BHV-PIPEDREAM-FINS", "OTS-BHV-TRITON"})
    EXPECT_EQ(count_id(alerts, id), 1u) << id;
  // The same operations from the engineering station raise no behaviour alert.
  WorkerDetector eng(snapshot(established_baseline()));
  eng.on_operation(tcp("10.0.0.5", "10.0.0.21", 502, kT0), "modbus", Side::Client,
                   request(0x5A, "Schneider UMAS", true, "STOP_PLC"));
  eng.on_operation(tcp("10.0.0.5", "10.0.0.24", 1502, kT0), "tristation", Side::Client,
                   request(1, "Program Download", true));
  for (const Alert& a : drain(eng)) {
    EXPECT_NE(a.engine, EngineKind::Malware) << a.definition_id;
  }
  // Read-only UMAS from anyone is no behaviour.
  WorkerDetector reads(snapshot(established_baseline()));
  reads.on_operation(tcp(intruder, "10.0.0.21", 502, kT0), "modbus", Side::Client,
                     request(0x5A, "Schneider UMAS", false, "READ_ID"));
  EXPECT_TRUE(drain(reads).empty());
}

TEST(Behaviour, BurstBehaviours) {
  WorkerDetector d(snapshot());
  FlowContext ua = tcp("10.0.0.66", "10.0.0.60", 4840, kT0);
  for (int i = 0; i < 19; ++i) d.on_operation(ua, "opcua", Side::Client, request(527, "Browse"));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-PIPEDREAM-OPCUA"), 0u);
  d.on_operation(ua, "opcua", Side::Client, request(533, "BrowseNext"));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-PIPEDREAM-OPCUA"), 1u);

  FlowContext cs = tcp("10.0.0.66", "10.0.0.61", 11740, kT0);
  for (int i = 0; i < 5; ++i) {
    cs.ts_ns = kT0 + i * kSecond;
    d.on_operation(cs, "codesys", Side::Client, request(2, "Device Login"));
  }
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-PIPEDREAM-CODESYS"), 1u);
  // Logins spread beyond the window are no burst.
  FlowContext slow = tcp("10.0.0.67", "10.0.0.61", 11740, kT0);
  for (int i = 0; i < 10; ++i) {
    slow.ts_ns = kT0 + i * 30 * kSecond;
    d.on_operation(slow, "codesys", Side::Client, request(2, "Device Login"));
  }
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-PIPEDREAM-CODESYS"), 0u);

  FlowContext mms = tcp("10.0.0.66", "10.0.0.62", 102, kT0);
  for (const char* item : {"LD0/CSWI1$CO$Pos$Oper", "LD0/CSWI2$CO$Pos$Oper", "LD0/XCBR1$CO$Pos$Oper"})
    d.on_operation(mms, "mms", Side::Client, request(5, "Write", true, item));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-INDUSTROYER"), 1u);
}

TEST(Behaviour, APublicAddressInTheTargetsOwnPrefixIsNotTheInternet) {
  // Labs and older plants number their networks from public space: a writer in the PLC's own /16
  // is undecided without a baseline, as a private one would be; one outside it is the internet.
  WorkerDetector d(snapshot());
  for (const char* source : {"134.217.99.131", "134.218.61.131"}) {
    FlowContext ctx = tcp(source, "134.217.61.211", 502, kT0);
    d.on_operation(ctx, "modbus", Side::Client, ranged(request(3, "Read Holding Registers"), 1, 0, 10));
    d.on_operation(ctx, "modbus", Side::Client, ranged(request(6, "Write Single Register", true), 1, 5, 1));
  }
  const auto alerts = drain(d);
  ASSERT_EQ(count_id(alerts, "OTS-BHV-FROSTYGOOP"), 1u);
  for (const Alert& a : alerts)
    if (a.definition_id == "OTS-BHV-FROSTYGOOP") {
      EXPECT_EQ(a.source_ip.str(), "134.218.61.131");
    }
  EXPECT_FALSE(is_internet_peer(ip("134.217.61.131"), ip("134.217.61.211")));
  EXPECT_TRUE(is_internet_peer(ip("134.216.61.131"), ip("134.217.61.211")));
  EXPECT_FALSE(is_internet_peer(ip("10.1.2.3"), ip("134.217.61.211")));
  EXPECT_TRUE(is_internet_peer(ip("2001:db8:1::5"), ip("2001:db8:2::9")));
  EXPECT_FALSE(is_internet_peer(ip("2001:db8:1:2::5"), ip("2001:db8:1:3::9")));
}

TEST(Snapshot, SwapTakesEffectAtTheNextEvent) {
  WorkerDetector d(snapshot());
  FlowContext ctx = tcp("203.0.113.9", "10.0.0.50", 502, kT0);
  EngineSwitches no_behaviours;
  no_behaviours.behaviours = false;
  d.set_snapshot(snapshot({}, {}, no_behaviours));
  d.on_operation(ctx, "modbus", Side::Client, ranged(request(3, "Read Holding Registers"), 1, 0, 10));
  d.on_operation(ctx, "modbus", Side::Client, ranged(request(6, "Write Single Register", true), 1, 5, 1));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-FROSTYGOOP"), 0u);
  d.set_snapshot(snapshot());
  ctx.client_ip = ip("203.0.113.10");
  d.on_operation(ctx, "modbus", Side::Client, ranged(request(3, "Read Holding Registers"), 1, 0, 10));
  d.on_operation(ctx, "modbus", Side::Client, ranged(request(6, "Write Single Register", true), 1, 5, 1));
  EXPECT_EQ(count_id(drain(d), "OTS-BHV-FROSTYGOOP"), 1u);
}

BaselineView learning_baseline(uint64_t generation = 0) {
  BaselineView view;
  view.learning = true;
  view.generation = generation;
  return view;
}

// Activity feeds a baseline being learned or compared against; with neither there is nobody to
// read it, and recording starts with the snapshot that starts learning.
TEST(Activity, RecordedOnlyWhileABaselineIsLearnedOrEstablished) {
  WorkerDetector d(snapshot());
  FlowContext ctx = tcp("10.0.0.9", "10.0.0.50", 502, kT0);
  const auto write = ranged(request(6, "Write Single Register", true), 1, 5, 1);
  d.on_operation(ctx, "modbus", Side::Client, write);
  ActivityBatch none;
  d.drain_activity(none);
  EXPECT_TRUE(none.activities.empty());
  d.set_snapshot(snapshot(learning_baseline()));
  d.on_operation(ctx, "modbus", Side::Client, write);
  ActivityBatch learned;
  d.drain_activity(learned);
  EXPECT_EQ(learned.activities.size(), 1u);
  BaselineView established;
  established.established = true;
  d.set_snapshot(snapshot(established));
  d.on_operation(tcp("10.0.0.10", "10.0.0.50", 502, kT0), "modbus", Side::Client, write);
  ActivityBatch compared;
  d.drain_activity(compared);
  EXPECT_EQ(compared.activities.size(), 1u);
}

TEST(Activity, ReportedOnceUntilTheBaselineGenerationChanges) {
  WorkerDetector d(snapshot(learning_baseline()));
  FlowContext ctx = tcp("10.0.0.9", "10.0.0.50", 502, kT0);
  for (int i = 0; i < 10; ++i) {
    d.on_operation(ctx, "modbus", Side::Client, ranged(request(6, "Write Single Register", true), 1, 5, 1));
    d.on_operation(ctx, "modbus", Side::Client, ranged(request(3, "Read Holding Registers"), 1, 0, 10));
  }
  d.on_operation(tcp("10.0.0.5", "10.0.0.20", 102, kT0), "s7comm", Side::Client,
                 ranged(request(4, "Read Var"), 5, 0, 2));
  ActivityBatch batch;
  d.drain_activity(batch);
  ASSERT_EQ(batch.activities.size(), 2u);  // the write and the DB read; plain Modbus reads are not policy input
  EXPECT_TRUE(batch.activities[0].is_write);
  EXPECT_EQ(batch.activities[1].unit, 5u);
  d.set_snapshot(snapshot(learning_baseline(1)));
  d.on_operation(ctx, "modbus", Side::Client, ranged(request(6, "Write Single Register", true), 1, 5, 1));
  ActivityBatch again;
  d.drain_activity(again);
  EXPECT_EQ(again.activities.size(), 1u);
}

// S7 activity is keyed by what the policies compare: reads of one data block (or one area) at
// moving offsets are one activity; another block or area, or a write to another range, is new.
TEST(Activity, S7ReadsAreOneActivityPerBlockOrArea) {
  WorkerDetector d(snapshot(learning_baseline()));
  const FlowContext ctx = tcp("10.0.0.5", "10.0.0.20", 102, kT0);
  for (uint32_t offset = 0; offset < 40; offset += 4) {
    d.on_operation(ctx, "s7comm", Side::Client, ranged(request(4, "Read Var", false, "DB5.DBX 0.0 BYTE 4"), 5, offset, 4));
    d.on_operation(ctx, "s7comm", Side::Client,
                   ranged(request(4, "Read Var", false, offset < 20 ? "M 10.0 BYTE 2" : "M 90.0 BYTE 2"), 0, offset, 2));
  }
  d.on_operation(ctx, "s7comm", Side::Client, ranged(request(4, "Read Var", false, "DB6.DBX 0.0 BYTE 4"), 6, 0, 4));
  d.on_operation(ctx, "s7comm", Side::Client, ranged(request(4, "Read Var", false, "Q 0.0 BYTE 1"), 0, 0, 1));
  d.on_operation(ctx, "s7comm", Side::Client, ranged(request(5, "Write Var", true, "DB5.DBX 0.0 BYTE 4"), 5, 0, 4));
  d.on_operation(ctx, "s7comm", Side::Client, ranged(request(5, "Write Var", true, "DB5.DBX 8.0 BYTE 4"), 5, 8, 4));
  ActivityBatch batch;
  d.drain_activity(batch);
  std::vector<std::string> items;
  for (const ActivityRecord& a : batch.activities)
    items.push_back(s7_policy_item(a.code, a.unit, a.object).str() +
                    (a.is_write ? " write " + std::to_string(a.address) : ""));
  EXPECT_EQ(items, (std::vector<std::string>{"DB5", "M", "DB6", "Q", "DB5 write 0", "DB5 write 8"}));
}

TEST(Activity, S7PolicyItemsNameBlocksAndAreasOnly) {
  EXPECT_EQ(s7_policy_item(0x04, 5, "DB5.DBX 0.0 BYTE 4").str(), "DB5");
  EXPECT_EQ(s7_policy_item(0x05, 0, "Q 4.0 BYTE 1").str(), "Q");
  EXPECT_EQ(s7_policy_item(0x1A, 0, "OB1").str(), "OB1");         // request download
  EXPECT_EQ(s7_policy_item(0x28, 0, "_DELE FC7").str(), "FC7");   // PI service deleting a block
  EXPECT_TRUE(s7_policy_item(0x28, 0, "P_PROGRAM").empty());      // a restart names no block
  EXPECT_TRUE(s7_policy_item(0x29, 0, "P_PROGRAM").empty());      // PLC stop
  EXPECT_TRUE(s7_policy_item(0x10401, 0, "SZL 0x0011 index 0x0000").empty());  // user data: SZL read
}

TEST(Activity, AFlowMemoSkipsOnlyWhatWasReportedInTheCurrentBaseline) {
  WorkerDetector d(snapshot(learning_baseline()));
  WorkerDetector::FlowMemo memo;
  FlowContext ctx = tcp("10.0.0.9", "10.0.0.50", 502, kT0);
  auto write = [&](uint32_t address) {
    d.on_operation(ctx, "modbus", Side::Client, ranged(request(6, "Write Single Register", true), 1, address, 1),
                   &memo);
  };
  for (int i = 0; i < 5; ++i) write(5);
  write(6);
  write(5);  // reported before, though not the memo's last: the set still knows it
  ActivityBatch batch;
  d.drain_activity(batch);
  EXPECT_EQ(batch.activities.size(), 2u);
  d.set_snapshot(snapshot(learning_baseline(1)));
  write(5);  // the memo's key, but from before the baseline changed: reported again
  ActivityBatch again;
  d.drain_activity(again);
  EXPECT_EQ(again.activities.size(), 1u);
}

class OneDomain : public IndicatorMatcher {
 public:
  explicit OneDomain(const AlertDefinition& d) : definition_(d) {}
  const AlertDefinition* match(Observable kind, std::string_view value) const override {
    return kind == Observable::Domain && value == "evil.example" ? &definition_ : nullptr;
  }

 private:
  const AlertDefinition& definition_;
};

TEST(ThreatIntelligence, ObservableHookRaisesTheDefinition) {
  AlertDefinition def;
  def.id = "OTS-TI-0001";
  def.title = "Malicious domain";
  def.severity = Severity::Major;
  OneDomain matcher(def);
  WorkerDetector d(snapshot());
  FlowContext ctx = tcp("10.0.0.9", "10.0.0.53", 53, kT0);
  d.on_observable(ctx, "dns", Side::Client, Observable::Domain, "good.example", matcher);
  d.on_observable(ctx, "dns", Side::Client, Observable::Domain, "evil.example", matcher);
  auto alerts = drain(d);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].definition_id, "OTS-TI-0001");
  EXPECT_EQ(alerts[0].activity, "domain=evil.example");
}

TEST(FlowId, IsSymmetric) {
  EXPECT_EQ(WorkerDetector::flow_id(ip("10.0.0.1"), 1000, ip("10.0.0.2"), 502, 6),
            WorkerDetector::flow_id(ip("10.0.0.2"), 502, ip("10.0.0.1"), 1000, 6));
  EXPECT_NE(WorkerDetector::flow_id(ip("10.0.0.1"), 1000, ip("10.0.0.2"), 502, 6),
            WorkerDetector::flow_id(ip("10.0.0.1"), 1001, ip("10.0.0.2"), 502, 6));
  EXPECT_EQ(WorkerDetector::l2_flow_id(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02")),
            WorkerDetector::l2_flow_id(mac("02:00:00:00:00:02"), mac("02:00:00:00:00:01")));
}

TEST(Tables, AreBoundedAndCountWhatTheyDrop) {
  AnomalySettings a;
  a.max_tracked = 16;
  WorkerDetector d(snapshot({}, a));
  for (uint32_t i = 0; i < 100; ++i)
    d.on_flow_start(kT0, 17, ip("10.0.0.20"), 40000, IpAddr::v4(0x0A010000u + i), 161, {});
  EXPECT_EQ(d.counters().untracked, 84u);  // new-flow counts: 16 servers until the next drain
  ActivityBatch batch;
  d.drain_activity(batch);
  EXPECT_EQ(batch.udp_flow_starts.size(), 16u);
  d.on_flow_start(kT0, 17, ip("10.0.0.20"), 40000, ip("10.9.9.9"), 161, {});
  EXPECT_EQ(d.counters().untracked, 84u);  // the drain made room
  // A windowed table (gratuitous ARP counts per MAC): once the window has passed, the expired
  // entries make room again.
  auto nth_mac = [](uint32_t i) {
    char text[32];
    std::snprintf(text, sizeof text, "02:00:00:00:01:%02x", i);
    return mac(text);
  };
  for (uint32_t i = 0; i < 40; ++i)
    d.on_arp(kT0, nth_mac(i), IpAddr::v4(0x0A020000u + i), {}, IpAddr::v4(0x0A020000u + i), true);
  const uint64_t full = d.counters().untracked;
  EXPECT_GT(full, 84u);
  d.on_arp(kT0 + 3600 * kSecond, nth_mac(99), ip("10.2.9.9"), {}, ip("10.2.9.9"), true);
  EXPECT_EQ(d.counters().untracked, full);
}

}  // namespace
}  // namespace ots::detect
