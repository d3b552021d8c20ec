#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/vnc/vnc_session.h"
#include "dissectors/vnc/vnc_wire.h"
#include "tests/support/recording_sink.h"

namespace ots::vnc {
namespace {

using test_support::RecordingSink;
using Buffer = std::vector<uint8_t>;

Buffer text(std::string_view s) { return Buffer(s.begin(), s.end()); }
Buffer be32(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }
Buffer cat(Buffer a, const Buffer& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Buffer with_length(std::string_view s) { return cat(be32(uint32_t(s.size())), text(s)); }

// RFC 6143 §7.3.2: width, height, pixel format, name.
Buffer server_init(std::string_view name) {
  Buffer b{0x04, 0x00, 0x03, 0x00, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0};
  return cat(b, with_length(name));
}

struct Step {
  Direction dir;
  Buffer bytes;
};
const auto C = Direction::FromClient, S = Direction::FromServer;

std::vector<Step> handshake_38_vnc_auth(uint32_t result) {
  return {
      {S, text("RFB 003.008\n")},
      {C, text("RFB 003.008\n")},
      {S, Buffer{2, 2, 16}},  // VNC Authentication, Tight
      {C, Buffer{2}},
      {S, Buffer(16, 0x42)},  // challenge
      {C, Buffer(16, 0x99)},  // response
      {S, result == 0 ? be32(0) : cat(be32(1), with_length("Authentication failure"))},
      {C, Buffer{1}},
      {S, server_init("hmi-line3:0 (operator)")},
  };
}

FlowContext context() {
  FlowContext ctx;
  ctx.transport = 6;
  ctx.client_ip = *IpAddr::parse("10.3.0.9");
  ctx.server_ip = *IpAddr::parse("10.3.0.77");
  ctx.client_port = 40000;
  ctx.server_port = 5900;
  return ctx;
}

void feed(VncSession& session, const std::vector<Step>& steps, size_t chunk = 0) {
  for (const auto& step : steps) {
    Bytes bytes(step.bytes);
    if (chunk == 0) {
      session.data(context(), step.dir, bytes);
      continue;
    }
    for (size_t at = 0; at < bytes.size(); at += chunk) {
      session.data(context(), step.dir, bytes.subspan(at, std::min(chunk, bytes.size() - at)));
    }
  }
}

std::vector<std::string> names(const RecordingSink& sink) {
  std::vector<std::string> out;
  for (const auto& op : sink.operations) out.push_back(op.name + "=" + op.object + (op.is_error ? "!" : ""));
  return out;
}

TEST(VncSession, Rfb38WithVncAuthentication) {
  RecordingSink sink;
  VncSession session(sink);
  feed(session, handshake_38_vnc_auth(0));
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_EQ(names(sink),
            (std::vector<std::string>{"ProtocolVersion=RFB 003.008", "ProtocolVersion=RFB 003.008",
                                      "Security Types=VNC Authentication,Tight",
                                      "Security Type Selection=VNC Authentication",
                                      "VNC Authentication Response=", "Security Result=ok",
                                      "ClientInit=shared", "ServerInit=hmi-line3:0 (operator)"}));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Software, "RFB 003.008"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Software, "RFB 003.008"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "VNC server"));
  EXPECT_TRUE(
      sink.has_identity(Side::Server, IdentityField::Description, "vnc desktop hmi-line3:0 (operator)"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "hmi-line3"));
}

TEST(VncSession, FailedAuthenticationIsAnError) {
  RecordingSink sink;
  VncSession session(sink);
  feed(session, handshake_38_vnc_auth(1));
  auto ops = names(sink);
  ASSERT_EQ(ops.size(), 7u);  // nothing after the failed result is read
  EXPECT_EQ(ops[5], "Security Result=Authentication failure!");
}

TEST(VncSession, EveryChunkingGivesTheSameEvents) {
  RecordingSink whole;
  VncSession reference(whole);
  feed(reference, handshake_38_vnc_auth(0));
  for (size_t chunk : {1, 2, 3, 5, 11}) {
    RecordingSink sink;
    VncSession session(sink);
    feed(session, handshake_38_vnc_auth(0), chunk);
    EXPECT_EQ(names(sink), names(whole)) << chunk;
  }
}

TEST(VncSession, CoalescedServerMessages) {
  // Server-only capture with everything in one segment; a single offered type is the one used.
  RecordingSink sink;
  VncSession session(sink);
  Buffer server = cat(cat(cat(text("RFB 003.008\n"), Buffer{1, 2}), Buffer(16, 7)), be32(0));
  server = cat(server, server_init("PANEL7"));
  session.data(context(), S, server);
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "PANEL7"));
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(VncSession, NoAuthenticationIsAFinding) {
  RecordingSink sink;
  VncSession session(sink);
  feed(session, {{S, text("RFB 003.008\n")},
                 {C, text("RFB 003.008\n")},
                 {S, Buffer{2, 1, 2}},
                 {C, Buffer{1}},
                 {S, be32(0)},
                 {C, Buffer{0}},
                 {S, server_init("Operator's desktop")}});
  EXPECT_EQ(sink.count_anomaly("vnc.no_authentication"), 1u);
  auto ops = names(sink);
  ASSERT_EQ(ops.size(), 7u);
  EXPECT_EQ(ops[5], "ClientInit=exclusive");
  // Not a host name: only the description.
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "vnc desktop Operator's desktop"));
  for (const auto& i : sink.identities) EXPECT_NE(i.field, IdentityField::Hostname);
}

