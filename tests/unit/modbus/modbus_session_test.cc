// Session tests: stream framing, request/response matching, events, limits, resync.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "dissectors/modbus/modbus.h"
#include "dissectors/modbus/modbus_session.h"
#include "tests/unit/modbus/recording_sink.h"

namespace ots::modbus {
namespace {

using ByteVector = std::vector<uint8_t>;
using modbus_test::RecordingSink;

ByteVector adu(uint16_t transaction_id, uint8_t unit, const ByteVector& pdu) {
  auto length = static_cast<uint16_t>(pdu.size() + 1);
  ByteVector out{static_cast<uint8_t>(transaction_id >> 8), static_cast<uint8_t>(transaction_id), 0, 0,
                 static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), unit};
  out.insert(out.end(), pdu.begin(), pdu.end());
  return out;
}

ByteVector concat(std::initializer_list<ByteVector> parts) {
  ByteVector out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

class SessionTest : public ::testing::Test {
 protected:
  void client(const ByteVector& bytes) { session.data(ctx, Direction::FromClient, bytes); }
  void server(const ByteVector& bytes) { session.data(ctx, Direction::FromServer, bytes); }

  RecordingSink sink;
  ModbusSession session{sink};
  FlowContext ctx;
};

const ByteVector kReadHolding = {0x03, 0x00, 0x6B, 0x00, 0x03};
const ByteVector kReadHoldingReply = {0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64};

TEST_F(SessionTest, RequestAndResponseConfirmAndReportOperations) {
  client(adu(1, 17, kReadHolding));
  EXPECT_TRUE(sink.confirmations.empty());
  EXPECT_EQ(session.pending_requests(), 1u);
  server(adu(1, 17, kReadHoldingReply));
  EXPECT_EQ(session.pending_requests(), 0u);
  ASSERT_EQ(sink.confirmations, std::vector<std::string>{"modbus"});
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Role, "master"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "slave"));
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.operations.size(), 2u);
  const auto& request = sink.operations[0];
  EXPECT_EQ(request.from, Side::Client);
  EXPECT_TRUE(request.is_request);
  EXPECT_EQ(request.code, 3u);
  EXPECT_EQ(request.name, "Read Holding Registers");
  EXPECT_TRUE(request.has_range);
  EXPECT_EQ(request.address, 0x6Bu);
  EXPECT_EQ(request.quantity, 3u);
  EXPECT_EQ(request.unit, 17u);
  EXPECT_FALSE(request.is_write);
  const auto& response = sink.operations[1];
  EXPECT_EQ(response.from, Side::Server);
  EXPECT_FALSE(response.is_request);
  EXPECT_EQ(response.code, 3u);
  EXPECT_TRUE(response.has_range);  // inherited from the request
  EXPECT_EQ(response.address, 0x6Bu);
  EXPECT_EQ(response.quantity, 3u);
  // A second exchange does not confirm again.
  client(adu(2, 17, kReadHolding));
  server(adu(2, 17, kReadHoldingReply));
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST_F(SessionTest, WritesAreMarked) {
  client(adu(1, 1, {0x05, 0x00, 0xAC, 0xFF, 0x00}));
  server(adu(1, 1, {0x05, 0x00, 0xAC, 0xFF, 0x00}));
  client(adu(2, 1, {0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02}));
  server(adu(2, 1, {0x10, 0x00, 0x01, 0x00, 0x02}));
  ASSERT_EQ(sink.operations.size(), 4u);
  for (const auto& op : sink.operations) EXPECT_TRUE(op.is_write) << op.name;
  EXPECT_EQ(sink.operations[2].quantity, 2u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(SessionTest, ExceptionResponse) {
  client(adu(7, 0, {0x03, 0x02, 0x58, 0x00, 0x0A}));
  server(adu(7, 0, {0x83, 0x02}));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_TRUE(sink.operations[1].is_error);
  EXPECT_EQ(sink.operations[1].code, 3u);
  EXPECT_EQ(sink.operations[1].name, "Read Holding Registers");
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(SessionTest, DiagnosticsSubFunctions) {
  client(adu(1, 1, {0x08, 0x00, 0x01, 0x00, 0x00}));
  server(adu(1, 1, {0x08, 0x00, 0x01, 0x00, 0x00}));
  client(adu(2, 1, {0x08, 0x00, 0x04, 0x00, 0x00}));  // no response: listen-only
  client(adu(3, 1, {0x08, 0x00, 0x00, 0x12, 0x34}));
  server(adu(3, 1, {0x08, 0x00, 0x00, 0x12, 0x34}));
  ASSERT_EQ(sink.operations.size(), 5u);
  EXPECT_EQ(sink.operations[0].name, "Diagnostics");
  EXPECT_EQ(sink.operations[0].object, "Restart Communications Option");
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_TRUE(sink.operations[1].is_write);
  EXPECT_EQ(sink.operations[2].object, "Force Listen Only Mode");
  EXPECT_TRUE(sink.operations[2].is_write);
  EXPECT_EQ(sink.operations[3].object, "Return Query Data");
  EXPECT_FALSE(sink.operations[3].is_write);
  EXPECT_EQ(sink.operations[4].object, "Return Query Data");
}

TEST_F(SessionTest, DeviceIdentificationWithMoreFollows) {
  client(adu(1, 1, {0x2B, 0x0E, 0x03, 0x00}));
  server(adu(1, 1, {0x2B, 0x0E, 0x03, 0x83, 0xFF, 0x03, 0x03,  // more follows, next object 3
                    0x00, 0x0A, 'A', 'c', 'm', 'e', ' ', 'C', 'o', 'r', 'p', ' ',  // padded
                    0x01, 0x07, 'A', 'C', '-', '1', '0', '0', 0x00,
                    0x02, 0x04, 'V', '2', '.', '1'}));
  client(adu(2, 1, {0x2B, 0x0E, 0x03, 0x03}));
  server(adu(2, 1, {0x2B, 0x0E, 0x03, 0x83, 0x00, 0x00, 0x05,
                    0x03, 0x03, 'u', 'r', 'l',
                    0x05, 0x05, 'M', 'o', 'd', 'e', 'l',
                    0x04, 0x07, 'P', 'r', 'o', 'd', 'u', 'c', 't',
                    0x06, 0x05, 'L', 'i', 'n', 'e', '1',
                    0x80, 0x02, 0x01, 0x02}));
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Vendor, "Acme Corp"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::OrderNumber, "AC-100"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "V2.1"));
  // ModelName came before any ProductName, so it stood in; the ProductName then arrived.
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "Model"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "Product"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "Line1"));
  for (const auto& identity : sink.identities) EXPECT_EQ(identity.value.find("url"), std::string::npos);
  EXPECT_EQ(sink.operations[0].object, "Read Device Identification");
}

