#include <gtest/gtest.h>

#include "dissectors/tls/tls.h"
#include "dissectors/tls/tls_session.h"
#include "tests/support/recording_sink.h"
#include "tests/unit/tls/tls_builder.h"

namespace ots::tls {
namespace {

using namespace tls_test;
using test_support::RecordingSink;

constexpr Direction kClient = Direction::FromClient, kServer = Direction::FromServer;

Buffer client_flight() { return record(22, handshake_message(1, chrome_client_hello_body()), 0x0301); }
Buffer server_flight() {
  return record(22, concat({handshake_message(2, server_hello_body(0x0303, 0xc02f, {{0xff01, {0x00}}})),
                            handshake_message(11, certificate_body({test_certificate()})), handshake_message(14, {})}));
}
Buffer change_cipher_spec() { return record(20, {1}); }

struct Fixture {
  RecordingSink sink;
  TlsSession session{sink};
  FlowContext ctx;
  void feed(Direction dir, const Buffer& bytes) { session.data(ctx, dir, bytes); }
  // Feeds `bytes` in chunks of `size` bytes.
  void feed_chunks(Direction dir, const Buffer& bytes, size_t size) {
    for (size_t at = 0; at < bytes.size(); at += size) {
      session.data(ctx, dir, Bytes(bytes).subspan(at, std::min(size, bytes.size() - at)));
    }
  }
  bool has_operation(std::string_view name) const {
    for (const auto& op : sink.operations) {
      if (op.name == name) return true;
    }
    return false;
  }
};

TEST(TlsSession, FullHandshake) {
  Fixture f;
  f.feed(kClient, client_flight());
  EXPECT_TRUE(f.sink.confirmations.empty());
  f.feed(kServer, server_flight());
  ASSERT_EQ(f.sink.confirmations.size(), 1u);
  EXPECT_TRUE(f.sink.anomalies.empty());

  EXPECT_TRUE(f.sink.has_observable(Observable::Domain, "example.com"));
  EXPECT_TRUE(f.sink.has_observable(Observable::Ja3, kChromeJa3Md5));
  EXPECT_TRUE(f.sink.has_observable(Observable::Ja4, kChromeJa4));
  // JA3S string "771,49199,65281".
  EXPECT_TRUE(f.sink.has_observable(Observable::Ja3s, md5_hex(Buffer{'7', '7', '1', ',', '4', '9', '1', '9', '9', ',',
                                                                     '6', '5', '2', '8', '1'}).data()));
  EXPECT_TRUE(f.sink.has_observable(Observable::CertSha1, kTestCertificateSha1));
  EXPECT_TRUE(f.sink.has_observable(Observable::CertSha256, kTestCertificateSha256));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Hostname, "plc01.example.com"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Description,
                                  "tls certificate subject plc01.example.com issuer plc01.example.com "
                                  "valid until 2036-11-24 23:55:12 UTC"));

  ASSERT_EQ(f.sink.operations.size(), 3u);
  EXPECT_EQ(f.sink.operations[0].name, "ClientHello");
  EXPECT_EQ(f.sink.operations[0].object, "example.com");
  EXPECT_EQ(f.sink.operations[0].from, Side::Client);
  EXPECT_EQ(f.sink.operations[1].name, "ServerHello");
  EXPECT_EQ(f.sink.operations[1].object, "TLS 1.2 cipher 0xc02f");
  EXPECT_EQ(f.sink.operations[2].name, "Certificate");
  EXPECT_EQ(f.sink.operations[2].object, "plc01.example.com");
  for (const auto& o : f.sink.observables) {
    bool client_side = o.kind == Observable::Domain || o.kind == Observable::Ja3 || o.kind == Observable::Ja4;
    EXPECT_EQ(o.side, client_side ? Side::Client : Side::Server);
  }
}

TEST(TlsSession, StopsAfterChangeCipherSpec) {
  Fixture f;
  f.feed(kClient, concat({client_flight()}));
  f.feed(kServer, server_flight());
  f.feed(kClient, concat({record(22, handshake_message(16, Buffer(66, 4))), change_cipher_spec(), record(22, Buffer(40, 0x99))}));
  EXPECT_TRUE(f.session.encrypted(kClient));
  // Anything afterwards, however malformed, is not looked at.
  f.feed(kClient, Buffer(5000, 0xee));
  f.feed(kServer, concat({change_cipher_spec(), record(22, Buffer(40, 0x77))}));
  f.feed(kServer, record(23, Buffer(100, 0x55)));
  EXPECT_TRUE(f.session.encrypted(kServer));
  EXPECT_TRUE(f.sink.anomalies.empty());
  EXPECT_FALSE(f.session.rejected());
  EXPECT_EQ(f.session.buffered_handshake(kClient), 0u);
}

