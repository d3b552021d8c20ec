#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "dissectors/ssh/ssh.h"
#include "dissectors/ssh/ssh_parser.h"
#include "dissectors/ssh/ssh_session.h"
#include "tests/support/recording_sink.h"

namespace ots::ssh {
namespace {

using test_support::RecordingSink;
using Buffer = std::vector<uint8_t>;
constexpr Direction kClient = Direction::FromClient, kServer = Direction::FromServer;

Bytes bytes_of(std::string_view text) { return {reinterpret_cast<const uint8_t*>(text.data()), text.size()}; }

void put32(Buffer& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// KEXINIT payload with the given name-lists (10 of them, RFC 4253 7.1).
Buffer kexinit_payload(const std::array<std::string_view, kKexListCount>& lists) {
  Buffer out{kMsgKexInit};
  out.insert(out.end(), 16, 0xc0);  // cookie
  for (auto list : lists) {
    put32(out, static_cast<uint32_t>(list.size()));
    out.insert(out.end(), list.begin(), list.end());
  }
  out.push_back(0);
  put32(out, 0);
  return out;
}

// Binary packet: length, padding length, payload, padding (block size 8).
Buffer packet(const Buffer& payload) {
  size_t padding = 8 - (5 + payload.size()) % 8;
  if (padding < 4) padding += 8;
  Buffer out;
  put32(out, static_cast<uint32_t>(1 + payload.size() + padding));
  out.push_back(static_cast<uint8_t>(padding));
  out.insert(out.end(), payload.begin(), payload.end());
  out.insert(out.end(), padding, 0);
  return out;
}

constexpr std::array<std::string_view, kKexListCount> kClientLists = {
    "curve25519-sha256,diffie-hellman-group14-sha256", "ssh-ed25519,rsa-sha2-512",
    "chacha20-poly1305@openssh.com,aes128-ctr", "chacha20-poly1305@openssh.com,aes128-ctr",
    "hmac-sha2-256", "hmac-sha2-256", "none,zlib@openssh.com", "none,zlib@openssh.com", "", ""};
constexpr std::array<std::string_view, kKexListCount> kServerLists = {
    "curve25519-sha256,diffie-hellman-group14-sha256", "ssh-ed25519",
    "aes128-ctr", "aes256-ctr", "hmac-sha2-512", "hmac-sha1", "zlib", "none", "", ""};
// MD5 of "kex;enc;mac;cmp" with the client-to-server lists (client) / server-to-client (server).
constexpr std::string_view kClientHassh = "c001f560064f07fd2a02d1c93cb2c90f";
constexpr std::string_view kServerHassh = "ec533e8b63734be039f4747583343cb8";

std::string client_stream() {
  Buffer kex = packet(kexinit_payload(kClientLists));
  return "SSH-2.0-OpenSSH_9.6\r\n" + std::string(kex.begin(), kex.end());
}
std::string server_stream() {
  Buffer kex = packet(kexinit_payload(kServerLists));
  return "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n" + std::string(kex.begin(), kex.end());
}

struct Fixture {
  RecordingSink sink;
  SshSession session{sink};
  FlowContext ctx;
  void feed(Direction dir, std::string_view text) { session.data(ctx, dir, bytes_of(text)); }
  void feed_chunks(Direction dir, std::string_view text, size_t size) {
    for (size_t at = 0; at < text.size(); at += size) feed(dir, text.substr(at, size));
  }
};

TEST(SshParser, Banner) {
  Banner banner;
  ASSERT_TRUE(parse_banner("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3", banner));
  EXPECT_EQ(banner.proto_version, "2.0");
  EXPECT_EQ(banner.software_version, "OpenSSH_8.9p1");
  EXPECT_EQ(banner.comments, "Ubuntu-3");
  EXPECT_EQ(banner.software, "OpenSSH_8.9p1 Ubuntu-3");
  EXPECT_EQ(operating_system_hint(banner), "Ubuntu");
  ASSERT_TRUE(parse_banner("SSH-2.0-OpenSSH_for_Windows_8.1", banner));
  EXPECT_EQ(operating_system_hint(banner), "Windows");
  ASSERT_TRUE(parse_banner("SSH-1.99-Cisco-1.25", banner));
  EXPECT_TRUE(is_protocol_2(banner));
  EXPECT_EQ(operating_system_hint(banner), "Cisco IOS");
  ASSERT_TRUE(parse_banner("SSH-2.0-dropbear_2022.83", banner));
  EXPECT_EQ(operating_system_hint(banner), "");
  EXPECT_FALSE(parse_banner("SSH-2.0-", banner));
  EXPECT_FALSE(parse_banner("SSH--OpenSSH", banner));
  EXPECT_FALSE(parse_banner("SSH-2.0", banner));
  EXPECT_FALSE(parse_banner("SSH-x.y-OpenSSH", banner));
  EXPECT_FALSE(parse_banner("SSH-2.0-Open\x01SSH", banner));
}

TEST(SshParser, Probe) {
  EXPECT_EQ(probe(kClient, bytes_of("SSH-2.0-x\r\n")), ProbeResult::Match);
  EXPECT_EQ(probe(kServer, bytes_of("SS")), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(kServer, bytes_of("SSH-")), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(kClient, bytes_of("GET / HTTP/1.1\r\n")), ProbeResult::NoMatch);
  EXPECT_EQ(probe(kClient, bytes_of("SSH-9")), ProbeResult::NoMatch);
}

TEST(SshParser, KexInit) {
  Buffer payload = kexinit_payload(kClientLists);
  KexInit kex;
  ASSERT_EQ(parse_kexinit(payload, kex), Anomaly::None);
  EXPECT_EQ(kex.lists[kKexAlgorithms], kClientLists[0]);
  EXPECT_EQ(kex.lists[kCompressionServerToClient], "none,zlib@openssh.com");
  std::string hassh;
  hassh_string(kex, kClient, hassh);
  EXPECT_EQ(hassh, "curve25519-sha256,diffie-hellman-group14-sha256;chacha20-poly1305@openssh.com,aes128-ctr;"
                   "hmac-sha2-256;none,zlib@openssh.com");
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_NE(parse_kexinit(Bytes(payload).first(n), kex), Anomaly::None) << n;
  }
  Buffer spaced = kexinit_payload({"a b", "", "", "", "", "", "", "", "", ""});
  EXPECT_EQ(parse_kexinit(spaced, kex), Anomaly::MalformedKexInit);
  Buffer other = payload;
  other[0] = 21;
  EXPECT_EQ(parse_kexinit(other, kex), Anomaly::UnexpectedMessage);
  EXPECT_EQ(parse_packet(Buffer{2, 20, 0}).anomaly, Anomaly::BadPadding);  // padding < 4
}

TEST(SshSession, BannersAndKexInit) {
  Fixture f;
  f.feed(kClient, client_stream());
  f.feed(kServer, server_stream());
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
  EXPECT_TRUE(f.sink.anomalies.empty());
  EXPECT_TRUE(f.sink.has_identity(Side::Client, IdentityField::Software, "OpenSSH_9.6"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Software, "OpenSSH_8.9p1 Ubuntu-3"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::OperatingSystem, "Ubuntu"));
  ASSERT_EQ(f.sink.operations.size(), 4u);
  EXPECT_EQ(f.sink.operations[0].name, "Version Exchange");
  EXPECT_EQ(f.sink.operations[0].object, "2.0");
  EXPECT_EQ(f.sink.operations[1].name, "KEXINIT");
  EXPECT_EQ(f.sink.operations[1].object, kClientHassh);
  EXPECT_EQ(f.sink.operations[3].object, kServerHassh);
  EXPECT_EQ(f.sink.operations[3].from, Side::Server);
  EXPECT_TRUE(f.session.done(kClient));
  EXPECT_TRUE(f.session.done(kServer));
  // Encrypted traffic afterwards is ignored.
  f.feed(kClient, std::string(1000, '\xaa'));
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(SshSession, SplitAndCoalesced) {
  for (size_t size : {1u, 2u, 5u, 64u}) {
    Fixture f;
    f.feed_chunks(kClient, client_stream(), size);
    f.feed_chunks(kServer, server_stream(), size);
    EXPECT_EQ(f.sink.operations.size(), 4u) << size;
    EXPECT_EQ(f.sink.identities.size(), 3u) << size;
    EXPECT_TRUE(f.sink.anomalies.empty()) << size;
  }
}

TEST(SshSession, ServerPreambleLines) {
  Fixture f;
  f.feed(kServer, "Welcome to the plant gateway\r\nAuthorised users only\r\n" + server_stream());
  EXPECT_TRUE(f.sink.anomalies.empty());
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Software, "OpenSSH_8.9p1 Ubuntu-3"));
  EXPECT_EQ(f.sink.confirmations.size(), 1u);  // one-sided: banner and KEXINIT
}

TEST(SshSession, Anomalies) {
  auto anomalies_of = [](Direction dir, std::string_view text) {
    Fixture f;
    f.feed(dir, text);
    f.session.end(f.ctx, dir);
    return std::make_pair(f.sink.anomalies, f.session.rejected());
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(anomalies_of(kClient, "SSH-2.0-\r\n"), std::make_pair(V{"ssh.bad_banner"}, true));
  EXPECT_EQ(anomalies_of(kClient, "hello\r\n"), std::make_pair(V{"ssh.bad_banner"}, true));
  EXPECT_EQ(anomalies_of(kClient, "SSH-2.0-" + std::string(300, 'a')), std::make_pair(V{"ssh.banner_too_long"}, true));
  std::string preamble;
  for (size_t i = 0; i <= kMaxPreambleLines; ++i) preamble += "line\r\n";
  EXPECT_EQ(anomalies_of(kServer, preamble), std::make_pair(V{"ssh.too_many_preamble_lines"}, true));
  EXPECT_EQ(anomalies_of(kServer, "SSH-1.5-OldServer\r\n"), std::make_pair(V{"ssh.protocol_1"}, false));
  EXPECT_EQ(anomalies_of(kClient, std::string("SSH-2.0-x\r\n\xff\xff\xff\xff", 15)),
            std::make_pair(V{"ssh.bad_packet_length"}, false));
  Buffer ignore = packet(Buffer{2, 0, 0, 0, 0});  // SSH_MSG_IGNORE first
  EXPECT_EQ(anomalies_of(kClient, "SSH-2.0-x\r\n" + std::string(ignore.begin(), ignore.end())),
            std::make_pair(V{"ssh.unexpected_message"}, false));
  Buffer bad_padding{0, 0, 0, 8, 200, 20, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(anomalies_of(kClient, "SSH-2.0-x\r\n" + std::string(bad_padding.begin(), bad_padding.end())),
            std::make_pair(V{"ssh.bad_padding"}, false));
  EXPECT_EQ(anomalies_of(kClient, std::string_view("SSH-2.0-x\r\n\0\0\0\x40\x04", 16)), std::make_pair(V{"ssh.truncated"}, false));
  EXPECT_EQ(anomalies_of(kClient, "SSH-2.0-Open"), std::make_pair(V{"ssh.truncated"}, false));
}

TEST(SshSession, EveryPrefixIsSafe) {
  std::string client = client_stream(), server = server_stream();
  for (size_t n = 0; n <= server.size(); ++n) {
    Fixture f;
    f.feed(kClient, std::string_view(client).substr(0, n));
    f.feed(kServer, std::string_view(server).substr(0, n));
    f.session.end(f.ctx, kClient);
    f.session.end(f.ctx, kServer);
    for (const auto& a : f.sink.anomalies) EXPECT_EQ(a, "ssh.truncated") << n;
    EXPECT_FALSE(f.session.rejected());
  }
}

TEST(SshSession, GapEndsTheDirection) {
  Fixture f;
  f.feed(kClient, "SSH-2.0-OpenSSH_9.6\r\n");
  f.session.gap(f.ctx, kClient, 10);
  f.feed(kClient, std::string(50, 'x'));
  EXPECT_TRUE(f.session.done(kClient));
  EXPECT_TRUE(f.sink.anomalies.empty());
  f.feed(kServer, server_stream());
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
}

TEST(SshSession, Descriptor) {
  EXPECT_EQ(kDissector_ssh.name, "ssh");
  RecordingSink sink;
  EXPECT_NE(kDissector_ssh.make_session(sink), nullptr);
  EXPECT_EQ(kDissector_ssh.probe(kServer, bytes_of("SSH-2.0-OpenSSH_8.9p1\r\n")), ProbeResult::Match);
}

}  // namespace
}  // namespace ots::ssh
