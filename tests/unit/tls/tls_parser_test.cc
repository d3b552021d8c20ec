#include <gtest/gtest.h>

#include "dissectors/tls/tls_fingerprint.h"
#include "dissectors/tls/tls_parser.h"
#include "tests/unit/tls/tls_builder.h"

namespace ots::tls {
namespace {

using namespace tls_test;

TEST(TlsParser, RecordHeader) {
  RecordHeader header;
  EXPECT_TRUE(parse_record_header(Buffer{22, 3, 1, 0x00, 0x10}, header));
  EXPECT_EQ(header.type, 22);
  EXPECT_EQ(header.version, 0x0301);
  EXPECT_EQ(header.length, 16);
  EXPECT_FALSE(parse_record_header(Buffer{25, 3, 3, 0, 1}, header));     // unknown content type
  EXPECT_FALSE(parse_record_header(Buffer{22, 2, 0, 0, 1}, header));     // SSL 2 version
  EXPECT_FALSE(parse_record_header(Buffer{23, 3, 3, 0x48, 0x01}, header));  // over 2^14 + 2048
  EXPECT_FALSE(parse_record_header(Buffer{22, 3, 3, 0}, header));        // short
}

TEST(TlsParser, Probe) {
  Buffer hello = record(22, handshake_message(1, chrome_client_hello_body()), 0x0301);
  EXPECT_EQ(probe(Direction::FromClient, hello), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromServer, hello), ProbeResult::NoMatch);  // a ClientHello from the server
  Buffer server = record(22, handshake_message(2, server_hello_body(0x0303, 0x002f, {})));
  EXPECT_EQ(probe(Direction::FromServer, server), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, Bytes(hello).first(3)), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Direction::FromClient, Buffer{'G', 'E', 'T', ' ', '/', ' '}), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, Buffer{22, 2}), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, record(23, Buffer(8, 1))), ProbeResult::NoMatch);  // application data
}

TEST(TlsParser, ClientHelloFields) {
  Buffer body = chrome_client_hello_body();
  ClientHello hello;
  ASSERT_EQ(parse_client_hello(body, hello), Anomaly::None);
  EXPECT_EQ(hello.legacy_version, 0x0303);
  EXPECT_EQ(hello.server_name, "Example.COM");
  EXPECT_TRUE(hello.has_server_name);
  EXPECT_EQ(as_chars(hello.first_alpn), "h2");
  EXPECT_EQ(hello.cipher_suites.size(), 32u);
  EXPECT_EQ(hello.supported_versions.size(), 6u);
}

TEST(TlsParser, Ja3RemovesGrease) {
  Buffer body = chrome_client_hello_body();  // the hello keeps views into it
  ClientHello hello;
  ASSERT_EQ(parse_client_hello(body, hello), Anomaly::None);
  std::string ja3;
  ja3_string(hello, ja3);
  EXPECT_EQ(ja3, kChromeJa3);
  EXPECT_EQ(std::string_view(md5_hex({reinterpret_cast<const uint8_t*>(ja3.data()), ja3.size()}).data()),
            kChromeJa3Md5);
}

TEST(TlsParser, Ja4MatchesTheFoxIoExample) {
  Buffer body = chrome_client_hello_body();  // the hello keeps views into it
  ClientHello hello;
  ASSERT_EQ(parse_client_hello(body, hello), Anomaly::None);
  Ja4Scratch scratch;
  std::string fingerprint;
  ja4(hello, scratch, fingerprint);
  EXPECT_EQ(fingerprint, kChromeJa4);
}

TEST(TlsParser, Ja4EdgeCases) {
  // No SNI, no ALPN, no signature algorithms, TLS 1.0: "t10i0101" + hashes.
  Buffer body = client_hello_body(0x0301, {0x002f}, {{0x000b, {0x01, 0x00}}});
  ClientHello hello;
  ASSERT_EQ(parse_client_hello(body, hello), Anomaly::None);
  Ja4Scratch scratch;
  std::string fingerprint;
  ja4(hello, scratch, fingerprint);
  // sha256("002f")[:12] and sha256("000b")[:12], no trailing "_" list.
  EXPECT_EQ(fingerprint, "t10i0101" "00_" + std::string(sha256_hex(Buffer{'0', '0', '2', 'f'}).data(), 12) + "_" +
                             std::string(sha256_hex(Buffer{'0', '0', '0', 'b'}).data(), 12));
  // Only SNI and ALPN: the extension hash is all zeros; a non-alphanumeric ALPN prints hex.
  body = client_hello_body(0x0303, {0x1301}, {sni("a.b"), alpn({"\xab\xcd"})});
  ASSERT_EQ(parse_client_hello(body, hello), Anomaly::None);
  ja4(hello, scratch, fingerprint);
  EXPECT_EQ(fingerprint.substr(0, 10), "t12d0102ad");
  EXPECT_EQ(fingerprint.substr(fingerprint.size() - 12), "000000000000");
  // No extensions at all.
  body = client_hello_body(0x0300, {0x000a}, {}, false);
  ASSERT_EQ(parse_client_hello(body, hello), Anomaly::None);
  ja4(hello, scratch, fingerprint);
  EXPECT_EQ(fingerprint.substr(0, 11), "ts3i010000_");
}