TEST(VncSession, Rfb37NoneHasNoSecurityResult) {
  RecordingSink sink;
  VncSession session(sink);
  feed(session, {{S, text("RFB 003.008\n")},
                 {C, text("RFB 003.007\n")},
                 {S, Buffer{1, 1}},
                 {C, Buffer{1}},
                 {C, Buffer{1}},
                 {S, server_init("scada")}});
  EXPECT_TRUE(sink.has_anomaly("vnc.no_authentication"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "scada"));
}

TEST(VncSession, Rfb33ServerImposesTheType) {
  RecordingSink sink;
  VncSession session(sink);
  feed(session, {{S, text("RFB 003.003\n")},
                 {C, text("RFB 003.003\n")},
                 {S, cat(be32(2), Buffer(16, 1))},
                 {C, Buffer(16, 2)},
                 {S, be32(0)},
                 {C, Buffer{1}},
                 {S, server_init("x")}});
  auto ops = names(sink);
  ASSERT_EQ(ops.size(), 7u);
  EXPECT_EQ(ops[2], "Security Type=VNC Authentication");
  EXPECT_EQ(ops[3], "VNC Authentication Response=");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(VncSession, ServerRefusesWithReason) {
  RecordingSink sink;
  VncSession session(sink);
  feed(
      session,
      {{S, text("RFB 003.889\n")}, {C, text("RFB 003.008\n")}, {S, cat(Buffer{0}, with_length("Too many"))}});
  EXPECT_EQ(names(sink).back(), "Security Types=Too many!");
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "Apple Remote Desktop"));
}

TEST(VncSession, Anomalies) {
  {
    RecordingSink sink;
    VncSession session(sink);
    session.data(context(), S, text("RFB 3.8.000\n"));
    EXPECT_TRUE(sink.has_anomaly("vnc.bad_version"));
    EXPECT_TRUE(session.rejected());
  }
  {
    RecordingSink sink;
    VncSession session(sink);
    feed(session,
         {{S, text("RFB 003.008\n")}, {C, text("RFB 003.008\n")}, {S, Buffer{1, 2}}, {C, Buffer{16}}});
    EXPECT_TRUE(sink.has_anomaly("vnc.bad_security_type"));
  }
  {
    RecordingSink sink;
    VncSession session(sink);
    feed(session,
         {{S, text("RFB 003.008\n")}, {C, text("RFB 003.008\n")}, {S, cat(Buffer{0}, be32(0x7FFFFFFF))}});
    EXPECT_TRUE(sink.has_anomaly("vnc.bad_length"));
  }
  {
    RecordingSink sink;
    VncSession session(sink);
    session.data(context(), S, text("RFB 003."));
    session.end(context(), S);
    EXPECT_TRUE(sink.has_anomaly("vnc.truncated"));
  }
}

TEST(VncSession, TruncationAtEveryPrefixAndGaps) {
  Buffer server;
  for (const auto& step : handshake_38_vnc_auth(0)) {
    if (step.dir == S) server = cat(server, step.bytes);
  }
  for (size_t n = 0; n <= server.size(); ++n) {
    RecordingSink sink;
    VncSession session(sink);
    session.data(context(), S, Bytes(server).first(n));
    session.gap(context(), S, 10);
    session.data(context(), S, server);  // after a gap the direction is not read again
    session.end(context(), S);
    EXPECT_LE(sink.operations.size(), 5u);
  }
}

TEST(VncProbe, Strict) {
  EXPECT_EQ(probe(S, text("RFB 003.008\n")), ProbeResult::Match);
  EXPECT_EQ(probe(S, text("RFB 00")), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(S, text("RF")), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(S, text("RFB 003.008 ")), ProbeResult::NoMatch);
  EXPECT_EQ(probe(C, text("SSH-2.0-Open")), ProbeResult::NoMatch);
}

}  // namespace
}  // namespace ots::vnc
