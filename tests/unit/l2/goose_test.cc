// GOOSE: wire parser on built PDUs and a frame from the shared captures, strict BER
// cases for every anomaly, publication tracking (stNum / sqNum), truncation at every
// prefix, and a golden replay of the captures checked against tshark.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/goose/goose_session.h"
#include "dissectors/goose/goose_wire.h"
#include "tests/unit/l2/l2_test_support.h"

namespace ots::goose {
namespace {

using l2_test::from_hex;
using l2_test::RecordingSink;
using Frame = std::vector<uint8_t>;

constexpr const char* kPublisher = "00:a0:f4:08:2f:77";

// goose_iti_GOOSE.pcap frame 1: GEDeviceF650, stNum 1, sqNum 10, 8 entries.
const Frame kGeFrame = from_hex(
    "0001009100000000618186801a4745446576696365463635302f4c4c4e3024474f2467636230318103009c408218474544657669"
    "6365"
    "463635302f4c4c4e3024474f4f534531830b463635305f474f4f5345318408386ebbf34217280a85010186010a87010088010189"
    "01008a"
    "0108ab208301008403030000830100840303000083010084030300008301008403030000");

void add_tlv(Frame& f, uint8_t tag, const Frame& value) {
  f.push_back(tag);
  if (value.size() < 0x80) {
    f.push_back(uint8_t(value.size()));
  } else {
    f.insert(f.end(), {0x82, uint8_t(value.size() >> 8), uint8_t(value.size())});
  }
  f.insert(f.end(), value.begin(), value.end());
}
Frame text(std::string_view s) { return Frame(s.begin(), s.end()); }

struct Fields {
  std::string gocb_ref = "IED1LD0/LLN0$GO$gcb1";
  uint8_t t_last = 0x0A;  // last byte of the event time t
  uint32_t st_num = 5, sq_num = 0;
  uint32_t entries = 2;
  Frame all_data = {0x83, 0x01, 0x01, 0x84, 0x03, 0x03, 0x00, 0x00};
};

Frame build(const Fields& in, uint16_t appid = 0x3001) {
  Frame pdu;
  add_tlv(pdu, 0x80, text(in.gocb_ref));
  add_tlv(pdu, 0x81, {0x07, 0xD0});
  add_tlv(pdu, 0x82, text("IED1LD0/LLN0$DataSet1"));
  add_tlv(pdu, 0x83, text("goid1"));
  add_tlv(pdu, 0x84, {0x5F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, in.t_last});
  add_tlv(pdu, 0x85,
          {uint8_t(in.st_num >> 24), uint8_t(in.st_num >> 16), uint8_t(in.st_num >> 8), uint8_t(in.st_num)});
  add_tlv(pdu, 0x86,
          {0x00, uint8_t(in.sq_num >> 24), uint8_t(in.sq_num >> 16), uint8_t(in.sq_num >> 8),
           uint8_t(in.sq_num)});
  add_tlv(pdu, 0x87, {0x00});
  add_tlv(pdu, 0x88, {0x01});
  add_tlv(pdu, 0x89, {0x00});
  add_tlv(pdu, 0x8A, {uint8_t(in.entries)});
  add_tlv(pdu, 0xAB, in.all_data);
  Frame goose_pdu;
  add_tlv(goose_pdu, 0x61, pdu);
  size_t length = goose_pdu.size() + kHeaderSize;
  Frame f = {uint8_t(appid >> 8), uint8_t(appid), uint8_t(length >> 8), uint8_t(length), 0, 0, 0, 0};
  f.insert(f.end(), goose_pdu.begin(), goose_pdu.end());
  return f;
}

TEST(GooseWire, ParsesCaptureFrame) {
  GoosePdu pdu = parse_goose(kGeFrame);
  EXPECT_EQ(pdu.anomaly, Anomaly::None);
  EXPECT_EQ(pdu.appid, 1);
  EXPECT_EQ(pdu.length, 145);
  EXPECT_EQ(pdu.gocb_ref, "GEDeviceF650/LLN0$GO$gcb01");
  EXPECT_EQ(pdu.dat_set, "GEDeviceF650/LLN0$GOOSE1");
  EXPECT_EQ(pdu.go_id, "F650_GOOSE1");
  EXPECT_EQ(pdu.time_allowed_to_live, 40000u);
  EXPECT_EQ(pdu.st_num, 1u);
  EXPECT_EQ(pdu.sq_num, 10u);
  EXPECT_EQ(pdu.conf_rev, 1u);
  EXPECT_EQ(pdu.num_dat_set_entries, 8u);
  EXPECT_EQ(pdu.data_entries, 8u);
  EXPECT_FALSE(pdu.simulation);
  EXPECT_EQ(logical_device(pdu.gocb_ref), "GEDeviceF650");
}

TEST(GooseWire, LongFormLengthsAndNestedData) {
  Fields in;
  in.entries = 2;
  // A structure holding a boolean and an array of two integers, then a long visible string.
  in.all_data = from_hex("a20b 8301ff a106 850101 850102");
  Frame visible(200, 'x');
  add_tlv(in.all_data, 0x8A, visible);
  GoosePdu pdu = parse_goose(build(in));
  EXPECT_EQ(pdu.anomaly, Anomaly::None);
  EXPECT_EQ(pdu.data_entries, 2u);
}

TEST(GooseWire, SimulationBitAndPadding) {
  Frame f = build(Fields{});
  f[4] = 0x80;
  f.insert(f.end(), 10, 0x00);  // Ethernet padding after Length
  GoosePdu pdu = parse_goose(f);
  EXPECT_EQ(pdu.anomaly, Anomaly::None);
  EXPECT_TRUE(pdu.simulation_bit);
}

TEST(GooseWire, InvalidBer) {
  Frame indefinite = build(Fields{});
  indefinite[kHeaderSize + 1] = 0x80;  // goosePdu with indefinite length
  EXPECT_EQ(parse_goose(indefinite).anomaly, Anomaly::InvalidBer);
  Frame five_byte_length = build(Fields{});
  five_byte_length[kHeaderSize + 1] = 0x85;
  EXPECT_EQ(parse_goose(five_byte_length).anomaly, Anomaly::InvalidBer);
  Fields universal;
  universal.all_data = from_hex("0101ff");  // universal BOOLEAN, not a Data choice
  universal.entries = 1;
  EXPECT_EQ(parse_goose(build(universal)).anomaly, Anomaly::InvalidBer);
  Frame wrong_pdu_tag = build(Fields{});
  wrong_pdu_tag[kHeaderSize] = 0x62;
  EXPECT_EQ(parse_goose(wrong_pdu_tag).anomaly, Anomaly::InvalidBer);
}

TEST(GooseWire, MalformedCaptureFrameIsInvalidBer) {
  Frame f = kGeFrame;
  f[11] = 0x1F;  // gocbRef tag replaced by a multi-byte universal tag, as in GOOSE_malformed_asn1.pcap
  EXPECT_EQ(parse_goose(f).anomaly, Anomaly::InvalidBer);
}

TEST(GooseWire, LengthMismatch) {
  Frame header_too_long = build(Fields{});
  header_too_long[3] += 1;  // Length one past the frame
  EXPECT_EQ(parse_goose(header_too_long).anomaly, Anomaly::LengthMismatch);
  Frame short_header = {0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0};
  EXPECT_EQ(parse_goose(short_header).anomaly, Anomaly::LengthMismatch);
  Fields inner;
  inner.all_data = from_hex("830501");  // boolean claiming 5 bytes, 1 present
  inner.entries = 1;
  EXPECT_EQ(parse_goose(build(inner)).anomaly, Anomaly::LengthMismatch);
  Fields count;
  count.entries = 3;  // two present
  EXPECT_EQ(parse_goose(build(count)).anomaly, Anomaly::LengthMismatch);
}

TEST(GooseWire, MissingFieldAndTooComplex) {
  Frame f = {0x00, 0x01, 0x00, 0x0E, 0, 0, 0, 0, 0x61, 0x04, 0x81, 0x02, 0x07, 0xD0};
  EXPECT_EQ(parse_goose(f).anomaly, Anomaly::MissingField);
  Fields deep;
  deep.entries = 1;
  Frame nested = {0x83, 0x01, 0x00};
  for (size_t i = 0; i < kMaxDataDepth + 1; ++i) {
    Frame outer;
    add_tlv(outer, 0xA2, nested);
    nested = outer;
  }
  deep.all_data = nested;
  EXPECT_EQ(parse_goose(build(deep)).anomaly, Anomaly::TooComplex);
  Fields many;
  many.entries = 0;
  many.all_data.clear();
  for (size_t i = 0; i <= kMaxDataElements; ++i)
    many.all_data.insert(many.all_data.end(), {0x83, 0x01, 0x00});
  EXPECT_EQ(parse_goose(build(many)).anomaly, Anomaly::TooComplex);
}

TEST(GooseWire, Probe) {
  EXPECT_EQ(probe(kGeFrame), ProbeResult::Match);
  EXPECT_EQ(probe(Frame(kGeFrame.begin(), kGeFrame.begin() + 6)), ProbeResult::NeedMoreData);
  Frame not_goose = kGeFrame;
  not_goose[kHeaderSize] = 0x30;
  EXPECT_EQ(probe(not_goose), ProbeResult::NoMatch);
}

TEST(GooseSession, ReportsStateChangesOnly) {
  RecordingSink sink;
  GooseSession session(sink);
  FlowContext ctx = l2_test::l2_context(kPublisher, "01:0c:cd:01:00:01");
  Fields in;
  for (uint32_t sq = 0; sq < 5; ++sq) {
    in.sq_num = sq;
    session.data(ctx, Direction::FromClient, build(in));
  }
  in.st_num = 6;
  in.sq_num = 0;
  session.data(ctx, Direction::FromClient, build(in));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].code, 0x3001u);
  EXPECT_EQ(sink.operations[0].name, "GOOSE");
  EXPECT_EQ(sink.operations[0].unit, 5u);
  EXPECT_EQ(sink.operations[0].object, "IED1LD0/LLN0$GO$gcb1");
  EXPECT_TRUE(sink.operations[0].is_request);
  EXPECT_EQ(sink.operations[1].unit, 6u);
  EXPECT_EQ(sink.operations[1].address, 0u);
  EXPECT_EQ(sink.confirmations, std::vector<std::string>{kPublisher});
  EXPECT_TRUE(sink.has_identity(kPublisher, IdentityField::Hostname, "IED1LD0"));
  EXPECT_TRUE(sink.has_identity(kPublisher, IdentityField::DeviceType, "IED"));
  EXPECT_TRUE(sink.has_identity(kPublisher, IdentityField::Role, "GOOSE publisher"));
  EXPECT_TRUE(sink.has_identity(kPublisher, IdentityField::Description, "gocbRef IED1LD0/LLN0$GO$gcb1"));
  EXPECT_EQ(sink.identities.size(), 4u);  // identity once per publication
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(session.publications(), 1u);
}

