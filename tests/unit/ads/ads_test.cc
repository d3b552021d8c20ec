// Unit tests of the ADS parser and session on AMS packets built from the ADS specification and
// discovery datagrams from the public capture / TwinCAT discovery responses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/ads/ads_parser.h"
#include "dissectors/ads/ads_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::ads {
namespace {

using test_support::from_hex;
using test_support::RecordingSink;
using Buf = std::vector<uint8_t>;

void le16(Buf& b, uint16_t v) {
  b.push_back(uint8_t(v));
  b.push_back(uint8_t(v >> 8));
}
void le32(Buf& b, uint32_t v) {
  le16(b, uint16_t(v));
  le16(b, uint16_t(v >> 16));
}
// AMS/TCP frame from client 192.168.1.199.1.1:32771 to 5.13.117.96.1.1:851 (swapped for responses).
Buf ams(uint16_t command, bool response, const Buf& data, uint32_t error = 0, uint32_t invoke = 1) {
  Buf client = {192, 168, 1, 199, 1, 1}, plc = {5, 13, 117, 96, 1, 1};
  Buf b = {0x00, 0x00};
  le32(b, uint32_t(kAmsHeaderSize + data.size()));
  const Buf& target = response ? client : plc;
  const Buf& source = response ? plc : client;
  b.insert(b.end(), target.begin(), target.end());
  le16(b, response ? 32771 : 851);
  b.insert(b.end(), source.begin(), source.end());
  le16(b, response ? 851 : 32771);
  le16(b, command);
  le16(b, response ? 0x0005 : 0x0004);
  le32(b, uint32_t(data.size()));
  le32(b, error);
  le32(b, invoke);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}
Buf words(std::initializer_list<uint32_t> values) {
  Buf b;
  for (uint32_t v : values) le32(b, v);
  return b;
}
Buf cat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
FlowContext ctx_for(uint8_t transport) {
  FlowContext ctx;
  ctx.transport = transport;
  return ctx;
}
// From ads_iti_beckhoff_addroute1.pcapng: AddRoute request (with password "1") and its answer.
const Buf kAddRoute = from_hex(
    "036614710000000006000000c0a801c701011027050000000c000d005348454e4855414a362d50430007000600c0a801c701010d000e00"
    "41646d696e6973747261746f720002000200310005000d005348454e4855414a362d504300");
const Buf kAddRouteReply = from_hex("036614710000000006000080050d756001011027010000000100040000000000");
// A TwinCAT 3 discovery answer (hostname, OS version info, TwinCAT version).
Buf discovery_reply() {
  Buf b = {0x03, 0x66, 0x14, 0x71};
  le32(b, 0);
  le32(b, 0x80000001);
  b.insert(b.end(), {192, 168, 0, 6, 1, 1});
  le16(b, 10000);
  le32(b, 3);
  std::string host = "CX-1234AB";
  le16(b, 5);
  le16(b, uint16_t(host.size() + 1));
  b.insert(b.end(), host.begin(), host.end());
  b.push_back(0);
  le16(b, 4);
  le16(b, 20);
  Buf os = words({0x114, 10, 0, 19045, 2});
  b.insert(b.end(), os.begin(), os.end());
  le16(b, 3);
  le16(b, 4);
  b.insert(b.end(), {3, 1, 0xB8, 0x0F});
  return b;
}

TEST(AdsParser, ReadRequestAndDeviceInfoResponse) {
  Buf req = ams(2, false, words({0x4020, 16, 4}));
  AmsPacket p = parse_ams(Bytes(req).subspan(kTcpHeaderSize));
  EXPECT_EQ(p.anomaly, Anomaly::None);
  EXPECT_EQ(p.command, 2);
  EXPECT_TRUE(p.has_range);
  EXPECT_EQ(p.index_group, 0x4020u);
  EXPECT_EQ(p.index_offset, 16u);
  EXPECT_EQ(p.length, 4u);
  EXPECT_EQ(p.target_port, 851);
  Buf info = words({0});
  info.insert(info.end(), {3, 1, 0xB8, 0x0F});
  std::string name = "Plc30 App";
  info.insert(info.end(), name.begin(), name.end());
  info.resize(info.size() + 16 - name.size(), 0);
  Buf resp = ams(1, true, info);
  AmsPacket r = parse_ams(Bytes(resp).subspan(kTcpHeaderSize));
  EXPECT_TRUE(r.is_response);
  EXPECT_EQ(r.device_name, "Plc30 App");
  EXPECT_EQ(r.version_build, 4024);
}

TEST(AdsParser, FramingAndAnomalies) {
  Buf req = ams(4, false, {});
  EXPECT_EQ(frame_size(req).size, req.size());
  EXPECT_EQ(frame_size(Bytes(req).first(5)).status, FrameStatus::NeedMoreData);
  Buf bad = req;
  bad[0] = 1;
  EXPECT_EQ(frame_size(bad).status, FrameStatus::Invalid);
  Buf no_flag = req;
  no_flag[kTcpHeaderSize + 18] = 0;
  EXPECT_EQ(frame_size(no_flag).status, FrameStatus::Invalid);
  Buf wrong_len = ams(2, false, words({1, 2, 3}));
  wrong_len[kTcpHeaderSize + 20] = 20;
  EXPECT_EQ(parse_ams(Bytes(wrong_len).subspan(kTcpHeaderSize)).anomaly, Anomaly::InvalidLength);
  Buf short_read = ams(2, false, words({1}));
  EXPECT_EQ(parse_ams(Bytes(short_read).subspan(kTcpHeaderSize)).anomaly, Anomaly::Truncated);
  EXPECT_EQ(parse_ams(Bytes(req).subspan(kTcpHeaderSize, 20)).anomaly, Anomaly::InvalidHeader);
  for (size_t a = 0; a < size_t(Anomaly::kCount); ++a) EXPECT_EQ(anomaly_name(Anomaly(a)).substr(0, 4), "ads.");
}

TEST(AdsParser, Probe) {
  EXPECT_EQ(probe(ams(2, false, words({1, 2, 3}))), ProbeResult::Match);
  EXPECT_EQ(probe(ams(4, true, {0, 0, 0, 0, 5, 0, 0, 0})), ProbeResult::Match);
  EXPECT_EQ(probe(kAddRoute), ProbeResult::Match);
  EXPECT_EQ(probe(Buf{0x03, 0x66}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Buf{0x00, 0x00, 0x20}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(ams(42, false, {})), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Buf{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'}), ProbeResult::NoMatch);
  // Modbus/TCP starts with a transaction id and protocol id 0: not AMS/TCP.
  EXPECT_EQ(probe(Buf{0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}), ProbeResult::NoMatch);
}

TEST(AdsParser, Discovery) {
  Discovery route = parse_discovery(kAddRoute);
  ASSERT_TRUE(route.valid);
  EXPECT_EQ(route.service, kServiceAddRoute);
  EXPECT_FALSE(route.is_response);
  EXPECT_EQ(route.route_name, "SHENHUAJ6-PC");
  EXPECT_EQ(route.host_name, "SHENHUAJ6-PC");
  Discovery reply = parse_discovery(kAddRouteReply);
  EXPECT_TRUE(reply.is_response);
  EXPECT_TRUE(reply.has_status);
  EXPECT_EQ(reply.status, 0u);
  Discovery info = parse_discovery(discovery_reply());
  EXPECT_TRUE(info.has_twincat);
  EXPECT_TRUE(info.has_os);
  EXPECT_EQ(info.os_build, 19045u);
  EXPECT_FALSE(parse_discovery(Bytes(kAddRoute).first(30)).valid);
}

TEST(AdsSession, TcpConversation) {
  RecordingSink sink;
  AdsSession s(sink);
  FlowContext ctx = ctx_for(6);
  s.data(ctx, Direction::FromClient, ams(4, false, {}));
  s.data(ctx, Direction::FromServer, ams(4, true, {0, 0, 0, 0, 5, 0, 2, 0}));
  std::string symbol = "MAIN.bStart";
  Buf rw = words({kIndexGroupSymbolHandleByName, 0, 4, uint32_t(symbol.size() + 1)});
  rw.insert(rw.end(), symbol.begin(), symbol.end());
  rw.push_back(0);
  s.data(ctx, Direction::FromClient, cat({ams(9, false, rw), ams(3, false, cat({words({0xF005, 0x1234, 1}), Buf{1}}))}));
  s.data(ctx, Direction::FromServer, cat({ams(9, true, words({0, 4, 0x1234})), ams(3, true, words({0x0701}))}));
  s.data(ctx, Direction::FromClient, ams(5, false, cat({Buf{6, 0, 0, 0}, words({0})})));
  s.data(ctx, Direction::FromServer, ams(5, true, {}, 0x0706));
  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::CpuState, "RUN"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "AMS NetId 5.13.117.96.1.1"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "AMS NetId 192.168.1.199.1.1"));
  ASSERT_EQ(sink.operations.size(), 8u);
  EXPECT_EQ(sink.operations[0].name, "Read State");
  EXPECT_EQ(sink.operations[2].object, "MAIN.bStart");
  EXPECT_FALSE(sink.operations[2].is_write);
  const auto& write = sink.operations[3];
  EXPECT_TRUE(write.is_write);
  EXPECT_EQ(write.unit, 0xF005u);
  EXPECT_EQ(write.address, 0x1234u);
  EXPECT_TRUE(sink.operations[5].is_error);  // ADS result 0x701
  EXPECT_TRUE(sink.operations[6].is_write);  // Write Control
  EXPECT_TRUE(sink.operations[7].is_error);  // AMS error code
  size_t descriptions = 0;
  for (const auto& i : sink.identities) descriptions += i.field == IdentityField::Description;
  EXPECT_EQ(descriptions, 2u);  // once per side
}

TEST(AdsSession, DeviceInfoIdentity) {
  RecordingSink sink;
  AdsSession s(sink);
  Buf info = words({0});
  info.insert(info.end(), {2, 11, 0xD0, 0x07});
  std::string name = "TCatPlcCtrl";
  info.insert(info.end(), name.begin(), name.end());
  info.resize(info.size() + 16 - name.size(), 0);
  s.data(ctx_for(6), Direction::FromClient, ams(1, false, {}));
  s.data(ctx_for(6), Direction::FromServer, ams(1, true, info));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "TCatPlcCtrl"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "2.11.2000"));
}

