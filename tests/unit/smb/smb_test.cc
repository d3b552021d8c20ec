#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <utility>

#include "dissectors/smb/ntlm.h"
#include "dissectors/smb/smb_session.h"
#include "dissectors/smb/smb_wire.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"
#include "tests/unit/smb/smb_bytes.h"

namespace ots::smb {
namespace {

using namespace ots::smb::test;
using test_support::RecordingSink;

constexpr uint32_t kMoreProcessing = 0xC0000016, kLogonFailure = 0xC000006D;

struct Step {
  Direction dir;
  Buffer bytes;
};

FlowContext context() {
  FlowContext ctx;
  ctx.transport = 6;
  ctx.client_ip = *IpAddr::parse("10.1.1.20");
  ctx.server_ip = *IpAddr::parse("10.1.1.5");
  ctx.client_port = 49700;
  ctx.server_port = 445;
  return ctx;
}

// A whole SMB2 conversation: negotiate, NTLM logon, tree connect, create, write, read.
std::vector<Step> conversation() {
  const auto C = Direction::FromClient, S = Direction::FromServer;
  return {
      {C, nbss_packet(smb2(cmd::kNegotiate, false, 0, 0, negotiate_request()))},
      {S, nbss_packet(smb2(cmd::kNegotiate, true, 0, 0, negotiate_response(0x0311)))},
      {C, nbss_packet(
              smb2(cmd::kSessionSetup, false, 0, 1, session_setup_request(spnego_init(ntlm_negotiate()))))},
      {S, nbss_packet(smb2(cmd::kSessionSetup, true, kMoreProcessing, 1,
                           session_setup_response(spnego(ntlm_challenge(), true))))},
      {C, nbss_packet(smb2(cmd::kSessionSetup, false, 0, 2,
                           session_setup_request(spnego(ntlm_authenticate("CORP", "operator", "HMI-01")))))},
      {S, nbss_packet(smb2(cmd::kSessionSetup, true, 0, 2, session_setup_response({})))},
      {C, nbss_packet(smb2(cmd::kTreeConnect, false, 0, 3, tree_connect_request("\\\\FILESRV01\\recipes")))},
      {S, nbss_packet(smb2(cmd::kTreeConnect, true, 0, 3, small_response(16, 16), 5))},
      {C, nbss_packet(smb2(cmd::kCreate, false, 0, 4, create_request("line1\\batch.csv"), 5))},
      {S, nbss_packet(smb2(cmd::kCreate, true, 0, 4, small_response(89, 88), 5))},
      {C, nbss_packet(smb2(cmd::kWrite, false, 0, 5, write_request(4096, 100), 5))},
      {S, nbss_packet(smb2(cmd::kWrite, true, 0, 5, small_response(17, 16), 5))},
      {C, nbss_packet(smb2(cmd::kRead, false, 0, 6, read_request(0, 512), 5))},
      {S, nbss_packet(smb2(cmd::kRead, true, 0, 6, small_response(17, 16), 5))},
  };
}

void feed(SmbSession& session, const std::vector<Step>& steps, size_t chunk = 0) {
  FlowContext ctx = context();
  for (const auto& step : steps) {
    Bytes bytes(step.bytes);
    if (chunk == 0) {
      session.data(ctx, step.dir, bytes);
      continue;
    }
    for (size_t at = 0; at < bytes.size(); at += chunk) {
      session.data(ctx, step.dir, bytes.subspan(at, std::min(chunk, bytes.size() - at)));
    }
  }
}

const test_support::RecordedOperation* find_op(const RecordingSink& sink, Side from, std::string_view name) {
  for (const auto& op : sink.operations) {
    if (op.from == from && op.name == name) return &op;
  }
  return nullptr;
}

TEST(SmbSession, WholeConversation) {
  RecordingSink sink;
  SmbSession session(sink);
  feed(session, conversation());
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_EQ(sink.operations.size(), 14u);

  auto* negotiate = find_op(sink, Side::Client, "Negotiate");
  ASSERT_NE(negotiate, nullptr);
  EXPECT_EQ(negotiate->object, "2.0.2,2.1,3.0,3.0.2,3.1.1");
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "smb dialect 3.1.1"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description,
                                "smb server guid 6ff8a2b4-32e2-4c3a-9d11-0123456789ab"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "SMB server"));

