// Session tests: stream framing, events, confirmation, sequence tracking, limits, resync.
#include "dissectors/iec104/iec104_session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/iec104/iec104.h"
#include "tests/unit/iec104/iec104_test_frames.h"
#include "tests/unit/iec104/recording_sink.h"

namespace ots::iec104 {
namespace {

using namespace iec104_test;

constexpr uint16_t kCasdu = 37133;

class Iec104SessionTest : public ::testing::Test {
 protected:
  void client(const ByteVector& bytes) { session.data(ctx, Direction::FromClient, bytes); }
  void server(const ByteVector& bytes) { session.data(ctx, Direction::FromServer, bytes); }
  size_t count_anomaly(std::string_view name) const {
    size_t n = 0;
    for (const auto& a : sink.anomalies) n += a == name ? 1 : 0;
    return n;
  }

  RecordingSink sink;
  Iec104Session session{sink};
  FlowContext ctx;
};

// A general interrogation of CASDU 37133 and its answer.
const ByteVector kInterrogationAct = i_frame(0, 0, asdu(100, 1, 6, kCasdu, object(0, {20})));
const ByteVector kInterrogationCon = i_frame(0, 1, asdu(100, 1, 7, kCasdu, object(0, {20})));
const ByteVector kPoints = i_frame(1, 1, asdu(1, 0x83, 20, kCasdu, object(10010, {0x01, 0x00, 0x80})));
const ByteVector kInterrogationTerm = i_frame(2, 1, asdu(100, 1, 10, kCasdu, object(0, {20})));

ByteVector interrogation_answer() { return concat({kInterrogationCon, kPoints, kInterrogationTerm}); }

TEST_F(Iec104SessionTest, StartDtConfirmsAndReportsRoles) {
  client(u_frame(kStartDtAct));
  EXPECT_TRUE(sink.confirmations.empty());
  server(u_frame(kStartDtCon));
  ASSERT_EQ(sink.confirmations, std::vector<std::string>{"iec104"});
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Role, "controlling station"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "controlled station"));
  ASSERT_EQ(sink.operations.size(), 2u);
  const auto& act = sink.operations[0];
  EXPECT_EQ(act.from, Side::Client);
  EXPECT_EQ(act.code, kUFormatCodeBase + kStartDtAct);
  EXPECT_EQ(act.name, "STARTDT act");
  EXPECT_TRUE(act.is_request);
  EXPECT_TRUE(act.is_write);
  EXPECT_FALSE(act.has_range);
  const auto& con = sink.operations[1];
  EXPECT_EQ(con.from, Side::Server);
  EXPECT_EQ(con.name, "STARTDT con");
  EXPECT_FALSE(con.is_request);
  EXPECT_FALSE(con.is_write);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(Iec104SessionTest, StopDtAndTestFrames) {
  client(u_frame(kTestFrAct));
  server(u_frame(kTestFrCon));
  client(u_frame(kStopDtAct));
  server(u_frame(kStopDtCon));
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[0].name, "TESTFR act");
  EXPECT_FALSE(sink.operations[0].is_write);
  EXPECT_EQ(sink.operations[1].code, kUFormatCodeBase + kTestFrCon);
  EXPECT_EQ(sink.operations[2].name, "STOPDT act");
  EXPECT_TRUE(sink.operations[2].is_write);
  EXPECT_EQ(sink.operations[3].name, "STOPDT con");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(Iec104SessionTest, InterrogationReportsAsduOperations) {
  client(kInterrogationAct);
  server(interrogation_answer());
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "CASDU 37133"));
  ASSERT_EQ(sink.operations.size(), 4u);
  const auto& act = sink.operations[0];
  EXPECT_EQ(act.from, Side::Client);
  EXPECT_EQ(act.code, 100u);
  EXPECT_EQ(act.name, "C_IC_NA_1");
  EXPECT_TRUE(act.is_request);
  EXPECT_FALSE(act.is_write);
  EXPECT_FALSE(act.is_error);
  EXPECT_EQ(act.unit, kCasdu);
  EXPECT_TRUE(act.has_range);
  EXPECT_EQ(act.address, 0u);
  EXPECT_EQ(act.quantity, 1u);
  EXPECT_EQ(act.object, "activation");
  EXPECT_EQ(sink.operations[1].object, "activation confirmation");
  EXPECT_FALSE(sink.operations[1].is_request);
  const auto& points = sink.operations[2];
  EXPECT_EQ(points.from, Side::Server);
  EXPECT_EQ(points.name, "M_SP_NA_1");
  EXPECT_EQ(points.address, 10010u);
  EXPECT_EQ(points.quantity, 3u);
  EXPECT_EQ(points.object, "interrogated by station interrogation");
  EXPECT_EQ(sink.operations[3].object, "activation termination");
}

