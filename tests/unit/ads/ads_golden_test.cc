// Golden test over the shared capture ads_iti_beckhoff_addroute1.pcapng (GROUND_TRUTH.md
// "ads_netids"): the AMS NetIds of both peers, the AddRoute exchange on UDP 48899 and the ADS
// Read State on TCP 48898. Skips when the capture or tshark is absent.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "dissectors/ads/ads_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::ads {
namespace {

using namespace ots::test_support;

TEST(AdsGolden, AddRouteCapture) {
  auto pcap = shared_pcap("ads_iti_beckhoff_addroute1.pcapng");
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared capture or tshark missing";
  RecordingSink sink;
  std::map<uint32_t, std::unique_ptr<AdsSession>> tcp;
  FlowContext ctx;
  ctx.transport = 6;
  for (const auto& seg : tcp_segments(*pcap, "tcp.port==48898 && !tcp.analysis.retransmission")) {
    auto& session = tcp[seg.stream];
    if (!session) session = std::make_unique<AdsSession>(sink);
    session->data(ctx, seg.dst_port == 48898 ? Direction::FromClient : Direction::FromServer, seg.payload);
  }
  AdsSession udp(sink);
  ctx.transport = 17;
  for (const auto& d : udp_datagrams(*pcap, "udp.port==48899")) {
    // Both ends use 48899: the route requester is 192.168.1.99.
    udp.data(ctx, d.src_ip == "192.168.1.99" ? Direction::FromClient : Direction::FromServer, d.payload);
  }
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_FALSE(tcp.empty());
  for (auto& [id, session] : tcp) EXPECT_FALSE(session->rejected());
  // 192.168.1.8 (server) sends from 5.13.117.96.1.1, 192.168.1.99 (client) from 192.168.1.199.1.1.
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "AMS NetId 5.13.117.96.1.1"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "AMS NetId 192.168.1.199.1.1"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::CpuState, "RUN"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "SHENHUAJ6-PC"));
  size_t add_routes = 0, read_states = 0;
  for (const auto& op : sink.operations) {
    add_routes += op.name == "Add Route" && op.is_request && op.is_write;
    read_states += op.code == 4;
  }
  EXPECT_EQ(add_routes, 2u);  // frames 10 and 59
  // tshark's AMS frames (ams_netids: 3 + 2) are the Read State requests and responses.
  EXPECT_EQ(read_states, tshark_fields(*pcap, "ams", {"ams.cmdid"}).size());
  EXPECT_GE(sink.confirmations.size(), 2u);
}

}  // namespace
}  // namespace ots::ads
