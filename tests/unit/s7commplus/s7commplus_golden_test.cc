// Golden test over the shared public S7comm-plus captures (see ../shared/pcaps/GROUND_TRUTH.md):
// the protocol versions tshark sees in the 0x72 payloads, one request operation per client
// request frame (opcode 0x31, counted independently from tshark's COTP data), and the PLC's
// order number / firmware from the session set-up.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "dissectors/s7commplus/s7commplus_session.h"
#include "dissectors/s7commplus/s7commplus_tables.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::s7commplus {
namespace {

using namespace test_support;

struct GoldenResult {
  RecordingSink sink;
  uint8_t versions = 0;
  bool confirmed = false;
  bool rejected = false;
};

GoldenResult run_capture(const std::filesystem::path& pcap) {
  GoldenResult result;
  std::map<uint32_t, std::unique_ptr<Session>> sessions;
  FlowContext ctx;
  for (const auto& seg :
       tcp_segments(pcap, "tcp.port==102 && !tcp.analysis.retransmission && !tcp.analysis.keep_alive")) {
    auto& session = sessions[seg.stream];
    if (!session) session = std::make_unique<Session>(result.sink);
    session->data(ctx, seg.dst_port == 102 ? Direction::FromClient : Direction::FromServer, seg.payload);
  }
  for (auto& [stream, session] : sessions) {
    result.versions |= session->versions_seen();
    result.confirmed = result.confirmed || session->confirmed();
    result.rejected = result.rejected || session->rejected();
  }
  return result;
}

// tshark's view: COTP data starting with 0x72 → (version byte, opcode) of client frames with a trailer.
struct Oracle {
  std::set<int> versions;
  size_t client_requests = 0;
};

Oracle oracle(const std::filesystem::path& pcap) {
  Oracle o;
  for (const auto& row :
       tshark_fields(pcap, "cotp.type == 0x0f && data.data[0:1] == 72 && !tcp.analysis.retransmission",
                     {"tcp.dstport", "data.data"})) {
    const auto data = from_hex(row[1]);
    if (data.size() < 5) continue;
    o.versions.insert(data[1]);
    // V1/V2 data starts with the opcode right after the 4-byte header.
    if (row[0] == "102" && data[1] != 0x03 && data[1] != 0xFF && data[4] == opcode::kRequest)
      ++o.client_requests;
  }
  return o;
}

void check_capture(const std::string& name, std::string_view order_number, std::string_view firmware) {
  auto pcap = shared_pcap(name);
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared capture or tshark missing";
  GoldenResult r = run_capture(*pcap);
  Oracle o = oracle(*pcap);
  ASSERT_FALSE(o.versions.empty());
  EXPECT_TRUE(r.confirmed);
  EXPECT_FALSE(r.rejected);
  // GROUND_TRUTH: "s7comm-plus version byte 0x01" and "… 0x02".
  for (int v : o.versions) EXPECT_TRUE(r.versions & (1u << v)) << "version " << v;
  EXPECT_TRUE(r.versions & (1u << version::kV1));
  EXPECT_TRUE(r.versions & (1u << version::kV2));
  size_t requests = 0, create_object = 0;
  for (const auto& op : r.sink.operations) {
    if (op.is_request && op.from == Side::Client) ++requests;
    if (op.code == function::kCreateObject) ++create_object;
  }
  EXPECT_EQ(requests, o.client_requests);
  EXPECT_GE(create_object, 2u);  // the session request and its response
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::OrderNumber, order_number));
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::FirmwareVersion, firmware));
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::Vendor, "Siemens"));
  for (const auto& a : r.sink.anomalies) ADD_FAILURE() << "anomaly " << a;
}

TEST(S7commPlusGolden, S7_1200UploadingOb1) {
  check_capture("s7commplus_iti_S7-1200-Uploading-OB1-TIAV12.pcap", "6ES7 214-1HE30-0XB0", "V2.2");
}

TEST(S7commPlusGolden, S7_1511OpcRequestAllTypes) {
  check_capture("s7commplus_iti_S7-1511-opc-request-all-types.pcap", "6ES7 511-1AK00-0AB0", "V1.0");
}

TEST(S7commPlusGolden, S7_1200Hmi) {
  check_capture("s7commplus_iti_s7-1200-hmi.pcap", "6ES7 211-1BE31-0XB0", "V3.0");
}

}  // namespace
}  // namespace ots::s7commplus
