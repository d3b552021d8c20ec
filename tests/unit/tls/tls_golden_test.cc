// Golden test over the shared capture tls_zeek_tls1.2.pcap: tshark is the oracle for the
// ServerHello version / cipher (GROUND_TRUTH.md), JA3, JA3S and the certificate bytes.
#include <gtest/gtest.h>

#include <map>

#include "dissectors/tls/tls_fingerprint.h"
#include "dissectors/tls/tls_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::tls {
namespace {

using namespace test_support;

TEST(TlsGolden, ZeekTls12) {
  auto pcap = shared_pcap("tls_zeek_tls1.2.pcap");
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared captures or tshark not available";

  RecordingSink sink;
  std::map<uint32_t, std::unique_ptr<TlsSession>> sessions;
  std::map<uint32_t, uint16_t> client_port;
  for (const auto& segment : tcp_segments(*pcap, "!tcp.analysis.retransmission")) {
    auto& session = sessions[segment.stream];
    if (!session) {
      session = std::make_unique<TlsSession>(sink);
      client_port[segment.stream] = segment.src_port;  // the TLS client speaks first
    }
    Direction dir = segment.src_port == client_port[segment.stream] ? Direction::FromClient : Direction::FromServer;
    session->data(FlowContext{}, dir, segment.payload);
  }
  ASSERT_FALSE(sessions.empty());
  EXPECT_EQ(sink.confirmations.size(), sessions.size());

  // GROUND_TRUTH.md tls_versions: 68.233.76.12 | 0x0303 | 0x0004.
  bool server_hello = false;
  for (const auto& op : sink.operations) server_hello |= op.name == "ServerHello" && op.object == "TLS 1.2 cipher 0x0004";
  EXPECT_TRUE(server_hello);

  auto ja3 = tshark_fields(*pcap, "tls.handshake.type == 1", {"tls.handshake.ja3"});
  ASSERT_FALSE(ja3.empty());
  for (const auto& row : ja3) EXPECT_TRUE(sink.has_observable(Observable::Ja3, row[0])) << row[0];
  auto ja3s = tshark_fields(*pcap, "tls.handshake.type == 2", {"tls.handshake.ja3s"});
  ASSERT_FALSE(ja3s.empty());
  for (const auto& row : ja3s) EXPECT_TRUE(sink.has_observable(Observable::Ja3s, row[0])) << row[0];

  // Every certificate tshark sees, hashed independently of our parser's framing.
  size_t certificates = 0;
  for (const auto& row : tshark_fields(*pcap, "tls.handshake.type == 11", {"tls.handshake.certificate"})) {
    for (const auto& hex : split(row[0], ',')) {
      auto der = from_hex(hex);
      EXPECT_TRUE(sink.has_observable(Observable::CertSha1, sha1_hex(der).data()));
      EXPECT_TRUE(sink.has_observable(Observable::CertSha256, sha256_hex(der).data()));
      ++certificates;
    }
  }
  EXPECT_GT(certificates, 0u);

  // The leaf: a wildcard CN is no host name, but it describes the server.
  bool described = false;
  for (const auto& identity : sink.identities) {
    described |= identity.side == Side::Server && identity.field == IdentityField::Description &&
                 identity.value.find("tls certificate subject *.taleo.net") == 0 &&
                 identity.value.find("valid until 2016-07-04 23:59:59 UTC") != std::string::npos;
  }
  EXPECT_TRUE(described);
  EXPECT_TRUE(sink.anomalies.empty());
}

}  // namespace
}  // namespace ots::tls
