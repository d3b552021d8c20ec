#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "dissectors/rdp/rdp_session.h"
#include "dissectors/rdp/rdp_wire.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::rdp {
namespace {

using test_support::RecordingSink;
using Buffer = std::vector<uint8_t>;

Buffer tpkt(const Buffer& body) {
  size_t length = body.size() + 4;
  Buffer b{3, 0, uint8_t(length >> 8), uint8_t(length)};
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

// X.224 CR / CC (MS-RDPBCGR §2.2.1.1 / §2.2.1.2): LI covers the rest of the PDU.
Buffer x224(uint8_t code, const Buffer& variable) {
  Buffer b{uint8_t(6 + variable.size()),
           code,
           0,
           0,
           code == 0xD0 ? uint8_t(0x12) : uint8_t(0),
           code == 0xD0 ? uint8_t(0x34) : uint8_t(0),
           0};
  b.insert(b.end(), variable.begin(), variable.end());
  return tpkt(b);
}

Buffer text(std::string_view s) { return Buffer(s.begin(), s.end()); }
Buffer neg(uint8_t type, uint8_t flags, uint32_t value) {
  return {type, flags, 8, 0, uint8_t(value), uint8_t(value >> 8), uint8_t(value >> 16), uint8_t(value >> 24)};
}
Buffer cat(Buffer a, const Buffer& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Buffer connection_request(uint32_t protocols) {
  return x224(0xE0, cat(text("Cookie: mstshash=jdoe\r\n"), neg(1, 0, protocols)));
}
Buffer connection_confirm(uint32_t selected) { return x224(0xD0, neg(2, 0x1F, selected)); }
Buffer negotiation_failure(uint32_t code) { return x224(0xD0, neg(3, 0, code)); }

// MCS Connect Initial (T.125 BER) → GCC Conference Create Request (T.124 PER) → TS_UD_CS_CORE.
Buffer connect_initial(std::string_view client_name) {
  Buffer core{0x01, 0xC0, 68, 0};  // CS_CORE, length 68
  for (uint32_t v : {0x00080004u})
    core.insert(core.end(), {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)});
  core.insert(core.end(), {0x00, 0x05, 0x00, 0x04, 0x01, 0xCA, 0x03, 0xAA, 0x09, 0x04, 0x00, 0x00});
  core.insert(core.end(), {0x61, 0x4A, 0x00, 0x00});  // client build 19041
  Buffer name(32, 0);
  for (size_t i = 0; i < client_name.size() && i < 15; ++i) name[2 * i] = uint8_t(client_name[i]);
  core = cat(core, name);
  core.insert(core.end(), {4, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0});  // keyboard type, subtype, function keys
  Buffer security{0x02, 0xC0, 12, 0, 0x1B, 0, 0, 0, 0, 0, 0, 0};
  Buffer user_data = cat(core, security);
  size_t create_request = 14 + user_data.size();  // PER length of the ConnectGCCPDU that follows
  Buffer gcc{0x00,
             0x05,
             0x00,
             0x14,
             0x7C,
             0x00,
             0x01,
             uint8_t(0x80 | (create_request >> 8)),
             uint8_t(create_request),
             0x00,
             0x08,
             0x00,
             0x10,
             0x00,
             0x01,
             0xC0,
             0x00,
             'D',
             'u',
             'c',
             'a',
             uint8_t(0x80 | (user_data.size() >> 8)),
             uint8_t(user_data.size())};
  gcc = cat(gcc, user_data);
  Buffer parameters{0x30, 0x19, 0x02, 0x01, 0x22, 0x02, 0x01, 0x02, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01,
                    0x02, 0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x02, 0xFF, 0xFF, 0x02, 0x01, 0x02};
  Buffer body{0x04, 0x01, 0x01, 0x04, 0x01, 0x01, 0x01, 0x01, 0xFF};
  for (int i = 0; i < 3; ++i) body = cat(body, parameters);
  body = cat(body, Buffer{0x04, 0x82, uint8_t(gcc.size() >> 8), uint8_t(gcc.size())});
  body = cat(body, gcc);
  Buffer mcs{0x7F, 0x65, 0x82, uint8_t(body.size() >> 8), uint8_t(body.size())};
  mcs = cat(mcs, body);
  return tpkt(cat(Buffer{0x02, 0xF0, 0x80}, mcs));
}

FlowContext context() {
  FlowContext ctx;
  ctx.transport = 6;
  ctx.client_ip = *IpAddr::parse("10.2.0.8");
  ctx.server_ip = *IpAddr::parse("10.2.0.50");
  ctx.client_port = 50123;
  ctx.server_port = 3389;
  return ctx;
}

TEST(RdpSession, TlsNegotiationThenStop) {
  RecordingSink sink;
  RdpSession session(sink);
  FlowContext ctx = context();
  session.data(ctx, Direction::FromClient, connection_request(0x0B));
  session.data(ctx, Direction::FromServer, connection_confirm(2));
  // TLS follows: not parsed, no anomaly.
  session.data(ctx, Direction::FromClient, Buffer{0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00});
  session.data(ctx, Direction::FromServer, Buffer{0x16, 0x03, 0x03, 0x00, 0x5D, 0x02});
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.confirmations.size(), 1u);
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "Connection Request");
  EXPECT_EQ(sink.operations[0].object, "user jdoe; requested TLS,CredSSP,CredSSP-EX");
  EXPECT_EQ(sink.operations[1].name, "Connection Confirm");
  EXPECT_EQ(sink.operations[1].object, "selected CredSSP");
  EXPECT_FALSE(sink.operations[1].is_error);
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "RDP server"));
  session.end(ctx, Direction::FromClient);
  session.end(ctx, Direction::FromServer);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(RdpSession, StandardSecurityRevealsClientCoreData) {
  RecordingSink sink;
  RdpSession session(sink);
  FlowContext ctx = context();
  session.data(ctx, Direction::FromClient, connection_request(0));
  session.data(ctx, Direction::FromServer, connection_confirm(0));
  session.data(ctx, Direction::FromClient, connect_initial("ENG-LAPTOP"));
  EXPECT_EQ(sink.operations[0].object, "user jdoe; requested RDP");
  EXPECT_EQ(sink.operations[1].object, "selected RDP");
  EXPECT_TRUE(sink.has_anomaly("rdp.standard_rdp_security"));
  ASSERT_EQ(sink.operations.size(), 3u);
  EXPECT_EQ(sink.operations[2].name, "MCS Connect Initial");
  EXPECT_EQ(sink.operations[2].object, "ENG-LAPTOP");
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "ENG-LAPTOP"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Software, "RDP 5.0 client build 19041"));
  EXPECT_EQ(sink.anomalies.size(), 1u);
}

