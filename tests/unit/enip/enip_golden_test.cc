// Golden test over the shared public captures (see shared/pcaps/GROUND_TRUTH.md): the CIP
// services the session reports must equal the ones tshark decodes, identities must reach the
// responding side, and I/O connection ids must match tshark's. Payloads are extracted with
// tshark at test time; the test skips when the captures or tshark are absent.
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

#include "dissectors/enip/enip_session.h"
#include "dissectors/enip/enip_tables.h"
#include "tests/unit/enip/recording_sink.h"

namespace ots::enip {
namespace {

using enip_test::RecordingSink;

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
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

struct Replay {
  RecordingSink sink;
  size_t flows = 0;
  size_t confirmed_flows = 0;
  size_t rejected_flows = 0;
  std::set<uint32_t> cip_services;  // with the response bit, as tshark's cip.service
  std::set<uint32_t> io_connections;
};

constexpr uint16_t kEnipPort = 44818;

// One session per TCP stream and per UDP endpoint pair; the server of a UDP flow is the side on
// 44818, else the destination of its first datagram.
void replay(const std::filesystem::path& pcap, Replay& out) {
  struct Flow {
    std::unique_ptr<EnipSession> session;
    std::string server;
  };
  std::map<std::string, Flow> flows;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() +
                                    "' -Y '(tcp.len>0 && tcp.port==44818) || (udp && (udp.port==44818 || "
                                    "udp.port==2222))' -T fields -e ip.src -e ip.dst -e tcp.stream -e tcp.srcport "
                                    "-e tcp.dstport -e tcp.payload -e udp.srcport -e udp.dstport -e udp.payload")) {
    auto c = split(line, '\t');
    if (c.size() != 9) continue;
    bool tcp = !c[2].empty();
    FlowContext ctx;
    ctx.transport = tcp ? 6 : 17;
    std::string src = c[0] + ":" + (tcp ? c[3] : c[6]);
    std::string dst = c[1] + ":" + (tcp ? c[4] : c[7]);
    std::string key = tcp ? "tcp" + c[2] : (src < dst ? src + "|" + dst : dst + "|" + src);
    Flow& flow = flows[key];
    if (!flow.session) {
      flow.session = std::make_unique<EnipSession>(out.sink);
      uint16_t src_port = uint16_t(std::stoul(tcp ? c[3] : c[6]));
      flow.server = src_port == kEnipPort ? src : dst;
    }
    Direction dir = src == flow.server ? Direction::FromServer : Direction::FromClient;
    auto payload = from_hex(tcp ? c[5] : c[8]);
    size_t before = out.sink.confirmations.size();
    flow.session->data(ctx, dir, payload);
    if (out.sink.confirmations.size() > before) ++out.confirmed_flows;
  }
  FlowContext ctx;
  for (auto& [key, flow] : flows) {
    flow.session->end(ctx, Direction::FromClient);
    flow.session->end(ctx, Direction::FromServer);
    if (flow.session->rejected()) ++out.rejected_flows;
  }
  out.flows = flows.size();
  for (const auto& op : out.sink.operations) {
    if (op.code == kIoOperationCode && op.name == "I/O data") {
      out.io_connections.insert(op.unit);
    } else if (op.name != command_name(uint16_t(op.code))) {
      out.cip_services.insert(op.code | (op.is_request ? 0 : kResponseBit));
    }
  }
}

std::set<uint32_t> tshark_values(const std::filesystem::path& pcap, const std::string& field) {
  std::set<uint32_t> values;
  for (const auto& line : run_lines("tshark -n -r '" + pcap.string() + "' -Y " + field +
                                    " -T fields -E occurrence=a -E aggregator=, -e " + field)) {
    for (const auto& value : split(line, ',')) {
      if (!value.empty()) values.insert(uint32_t(std::stoul(value, nullptr, 16)));
    }
  }
  return values;
}

bool prepare(const char* file, std::filesystem::path& pcap) {
  pcap = kPcapDir / file;
  return std::filesystem::exists(pcap) && have_tshark();
}

