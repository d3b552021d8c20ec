// Unit tests of the DNP3 session: framing over TCP chunks and UDP datagrams, transport
// reassembly, request/response matching, events and anomalies.
#include "dissectors/dnp3/dnp3_session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/dnp3/dnp3.h"
#include "tests/unit/dnp3/frames.h"
#include "tests/unit/dnp3/recording_sink.h"

namespace ots::dnp3 {
namespace {

using dnp3_test::app_frame;
using dnp3_test::concat;
using dnp3_test::Frame;
using dnp3_test::kFromMaster;
using dnp3_test::kFromOutstation;
using dnp3_test::kMaster;
using dnp3_test::kOutstation;
using dnp3_test::link_frame;
using dnp3_test::RecordingSink;

constexpr Direction kClient = Direction::FromClient;
constexpr Direction kServer = Direction::FromServer;

// Read Class 0 (seq 1) and its response: g30v2 indexes 0..1, IIN clear.
const Frame kReadClass0 = app_frame(true, {0xC1, 0x01, 0x3C, 0x01, 0x06});
const Frame kClass0Response = app_frame(
    false, {0xC1, 0x81, 0x00, 0x00, 0x1E, 0x02, 0x00, 0x00, 0x01, 0x01, 0x10, 0x00, 0x01, 0x20, 0x00});

FlowContext context(uint8_t transport) {
  FlowContext ctx;
  ctx.transport = transport;
  return ctx;
}

struct Dnp3SessionTest : ::testing::Test {
  RecordingSink sink;
  Dnp3Session session{sink};
  FlowContext tcp = context(6);
  FlowContext udp = context(17);

  void feed(Direction dir, const Frame& bytes) { session.data(tcp, dir, bytes); }
  size_t anomaly_count() const { return sink.anomalies.size(); }
};

TEST_F(Dnp3SessionTest, RequestAndResponse) {
  feed(kClient, kReadClass0);
  feed(kServer, kClass0Response);
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  ASSERT_EQ(sink.operations.size(), 2u);
  const auto& request = sink.operations[0];
  EXPECT_EQ(request.from, Side::Client);
  EXPECT_EQ(request.code, 1u);
  EXPECT_EQ(request.name, "Read");
  EXPECT_TRUE(request.is_request);
  EXPECT_FALSE(request.is_write);
  EXPECT_EQ(request.unit, kOutstation);
  EXPECT_EQ(request.object, "Class 0 Data");
  EXPECT_FALSE(request.has_range);
  const auto& response = sink.operations[1];
  EXPECT_EQ(response.from, Side::Server);
  EXPECT_EQ(response.code, 129u);
  EXPECT_EQ(response.name, "Response");
  EXPECT_FALSE(response.is_request);
  EXPECT_FALSE(response.is_error);
  EXPECT_EQ(response.unit, kOutstation);
  EXPECT_EQ(response.object, "Analog Input");
  EXPECT_TRUE(response.has_range);
  EXPECT_EQ(response.address, 0u);
  EXPECT_EQ(response.quantity, 2u);
  EXPECT_EQ(session.pending_requests(), 0u);

  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_EQ(sink.confirmations[0], "dnp3");
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Role, "master"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "outstation"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "DNP3 address 3"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "DNP3 address 4"));
  EXPECT_EQ(sink.identities.size(), 4u);

  // Confirmation and identities are reported once.
  feed(kClient, kReadClass0);
  feed(kServer, kClass0Response);
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_EQ(sink.identities.size(), 4u);
}