  // NTLM NEGOTIATE and AUTHENTICATE: the client; CHALLENGE: the server.
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::OperatingSystem, "Windows 10.0 build 19041"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "HMI-01"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Domain, "CORP"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "FILESRV01"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "filesrv01.corp.example"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Domain, "CORP"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "dns domain corp.example"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "dns forest corp.example"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::OperatingSystem, "Windows 10.0 build 17763"));

  std::vector<std::string> setup_objects;
  for (const auto& op : sink.operations) {
    if (op.name == "Session Setup") setup_objects.push_back(op.object);
    EXPECT_FALSE(op.is_error) << op.name;
  }
  EXPECT_EQ(setup_objects, (std::vector<std::string>{"ntlm negotiate", "ntlm negotiate",
                                                     "user CORP\\operator", "user CORP\\operator"}));
  auto* tree = find_op(sink, Side::Server, "Tree Connect");
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->object, "\\\\FILESRV01\\recipes");
  EXPECT_EQ(find_op(sink, Side::Client, "Create")->object, "line1\\batch.csv");
  auto* write = find_op(sink, Side::Client, "Write");
  EXPECT_TRUE(write->is_write);
  EXPECT_TRUE(write->has_range);
  EXPECT_EQ(write->address, 4096u);
  EXPECT_EQ(write->quantity, 100u);
  auto* write_response = find_op(sink, Side::Server, "Write");
  EXPECT_TRUE(write_response->is_write);
  EXPECT_FALSE(write_response->is_request);
  EXPECT_EQ(write_response->quantity, 100u);
  auto* read = find_op(sink, Side::Client, "Read");
  EXPECT_FALSE(read->is_write);
  EXPECT_EQ(read->quantity, 512u);
}

TEST(SmbSession, EveryChunkingGivesTheSameEvents) {
  RecordingSink whole;
  SmbSession reference(whole);
  feed(reference, conversation());
  for (size_t chunk : {1, 2, 3, 5, 7, 13, 64, 100}) {
    RecordingSink sink;
    SmbSession session(sink);
    feed(session, conversation(), chunk);
    EXPECT_EQ(sink.operations.size(), whole.operations.size()) << chunk;
    EXPECT_EQ(sink.identities.size(), whole.identities.size()) << chunk;
    EXPECT_TRUE(sink.anomalies.empty()) << chunk;
  }
}

TEST(SmbSession, CoalescedPdusInOneSegment) {
  Buffer client;
  for (const auto& step : conversation()) {
    if (step.dir == Direction::FromClient) append(client, step.bytes);
  }
  RecordingSink sink;
  SmbSession session(sink);
  session.data(context(), Direction::FromClient, client);
  EXPECT_EQ(sink.operations.size(), 7u);
  EXPECT_TRUE(sink.anomalies.empty());
  // One-sided capture: confirmed after three valid messages.
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST(SmbSession, LogonFailureIsAnError) {
  RecordingSink sink;
  SmbSession session(sink);
  FlowContext ctx = context();
  session.data(ctx, Direction::FromClient,
               nbss_packet(smb2(cmd::kSessionSetup, false, 0, 7,
                                session_setup_request(spnego(ntlm_authenticate("CORP", "bob", "ENG-WS3"))))));
  session.data(ctx, Direction::FromServer,
               nbss_packet(smb2(cmd::kSessionSetup, true, kLogonFailure, 7, error_response())));
  auto* failure = find_op(sink, Side::Server, "Session Setup");
  ASSERT_NE(failure, nullptr);
  EXPECT_TRUE(failure->is_error);
  EXPECT_EQ(failure->object, "STATUS_LOGON_FAILURE user CORP\\bob");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SmbSession, UnknownErrorStatusIsNamedInHex) {
  RecordingSink sink;
  SmbSession session(sink);
  session.data(context(), Direction::FromServer,
               nbss_packet(smb2(cmd::kCreate, true, 0xC0001234, 9, error_response())));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_TRUE(sink.operations[0].is_error);
  EXPECT_EQ(sink.operations[0].object, "0xc0001234");
}

TEST(SmbSession, AnonymousAndLocalAccounts) {
  RecordingSink sink;
  SmbSession session(sink);
  FlowContext ctx = context();
  session.data(ctx, Direction::FromClient,
               nbss_packet(smb2(cmd::kSessionSetup, false, 0, 1,
                                session_setup_request(ntlm_authenticate("", "", "")))));
  session.data(ctx, Direction::FromClient,
               nbss_packet(smb2(cmd::kSessionSetup, false, 0, 2,
                                session_setup_request(ntlm_authenticate("HMI-02", "admin", "HMI-02")))));
  EXPECT_EQ(sink.operations[0].object, "anonymous");
  EXPECT_EQ(sink.operations[1].object, "user HMI-02\\admin");
  // A local account's "domain" is the workstation: not a Windows domain.
  for (const auto& i : sink.identities) EXPECT_NE(i.field, IdentityField::Domain);
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "HMI-02"));
}