TEST(RdpSession, NegotiationFailureIsAnError) {
  RecordingSink sink;
  RdpSession session(sink);
  session.data(context(), Direction::FromClient, connection_request(0));
  session.data(context(), Direction::FromServer, negotiation_failure(5));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_TRUE(sink.operations[1].is_error);
  EXPECT_EQ(sink.operations[1].object, "HYBRID_REQUIRED_BY_SERVER");
  EXPECT_FALSE(sink.has_anomaly("rdp.standard_rdp_security"));
}

TEST(RdpSession, RoutingTokenAndNoNegotiation) {
  RecordingSink sink;
  RdpSession session(sink);
  session.data(context(), Direction::FromClient, x224(0xE0, text("Cookie: msts=3640205228.15629.0000\r\n")));
  session.data(context(), Direction::FromServer, x224(0xD0, {}));
  EXPECT_EQ(sink.operations[0].object, "routing token");
  EXPECT_EQ(sink.operations[1].object, "selected RDP");
  EXPECT_TRUE(sink.has_anomaly("rdp.standard_rdp_security"));  // an old server with no RDP_NEG_RSP
}

TEST(RdpSession, SplitAtEveryByte) {
  RecordingSink sink;
  RdpSession session(sink);
  auto feed = [&](Direction dir, const Buffer& b) {
    for (uint8_t byte : b) session.data(context(), dir, Bytes(&byte, 1));
  };
  feed(Direction::FromClient, connection_request(0));
  feed(Direction::FromServer, connection_confirm(0));
  feed(Direction::FromClient, connect_initial("HMI"));
  EXPECT_EQ(sink.operations.size(), 3u);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "HMI"));
}

TEST(RdpSession, CoalescedClientPdus) {
  RecordingSink sink;
  RdpSession session(sink);
  session.data(context(), Direction::FromClient, cat(connection_request(0), connect_initial("HMI")));
  EXPECT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.confirmations.size(), 1u);  // client-only: request and connect initial
}