void expect_clean(const Replay& result) {
  EXPECT_GT(result.flows, 0u);
  EXPECT_EQ(result.confirmed_flows, result.flows);
  EXPECT_EQ(result.rejected_flows, 0u);
  std::map<std::string, size_t> anomalies;
  for (const auto& a : result.sink.anomalies) ++anomalies[a];
  EXPECT_TRUE(anomalies.empty()) << anomalies.size() << " kinds, first " << anomalies.begin()->first << " x"
                                 << anomalies.begin()->second;
}

TEST(EnipGolden, CisagovEnipCipExample) {
  std::filesystem::path pcap;
  if (!prepare("enip_cisagov_enip_cip_example.pcap", pcap)) GTEST_SKIP() << "capture or tshark missing";
  Replay result;
  replay(pcap, result);
  expect_clean(result);
  EXPECT_EQ(result.cip_services, tshark_values(pcap, "cip.service"));
  EXPECT_EQ(result.io_connections, tshark_values(pcap, "enip.cpf.sai.connid"));
  const RecordingSink& sink = result.sink;
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Vendor, "Rockwell Automation/Allen-Bradley"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::DeviceType, "Communications Adapter"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::SerialNumber, "0x00524d8e"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "1756-ENBT/A"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "4.3"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description,
                                "CIP vendor id 1, device type 12, product code 58"));
}

TEST(EnipGolden, ItiIpAddressChangeAttempt) {
  std::filesystem::path pcap;
  if (!prepare("enip_iti_quickdraw_EIP-IPAddressChangeAttempt.pcap", pcap)) GTEST_SKIP() << "capture or tshark missing";
  Replay result;
  replay(pcap, result);
  expect_clean(result);
  EXPECT_EQ(result.cip_services, tshark_values(pcap, "cip.service"));
  const RecordingSink& sink = result.sink;
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::SerialNumber, "0x0051aec3"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "1756-ENBT/A"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "4.7"));
  // The tool reads the Port object through Unconnected Send: both operations are reported.
  size_t routed = 0, port_reads = 0;
  for (const auto& op : sink.operations) {
    routed += op.is_request && op.name == "Unconnected Send";
    port_reads += op.is_request && op.name == "Get_Attribute_Single" && op.unit == 0xF4;
  }
  EXPECT_EQ(routed, 223u + 88u + 129u);
  EXPECT_EQ(port_reads, 129u);
}

TEST(EnipGolden, ItiFirmwareChange) {
  std::filesystem::path pcap;
  if (!prepare("enip_iti_quickdraw_EIP-FirmwareChange.pcap", pcap)) GTEST_SKIP() << "capture or tshark missing";
  Replay result;
  replay(pcap, result);
  expect_clean(result);
  EXPECT_EQ(result.cip_services, tshark_values(pcap, "cip.service"));
  size_t firmware_writes = 0;
  bool reset = false;
  for (const auto& op : result.sink.operations) {
    firmware_writes += op.unit == 0xA1 && op.is_write && op.is_request;
    reset |= op.code == 0x05 && op.unit == 0x01 && op.is_write;
  }
  EXPECT_EQ(firmware_writes, 5243u + 2u);  // 0x4D transfers, 0x4B begin, 0x51 end
  EXPECT_TRUE(reset);
}

TEST(EnipGolden, ItiSoftwareUpload) {
  std::filesystem::path pcap;
  if (!prepare("enip_iti_quickdraw_EIP-SoftwareUpload.pcap", pcap)) GTEST_SKIP() << "capture or tshark missing";
  Replay result;
  replay(pcap, result);
  expect_clean(result);
  EXPECT_EQ(result.cip_services, tshark_values(pcap, "cip.service"));
}

TEST(EnipGolden, NdpiCipIo) {
  std::filesystem::path pcap;
  if (!prepare("enip_ndpi_cip_io.pcap", pcap)) GTEST_SKIP() << "capture or tshark missing";
  Replay result;
  replay(pcap, result);
  expect_clean(result);
  EXPECT_EQ(result.io_connections, (std::set<uint32_t>{0x003a7b78, 0x7691b4eb}));
}

}  // namespace
}  // namespace ots::enip