TEST_F(SessionTest, ModelNameDoesNotOverrideProductName) {
  client(adu(1, 1, {0x2B, 0x0E, 0x02, 0x00}));
  server(adu(1, 1, {0x2B, 0x0E, 0x02, 0x02, 0x00, 0x00, 0x02, 0x04, 0x01, 'P', 0x05, 0x01, 'M'}));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "P"));
  EXPECT_FALSE(sink.has_identity(Side::Server, IdentityField::ProductName, "M"));
}

TEST_F(SessionTest, ReportServerIdBecomesDescription) {
  client(adu(1, 10, {0x11}));
  server(adu(1, 10, {0x11, 0x12, 0x00, 0xFF, 'W', 'i', 'n', 'g', 'p', 'a', 't', 'h', ' ', 'L', 'i', 'm', 'i', 't',
                     'e', 'd'}));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "Wingpath Limited"));
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(SessionTest, UmasResponsesInheritTheRequestFunction) {
  client(adu(1, 0, {0x5A, 0x00, 0x02}));
  server(adu(1, 0, {0x5A, 0x00, 0xFE, 0x01, 0x02, 0x03}));
  client(adu(2, 0, {0x5A, 0x42, 0x41, 0xFF, 0x00}));
  server(adu(2, 0, {0x5A, 0x42, 0xFD, 0x00}));
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[0].name, "Schneider UMAS");
  EXPECT_EQ(sink.operations[0].code, 0x5Au);
  EXPECT_EQ(sink.operations[0].object, "READ_ID");
  EXPECT_EQ(sink.operations[1].object, "READ_ID");
  EXPECT_FALSE(sink.operations[1].is_error);
  EXPECT_EQ(sink.operations[2].object, "STOP_PLC");
  EXPECT_TRUE(sink.operations[2].is_write);
  EXPECT_EQ(sink.operations[3].object, "STOP_PLC");
  EXPECT_TRUE(sink.operations[3].is_write);
  EXPECT_TRUE(sink.operations[3].is_error);
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST_F(SessionTest, ResponseWithoutRequest) {
  client(adu(8, 1, kReadHolding));
  server(adu(9, 1, kReadHoldingReply));
  EXPECT_TRUE(sink.has_anomaly("modbus.unmatched_response"));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_FALSE(sink.operations[1].has_range);
  // A response whose function code differs from the pending request's does not match either.
  sink.anomalies.clear();
  client(adu(10, 1, kReadHolding));
  server(adu(10, 1, {0x04, 0x02, 0x00, 0x01}));
  EXPECT_TRUE(sink.has_anomaly("modbus.unmatched_response"));
  EXPECT_EQ(session.pending_requests(), 2u);
}

