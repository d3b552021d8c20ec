#include <gtest/gtest.h>

#include <string>

#include "dissectors/http/http.h"
#include "dissectors/http/http_parser.h"
#include "dissectors/http/http_session.h"
#include "tests/support/recording_sink.h"

namespace ots::http {
namespace {

using test_support::RecordingSink;
constexpr Direction kClient = Direction::FromClient, kServer = Direction::FromServer;

Bytes bytes_of(std::string_view text) { return {reinterpret_cast<const uint8_t*>(text.data()), text.size()}; }

// md5sum / sha1sum / sha256sum of "hello world".
constexpr std::string_view kHelloMd5 = "5eb63bbbe01eeed093cb22bb8f5acdc3";
constexpr std::string_view kHelloSha1 = "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed";
constexpr std::string_view kHelloSha256 = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
// md5sum of "Wikipedia in\r\n\r\nchunks." (the chunked example of Wikipedia).
constexpr std::string_view kChunkedMd5 = "25b83662323c397c9944a8a7b3fef7ab";

constexpr std::string_view kGet =
    "GET /status?x=1 HTTP/1.1\r\nHost: PLC01.Example.com:8080\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n";
constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nServer: Apache/2.4.3 (Fedora)\r\nContent-Length: 11\r\n\r\nhello world";

struct Fixture {
  RecordingSink sink;
  HttpSession session{sink};
  FlowContext ctx;
  void feed(Direction dir, std::string_view text) { session.data(ctx, dir, bytes_of(text)); }
  void feed_chunks(Direction dir, std::string_view text, size_t size) {
    for (size_t at = 0; at < text.size(); at += size) feed(dir, text.substr(at, size));
  }
};

TEST(HttpParser, Lines) {
  RequestLine request;
  ASSERT_TRUE(parse_request_line("POST /api/v1 HTTP/1.0", request));
  EXPECT_EQ(request.method->name, "POST");
  EXPECT_TRUE(request.method->is_write);
  EXPECT_EQ(request.target, "/api/v1");
  EXPECT_EQ(request.minor_version, 0);
  EXPECT_FALSE(parse_request_line("FETCH / HTTP/1.1", request));
  EXPECT_FALSE(parse_request_line("GET / HTTP/2.0", request));
  EXPECT_FALSE(parse_request_line("GET  HTTP/1.1", request));
  EXPECT_FALSE(parse_request_line("GET /", request));
  StatusLine status;
  ASSERT_TRUE(parse_status_line("HTTP/1.1 404 Not Found", status));
  EXPECT_EQ(status.status, 404);
  EXPECT_EQ(status.reason, "Not Found");
  EXPECT_TRUE(parse_status_line("HTTP/1.1 204", status));
  EXPECT_FALSE(parse_status_line("HTTP/1.1 20x OK", status));
  EXPECT_FALSE(parse_status_line("HTTP/1.1 099 x", status));
  std::string_view name, value;
  ASSERT_TRUE(parse_header("Content-Length:  42 ", name, value));
  EXPECT_EQ(name, "Content-Length");
  EXPECT_EQ(value, "42");
  EXPECT_FALSE(parse_header("Bad Header: x", name, value));
  EXPECT_FALSE(parse_header(": x", name, value));
  uint64_t n = 0;
  EXPECT_TRUE(parse_content_length("0", n));
  EXPECT_FALSE(parse_content_length("-1", n));
  EXPECT_FALSE(parse_content_length("1 2", n));
  EXPECT_FALSE(parse_content_length("99999999999999999", n));
  EXPECT_TRUE(parse_chunk_size("1A;name=value", n));
  EXPECT_EQ(n, 26u);
  EXPECT_FALSE(parse_chunk_size("xyz", n));
  EXPECT_FALSE(parse_chunk_size("fffffffffffffffff", n));
  EXPECT_TRUE(is_chunked("gzip, Chunked"));
  EXPECT_FALSE(is_chunked("chunked, gzip"));
  EXPECT_EQ(host_without_port("example.com:80"), "example.com");
  EXPECT_EQ(host_without_port("[::1]:80"), "[::1]");
  EXPECT_TRUE(is_domain_name("bro.org"));
  EXPECT_FALSE(is_domain_name("10.0.0.1"));
  EXPECT_FALSE(is_domain_name("[::1]"));
  EXPECT_EQ(status_name(503), "Service Unavailable");
}

TEST(HttpParser, Probe) {
  EXPECT_EQ(probe(kClient, bytes_of("GET / HTTP/1.1\r\n")), ProbeResult::Match);
  EXPECT_EQ(probe(kClient, bytes_of("GE")), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(kClient, bytes_of("GET /index.html HTT")), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(kClient, bytes_of("GETX / HTTP/1.1\r\n")), ProbeResult::NoMatch);
  EXPECT_EQ(probe(kClient, bytes_of("SSH-2.0-OpenSSH\r\n")), ProbeResult::NoMatch);
  EXPECT_EQ(probe(kClient, bytes_of("GET / RTSP/1.0\r\n")), ProbeResult::NoMatch);
  EXPECT_EQ(probe(kServer, bytes_of("HTTP/1.0 200 OK\r\n")), ProbeResult::Match);
  EXPECT_EQ(probe(kServer, bytes_of("HTTP/1")), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(kServer, bytes_of("RTSP/1.0 200 OK\r\n")), ProbeResult::NoMatch);
  std::string long_line = "GET /" + std::string(5000, 'a');
  EXPECT_EQ(probe(kClient, bytes_of(long_line)), ProbeResult::NoMatch);
}

TEST(HttpSession, RequestAndResponse) {
  Fixture f;
  f.feed(kClient, kGet);
  f.feed(kServer, kResponse);
  ASSERT_EQ(f.sink.confirmations.size(), 1u);
  EXPECT_TRUE(f.sink.anomalies.empty());
  ASSERT_EQ(f.sink.operations.size(), 2u);
  const auto& request = f.sink.operations[0];
  EXPECT_EQ(request.name, "GET");
  EXPECT_EQ(request.code, 1u);
  EXPECT_EQ(request.object, "/status?x=1");
  EXPECT_FALSE(request.is_write);
  const auto& response = f.sink.operations[1];
  EXPECT_EQ(response.code, 200u);
  EXPECT_EQ(response.name, "OK");
  EXPECT_EQ(response.object, "GET");
  EXPECT_FALSE(response.is_error);
  EXPECT_TRUE(f.sink.has_observable(Observable::Domain, "plc01.example.com"));
  EXPECT_TRUE(f.sink.has_observable(Observable::Url, "http://plc01.example.com:8080/status?x=1"));
  EXPECT_TRUE(f.sink.has_identity(Side::Client, IdentityField::Software, "curl/8.0"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Software, "Apache/2.4.3 (Fedora)"));
  EXPECT_TRUE(f.sink.has_observable(Observable::FileMd5, kHelloMd5));
  EXPECT_TRUE(f.sink.has_observable(Observable::FileSha1, kHelloSha1));
  EXPECT_TRUE(f.sink.has_observable(Observable::FileSha256, kHelloSha256));
}

TEST(HttpSession, PipeliningSplitAndCoalesced) {
  std::string requests = std::string(kGet) + "HEAD /x HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n" +
                         "POST /upload HTTP/1.1\r\nHost: 10.0.0.1\r\nContent-Length: 11\r\n\r\nhello world";
  std::string responses = std::string(kResponse) + "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" +
                          "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
  for (size_t size : {1u, 3u, 17u, 4096u}) {
    Fixture f;
    f.feed_chunks(kClient, requests, size);
    f.feed_chunks(kServer, responses, size);
    EXPECT_TRUE(f.sink.anomalies.empty()) << size;
    ASSERT_EQ(f.sink.operations.size(), 6u) << size;
    EXPECT_EQ(f.sink.operations[2].name, "POST");
    EXPECT_TRUE(f.sink.operations[2].is_write);
    EXPECT_EQ(f.sink.operations[4].object, "HEAD");  // its 5000-byte length is no body
    EXPECT_EQ(f.sink.operations[5].code, 500u);
    EXPECT_TRUE(f.sink.operations[5].is_error);
    EXPECT_TRUE(f.sink.operations[5].is_write);
    EXPECT_EQ(f.session.pending_requests(), 0u);
    // IP literal hosts give a URL but no domain.
    EXPECT_TRUE(f.sink.has_observable(Observable::Url, "http://10.0.0.1/upload"));
    EXPECT_FALSE(f.sink.has_observable(Observable::Domain, "10.0.0.1"));
    size_t md5s = 0;
    for (const auto& o : f.sink.observables) md5s += o.kind == Observable::FileMd5 && o.value == kHelloMd5;
    EXPECT_EQ(md5s, 2u);  // the upload (client) and the first response (server)
  }
}

TEST(HttpSession, ChunkedBodyIsHashedAcrossChunks) {
  std::string response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6\r\npedia \r\nD\r\nin\r\n\r\nchunks.\r\n"
      "0\r\nX-Trailer: 1\r\n\r\n";
  for (size_t size : {1u, 5u, 1000u}) {
    Fixture f;
    f.feed(kClient, "GET /wiki HTTP/1.1\r\nHost: w\r\n\r\n");
    f.feed_chunks(kServer, response, size);
    EXPECT_TRUE(f.sink.anomalies.empty());
    EXPECT_TRUE(f.sink.has_observable(Observable::FileMd5, kChunkedMd5)) << size;
  }
}

TEST(HttpSession, BodyUntilClose) {
  Fixture f;
  f.feed(kClient, "GET / HTTP/1.0\r\n\r\n");
  f.feed(kServer, "HTTP/1.0 200 OK\r\n\r\nhello ");
  f.feed(kServer, "world");
  EXPECT_FALSE(f.sink.has_observable(Observable::FileMd5, kHelloMd5));
  f.session.end(f.ctx, kServer);
  EXPECT_TRUE(f.sink.has_observable(Observable::FileMd5, kHelloMd5));
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(HttpSession, UpgradeAndConnectBecomeTunnels) {
  Fixture f;
  f.feed(kClient, "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n");
  f.feed(kServer, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello");
  EXPECT_TRUE(f.session.tunnel());
  f.feed(kClient, std::string(100, '\xff'));
  EXPECT_TRUE(f.sink.anomalies.empty());

  Fixture proxy;
  proxy.feed(kClient, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01");
  proxy.feed(kServer, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03");
  EXPECT_TRUE(proxy.session.tunnel());
  EXPECT_TRUE(proxy.sink.anomalies.empty());
  for (const auto& o : proxy.sink.observables) EXPECT_NE(o.kind, Observable::Url);  // authority form
}

TEST(HttpSession, Anomalies) {
  auto anomalies_of = [](std::string_view client, std::string_view server = {}) {
    Fixture f;
    f.feed(kClient, client);
    if (!server.empty()) f.feed(kServer, server);
    f.session.end(f.ctx, kClient);
    f.session.end(f.ctx, kServer);
    return f.sink.anomalies;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(anomalies_of("BREW /pot HTTP/1.1\r\n\r\n"), V{"http.bad_request_line"});
  EXPECT_EQ(anomalies_of("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 2 OK\r\n\r\n"), V{"http.bad_status_line"});
  EXPECT_EQ(anomalies_of("GET / HTTP/1.1\r\nBad Header\r\n\r\n"), V{"http.bad_header"});
  EXPECT_EQ(anomalies_of("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"), V{"http.bad_content_length"});
  EXPECT_EQ(anomalies_of("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            V{"http.bad_content_length"});
  EXPECT_EQ(anomalies_of("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            V{"http.content_length_with_chunked"});
  EXPECT_EQ(anomalies_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), V{"http.bad_chunk"});
  EXPECT_EQ(anomalies_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"), V{"http.bad_chunk"});
  EXPECT_EQ(anomalies_of("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"), V{"http.truncated_message"});
  EXPECT_EQ(anomalies_of("GET / HTTP/1.1\r\nHost: x"), V{"http.truncated_message"});
  std::string huge = "GET / HTTP/1.1\r\nX-Big: " + std::string(kMaxLineLength + 10, 'a') + "\r\n\r\n";
  EXPECT_EQ(anomalies_of(huge), V{"http.header_too_large"});
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 3000; ++i) many += "X-Header: 123456789012345678901234567890\r\n";
  EXPECT_EQ(anomalies_of(many + "\r\n"), V{"http.header_too_large"});
  std::string pipeline;
  for (size_t i = 0; i <= kMaxPendingRequests; ++i) pipeline += "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(anomalies_of(pipeline), V{"http.too_many_pending_requests"});
}

TEST(HttpSession, EveryPrefixIsSafe) {
  std::string client = std::string(kGet) + "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  std::string server = std::string(kResponse) + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  for (size_t n = 0; n <= server.size(); ++n) {
    Fixture f;
    f.feed(kClient, std::string_view(client).substr(0, n));
    f.feed(kServer, std::string_view(server).substr(0, n));
    f.session.end(f.ctx, kClient);
    f.session.end(f.ctx, kServer);
    for (const auto& a : f.sink.anomalies) EXPECT_EQ(a, "http.truncated_message") << n;
  }
}

TEST(HttpSession, GapInBodyAndResync) {
  Fixture f;
  f.feed(kClient, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  f.feed(kServer, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhel");
  f.session.gap(f.ctx, kServer, 4);
  f.feed(kServer, "orld");  // body complete but not hashed
  EXPECT_FALSE(f.sink.has_observable(Observable::FileMd5, kHelloMd5));
  f.feed(kServer, kResponse);
  EXPECT_TRUE(f.sink.has_observable(Observable::FileMd5, kHelloMd5));
  // A gap in the headers: hunt for the next start line.
  f.feed(kClient, "GET /c HTTP/1.1\r\nHo");
  f.session.gap(f.ctx, kClient, 100);
  f.feed(kClient, "st: h\r\nAccept: x\r\n\r\nGET /d HTTP/1.1\r\n\r\n");
  EXPECT_EQ(f.sink.operations.back().object, "/d");
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(HttpSession, RejectsGarbage) {
  Fixture f;
  for (int i = 0; i < 10000 && !f.session.rejected(); ++i) f.feed(kClient, std::string(100, 'z') + "\n");
  EXPECT_TRUE(f.session.rejected());
}

TEST(HttpSession, OneSidedConfirmation) {
  Fixture f;
  f.feed(kClient, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(f.sink.confirmations.empty());
  f.feed(kClient, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
}

TEST(HttpSession, Descriptor) {
  EXPECT_EQ(kDissector_http.name, "http");
  RecordingSink sink;
  EXPECT_NE(kDissector_http.make_session(sink), nullptr);
  EXPECT_EQ(kDissector_http.probe(kClient, bytes_of(kGet)), ProbeResult::Match);
}

}  // namespace
}  // namespace ots::http
