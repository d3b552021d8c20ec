// Unit tests of the TriStation parser and session on datagrams built from the public TRITON
// analyses' description of the header (no public capture exists).
#include <gtest/gtest.h>

#include <vector>

#include "dissectors/tristation/tristation_parser.h"
#include "dissectors/tristation/tristation_session.h"
#include "tests/support/recording_sink.h"

namespace ots::tristation {
namespace {

using test_support::RecordingSink;
using Buf = std::vector<uint8_t>;

Buf message(uint8_t type, const Buf& data, uint8_t channel = 0) {
  Buf b = {type, channel, uint8_t(data.size()), uint8_t(data.size() >> 8)};
  b.insert(b.end(), data.begin(), data.end());
  b.insert(b.end(), {0xAB, 0xCD});  // CRC (not verified)
  return b;
}
Buf execute(uint8_t direction, uint8_t command, const Buf& payload = {}) {
  Buf data = {direction, 0x0C, command, 0x01, 0x00, 0x00, 0x00, 0x00};
  data.insert(data.end(), payload.begin(), payload.end());
  return message(5, data);
}
FlowContext udp() {
  FlowContext ctx;
  ctx.transport = 17;
  return ctx;
}

TEST(TriStationParser, Messages) {
  Message connect = parse_message(message(1, {0x00, 0x0C}));
  EXPECT_EQ(connect.anomaly, Anomaly::None);
  EXPECT_EQ(connect.type, 1);
  Message exec = parse_message(execute(0, 21));
  EXPECT_EQ(exec.anomaly, Anomaly::None);
  EXPECT_EQ(exec.command, 21);
  EXPECT_EQ(exec.connection_id, 0x0C);
  EXPECT_EQ(find_command(21)->name, "Halt program");
  EXPECT_TRUE(find_command(0)->is_write);
  EXPECT_FALSE(find_command(28)->is_write);
  EXPECT_TRUE(is_command_rejection(100));
  EXPECT_TRUE(is_command_rejection(212));
  EXPECT_FALSE(is_command_rejection(109));
}

TEST(TriStationParser, Anomalies) {
  Buf wrong_length = message(1, {0x00});
  wrong_length[2] = 9;
  EXPECT_EQ(parse_message(wrong_length).anomaly, Anomaly::InvalidLength);
  EXPECT_EQ(parse_message(message(12, {})).anomaly, Anomaly::InvalidType);
  EXPECT_EQ(parse_message(message(0, {})).anomaly, Anomaly::InvalidType);
  EXPECT_EQ(parse_message(execute(2, 20)).anomaly, Anomaly::InvalidDirection);
  EXPECT_EQ(parse_message(message(5, {0x00, 0x01})).anomaly, Anomaly::Truncated);
  EXPECT_EQ(parse_message(Buf{0x01, 0x00}).anomaly, Anomaly::InvalidLength);
  for (size_t a = 0; a < size_t(Anomaly::kCount); ++a) EXPECT_EQ(anomaly_name(Anomaly(a)).substr(0, 11), "tristation.");
}

TEST(TriStationParser, Probe) {
  EXPECT_EQ(probe(message(1, {0x00, 0x0C})), ProbeResult::Match);
  EXPECT_EQ(probe(execute(1, 109)), ProbeResult::Match);
  EXPECT_EQ(probe(Buf{0x01, 0x00}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(execute(7, 20)), ProbeResult::NoMatch);
  // A DNS query on the wrong port: the length field does not describe the datagram.
  Buf dns = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(probe(dns), ProbeResult::NoMatch);
}

TEST(TriStationSession, DownloadAndRunConversation) {
  RecordingSink sink;
  TriStationSession s(sink);
  FlowContext ctx = udp();
  s.data(ctx, Direction::FromClient, message(1, {0x00, 0x0C}));
  s.data(ctx, Direction::FromServer, message(2, {0x00, 0x0C}));
  s.data(ctx, Direction::FromClient, execute(0, 1, {0x10, 0x20}));  // start download change
  s.data(ctx, Direction::FromServer, execute(1, 102));                // download change permitted
  s.data(ctx, Direction::FromClient, execute(0, 20));                 // run program
  s.data(ctx, Direction::FromServer, execute(1, 109));                // program is running
  s.data(ctx, Direction::FromClient, execute(0, 21));                 // halt program
  s.data(ctx, Direction::FromServer, execute(1, 212));                // key setting prohibits
  s.data(ctx, Direction::FromServer, message(10, {}));                // access denied
  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::DeviceType, "SIS controller"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::DeviceType, "Engineering workstation"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::CpuState, "RUN"));
  ASSERT_EQ(sink.operations.size(), 9u);
  EXPECT_EQ(sink.operations[0].code, kOtherMessageBase + 1);
  EXPECT_EQ(sink.operations[0].name, "Connection Request");
  EXPECT_TRUE(sink.operations[2].is_write);
  EXPECT_EQ(sink.operations[2].name, "Start download change");
  EXPECT_FALSE(sink.operations[3].is_request);
  EXPECT_TRUE(sink.operations[4].is_write);
  EXPECT_EQ(sink.operations[6].name, "Halt program");
  EXPECT_TRUE(sink.operations[7].is_error);
  EXPECT_TRUE(sink.operations[8].is_error);
  EXPECT_EQ(sink.operations[4].unit, 0x0Cu);
}

TEST(TriStationSession, ViolationsRejectAndPrefixesAreSafe) {
  RecordingSink sink;
  TriStationSession s(sink);
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) s.data(udp(), Direction::FromClient, Buf{0xFF, 0, 0, 0, 0, 0});
  EXPECT_TRUE(s.rejected());
  EXPECT_EQ(sink.count_anomaly("tristation.invalid_type"), kMaxConsecutiveViolations);
  Buf valid = execute(0, 65, Buf(40, 0x11));
  for (size_t n = 0; n <= valid.size(); ++n) {
    RecordingSink each;
    TriStationSession t(each);
    t.data(udp(), Direction::FromClient, Bytes(valid).first(n));
    t.gap(udp(), Direction::FromClient, 1);
    t.end(udp(), Direction::FromClient);
    EXPECT_EQ(each.operations.size(), n == valid.size() ? 1u : 0u);
    probe(Bytes(valid).first(n));
  }
}

TEST(TriStationSession, DescriptorRegistered) {
  EXPECT_EQ(kDissector_tristation.name, "tristation");
  EXPECT_EQ(kDissector_tristation.probe(Direction::FromClient, message(6, {})), ProbeResult::Match);
}

}  // namespace
}  // namespace ots::tristation