TEST(GooseSession, Regressions) {
  RecordingSink sink;
  GooseSession session(sink);
  FlowContext ctx = l2_test::l2_context(kPublisher, "01:0c:cd:01:00:01");
  Fields in;
  in.sq_num = 7;
  session.data(ctx, Direction::FromClient, build(in));
  in.sq_num = 3;
  session.data(ctx, Direction::FromClient, build(in));
  EXPECT_TRUE(sink.has_anomaly("goose.sqnum_regression"));
  in.st_num = 2;
  session.data(ctx, Direction::FromClient, build(in));
  EXPECT_TRUE(sink.has_anomaly("goose.stnum_regression"));
  EXPECT_EQ(sink.operations.size(), 2u);
  in.st_num = 1;  // a restart: back to 1 is not a regression
  session.data(ctx, Direction::FromClient, build(in));
  EXPECT_EQ(sink.anomalies.size(), 2u);
  // Wraps to 1 are not regressions.
  RecordingSink wrap_sink;
  GooseSession wrap(wrap_sink);
  Fields w;
  w.st_num = UINT32_MAX;
  w.sq_num = UINT32_MAX;
  wrap.data(ctx, Direction::FromClient, build(w));
  w.sq_num = 1;
  wrap.data(ctx, Direction::FromClient, build(w));
  w.st_num = 1;
  wrap.data(ctx, Direction::FromClient, build(w));
  EXPECT_TRUE(wrap_sink.anomalies.empty());
}

