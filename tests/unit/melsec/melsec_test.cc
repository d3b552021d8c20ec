// Unit tests of the MELSEC parser and session: MC 3E / 4E frames built from the MC protocol
// reference manual, MELSOFT frames taken from the public captures.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/melsec/melsec_parser.h"
#include "dissectors/melsec/melsec_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::melsec {
namespace {

using test_support::from_hex;
using test_support::RecordingSink;
using Buf = std::vector<uint8_t>;

void le16(Buf& b, uint16_t v) {
  b.push_back(uint8_t(v));
  b.push_back(uint8_t(v >> 8));
}
// 3E (serial < 0) or 4E request: network 0, PC 0xFF, module I/O 0x03FF, station 0.
Buf request(uint16_t command, uint16_t subcommand, const Buf& data, int serial = -1) {
  Buf b = serial < 0 ? Buf{0x50, 0x00} : Buf{0x54, 0x00};
  if (serial >= 0) {
    le16(b, uint16_t(serial));
    le16(b, 0);
  }
  b.insert(b.end(), {0x00, 0xFF, 0xFF, 0x03, 0x00});
  le16(b, uint16_t(6 + data.size()));
  le16(b, 0x0010);  // monitoring timer
  le16(b, command);
  le16(b, subcommand);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}
Buf response(uint16_t end_code, const Buf& data, int serial = -1) {
  Buf b = serial < 0 ? Buf{0xD0, 0x00} : Buf{0xD4, 0x00};
  if (serial >= 0) {
    le16(b, uint16_t(serial));
    le16(b, 0);
  }
  b.insert(b.end(), {0x00, 0xFF, 0xFF, 0x03, 0x00});
  le16(b, uint16_t(2 + data.size()));
  le16(b, end_code);
  b.insert(b.end(), data.begin(), data.end());
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
// D100, 10 points (Q/L device specification: number 3 bytes, code 1 byte).
const Buf kD100x10 = {0x64, 0x00, 0x00, 0xA8, 0x0A, 0x00};
// From melsoft_iti_melsoft_UDP_clean_2.pcap: read CPU model request and its response.
const Buf kMelsoftModelRequest = from_hex(
    "57010000001111070000ffff030000fe03000020001c0a161400000000000000000000000000000000000000000121010000000001");
const Buf kMelsoftModelResponse = from_hex(
    "d70100000011117f000000a80300ffff03000038009c0a181400000000000000000000000000000000000000000000012101000000"
    "465835552d33324d542f455300000000294a000800000000");

TEST(MelsecParser, BatchReadRequest) {
  Frame f = parse_frame(request(0x0401, 0x0000, kD100x10));
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_EQ(f.kind, FrameKind::McRequest);
  EXPECT_EQ(f.command, 0x0401);
  EXPECT_TRUE(f.has_range);
  EXPECT_EQ(f.address, 100u);
  EXPECT_EQ(f.quantity, 10u);
  EXPECT_EQ(f.device, "D");
  EXPECT_EQ(f.pc, 0xFF);
  EXPECT_EQ(f.module_io, 0x03FF);
}

TEST(MelsecParser, IqrDeviceAndRandomAccess) {
  Frame iqr = parse_frame(request(0x1401, 0x0002, {0x10, 0x27, 0x00, 0x00, 0x90, 0x00, 0x02, 0x00, 1, 0, 2, 0}));
  EXPECT_EQ(iqr.address, 10000u);
  EXPECT_EQ(iqr.device, "M");
  EXPECT_EQ(iqr.quantity, 2u);
  Frame random = parse_frame(request(0x0403, 0x0000, {0x02, 0x01, 0x05, 0, 0, 0xA8, 0x06, 0, 0, 0xA8, 0x07, 0, 0, 0xB4}));
  EXPECT_TRUE(random.has_range);
  EXPECT_EQ(random.quantity, 3u);
  EXPECT_EQ(random.address, 5u);
  Frame bits = parse_frame(request(0x1402, 0x0001, {0x01, 0x20, 0, 0, 0x90, 0x01}));
  EXPECT_EQ(bits.quantity, 1u);
  EXPECT_EQ(bits.address, 0x20u);
  EXPECT_EQ(parse_frame(request(0x0401, 0x0000, {0x64, 0x00})).anomaly, Anomaly::Truncated);
}

TEST(MelsecParser, FrameSizesAndLengthChecks) {
  Buf r3e = request(0x0401, 0, kD100x10);
  FrameSize s = frame_size(r3e);
  EXPECT_EQ(s.status, FrameStatus::Ok);
  EXPECT_EQ(s.size, r3e.size());
  Buf r4e = request(0x0401, 0, kD100x10, 0x1234);
  EXPECT_EQ(frame_size(r4e).size, r4e.size());
  EXPECT_EQ(frame_size(Bytes(r4e).first(10)).status, FrameStatus::NeedMoreData);
  EXPECT_EQ(frame_size(kMelsoftModelRequest).size, kMelsoftModelRequest.size());
  Buf short_len = {0x50, 0x00, 0x00, 0xFF, 0xFF, 0x03, 0x00, 0x02, 0x00};
  EXPECT_EQ(frame_size(short_len).anomaly, Anomaly::InvalidLength);
  Buf huge = {0x50, 0x00, 0x00, 0xFF, 0xFF, 0x03, 0x00, 0xFF, 0xFF};
  EXPECT_EQ(frame_size(huge).anomaly, Anomaly::InvalidLength);
  EXPECT_EQ(frame_size(Buf{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T'}).anomaly, Anomaly::InvalidHeader);
  Buf wrong_length = request(0x0401, 0, kD100x10);
  wrong_length.push_back(0);
  EXPECT_EQ(parse_frame(wrong_length).anomaly, Anomaly::InvalidLength);  // one datagram, length disagrees
  for (size_t a = 0; a < size_t(Anomaly::kCount); ++a) EXPECT_EQ(anomaly_name(Anomaly(a)).substr(0, 7), "melsec.");
}

TEST(MelsecParser, MelsoftModel) {
  Frame req = parse_frame(kMelsoftModelRequest);
  EXPECT_EQ(req.kind, FrameKind::MelsoftRequest);
  EXPECT_EQ(req.command, 0x0121);
  Frame resp = parse_frame(kMelsoftModelResponse);
  EXPECT_EQ(resp.kind, FrameKind::MelsoftResponse);
  EXPECT_EQ(resp.anomaly, Anomaly::None);
  EXPECT_EQ(resp.end_code, 0);
  EXPECT_EQ(resp.command, 0x0121);
  EXPECT_EQ(resp.model, "FX5U-32MT/ES");
  EXPECT_EQ(parse_frame(Bytes(kMelsoftModelRequest).first(40), false).anomaly, Anomaly::Truncated);
}

TEST(MelsecParser, Probe) {
  EXPECT_EQ(probe(request(0x0401, 0, kD100x10)), ProbeResult::Match);
  EXPECT_EQ(probe(request(0x0401, 0, kD100x10, 7)), ProbeResult::Match);
  EXPECT_EQ(probe(request(0x7777, 0, {})), ProbeResult::NoMatch);
  EXPECT_EQ(probe(response(0, {})), ProbeResult::Match);
  EXPECT_EQ(probe(kMelsoftModelRequest), ProbeResult::Match);
  EXPECT_EQ(probe(Buf{0x5A, 0x00, 0x00, 0x01}), ProbeResult::Match);
  EXPECT_EQ(probe(Buf{0x50, 0x00, 0x00}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Buf{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'}), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Buf{0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1}), ProbeResult::NoMatch);
}

TEST(MelsecSession, McConversationOverTcp) {
  RecordingSink sink;
  MelsecSession s(sink);
  FlowContext ctx = ctx_for(6);
  s.data(ctx, Direction::FromClient, request(0x0101, 0, {}));
  Buf model = {'Q', '0', '3', 'U', 'D', 'E', 'C', 'P', 'U', ' ', ' ', ' ', ' ', ' ', ' ', ' ', 0x68, 0x02};
  s.data(ctx, Direction::FromServer, response(0, model));
  s.data(ctx, Direction::FromClient, request(0x1401, 0, cat({kD100x10, Buf(20, 0)})));
  s.data(ctx, Direction::FromServer, response(0xC059, {0x00, 0xFF, 0xFF, 0x03, 0x00, 0x01, 0x14, 0x00, 0x00}));
  s.data(ctx, Direction::FromClient, request(0x1002, 0, {0x01, 0x00}));
  s.data(ctx, Direction::FromServer, response(0, {}));
  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "Q03UDECPU"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Vendor, "Mitsubishi Electric"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::CpuState, "STOP"));
  ASSERT_EQ(sink.operations.size(), 6u);
  EXPECT_EQ(sink.operations[0].name, "Read CPU model name");
  EXPECT_EQ(sink.operations[1].code, 0x0101u);
  EXPECT_FALSE(sink.operations[1].is_request);
  const auto& write = sink.operations[2];
  EXPECT_TRUE(write.is_write);
  EXPECT_TRUE(write.has_range);
  EXPECT_EQ(write.object, "D");
  EXPECT_EQ(write.address, 100u);
  EXPECT_EQ(write.unit, 0xFFu);
  EXPECT_TRUE(sink.operations[3].is_error);
  EXPECT_EQ(sink.operations[3].code, 0x1401u);
  EXPECT_EQ(sink.operations[4].name, "Remote STOP");
  EXPECT_TRUE(sink.operations[4].is_write);
  EXPECT_TRUE(sink.operations[5].is_write);
}

TEST(MelsecSession, FourEMatchedBySerialOverUdp) {
  RecordingSink sink;
  MelsecSession s(sink);
  FlowContext ctx = ctx_for(17);
  s.data(ctx, Direction::FromClient, request(0x0401, 0, kD100x10, 1));
  s.data(ctx, Direction::FromClient, request(0x1001, 0, {0x01, 0x00}, 2));
  s.data(ctx, Direction::FromServer, response(0, {}, 2));
  s.data(ctx, Direction::FromServer, response(0, Buf(20, 0), 1));
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[2].code, 0x1001u);
  EXPECT_EQ(sink.operations[3].code, 0x0401u);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::CpuState, "RUN"));
}

TEST(MelsecSession, MelsoftIdentityAndDiscovery) {
  RecordingSink sink;
  MelsecSession s(sink);
  FlowContext ctx = ctx_for(17);
  s.data(ctx, Direction::FromClient, Buf{0x5A, 0x00, 0x00, 0x01});
  s.data(ctx, Direction::FromServer, from_hex("da0000011400c0a80365c0a80365"));
  s.data(ctx, Direction::FromClient, kMelsoftModelRequest);
  s.data(ctx, Direction::FromServer, kMelsoftModelResponse);
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.operations.size(), 4u);
  EXPECT_EQ(sink.operations[0].name, "MELSOFT discovery");
  EXPECT_EQ(sink.operations[2].name, "Read CPU model");
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "FX5U-32MT/ES"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::DeviceType, "Engineering workstation"));
}

