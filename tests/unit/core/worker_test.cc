// The worker counts a flow's packets in the flow entry and folds them into the
// inventory aggregates later (core/flow_table.h, Worker::fold_flow). These tests
// check that what reaches the deltas is exactly what per-packet counting gives:
// across deltas, across a side whose MAC changes, for group destinations, and for
// commands that repeat and change.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "core/worker.h"
#include "pcaps/gen/frame_builder.h"
#include "pcaps/gen/ot_payloads.h"

namespace ots {
namespace {

using pcapgen::Frame;
using pcapgen::ip;
using pcapgen::mac;

constexpr int64_t kStart = 1'700'000'000'000'000'000;

class WorkerFold : public ::testing::Test {
 protected:
  WorkerFold() : worker_(0, config()) {}

  static WorkerConfig config() {
    WorkerConfig c;
    c.ndpi_enabled = false;
    return c;
  }

  void send(const MacAddr& src_mac, const MacAddr& dst_mac, const Frame& ip_packet) {
    frames_.push_back(pcapgen::ethernet({src_mac, dst_mac, {}}, pcapgen::ethertype::Ipv4, ip_packet));
    PacketView view;
    view.ts_ns = kStart + static_cast<int64_t>(frames_.size()) * 1'000'000;
    view.data = Bytes(frames_.back().data(), frames_.back().size());
    view.wire_len = static_cast<uint32_t>(frames_.back().size());
    worker_.process(view);
    last_ts_ = view.ts_ns;
  }

  // A datagram between port 40000 (client) and 47808 (server); the client is `src` when `from_client`.
  void udp(const MacAddr& src_mac, const MacAddr& dst_mac, const IpAddr& src, const IpAddr& dst,
           bool from_client) {
    const uint8_t payload[] = {1, 2, 3, 4};
    const uint16_t src_port = from_client ? 40000 : 47808, dst_port = from_client ? 47808 : 40000;
    send(src_mac, dst_mac,
         pcapgen::ip_packet(src, dst, pcapgen::ip_proto::Udp, pcapgen::udp(src, dst, src_port, dst_port, payload)));
  }

  // Adds one delta's observations to the running totals.
  void take() {
    WorkerDelta delta;
    worker_.take_delta(delta);
    for (const MacObservation& m : delta.observations.macs) add(mac_totals_[m.mac], m.traffic);
    for (const IpObservation& i : delta.observations.ips) add(ip_totals_[i.ip], i.traffic);
    for (const MacIpBinding& b : delta.observations.bindings) binding_packets_[{b.mac, b.ip}] += b.packets;
    for (const ConnectionObservation& c : delta.observations.connections) {
      to_server_ += c.packets_to_server;
      to_client_ += c.packets_to_client;
      connection_last_seen_ = std::max(connection_last_seen_, c.last_seen_ns);
    }
    for (const CommandObservation& c : delta.observations.commands) {
      commands_[c.name] += c.requests;
      command_writes_[c.name] = command_writes_[c.name] || c.is_write;
    }
  }

  static void add(TrafficCounters& into, const TrafficCounters& t) {
    into.packets_sent += t.packets_sent;
    into.packets_received += t.packets_received;
    into.bytes_sent += t.bytes_sent;
    into.bytes_received += t.bytes_received;
    if (t.first_seen_ns && (!into.first_seen_ns || t.first_seen_ns < into.first_seen_ns))
      into.first_seen_ns = t.first_seen_ns;
    into.last_seen_ns = std::max(into.last_seen_ns, t.last_seen_ns);
  }

