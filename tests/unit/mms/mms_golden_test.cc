// Golden test over the shared public MMS captures (see ../shared/pcaps/GROUND_TRUTH.md): every
// confirmed service request and response tshark decodes (mms.confirmedServiceRequest /
// mms.confirmedServiceResponse) appears as an operation with that code, and the Identify answer of
// piccolo.pcap gives vendor, model and revision of the server.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "dissectors/mms/mms_session.h"
#include "dissectors/mms/mms_tables.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::mms {
namespace {

using namespace test_support;

struct GoldenResult {
  RecordingSink sink;
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
    result.confirmed = result.confirmed || session->confirmed();
    result.rejected = result.rejected || session->rejected();
  }
  return result;
}

size_t count_ops(const RecordingSink& sink, bool request, uint32_t code) {
  size_t n = 0;
  for (const auto& op : sink.operations) n += op.is_request == request && op.code == code;
  return n;
}

// Checks every service tshark decodes against our operations; returns how many it decoded.
size_t check_services(const std::filesystem::path& pcap, const RecordingSink& sink) {
  std::map<uint32_t, size_t> requests, responses;
  for (const auto& row :
       tshark_fields(pcap, "mms", {"mms.confirmedServiceRequest", "mms.confirmedServiceResponse"})) {
    if (!row[0].empty()) ++requests[static_cast<uint32_t>(std::stoul(row[0]))];
    if (!row[1].empty()) ++responses[static_cast<uint32_t>(std::stoul(row[1]))];
  }
  for (const auto& [code, n] : requests) EXPECT_EQ(count_ops(sink, true, code), n) << "request " << code;
  for (const auto& [code, n] : responses) EXPECT_EQ(count_ops(sink, false, code), n) << "response " << code;
  return requests.size() + responses.size();
}

TEST(MmsGolden, Iec61850Read) {
  auto pcap = shared_pcap("mms_iti_iec61850_read.pcap");
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared capture or tshark missing";
  GoldenResult r = run_capture(*pcap);
  EXPECT_TRUE(r.confirmed);
  EXPECT_FALSE(r.rejected);
  EXPECT_EQ(check_services(*pcap, r.sink), 2u);              // GROUND_TRUTH: "4|" and "|4"
  EXPECT_EQ(count_ops(r.sink, true, kPduCodeBase + 8), 1u);  // initiate
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::DeviceType, "IED"));
  bool read_mu = false;
  for (const auto& op : r.sink.operations) read_mu = read_mu || (op.code == 4 && op.object == "mu");
  EXPECT_TRUE(read_mu);
}

TEST(MmsGolden, Iec61850GetNameList) {
  auto pcap = shared_pcap("mms_iti_iec61850_get_name_list.pcap");
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared capture or tshark missing";
  GoldenResult r = run_capture(*pcap);
  EXPECT_TRUE(r.confirmed);
  EXPECT_EQ(check_services(*pcap, r.sink), 1u);  // GROUND_TRUTH: "1|"
  // The server of this capture answers without a service result: tshark shows no response either.
  EXPECT_TRUE(r.sink.has_anomaly("mms.invalid_pdu"));
}

TEST(MmsGolden, PiccoloIdentify) {
  auto pcap = shared_pcap("mms_iti_piccolo.pcap");
  if (!pcap || !have_tshark()) GTEST_SKIP() << "shared capture or tshark missing";
  GoldenResult r = run_capture(*pcap);
  EXPECT_TRUE(r.confirmed);
  EXPECT_EQ(check_services(*pcap, r.sink), 3u);  // GROUND_TRUTH: "2|", "|2", "0|"
  // GROUND_TRUTH: 10.10.0.30 | INFO TECH | S61850 for PC | 0.0.1
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::Vendor, "INFO TECH"));
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::ProductName, "S61850 for PC"));
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "0.0.1"));
  for (const auto& a : r.sink.anomalies) ADD_FAILURE() << "anomaly " << a;
}

}  // namespace
}  // namespace ots::mms
