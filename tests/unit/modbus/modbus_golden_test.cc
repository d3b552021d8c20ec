// Golden test over the shared public captures: the (unit id, function code) pairs the
// session reports must equal the ones tshark decodes (see shared/pcaps/GROUND_TRUTH.md),
// and the FC43 device identity must reach the server side. TCP payloads are extracted
// with tshark at test time; the test skips when the captures or tshark are absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dissectors/modbus/modbus_session.h"
#include "tests/unit/modbus/recording_sink.h"

namespace ots::modbus {
namespace {

using UnitFunction = std::pair<uint32_t, uint32_t>;
using modbus_test::RecordingSink;

const std::filesystem::path kPcapDir = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";

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

// tshark's view: one row per frame, several PDUs in a frame aggregated with commas.
std::set<UnitFunction> tshark_unit_functions(const std::filesystem::path& pcap) {
  std::set<UnitFunction> pairs;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() +
                                    "' -Y modbus -T fields -E occurrence=a -E aggregator=, "
                                    "-e mbtcp.unit_id -e modbus.func_code")) {
    auto columns = split(line, '\t');
    if (columns.size() != 2) continue;
    auto units = split(columns[0], ',');
    auto functions = split(columns[1], ',');
    for (size_t i = 0; i < units.size() && i < functions.size(); ++i) {
      pairs.emplace(std::stoul(units[i]), std::stoul(functions[i]));
    }
  }
  return pairs;
}

struct Replay {
  RecordingSink sink;
  size_t streams = 0;
  size_t confirmed_streams = 0;
  size_t rejected_streams = 0;
};

// Feeds every TCP stream's payloads, in capture order and direction, to its own session.
void replay(const std::filesystem::path& pcap, Replay& out) {
  std::map<std::string, std::unique_ptr<ModbusSession>> sessions;
  std::map<std::string, size_t> confirmations_before;
  FlowContext ctx;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() +
                                    "' -Y 'tcp.len>0' -T fields -e tcp.stream -e tcp.srcport -e tcp.payload")) {
    auto columns = split(line, '\t');
    if (columns.size() != 3) continue;
    auto& session = sessions[columns[0]];
    if (!session) session = std::make_unique<ModbusSession>(out.sink);
    Direction dir = columns[1] == "502" ? Direction::FromServer : Direction::FromClient;
    auto payload = from_hex(columns[2]);
    size_t before = out.sink.confirmations.size();
    session->data(ctx, dir, payload);
    if (out.sink.confirmations.size() > before) ++out.confirmed_streams;
  }
  for (auto& [stream, session] : sessions) {
    session->end(ctx, Direction::FromClient);
    session->end(ctx, Direction::FromServer);
    if (session->rejected()) ++out.rejected_streams;
  }
  out.streams = sessions.size();
}

std::set<UnitFunction> reported_unit_functions(const RecordingSink& sink) {
  std::set<UnitFunction> pairs;
  for (const auto& op : sink.operations) pairs.emplace(op.unit, op.code);
  return pairs;
}

void expect_same_as_tshark(const char* file, Replay& result) {
  std::filesystem::path pcap = kPcapDir / file;
  if (!std::filesystem::exists(pcap)) GTEST_SKIP() << pcap << " not present";
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  replay(pcap, result);
  auto expected = tshark_unit_functions(pcap);
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(reported_unit_functions(result.sink), expected);
  EXPECT_EQ(result.confirmed_streams, result.streams);
  EXPECT_EQ(result.rejected_streams, 0u);
}

TEST(ModbusGolden, CisagovModbusExample) {
  Replay result;
  expect_same_as_tshark("modbus_cisagov_modbus_example.pcap", result);
  if (HasFatalFailure() || IsSkipped()) return;
  const RecordingSink& sink = result.sink;
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Vendor, "Zeek Modbus Test"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::OrderNumber, "Protocol Parsing is fun!"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "1.2.3.6"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description,
                                "Zeek Modbus Test-Protocol Parsing is fun!-1.2.3.6"));
  // The capture is well-formed Modbus: every request is answered.
  EXPECT_TRUE(sink.anomalies.empty()) << (sink.anomalies.empty() ? "" : sink.anomalies.front());
}

TEST(ModbusGolden, ItiModbusTest) {
  Replay result;
  expect_same_as_tshark("modbus_iti_modbus_test.pcap", result);
}

}  // namespace
}  // namespace ots::modbus
