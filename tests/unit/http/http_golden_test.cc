// Golden test over the shared capture http_zeek_get.pcap: tshark is the oracle for the
// request (GROUND_TRUTH.md http_requests / http_servers) and, through --export-objects and
// md5sum / sha256sum, for the body digests.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include <map>

#include "dissectors/http/http_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::http {
namespace {

using namespace test_support;

TEST(HttpGolden, ZeekGet) {
  auto pcap = shared_pcap("http_zeek_get.pcap");
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared captures or tshark not available";

  RecordingSink sink;
  std::map<uint32_t, std::unique_ptr<HttpSession>> sessions;
  std::map<uint32_t, uint16_t> client_port;
  for (const auto& segment : tcp_segments(*pcap, "!tcp.analysis.retransmission")) {
    auto& session = sessions[segment.stream];
    if (!session) {
      session = std::make_unique<HttpSession>(sink);
      client_port[segment.stream] = segment.src_port;  // the client speaks first
    }
    Direction dir = segment.src_port == client_port[segment.stream] ? Direction::FromClient : Direction::FromServer;
    session->data(FlowContext{}, dir, segment.payload);
  }
  for (auto& [stream, session] : sessions) {
    session->end(FlowContext{}, Direction::FromClient);
    session->end(FlowContext{}, Direction::FromServer);
  }
  ASSERT_FALSE(sessions.empty());
  EXPECT_EQ(sink.confirmations.size(), sessions.size());
  EXPECT_TRUE(sink.anomalies.empty());

  // GROUND_TRUTH.md: 192.150.187.43 | bro.org | GET | Wget/1.14 (darwin12.2.0); Server Apache/2.4.3 (Fedora).
  EXPECT_TRUE(sink.has_observable(Observable::Domain, "bro.org"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Software, "Wget/1.14 (darwin12.2.0)"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Software, "Apache/2.4.3 (Fedora)"));
  for (const auto& row : tshark_fields(*pcap, "http.request", {"http.request.method", "http.request.full_uri"})) {
    bool seen = false;
    for (const auto& op : sink.operations) seen |= op.from == Side::Client && op.name == row[0];
    EXPECT_TRUE(seen) << row[0];
    EXPECT_TRUE(sink.has_observable(Observable::Url, row[1])) << row[1];
  }
  for (const auto& row : tshark_fields(*pcap, "http.response", {"http.response.code"})) {
    bool seen = false;
    for (const auto& op : sink.operations) seen |= op.from == Side::Server && std::to_string(op.code) == row[0];
    EXPECT_TRUE(seen) << row[0];
  }

  // The body, as tshark exports it, hashed by coreutils.
  auto dir = std::filesystem::temp_directory_path() / ("ots_http_golden_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  run_lines("tshark -n -r '" + pcap->string() + "' --export-objects 'http," + dir.string() + "'");
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    for (auto [tool, kind] : {std::pair{"md5sum", Observable::FileMd5}, std::pair{"sha1sum", Observable::FileSha1},
                              std::pair{"sha256sum", Observable::FileSha256}}) {
      auto lines = run_lines(std::string(tool) + " '" + entry.path().string() + "'");
      ASSERT_FALSE(lines.empty());
      std::string digest = lines[0].substr(0, lines[0].find(' '));
      EXPECT_TRUE(sink.has_observable(kind, digest)) << tool << " " << digest;
    }
    ++files;
  }
  std::filesystem::remove_all(dir);
  EXPECT_GT(files, 0u);
}

}  // namespace
}  // namespace ots::http
