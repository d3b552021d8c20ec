// Golden test over the shared public captures (see shared/pcaps/GROUND_TRUTH.md): the services
// tshark decodes must be reported, and the endpoint / application identities must reach the side
// they describe. TCP payloads are extracted with tshark at test time (sequence numbers reveal
// capture gaps, fed as gap()); the test skips when the captures or tshark are absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dissectors/opcua/opcua_session.h"
#include "tests/unit/opcua/recording_sink.h"

namespace ots::opcua {
namespace {

using opcua_test::RecordingSink;

const std::filesystem::path kPcapDir = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";
constexpr const char* kServerPort = "4840";

bool have_tshark() { return std::system("tshark -v >/dev/null 2>&1") == 0; }

std::vector<std::string> run_lines(const std::string& command) {
  std::vector<std::string> lines;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>/dev/null").c_str(), "r"), pclose);
  if (!pipe) return lines;
  std::string line;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe.get())) {
    line += buffer;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      lines.push_back(std::move(line));
      line.clear();
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) parts.push_back(part);
  return parts;
}

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

struct Replay {
  RecordingSink sink;
  size_t streams = 0, confirmed = 0, rejected = 0;
};

void replay(const std::filesystem::path& pcap, Replay& out) {
  struct Flow {
    std::unique_ptr<OpcuaSession> session;
    std::map<Direction, uint64_t> next_seq;
  };
  std::map<std::string, Flow> flows;
  FlowContext ctx;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() +
                                    "' -Y 'tcp.len>0 && tcp.port==4840' -T fields -e tcp.stream -e tcp.srcport -e tcp.seq "
                                    "-e tcp.len -e tcp.payload")) {
    auto columns = split(line, '\t');
    if (columns.size() != 5) continue;
    Flow& flow = flows[columns[0]];
    if (!flow.session) flow.session = std::make_unique<OpcuaSession>(out.sink);
    Direction dir = columns[1] == kServerPort ? Direction::FromServer : Direction::FromClient;
    uint64_t seq = std::stoull(columns[2]), length = std::stoull(columns[3]);
    auto expected = flow.next_seq.find(dir);
    if (expected != flow.next_seq.end()) {
      if (seq + length <= expected->second) continue;  // retransmission
      if (seq > expected->second) flow.session->gap(ctx, dir, seq - expected->second);
    }
    flow.next_seq[dir] = seq + length;
    auto payload = from_hex(columns[4]);
    size_t before = out.sink.confirmations.size();
    flow.session->data(ctx, dir, payload);
    if (out.sink.confirmations.size() > before) ++out.confirmed;
  }
  for (auto& [id, flow] : flows) {
    flow.session->end(ctx, Direction::FromClient);
    flow.session->end(ctx, Direction::FromServer);
    if (flow.session->rejected()) ++out.rejected;
  }
  out.streams = flows.size();
}

std::set<uint32_t> tshark_services(const std::filesystem::path& pcap) {
  std::set<uint32_t> services;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() +
                                    "' -Y opcua.servicenodeid.numeric -T fields -E occurrence=a -E aggregator=, "
                                    "-e opcua.servicenodeid.numeric")) {
    for (const auto& id : split(line, ',')) {
      if (!id.empty()) services.insert(uint32_t(std::stoul(id)));
    }
  }
  return services;
}

bool run(const char* file, Replay& result, bool plain) {
  std::filesystem::path pcap = kPcapDir / file;
  if (!std::filesystem::exists(pcap) || !have_tshark()) return false;
  replay(pcap, result);
  EXPECT_GT(result.streams, 0u);
  EXPECT_EQ(result.confirmed, result.streams);
  EXPECT_EQ(result.rejected, 0u);
  if (plain) {
    std::set<uint32_t> reported;
    for (const auto& op : result.sink.operations) reported.insert(op.code);
    for (uint32_t service : tshark_services(pcap)) EXPECT_TRUE(reported.count(service)) << service;
  }
  return true;
}

TEST(OpcuaGolden, WithGapWithHandshake) {
  Replay r;
  if (!run("opcua_cisagov_opcua_with-gap_with-handshake.pcap", r, true)) GTEST_SKIP() << "capture or tshark missing";
  const RecordingSink& sink = r.sink;
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "endpoint opc.tcp://192.168.224.102:4840"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description,
                                "application uri urn:open62541.server.application"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "http://open62541.org"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description,
                                "application uri urn:MES::FraunhoferIOSB:SiLab UA-Client"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "security policy None"));
}

TEST(OpcuaGolden, GetEndpoints) {
  Replay r;
  if (!run("opcua_cisagov_open62541_client-server-getEndpoints.pcap", r, true)) {
    GTEST_SKIP() << "capture or tshark missing";
  }
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::Description, "endpoint opc.tcp://localhost:4840"));
  EXPECT_TRUE(r.sink.anomalies.empty());
}

TEST(OpcuaGolden, CreateMonitoredItems) {
  Replay r;
  if (!run("opcua_cisagov_open62541_create_monitored_items.pcap", r, true)) {
    GTEST_SKIP() << "capture or tshark missing";
  }
  const RecordingSink& sink = r.sink;
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "application uri urn:freeopcua:client"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::ProductName, "urn:freeopcua.github.io:client"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "http://open62541.org"));
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(OpcuaGolden, EncryptedRaisesNoAnomalies) {
  Replay r;
  if (!run("opcua_cisagov_python_opcua-client-server_encrypted.pcap", r, false)) {
    GTEST_SKIP() << "capture or tshark missing";
  }
  const RecordingSink& sink = r.sink;
  EXPECT_TRUE(sink.anomalies.empty()) << (sink.anomalies.empty() ? "" : sink.anomalies.front());
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "security policy Basic256Sha256"));
  bool encrypted = false;
  for (const auto& op : sink.operations) encrypted = encrypted || op.code == kEncryptedCode;
  EXPECT_TRUE(encrypted);
}

}  // namespace
}  // namespace ots::opcua