TEST_F(SessionTest, ResponseByteCountMustFitTheRequest) {
  client(adu(1, 1, kReadHolding));
  server(adu(1, 1, {0x03, 0x02, 0x00, 0x01}));
  EXPECT_TRUE(sink.has_anomaly("modbus.byte_count_mismatch"));
  EXPECT_TRUE(sink.confirmations.empty());
}

TEST_F(SessionTest, TooManyPendingRequestsEvictsTheOldest) {
  for (uint16_t id = 0; id < kMaxPendingRequests; ++id) client(adu(id, 1, kReadHolding));
  EXPECT_TRUE(sink.anomalies.empty());
  client(adu(1000, 1, kReadHolding));
  EXPECT_TRUE(sink.has_anomaly("modbus.too_many_pending_requests"));
  EXPECT_EQ(session.pending_requests(), kMaxPendingRequests);
  sink.anomalies.clear();
  server(adu(0, 1, kReadHoldingReply));  // the oldest was evicted
  EXPECT_TRUE(sink.has_anomaly("modbus.unmatched_response"));
  sink.anomalies.clear();
  server(adu(1000, 1, kReadHoldingReply));
  server(adu(1, 1, kReadHoldingReply));
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(SessionTest, UnansweredRequestsExpireSilently) {
  for (uint16_t id = 0; id < kMaxPendingRequests; ++id) client(adu(id, 0, kReadHolding));
  ctx.ts_ns += kPendingTimeoutNs + 1;
  client(adu(1000, 1, kReadHolding));
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(session.pending_requests(), 1u);
}

TEST_F(SessionTest, ReusedTransactionIdsMatchInOrder) {
  client(adu(0, 1, kReadHolding));
  client(adu(0, 1, {0x03, 0x00, 0x00, 0x00, 0x01}));
  EXPECT_EQ(session.pending_requests(), 2u);
  server(adu(0, 1, kReadHoldingReply));
  server(adu(0, 1, {0x03, 0x02, 0x00, 0x07}));
  EXPECT_EQ(session.pending_requests(), 0u);
  EXPECT_TRUE(sink.anomalies.empty());  // each reply matched its own request's byte count
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[2].address, 0x6Bu);
  EXPECT_EQ(sink.operations[3].address, 0u);
}