TEST(SmbSession, Smb1NegotiateDialects) {
  RecordingSink sink;
  SmbSession session(sink);
  session.data(context(), Direction::FromClient, nbss_packet(smb1_negotiate_request()));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].code, kSmb1CodeBase + 0x72);
  EXPECT_EQ(sink.operations[0].name, "SMB1 Negotiate");
  EXPECT_EQ(sink.operations[0].object, "NT LM 0.12,SMB 2.002,SMB 2.???");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SmbSession, NetbiosSessionRequestNamesBothHosts) {
  RecordingSink sink;
  SmbSession session(sink);
  FlowContext ctx = context();
  ctx.server_port = 139;
  session.data(ctx, Direction::FromClient, session_request("FILESRV01", "HMI-01"));
  session.data(ctx, Direction::FromServer, Buffer{0x82, 0, 0, 0});
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "FILESRV01"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "HMI-01"));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].object, "FILESRV01");
  EXPECT_EQ(sink.operations[1].name, "NBSS Positive Session Response");
  session.data(ctx, Direction::FromServer, Buffer{0x83, 0, 0, 1, 0x82});
  EXPECT_TRUE(sink.operations.back().is_error);
}

TEST(SmbSession, CompoundedRequests) {
  Buffer create = smb2(cmd::kCreate, false, 0, 10, create_request("a.txt"), 5);
  while (create.size() % 8) create.push_back(0);
  Buffer first = smb2(cmd::kCreate, false, 0, 10, create_request("a.txt"), 5, uint32_t(create.size()));
  while (first.size() % 8) first.push_back(0);
  Buffer compound = first;
  append(compound, smb2(cmd::kClose, false, 0, 11, small_response(24, 24), 5));
  RecordingSink sink;
  SmbSession session(sink);
  session.data(context(), Direction::FromClient, nbss_packet(compound));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].object, "a.txt");
  EXPECT_EQ(sink.operations[1].name, "Close");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SmbSession, LargeWriteIsSkippedNotBuffered) {
  RecordingSink sink;
  SmbSession session(sink);
  FlowContext ctx = context();
  Buffer big = nbss_packet(smb2(cmd::kWrite, false, 0, 20, write_request(0, 200000), 5));
  // Sent in 1460-byte segments with a lost segment in the middle of the data.
  Bytes bytes(big);
  size_t lost_at = 50 * 1460;
  for (size_t at = 0; at < bytes.size(); at += 1460) {
    size_t n = std::min<size_t>(1460, bytes.size() - at);
    if (at == lost_at) {
      session.gap(ctx, Direction::FromClient, n);
      continue;
    }
    session.data(ctx, Direction::FromClient, bytes.subspan(at, n));
  }
  session.data(ctx, Direction::FromClient,
               nbss_packet(smb2(cmd::kRead, false, 0, 21, read_request(0, 10), 5)));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].quantity, 200000u);
  EXPECT_EQ(sink.operations[1].name, "Read");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SmbSession, ResynchronisesAfterGap) {
  RecordingSink sink;
  SmbSession session(sink);
  FlowContext ctx = context();
  Buffer tree = nbss_packet(smb2(cmd::kTreeConnect, false, 0, 3, tree_connect_request("\\\\S\\IPC$")));
  session.data(ctx, Direction::FromClient, Bytes(tree).first(30));
  session.gap(ctx, Direction::FromClient, 100);
  Buffer junk(37, 0x41);
  append(junk, nbss_packet(smb2(cmd::kCreate, false, 0, 4, create_request("after-gap.txt"))));
  session.data(ctx, Direction::FromClient, junk);
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].object, "after-gap.txt");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(SmbSession, TruncationAtEveryPrefixNeverCrashes) {
  for (const auto& step : conversation()) {
    for (size_t n = 0; n < step.bytes.size(); ++n) {
      RecordingSink sink;
      SmbSession session(sink);
      FlowContext ctx = context();
      session.data(ctx, step.dir, Bytes(step.bytes).first(n));
      session.end(ctx, step.dir);
      EXPECT_TRUE(sink.operations.empty());
      if (n > 0) {
        EXPECT_TRUE(sink.has_anomaly("smb.truncated_pdu")) << n;
      }
    }
  }
}

