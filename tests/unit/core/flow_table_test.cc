#include "core/flow_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ots {
namespace {

DecodedPacket tcp(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t flags, int64_t ts) {
  DecodedPacket p;
  p.ip_version = 4;
  p.src_ip = *IpAddr::parse(src);
  p.dst_ip = *IpAddr::parse(dst);
  p.src_port = sport;
  p.dst_port = dport;
  p.ip_proto = static_cast<uint8_t>(IpProto::Tcp);
  p.tcp_flags = flags;
  p.ts_ns = ts;
  return p;
}

DecodedPacket udp(const char* src, uint16_t sport, const char* dst, uint16_t dport, int64_t ts) {
  DecodedPacket p = tcp(src, sport, dst, dport, 0, ts);
  p.ip_proto = static_cast<uint8_t>(IpProto::Udp);
  return p;
}

struct Ended {
  std::vector<FlowKey> keys;
  static void on_end(void* self, Flow& f) { static_cast<Ended*>(self)->keys.push_back(f.key); }
};

constexpr int64_t kSecond = 1'000'000'000;

TEST(FlowTable, BothDirectionsShareOneFlowAndTheSynSenderIsClient) {
  Ended ended;
  FlowTable table({}, &Ended::on_end, &ended);
  auto a = table.lookup(tcp("10.0.0.9", 40000, "10.0.0.1", 502, tcp_flag::Syn, kSecond));
  ASSERT_TRUE(a.created);
  EXPECT_EQ(a.direction, Direction::FromClient);
  auto b = table.lookup(tcp("10.0.0.1", 502, "10.0.0.9", 40000, tcp_flag::Syn | tcp_flag::Ack, 2 * kSecond));
  EXPECT_FALSE(b.created);
  EXPECT_EQ(b.flow, a.flow);
  EXPECT_EQ(b.direction, Direction::FromServer);
  EXPECT_EQ(a.flow->client_ip().str(), "10.0.0.9");
  EXPECT_EQ(a.flow->server_port(), 502);
}

TEST(FlowTable, SynAckFirstMakesTheReceiverTheClient) {
  Ended ended;
  FlowTable table({}, &Ended::on_end, &ended);
  auto a = table.lookup(tcp("10.0.0.1", 502, "10.0.0.9", 40000, tcp_flag::Syn | tcp_flag::Ack, kSecond));
  EXPECT_EQ(a.direction, Direction::FromServer);
  EXPECT_EQ(a.flow->client_ip().str(), "10.0.0.9");
}

TEST(FlowTable, MidStreamServerPortDecidesTheRoles) {
  Ended ended;
  FlowTable table({}, &Ended::on_end, &ended);
  // First packet seen is a response from the server port.
  auto a = table.lookup(udp("10.0.0.1", 47808, "10.0.0.9", 50000, kSecond));
  EXPECT_EQ(a.direction, Direction::FromServer);
  EXPECT_EQ(a.flow->server_port(), 47808);
}

TEST(FlowTable, DhcpClientPortsMakeTheirSenderTheClientWhateverTheNumbers) {
  Ended ended;
  FlowTable table({}, &Ended::on_end, &ended);
  // DHCPv6: the server's reply 547 → 546 seen first still makes the 546 side the client.
  DecodedPacket advertise = udp("fe80::1", 547, "fe80::9", 546, kSecond);
  advertise.ip_version = 6;
  auto reply = table.lookup(advertise);
  EXPECT_EQ(reply.direction, Direction::FromServer);
  EXPECT_EQ(reply.flow->server_port(), 547);
  EXPECT_EQ(reply.flow->client_ip().str(), "fe80::9");
  auto solicit = table.lookup(udp("10.0.0.9", 68, "10.0.0.1", 67, kSecond));
  EXPECT_EQ(solicit.direction, Direction::FromClient);
  EXPECT_EQ(solicit.flow->server_port(), 67);
}

TEST(FlowTable, VlansSeparateFlows) {
  Ended ended;
  FlowTable table({}, &Ended::on_end, &ended);
  DecodedPacket p = udp("10.0.0.9", 5000, "10.0.0.1", 2222, kSecond);
  auto a = table.lookup(p);
  p.vlan_count = 1;
  p.vlans[0] = 10;
  auto b = table.lookup(p);
  EXPECT_TRUE(b.created);
  EXPECT_NE(a.flow, b.flow);
}

TEST(FlowTable, TimeoutOnPacketTimeEndsTheOldFlowAtLookup) {
  Ended ended;
  FlowTableConfig config;
  config.timeouts.udp_ns = 10 * kSecond;
  FlowTable table(config, &Ended::on_end, &ended);
  auto a = table.lookup(udp("10.0.0.9", 5000, "10.0.0.1", 2222, kSecond));
  a.flow->last_ts_ns = kSecond;
  auto b = table.lookup(udp("10.0.0.9", 5000, "10.0.0.1", 2222, 5 * kSecond));
  EXPECT_FALSE(b.created);
  b.flow->last_ts_ns = 5 * kSecond;
  auto c = table.lookup(udp("10.0.0.9", 5000, "10.0.0.1", 2222, 16 * kSecond));
  EXPECT_TRUE(c.created);
  EXPECT_EQ(ended.keys.size(), 1u);
  EXPECT_EQ(table.stats().expired, 1u);
}

TEST(FlowTable, ExpireSweepsIdleFlowsAndDrainEndsTheRest) {
  Ended ended;
  FlowTableConfig config;
  config.timeouts.udp_ns = 10 * kSecond;
  FlowTable table(config, &Ended::on_end, &ended);
  for (uint16_t port = 1; port <= 5; ++port) {
    auto l = table.lookup(udp("10.0.0.9", static_cast<uint16_t>(5000 + port), "10.0.0.1", 2222, port * kSecond));
    l.flow->last_ts_ns = port * kSecond;
  }
  table.expire(13 * kSecond + 1, 100);  // flows last seen at 1, 2 and 3 s are idle past 10 s
  EXPECT_EQ(ended.keys.size(), 3u);
  EXPECT_EQ(table.stats().active, 2u);
  table.drain();
  EXPECT_EQ(ended.keys.size(), 5u);
  EXPECT_EQ(table.stats().active, 0u);
}

TEST(FlowTable, FullTableEvictsTheLeastRecentlyUsedAndCountsIt) {
  Ended ended;
  FlowTableConfig config;
  config.max_flows = 3;
  FlowTable table(config, &Ended::on_end, &ended);
  for (uint16_t port = 1; port <= 3; ++port)
    table.lookup(udp("10.0.0.9", static_cast<uint16_t>(5000 + port), "10.0.0.1", 2222, port * kSecond));
  table.lookup(udp("10.0.0.9", 5001, "10.0.0.1", 2222, 4 * kSecond));  // touch the first: now most recent
  table.lookup(udp("10.0.0.9", 5009, "10.0.0.1", 2222, 5 * kSecond));  // evicts 5002
  ASSERT_EQ(ended.keys.size(), 1u);
  EXPECT_TRUE(ended.keys[0].port_lo == 5002 || ended.keys[0].port_hi == 5002);
  EXPECT_EQ(table.stats().evicted, 1u);
  EXPECT_EQ(table.stats().active, 3u);
}

// A flow keeps its LRU place for packets within one step (no list update per
// packet); the expiry sweep then finds it active and queues it again instead of ending it.
TEST(FlowTable, SweepRequeuesAFlowActiveSinceItWasQueued) {
  Ended ended;
  FlowTableConfig config;
  config.timeouts.udp_ns = 10 * kSecond;
  FlowTable table(config, &Ended::on_end, &ended);
  table.lookup(udp("10.0.0.9", 5001, "10.0.0.1", 2222, 1 * kSecond));
  table.lookup(udp("10.0.0.9", 5002, "10.0.0.1", 2222, 2 * kSecond));
  const int64_t again = 1 * kSecond + 900'000'000;  // same step: the flow stays first in the list
  table.lookup(udp("10.0.0.9", 5001, "10.0.0.1", 2222, again)).flow->last_ts_ns = again;  // as the worker does
  table.expire(11 * kSecond + 500'000'000, 100);
  EXPECT_TRUE(ended.keys.empty());  // the first flow was last seen 9.6 s ago
  EXPECT_EQ(table.stats().active, 2u);
  table.expire(12 * kSecond + 500'000'000, 100);
  EXPECT_EQ(ended.keys.size(), 2u);
  EXPECT_EQ(table.stats().active, 0u);
}

// Packets counted as the worker counts them (after the lookup).
Flow* seen(FlowTable& table, const DecodedPacket& p) {
  const FlowTable::Lookup found = table.lookup(p);
  table.account_packet(*found.flow, found.direction, p);
  return found.flow;
}

bool ended_port(const Ended& ended, uint16_t port) {
  for (const FlowKey& k : ended.keys)
    if (k.port_lo == port || k.port_hi == port) return true;
  return false;
}

// A SYN its server never answers ends after the short timeout, even while sessions that went
// quiet earlier (with the long timeout) sit ahead of it in time; so do closed sessions.
TEST(FlowTable, UnansweredAndClosedFlowsEndOnTheirShortTimeoutBehindIdleSessions) {
  Ended ended;
  FlowTable table({}, &Ended::on_end, &ended);
  seen(table, tcp("10.0.0.9", 40000, "10.0.0.1", 502, tcp_flag::Syn, kSecond));
  seen(table, tcp("10.0.0.1", 502, "10.0.0.9", 40000, tcp_flag::Syn | tcp_flag::Ack, kSecond));  // answered: long
  seen(table, tcp("10.0.0.66", 50000, "10.0.0.1", 22, tcp_flag::Syn, 2 * kSecond));             // probe
  seen(table, tcp("10.0.0.8", 40001, "10.0.0.1", 102, tcp_flag::Syn, 3 * kSecond));
  seen(table, tcp("10.0.0.1", 102, "10.0.0.8", 40001, tcp_flag::Syn | tcp_flag::Ack, 3 * kSecond));
  seen(table, tcp("10.0.0.8", 40001, "10.0.0.1", 102, tcp_flag::Rst, 4 * kSecond));  // closed
  table.expire(31 * kSecond, 100);
  EXPECT_TRUE(ended.keys.empty());  // 29 s and 27 s idle: within 30 s
  table.expire(35 * kSecond, 100);
  ASSERT_EQ(ended.keys.size(), 2u);
  EXPECT_TRUE(ended_port(ended, 22));
  EXPECT_TRUE(ended_port(ended, 102));
  EXPECT_EQ(table.stats().active, 1u);  // the answered session, idle 34 s of its hour
  table.expire(3600 * kSecond + 2 * kSecond, 100);
  EXPECT_EQ(table.stats().active, 0u);
}

// One-way SPAN shows only the client of a real session: its payload keeps the long timeout.
TEST(FlowTable, OneWaySessionWithPayloadKeepsTheLongTimeout) {
  Ended ended;
  FlowTable table({}, &Ended::on_end, &ended);
  DecodedPacket request = tcp("10.0.0.9", 40000, "10.0.0.1", 502, tcp_flag::Ack | tcp_flag::Psh, kSecond);
  const uint8_t bytes[] = {0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1};
  request.payload = Bytes(bytes, sizeof bytes);
  seen(table, request);
  table.expire(600 * kSecond, 100);
  EXPECT_TRUE(ended.keys.empty());
}

// Eviction takes the least recently used flow whichever timeout list it is on.
TEST(FlowTable, FullTableEvictsTheOldestAcrossTimeoutLists) {
  Ended ended;
  FlowTableConfig config;
  config.max_flows = 3;
  FlowTable table(config, &Ended::on_end, &ended);
  seen(table, udp("10.0.0.9", 5001, "10.0.0.1", 2222, 2 * kSecond));
  seen(table, tcp("10.0.0.9", 40000, "10.0.0.1", 502, tcp_flag::Syn, 1 * kSecond));  // oldest, unanswered list
  seen(table, udp("10.0.0.9", 5003, "10.0.0.1", 2222, 3 * kSecond));
  seen(table, udp("10.0.0.9", 5004, "10.0.0.1", 2222, 4 * kSecond));
  ASSERT_EQ(ended.keys.size(), 1u);
  EXPECT_TRUE(ended_port(ended, 502));
}

TEST(FlowTable, BytesPerFlowStaysWithinBudget) { EXPECT_LE(FlowTable::bytes_per_flow(), 512u); }

// Many flows through the open-addressing index: every one is found again from
// either direction, ending flows (backward-shift deletion) loses none of the
// others, and the index keeps working after it grew several times.
TEST(FlowTable, ManyFlowsInsertFindAndEraseFromBothDirections) {
  Ended ended;
  FlowTableConfig config;
  config.timeouts.udp_ns = 10 * kSecond;
  FlowTable table(config, &Ended::on_end, &ended);
  constexpr uint32_t kFlows = 5000;
  auto client = [](uint32_t i) { return "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1); };
  std::vector<Flow*> first_seen(kFlows);
  for (uint32_t i = 0; i < kFlows; ++i) {
    const auto found = table.lookup(udp(client(i).c_str(), static_cast<uint16_t>(40000 + i % 7), "10.0.0.1", 2222, 1));
    ASSERT_TRUE(found.created);
    first_seen[i] = found.flow;
  }
  EXPECT_EQ(table.stats().active, kFlows);
  // Reply direction finds the same entry (chunks keep flow addresses stable).
  for (uint32_t i = 0; i < kFlows; ++i) {
    const auto found = table.lookup(udp("10.0.0.1", 2222, client(i).c_str(), static_cast<uint16_t>(40000 + i % 7), 2));
    ASSERT_FALSE(found.created) << i;
    EXPECT_EQ(found.flow, first_seen[i]);
    EXPECT_EQ(found.direction, Direction::FromServer);
  }
  // Let the even flows idle out, keep the odd ones alive, then sweep.
  for (uint32_t i = 1; i < kFlows; i += 2) {
    const auto found =
        table.lookup(udp(client(i).c_str(), static_cast<uint16_t>(40000 + i % 7), "10.0.0.1", 2222, 9 * kSecond));
    found.flow->last_ts_ns = 9 * kSecond;  // the worker keeps the flow's clock
  }
  table.expire(12 * kSecond, kFlows);
  EXPECT_EQ(ended.keys.size(), kFlows / 2);
  EXPECT_EQ(table.stats().active, kFlows / 2);
  for (uint32_t i = 0; i < kFlows; ++i) {
    const auto found = table.lookup(udp(client(i).c_str(), static_cast<uint16_t>(40000 + i % 7), "10.0.0.1", 2222,
                                        12 * kSecond));
    EXPECT_EQ(found.created, i % 2 == 0) << i;  // survivors found, expired ones opened anew
  }
  EXPECT_EQ(table.stats().active, kFlows);
  EXPECT_GT(table.memory_bytes(), kFlows * sizeof(Flow));
}

TEST(FlowTable, EvictionAtTheBoundKeepsTheIndexConsistent) {
  Ended ended;
  FlowTableConfig config;
  config.max_flows = 100;
  FlowTable table(config, &Ended::on_end, &ended);
  for (uint16_t port = 0; port < 1000; ++port)
    table.lookup(udp("10.0.0.9", static_cast<uint16_t>(1024 + port), "10.0.0.1", 2222, port + 1));
  EXPECT_EQ(table.stats().active, 100u);
  EXPECT_EQ(table.stats().evicted, 900u);
  // Exactly the 100 most recent remain, each findable from the other direction.
  for (uint16_t port = 900; port < 1000; ++port) {
    const auto found = table.lookup(udp("10.0.0.1", 2222, "10.0.0.9", static_cast<uint16_t>(1024 + port), 2000));
    EXPECT_FALSE(found.created) << port;
  }
  EXPECT_EQ(table.stats().evicted, 900u);
  table.drain();
  EXPECT_EQ(table.stats().active, 0u);
  EXPECT_EQ(ended.keys.size(), 1000u);
}

TEST(FlowTable, Ipv6AndVlanKeysCompareByEveryByte) {
  Ended ended;
  FlowTable table({}, &Ended::on_end, &ended);
  DecodedPacket a = udp("2001:db8::1", 5000, "2001:db8::2", 2222, 1);
  DecodedPacket b = udp("2001:db8::1:1", 5000, "2001:db8::2", 2222, 1);  // differs in the low word only
  EXPECT_TRUE(table.lookup(a).created);
  EXPECT_TRUE(table.lookup(b).created);
  a.vlan_count = 1;
  a.vlans[0] = 7;
  EXPECT_TRUE(table.lookup(a).created);
  EXPECT_FALSE(table.lookup(a).created);
  EXPECT_EQ(table.stats().active, 3u);
}

}  // namespace
}  // namespace ots
