// Golden checks over the public captures in <repo>/../shared/pcaps: TCP payloads are
// extracted with tshark at test time, fed to one session per stream, and the results
// compared with GROUND_TRUTH.md (identities) and with tshark's own S7 decoding
// (the set of rosctr | function | group | subfunction rows).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dissectors/s7comm/s7comm_session.h"
#include "s7comm_test_util.h"

namespace ots::s7comm {
namespace {

const std::filesystem::path kPcapDir = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";

std::string run(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return out;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0) out.append(buffer, n);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return parts;
}

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

class S7commGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(kPcapDir)) GTEST_SKIP() << "no " << kPcapDir;
    if (run("command -v tshark 2>/dev/null").empty()) GTEST_SKIP() << "tshark is not installed";
  }

  std::string path(const std::string& file) const { return (kPcapDir / file).string(); }

  // Feeds every TCP stream of `file` to its own session (server = port 102); events go to `sink`.
  size_t replay(const std::string& file, s7test::RecordingSink& sink, size_t* rejected = nullptr,
                size_t* confirmed = nullptr) {
    std::string out =
        run("tshark -n -r '" + path(file) +
            "' -Y 'tcp.len>0' -T fields -e tcp.stream -e tcp.srcport -e tcp.payload 2>/dev/null");
    std::map<int, std::unique_ptr<Session>> sessions;
    FlowContext ctx;
    for (const std::string& line : split(out, '\n')) {
      auto fields = split(line, '\t');
      if (fields.size() < 3 || fields[2].empty()) continue;
      auto& session = sessions[std::stoi(fields[0])];
      if (!session) session = std::make_unique<Session>(sink);
      Direction dir = std::stoi(fields[1]) == 102 ? Direction::FromServer : Direction::FromClient;
      std::vector<uint8_t> payload = from_hex(fields[2]);
      session->data(ctx, dir, payload);
    }
    for (auto& [stream, session] : sessions) {
      session->end(ctx, Direction::FromClient);
      session->end(ctx, Direction::FromServer);
      if (rejected) *rejected += session->rejected();
      if (confirmed) *confirmed += session->confirmed();
    }
    return sessions.size();
  }
};

TEST_F(S7commGolden, Snap7S300Identity) {
  s7test::RecordingSink sink;
  ASSERT_GT(replay("s7comm_iti_gymgit_snap7_s300_everything.pcapng", sink), 0u);
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::OrderNumber), "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Hostname), "S7300/ET200M station_1");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::ModuleName), "PLC_1");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::SerialNumber), "S C-B1U393142011");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::ProductName), "CPU 315-2 PN/DP");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::FirmwareVersion), "V3.2.7");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::CpuState), "RUN");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Vendor), "Siemens");
  EXPECT_EQ(sink.identity_value(Side::Client, IdentityField::OrderNumber), "");
}

TEST_F(S7commGolden, ReadingPlcStatusIdentity) {
  s7test::RecordingSink sink;
  ASSERT_GT(replay("s7comm_iti_reading_plc_status.pcap", sink), 0u);
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::OrderNumber), "6ES7 151-8AB01-0AB0");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Hostname), "IM151-8-CPU");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::ModuleName), "IM151-8 PN/DP CPU");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::SerialNumber), "S C-C6TW74882012");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::FirmwareVersion), "V3.2.6");
}

// (rosctr, function, group, subfunction) rows in tshark's "-E occurrence=a -E aggregator=," shape.
std::set<std::string> rows_from_operations(const s7test::RecordingSink& sink) {
  std::set<std::string> rows;
  char row[32];
  for (const auto& r : sink.operations) {
    const Operation& op = r.op;
    if (op.code & kUserdataCode) {
      std::snprintf(row, sizeof row, "7||%u|%u", (op.code >> 8) & 0xFF, op.code & 0xFF);
    } else {
      std::snprintf(row, sizeof row, "%d|0x%02x||", op.is_request ? 1 : 3, op.code);
    }
    rows.insert(row);
  }
  return rows;
}

TEST_F(S7commGolden, Step7DownloadFunctionsMatchTshark) {
  const std::string file = "s7comm_iti_gymgit_step7_s300_download.pcapng";
  s7test::RecordingSink sink;
  ASSERT_GT(replay(file, sink), 0u);
  std::string out = run("tshark -n -r '" + path(file) +
                        "' -Y s7comm -T fields -E separator='|' -E occurrence=a -E aggregator=, "
                        "-e s7comm.header.rosctr -e s7comm.param.func -e s7comm.param.userdata.funcgroup "
                        "-e s7comm.param.userdata.subfunc 2>/dev/null");
  std::set<std::string> expected;
  for (const std::string& line : split(out, '\n')) {
    auto f = split(line, '|');
    if (f.size() != 4) continue;
    // A frame with several PDUs lists each field's values in order: zip them back per PDU.
    auto rosctrs = split(f[0], ','), funcs = split(f[1], ','), groups = split(f[2], ','),
         subs = split(f[3], ',');
    size_t next_func = 0, next_userdata = 0;
    for (const std::string& r : rosctrs) {
      if (r == "7") {
        expected.insert("7||" + groups.at(next_userdata) + "|" + subs.at(next_userdata));
        ++next_userdata;
      } else {
        expected.insert(r + "|" + funcs.at(next_func++) + "||");
      }
    }
  }
  ASSERT_EQ(expected.size(), 14u);  // GROUND_TRUTH.md: 14 distinct rows
  EXPECT_EQ(rows_from_operations(sink), expected);
}

TEST_F(S7commGolden, CleanCapturesConfirmWithoutAnomalies) {
  for (const char* file :
       {"s7comm_iti_gymgit_snap7_s300_everything.pcapng", "s7comm_iti_gymgit_step7_s300_download.pcapng",
        "s7comm_iti_gymgit_tia_s300_goOnline.pcapng", "s7comm_iti_gymgit_wincc_s400_production.pcapng",
        "s7comm_iti_reading_plc_status.pcap", "s7comm_iti_varservice_libnodavedemo_bench.pcap"}) {
    s7test::RecordingSink sink;
    size_t rejected = 0, confirmed = 0;
    size_t sessions = replay(file, sink, &rejected, &confirmed);
    EXPECT_GT(sessions, 0u) << file;
    EXPECT_EQ(confirmed, sessions) << file;
    EXPECT_EQ(rejected, 0u) << file;
    std::string anomalies;
    for (const auto& a : sink.anomalies) anomalies += a + " ";
    EXPECT_TRUE(sink.anomalies.empty()) << file << ": " << anomalies;
  }
}

TEST_F(S7commGolden, S7commPlusCapturesAreLeftAlone) {
  for (const char* file :
       {"s7commplus_iti_S7-1200-Uploading-OB1-TIAV12.pcap",
        "s7commplus_iti_S7-1511-opc-request-all-types.pcap", "s7commplus_iti_s7-1200-hmi.pcap"}) {
    s7test::RecordingSink sink;
    size_t rejected = 0, confirmed = 0;
    size_t sessions = replay(file, sink, &rejected, &confirmed);
    EXPECT_GT(sessions, 0u) << file;
    EXPECT_EQ(confirmed, 0u) << file;
    EXPECT_TRUE(sink.anomalies.empty()) << file;
    EXPECT_TRUE(sink.operations.empty()) << file;
  }
}

}  // namespace
}  // namespace ots::s7comm
