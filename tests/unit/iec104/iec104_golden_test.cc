// Golden test over the shared public captures: the (CASDU, type id) pairs the session reports
// must equal the ones tshark decodes (see shared/pcaps/GROUND_TRUTH.md), the served common
// addresses reach the server side as identities, and every stream is confirmed. TCP payloads
// are extracted with tshark at test time (retransmissions dropped, as the TCP reassembler
// does); the test skips when the captures or tshark are absent.
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

#include "dissectors/iec104/iec104_session.h"
#include "tests/unit/iec104/recording_sink.h"

namespace ots::iec104 {
namespace {

using CommonAddressType = std::pair<uint32_t, uint32_t>;
using iec104_test::RecordingSink;

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
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

struct TsharkView {
  std::set<CommonAddressType> pairs;
  size_t asdus = 0;
};

// tshark's view: one row per frame, several ASDUs in a frame aggregated with commas. Retransmitted
// segments repeat ASDUs already counted (they add no pair).
TsharkView tshark_view(const std::filesystem::path& pcap) {
  TsharkView view;
  for (const auto& line :
       run_lines("tshark -n -r '" + pcap.string() +
                 "' -Y 'iec60870_asdu && !tcp.analysis.retransmission' -T fields "
                 "-E occurrence=a -E aggregator=, -e iec60870_asdu.addr -e iec60870_asdu.typeid")) {
    auto columns = split(line, '\t');
    if (columns.size() != 2) continue;
    auto addresses = split(columns[0], ',');
    auto types = split(columns[1], ',');
    for (size_t i = 0; i < addresses.size() && i < types.size(); ++i) {
      view.pairs.emplace(std::stoul(addresses[i]), std::stoul(types[i]));
      ++view.asdus;
    }
  }
  return view;
}

struct Replay {
  RecordingSink sink;
  size_t streams = 0;
  size_t confirmed_streams = 0;
  size_t rejected_streams = 0;
};

// Feeds every TCP stream's payloads, in capture order and direction, to its own session.
void replay(const std::filesystem::path& pcap, Replay& out) {
  std::map<std::string, std::unique_ptr<Iec104Session>> sessions;
  FlowContext ctx;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() +
                                    "' -Y 'tcp.len>0 && !tcp.analysis.retransmission' -T fields "
                                    "-e tcp.stream -e tcp.srcport -e tcp.payload")) {
    auto columns = split(line, '\t');
    if (columns.size() != 3) continue;
    auto& session = sessions[columns[0]];
    if (!session) session = std::make_unique<Iec104Session>(out.sink);
    Direction dir = columns[1] == "2404" ? Direction::FromServer : Direction::FromClient;
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

TsharkView reported_view(const RecordingSink& sink) {
  TsharkView view;
  for (const auto& op : sink.operations) {
    if (op.code >= kUFormatCodeBase) continue;
    view.pairs.emplace(op.unit, op.code);
    ++view.asdus;
  }
  return view;
}

void expect_same_as_tshark(const char* file, Replay& result) {
  std::filesystem::path pcap = kPcapDir / file;
  if (!std::filesystem::exists(pcap)) GTEST_SKIP() << pcap << " not present";
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  replay(pcap, result);
  TsharkView expected = tshark_view(pcap);
  ASSERT_FALSE(expected.pairs.empty());
  TsharkView reported = reported_view(result.sink);
  EXPECT_EQ(reported.pairs, expected.pairs);
  EXPECT_EQ(reported.asdus, expected.asdus);
  EXPECT_EQ(result.confirmed_streams, result.streams);
  EXPECT_EQ(result.rejected_streams, 0u);
  EXPECT_TRUE(result.sink.has_identity(Side::Client, IdentityField::Role, "controlling station"));
  EXPECT_TRUE(result.sink.has_identity(Side::Server, IdentityField::Role, "controlled station"));
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += item + " ";
  return out;
}

TEST(Iec104Golden, ItiDiverse) {
  Replay result;
  expect_same_as_tshark("iec104_iti_090813_diverse.pcap", result);
  if (HasFatalFailure() || IsSkipped()) return;
  const RecordingSink& sink = result.sink;
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "CASDU 3"));
  // Commands, set-points and their confirmations: select and execute, all writes.
  size_t writes = 0;
  for (const auto& op : sink.operations) writes += op.is_write ? 1 : 0;
  EXPECT_GT(writes, 0u);
  EXPECT_TRUE(sink.anomalies.empty()) << joined(sink.anomalies);
}

TEST(Iec104Golden, ItiJavaRmiAndIecMisc) {
  Replay result;
  expect_same_as_tshark("iec104_iti_JavaRMI_and_IEC_Misc.pcap", result);
  if (HasFatalFailure() || IsSkipped()) return;
  const RecordingSink& sink = result.sink;
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "CASDU 37133"));
  EXPECT_TRUE(sink.anomalies.empty()) << joined(sink.anomalies);
  bool startdt = false;
  for (const auto& op : sink.operations) startdt |= op.name == "STARTDT act" && op.from == Side::Client;
  EXPECT_TRUE(startdt);
}

}  // namespace
}  // namespace ots::iec104
