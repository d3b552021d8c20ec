// Golden checks over the public captures in <repo>/../shared/pcaps: UDP payloads are extracted
// with tshark at test time, fed one datagram per call to one session per flow (client = the
// first sender), and the results compared with tshark's own BACnet decoding and GROUND_TRUTH.md.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "bacnet_test_util.h"
#include "dissectors/bacnet/bacnet_session.h"

namespace ots::bacnet {
namespace {

const std::filesystem::path kPcapDir = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";
constexpr const char* kExample = "bacnet_cisagov_bacnet_example.pcap";
constexpr const char* kSegmented = "bacnet_cisagov_bacnet_segmented_data.pcap";
constexpr const char* kErrorRejectAbort = "bacnet_cisagov_bacnet_error_reject_abort.pcap";

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
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

struct Replay {
  size_t flows = 0, confirmed = 0, rejected = 0;
};

class BacnetGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(kPcapDir)) GTEST_SKIP() << "no " << kPcapDir;
    if (run("command -v tshark 2>/dev/null").empty()) GTEST_SKIP() << "tshark is not installed";
  }

  std::string path(const std::string& file) const { return (kPcapDir / file).string(); }

  std::string tshark(const std::string& file, const std::string& args) const {
    return run("tshark -n -r '" + path(file) + "' " + args + " 2>/dev/null");
  }

  // One session per UDP flow (endpoint pair); the first sender is the client.
  Replay replay(const std::string& file, bactest::RecordingSink& sink) {
    std::string out = tshark(file,
                             "-Y udp -T fields -e frame.time_epoch -e ip.src -e ip.dst -e udp.srcport "
                             "-e udp.dstport -e udp.payload");
    struct Flow {
      FlowContext ctx;
      std::unique_ptr<Session> session;
    };
    std::map<std::string, Flow> flows;
    for (const std::string& line : split(out, '\n')) {
      auto f = split(line, '\t');
      if (f.size() < 6 || f[5].empty()) continue;
      std::string a = f[1] + ":" + f[3], b = f[2] + ":" + f[4];
      Flow& flow = flows[a < b ? a + "-" + b : b + "-" + a];
      if (!flow.session) {
        flow.session = std::make_unique<Session>(sink);
        flow.ctx.transport = 17;
        flow.ctx.client_ip = *IpAddr::parse(f[1]);
        flow.ctx.server_ip = *IpAddr::parse(f[2]);
        flow.ctx.client_port = static_cast<uint16_t>(std::stoi(f[3]));
        flow.ctx.server_port = static_cast<uint16_t>(std::stoi(f[4]));
      }
      flow.ctx.ts_ns = static_cast<int64_t>(std::stod(f[0]) * 1e9);
      bool from_client =
          flow.ctx.client_ip == *IpAddr::parse(f[1]) && flow.ctx.client_port == std::stoi(f[3]);
      std::vector<uint8_t> payload = from_hex(f[5]);
      flow.session->data(flow.ctx, from_client ? Direction::FromClient : Direction::FromServer, payload);
    }
    Replay result;
    for (auto& [key, flow] : flows) {
      ++result.flows;
      result.confirmed += flow.session->confirmed();
      result.rejected += flow.session->rejected();
    }
    return result;
  }

  // (sender ip, "device instance N", vendor name) of every I-Am, as tshark decodes them.
  std::set<std::tuple<std::string, std::string, std::string>> tshark_i_ams(const std::string& file) const {
    std::set<std::tuple<std::string, std::string, std::string>> rows;
    std::string out = tshark(file,
                             "-Y 'bacapp.unconfirmed_service == 0' -T fields -E separator='|' "
                             "-e ip.src -e bacapp.instance_number -e bacapp.vendor_identifier");
    for (const std::string& line : split(out, '\n')) {
      auto f = split(line, '|');
      if (f.size() != 3 || f[0].empty()) continue;
      uint32_t vendor = static_cast<uint32_t>(std::stoul(f[2]));
      std::string name(vendor_name(vendor));
      rows.insert({f[0], "device instance " + f[1], name.empty() ? "BACnet vendor " + f[2] : name});
    }
    return rows;
  }

  // The same from our events: an I-Am reports its Description and then its Vendor.
  static std::set<std::tuple<std::string, std::string, std::string>> our_i_ams(
      const bactest::RecordingSink& sink) {
    std::set<std::tuple<std::string, std::string, std::string>> rows;
    const auto& ids = sink.identities;
    for (size_t i = 0; i + 1 < ids.size(); ++i) {
      if (ids[i].field == IdentityField::Description && ids[i].value.rfind("device instance ", 0) == 0 &&
          ids[i + 1].field == IdentityField::Vendor && ids[i + 1].ip == ids[i].ip) {
        rows.insert({ids[i].ip, ids[i].value, ids[i + 1].value});
      }
    }
    return rows;
  }

  // Operation counts keyed like tshark's bacapp.type|confirmed_service|unconfirmed_service rows,
  // with Simple-ACK and Complex-ACK merged ("ack") since an Operation does not tell them apart.
  static std::map<std::string, size_t> our_services(const bactest::RecordingSink& sink) {
    std::map<std::string, size_t> counts;
    for (const auto& r : sink.operations) {
      const Operation& op = r.op;
      std::string key;
      if (op.code >= kPduCodeBase) {
        key = std::to_string(op.code - kPduCodeBase) + "||";
      } else if (op.code >= kUnconfirmedCodeBase) {
        key = "1||" + std::to_string(op.code - kUnconfirmedCodeBase);
      } else if (op.is_request) {
        key = "0|" + std::to_string(op.code) + "|";
      } else {
        key = (op.is_error ? "5|" : "ack|") + std::to_string(op.code) + "|";
      }
      ++counts[key];
    }
    return counts;
  }

  std::map<std::string, size_t> tshark_services(const std::string& file) const {
    std::map<std::string, size_t> counts;
    std::string out =
        tshark(file,
               "-Y bacapp -T fields -E separator='|' -e bacapp.type -e bacapp.confirmed_service "
               "-e bacapp.unconfirmed_service");
    for (const std::string& line : split(out, '\n')) {
      auto f = split(line, '|');
      if (f.size() != 3 || f[0].empty()) continue;
      std::string type = f[0] == "2" || f[0] == "3" ? "ack" : f[0];
      ++counts[type + "|" + f[1] + "|" + f[2]];
    }
    return counts;
  }
};