TEST(GooseSession, RestartWithSameStNumIsANewState) {
  RecordingSink sink;
  GooseSession session(sink);
  FlowContext ctx = l2_test::l2_context(kPublisher, "01:0c:cd:01:00:01");
  Fields in;
  in.st_num = 1;
  in.sq_num = 12;
  session.data(ctx, Direction::FromClient, build(in));
  in.sq_num = 1;
  in.t_last = 0x0B;
  session.data(ctx, Direction::FromClient, build(in));
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(sink.operations.size(), 2u);
}

TEST(GooseSession, PublicationsArePerPublisherAndReference) {
  RecordingSink sink;
  GooseSession session(sink);
  Fields a, b;
  b.gocb_ref = "IED1LD0/LLN0$GO$gcb2";
  session.data(l2_test::l2_context(kPublisher, "01:0c:cd:01:00:01"), Direction::FromClient, build(a));
  session.data(l2_test::l2_context(kPublisher, "01:0c:cd:01:00:01"), Direction::FromClient, build(b));
  session.data(l2_test::l2_context("00:a0:f4:08:2f:78", "01:0c:cd:01:00:01"), Direction::FromClient,
               build(a));
  EXPECT_EQ(session.publications(), 3u);
  EXPECT_EQ(sink.operations.size(), 3u);
  EXPECT_EQ(sink.confirmations.size(), 2u);
}

