// A DHCP client speaks from 0.0.0.0 until it has a lease. Its DISCOVER / REQUEST name it (hostname,
// vendor class, parameter-request-list fingerprint) and the server's ACK gives it an address: all of
// these are facts about the client's MAC (chaddr, when it is the frame's source). These tests run the
// DHCP session on byte arrays and the real Worker + Inventory on generated frames.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/worker.h"
#include "dissectors/dhcp/dhcp_session.h"
#include "inventory/inventory.h"
#include "pcaps/gen/frame_builder.h"
#include "pcaps/gen/proto_payloads.h"

namespace ots {
namespace {

using pcapgen::Frame;

constexpr int64_t kStart = 1'700'000'000'000'000'000;
const MacAddr kClientMac = *MacAddr::parse("00:0e:8c:ef:75:c5");
const MacAddr kServerMac = *MacAddr::parse("00:1d:09:99:b2:2c");
const MacAddr kRelayMac = *MacAddr::parse("00:00:0c:07:ac:01");
const MacAddr kBroadcast = *MacAddr::parse("ff:ff:ff:ff:ff:ff");
const IpAddr kUnspecified = *IpAddr::parse("0.0.0.0");
const IpAddr kLimitedBroadcast = *IpAddr::parse("255.255.255.255");
const IpAddr kServerIp = *IpAddr::parse("192.168.10.105");
const IpAddr kLeaseIp = *IpAddr::parse("192.168.10.131");

// ---- The session on byte arrays -------------------------------------------------------------------------------

struct Fact {
  FlowContext ctx;
  Side side;
  IdentityField field;
  std::string value;
  std::string event;
};

struct Sink : EventSink {
  void protocol_confirmed(const FlowContext& ctx, std::string_view) override { confirmed.push_back(ctx.client_mac); }
  void identity(const FlowContext& ctx, std::string_view, Side side, IdentityField field, std::string_view value,
                std::string_view event) override {
    EXPECT_FALSE(event.empty()) << "no event named for " << value;
    facts.push_back({ctx, side, field, std::string(value), std::string(event)});
  }
  void operation(const FlowContext&, std::string_view, Side, const Operation&) override {}
  void anomaly(const FlowContext&, std::string_view, std::string_view name) override {
    anomalies.emplace_back(name);
  }
  std::vector<MacAddr> confirmed;
  std::vector<Fact> facts;
  std::vector<std::string> anomalies;
};

// What the worker hands the session for a datagram from 0.0.0.0 (no flow: transport 0).
FlowContext unaddressed(const MacAddr& source) {
  FlowContext ctx;
  ctx.client_ip = kUnspecified;
  ctx.server_ip = kLimitedBroadcast;
  ctx.client_mac = source;
  ctx.server_mac = kBroadcast;
  return ctx;
}

Frame discover() { return pcapgen::proto::dhcp(1, 0x1234, kClientMac, kUnspecified, kServerIp, "siemens-x208", "SCALANCE"); }

TEST(DhcpUnaddressedClient, DiscoverFromZeroReportsTheClientsFacts) {
  Sink sink;
  dhcp::DhcpSession session(sink);
  const Frame d = discover();
  session.data(unaddressed(kClientMac), Direction::FromClient, d);
  ASSERT_EQ(sink.facts.size(), 3u);
  for (const Fact& f : sink.facts) {
    EXPECT_EQ(f.side, Side::Client);
    EXPECT_EQ(f.ctx.client_mac, kClientMac);
    EXPECT_EQ(f.ctx.transport, 0);  // keyed by the MAC
  }
  EXPECT_EQ(sink.facts[0].value, "vendor class SCALANCE");
  EXPECT_EQ(sink.facts[1].field, IdentityField::Hostname);
  EXPECT_EQ(sink.facts[1].value, "siemens-x208");
  EXPECT_EQ(sink.facts[2].value, "dhcp fingerprint 1,3,6,15");
  EXPECT_EQ(sink.confirmed, std::vector<MacAddr>{kClientMac});
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(DhcpUnaddressedClient, EachClientOfTheFlowlessSessionIsConfirmedOnce) {
  Sink sink;
  dhcp::DhcpSession session(sink);
  const MacAddr other = *MacAddr::parse("00:e0:62:60:35:d0");
  const Frame a = discover();
  const Frame b = pcapgen::proto::dhcp(1, 7, other, kUnspecified, kServerIp, "KoyoDL405", "");
  session.data(unaddressed(kClientMac), Direction::FromClient, a);
  session.data(unaddressed(kClientMac), Direction::FromClient, a);
  session.data(unaddressed(other), Direction::FromClient, b);
  EXPECT_EQ(sink.confirmed, (std::vector<MacAddr>{kClientMac, other}));
}

// A chaddr that is not the frame's source is another host's request (a relay agent's forward, or a
// forged one): it names nobody the sensor can key, so nothing is reported.
TEST(DhcpUnaddressedClient, ChaddrOtherThanTheSourceMacIsNotTrusted) {
  Sink sink;
  dhcp::DhcpSession session(sink);
  const Frame d = discover();
  session.data(unaddressed(kRelayMac), Direction::FromClient, d);
  FlowContext relayed;  // a relay forwarding from its own address: a flow, but not the client's MAC
  relayed.transport = 17;
  relayed.client_ip = *IpAddr::parse("10.1.1.1");
  relayed.server_ip = kServerIp;
  relayed.client_mac = kRelayMac;
  relayed.server_mac = kServerMac;
  session.data(relayed, Direction::FromClient, d);
  EXPECT_TRUE(sink.facts.empty());
}

TEST(DhcpUnaddressedClient, AckGivesTheClientItsAddressAndNameOnlyWhenOnThisLink) {
  Sink sink;
  dhcp::DhcpSession session(sink);
  FlowContext reply;  // server 192.168.10.105:67 → 255.255.255.255:68: a flow whose client is the server
  reply.transport = 17;
  reply.client_ip = kServerIp;
  reply.server_ip = kLimitedBroadcast;
  reply.client_mac = kServerMac;
  Frame ack = pcapgen::proto::dhcp(5, 0x1234, kClientMac, kLeaseIp, kServerIp, "", "");
  session.data(reply, Direction::FromClient, ack);
  ASSERT_EQ(sink.facts.size(), 1u);
  EXPECT_EQ(sink.facts[0].value, "dhcp assigned address 192.168.10.131");
  EXPECT_EQ(sink.facts[0].side, Side::Client);
  EXPECT_EQ(sink.facts[0].ctx.transport, 0);
  EXPECT_EQ(sink.facts[0].ctx.client_mac, kClientMac);
  // An offer assigns nothing.
  sink.facts.clear();
  const Frame offer = pcapgen::proto::dhcp(2, 0x1234, kClientMac, kLeaseIp, kServerIp, "", "");
  session.data(reply, Direction::FromClient, offer);
  EXPECT_TRUE(sink.facts.empty());
  // Relayed (giaddr set) and sent to the relay's MAC: the client is elsewhere.
  Frame relayed_ack = ack;
  relayed_ack[24] = 10, relayed_ack[25] = 1, relayed_ack[26] = 1, relayed_ack[27] = 1;  // giaddr 10.1.1.1
  reply.server_ip = *IpAddr::parse("10.1.1.1");
  reply.server_mac = kRelayMac;
  session.data(reply, Direction::FromClient, relayed_ack);
  EXPECT_TRUE(sink.facts.empty());
}

// ---- Worker + Inventory ---------------------------------------------------------------------------------------

class DhcpThroughTheWorker : public ::testing::Test {
 protected:
  static WorkerConfig config() {
    WorkerConfig c;
    c.ndpi_enabled = false;
    return c;
  }

  void send(const MacAddr& src_mac, const MacAddr& dst_mac, const IpAddr& src, const IpAddr& dst, uint16_t src_port,
            uint16_t dst_port, const Frame& dhcp) {
    frames_.push_back(pcapgen::ethernet(
        {src_mac, dst_mac, {}}, pcapgen::ethertype::Ipv4,
        pcapgen::ip_packet(src, dst, pcapgen::ip_proto::Udp, pcapgen::udp(src, dst, src_port, dst_port, dhcp))));
    PacketView view;
    view.ts_ns = kStart + static_cast<int64_t>(frames_.size()) * 1'000'000;
    view.data = Bytes(frames_.back().data(), frames_.back().size());
    view.wire_len = static_cast<uint32_t>(frames_.back().size());
    worker_.process(view);
  }

  std::vector<Device> devices() {
    worker_.drain();
    WorkerDelta delta;
    worker_.take_delta(delta);
    inventory_.fold(delta.observations);
    return inventory_.devices();
  }

  static const Device* by_mac(const std::vector<Device>& devices, const MacAddr& mac) {
    for (const Device& d : devices)
      if (d.mac == mac) return &d;
    return nullptr;
  }
  static bool has_fact(const Device& d, std::string_view field, std::string_view value) {
    for (const DeviceFact& f : d.facts)
      if (f.field == field && f.value == value && f.protocol == "dhcp") return true;
    return false;
  }

  std::vector<Frame> frames_;
  Worker worker_{0, config()};
  OuiRegistry oui_;
  Inventory inventory_{oui_};
};

TEST_F(DhcpThroughTheWorker, DiscoverFromZeroLandsOnTheClientsMacDevice) {
  send(kClientMac, kBroadcast, kUnspecified, kLimitedBroadcast, 68, 67, discover());
  const std::vector<Device> found = devices();
  const Device* client = by_mac(found, kClientMac);
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->ips.empty());  // 0.0.0.0 is nobody's address
  EXPECT_TRUE(has_fact(*client, "hostname", "siemens-x208"));
  EXPECT_TRUE(has_fact(*client, "description", "vendor class SCALANCE"));
  EXPECT_TRUE(has_fact(*client, "description", "dhcp fingerprint 1,3,6,15"));
  ASSERT_EQ(client->protocols.size(), 1u);
  EXPECT_EQ(client->protocols[0].protocol, "dhcp");
  EXPECT_FALSE(client->protocols[0].server);
  // No flow and no connection for an unaddressed sender; no device for 0.0.0.0.
  EXPECT_TRUE(inventory_.connections().empty());
  for (const Device& d : found)
    for (const IpAddr& ip : d.ips) EXPECT_TRUE(ip.is_unicast()) << d.key;
}

TEST_F(DhcpThroughTheWorker, AckAssignsTheAddressToTheClientMac) {
  send(kClientMac, kBroadcast, kUnspecified, kLimitedBroadcast, 68, 67, discover());
  send(kServerMac, kBroadcast, kServerIp, kLimitedBroadcast, 67, 68,
       pcapgen::proto::dhcp(5, 0x1234, kClientMac, kLeaseIp, kServerIp, "", ""));
  const std::vector<Device> found = devices();
  const Device* client = by_mac(found, kClientMac);
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(has_fact(*client, "description", "dhcp assigned address 192.168.10.131"));
  EXPECT_TRUE(has_fact(*client, "hostname", "siemens-x208"));
  const Device* server = by_mac(found, kServerMac);
  ASSERT_NE(server, nullptr);
  EXPECT_FALSE(has_fact(*server, "description", "dhcp assigned address 192.168.10.131"));
}

TEST_F(DhcpThroughTheWorker, ADiscoverWithAnotherHostsChaddrNamesNobody) {
  send(kRelayMac, kBroadcast, kUnspecified, kLimitedBroadcast, 68, 67, discover());
  for (const Device& d : devices()) EXPECT_FALSE(has_fact(d, "hostname", "siemens-x208")) << d.key;
}

}  // namespace
}  // namespace ots