TEST_F(BacnetGolden, ExampleIAmsMatchTshark) {
  bactest::RecordingSink sink;
  Replay r = replay(kExample, sink);
  auto expected = tshark_i_ams(kExample);
  ASSERT_EQ(expected.size(), 30u);  // GROUND_TRUTH.md: 30 distinct I-Am rows
  EXPECT_EQ(our_i_ams(sink), expected);
  EXPECT_TRUE(expected.count({"172.20.32.108", "device instance 721", "Cornell University"}));
  EXPECT_TRUE(expected.count({"172.20.32.107", "device instance 456", "Scada Engine"}));
  EXPECT_TRUE(expected.count({"172.20.32.119", "device instance 303", "D-Tek Controls"}));
  EXPECT_EQ(r.rejected, 0u);
}

TEST_F(BacnetGolden, ExampleDeviceReadsGiveIdentity) {
  bactest::RecordingSink sink;
  replay(kExample, sink);
  // Hostname facts = tshark's object names of device objects in Complex-ACKs.
  std::set<std::pair<std::string, std::string>> expected, ours;
  std::string out = tshark(kExample,
                           "-Y 'bacapp.type == 3 && bacapp.objectType == 8 && bacapp.object_name' -T fields "
                           "-E separator='|' -e ip.src -e bacapp.object_name");
  for (const std::string& line : split(out, '\n')) {
    auto f = split(line, '|');
    if (f.size() == 2 && !f[0].empty()) expected.insert({f[0], f[1]});
  }
  ASSERT_EQ(expected.size(), 30u);
  std::map<std::pair<std::string, IdentityField>, std::string> last;
  for (const auto& i : sink.identities) {
    if (i.field == IdentityField::Hostname) ours.insert({i.ip, i.value});
    last[{i.ip, i.field}] = i.value;
  }
  EXPECT_EQ(ours, expected);
  // 172.20.32.108 (device 721): checked by hand against tshark -V.
  EXPECT_EQ((last[{"172.20.32.108", IdentityField::Hostname}]), "PLC_12");
  EXPECT_EQ((last[{"172.20.32.108", IdentityField::ProductName}]), "ETA-633");
  EXPECT_EQ((last[{"172.20.32.108", IdentityField::FirmwareVersion}]), "3.8.4");
  std::set<std::string> descriptions;
  for (const auto& i : sink.identities) {
    if (i.ip == "172.20.32.108" && i.field == IdentityField::Description) descriptions.insert(i.value);
  }
  EXPECT_EQ(descriptions, (std::set<std::string>{"device instance 721", "application software 1.3.3",
                                                 "location bay_6436"}));
  // Analog-input object names (the Sensor_… rows) are not device identity.
  for (const auto& [ip, name] : ours) EXPECT_EQ(name.rfind("Sensor_", 0), std::string::npos) << ip;
}