  Worker worker_;
  std::vector<Frame> frames_;
  int64_t last_ts_ = 0;
  std::map<MacAddr, TrafficCounters> mac_totals_;
  std::map<IpAddr, TrafficCounters> ip_totals_;
  std::map<std::pair<MacAddr, IpAddr>, uint64_t> binding_packets_;
  std::map<std::string, uint64_t> commands_;
  std::map<std::string, bool> command_writes_;
  uint64_t to_server_ = 0, to_client_ = 0;
  int64_t connection_last_seen_ = 0;
};

const MacAddr kClientMac = mac("00:0c:29:00:00:01");
const MacAddr kServerMac = mac("00:80:f4:00:00:02");
const MacAddr kRouterMac = mac("00:1b:1b:00:00:fe");
const IpAddr kClient = ip("10.0.0.1");
const IpAddr kServer = ip("10.0.0.2");

TEST_F(WorkerFold, CountsAreExactAcrossDeltasAndAServerMacThatChanges) {
  for (int i = 0; i < 3; ++i) udp(kClientMac, kServerMac, kClient, kServer, true);
  for (int i = 0; i < 2; ++i) udp(kServerMac, kClientMac, kServer, kClient, false);
  take();  // half-way: what was pending so far must be in this delta
  EXPECT_EQ(mac_totals_[kClientMac].packets_sent, 3u);
  EXPECT_EQ(mac_totals_[kClientMac].packets_received, 2u);
  // The server's answers now come through a router (asymmetric path), then the
  // client speaks to the server's own MAC again.
  for (int i = 0; i < 2; ++i) udp(kRouterMac, kClientMac, kServer, kClient, false);
  udp(kClientMac, kServerMac, kClient, kServer, true);
  take();
  take();  // nothing pending: an empty delta adds nothing

  EXPECT_EQ(mac_totals_[kClientMac].packets_sent, 4u);
  EXPECT_EQ(mac_totals_[kClientMac].packets_received, 4u);
  EXPECT_EQ(mac_totals_[kServerMac].packets_sent, 2u);
  EXPECT_EQ(mac_totals_[kServerMac].packets_received, 4u);
  EXPECT_EQ(mac_totals_[kRouterMac].packets_sent, 2u);
  EXPECT_EQ(mac_totals_[kRouterMac].packets_received, 0u);
  EXPECT_EQ(ip_totals_[kClient].packets_sent, 4u);
  EXPECT_EQ(ip_totals_[kClient].packets_received, 4u);
  EXPECT_EQ(ip_totals_[kServer].packets_sent, 4u);
  EXPECT_EQ(ip_totals_[kServer].packets_received, 4u);
  EXPECT_EQ(ip_totals_[kServer].bytes_sent, ip_totals_[kClient].bytes_received);
  EXPECT_EQ((binding_packets_[{kClientMac, kClient}]), 4u);
  EXPECT_EQ((binding_packets_[{kServerMac, kServer}]), 2u);
  EXPECT_EQ((binding_packets_[{kRouterMac, kServer}]), 2u);
  EXPECT_EQ(to_server_, 4u);
  EXPECT_EQ(to_client_, 4u);
  EXPECT_EQ(mac_totals_[kClientMac].first_seen_ns, kStart + 1'000'000);
  EXPECT_EQ(mac_totals_[kClientMac].last_seen_ns, last_ts_);
  EXPECT_EQ(mac_totals_[kRouterMac].first_seen_ns, kStart + 6'000'000);
  EXPECT_EQ(mac_totals_[kRouterMac].last_seen_ns, kStart + 7'000'000);
  EXPECT_EQ(connection_last_seen_, last_ts_);
}

TEST_F(WorkerFold, AGroupDestinationReceivesNothingAndAnEndedFlowIsFolded) {
  const IpAddr group = ip("239.1.1.1");
  const MacAddr group_mac = mac("01:00:5e:01:01:01");
  for (int i = 0; i < 5; ++i) udp(kClientMac, group_mac, kClient, group, true);
  worker_.drain();  // the flow ends before any delta: its counts must survive it
  take();
  EXPECT_EQ(mac_totals_[kClientMac].packets_sent, 5u);
  EXPECT_EQ(mac_totals_.count(group_mac), 0u);
  EXPECT_EQ(ip_totals_[kClient].packets_sent, 5u);
  EXPECT_EQ(ip_totals_.count(group), 0u);
  EXPECT_EQ(to_server_, 5u);
}

TEST_F(WorkerFold, RepeatedAndChangingCommandsAreCountedExactly) {
  uint32_t client_seq = 1000, server_seq = 5000;
  auto tcp = [&](bool from_client, uint8_t flags, const Frame& payload) {
    pcapgen::TcpFields f;
    f.src_port = from_client ? 40001 : 502;
    f.dst_port = from_client ? 502 : 40001;
    f.seq = from_client ? client_seq : server_seq;
    f.ack = from_client ? server_seq : client_seq;
    f.flags = flags;
    const IpAddr& src = from_client ? kClient : kServer;
    const IpAddr& dst = from_client ? kServer : kClient;
    send(from_client ? kClientMac : kServerMac, from_client ? kServerMac : kClientMac,
         pcapgen::ip_packet(src, dst, pcapgen::ip_proto::Tcp, pcapgen::tcp(src, dst, f, payload)));
    (from_client ? client_seq : server_seq) += static_cast<uint32_t>(payload.size()) + (flags & 0x03 ? 1 : 0);
  };
  using namespace pcapgen::tcp_flags;
  tcp(true, Syn, {});
  tcp(false, Syn | Ack, {});
  tcp(true, Ack, {});
  uint16_t transaction = 1;
  auto read = [&] {
    tcp(true, Psh | Ack, pcapgen::modbus_read_request(transaction, 1, 0, 10));
    tcp(false, Psh | Ack, pcapgen::modbus_read_response(transaction, 1, 10, transaction));
    ++transaction;
  };
  auto write_single_register = [&] {
    const uint16_t t = transaction++;
    const Frame request = {static_cast<uint8_t>(t >> 8), static_cast<uint8_t>(t), 0, 0, 0, 6, 1, 6, 0, 1, 0, 42};
    tcp(true, Psh | Ack, request);
    tcp(false, Psh | Ack, request);  // the normal response echoes the request
  };
  read();
  read();
  take();  // a delta in the middle of a run of one command
  read();
  write_single_register();
  read();
  worker_.drain();
  take();
  EXPECT_EQ(commands_["Read Holding Registers"], 4u);
  EXPECT_EQ(commands_["Write Single Register"], 1u);
  EXPECT_TRUE(command_writes_["Write Single Register"]);
  EXPECT_FALSE(command_writes_["Read Holding Registers"]);
}

}  // namespace
}  // namespace ots