TEST(RdpSession, TruncationAtEveryPrefix) {
  for (const Buffer& pdu : {connection_request(3), connection_confirm(1), connect_initial("X")}) {
    for (size_t n = 1; n < pdu.size(); ++n) {
      RecordingSink sink;
      RdpSession session(sink);
      Direction dir = pdu[5] == 0xD0 ? Direction::FromServer : Direction::FromClient;
      session.data(context(), dir, Bytes(pdu).first(n));
      session.end(context(), dir);
      EXPECT_TRUE(sink.operations.empty());
      EXPECT_TRUE(sink.has_anomaly("rdp.truncated_pdu") || sink.has_anomaly("rdp.bad_tpkt")) << n;
    }
  }
  // Cut inside the TPKT: the length byte says more than the X.224 header holds.
  Buffer cr = connection_request(3);
  for (size_t n = 7; n < cr.size(); ++n) {
    Buffer cut(cr.begin(), cr.begin() + n);
    cut[2] = uint8_t(n >> 8), cut[3] = uint8_t(n);
    ConnectionRequest request;
    EXPECT_NE(parse_connection_request(cut, request), Anomaly::None) << n;
  }
}

TEST(RdpSession, Anomalies) {
  {
    RecordingSink sink;
    RdpSession session(sink);
    session.data(context(), Direction::FromClient, Buffer{0x16, 3, 1, 0, 5});
    EXPECT_TRUE(sink.has_anomaly("rdp.bad_tpkt"));
    EXPECT_TRUE(session.rejected());
  }
  {
    RecordingSink sink;
    RdpSession session(sink);
    Buffer cr = connection_request(1);
    cr[4] = 3;  // LI disagrees with the TPKT length
    session.data(context(), Direction::FromClient, cr);
    EXPECT_TRUE(sink.has_anomaly("rdp.bad_x224"));
  }
  {
    RecordingSink sink;
    RdpSession session(sink);
    session.data(context(), Direction::FromClient, x224(0xE0, text("Cookie: mstshash=never-terminated")));
    EXPECT_TRUE(sink.has_anomaly("rdp.bad_negotiation"));
  }
  {
    RecordingSink sink;
    RdpSession session(sink);
    session.data(context(), Direction::FromClient, connection_request(0));
    session.data(context(), Direction::FromClient, tpkt(Buffer{0x02, 0xF0, 0x80, 0x7F, 0x65, 0x00}));
    EXPECT_TRUE(sink.has_anomaly("rdp.bad_mcs"));
  }
}

TEST(RdpProbe, ClaimsRdpButNotS7comm) {
  bool need_more = false;
  EXPECT_EQ(probe(Direction::FromClient, connection_request(3)), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromServer, connection_confirm(1)), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, Bytes(connection_request(3)).first(6)), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Direction::FromClient, Bytes(connection_request(3)).first(14)), ProbeResult::NeedMoreData);
  // S7comm's COTP connection request on TPKT: TSAP parameters, not a cookie or RDP_NEG_REQ.
  Buffer s7 = tpkt({0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x01, 0x00, 0xC2,
                    0x02, 0x01, 0x02});
  EXPECT_EQ(probe(Direction::FromClient, s7), ProbeResult::NoMatch);
  EXPECT_FALSE(looks_like_connection_request(s7, need_more));
  EXPECT_EQ(probe(Direction::FromClient, Buffer{'G', 'E', 'T', ' '}), ProbeResult::NoMatch);
}

// tshark reads our byte arrays the same way.
TEST(RdpOracle, TsharkAgrees) {
  if (!test_support::have_tshark() || std::system("text2pcap -v >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "tshark / text2pcap not installed";
  }
  std::ofstream out("/tmp/ots_rdp_oracle.txt");
  auto dump = [&](const char* marker, const Buffer& b) {
    out << marker << "\n000000";
    for (uint8_t byte : b) {
      char hex[4];
      std::snprintf(hex, sizeof hex, " %02x", byte);
      out << hex;
    }
    out << "\n";
  };
  dump("I", connection_request(0x0B));
  dump("O", connection_confirm(0));
  dump("I", connect_initial("ENG-LAPTOP"));
  out.close();
  ASSERT_EQ(std::system("text2pcap -q -D -4 10.2.0.8,10.2.0.50 -T 50123,3389 /tmp/ots_rdp_oracle.txt "
                        "/tmp/ots_rdp_oracle.pcap >/dev/null 2>&1"),
            0);
  // tshark names the selected protocol field negReq.
  auto rows =
      test_support::tshark_fields("/tmp/ots_rdp_oracle.pcap", "rdp",
                                  {"rdp.rt_cookie", "rdp.negReq.requestedProtocols",
                                   "rdp.negReq.selectedProtocol", "rdp.client.name", "rdp.client.build"});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "Cookie: mstshash=jdoe");
  EXPECT_EQ(rows[0][1], "0x0000000b");
  EXPECT_EQ(rows[1][2], "0x00000000");
  EXPECT_EQ(rows[2][3], "ENG-LAPTOP");
  EXPECT_EQ(rows[2][4], "19041");
}

}  // namespace
}  // namespace ots::rdp