TEST_F(BacnetGolden, SegmentedAndErrorCapturesIAms) {
  for (const char* file : {kSegmented, kErrorRejectAbort}) {
    bactest::RecordingSink sink;
    replay(file, sink);
    EXPECT_EQ(our_i_ams(sink), tshark_i_ams(file)) << file;
  }
  bactest::RecordingSink sink;
  replay(kSegmented, sink);
  auto ours = our_i_ams(sink);
  EXPECT_TRUE(ours.count({"10.0.0.1", "device instance 0", "Unitec Corporation"}));
  EXPECT_TRUE(ours.count({"10.0.0.2", "device instance 254", "Unitec Corporation"}));
}

TEST_F(BacnetGolden, ServicesMatchTshark) {
  for (const char* file : {kExample, kSegmented, kErrorRejectAbort}) {
    bactest::RecordingSink sink;
    replay(file, sink);
    EXPECT_EQ(our_services(sink), tshark_services(file)) << file;
  }
}

std::map<std::string, size_t> count(const std::vector<std::string>& names) {
  std::map<std::string, size_t> counts;
  for (const auto& n : names) ++counts[n];
  return counts;
}

TEST_F(BacnetGolden, ErrorRejectAbortCaptureHasOneMalformedMessage) {
  // Frame 28 (confirmedCOVNotificationMultiple) opens context tag [2] twice and closes [1] over
  // it; tshark shows the same two opening tags. Everything else decodes.
  bactest::RecordingSink sink;
  Replay r = replay(kErrorRejectAbort, sink);
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"bacnet.invalid_tag"});
  EXPECT_EQ(r.flows, 1u);
  EXPECT_EQ(r.confirmed, 1u);
  EXPECT_EQ(r.rejected, 0u);
  // Who-Am-I: the device describes itself (vendor 555 is not a registered vendor id).
  EXPECT_EQ(sink.identity_value(Side::Client, IdentityField::ProductName), "LMCP24");
  EXPECT_EQ(sink.identity_value(Side::Client, IdentityField::SerialNumber), "12345");
}

TEST_F(BacnetGolden, SegmentedCaptureIsClean) {
  bactest::RecordingSink sink;
  Replay r = replay(kSegmented, sink);
  EXPECT_GT(r.flows, 0u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(count(sink.anomalies), (std::map<std::string, size_t>{}));
}

TEST_F(BacnetGolden, ExampleAnomaliesAreTheWrongBvlcLengths) {
  // The generator of this capture wrote BVLC length 0x11 into every reinitializeDevice exchange.
  bactest::RecordingSink sink;
  Replay r = replay(kExample, sink);
  size_t wrong = 0;
  for (const std::string& hex : split(tshark(kExample, "-Y udp -T fields -e udp.payload"), '\n')) {
    std::vector<uint8_t> payload = from_hex(hex);
    wrong += payload.size() >= 4 && (size_t{payload[2]} << 8 | payload[3]) != payload.size();
  }
  EXPECT_EQ(wrong, 240u);  // 120 requests, 90 Errors, 30 Simple-ACKs
  EXPECT_EQ(count(sink.anomalies), (std::map<std::string, size_t>{{"bacnet.invalid_bvlc_length", wrong}}));
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.confirmed, r.flows);
}

}  // namespace
}  // namespace ots::bacnet