TEST_F(Dnp3SessionTest, WritesAndControls) {
  // Direct Operate CROB at index 7 (seq 2), echoed back.
  Frame request = app_frame(true, {0xC2, 0x05, 0x0C, 0x01, 0x28, 0x01, 0x00, 0x07, 0x00, 0x41,
                                   0x01, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  Frame response = app_frame(false, {0xC2, 0x81, 0x00, 0x00, 0x0C, 0x01, 0x28, 0x01, 0x00, 0x07, 0x00,
                                     0x41, 0x01, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  feed(kClient, request);
  feed(kServer, response);
  // Cold restart (no objects) and its response carrying a time delay.
  feed(kClient, app_frame(true, {0xC3, 0x0D}));
  feed(kServer, app_frame(false, {0xC3, 0x81, 0x00, 0x00, 0x34, 0x01, 0x07, 0x01, 0x88, 0x13}));
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[0].name, "Direct Operate");
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_TRUE(sink.operations[0].has_range);
  EXPECT_EQ(sink.operations[0].address, 7u);
  EXPECT_EQ(sink.operations[0].quantity, 1u);
  EXPECT_EQ(sink.operations[0].object, "Binary Output Command");
  EXPECT_TRUE(sink.operations[1].is_write);  // inherited from the request
  EXPECT_EQ(sink.operations[1].object, "Binary Output Command");
  EXPECT_EQ(sink.operations[2].name, "Cold Restart");
  EXPECT_TRUE(sink.operations[2].is_write);
  EXPECT_FALSE(sink.operations[2].has_range);
  EXPECT_EQ(sink.operations[3].object, "Time Delay");
  EXPECT_TRUE(sink.operations[3].is_write);
}

TEST_F(Dnp3SessionTest, NoAckRequestsAndConfirmsExpectNoResponse) {
  feed(kClient, app_frame(true, {0xC4, 0x06, 0x0C, 0x01, 0x17, 0x01, 0x02, 0x03, 0x01, 0x64, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  feed(kClient, app_frame(true, {0xC5, 0x00}));
  EXPECT_EQ(session.pending_requests(), 0u);
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "Direct Operate No Ack");
  EXPECT_EQ(sink.operations[0].address, 2u);
  EXPECT_EQ(sink.operations[1].name, "Confirm");
}

TEST_F(Dnp3SessionTest, UnsolicitedResponseIsItsOwnOperation) {
  feed(kServer, app_frame(false, {0xF0, 0x82, 0x80, 0x00}));  // FIR FIN CON UNS, seq 0, Device Restart
  feed(kClient, app_frame(true, {0xD0, 0x00}));               // Confirm with UNS
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "Unsolicited Response");
  EXPECT_EQ(sink.operations[0].from, Side::Server);
  EXPECT_EQ(sink.operations[0].unit, kOutstation);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST_F(Dnp3SessionTest, ErrorResponseNamesTheIinBit) {
  feed(kClient, app_frame(true, {0xC6, 0x01, 0x63, 0x01, 0x06}));
  feed(kServer, app_frame(false, {0xC6, 0x81, 0x00, 0x02}));  // IIN2.1 Object Unknown
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_TRUE(sink.operations[1].is_error);
  EXPECT_EQ(sink.operations[1].object, "Object Unknown");
  EXPECT_FALSE(sink.operations[1].has_range);
}

TEST_F(Dnp3SessionTest, RestartIsReportedAsCpuStateChanges) {
  feed(kClient, kReadClass0);
  feed(kServer, app_frame(false, {0xC1, 0x81, 0x80, 0x00}));
  feed(kClient, app_frame(true, {0xC2, 0x01, 0x3C, 0x01, 0x06}));
  feed(kServer, app_frame(false, {0xC2, 0x81, 0x80, 0x00}));
  feed(kClient, app_frame(true, {0xC3, 0x01, 0x3C, 0x01, 0x06}));
  feed(kServer, app_frame(false, {0xC3, 0x81, 0x00, 0x00}));
  size_t restarted = 0, running = 0;
  for (const auto& i : sink.identities) {
    if (i.field != IdentityField::CpuState) continue;
    EXPECT_EQ(i.side, Side::Server);
    restarted += i.value == "restarted";
    running += i.value == "running";
  }
  EXPECT_EQ(restarted, 1u);
  EXPECT_EQ(running, 1u);
}

TEST_F(Dnp3SessionTest, DeviceAttributesFillTheInventory) {
  feed(kClient, app_frame(true, {0xC7, 0x01, 0x00, 0xFE, 0x06}));
  feed(kServer, app_frame(false, {0xC7, 0x81, 0x00, 0x00, 0x00, 0xFC, 0x00, 0x00, 0x00, 0x01, 0x04, 'A',
                                  'C',  'M',  'E',  0x00, 0xFA, 0x00, 0x00, 0x00, 0x01, 0x05, 'R',  'T',
                                  'U',  '-',  '9',  0x00, 0xF8, 0x00, 0x00, 0x00, 0x01, 0x03, 'S',  'N',
                                  '1',  0x00, 0xF1, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x08}));
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Vendor, "ACME"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "RTU-9"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::SerialNumber, "SN1"));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].object, "Device Attributes");
}

TEST_F(Dnp3SessionTest, MultiSegmentFragmentIsReassembled) {
  // A response of 300 application bytes (g30v3, 4-byte values) in three transport segments.
  std::vector<uint8_t> fragment = {0xC1, 0x81, 0x00, 0x00, 0x1E, 0x03, 0x01, 0x00, 0x00};
  uint16_t points = (300 - 11) / 4;
  fragment.push_back(static_cast<uint8_t>(points - 1));
  fragment.push_back(static_cast<uint8_t>((points - 1) >> 8));
  fragment.resize(11 + points * 4u, 0x5A);
  std::vector<uint8_t> first = {0x40};  // FIR, seq 0
  first.insert(first.end(), fragment.begin(), fragment.begin() + 200);
  std::vector<uint8_t> middle = {0x01};  // seq 1
  middle.insert(middle.end(), fragment.begin() + 200, fragment.begin() + 250);
  std::vector<uint8_t> last = {0x82};  // FIN, seq 2
  last.insert(last.end(), fragment.begin() + 250, fragment.end());
  Frame stream = concat({link_frame(kFromOutstation, kMaster, kOutstation, first),
                         link_frame(kFromOutstation, kMaster, kOutstation, middle),
                         link_frame(kFromOutstation, kMaster, kOutstation, middle),  // a repeat: dropped
                         link_frame(kFromOutstation, kMaster, kOutstation, last)});
  feed(kClient, kReadClass0);
  // Split into 1-byte chunks: frames span every possible boundary.
  for (uint8_t byte : stream) session.data(tcp, kServer, Bytes(&byte, 1));
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[1].code, 129u);
  EXPECT_EQ(sink.operations[1].quantity, points);
  EXPECT_EQ(sink.operations[1].object, "Analog Input");
}