TEST(GooseSession, MalformedIsReportedNotConfirmed) {
  RecordingSink sink;
  GooseSession session(sink);
  Frame f = kGeFrame;
  f[11] = 0x1F;
  session.data(l2_test::l2_context(kPublisher, "01:a0:f4:08:2f:77"), Direction::FromClient, f);
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"goose.invalid_ber"});
  EXPECT_TRUE(sink.confirmations.empty());
  EXPECT_TRUE(sink.operations.empty());
  EXPECT_FALSE(session.rejected());
}

TEST(GooseSession, EveryPrefixIsSafe) {
  l2_test::feed_every_prefix<GooseSession>(kGeFrame);
  l2_test::feed_every_prefix<GooseSession>(build(Fields{}));
}

// Golden: every (publisher, APPID, gocbRef) tshark decodes is reported, with its LD name.
RecordingSink replay_and_compare(const char* file) {
  RecordingSink sink;
  auto pcap = l2_test::kPcapDir / file;
  GooseSession session(sink);
  size_t fed = l2_test::replay_capture(pcap, kEthertype, session);
  auto rows = l2_test::tshark_rows(pcap, "goose", "-e eth.src -e goose.appid -e goose.gocbRef");
  EXPECT_EQ(fed, rows.size());
  std::set<std::string> expected, reported;
  for (const auto& row : rows) expected.insert(row);
  for (const auto& op : sink.operations) {
    char appid[8];
    std::snprintf(appid, sizeof appid, "0x%04x", op.code);
    reported.insert(op.mac + "\t" + appid + "\t" + op.object);
  }
  EXPECT_EQ(reported, expected);
  return sink;
}

TEST(GooseGolden, SampleSubstation) {
  const char* file = "goose_iti_Sample_File_GOOSE.pcap";
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / file);
  RecordingSink sink = replay_and_compare(file);
  EXPECT_TRUE(sink.has_identity("0a:bb:fe:10:c9:06", IdentityField::Hostname, "AA1C1Q05A1LD0"));
  EXPECT_TRUE(sink.has_identity("0a:bb:fe:10:c9:08", IdentityField::Hostname, "AA1C1Q07A1LD0"));
  EXPECT_TRUE(sink.has_identity("0a:bb:fe:10:c9:02", IdentityField::Hostname, "AA1C1Q01A1LD0"));
  EXPECT_EQ(sink.confirmations.size(), 3u);
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
}

TEST(GooseGolden, GeF650) {
  const char* file = "goose_iti_GOOSE.pcap";
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / file);
  RecordingSink sink = replay_and_compare(file);
  EXPECT_TRUE(sink.has_identity(kPublisher, IdentityField::Hostname, "GEDeviceF650"));
  EXPECT_TRUE(
      sink.has_identity(kPublisher, IdentityField::Description, "gocbRef GEDeviceF650/LLN0$GO$gcb01"));
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
}

TEST(GooseGolden, MalformedAsn1) {
  auto pcap = l2_test::kPcapDir / "goose_dina_GOOSE_malformed_asn1.pcap";
  OTS_REQUIRE_CAPTURE(pcap);
  RecordingSink sink;
  GooseSession session(sink);
  EXPECT_EQ(l2_test::replay_capture(pcap, kEthertype, session), 1u);
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"goose.invalid_ber"});
  EXPECT_TRUE(sink.operations.empty());
}

}  // namespace
}  // namespace ots::goose
