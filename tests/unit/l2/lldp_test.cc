// LLDP: wire parser on built LLDPDUs, session events, anomalies, truncation, and a
// golden replay of the shared captures checked against tshark.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/lldp/lldp_session.h"
#include "dissectors/lldp/lldp_wire.h"
#include "tests/unit/l2/l2_test_support.h"

namespace ots::lldp {
namespace {

using l2_test::RecordingSink;
using Frame = std::vector<uint8_t>;

void add_tlv(Frame& f, uint8_t type, const Frame& value) {
  f.push_back(static_cast<uint8_t>(type << 1 | value.size() >> 8));
  f.push_back(static_cast<uint8_t>(value.size()));
  f.insert(f.end(), value.begin(), value.end());
}
Frame text(std::string_view s) { return Frame(s.begin(), s.end()); }
Frame cat(Frame a, const Frame& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Frame mandatory_tlvs() {
  Frame f;
  add_tlv(f, tlv::kChassisId, {chassis_subtype::kMacAddress, 0x00, 0x01, 0x30, 0xf9, 0xad, 0xa0});
  add_tlv(f, tlv::kPortId, cat({5}, text("1/1")));
  add_tlv(f, tlv::kTtl, {0x00, 0x78});
  return f;
}

Frame full_pdu() {
  Frame f = mandatory_tlvs();
  add_tlv(f, tlv::kPortDescription, text("Port 1001"));
  add_tlv(f, tlv::kSystemName, text("sw-core-1"));
  add_tlv(f, tlv::kSystemDescription, text("Example OS 7.4"));
  add_tlv(f, tlv::kSystemCapabilities, {0x00, 0x14, 0x00, 0x14});  // bridge + router, both enabled
  add_tlv(f, tlv::kManagementAddress, {5, 1, 192, 168, 0, 1, 2, 0, 0, 0, 1, 0});
  add_tlv(f, tlv::kOrganizationSpecific, {0x00, 0x80, 0xC2, 0x01, 0x00, 0x32});  // port VLAN 50
  add_tlv(f, tlv::kOrganizationSpecific, cat({0x00, 0x12, 0xBB, 5}, text("HW 1")));
  add_tlv(f, tlv::kOrganizationSpecific, cat({0x00, 0x12, 0xBB, 6}, text("FW 2.0")));
  add_tlv(f, tlv::kOrganizationSpecific, cat({0x00, 0x12, 0xBB, 7}, text("SW 3.1")));
  add_tlv(f, tlv::kOrganizationSpecific, cat({0x00, 0x12, 0xBB, 8}, text("SN123")));
  add_tlv(f, tlv::kOrganizationSpecific, cat({0x00, 0x12, 0xBB, 9}, text("Acme")));
  add_tlv(f, tlv::kOrganizationSpecific, cat({0x00, 0x12, 0xBB, 10}, text("Model X")));
  add_tlv(f, tlv::kEnd, {});
  f.insert(f.end(), 6, 0x00);  // Ethernet padding
  return f;
}

TEST(LldpWire, ParsesEveryKnownTlv) {
  Frame f = full_pdu();
  Lldpdu pdu = parse_lldpdu(f);
  EXPECT_EQ(pdu.anomaly, Anomaly::None);
  EXPECT_TRUE(pdu.has_end);
  EXPECT_EQ(pdu.chassis_subtype, chassis_subtype::kMacAddress);
  EXPECT_EQ(pdu.chassis_id.size(), 6u);
  EXPECT_EQ(pdu.port_subtype, 5);
  EXPECT_EQ(as_chars(pdu.port_id), "1/1");
  EXPECT_EQ(pdu.ttl, 120);
  EXPECT_EQ(pdu.port_description, "Port 1001");
  EXPECT_EQ(pdu.system_name, "sw-core-1");
  EXPECT_EQ(pdu.system_description, "Example OS 7.4");
  EXPECT_TRUE(pdu.has_capabilities);
  EXPECT_EQ(pdu.enabled_capabilities, capability::kBridge | capability::kRouter);
  EXPECT_EQ(pdu.management.subtype, 1);
  ASSERT_EQ(pdu.management.address.size(), 4u);
  EXPECT_EQ(IpAddr::v4(pdu.management.address.data()).str(), "192.168.0.1");
  EXPECT_EQ(pdu.port_vlan_id, 50);
  EXPECT_EQ(pdu.med.hardware_revision, "HW 1");
  EXPECT_EQ(pdu.med.firmware_revision, "FW 2.0");
  EXPECT_EQ(pdu.med.software_revision, "SW 3.1");
  EXPECT_EQ(pdu.med.serial_number, "SN123");
  EXPECT_EQ(pdu.med.manufacturer, "Acme");
  EXPECT_EQ(pdu.med.model, "Model X");
  EXPECT_EQ(pdu.tlv_count, 16u);  // End of LLDPDU included
}

TEST(LldpWire, EndIsOptional) {
  Lldpdu pdu = parse_lldpdu(mandatory_tlvs());
  EXPECT_EQ(pdu.anomaly, Anomaly::None);
  EXPECT_FALSE(pdu.has_end);
}

TEST(LldpWire, MandatoryTlvsOutOfOrder) {
  Frame f;
  add_tlv(f, tlv::kPortId, cat({5}, text("1/1")));
  add_tlv(f, tlv::kChassisId, {4, 1, 2, 3, 4, 5, 6});
  add_tlv(f, tlv::kTtl, {0, 120});
  EXPECT_EQ(parse_lldpdu(f).anomaly, Anomaly::MissingMandatoryTlv);
}

TEST(LldpWire, EndBeforeTtlIsMissingMandatoryTlv) {
  Frame f;
  add_tlv(f, tlv::kChassisId, {4, 1, 2, 3, 4, 5, 6});
  add_tlv(f, tlv::kPortId, cat({5}, text("1/1")));
  add_tlv(f, tlv::kEnd, {});
  EXPECT_EQ(parse_lldpdu(f).anomaly, Anomaly::MissingMandatoryTlv);
}

TEST(LldpWire, TlvPastTheFrameIsInvalidLength) {
  Frame f = mandatory_tlvs();
  f.push_back(tlv::kSystemName << 1);
  f.push_back(40);  // 40 bytes announced, 3 present
  f.insert(f.end(), {'a', 'b', 'c'});
  Lldpdu pdu = parse_lldpdu(f);
  EXPECT_EQ(pdu.anomaly, Anomaly::InvalidTlvLength);
  EXPECT_EQ(pdu.ttl, 120);  // what came before stays parsed
}

TEST(LldpWire, WrongLengthForTypeIsInvalidLength) {
  Frame f = mandatory_tlvs();
  add_tlv(f, tlv::kSystemCapabilities, {0x00, 0x04});  // needs 4 bytes
  EXPECT_EQ(parse_lldpdu(f).anomaly, Anomaly::InvalidTlvLength);
  Frame short_ttl;
  add_tlv(short_ttl, tlv::kChassisId, {4, 1, 2, 3, 4, 5, 6});
  add_tlv(short_ttl, tlv::kPortId, cat({5}, text("1/1")));
  add_tlv(short_ttl, tlv::kTtl, {120});
  EXPECT_EQ(parse_lldpdu(short_ttl).anomaly, Anomaly::InvalidTlvLength);
}

TEST(LldpWire, TooManyTlvs) {
  Frame f = mandatory_tlvs();
  for (size_t i = 0; i < kMaxTlvs; ++i) add_tlv(f, tlv::kPortDescription, {});
  EXPECT_EQ(parse_lldpdu(f).anomaly, Anomaly::TooManyTlvs);
}

TEST(LldpWire, Probe) {
  Frame f = full_pdu();
  EXPECT_EQ(probe(f), ProbeResult::Match);
  EXPECT_EQ(probe(Bytes(f.data(), 1)), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Bytes(f.data(), 4)), ProbeResult::NeedMoreData);
  Frame not_lldp = {0x45, 0x00, 0x00, 0x54};
  EXPECT_EQ(probe(not_lldp), ProbeResult::NoMatch);
}

TEST(LldpSession, ReportsSenderIdentity) {
  RecordingSink sink;
  LldpSession session(sink);
  FlowContext ctx = l2_test::l2_context("00:01:30:f9:ad:a0", "01:80:c2:00:00:0e");
  Frame f = full_pdu();
  session.data(ctx, Direction::FromClient, f);
  const char* mac = "00:01:30:f9:ad:a0";
  EXPECT_EQ(sink.confirmations, std::vector<std::string>{mac});
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Hostname, "sw-core-1"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Description, "Example OS 7.4"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::DeviceType, "Switch"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::HardwareRevision, "HW 1"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::FirmwareVersion, "FW 2.0"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::SerialNumber, "SN123"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Vendor, "Acme"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::ProductName, "Model X"));
  for (const auto& i : sink.identities) EXPECT_EQ(i.side, Side::Client);
  EXPECT_TRUE(sink.operations.empty());
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(LldpSession, ConfirmsOncePerSender) {
  RecordingSink sink;
  LldpSession session(sink);
  Frame f = full_pdu();
  FlowContext a = l2_test::l2_context("00:00:00:00:00:0a", "01:80:c2:00:00:0e");
  FlowContext b = l2_test::l2_context("00:00:00:00:00:0b", "01:80:c2:00:00:0e");
  session.data(a, Direction::FromClient, f);
  session.data(a, Direction::FromClient, f);
  session.data(b, Direction::FromClient, f);
  session.data(a, Direction::FromClient, f);
  EXPECT_EQ(sink.confirmations, (std::vector<std::string>{"00:00:00:00:00:0a", "00:00:00:00:00:0b"}));
}

TEST(LldpSession, RouterOnlyAndLocallyAssignedChassisName) {
  RecordingSink sink;
  LldpSession session(sink);
  Frame f;
  add_tlv(f, tlv::kChassisId, cat({chassis_subtype::kLocallyAssigned}, text("plc-station-1")));
  add_tlv(f, tlv::kPortId, cat({7}, text("port-001")));
  add_tlv(f, tlv::kTtl, {0, 20});
  add_tlv(f, tlv::kSystemCapabilities, {0x00, 0x14, 0x00, 0x10});
  add_tlv(f, tlv::kEnd, {});
  FlowContext ctx = l2_test::l2_context("00:00:00:00:00:01", "01:80:c2:00:00:0e");
  session.data(ctx, Direction::FromClient, f);
  EXPECT_TRUE(sink.has_identity(IdentityField::Hostname, "plc-station-1"));
  EXPECT_TRUE(sink.has_identity(IdentityField::DeviceType, "Router"));
}

TEST(LldpSession, MalformedFrameReportsAnomalyWithoutConfirming) {
  RecordingSink sink;
  LldpSession session(sink);
  Frame f;
  add_tlv(f, tlv::kSystemName, text("x"));
  session.data(l2_test::l2_context("00:00:00:00:00:01", "01:80:c2:00:00:0e"), Direction::FromClient, f);
  EXPECT_TRUE(sink.has_anomaly("lldp.missing_mandatory_tlv"));
  EXPECT_TRUE(sink.confirmations.empty());
  EXPECT_TRUE(sink.identities.empty());
  EXPECT_FALSE(session.rejected());
}

TEST(LldpSession, EveryPrefixIsSafe) { l2_test::feed_every_prefix<LldpSession>(full_pdu()); }

// Golden: every LLDP sender tshark sees is confirmed, and its system name / description reach it.
void expect_lldp_matches_tshark(const char* file, RecordingSink& sink) {
  auto pcap = l2_test::kPcapDir / file;
  LldpSession session(sink);
  size_t fed = l2_test::replay_capture(pcap, kEthertype, session);
  auto rows =
      l2_test::tshark_rows(pcap, "lldp", "-e eth.src -e lldp.tlv.system.name -e lldp.tlv.system.desc");
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(fed, rows.size());
  std::set<std::string> senders;
  for (const auto& row : rows) {
    std::vector<std::string> columns;
    size_t start = 0;
    for (size_t tab; (tab = row.find('\t', start)) != std::string::npos; start = tab + 1)
      columns.push_back(row.substr(start, tab - start));
    columns.push_back(row.substr(start));
    ASSERT_EQ(columns.size(), 3u) << row;
    senders.insert(columns[0]);
    if (!columns[1].empty()) {
      EXPECT_TRUE(sink.has_identity(columns[0], IdentityField::Hostname, columns[1]));
    }
    if (!columns[2].empty()) {
      EXPECT_TRUE(sink.has_identity(columns[0], IdentityField::Description, columns[2]));
    }
  }
  EXPECT_EQ(std::set<std::string>(sink.confirmations.begin(), sink.confirmations.end()), senders);
  EXPECT_EQ(sink.confirmations.size(), senders.size());
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
}

TEST(LldpGolden, ExtremeSummit) {
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / "lldp_assimilation_lldp.detailed.pcap");
  RecordingSink sink;
  expect_lldp_matches_tshark("lldp_assimilation_lldp.detailed.pcap", sink);
  const char* mac = "00:01:30:f9:ad:a0";
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Hostname, "Summit300-48"));
  EXPECT_TRUE(
      sink.has_identity(mac, IdentityField::Description,
                        "Summit300-48 - Version 7.4e.1 (Build 5) by Release_Master 05/27/05 04:53:11"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::DeviceType, "Switch"));
}