TEST_F(SessionTest, MalformedAdusReportAnomalies) {
  client(adu(1, 1, {0x05, 0x00, 0x01, 0x12, 0x34}));
  EXPECT_TRUE(sink.has_anomaly("modbus.invalid_coil_value"));
  client(adu(2, 1, {0x03, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_TRUE(sink.has_anomaly("modbus.invalid_quantity"));
  client(adu(3, 1, {0x09}));
  EXPECT_TRUE(sink.has_anomaly("modbus.invalid_function_code"));
  client(adu(4, 1, {0x03, 0x00}));
  EXPECT_TRUE(sink.has_anomaly("modbus.truncated_pdu"));
  server(adu(2, 1, {0x83, 0x09}));
  EXPECT_TRUE(sink.has_anomaly("modbus.invalid_exception_code"));
  client(adu(5, 1, {0x0F, 0x00, 0x00, 0x00, 0x0A, 0x01, 0x00}));
  EXPECT_TRUE(sink.has_anomaly("modbus.byte_count_mismatch"));
  // Every request still produced an operation, and nothing was confirmed.
  EXPECT_EQ(sink.operations.size(), 6u);
  EXPECT_TRUE(sink.confirmations.empty());
  EXPECT_FALSE(session.rejected());
}

TEST_F(SessionTest, OversizeLengthIsToleratedButFlagged) {
  ByteVector pdu{0x10, 0x00, 0x00, 0x00, 0x7B, 0xF6};
  pdu.resize(pdu.size() + 0xF6 + 4, 0);  // 4 extra bytes: length 258
  client(adu(1, 1, pdu));
  EXPECT_TRUE(sink.has_anomaly("modbus.invalid_length"));
  ASSERT_EQ(sink.operations.size(), 1u);
  client(adu(2, 1, kReadHolding));
  EXPECT_EQ(sink.operations.size(), 2u);  // framing kept
}

TEST_F(SessionTest, BadHeadersAreSkippedByResynchronising) {
  ByteVector bad_protocol = adu(1, 1, kReadHolding);
  bad_protocol[3] = 0x07;
  client(concat({bad_protocol, adu(2, 1, kReadHolding)}));
  EXPECT_TRUE(sink.has_anomaly("modbus.invalid_protocol_id"));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].address, 0x6Bu);
  ByteVector bad_length = adu(3, 1, kReadHolding);
  bad_length[5] = 0x01;
  client(concat({bad_length, adu(4, 1, kReadHolding)}));
  EXPECT_TRUE(sink.has_anomaly("modbus.invalid_length"));
  EXPECT_EQ(sink.operations.size(), 2u);
}

TEST_F(SessionTest, TwoAdusInOneSegment) {
  client(concat({adu(1, 1, kReadHolding), adu(2, 2, {0x01, 0x00, 0x00, 0x00, 0x08})}));
  server(concat({adu(1, 1, kReadHoldingReply), adu(2, 2, {0x01, 0x01, 0xFF})}));
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[1].unit, 2u);
  EXPECT_EQ(sink.operations[3].code, 1u);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(session.pending_requests(), 0u);
}

TEST_F(SessionTest, OneAduSplitOverThreeSegments) {
  ByteVector request = adu(1, 1, {0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02});
  client(ByteVector(request.begin(), request.begin() + 3));
  client(ByteVector(request.begin() + 3, request.begin() + 9));
  EXPECT_TRUE(sink.operations.empty());
  client(ByteVector(request.begin() + 9, request.end()));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].code, 16u);
  EXPECT_TRUE(sink.anomalies.empty());
}

// Every way of cutting a stream of several ADUs in two or three gives the same events.
TEST_F(SessionTest, EverySplitGivesTheSameEvents) {
  ByteVector stream = concat({adu(1, 1, kReadHolding), adu(2, 1, {0x2B, 0x0E, 0x01, 0x00}),
                              adu(3, 1, {0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01})});
  RecordingSink reference;
  ModbusSession whole(reference);
  whole.data(ctx, Direction::FromClient, stream);
  ASSERT_EQ(reference.operations.size(), 3u);
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); ++b) {
      RecordingSink split_sink;
      ModbusSession split(split_sink);
      split.data(ctx, Direction::FromClient, Bytes(stream).subspan(0, a));
      split.data(ctx, Direction::FromClient, Bytes(stream).subspan(a, b - a));
      split.data(ctx, Direction::FromClient, Bytes(stream).subspan(b));
      ASSERT_EQ(split_sink.operations.size(), 3u) << a << "/" << b;
      for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(split_sink.operations[i].code, reference.operations[i].code);
        EXPECT_EQ(split_sink.operations[i].address, reference.operations[i].address);
      }
      EXPECT_TRUE(split_sink.anomalies.empty());
    }
  }
}

TEST_F(SessionTest, GapResynchronises) {
  client(adu(1, 1, kReadHolding));
  ByteVector second = adu(2, 1, kReadHolding);
  client(ByteVector(second.begin(), second.begin() + 4));
  session.gap(ctx, Direction::FromClient, 100);
  // The stream resumes in the middle of an ADU, then carries whole ones.
  client(concat({ByteVector{0x00, 0x6B, 0x00, 0x03}, adu(3, 1, kReadHolding), adu(4, 1, kReadHolding)}));
  ASSERT_EQ(sink.operations.size(), 3u);
  EXPECT_TRUE(sink.anomalies.empty());
  // Responses to requests lost in the gap are not blamed on the peer.
  server(adu(2, 1, kReadHoldingReply));
  EXPECT_TRUE(sink.anomalies.empty());
  server(adu(3, 1, kReadHoldingReply));
  EXPECT_EQ(sink.confirmations.size(), 1u);
  server(adu(77, 1, kReadHoldingReply));  // once matching resumed, strays are reported again
  EXPECT_TRUE(sink.has_anomaly("modbus.unmatched_response"));
}