TEST(TlsParser, MalformedClientHellos) {
  ClientHello hello;
  Buffer good = chrome_client_hello_body();
  for (size_t n = 0; n < good.size(); ++n) {
    Buffer cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    // Every strict prefix is malformed except the one that ends right before the extensions.
    Anomaly anomaly = parse_client_hello(cut, hello);
    if (n != 2 + 32 + 1 + 2 + 32 + 2) {
      EXPECT_EQ(anomaly, Anomaly::MalformedClientHello) << n;
    }
  }
  EXPECT_EQ(parse_client_hello(client_hello_body(0x0303, {}, {}), hello), Anomaly::MalformedClientHello);
  Buffer odd = client_hello_body(0x0303, {0x002f}, {{0x000d, {0x00, 0x01, 0x04}}});  // odd sig-alg list
  EXPECT_EQ(parse_client_hello(odd, hello), Anomaly::MalformedClientHello);
}

TEST(TlsParser, ServerHelloSelectedVersion) {
  Buffer body = server_hello_body(0x0303, 0x1301, {{0x002b, {0x03, 0x04}}});
  ServerHello hello;
  ASSERT_EQ(parse_server_hello(body, hello), Anomaly::None);
  EXPECT_EQ(hello.selected_version, 0x0304);
  EXPECT_EQ(hello.cipher_suite, 0x1301);
  std::string ja3s;
  ja3s_string(hello, ja3s);
  EXPECT_EQ(ja3s, "771,4865,43");
  EXPECT_EQ(parse_server_hello(Buffer{3, 3, 1}, hello), Anomaly::MalformedServerHello);
}

TEST(TlsParser, CertificateSummary) {
  Buffer der = test_certificate();  // the summary keeps views into it
  CertificateSummary summary;
  ASSERT_TRUE(parse_certificate(der, summary));
  EXPECT_EQ(summary.subject_cn, "plc01.example.com");
  EXPECT_EQ(summary.subject_org, "Acme Automation");
  EXPECT_EQ(summary.issuer_cn, "plc01.example.com");
  EXPECT_EQ(summary.not_after_text(), "2036-11-24 23:55:12 UTC");
  EXPECT_EQ(std::string_view(sha1_hex(test_certificate()).data()), kTestCertificateSha1);
  EXPECT_EQ(std::string_view(sha256_hex(test_certificate()).data()), kTestCertificateSha256);
  // Every truncation fails cleanly.
  for (size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(parse_certificate(Bytes(der).first(n), summary)) << n;
  }
}

TEST(TlsParser, CertificateList) {
  Buffer der = test_certificate();
  CertificateList list;
  Buffer body = certificate_body({der, Buffer{0x30, 0x00}});  // the list keeps views into it
  ASSERT_TRUE(list.parse(body));
  Bytes item;
  ASSERT_TRUE(list.next(item));
  EXPECT_EQ(item.size(), der.size());
  ASSERT_TRUE(list.next(item));
  EXPECT_EQ(item.size(), 2u);
  EXPECT_FALSE(list.next(item));
  Buffer bad = certificate_body({der});
  bad[2] ^= 1;  // list length off by one
  EXPECT_FALSE(list.parse(bad));
}

TEST(TlsParser, Names) {
  EXPECT_TRUE(looks_like_hostname("plc01.example.com"));
  EXPECT_FALSE(looks_like_hostname("*.taleo.net"));
  EXPECT_FALSE(looks_like_hostname("192.168.0.1"));
  EXPECT_FALSE(looks_like_hostname("a..b"));
  EXPECT_FALSE(looks_like_hostname("Acme Root CA"));
  EXPECT_EQ(alert_description_name(40), "handshake_failure");
  EXPECT_EQ(alert_description_name(255), "unknown");
  EXPECT_EQ(version_name(0x0304), "TLS 1.3");
  EXPECT_TRUE(is_grease(0x0a0a));
  EXPECT_TRUE(is_grease(0xfafa));
  EXPECT_FALSE(is_grease(0x0a1a));
}

}  // namespace
}  // namespace ots::tls