TEST_F(Dnp3SessionTest, CoalescedFramesInOneSegment) {
  feed(kClient, concat({kReadClass0, app_frame(true, {0xC2, 0x01, 0x3C, 0x02, 0x06}, 1)}));
  feed(kServer, concat({kClass0Response, app_frame(false, {0xC2, 0x81, 0x00, 0x00}, 1)}));
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[1].object, "Class 1 Data");
  EXPECT_EQ(sink.operations[2].object, "Analog Input");
  EXPECT_EQ(sink.operations[3].object, "Class 1 Data");  // inherited: the response has no objects
}

TEST_F(Dnp3SessionTest, MultiFragmentResponseMatchesOnce) {
  feed(kClient, kReadClass0);  // seq 1
  feed(kServer,
       app_frame(false, {0xA1, 0x81, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01}));  // FIR CON, seq 1
  feed(kClient, app_frame(true, {0xC1, 0x00}));
  feed(kServer,
       app_frame(false, {0x42, 0x81, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x01, 0x01}, 1));  // FIN, seq 2
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  EXPECT_EQ(session.pending_requests(), 0u);
  feed(kServer, app_frame(false, {0xC2, 0x81, 0x00, 0x00}, 2));
  EXPECT_TRUE(sink.has_anomaly("dnp3.unmatched_response"));
}

TEST_F(Dnp3SessionTest, AuthenticationChallengeKeepsTheRequestOutstanding) {
  Frame operate = app_frame(true, {0xC3, 0x05, 0x0C, 0x01, 0x28, 0x01, 0x00, 0x07, 0x00, 0x41,
                                   0x01, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  feed(kClient, operate);
  // Challenge (g120v1, free format), the master's reply (g120v2), then the real response.
  feed(kServer, app_frame(false, {0xC3, 0x83, 0x00, 0x00, 0x78, 0x01, 0x5B, 0x01, 0x04, 0x00, 0xAA, 0xBB,
                                  0xCC, 0xDD}));
  feed(kClient, app_frame(true, {0xC3, 0x20, 0x78, 0x02, 0x5B, 0x01, 0x02, 0x00, 0x11, 0x22}, 1));
  feed(kServer, app_frame(false, {0xC3, 0x81, 0x00, 0x00}, 1));
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[1].name, "Authenticate Response");
  EXPECT_EQ(sink.operations[1].object, "Authentication Challenge");
  EXPECT_EQ(sink.operations[2].name, "Authenticate Request");
  EXPECT_EQ(sink.operations[2].object, "Authentication Reply");
  EXPECT_TRUE(sink.operations[3].is_write);  // answers the Direct Operate
}

TEST_F(Dnp3SessionTest, BadLinkCrcKeepsTheStreamInSync) {
  Frame bad = kReadClass0;
  bad[8] ^= 0x01;
  feed(kClient, concat({bad, kReadClass0}));
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"dnp3.bad_link_crc"});
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].name, "Read");
}

