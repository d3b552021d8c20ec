#include "core/flow_table.h"

#include <gtest/gtest.h>

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
    table.lookup(udp("10.0.0.9", static_cast<uint16_t>(5000 + port), "10.0.0.1", 2222, port));
  table.lookup(udp("10.0.0.9", 5001, "10.0.0.1", 2222, 4));  // touch the first: now most recent
  table.lookup(udp("10.0.0.9", 5009, "10.0.0.1", 2222, 5));  // evicts 5002
  ASSERT_EQ(ended.keys.size(), 1u);
  EXPECT_TRUE(ended.keys[0].port_lo == 5002 || ended.keys[0].port_hi == 5002);
  EXPECT_EQ(table.stats().evicted, 1u);
  EXPECT_EQ(table.stats().active, 3u);
}

TEST(FlowTable, BytesPerFlowStaysWithinBudget) { EXPECT_LE(FlowTable::bytes_per_flow(), 512u); }

}  // namespace
}  // namespace ots