TEST(SmbSession, TruncatedMessagesInsideWholePdus) {
  // The NBSS length says the PDU is complete, but the message inside is cut short.
  for (const auto& step : conversation()) {
    Buffer message(step.bytes.begin() + 4, step.bytes.end());
    for (size_t n = 0; n < message.size(); ++n) {
      RecordingSink sink;
      SmbSession session(sink);
      session.data(context(), step.dir, nbss_packet(Buffer(message.begin(), message.begin() + n)));
      if (n < 4) {
        EXPECT_TRUE(sink.has_anomaly("smb.bad_protocol_id")) << n;
      }
    }
  }
}

TEST(SmbSession, Anomalies) {
  FlowContext ctx = context();
  auto run = [&](const Buffer& bytes) {
    auto sink = std::make_unique<RecordingSink>();
    SmbSession session(*sink);
    session.data(ctx, Direction::FromClient, bytes);
    return sink;
  };
  EXPECT_TRUE(run(Buffer{0x42, 0, 0, 0})->has_anomaly("smb.bad_nbss_type"));
  EXPECT_TRUE(run(nbss_packet(Buffer{'H', 'T', 'T', 'P', ' ', '/'}))->has_anomaly("smb.bad_protocol_id"));
  Buffer short_header = smb2(cmd::kEcho, false, 0, 1, {});
  short_header.resize(40);
  EXPECT_TRUE(run(nbss_packet(short_header))->has_anomaly("smb.truncated_header"));
  EXPECT_TRUE(run(nbss_packet(smb2(cmd::kTreeConnect, false, 0, 1, small_response(7, 8))))
                  ->has_anomaly("smb.bad_structure_size"));
  Buffer overrun = tree_connect_request("\\\\x\\y");
  overrun[4] = 0xF0;  // path offset past the end
  EXPECT_TRUE(
      run(nbss_packet(smb2(cmd::kTreeConnect, false, 0, 1, overrun)))->has_anomaly("smb.buffer_overrun"));
  EXPECT_TRUE(run(nbss_packet(smb2(cmd::kEcho, false, 0, 1, small_response(4, 4), 0, 13)))
                  ->has_anomaly("smb.bad_next_command"));
  Buffer chain;
  for (int i = 0; i < 20; ++i) append(chain, smb2(cmd::kEcho, false, 0, i, small_response(4, 8), 0, 72));
  EXPECT_TRUE(run(nbss_packet(chain))->has_anomaly("smb.too_many_compounded"));
  Buffer bad_ntlm = ntlm_authenticate("D", "u", "w");
  bad_ntlm[12] = 0xFF;  // LM response length far past the end
  bad_ntlm[13] = 0x7F;
  EXPECT_TRUE(run(nbss_packet(smb2(cmd::kSessionSetup, false, 0, 1, session_setup_request(bad_ntlm))))
                  ->has_anomaly("smb.ntlm_malformed"));
}

TEST(SmbSession, RepeatedViolationsReject) {
  RecordingSink sink;
  SmbSession session(sink);
  for (uint32_t i = 0; i < kMaxConsecutiveViolations; ++i) {
    session.data(context(), Direction::FromClient, nbss_packet(Buffer{'J', 'U', 'N', 'K'}));
  }
  EXPECT_TRUE(session.rejected());
}