TEST_F(Dnp3SessionTest, BadBlockCrcDropsTheFrame) {
  Frame bad = kClass0Response;
  bad[12] ^= 0x01;
  feed(kClient, kReadClass0);
  feed(kServer, concat({bad, kClass0Response}));
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"dnp3.bad_block_crc"});
  EXPECT_EQ(sink.operations.size(), 2u);
}

TEST_F(Dnp3SessionTest, InvalidStartHuntsForTheNextFrame) {
  feed(kClient, concat({Frame{0x01, 0x02, 0x05, 0x03}, kReadClass0}));
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"dnp3.invalid_start"});
  EXPECT_EQ(sink.operations.size(), 1u);
}

TEST_F(Dnp3SessionTest, InvalidLinkLength) {
  Frame frame = link_frame(0xC9, kOutstation, kMaster, {});
  frame[2] = 3;
  feed(kClient, concat({frame, kReadClass0}));
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"dnp3.invalid_length"});
  EXPECT_EQ(sink.operations.size(), 1u);
}

TEST_F(Dnp3SessionTest, InvalidFunctionCodes) {
  feed(kClient, link_frame(0xC7, kOutstation, kMaster, {}));  // undefined primary link function 7
  feed(kClient, app_frame(true, {0xC1, 0x40}));               // application function 64
  EXPECT_EQ(sink.count_anomaly("dnp3.invalid_function_code"), 2u);
  EXPECT_TRUE(sink.operations.empty());
}

TEST_F(Dnp3SessionTest, ReservedIinAndObjectAnomalies) {
  feed(kClient, kReadClass0);
  feed(kServer, app_frame(false, {0xC1, 0x81, 0x00, 0xC0}));
  EXPECT_EQ(sink.count_anomaly("dnp3.reserved_iin_set"), 1u);
  feed(kClient, app_frame(true, {0xC2, 0x01, 0x01, 0x01, 0x0A}));
  EXPECT_EQ(sink.count_anomaly("dnp3.invalid_qualifier"), 1u);
  feed(kClient, app_frame(true, {0xC3, 0x02, 0x1E, 0x01, 0x00, 0x00, 0x03, 0x00}));
  EXPECT_EQ(sink.count_anomaly("dnp3.truncated_object"), 1u);
  std::vector<uint8_t> headers = {0xC0, 0xC4, 0x01};
  for (size_t i = 0; i <= kMaxObjectHeaders; ++i) headers.insert(headers.end(), {0x3C, 0x01, 0x06});
  std::vector<uint8_t> segment(headers.begin(), headers.begin() + 100);
  segment[0] = 0x40;  // FIR, seq 0
  feed(kClient, link_frame(kFromMaster, kOutstation, kMaster, segment));
  std::vector<uint8_t> rest = {0x81};  // FIN, seq 1
  rest.insert(rest.end(), headers.begin() + 100, headers.end());
  feed(kClient, link_frame(kFromMaster, kOutstation, kMaster, rest));
  EXPECT_EQ(sink.count_anomaly("dnp3.too_many_objects"), 1u);
}

TEST_F(Dnp3SessionTest, UnknownObjectIsReportedOncePerObject) {
  for (uint8_t seq = 0; seq < 3; ++seq) {
    feed(kClient, app_frame(true, {static_cast<uint8_t>(0xC0 | seq), 0x02, 0xC8, 0x01, 0x07, 0x01, 0x00}));
  }
  EXPECT_EQ(sink.count_anomaly("dnp3.unknown_object"), 1u);
  EXPECT_EQ(sink.operations.size(), 3u);
  EXPECT_EQ(sink.operations[0].object, "");
}

