// Unit tests of the FINS parser and session on hand-built frames (UDP and FINS/TCP).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/fins/fins.h"
#include "dissectors/fins/fins_parser.h"
#include "dissectors/fins/fins_session.h"
#include "tests/unit/fins/recording_sink.h"

namespace ots::fins {
namespace {

using fins_test::RecordingSink;
using Buf = std::vector<uint8_t>;

Buf command(uint16_t code, const Buf& data) {
  Buf b = {0x80, 0x00, 0x02, 0x00, 0x0A, 0x00, 0x00, 0x7A, 0x00, 0x01, uint8_t(code >> 8), uint8_t(code)};
  b.insert(b.end(), data.begin(), data.end());
  return b;
}
Buf response(uint16_t code, uint16_t end_code, const Buf& data) {
  Buf b = {0xC0, 0x00, 0x02, 0x00, 0x7A, 0x00, 0x00, 0x0A, 0x00, 0x01, uint8_t(code >> 8), uint8_t(code),
           uint8_t(end_code >> 8), uint8_t(end_code)};
  b.insert(b.end(), data.begin(), data.end());
  return b;
}
Buf tcp(uint32_t cmd, const Buf& payload, uint32_t error = 0) {
  uint32_t length = uint32_t(payload.size() + 8);
  Buf b = {'F', 'I', 'N', 'S'};
  for (uint32_t v : {length, cmd, error}) {
    for (int i = 3; i >= 0; --i) b.push_back(uint8_t(v >> (8 * i)));
  }
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}
Buf controller_data() {
  Buf data(20, ' ');
  std::string model = "CJ2M-CPU31", version = "02.01";
  std::copy(model.begin(), model.end(), data.begin());
  Buf v(20, 0);
  std::copy(version.begin(), version.end(), v.begin());
  data.insert(data.end(), v.begin(), v.end());
  return data;
}
FlowContext udp() {
  FlowContext ctx;
  ctx.transport = 17;
  return ctx;
}
FlowContext tcp_ctx() {
  FlowContext ctx;
  ctx.transport = 6;
  return ctx;
}

TEST(FinsParser, MemoryAreaRead) {
  Frame f = parse_frame(command(0x0101, {0x82, 0x00, 0x64, 0x00, 0x00, 0x0A}));
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_FALSE(f.is_response);
  EXPECT_TRUE(f.response_required);
  EXPECT_TRUE(f.has_range);
  EXPECT_EQ(f.area, 0x82);
  EXPECT_EQ(f.address, 100u << 8);
  EXPECT_EQ(f.quantity, 10u);
  EXPECT_EQ(parse_frame(command(0x0101, {0x82, 0x00})).anomaly, Anomaly::Truncated);
}

TEST(FinsParser, HeaderChecksAndProbe) {
  Buf bad = command(0x0101, {});
  bad[1] = 1;  // RSV
  EXPECT_EQ(parse_frame(bad).anomaly, Anomaly::InvalidHeader);
  EXPECT_EQ(probe(command(0x0501, {})), ProbeResult::Match);
  EXPECT_EQ(probe(command(0x7777, {})), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Buf{0x80, 0x00}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(tcp(0, {0, 0, 0, 0})), ProbeResult::Match);
  EXPECT_EQ(probe(Buf{'F', 'I', 'X'}), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Buf{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1'}), ProbeResult::NoMatch);
  EXPECT_TRUE(is_error_end_code(0x0401));
  EXPECT_FALSE(is_error_end_code(0x0040));
  EXPECT_FALSE(is_error_end_code(0x8000));
}

TEST(FinsSession, UdpCommandResponseAndIdentity) {
  RecordingSink sink;
  FinsSession s(sink);
  s.data(udp(), Direction::FromClient, command(0x0501, {}));
  s.data(udp(), Direction::FromServer, response(0x0501, 0, controller_data()));
  s.data(udp(), Direction::FromClient, command(0x0102, {0x82, 0x00, 0x10, 0x00, 0x00, 0x01, 0x12, 0x34}));
  s.data(udp(), Direction::FromServer, response(0x0102, 0x0401, {}));
  s.data(udp(), Direction::FromClient, command(0x0402, {0xFF, 0xFF}));
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "CJ2M-CPU31"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "02.01"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::DeviceType, "PLC"));
  EXPECT_FALSE(sink.has_identity(Side::Client, IdentityField::DeviceType, "PLC"));
  ASSERT_EQ(sink.operations.size(), 5u);
  EXPECT_EQ(sink.operations[0].name, "Controller Data Read");
  EXPECT_EQ(sink.operations[0].unit, 0x0Au);
  EXPECT_FALSE(sink.operations[1].is_request);
  EXPECT_EQ(sink.operations[2].code, 0x0102u);
  EXPECT_TRUE(sink.operations[2].is_write);
  EXPECT_TRUE(sink.operations[2].has_range);
  EXPECT_EQ(sink.operations[2].address, 0x10u << 8);
  EXPECT_TRUE(sink.operations[3].is_error);
  EXPECT_EQ(sink.operations[4].name, "Stop");
  EXPECT_TRUE(sink.operations[4].is_write);
}

TEST(FinsSession, ResponseSideFollowsTheSender) {
  RecordingSink sink;
  FinsSession s(sink);
  s.data(udp(), Direction::FromClient, response(0x0501, 0, controller_data()));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::ProductName, "CJ2M-CPU31"));
  // The controller that answered is the PLC even though it is the flow's client
  // (fins_cisagovfork_omron.pcap: the host at 10.4.14.102 sends commands and the answers).
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::DeviceType, "PLC"));
  EXPECT_FALSE(sink.has_identity(Side::Server, IdentityField::DeviceType, "PLC"));
}