TEST_F(Iec104SessionTest, CommandsAreWritesWithSelectOrExecute) {
  client(i_frame(0, 0, asdu(45, 1, 6, 3, object(4500, {0x81}))));
  server(i_frame(0, 1, asdu(45, 1, 7, 3, object(4500, {0x81}))));
  client(i_frame(1, 1, asdu(45, 1, 6, 3, object(4500, {0x01}))));
  server(i_frame(1, 2, asdu(45, 1, 0x47, 3, object(4500, {0x01}))));  // negative confirmation
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[0].name, "C_SC_NA_1");
  EXPECT_EQ(sink.operations[0].object, "activation (select)");
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_EQ(sink.operations[1].object, "activation confirmation (select)");
  EXPECT_TRUE(sink.operations[1].is_write);
  EXPECT_EQ(sink.operations[2].object, "activation (execute)");
  EXPECT_FALSE(sink.operations[2].is_error);
  EXPECT_TRUE(sink.operations[3].is_error);
  EXPECT_TRUE(sink.operations[3].is_write);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(Iec104SessionTest, WriteClassification) {
  client(i_frame(0, 0, asdu(50, 1, 6, 3, object(1, {0, 0, 0x40, 0x41, 0x00}))));  // set-point
  client(i_frame(1, 0, asdu(103, 1, 6, 3, object(0, {0, 0, 0, 0, 1, 1, 23}))));   // clock sync
  client(i_frame(2, 0, asdu(105, 1, 6, 3, object(0, {1}))));                      // reset process
  client(i_frame(3, 0, asdu(113, 1, 6, 3, object(7, {1}))));                      // parameter activation
  client(i_frame(4, 0, asdu(101, 1, 6, 3, object(0, {0x85}))));                   // counter freeze + reset
  client(i_frame(5, 0, asdu(101, 1, 6, 3, object(0, {0x05}))));                   // counter read
  client(i_frame(6, 0, asdu(102, 1, 5, 3, object(9, {}))));                       // read
  client(i_frame(7, 0, asdu(120, 1, 13, 3, object(1, {1, 0, 0x10, 0, 0, 0}))));   // file ready
  server(i_frame(0, 8, asdu(120, 1, 13, 3, object(1, {1, 0, 0x10, 0, 0, 0}))));
  server(i_frame(1, 8, asdu(110, 1, 20, 3, object(7, {0, 0x10, 1}))));  // parameter on interrogation
  ASSERT_EQ(sink.operations.size(), 10u);
  std::vector<bool> writes;
  for (const auto& op : sink.operations) writes.push_back(op.is_write);
  EXPECT_EQ(writes, (std::vector<bool>{true, true, true, true, true, false, false, true, false, false}));
  EXPECT_EQ(sink.operations[6].object, "request");
  EXPECT_EQ(sink.operations[6].address, 9u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(Iec104SessionTest, UnknownCausesAreErrors) {
  client(i_frame(0, 0, asdu(100, 1, 6, 99, object(0, {20}))));
  server(i_frame(0, 1, asdu(100, 1, 0x40 | 46, 99, object(0, {20}))));
  server(i_frame(1, 1, asdu(45, 1, 44, 99, object(1, {1}))));
  ASSERT_EQ(sink.operations.size(), 3u);
  EXPECT_FALSE(sink.operations[0].is_error);
  EXPECT_TRUE(sink.operations[1].is_error);
  EXPECT_EQ(sink.operations[1].object, "unknown common address of ASDU");
  EXPECT_TRUE(sink.operations[2].is_error);
  EXPECT_TRUE(sink.operations[2].is_write);
}

TEST_F(Iec104SessionTest, SFramesAreSilent) {
  client(s_frame(0));
  server(s_frame(3));
  EXPECT_TRUE(sink.operations.empty());
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(Iec104SessionTest, ThreeValidApdusInOneDirectionConfirm) {
  server(kPoints);
  server(i_frame(2, 1, asdu(13, 1, 3, 5, object(1, {0, 0, 0x44, 0x42, 0}))));
  EXPECT_TRUE(sink.confirmations.empty());
  server(u_frame(kTestFrAct));
  EXPECT_EQ(sink.confirmations.size(), 1u);
  // The common addresses seen before the confirmation are reported with it.
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "CASDU 37133"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "CASDU 5"));
  server(u_frame(kTestFrAct));
  client(kInterrogationAct);
  server(interrogation_answer());
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST_F(Iec104SessionTest, CommonAddressesAreLimitedAndSkipGlobal) {
  client(u_frame(kStartDtAct));
  server(u_frame(kStartDtCon));
  client(i_frame(0, 0, asdu(100, 1, 6, kGlobalCommonAddress, object(0, {20}))));
  client(i_frame(1, 0, asdu(100, 1, 6, 0, object(0, {20}))));
  for (uint16_t ca = 1; ca <= 20; ++ca) server(i_frame(ca - 1, 2, asdu(1, 1, 3, ca, object(1, {1}))));
  size_t descriptions = 0;
  for (const auto& identity : sink.identities) descriptions += identity.field == IdentityField::Description;
  EXPECT_EQ(descriptions, kMaxCommonAddresses);
  EXPECT_FALSE(sink.has_identity(Side::Server, IdentityField::Description, "CASDU 65535"));
  EXPECT_FALSE(sink.has_identity(Side::Server, IdentityField::Description, "CASDU 0"));
  EXPECT_EQ(sink.operations.size(), 24u);
}

TEST_F(Iec104SessionTest, SequenceErrors) {
  server(i_frame(5, 0, asdu(1, 1, 3, 1, object(1, {1}))));
  server(i_frame(6, 0, asdu(1, 1, 3, 1, object(1, {1}))));
  EXPECT_TRUE(sink.anomalies.empty());
  server(i_frame(8, 0, asdu(1, 1, 3, 1, object(1, {1}))));
  EXPECT_EQ(count_anomaly("iec104.sequence_error"), 1u);
  server(i_frame(9, 0, asdu(1, 1, 3, 1, object(1, {1}))));
  EXPECT_EQ(count_anomaly("iec104.sequence_error"), 1u);
  // The client direction counts on its own; N(S) wraps at 32768.
  client(i_frame(32767, 0, asdu(100, 1, 6, 1, object(0, {20}))));
  client(i_frame(0, 0, asdu(100, 1, 6, 1, object(0, {20}))));
  EXPECT_EQ(count_anomaly("iec104.sequence_error"), 1u);
  // After a gap the next N(S) sets a new expectation.
  session.gap(ctx, Direction::FromServer, 100);
  server(i_frame(200, 0, asdu(1, 1, 3, 1, object(1, {1}))));
  EXPECT_EQ(count_anomaly("iec104.sequence_error"), 1u);
  EXPECT_EQ(sink.operations.size(), 7u);
}

TEST_F(Iec104SessionTest, UnexpectedDirection) {
  server(u_frame(kStartDtAct));
  client(u_frame(kStartDtCon));
  client(i_frame(0, 0, asdu(1, 1, 3, 1, object(1, {1}))));
  server(i_frame(0, 1, asdu(45, 1, 6, 1, object(1, {1}))));
  EXPECT_EQ(count_anomaly("iec104.unexpected_direction"), 4u);
  EXPECT_EQ(sink.operations.size(), 4u);  // still reported
  EXPECT_TRUE(sink.confirmations.empty());
  EXPECT_FALSE(session.rejected());
}

TEST_F(Iec104SessionTest, InvalidCauseIsReportedNotRejected) {
  server(i_frame(0, 0, asdu(1, 1, 0, 1, object(1, {1}))));
  EXPECT_EQ(count_anomaly("iec104.invalid_cause"), 1u);
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].object, "");
}

