// CEF / syslog formatting, and delivery to real receivers on 127.0.0.1: a UDP socket, a TCP
// socket reading RFC 6587 octet-counted frames, a TLS server with a certificate generated here.
#include <arpa/inet.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "detect/export/cef.h"
#include "detect/export/forwarder.h"
#include "detect/export/json_lines.h"

namespace ots::detect {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000'000;

Alert sample() {
  Alert a;
  a.id = 42;
  a.engine = EngineKind::Malware;
  a.severity = Severity::Critical;
  a.definition_id = "OTS-BHV-TRITON";
  a.title = "TRITON | safety";
  a.message = "a=b\\c\nnext";
  a.source_ip = *IpAddr::parse("10.0.0.99");
  a.destination_ip = *IpAddr::parse("10.0.0.24");
  a.source_mac = *MacAddr::parse("02:00:00:00:00:99");
  a.protocol = "tristation";
  a.attack_techniques = {"T0843", "T0821"};
  a.group = "Suspicion of Malicious Activity";
  a.first_seen_ns = kT0;
  a.last_seen_ns = kT0 + 1'500'000'000;
  a.count = 3;
  return a;
}

TEST(Cef, HeaderExtensionsAndEscaping) {
  EXPECT_EQ(cef_escape_header("a|b\\c"), "a\\|b\\\\c");
  EXPECT_EQ(cef_escape_extension("k=v\\x\r\ny|z"), "k\\=v\\\\x\\r\\ny|z");
  const std::string cef = format_cef(sample(), "0.1.0");
  EXPECT_EQ(cef.rfind("CEF:0|otsensor|otsensor|0.1.0|OTS-BHV-TRITON|TRITON \\| safety|10|", 0), 0u) << cef;
  for (const char* part : {"rt=1700000001500", "start=1700000000000", "msg=a\\=b\\\\c\\nnext", "src=10.0.0.99",
                           "dst=10.0.0.24", "smac=02:00:00:00:00:99", "app=tristation", "cnt=3",
                           "cs1Label=engine cs1=malware", "cs2Label=attackTechniques cs2=T0843,T0821",
                           "cs3Label=state cs3=new", "cn1Label=alertId cn1=42", "cat=Suspicion of Malicious Activity"}) {
    EXPECT_NE(cef.find(part), std::string::npos) << part << " in " << cef;
  }
  EXPECT_EQ(cef.find("dmac="), std::string::npos);  // absent values are left out
  EXPECT_EQ(cef_severity(Severity::Warning), 1);
  EXPECT_EQ(cef_severity(Severity::Minor), 4);
  EXPECT_EQ(cef_severity(Severity::Major), 8);
}

TEST(Syslog, Rfc5424Header) {
  const std::string line = syslog_5424("CEF:0|x", Severity::Critical, kT0 + 123'456'789, "sensor 1");
  EXPECT_EQ(line, "<162>1 2023-11-14T22:13:20.123456Z sensor_1 otsensor - alert - CEF:0|x");
  EXPECT_EQ(syslog_5424("m", Severity::Warning, kT0, "").substr(0, 5), "<165>");
}

TEST(JsonLines, OneObjectPerAlert) {
  auto j = nlohmann::json::parse(alert_json_line(sample()));
  EXPECT_EQ(j["definitionId"], "OTS-BHV-TRITON");
  EXPECT_EQ(j["severity"], "Critical");
  EXPECT_EQ(j["destinationMac"], nullptr);
  EXPECT_EQ(j["lastSeen"], "2023-11-14T22:13:21.500000000Z");
  Alert bad = sample();
  bad.message = std::string("\xff\xfe", 2);  // packet-derived text that is not UTF-8
  EXPECT_NO_THROW(alert_json_line(bad));
}

// A bound listening socket on 127.0.0.1 with an ephemeral port.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  explicit Listener(int type) {
    fd = ::socket(AF_INET, type, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    if (type == SOCK_STREAM) {
      EXPECT_EQ(::listen(fd, 4), 0);
    }
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Listener() { ::close(fd); }
};

std::string read_exact(int fd, size_t n, SSL* ssl = nullptr) {
  std::string out(n, '\0');
  size_t done = 0;
  while (done < n) {
    long r = ssl ? SSL_read(ssl, out.data() + done, static_cast<int>(n - done)) : ::recv(fd, out.data() + done, n - done, 0);
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  out.resize(done);
  return out;
}

// RFC 6587 octet counting: "<length> <message>".
std::string read_frame(int fd, SSL* ssl = nullptr) {
  std::string length;
  for (;;) {
    std::string c = read_exact(fd, 1, ssl);
    if (c.empty() || c == " ") break;
    length += c;
  }
  return length.empty() ? std::string() : read_exact(fd, std::stoul(length), ssl);
}

TEST(Forwarder, SyslogCefOverUdp) {
  Listener udp(SOCK_DGRAM);
  ForwarderConfig config;
  config.transport = ForwarderConfig::Transport::Udp;
  config.port = udp.port;
  auto forwarder = AlertForwarder::create(config);
  ASSERT_TRUE(forwarder->send(sample()));
  char buffer[4096];
  const long n = ::recv(udp.fd, buffer, sizeof buffer, 0);
  ASSERT_GT(n, 0);
  const std::string datagram(buffer, static_cast<size_t>(n));
  EXPECT_EQ(datagram, AlertForwarder::render(config, sample()));
  EXPECT_EQ(datagram.rfind("<162>1 ", 0), 0u);
  EXPECT_NE(datagram.find(" - CEF:0|otsensor|otsensor|"), std::string::npos);
}

TEST(Forwarder, SyslogCefOverTcpWithOctetCountingAndReconnect) {
  Listener tcp(SOCK_STREAM);
  ForwarderConfig config;
  config.transport = ForwarderConfig::Transport::Tcp;
  config.port = tcp.port;
  auto forwarder = AlertForwarder::create(config);
  std::vector<std::string> received;
  std::thread server([&] {
    for (int connection = 0; connection < 2; ++connection) {
      int client = ::accept(tcp.fd, nullptr, nullptr);
      if (client < 0) return;
      received.push_back(read_frame(client));
      ::close(client);  // the first connection is dropped after one message
    }
  });
  Alert second = sample();
  second.title = "second";
  ASSERT_TRUE(forwarder->send(sample()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // The receiver closed; the first write may still succeed into the socket buffer, so send until
  // the reconnect is visible.
  forwarder->send(second);
  forwarder->send(second);
  server.join();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0], AlertForwarder::render(config, sample()));
  EXPECT_NE(received.back().find("|second|"), std::string::npos);
  EXPECT_GE(forwarder->counters().connects, 2u);
}

TEST(Forwarder, FailureIsCountedNotThrown) {
  Listener tcp(SOCK_STREAM);
  const uint16_t port = tcp.port;
  ::close(tcp.fd);
  tcp.fd = ::socket(AF_INET, SOCK_STREAM, 0);  // nothing listens on `port` any more
  ForwarderConfig config;
  config.transport = ForwarderConfig::Transport::Tcp;
  config.port = port;
  auto forwarder = AlertForwarder::create(config);
  EXPECT_FALSE(forwarder->send(sample()));
  EXPECT_EQ(forwarder->counters().failed, 1u);
}

// A self-signed certificate for 127.0.0.1 / localhost, written as PEM files.
struct TestCertificate {
  std::filesystem::path dir;
  std::string cert_file, key_file;
  std::string sha256_hex;
  TestCertificate() {
    dir = std::filesystem::temp_directory_path() / ("ots_export_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    cert_file = (dir / "cert.pem").string();
    key_file = (dir / "key.pem").string();
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x, key, EVP_sha256());
    FILE* f = std::fopen(cert_file.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key_file.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_digest(x, EVP_sha256(), digest, &length);
    char hex[3];
    for (unsigned i = 0; i < length; ++i) {
      std::snprintf(hex, sizeof hex, "%02x", digest[i]);
      sha256_hex += hex;
    }
    X509_free(x);
    EVP_PKEY_free(key);
  }
  ~TestCertificate() { std::filesystem::remove_all(dir); }
};

// Accepts one TLS connection and reads one octet-counted frame.
std::string tls_receive_one(Listener& listener, const TestCertificate& cert) {
  // This server thread writes session tickets to clients that may have hung up already.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate_file(ctx, cert.cert_file.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_use_PrivateKey_file(ctx, cert.key_file.c_str(), SSL_FILETYPE_PEM);
  std::string frame;
  int client = ::accept(listener.fd, nullptr, nullptr);
  if (client >= 0) {
    timeval tv{5, 0};
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, client);
    if (SSL_accept(ssl) == 1) frame = read_frame(client, ssl);
    ERR_clear_error();
    SSL_free(ssl);
    ::close(client);
  }
  SSL_CTX_free(ctx);
  return frame;
}

TEST(Forwarder, SyslogCefOverTlsVerifiedByCaFile) {
  TestCertificate cert;
  Listener tcp(SOCK_STREAM);
  std::string frame;
  std::thread server([&] { frame = tls_receive_one(tcp, cert); });
  ForwarderConfig config;
  config.transport = ForwarderConfig::Transport::Tls;
  config.port = tcp.port;
  config.ca_file = cert.cert_file;
  auto forwarder = AlertForwarder::create(config);
  EXPECT_TRUE(forwarder->send(sample()));
  server.join();
  EXPECT_EQ(frame, AlertForwarder::render(config, sample()));
}

TEST(Forwarder, TlsWithPinnedCertificate) {
  TestCertificate cert;
  {
    Listener tcp(SOCK_STREAM);
    std::string frame;
    std::thread server([&] { frame = tls_receive_one(tcp, cert); });
    ForwarderConfig config;
    config.transport = ForwarderConfig::Transport::Tls;
    config.port = tcp.port;
    config.pinned_sha256 = cert.sha256_hex;
    EXPECT_TRUE(AlertForwarder::create(config)->send(sample()));
    server.join();
    EXPECT_FALSE(frame.empty());
  }
  {
    Listener tcp(SOCK_STREAM);
    std::thread server([&] {
      tls_receive_one(tcp, cert);
      tls_receive_one(tcp, cert);  // the forwarder retries once
    });
    ForwarderConfig config;
    config.transport = ForwarderConfig::Transport::Tls;
    config.port = tcp.port;
    config.pinned_sha256 = std::string(64, 'a');  // the wrong certificate: nothing is sent
    auto forwarder = AlertForwarder::create(config);
    EXPECT_FALSE(forwarder->send(sample()));
    server.join();
    EXPECT_EQ(forwarder->counters().failed, 1u);
  }
}

TEST(Forwarder, TlsConfigurationErrors) {
  ForwarderConfig config;
  config.transport = ForwarderConfig::Transport::Tls;
  EXPECT_THROW(AlertForwarder::create(config), std::invalid_argument);
  config.pinned_sha256 = "abc";
  EXPECT_THROW(AlertForwarder::create(config), std::invalid_argument);
  config.pinned_sha256.clear();
  config.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(AlertForwarder::create(config), std::invalid_argument);
}

TEST(Forwarder, JsonLinesToFileAndTcp) {
  const auto path = std::filesystem::temp_directory_path() / ("ots_export_" + std::to_string(::getpid()) + ".jsonl");
  {
    ForwarderConfig config;
    config.format = ForwarderConfig::Format::JsonLines;
    config.transport = ForwarderConfig::Transport::File;
    config.path = path.string();
    auto forwarder = AlertForwarder::create(config);
    ASSERT_TRUE(forwarder->send(sample()));
    ASSERT_TRUE(forwarder->send(sample()));
  }
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(nlohmann::json::parse(line)["id"], 42);
    ++lines;
  }
  EXPECT_EQ(lines, 2);
  std::filesystem::remove(path);

  Listener tcp(SOCK_STREAM);
  std::string received;
  std::thread server([&] {
    int client = ::accept(tcp.fd, nullptr, nullptr);
    for (std::string c; (c = read_exact(client, 1)) != "" && c != "\n";) received += c;
    ::close(client);
  });
  ForwarderConfig config;
  config.format = ForwarderConfig::Format::JsonLines;
  config.transport = ForwarderConfig::Transport::Tcp;
  config.port = tcp.port;
  ASSERT_TRUE(AlertForwarder::create(config)->send(sample()));
  server.join();
  EXPECT_EQ(nlohmann::json::parse(received)["definitionId"], "OTS-BHV-TRITON");
}

}  // namespace
}  // namespace ots::detect