TEST(MelsecSession, SplitCoalescedAndResyncAfterGap) {
  Buf stream = cat({request(0x0401, 0, kD100x10), kMelsoftModelRequest, request(0x0403, 0, {1, 0, 5, 0, 0, 0xA8})});
  for (size_t chunk : {1u, 5u, 13u, 200u}) {
    RecordingSink sink;
    MelsecSession s(sink);
    for (size_t i = 0; i < stream.size(); i += chunk) {
      s.data(ctx_for(6), Direction::FromClient, Bytes(stream).subspan(i, std::min(chunk, stream.size() - i)));
    }
    EXPECT_EQ(sink.operations.size(), 3u) << chunk;
    EXPECT_TRUE(sink.anomalies.empty());
  }
  RecordingSink sink;
  MelsecSession s(sink);
  Buf first = request(0x0401, 0, kD100x10);
  s.data(ctx_for(6), Direction::FromClient, Bytes(first).first(5));
  s.gap(ctx_for(6), Direction::FromClient, 3);
  s.data(ctx_for(6), Direction::FromClient, cat({Buf{0x11, 0x22, 0x33}, request(0x0401, 0, kD100x10)}));
  EXPECT_EQ(sink.operations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());  // hunting after a gap is silent
}

TEST(MelsecSession, GarbageRejectsAndTruncatedEnd) {
  RecordingSink sink;
  MelsecSession s(sink);
  Buf garbage(kMaxBufferedFrame * kMaxConsecutiveViolations, 0x41);
  s.data(ctx_for(6), Direction::FromClient, garbage);
  EXPECT_TRUE(s.rejected());
  EXPECT_TRUE(sink.has_anomaly("melsec.invalid_header"));
  RecordingSink sink2;
  MelsecSession s2(sink2);
  Buf req = request(0x0401, 0, kD100x10);
  s2.data(ctx_for(6), Direction::FromClient, Bytes(req).first(req.size() - 2));
  s2.end(ctx_for(6), Direction::FromClient);
  EXPECT_TRUE(sink2.has_anomaly("melsec.truncated_message"));
}