TEST_F(Iec104SessionTest, UnknownTypeIdIsReported) {
  server(i_frame(0, 0, asdu(42, 2, 3, 7, object(11, {1, 2, 3}))));
  EXPECT_EQ(count_anomaly("iec104.unknown_type_id"), 1u);
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].name, "Unknown Type ID");
  EXPECT_EQ(sink.operations[0].code, 42u);
  EXPECT_EQ(sink.operations[0].address, 11u);
  EXPECT_EQ(sink.operations[0].quantity, 2u);
  EXPECT_EQ(sink.operations[0].unit, 7u);
  EXPECT_TRUE(sink.identities.empty());
}

TEST_F(Iec104SessionTest, LengthMismatchAndTooManyObjects) {
  server(i_frame(0, 0, asdu(13, 2, 3, 1, object(1, {0, 0, 0, 0, 0}))));
  server(i_frame(1, 0, asdu(36, 127, 3, 1, object(1, ByteVector(12)))));
  EXPECT_EQ(count_anomaly("iec104.length_mismatch"), 1u);
  EXPECT_EQ(count_anomaly("iec104.too_many_objects"), 1u);
  EXPECT_EQ(sink.operations.size(), 2u);
}

TEST_F(Iec104SessionTest, InvalidUFormatAndLength) {
  client(u_frame(0x0F));
  EXPECT_EQ(count_anomaly("iec104.invalid_u_format"), 1u);
  EXPECT_TRUE(sink.operations.empty());
  client({0x68, 0x02, 0x07, 0x00});
  EXPECT_EQ(count_anomaly("iec104.invalid_length"), 1u);
  client(u_frame(kStartDtAct));  // the hunt finds the next APDU
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].name, "STARTDT act");
}