TEST(FinsSession, TcpHandshakeFramesSplitAndCoalesced) {
  Buf client = tcp(0, {0, 0, 0, 0});
  for (const Buf& b : {tcp(2, command(0x0101, {0x82, 0, 0, 0, 0, 1})), tcp(2, command(0x0401, {0xFF, 0xFF, 0x02}))}) {
    client.insert(client.end(), b.begin(), b.end());
  }
  Buf server = tcp(1, {0, 0, 0, 2, 0, 0, 0, 1});
  Buf resp = tcp(2, response(0x0101, 0, {0x12, 0x34}));
  server.insert(server.end(), resp.begin(), resp.end());
  for (size_t step : {1u, 5u, 17u, 1000u}) {
    RecordingSink sink;
    FinsSession s(sink);
    for (size_t at = 0; at < client.size(); at += step) {
      s.data(tcp_ctx(), Direction::FromClient, Bytes(client).subspan(at, std::min(step, client.size() - at)));
    }
    for (size_t at = 0; at < server.size(); at += step) {
      s.data(tcp_ctx(), Direction::FromServer, Bytes(server).subspan(at, std::min(step, server.size() - at)));
    }
    s.end(tcp_ctx(), Direction::FromClient);
    s.end(tcp_ctx(), Direction::FromServer);
    EXPECT_TRUE(sink.anomalies.empty()) << step;
    ASSERT_EQ(sink.operations.size(), 3u) << step;
    EXPECT_EQ(sink.operations[1].name, "Run");
    EXPECT_EQ(sink.confirmations.size(), 1u);
  }
}

TEST(FinsSession, Anomalies) {
  {
    RecordingSink sink;
    FinsSession s(sink);
    Buf bad = command(0x0101, {});
    bad[0] = 0x10;
    s.data(udp(), Direction::FromClient, bad);
    EXPECT_TRUE(sink.has_anomaly("fins.invalid_header"));
    EXPECT_TRUE(sink.operations.empty());
  }
  {
    RecordingSink sink;
    FinsSession s(sink);
    s.data(udp(), Direction::FromServer, response(0x0501, 0, {'A', 'B'}));
    EXPECT_TRUE(sink.has_anomaly("fins.truncated"));
  }
  {
    RecordingSink sink;
    FinsSession s(sink);
    s.data(tcp_ctx(), Direction::FromClient, Buf{'F', 'I', 'N', 'S', 0xFF, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0});
    EXPECT_TRUE(sink.has_anomaly("fins.invalid_tcp_header"));
  }
  {
    RecordingSink sink;
    FinsSession s(sink);
    s.data(tcp_ctx(), Direction::FromServer, tcp(3, {}, 0x21));
    EXPECT_TRUE(sink.has_anomaly("fins.tcp_error"));
  }
  {
    RecordingSink sink;
    FinsSession s(sink);
    Buf m = tcp(2, command(0x0101, {0x82, 0, 0, 0, 0, 1}));
    s.data(tcp_ctx(), Direction::FromClient, Bytes(m).first(m.size() - 2));
    s.end(tcp_ctx(), Direction::FromClient);
    EXPECT_TRUE(sink.has_anomaly("fins.truncated_message"));
  }
}

TEST(FinsSession, RejectsGarbageAndSurvivesPrefixes) {
  RecordingSink sink;
  FinsSession s(sink);
  for (int i = 0; i < 10; ++i) s.data(udp(), Direction::FromClient, Buf(20, 0x11));
  EXPECT_TRUE(s.rejected());
  Buf all = tcp(2, response(0x0501, 0, controller_data()));
  for (size_t n = 0; n <= all.size(); ++n) {
    RecordingSink prefix_sink;
    FinsSession prefix_session(prefix_sink);
    prefix_session.data(tcp_ctx(), Direction::FromServer, Bytes(all).first(n));
    prefix_session.end(tcp_ctx(), Direction::FromServer);
    prefix_session.data(udp(), Direction::FromServer, Bytes(all).subspan(16).first(n > 16 ? n - 16 : 0));
  }
}

TEST(FinsSession, ResyncAfterGap) {
  RecordingSink sink;
  FinsSession s(sink);
  Buf m = tcp(2, command(0x0101, {0x82, 0, 0, 0, 0, 1}));
  s.data(tcp_ctx(), Direction::FromClient, Bytes(m).first(10));
  s.gap(tcp_ctx(), Direction::FromClient, 50);
  Buf tail(m.begin() + 20, m.end());
  Buf next = tcp(2, command(0x0702, {1, 2, 3, 4, 5, 6}));
  tail.insert(tail.end(), next.begin(), next.end());
  s.data(tcp_ctx(), Direction::FromClient, tail);
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].name, "Clock Write");
  EXPECT_TRUE(sink.operations[0].is_write);
}

TEST(FinsDescriptor, Registered) {
  EXPECT_EQ(kDissector_fins.name, "fins");
  EXPECT_EQ(kDissector_fins.probe(Direction::FromClient, command(0x0101, {})), ProbeResult::Match);
}

}  // namespace
}  // namespace ots::fins
