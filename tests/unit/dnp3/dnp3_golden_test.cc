// Golden test over the shared public captures: the application function codes (with their
// counts) and the link source addresses the session reports must equal what tshark decodes
// (see shared/pcaps/GROUND_TRUTH.md), and clean captures raise no CRC anomaly. Payloads are
// extracted with tshark at test time; the test skips when the captures or tshark are absent.
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

#include "dissectors/dnp3/dnp3_session.h"
#include "tests/unit/dnp3/recording_sink.h"

namespace ots::dnp3 {
namespace {

using dnp3_test::RecordingSink;

const std::filesystem::path kPcapDir = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";
constexpr const char* kDnp3Port = "20000";

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
  std::map<uint32_t, size_t> function_counts;  // application function code → fragments
  std::set<uint32_t> sources;                  // link source addresses
};

// tshark's view: one row per frame, several DNP3 PDUs in a frame aggregated with commas.
TsharkView tshark_view(const std::filesystem::path& pcap) {
  TsharkView view;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() +
                                    "' -Y dnp3 -T fields -E occurrence=a -E aggregator=, "
                                    "-e dnp3.src -e dnp3.al.func")) {
    auto columns = split(line, '\t');
    if (columns.empty()) continue;
    for (const auto& source : split(columns[0], ',')) view.sources.insert(std::stoul(source));
    if (columns.size() < 2) continue;
    for (const auto& function : split(columns[1], ',')) ++view.function_counts[std::stoul(function)];
  }
  return view;
}

struct Replay {
  RecordingSink sink;
  size_t streams = 0;
  size_t confirmed_streams = 0;
  size_t rejected_streams = 0;
};

