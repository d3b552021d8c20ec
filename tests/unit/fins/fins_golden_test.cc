// Golden test over the shared public captures (see shared/pcaps/GROUND_TRUTH.md): every FINS
// frame yields an operation, and the controller model / version of the 0501 response reach the
// side that sent it. Payloads are extracted with tshark at test time (UDP: one datagram per
// call; TCP: one session per stream); the test skips when the captures or tshark are absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dissectors/fins/fins_session.h"
#include "tests/unit/fins/recording_sink.h"

namespace ots::fins {
namespace {

using fins_test::RecordingSink;

const std::filesystem::path kPcapDir = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";
constexpr const char* kServerPort = "9600";

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
  size_t frames = 0, sessions = 0, confirmed = 0, rejected = 0;
};

// transport "udp" or "tcp": one session per UDP port pair / TCP stream.
bool replay(const char* file, const std::string& transport, Replay& out) {
  std::filesystem::path pcap = kPcapDir / file;
  if (!std::filesystem::exists(pcap) || !have_tshark()) return false;
  std::map<std::string, std::unique_ptr<FinsSession>> sessions;
  FlowContext ctx;
  ctx.transport = transport == "udp" ? 17 : 6;
  std::string key_field = transport == "udp" ? "-e udp.srcport -e udp.dstport" : "-e tcp.stream -e tcp.dstport";
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() + "' -Y '" + transport + "' -T fields " +
                                    key_field + " -e " + transport + ".srcport -e " + transport + ".payload")) {
    auto columns = split(line, '\t');
    if (columns.size() != 4 || columns[3].empty()) continue;
    std::string key = transport == "udp" ? std::min(columns[0], columns[1]) + "-" + std::max(columns[0], columns[1])
                                         : columns[0];
    auto& session = sessions[key];
    if (!session) session = std::make_unique<FinsSession>(out.sink);
    Direction dir = columns[2] == kServerPort ? Direction::FromServer : Direction::FromClient;
    auto payload = from_hex(columns[3]);
    size_t before = out.sink.confirmations.size();
    session->data(ctx, dir, payload);
    if (out.sink.confirmations.size() > before) ++out.confirmed;
    ++out.frames;
  }
  for (auto& [key, session] : sessions) {
    session->end(ctx, Direction::FromClient);
    session->end(ctx, Direction::FromServer);
    if (session->rejected()) ++out.rejected;
  }
  out.sessions = sessions.size();
  EXPECT_GT(out.sessions, 0u);
  EXPECT_EQ(out.confirmed, out.sessions);
  EXPECT_EQ(out.rejected, 0u);
  return true;
}

bool has_code(const RecordingSink& sink, uint32_t code, bool is_request) {
  for (const auto& op : sink.operations) {
    if (op.code == code && op.is_request == is_request) return true;
  }
  return false;
}

TEST(FinsGolden, CisagovOmronUdp) {
  Replay r;
  if (!replay("fins_cisagovfork_omron.pcap", "udp", r)) GTEST_SKIP() << "capture or tshark missing";
  const RecordingSink& sink = r.sink;
  EXPECT_EQ(sink.operations.size(), r.frames);
  // Commands and responses travel the same way in this capture: the responder is the sender.
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::ProductName, "AAAAAAAAAAAAAAAAAAAA"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::FirmwareVersion, "BBBBBBBBBBBBBBBBBBBB"));
  for (uint32_t code : {0x0101u, 0x0104u, 0x0201u, 0x0401u, 0x0501u, 0x0502u, 0x0620u, 0x0702u, 0x0920u, 0x0C01u,
                        0x2101u, 0x2102u, 0x2201u, 0x2301u, 0x2302u}) {
    EXPECT_TRUE(has_code(sink, code, true)) << std::hex << code;
  }
  EXPECT_TRUE(has_code(sink, 0x0501, false));
}

TEST(FinsGolden, CisagovOmronTcp) {
  Replay r;
  if (!replay("fins_cisagovfork_omron_fins_tcp_commands_responses.pcap", "tcp", r)) {
    GTEST_SKIP() << "capture or tshark missing";
  }
  const RecordingSink& sink = r.sink;
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "AAAAAAAAAAAAAAAAAAAA"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "BBBBBBBBBBBBBBBBBBBB"));
  for (uint32_t code : {0x0401u, 0x0402u, 0x0501u, 0x0701u, 0x0702u}) {
    EXPECT_TRUE(has_code(sink, code, true)) << std::hex << code;
    EXPECT_TRUE(has_code(sink, code, false)) << std::hex << code;
  }
  EXPECT_TRUE(sink.anomalies.empty()) << (sink.anomalies.empty() ? "" : sink.anomalies.front());
}

}  // namespace
}  // namespace ots::fins
