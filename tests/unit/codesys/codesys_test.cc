// Unit tests of the CODESYS V3 parser and session on messages built from the public layer
// descriptions (no public capture exists).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/codesys/codesys_parser.h"
#include "dissectors/codesys/codesys_session.h"
#include "tests/support/recording_sink.h"

namespace ots::codesys {
namespace {

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
// Datagram layer with 6-byte receiver and sender addresses (18 bytes, padded to 20).
Buf datagram(uint8_t service, const Buf& payload) {
  Buf b = {0xC5, 0x6B, 0x40, service, 0x00, 0x33};
  b.insert(b.end(), {0x04, 0xD2, 192, 168, 0, 10});
  b.insert(b.end(), {0x04, 0xD2, 192, 168, 0, 20});
  b.insert(b.end(), {0x00, 0x00});
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}
Buf block_driver(const Buf& dg) {
  Buf b = {0x00, 0x01, 0x17, 0xE8};
  le32(b, uint32_t(8 + dg.size()));
  b.insert(b.end(), dg.begin(), dg.end());
  return b;
}
// First application block carrying a services-layer header.
Buf service(uint16_t group, uint16_t svc, bool request, const Buf& content = {}) {
  Buf b = {0x01, uint8_t(request ? 0x81 : 0x01)};
  le16(b, 7);       // channel
  le32(b, 1);       // block id
  le32(b, 0);       // ack id
  le32(b, uint32_t(20 + content.size()));
  le32(b, 0);       // CRC (not verified)
  le16(b, 0xCD55);
  le16(b, 16);
  le16(b, uint16_t(group | (request ? 0 : 0x80)));
  le16(b, svc);
  le32(b, 0x11223344);
  le32(b, uint32_t(content.size()));
  le32(b, 0);
  b.insert(b.end(), content.begin(), content.end());
  return datagram(kServiceChannelManager, b);
}
void utf16(Buf& b, std::string_view s) {
  for (char c : s) le16(b, uint16_t(c));
  le16(b, 0);
}
Buf device_info() {
  std::string node = "PLC-LINE-3", device = "CODESYS Control for Raspberry Pi SL", vendor = "CODESYS GmbH";
  Buf b;
  le16(b, 0xC280);
  le16(b, 0x0400);
  le32(b, 42);
  le16(b, 4);  // max channels
  b.insert(b.end(), {0x01, 0x00});
  le16(b, 37);  // node name offset: right after the fixed part
  le16(b, uint16_t(node.size()));
  le16(b, uint16_t(device.size()));
  le16(b, uint16_t(vendor.size()));
  le16(b, 0x1006);
  le16(b, 0x0001);
  le32(b, 0);
  b.insert(b.end(), {0x0A, 0x00, 0x13, 0x04});  // 4.19.0.10
  le32(b, 0);
  b.push_back(0);
  utf16(b, node);
  utf16(b, device);
  utf16(b, vendor);
  return datagram(kServiceNameClient, b);
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

TEST(CodesysParser, ServiceLayer) {
  Message m = parse_datagram(service(0x01, 0x02, true));
  EXPECT_EQ(m.anomaly, Anomaly::None);
  EXPECT_EQ(m.layer, Layer::Service);
  EXPECT_EQ(m.group, 1);
  EXPECT_EQ(m.service, 2);
  EXPECT_FALSE(m.is_response);
  EXPECT_EQ(m.session_id, 0x11223344u);
  Message r = parse_datagram(service(0x02, 0x11, false));
  EXPECT_TRUE(r.is_response);
  EXPECT_EQ(r.group, 2);
  EXPECT_EQ(find_service(2, 0x11)->name, "CmpApp.Stop");
  EXPECT_TRUE(find_service(2, 0x05)->is_write);
  EXPECT_EQ(group_name(0x0C), "CmpUserMgr");
}

TEST(CodesysParser, ChannelNameServiceAndFollowUpBlocks) {
  EXPECT_EQ(parse_datagram(datagram(kServiceChannelManager, {0xC3, 0x00, 0x01, 0x01})).layer, Layer::Channel);
  EXPECT_EQ(parse_datagram(datagram(kServiceChannelManager, {0x03, 0x00, 0x07, 0x00})).layer, Layer::Other);
  Buf follow = {0x01, 0x80, 0x07, 0x00, 2, 0, 0, 0, 0, 0, 0, 0, 0xAA};
  EXPECT_EQ(parse_datagram(datagram(kServiceChannelManager, follow)).layer, Layer::Other);
  Buf answer = device_info();  // the message keeps views into it
  Message info = parse_datagram(answer);
  EXPECT_EQ(info.layer, Layer::NameService);
  ASSERT_TRUE(info.has_device_info);
  std::string node;
  append_utf16(node, info.node_name);
  EXPECT_EQ(node, "PLC-LINE-3");
  EXPECT_EQ(info.firmware[3], 0x04);
}

TEST(CodesysParser, FramingProbeAndAnomalies) {
  Buf tcp = block_driver(service(1, 2, true));
  FrameSize size = frame_size(tcp);
  EXPECT_EQ(size.status, FrameStatus::Ok);
  EXPECT_EQ(size.size, tcp.size());
  EXPECT_EQ(frame_size(Bytes(tcp).first(6)).status, FrameStatus::NeedMoreData);
  EXPECT_EQ(frame_size(Buf{0x00, 0x02}).status, FrameStatus::Invalid);
  EXPECT_EQ(probe(tcp), ProbeResult::Match);
  EXPECT_EQ(probe(service(1, 2, true)), ProbeResult::Match);
  EXPECT_EQ(probe(device_info()), ProbeResult::Match);
  EXPECT_EQ(probe(Bytes(tcp).first(3)), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Buf{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'}), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Buf{0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00}), ProbeResult::NoMatch);
  Buf bad = service(1, 2, true);
  bad[1] = 0x6C;  // header length of 4 words
  EXPECT_EQ(parse_datagram(bad).anomaly, Anomaly::InvalidDatagram);
  EXPECT_EQ(parse_datagram(Bytes(service(1, 2, true)).first(30)).anomaly, Anomaly::Truncated);
  Buf wrong_protocol = service(1, 2, true);
  wrong_protocol[20 + 20] = 0x12;
  EXPECT_EQ(parse_datagram(wrong_protocol).anomaly, Anomaly::Truncated);
  for (size_t a = 0; a < size_t(Anomaly::kCount); ++a) EXPECT_EQ(anomaly_name(Anomaly(a)).substr(0, 8), "codesys.");
}

TEST(CodesysSession, LoginAndDownloadOverTcp) {
  RecordingSink sink;
  CodesysSession s(sink);
  FlowContext ctx = ctx_for(6);
  s.data(ctx, Direction::FromClient, block_driver(datagram(kServiceChannelManager, {0xC3, 0x00, 0x01, 0x01})));
  s.data(ctx, Direction::FromServer, block_driver(datagram(kServiceChannelManager, {0x83, 0x00, 0x01, 0x01})));
  s.data(ctx, Direction::FromClient, cat({block_driver(service(1, 2, true, {0x22, 0x84, 0x80, 0x00})),
                                          block_driver(service(1, 2, true))}));
  s.data(ctx, Direction::FromServer, block_driver(service(1, 2, false)));
  s.data(ctx, Direction::FromClient, block_driver(service(2, 0x05, true, Buf(64, 0x5A))));
  s.data(ctx, Direction::FromClient, block_driver(service(0x0C, 0x30, true)));
  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.operations.size(), 7u);
  EXPECT_EQ(sink.operations[0].name, "Open channel");
  EXPECT_EQ(sink.operations[1].name, "Open channel response");
  EXPECT_FALSE(sink.operations[1].is_request);
  EXPECT_EQ(sink.operations[2].name, "CmpDevice.Login");
  EXPECT_EQ(sink.operations[2].code, 0x00010002u);
  EXPECT_EQ(sink.operations[3].name, "CmpDevice.Login");
  EXPECT_FALSE(sink.operations[4].is_request);
  EXPECT_EQ(sink.operations[4].from, Side::Server);
  EXPECT_TRUE(sink.operations[5].is_write);
  EXPECT_EQ(sink.operations[6].name, "CmpUserMgr");
}

TEST(CodesysSession, DeviceInfoIdentityOverUdp) {
  RecordingSink sink;
  CodesysSession s(sink);
  Buf resolve;
  le16(resolve, 0xC202);
  le16(resolve, 0x0400);
  le32(resolve, 42);
  s.data(ctx_for(17), Direction::FromClient, datagram(kServiceNameServer, resolve));
  s.data(ctx_for(17), Direction::FromServer, device_info());
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "Name resolve");
  EXPECT_EQ(sink.operations[1].name, "Device info");
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "PLC-LINE-3"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "CODESYS Control for Raspberry Pi SL"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Vendor, "CODESYS GmbH"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "4.19.0.10"));
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST(CodesysSession, SplitGapOversizedAndTruncatedEnd) {
  Buf stream = cat({block_driver(service(1, 1, true)), block_driver(service(9, 6, true, Buf(10, 1))),
                    block_driver(service(2, 0x10, true))});
  for (size_t chunk : {1u, 9u, 31u, 1000u}) {
    RecordingSink sink;
    CodesysSession s(sink);
    for (size_t i = 0; i < stream.size(); i += chunk) {
      s.data(ctx_for(6), Direction::FromClient, Bytes(stream).subspan(i, std::min(chunk, stream.size() - i)));
    }
    EXPECT_EQ(sink.operations.size(), 3u) << chunk;
    EXPECT_TRUE(sink.anomalies.empty());
  }
  RecordingSink sink;
  CodesysSession s(sink);
  Buf first = block_driver(service(1, 1, true));
  s.data(ctx_for(6), Direction::FromClient, Bytes(first).first(12));
  s.gap(ctx_for(6), Direction::FromClient, 10);
  s.data(ctx_for(6), Direction::FromClient, cat({Buf{9, 9, 9}, block_driver(service(1, 7, true))}));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].name, "CmpDevice.GetOperatingMode");
  Buf big = block_driver(service(8, 4, true, Buf(kMaxBufferedFrame * 2, 0)));
  Buf two = cat({big, block_driver(service(2, 0x11, true))});
  for (size_t i = 0; i < two.size(); i += 1460) {
    s.data(ctx_for(6), Direction::FromClient, Bytes(two).subspan(i, std::min<size_t>(1460, two.size() - i)));
  }
  ASSERT_EQ(sink.operations.size(), 3u);
  EXPECT_EQ(sink.operations[1].name, "CmpFileTransfer.Download");
  EXPECT_EQ(sink.operations[2].name, "CmpApp.Stop");
  EXPECT_TRUE(sink.anomalies.empty());
  s.data(ctx_for(6), Direction::FromServer, Bytes(first).first(20));
  s.end(ctx_for(6), Direction::FromServer);
  EXPECT_TRUE(sink.has_anomaly("codesys.truncated_message"));
}

TEST(CodesysSession, GarbageRejectsAndPrefixesAreSafe) {
  RecordingSink sink;
  CodesysSession s(sink);
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) s.data(ctx_for(17), Direction::FromClient, Buf{0x45, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(s.rejected());
  EXPECT_TRUE(sink.has_anomaly("codesys.invalid_datagram"));
  Buf stream = cat({block_driver(device_info()), block_driver(service(1, 2, false, Buf(8, 3)))});
  for (size_t n = 0; n <= stream.size(); ++n) {
    for (uint8_t transport : {6, 17}) {
      RecordingSink each;
      CodesysSession t(each);
      t.data(ctx_for(transport), Direction::FromServer, Bytes(stream).first(n));
      t.end(ctx_for(transport), Direction::FromServer);
    }
    probe(Bytes(stream).first(n));
    if (n >= 8) parse_datagram(Bytes(stream).subspan(8, n - 8), false);
  }
}

}  // namespace
}  // namespace ots::codesys