TEST_F(Dnp3SessionTest, TransportSequenceErrors) {
  std::vector<uint8_t> first = {0x45, 0xC1, 0x01, 0x3C};  // FIR, seq 5
  std::vector<uint8_t> skipped = {0x87, 0x01, 0x06};      // FIN, seq 7: one missing
  feed(kClient, link_frame(kFromMaster, kOutstation, kMaster, first));
  feed(kClient, link_frame(kFromMaster, kOutstation, kMaster, skipped));
  EXPECT_EQ(sink.count_anomaly("dnp3.transport_sequence_error"), 1u);
  // A new first segment abandoning an unfinished fragment.
  feed(kClient, link_frame(kFromMaster, kOutstation, kMaster, first));
  feed(kClient, kReadClass0);
  EXPECT_EQ(sink.count_anomaly("dnp3.transport_sequence_error"), 2u);
  EXPECT_EQ(sink.operations.size(), 1u);
}

TEST_F(Dnp3SessionTest, StrayMiddleSegmentAtCaptureStartIsTolerated) {
  feed(kClient, link_frame(kFromMaster, kOutstation, kMaster, {0x83, 0x01, 0x06}));
  EXPECT_TRUE(sink.anomalies.empty());
  feed(kClient, kReadClass0);
  EXPECT_EQ(sink.operations.size(), 1u);
}

TEST_F(Dnp3SessionTest, ReassemblyOverflow) {
  std::vector<uint8_t> segment(250, 0x00);
  segment[0] = 0x40;  // FIR, seq 0
  segment[1] = 0xC1;
  segment[2] = 0x02;
  feed(kClient, link_frame(kFromMaster, kOutstation, kMaster, segment));
  for (uint8_t seq = 1; seq < 10; ++seq) {
    segment[0] = seq;
    feed(kClient, link_frame(kFromMaster, kOutstation, kMaster, segment));
  }
  EXPECT_EQ(sink.count_anomaly("dnp3.reassembly_overflow"), 1u);
  EXPECT_TRUE(sink.operations.empty());
}

TEST_F(Dnp3SessionTest, ReassemblyIsPerAddressPair) {
  // Two masters interleave multi-segment requests to the same outstation.
  auto segment = [](uint8_t transport, std::initializer_list<uint8_t> bytes) {
    std::vector<uint8_t> out = {transport};
    out.insert(out.end(), bytes);
    return out;
  };
  feed(kClient, link_frame(kFromMaster, kOutstation, 3, segment(0x40, {0xC1, 0x01})));
  feed(kClient, link_frame(kFromMaster, kOutstation, 9, segment(0x40, {0xC5, 0x01, 0x3C})));
  feed(kClient, link_frame(kFromMaster, kOutstation, 3, segment(0x81, {0x3C, 0x01, 0x06})));
  feed(kClient, link_frame(kFromMaster, kOutstation, 9, segment(0x81, {0x02, 0x06})));
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].object, "Class 0 Data");
  EXPECT_EQ(sink.operations[1].object, "Class 1 Data");
}

TEST_F(Dnp3SessionTest, UnmatchedResponse) {
  feed(kClient, kReadClass0);
  feed(kServer, app_frame(false, {0xC9, 0x81, 0x00, 0x00}));
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"dnp3.unmatched_response"});
  EXPECT_EQ(session.pending_requests(), 1u);
}

TEST_F(Dnp3SessionTest, ResponsesAloneAreNotUnmatched) {
  feed(kServer, kClass0Response);
  feed(kServer, kClass0Response);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.confirmations.empty());
  feed(kServer, kClass0Response);  // a one-sided capture: confirmed after three valid frames
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "outstation"));
}

TEST_F(Dnp3SessionTest, GapResynchronises) {
  feed(kClient, kReadClass0);
  session.gap(tcp, kServer, 100);
  Frame partial(kClass0Response.begin() + 5, kClass0Response.end());
  feed(kServer, concat({partial, kClass0Response}));
  feed(kServer, app_frame(false, {0xC7, 0x81, 0x00, 0x00}));  // its request was in the gap
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  EXPECT_EQ(sink.operations.size(), 3u);
}