TEST(LldpGolden, ProCurveWithLldpMed) {
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / "lldp_assimilation_lldpmed_civicloc.pcap");
  RecordingSink sink;
  expect_lldp_matches_tshark("lldp_assimilation_lldpmed_civicloc.pcap", sink);
  const char* mac = "00:13:21:57:ca:7f";
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Hostname, "ProCurve Switch 2600-8-PWR"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::DeviceType, "Switch"));
}

TEST(LldpGolden, SimocodeInProfinetRecording) {
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / "profinet_plc4x_working-profinet-recording.pcapng");
  RecordingSink sink;
  expect_lldp_matches_tshark("profinet_plc4x_working-profinet-recording.pcapng", sink);
  EXPECT_TRUE(sink.has_identity("88:3f:99:00:06:e0", IdentityField::Description,
                                "Siemens, SIMOCODE pro V PN, 3UF7 011-1AU00-0, FW: Version V02.01.03"));
}

TEST(LldpGolden, ProfinetSwitchNamedByChassisId) {
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / "profinet_cisagov_profinet_io_cm_mixed_1.pcap");
  RecordingSink sink;
  expect_lldp_matches_tshark("profinet_cisagov_profinet_io_cm_mixed_1.pcap", sink);
  EXPECT_TRUE(sink.has_identity("00:0e:8c:ef:75:c9", IdentityField::Hostname, "siemens-x208-switch"));
  EXPECT_TRUE(sink.has_identity("00:09:91:43:e0:68", IdentityField::Hostname, "versamax-pns11"));
  EXPECT_TRUE(sink.has_identity("00:0e:8c:ef:75:cd", IdentityField::Description,
                                "Siemens AG SIMATIC S7 MULTIPORT SCALANCE X 200 FAM"));
}

}  // namespace
}  // namespace ots::lldp