TEST_F(Iec104SessionTest, InvalidStartThenResync) {
  client(concat({{0x00, 0x11, 0x22, 0x68, 0x01}, u_frame(kTestFrAct), u_frame(kTestFrAct)}));
  EXPECT_EQ(count_anomaly("iec104.invalid_start"), 1u);
  EXPECT_EQ(sink.anomalies.size(), 1u);
  EXPECT_EQ(sink.operations.size(), 2u);
}

TEST_F(Iec104SessionTest, CoalescedAndSplitChunksGiveTheSameEvents) {
  ByteVector stream = concat({u_frame(kStartDtAct), kInterrogationAct, s_frame(3), kInterrogationAct});
  stream = concat({stream, i_frame(1, 0, asdu(45, 1, 6, 3, object(4500, {0x81})))});
  RecordingSink whole_sink;
  Iec104Session whole(whole_sink);
  whole.data(ctx, Direction::FromClient, stream);
  ASSERT_EQ(whole_sink.operations.size(), 4u);
  EXPECT_EQ(whole_sink.anomalies, std::vector<std::string>{"iec104.sequence_error"});  // N(S) 0 twice
  for (size_t split = 1; split < stream.size(); ++split) {
    RecordingSink split_sink;
    Iec104Session split_session(split_sink);
    split_session.data(ctx, Direction::FromClient, Bytes(stream).first(split));
    split_session.data(ctx, Direction::FromClient, Bytes(stream).subspan(split));
    ASSERT_EQ(split_sink.operations.size(), whole_sink.operations.size()) << split;
    EXPECT_EQ(split_sink.anomalies, whole_sink.anomalies) << split;
    for (size_t i = 0; i < split_sink.operations.size(); ++i) {
      EXPECT_EQ(split_sink.operations[i].code, whole_sink.operations[i].code);
      EXPECT_EQ(split_sink.operations[i].address, whole_sink.operations[i].address);
    }
  }
  RecordingSink byte_sink;
  Iec104Session bytewise(byte_sink);
  for (uint8_t b : stream) bytewise.data(ctx, Direction::FromClient, Bytes(&b, 1));
  EXPECT_EQ(byte_sink.operations.size(), whole_sink.operations.size());
}