TEST_F(Dnp3SessionTest, RejectsAfterRepeatedViolations) {
  Frame bad = kReadClass0;
  bad[8] ^= 0x01;
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) feed(kClient, bad);
  EXPECT_TRUE(session.rejected());
  size_t before = anomaly_count();
  feed(kClient, kReadClass0);
  EXPECT_EQ(anomaly_count(), before);
  EXPECT_TRUE(sink.operations.empty());
}

TEST_F(Dnp3SessionTest, FruitlessHuntIsAViolation) {
  feed(kClient, Frame{0x00});  // invalid start: hunting
  Frame noise(kMaxFrameSize * kMaxConsecutiveViolations, 0x00);
  feed(kClient, noise);
  EXPECT_TRUE(session.rejected());
}

TEST_F(Dnp3SessionTest, UdpDatagramsHoldWholeFrames) {
  session.data(udp, kClient, concat({link_frame(0xC9, kOutstation, kMaster, {}), kReadClass0}));
  session.data(udp, kServer, kClass0Response);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.confirmations.size(), 1u);
  // A frame cut short by the end of its datagram.
  session.data(udp, kServer, Bytes(kClass0Response.data(), kClass0Response.size() - 1));
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"dnp3.invalid_length"});
  Frame bad = kClass0Response;
  bad[8] ^= 0x01;
  session.data(udp, kServer, concat({bad, kClass0Response}));
  EXPECT_EQ(sink.count_anomaly("dnp3.bad_link_crc"), 1u);
  EXPECT_EQ(sink.operations.size(), 3u);  // the frame after the bad one still counts (unmatched ones too)
}

TEST_F(Dnp3SessionTest, ReversedUdpFlowStillGetsTheRightRoles) {
  // The outstation spoke first, so the flow layer calls it the client.
  session.data(udp, kClient, link_frame(0x49, kMaster, kOutstation, {}));
  session.data(udp, kServer, kReadClass0);
  session.data(udp, kClient, kClass0Response);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Role, "outstation"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "master"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "DNP3 address 4"));
}

TEST(Dnp3Session, EveryPrefixIsSafe) {
  Frame stream = concat({kReadClass0, kClass0Response});
  for (size_t n = 0; n <= stream.size(); ++n) {
    RecordingSink tcp_sink, udp_sink;
    Dnp3Session tcp_session(tcp_sink), udp_session(udp_sink);
    FlowContext tcp = context(6);
    FlowContext udp = context(17);
    tcp_session.data(tcp, kClient, Bytes(stream.data(), n));
    tcp_session.end(tcp, kClient);
    udp_session.data(udp, kClient, Bytes(stream.data(), n));
    size_t whole_frames = n >= stream.size() ? 2 : n >= kReadClass0.size() ? 1 : 0;
    EXPECT_EQ(tcp_sink.operations.size(), whole_frames) << n;
    EXPECT_EQ(udp_sink.operations.size(), whole_frames) << n;
    EXPECT_TRUE(tcp_sink.anomalies.empty()) << n;  // a TCP stream may simply not have arrived yet
  }
}

TEST(Dnp3Descriptor, Registration) {
  EXPECT_EQ(kDissector_dnp3.name, "dnp3");
  EXPECT_EQ(kDissector_dnp3.transports, transport_bit::Tcp | transport_bit::Udp);
  ASSERT_EQ(kDissector_dnp3.ports.size(), 1u);
  EXPECT_EQ(kDissector_dnp3.ports[0], 20000);
  EXPECT_EQ(kDissector_dnp3.probe(kClient, kReadClass0), ProbeResult::Match);
  EXPECT_EQ(kDissector_dnp3.probe(kClient, Frame{0x05}), ProbeResult::NeedMoreData);
  EXPECT_EQ(kDissector_dnp3.probe(kClient, Frame{0x16, 0x03, 0x01, 0x00, 0x10, 0x01, 0x00, 0x00, 0x0C, 0x03}),
            ProbeResult::NoMatch);
  RecordingSink sink;
  auto session = kDissector_dnp3.make_session(sink);
  ASSERT_NE(session, nullptr);
  EXPECT_FALSE(session->rejected());
}

}  // namespace
}  // namespace ots::dnp3