TEST_F(SessionTest, ServerGapForgetsPendingRequests) {
  client(adu(1, 1, kReadHolding));
  session.gap(ctx, Direction::FromServer, 50);
  EXPECT_EQ(session.pending_requests(), 0u);
  server(adu(2, 1, kReadHoldingReply));
  server(adu(3, 1, kReadHoldingReply));
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(SessionTest, GivesUpOnGarbageAfterAGap) {
  session.gap(ctx, Direction::FromClient, 10);
  ByteVector garbage(kMaxConsecutiveViolations * kMaxAduSize - 16, 0xAB);
  client(garbage);
  EXPECT_FALSE(session.rejected());
  client(ByteVector(32, 0xAB));
  EXPECT_TRUE(session.rejected());
}

TEST_F(SessionTest, RejectedAfterConsecutiveViolations) {
  for (uint32_t i = 0; i + 1 < kMaxConsecutiveViolations; ++i) client(adu(i, 1, {0x09}));
  EXPECT_FALSE(session.rejected());
  client(adu(1, 1, kReadHolding));  // a valid ADU resets the count
  for (uint32_t i = 0; i + 1 < kMaxConsecutiveViolations; ++i) client(adu(i, 1, {0x09}));
  EXPECT_FALSE(session.rejected());
  client(adu(99, 1, {0x09}));
  EXPECT_TRUE(session.rejected());
  size_t operations = sink.operations.size();
  client(adu(100, 1, kReadHolding));
  EXPECT_EQ(sink.operations.size(), operations);  // a rejected session ignores data
}

TEST_F(SessionTest, NonModbusStreamIsRejected) {
  ByteVector http;
  for (int i = 0; i < 80; ++i) {
    for (char c : std::string_view("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")) http.push_back(uint8_t(c));
  }
  client(http);
  EXPECT_TRUE(session.rejected());
}

TEST_F(SessionTest, OneSidedCaptureConfirmsAfterThreeValidAdus) {
  server(adu(1, 1, kReadHoldingReply));
  server(adu(2, 1, kReadHoldingReply));
  EXPECT_TRUE(sink.confirmations.empty());
  server(adu(3, 1, kReadHoldingReply));
  EXPECT_EQ(sink.confirmations.size(), 1u);
  // Without any request visible, responses are not blamed for being unmatched.
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(SessionTest, StreamEndingInsideAnAduIsTruncated) {
  ByteVector request = adu(1, 1, kReadHolding);
  client(ByteVector(request.begin(), request.end() - 2));
  session.end(ctx, Direction::FromClient);
  EXPECT_TRUE(sink.has_anomaly("modbus.truncated_pdu"));
}

TEST_F(SessionTest, EveryPrefixOfAConversationIsSafe) {
  ByteVector stream = concat({adu(1, 1, kReadHolding), adu(2, 1, {0x2B, 0x0E, 0x01, 0x00}),
                              adu(3, 1, {0x5A, 0x00, 0x02})});
  for (size_t n = 0; n <= stream.size(); ++n) {
    RecordingSink prefix_sink;
    ModbusSession prefix_session(prefix_sink);
    ByteVector prefix(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n));
    prefix_session.data(ctx, Direction::FromClient, prefix);
    prefix_session.end(ctx, Direction::FromClient);
    EXPECT_LE(prefix_sink.operations.size(), 3u);
  }
}

TEST(ModbusDescriptor, Registration) {
  EXPECT_EQ(kDissector_modbus.name, "modbus");
  EXPECT_EQ(kDissector_modbus.transports, transport_bit::Tcp);
  ASSERT_EQ(kDissector_modbus.ports.size(), 1u);
  EXPECT_EQ(kDissector_modbus.ports[0], 502);
  ByteVector request = adu(1, 1, kReadHolding);
  EXPECT_EQ(kDissector_modbus.probe(Direction::FromClient, request), ProbeResult::Match);
  EXPECT_EQ(kDissector_modbus.probe(Direction::FromClient, Bytes(request).first(5)), ProbeResult::NeedMoreData);
  RecordingSink sink;
  auto session = kDissector_modbus.make_session(sink);
  session->data(FlowContext{}, Direction::FromClient, request);
  EXPECT_EQ(sink.operations.size(), 1u);
  auto all = all_dissectors();
  EXPECT_NE(std::find(all.begin(), all.end(), &kDissector_modbus), all.end());
}

}  // namespace
}  // namespace ots::modbus