TEST(SmbProbe, AcceptsSmbAndSessionRequestsOnly) {
  auto probe_of = [](const Buffer& b) { return probe(Direction::FromClient, b); };
  EXPECT_EQ(probe_of(nbss_packet(smb2(cmd::kNegotiate, false, 0, 0, negotiate_request()))),
            ProbeResult::Match);
  EXPECT_EQ(probe_of(nbss_packet(smb1_negotiate_request())), ProbeResult::Match);
  EXPECT_EQ(probe_of(session_request("A", "B")), ProbeResult::Match);
  EXPECT_EQ(probe_of(Buffer{0, 0, 0}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe_of(Buffer{0, 0, 0, 0x60, 0xFE}), ProbeResult::NeedMoreData);
  Buffer http{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
  EXPECT_EQ(probe_of(http), ProbeResult::NoMatch);
  EXPECT_EQ(probe_of(nbss_packet(Buffer(40, 0x16))), ProbeResult::NoMatch);
  Buffer tls{0x16, 0x03, 0x01, 0x00, 0x50, 0x01};
  EXPECT_EQ(probe_of(tls), ProbeResult::NoMatch);
}

TEST(Ntlm, FindsTheMessageInsideSpnegoAndParsesChallenge) {
  Buffer blob = spnego(ntlm_challenge(), true);
  Bytes message = ntlm::find_message(blob);
  ASSERT_FALSE(message.empty());
  ntlm::Message m;
  ASSERT_EQ(ntlm::parse(message, m), ntlm::Status::Ok);
  EXPECT_EQ(m.type, ntlm::kMessageChallenge);
  EXPECT_TRUE(m.version.present);
  EXPECT_EQ(m.version.build, 17763);
  EXPECT_EQ(m.nb_computer.bytes.size(), 18u);
  EXPECT_TRUE(ntlm::find_message(Buffer(100, 0x4E)).empty());
  for (size_t n = 0; n < message.size(); ++n) {
    ntlm::Message partial;
    ntlm::parse(message.first(n), partial);  // never crashes, never reads past n
  }
}

// --- tshark as an oracle over our own byte arrays ---

// Writes `steps` as a text2pcap hex dump (I/O direction markers) and returns the pcap path.
std::string write_pcap(const std::vector<Step>& steps, const std::string& name, uint16_t port) {
  std::string text = "/tmp/" + name + ".txt", pcap = "/tmp/" + name + ".pcap";
  std::ofstream out(text);
  for (const auto& step : steps) {
    out << (step.dir == Direction::FromClient ? "I" : "O") << "\n";
    for (size_t i = 0; i < step.bytes.size(); ++i) {
      if (i % 16 == 0) {
        char offset[24];
        std::snprintf(offset, sizeof offset, "%s%06zx", i ? "\n" : "", i);
        out << offset;
      }
      char hex[4];
      std::snprintf(hex, sizeof hex, " %02x", step.bytes[i]);
      out << hex;
    }
    out << "\n";
  }
  out.close();
  std::string command = "text2pcap -q -D -4 10.1.1.20,10.1.1.5 -T 49700," + std::to_string(port) + " " +
                        text + " " + pcap + " >/dev/null 2>&1";
  return std::system(command.c_str()) == 0 ? pcap : std::string();
}

TEST(SmbOracle, TsharkAgreesWithOurByteArrays) {
  if (!test_support::have_tshark() || std::system("text2pcap -v >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "tshark / text2pcap not installed";
  }
  std::string pcap = write_pcap(conversation(), "ots_smb_oracle", 445);
  ASSERT_FALSE(pcap.empty());
  auto rows = test_support::tshark_fields(
      pcap, "ntlmssp",
      {"ntlmssp.messagetype", "ntlmssp.auth.username", "ntlmssp.auth.domain", "ntlmssp.auth.hostname",
       "ntlmssp.challenge.target_info.nb_computer_name"});
  std::map<std::string, std::vector<std::string>> by_type;
  for (auto& row : rows) by_type[row[0]] = row;
  ASSERT_EQ(by_type.size(), 3u);
  EXPECT_EQ(by_type["0x00000002"][4], "FILESRV01");
  EXPECT_EQ(by_type["0x00000003"][1], "operator");
  EXPECT_EQ(by_type["0x00000003"][2], "CORP");
  EXPECT_EQ(by_type["0x00000003"][3], "HMI-01");
  auto trees = test_support::tshark_fields(pcap, "smb2.cmd == 3 && smb2.flags.response == 0", {"smb2.tree"});
  ASSERT_EQ(trees.size(), 1u);
  EXPECT_EQ(trees[0][0], "\\\\FILESRV01\\recipes");
  auto dialects = test_support::tshark_fields(pcap, "smb2.cmd == 0 && smb2.flags.response == 1",
                                              {"smb2.dialect", "smb2.server_guid"});
  ASSERT_EQ(dialects.size(), 1u);
  EXPECT_EQ(dialects[0][0], "0x0311");
  EXPECT_EQ(dialects[0][1], "6ff8a2b4-32e2-4c3a-9d11-0123456789ab");
}

// --- the shared capture: a NetBIOS session request on TCP 139 ---

TEST(SmbGolden, NetbiosSessionRequestNames) {
  auto pcap = test_support::shared_pcap("nbns_ndpi_netbios.pcap");
  if (!pcap || !test_support::have_tshark()) GTEST_SKIP() << "shared captures or tshark absent";
  auto segments = test_support::tcp_segments(*pcap, "tcp.port == 139");
  ASSERT_FALSE(segments.empty());
  std::map<uint32_t, std::unique_ptr<SmbSession>> sessions;
  RecordingSink sink;
  FlowContext ctx = context();
  for (const auto& s : segments) {
    auto& session = sessions[s.stream];
    if (!session) session = std::make_unique<SmbSession>(sink);
    session->data(ctx, s.dst_port == 139 ? Direction::FromClient : Direction::FromServer, s.payload);
  }
  // tshark: "Session request, to IBIFHQ11WS023<20> from ROSFHQ07WS004<00>".
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Hostname, "IBIFHQ11WS023"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Hostname, "ROSFHQ07WS004"));
}

}  // namespace
}  // namespace ots::smb