TEST(TlsSession, Tls13StopsAtApplicationData) {
  Fixture f;
  f.feed(kClient, client_flight());
  f.feed(kServer, concat({record(22, handshake_message(2, server_hello_body(0x0303, 0x1301, {{0x002b, {0x03, 0x04}}}))),
                          change_cipher_spec(), record(23, Buffer(300, 0x42))}));
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
  EXPECT_EQ(f.sink.operations.back().object, "TLS 1.3 cipher 0x1301");
  EXPECT_TRUE(f.session.encrypted(kServer));
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(TlsSession, ByteByByteAndCoalescedGiveTheSameEvents) {
  Fixture whole;
  whole.feed(kClient, client_flight());
  whole.feed(kServer, server_flight());
  for (size_t size : {1u, 2u, 3u, 7u, 100u}) {
    Fixture split;
    split.feed_chunks(kClient, client_flight(), size);
    split.feed_chunks(kServer, server_flight(), size);
    EXPECT_EQ(split.sink.observables.size(), whole.sink.observables.size()) << size;
    EXPECT_EQ(split.sink.operations.size(), whole.sink.operations.size()) << size;
    EXPECT_EQ(split.sink.identities.size(), whole.sink.identities.size()) << size;
    EXPECT_EQ(split.sink.confirmations.size(), 1u) << size;
    EXPECT_TRUE(split.sink.anomalies.empty()) << size;
  }
}

TEST(TlsSession, HandshakeMessageAcrossRecords) {
  // One Certificate message fragmented over three records.
  Buffer message = handshake_message(11, certificate_body({test_certificate()}));
  Bytes m(message);
  Fixture f;
  f.feed(kClient, client_flight());
  f.feed(kServer, record(22, handshake_message(2, server_hello_body(0x0303, 0x002f, {}))));
  f.feed(kServer, concat({record(22, Buffer(m.begin(), m.begin() + 3)), record(22, Buffer(m.begin() + 3, m.begin() + 200)),
                          record(22, Buffer(m.begin() + 200, m.end()))}));
  EXPECT_TRUE(f.sink.has_observable(Observable::CertSha256, kTestCertificateSha256));
  EXPECT_TRUE(f.sink.anomalies.empty());
  EXPECT_EQ(f.session.buffered_handshake(kServer), 0u);
}

TEST(TlsSession, Alerts) {
  Fixture f;
  f.feed(kClient, client_flight());
  f.feed(kServer, record(21, {2, 40}));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  EXPECT_EQ(f.sink.operations[1].name, "Alert");
  EXPECT_EQ(f.sink.operations[1].object, "handshake_failure");
  EXPECT_TRUE(f.sink.operations[1].is_error);
  f.feed(kServer, record(21, {1, 0}));
  EXPECT_FALSE(f.sink.operations.back().is_error);
  EXPECT_EQ(f.sink.operations.back().object, "close_notify");
  f.feed(kServer, record(21, {7, 0}));
  EXPECT_TRUE(f.sink.has_anomaly("tls.malformed_alert"));
  f.feed(kServer, record(21, {2}));
  EXPECT_EQ(f.sink.count_anomaly("tls.malformed_alert"), 2u);
}

TEST(TlsSession, Anomalies) {
  {
    Fixture f;
    f.feed(kClient, record(22, handshake_message(1, Buffer{3, 3, 0})));
    EXPECT_TRUE(f.sink.has_anomaly("tls.malformed_client_hello"));
  }
  {
    Fixture f;
    f.feed(kClient, record(22, handshake_message(2, server_hello_body(0x0303, 0x002f, {}))));
    EXPECT_TRUE(f.sink.has_anomaly("tls.unexpected_handshake"));
  }
  {
    Fixture f;
    f.feed(kClient, record(22, {}));
    EXPECT_TRUE(f.sink.has_anomaly("tls.empty_record"));
  }
  {
    Fixture f;
    f.feed(kClient, Buffer{0x16, 0x09, 0x09, 0, 4, 1, 2, 3, 4});
    EXPECT_TRUE(f.sink.has_anomaly("tls.bad_record_header"));
  }
  {
    Fixture f;
    f.feed(kClient, record(20, {1, 1}));
    EXPECT_TRUE(f.sink.has_anomaly("tls.malformed_change_cipher_spec"));
  }
  {
    Fixture f;
    f.feed(kServer, record(22, handshake_message(2, Buffer{3, 3, 1})));
    EXPECT_TRUE(f.sink.has_anomaly("tls.malformed_server_hello"));
  }
  {
    // A 70 KiB Certificate: reported, skipped without buffering, and the next message still parses.
    Fixture f;
    Buffer big = handshake_message(11, Buffer(70000, 0));
    Buffer after = handshake_message(14, {});
    Buffer stream = concat({big, after});
    Buffer records;
    for (size_t at = 0; at < stream.size(); at += 16000) {
      append(records, record(22, Buffer(stream.begin() + static_cast<std::ptrdiff_t>(at),
                                        stream.begin() + static_cast<std::ptrdiff_t>(std::min(stream.size(), at + 16000)))));
    }
    f.feed(kServer, record(22, handshake_message(2, server_hello_body(0x0303, 0x002f, {}))));
    f.feed_chunks(kServer, records, 1000);
    EXPECT_EQ(f.sink.count_anomaly("tls.handshake_too_large"), 1u);
    EXPECT_EQ(f.session.buffered_handshake(kServer), 0u);
    EXPECT_EQ(f.sink.anomalies.size(), 1u);
  }
  {
    Fixture f;
    Buffer hello = client_flight();
    f.feed(kClient, Buffer(hello.begin(), hello.end() - 3));
    f.session.end(f.ctx, kClient);
    EXPECT_TRUE(f.sink.has_anomaly("tls.truncated_record"));
  }
  {
    Fixture f;
    f.feed(kClient, record(22, handshake_message(1, chrome_client_hello_body("bad name!"))));
    EXPECT_TRUE(f.sink.has_anomaly("tls.bad_server_name"));
    EXPECT_FALSE(f.sink.has_observable(Observable::Domain, "bad name!"));
  }
}

TEST(TlsSession, EveryPrefixIsSafe) {
  Buffer client = client_flight(), server = server_flight();
  for (size_t n = 0; n <= server.size(); ++n) {
    Fixture f;
    f.feed(kClient, Buffer(client.begin(), client.begin() + static_cast<std::ptrdiff_t>(std::min(n, client.size()))));
    f.feed(kServer, Buffer(server.begin(), server.begin() + static_cast<std::ptrdiff_t>(n)));
    f.session.end(f.ctx, kClient);
    f.session.end(f.ctx, kServer);
    for (const auto& a : f.sink.anomalies) EXPECT_EQ(a, "tls.truncated_record") << n;
  }
}

TEST(TlsSession, GapInsideARecordIsSkippedExactly) {
  Fixture f;
  Buffer server = server_flight();
  f.feed(kClient, client_flight());
  f.feed(kServer, Buffer(server.begin(), server.begin() + 100));
  f.session.gap(f.ctx, kServer, 50);
  f.feed(kServer, Buffer(server.begin() + 150, server.end()));
  f.feed(kServer, record(21, {2, 42}));  // framing kept: this alert is read
  EXPECT_EQ(f.sink.operations.back().object, "bad_certificate");
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(TlsSession, ResynchronisesAfterAGapBetweenRecords) {
  Fixture f;
  f.feed(kClient, client_flight());
  f.session.gap(f.ctx, kServer, 100000);
  // Mid-record garbage, then a record header is found again.
  f.feed(kServer, concat({Buffer(37, 0xfe), record(21, {2, 48})}));
  EXPECT_EQ(f.sink.operations.back().object, "unknown_ca");
  EXPECT_FALSE(f.session.rejected());
}

TEST(TlsSession, RejectsGarbage) {
  Fixture f;
  for (int i = 0; i < 20 && !f.session.rejected(); ++i) f.feed(kClient, record(22, handshake_message(1, Buffer{1})));
  EXPECT_TRUE(f.session.rejected());
  size_t events = f.sink.anomalies.size();
  f.feed(kClient, client_flight());
  EXPECT_EQ(f.sink.anomalies.size(), events);
}

TEST(TlsSession, ConfirmsOneSidedClient) {
  Fixture f;
  f.feed(kClient, concat({client_flight(), record(22, handshake_message(16, Buffer(33, 1))), change_cipher_spec()}));
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
}

TEST(TlsSession, Descriptor) {
  EXPECT_EQ(kDissector_tls.name, "tls");
  RecordingSink sink;
  auto session = kDissector_tls.make_session(sink);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(kDissector_tls.probe(kClient, client_flight()), ProbeResult::Match);
  for (uint16_t port : kDissector_tls.ports) EXPECT_NE(port, 4840);  // OPC UA is not ours
}

}  // namespace
}  // namespace ots::tls