TEST(AdsSession, DiscoveryAndAddRoute) {
  RecordingSink sink;
  AdsSession s(sink);
  FlowContext ctx = ctx_for(17);
  s.data(ctx, Direction::FromClient, kAddRoute);
  s.data(ctx, Direction::FromServer, kAddRouteReply);
  s.data(ctx, Direction::FromServer, discovery_reply());
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.operations.size(), 3u);
  EXPECT_EQ(sink.operations[0].name, "Add Route");
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_FALSE(sink.operations[1].is_error);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "SHENHUAJ6-PC"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "AMS NetId 5.13.117.96.1.1"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "CX-1234AB"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Software, "TwinCAT 3.1.4024"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::OperatingSystem, "Windows NT 10.0 build 19045"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Vendor, "Beckhoff"));
  for (const auto& i : sink.identities) EXPECT_EQ(i.value.find("Administrator"), std::string::npos);
  s.data(ctx, Direction::FromClient, Buf{0x03, 0x66, 0x14, 0x71, 0x00});
  EXPECT_TRUE(sink.has_anomaly("ads.invalid_discovery"));
}

TEST(AdsSession, SplitCoalescedGapAndOversized) {
  Buf stream = cat({ams(2, false, words({0x4020, 0, 2})), ams(4, false, {}), ams(1, false, {})});
  for (size_t chunk : {1u, 3u, 38u, 500u}) {
    RecordingSink sink;
    AdsSession s(sink);
    for (size_t i = 0; i < stream.size(); i += chunk) {
      s.data(ctx_for(6), Direction::FromClient, Bytes(stream).subspan(i, std::min(chunk, stream.size() - i)));
    }
    EXPECT_EQ(sink.operations.size(), 3u) << chunk;
    EXPECT_TRUE(sink.anomalies.empty());
  }
  RecordingSink sink;
  AdsSession s(sink);
  Buf first = ams(4, false, {});
  s.data(ctx_for(6), Direction::FromClient, Bytes(first).first(10));
  s.gap(ctx_for(6), Direction::FromClient, 28);
  s.data(ctx_for(6), Direction::FromClient, cat({Buf{1, 2, 3}, ams(4, false, {})}));
  EXPECT_EQ(sink.operations.size(), 1u);
  Buf big = ams(2, true, cat({words({0, uint32_t(kMaxBufferedFrame * 2)}), Buf(kMaxBufferedFrame * 2, 7)}));
  Buf two = cat({big, ams(4, true, {0, 0, 0, 0, 6, 0, 0, 0})});
  for (size_t i = 0; i < two.size(); i += 1400) {
    s.data(ctx_for(6), Direction::FromServer, Bytes(two).subspan(i, std::min<size_t>(1400, two.size() - i)));
  }
  EXPECT_EQ(sink.operations.size(), 3u);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::CpuState, "STOP"));
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(AdsSession, GarbageRejectsAndTruncatedEnd) {
  RecordingSink sink;
  AdsSession s(sink);
  s.data(ctx_for(6), Direction::FromClient, Buf(kMaxBufferedFrame * kMaxConsecutiveViolations, 0xFF));
  EXPECT_TRUE(s.rejected());
  RecordingSink sink2;
  AdsSession s2(sink2);
  Buf req = ams(4, false, {});
  s2.data(ctx_for(6), Direction::FromClient, Bytes(req).first(req.size() - 1));
  s2.end(ctx_for(6), Direction::FromClient);
  EXPECT_TRUE(sink2.has_anomaly("ads.truncated_message"));
}

TEST(AdsSession, EveryPrefixIsSafe) {
  Buf stream = cat({ams(9, false, words({0xF003, 0, 4, 8})), ams(1, true, words({0, 0})), ams(6, false, words({1, 2, 3}))});
  for (size_t n = 0; n <= stream.size(); ++n) {
    RecordingSink sink;
    AdsSession s(sink);
    s.data(ctx_for(6), Direction::FromClient, Bytes(stream).first(n));
    s.end(ctx_for(6), Direction::FromClient);
    probe(Bytes(stream).first(n));
    if (n >= kTcpHeaderSize) parse_ams(Bytes(stream).subspan(kTcpHeaderSize, n - kTcpHeaderSize), false);
  }
  Buf reply = discovery_reply();
  for (size_t n = 0; n <= reply.size(); ++n) {
    RecordingSink sink;
    AdsSession s(sink);
    s.data(ctx_for(17), Direction::FromServer, Bytes(reply).first(n));
  }
}

}  // namespace
}  // namespace ots::ads