// TCP: every stream's payloads, in capture order and direction, to its own session.
// UDP: each datagram of the (single) port pair to one session.
void replay(const std::filesystem::path& pcap, bool udp, Replay& out) {
  std::map<std::string, std::unique_ptr<Dnp3Session>> sessions;
  FlowContext ctx;
  ctx.transport = udp ? 17 : 6;
  // TCP rows: stream, source port, destination port, payload; UDP rows: the same without the stream.
  std::string fields =
      udp ? "' -Y 'udp.port==20000' -T fields -e udp.srcport -e udp.dstport -e udp.payload"
          : "' -Y 'tcp.len>0' -T fields -e tcp.stream -e tcp.srcport -e tcp.dstport -e tcp.payload";
  size_t width = udp ? 3 : 4;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() + fields)) {
    auto columns = split(line, '\t');
    if (columns.size() != width) continue;
    std::string key = udp ? "udp" : columns[0];
    auto& session = sessions[key];
    if (!session) session = std::make_unique<Dnp3Session>(out.sink);
    Direction dir = columns[width - 3] == kDnp3Port ? Direction::FromServer : Direction::FromClient;
    std::vector<uint8_t> payload = from_hex(columns[width - 1]);
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

std::map<uint32_t, size_t> reported_function_counts(const RecordingSink& sink) {
  std::map<uint32_t, size_t> counts;
  for (const auto& op : sink.operations) ++counts[op.code];
  return counts;
}

std::set<uint32_t> reported_addresses(const RecordingSink& sink) {
  std::set<uint32_t> addresses;
  const std::string prefix = "DNP3 address ";
  for (const auto& identity : sink.identities) {
    if (identity.field == IdentityField::Description && identity.value.rfind(prefix, 0) == 0) {
      addresses.insert(std::stoul(identity.value.substr(prefix.size())));
    }
  }
  return addresses;
}

using AnomalyCounts = std::map<std::string, size_t>;

// `expected_anomalies`: what the capture really contains (none of it a CRC error); streams whose
// client never sends a valid frame cannot be confirmed (`unconfirmed_streams`).
void expect_same_as_tshark(const char* file, bool udp, Replay& result,
                           const AnomalyCounts& expected_anomalies = {}, size_t unconfirmed_streams = 0) {
  std::filesystem::path pcap = kPcapDir / file;
  if (!std::filesystem::exists(pcap)) GTEST_SKIP() << pcap << " not present";
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  replay(pcap, udp, result);
  TsharkView expected = tshark_view(pcap);
  ASSERT_FALSE(expected.function_counts.empty());
  EXPECT_EQ(reported_function_counts(result.sink), expected.function_counts);
  EXPECT_EQ(reported_addresses(result.sink), expected.sources);
  EXPECT_EQ(result.confirmed_streams + unconfirmed_streams, result.streams);
  EXPECT_EQ(result.rejected_streams, 0u);
  AnomalyCounts anomalies;
  for (const auto& anomaly : result.sink.anomalies) ++anomalies[anomaly];
  EXPECT_EQ(anomalies, expected_anomalies);
  EXPECT_FALSE(result.sink.has_anomaly("dnp3.bad_link_crc"));
  EXPECT_FALSE(result.sink.has_anomaly("dnp3.bad_block_crc"));
}

bool has_role(const RecordingSink& sink, Side side, std::string_view role) {
  return sink.has_identity(side, IdentityField::Role, role);
}

TEST(Dnp3Golden, ZeekDnp3) {
  Replay result;
  // Zeek's trace deliberately holds malformed traffic: frames 19 and 21 (stream 1, the client's
  // only frames, the second a retransmission) start 05 05; frames 154, 156, 163, 166, 174 and 176
  // use qualifier 0xED (reserved bit and range code); responses 164 and 167 carry sequence 3
  // for requests sent with sequence 1.
  expect_same_as_tshark(
      "dnp3_zeek_dnp3.pcap", false, result,
      {{"dnp3.invalid_start", 1}, {"dnp3.invalid_qualifier", 6}, {"dnp3.unmatched_response", 2}}, 1);
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_TRUE(has_role(result.sink, Side::Client, "master"));
  EXPECT_TRUE(has_role(result.sink, Side::Server, "outstation"));
  EXPECT_TRUE(result.sink.has_identity(Side::Server, IdentityField::Description, "DNP3 address 4"));
  EXPECT_TRUE(result.sink.has_identity(Side::Client, IdentityField::Description, "DNP3 address 3"));
}

TEST(Dnp3Golden, ZeekDnp3Udp) {
  Replay result;
  expect_same_as_tshark("dnp3_zeek_dnp3_udp_read.pcap", true, result);
  if (HasFatalFailure() || IsSkipped()) return;
  // The outstation (address 1) listens on port 20000; the master (100) reads from port 1128.
  EXPECT_TRUE(result.sink.has_identity(Side::Server, IdentityField::Description, "DNP3 address 1"));
  EXPECT_TRUE(result.sink.has_identity(Side::Client, IdentityField::Description, "DNP3 address 100"));
  EXPECT_TRUE(has_role(result.sink, Side::Server, "outstation"));
  EXPECT_TRUE(has_role(result.sink, Side::Client, "master"));
  for (const auto& op : result.sink.operations) EXPECT_EQ(op.unit, 1u);
}

TEST(Dnp3Golden, ZeekDnp3FileRead) {
  Replay result;
  expect_same_as_tshark("dnp3_zeek_dnp3_file_read.pcap", false, result);
  if (HasFatalFailure() || IsSkipped()) return;
  bool saw_open = false;
  for (const auto& op : result.sink.operations) {
    if (op.code != 25) continue;
    saw_open = true;
    EXPECT_FALSE(op.is_write);  // opened for reading
    EXPECT_EQ(op.object, "File Command");
  }
  EXPECT_TRUE(saw_open);
}

TEST(Dnp3Golden, ItiSecureAuthentication) {
  Replay result;
  expect_same_as_tshark("dnp3_iti_auth_change_session_keys.pcap", false, result);
  if (HasFatalFailure() || IsSkipped()) return;
  std::set<std::string> objects;
  for (const auto& op : result.sink.operations) objects.insert(op.object);
  EXPECT_TRUE(objects.count("Authentication Session Key Status Request"));
  EXPECT_TRUE(objects.count("Authentication Session Key Status"));
}

}  // namespace
}  // namespace ots::dnp3
