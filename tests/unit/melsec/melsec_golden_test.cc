// Golden test over the shared MELSOFT captures (shared/pcaps/GROUND_TRUTH.md, "melsoft_frames"):
// every 'W' / 0xD7 frame yields an operation, discovery datagrams are recognised, and the CPU
// model answered to command 0x0121 reaches the PLC. tshark only extracts payloads (it has no
// MELSOFT dissector). Skips when the captures or tshark are absent.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "dissectors/melsec/melsec_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::melsec {
namespace {

using namespace ots::test_support;

size_t count_ops(const RecordingSink& sink, bool request, std::string_view name = {}) {
  size_t n = 0;
  for (const auto& op : sink.operations) n += op.is_request == request && (name.empty() || op.name == name);
  return n;
}

TEST(MelsecGolden, MelsoftUdp) {
  auto pcap = shared_pcap("melsoft_iti_melsoft_UDP_clean_2.pcap");
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared capture or tshark missing";
  RecordingSink sink;
  std::map<std::string, std::unique_ptr<MelsecSession>> sessions;
  FlowContext ctx;
  ctx.transport = 17;
  size_t datagrams = 0;
  for (const auto& d : udp_datagrams(*pcap, "udp.port==5560")) {
    bool from_client = d.dst_port == 5560;
    uint16_t client_port = from_client ? d.src_port : d.dst_port;
    auto& session = sessions[std::to_string(client_port)];
    if (!session) session = std::make_unique<MelsecSession>(sink);
    session->data(ctx, from_client ? Direction::FromClient : Direction::FromServer, d.payload);
    ++datagrams;
  }
  ASSERT_EQ(datagrams, 432u);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(sink.operations.size(), datagrams);
  EXPECT_EQ(count_ops(sink, true, "MELSOFT discovery"), 32u);   // 0x5a00 ×32
  EXPECT_EQ(count_ops(sink, false, "MELSOFT discovery"), 32u);  // 0xda00 answers
  EXPECT_EQ(count_ops(sink, true) - 32, 184u);                  // 0x5701 ×184
  EXPECT_EQ(count_ops(sink, false) - 32, 184u);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "FX5U-32MT/ES"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::DeviceType, "Engineering workstation"));
}

TEST(MelsecGolden, MelsoftTcpTruncatedCapture) {
  auto pcap = shared_pcap("melsoft_iti_melsoft_129_clean.pcap");
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared capture or tshark missing";
  RecordingSink sink;
  std::map<uint32_t, std::unique_ptr<MelsecSession>> sessions;
  FlowContext ctx;
  ctx.transport = 6;
  for (const auto& seg : tcp_segments(*pcap, "!tcp.analysis.retransmission")) {
    auto& session = sessions[seg.stream];
    if (!session) session = std::make_unique<MelsecSession>(sink);
    session->data(ctx, seg.dst_port == 5562 ? Direction::FromClient : Direction::FromServer, seg.payload);
  }
  for (auto& [id, session] : sessions) {
    EXPECT_FALSE(session->rejected());
    session->end(ctx, Direction::FromClient);
    session->end(ctx, Direction::FromServer);
  }
  for (const auto& a : sink.anomalies) EXPECT_EQ(a, "melsec.truncated_message");  // the cut-short last packet
  EXPECT_GE(count_ops(sink, true), 491u);   // 0x5700 ×491
  EXPECT_GE(count_ops(sink, false), 492u);  // 0xd700 ×492
  EXPECT_EQ(sink.confirmations.size(), sessions.size());
}

}  // namespace
}  // namespace ots::melsec