TEST(MelsecSession, OversizedMelsoftFrameSkipped) {
  Buf big = kMelsoftModelRequest;
  size_t extra = kMaxBufferedFrame * 2;
  big.insert(big.end(), extra, 0);
  uint16_t length = uint16_t(big.size() - kMelsoftHeaderSize);
  big[19] = uint8_t(length);
  big[20] = uint8_t(length >> 8);
  Buf stream = cat({big, kMelsoftModelRequest});
  RecordingSink sink;
  MelsecSession s(sink);
  for (size_t i = 0; i < stream.size(); i += 1460) {
    s.data(ctx_for(6), Direction::FromClient, Bytes(stream).subspan(i, std::min<size_t>(1460, stream.size() - i)));
  }
  EXPECT_EQ(sink.operations.size(), 2u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(MelsecSession, EveryPrefixIsSafe) {
  Buf stream = cat({request(0x1402, 0x0003, {1, 0x20, 0, 0, 0, 0x90, 0, 1}), response(0, {}),
                    request(0x0401, 0, kD100x10, 9), kMelsoftModelResponse});
  for (size_t n = 0; n <= stream.size(); ++n) {
    for (uint8_t transport : {6, 17}) {
      RecordingSink sink;
      MelsecSession s(sink);
      s.data(ctx_for(transport), Direction::FromServer, Bytes(stream).first(n));
      s.end(ctx_for(transport), Direction::FromServer);
    }
    probe(Bytes(stream).first(n));
    parse_frame(Bytes(stream).first(n), false);
  }
}

}  // namespace
}  // namespace ots::melsec