TEST_F(Iec104SessionTest, ResyncAfterGap) {
  server(ByteVector(kPoints.begin(), kPoints.begin() + 7));
  session.gap(ctx, Direction::FromServer, 50);
  // The stream resumes mid-APDU: the hunt skips to the next start byte with a valid header.
  server(concat({ByteVector(kPoints.begin() + 9, kPoints.end()), kInterrogationTerm}));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].object, "activation termination");
  EXPECT_TRUE(sink.anomalies.empty());
  server(u_frame(kTestFrAct));
  session.end(ctx, Direction::FromServer);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(Iec104SessionTest, TruncatedApduAtEnd) {
  client(ByteVector(kInterrogationAct.begin(), kInterrogationAct.end() - 3));
  session.end(ctx, Direction::FromClient);
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"iec104.truncated_apdu"});
}

TEST_F(Iec104SessionTest, EveryPrefixOfAValidStream) {
  ByteVector stream = interrogation_answer();
  for (size_t n = 0; n <= stream.size(); ++n) {
    RecordingSink prefix_sink;
    Iec104Session prefix_session(prefix_sink);
    prefix_session.data(ctx, Direction::FromServer, Bytes(stream).first(n));
    prefix_session.end(ctx, Direction::FromServer);
    for (const auto& anomaly : prefix_sink.anomalies) EXPECT_EQ(anomaly, "iec104.truncated_apdu");
    EXPECT_FALSE(prefix_session.rejected());
  }
}

TEST_F(Iec104SessionTest, RepeatedViolationsReject) {
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) {
    EXPECT_FALSE(session.rejected());
    client(u_frame(0xFF));
  }
  EXPECT_TRUE(session.rejected());
  size_t anomalies = sink.anomalies.size();
  client(u_frame(kStartDtAct));
  EXPECT_TRUE(sink.operations.empty());
  EXPECT_EQ(sink.anomalies.size(), anomalies);
}

TEST_F(Iec104SessionTest, GarbageRejectsThroughTheHunt) {
  ByteVector garbage(kMaxApduSize * kMaxConsecutiveViolations, 0x55);
  client(garbage);
  EXPECT_TRUE(session.rejected());
  EXPECT_EQ(sink.anomalies.front(), "iec104.invalid_start");
}

TEST_F(Iec104SessionTest, ValidApdusResetTheViolationCount) {
  for (int round = 0; round < 3; ++round) {
    for (uint32_t i = 0; i + 1 < kMaxConsecutiveViolations; ++i) client(u_frame(0xFF));
    client(u_frame(kTestFrAct));
  }
  EXPECT_FALSE(session.rejected());
}

TEST(Iec104Descriptor, Registration) {
  EXPECT_EQ(kDissector_iec104.name, "iec104");
  EXPECT_EQ(kDissector_iec104.transports, transport_bit::Tcp);
  ASSERT_EQ(kDissector_iec104.ports.size(), 1u);
  EXPECT_EQ(kDissector_iec104.ports[0], 2404);
  ByteVector startdt = u_frame(kStartDtAct);
  EXPECT_EQ(kDissector_iec104.probe(Direction::FromClient, startdt), ProbeResult::Match);
  ByteVector short_bytes{0x68, 0x04};
  EXPECT_EQ(kDissector_iec104.probe(Direction::FromClient, short_bytes), ProbeResult::NeedMoreData);
  RecordingSink sink;
  auto session = kDissector_iec104.make_session(sink);
  ASSERT_NE(session, nullptr);
  FlowContext ctx;
  session->data(ctx, Direction::FromClient, startdt);
  EXPECT_EQ(sink.operations.size(), 1u);
  bool registered = false;
  for (const DissectorDescriptor* d : all_dissectors()) registered |= d == &kDissector_iec104;
  EXPECT_TRUE(registered);
}

}  // namespace
}  // namespace ots::iec104
