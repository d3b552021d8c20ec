// CDP: wire parser on built PDUs (with and without the LLC/SNAP header), checksum,
// session events, anomalies, truncation, and a golden replay checked against tshark.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/cdp/cdp_session.h"
#include "dissectors/cdp/cdp_wire.h"
#include "tests/unit/l2/l2_test_support.h"

namespace ots::cdp {
namespace {

using l2_test::RecordingSink;
using Frame = std::vector<uint8_t>;

const Frame kSnap = {0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C, 0x20, 0x00};

void add_tlv(Frame& f, uint16_t type, const Frame& value) {
  size_t length = value.size() + 4;
  f.insert(f.end(), {uint8_t(type >> 8), uint8_t(type), uint8_t(length >> 8), uint8_t(length)});
  f.insert(f.end(), value.begin(), value.end());
}
Frame text(std::string_view s) { return Frame(s.begin(), s.end()); }

// Fills in the checksum the way Cisco computes it (so checksum_valid() holds).
void seal(Frame& pdu) {
  pdu[2] = pdu[3] = 0;
  for (uint16_t candidate = 0;; ++candidate) {
    pdu[2] = uint8_t(candidate >> 8);
    pdu[3] = uint8_t(candidate);
    if (checksum_valid(pdu) || candidate == 0xFFFF) return;
  }
}

Frame cdp_body(std::string_view device_id = "myswitch") {
  Frame f = {0x02, 180, 0x00, 0x00};
  add_tlv(f, tlv::kDeviceId, text(device_id));
  add_tlv(f, tlv::kAddresses, {0,    0,    0,    2,    1,    1, 0xCC, 0, 4,    192,  168, 0,  253,  // IPv4
                               2,    8,    0xAA, 0xAA, 0x03, 0, 0,    0, 0x86, 0xDD, 0,   16,       // IPv6
                               0xfe, 0x80, 0,    0,    0,    0, 0,    0, 0,    0,    0,   0,  0,   0, 0, 1});
  add_tlv(f, tlv::kPortId, text("FastEthernet0/1"));
  add_tlv(f, tlv::kCapabilities, {0, 0, 0, 0x29});  // router, switch, IGMP
  add_tlv(
      f, tlv::kSoftwareVersion,
      text("Cisco Internetwork Operating System Software \nIOS (tm) C2950 Software (C2950-I6K2L2Q4-M), "
           "Version 12.1(22)EA14, RELEASE SOFTWARE (fc1)\nCopyright (c) 1986-2010 by cisco Systems, Inc."));
  add_tlv(f, tlv::kPlatform, text("cisco WS-C2950-12"));
  add_tlv(f, tlv::kVtpDomain, text("MYDOMAIN"));
  add_tlv(f, tlv::kNativeVlan, {0x00, 0x01});
  add_tlv(f, tlv::kDuplex, {0x01});
  add_tlv(f, tlv::kManagementAddresses, {0, 0, 0, 1, 1, 1, 0xCC, 0, 4, 10, 0, 0, 1});
  seal(f);
  return f;
}

Frame with_snap(const Frame& body) {
  Frame f = kSnap;
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

TEST(CdpWire, ParsesEveryKnownTlv) {
  Frame f = with_snap(cdp_body());
  CdpPdu pdu = parse_cdp(f);
  EXPECT_EQ(pdu.anomaly, Anomaly::None);
  EXPECT_EQ(pdu.version, 2);
  EXPECT_EQ(pdu.ttl, 180);
  EXPECT_TRUE(pdu.checksum_ok);
  EXPECT_EQ(pdu.device_id, "myswitch");
  EXPECT_EQ(pdu.port_id, "FastEthernet0/1");
  EXPECT_EQ(pdu.platform, "cisco WS-C2950-12");
  EXPECT_EQ(pdu.vtp_domain, "MYDOMAIN");
  EXPECT_EQ(pdu.capabilities, 0x29u);
  EXPECT_TRUE(pdu.has_native_vlan);
  EXPECT_EQ(pdu.native_vlan, 1);
  EXPECT_TRUE(pdu.full_duplex);
  ASSERT_EQ(pdu.addresses.count, 2u);
  EXPECT_EQ(pdu.addresses.ips[0].str(), "192.168.0.253");
  EXPECT_EQ(pdu.addresses.ips[1].str(), "fe80::1");
  ASSERT_EQ(pdu.management_addresses.count, 1u);
  EXPECT_EQ(pdu.management_addresses.ips[0].str(), "10.0.0.1");
  EXPECT_EQ(pdu.tlv_count, 10u);
}

TEST(CdpWire, BareCdpWithoutSnapHeader) {
  Frame f = cdp_body();
  CdpPdu pdu = parse_cdp(f);
  EXPECT_EQ(pdu.anomaly, Anomaly::None);
  EXPECT_EQ(pdu.device_id, "myswitch");
}

TEST(CdpWire, ChecksumOddLengthQuirk) {
  // Odd lengths, with the last byte's high bit clear and set.
  for (std::string_view id : {"sw1", "sw\xC1"}) {
    Frame f = {0x02, 180, 0, 0};
    add_tlv(f, tlv::kDeviceId, text(id));  // 4 + 4 + 3 = 11 bytes: odd
    ASSERT_EQ(f.size() % 2, 1u);
    seal(f);
    EXPECT_TRUE(checksum_valid(f)) << id;
    EXPECT_EQ(parse_cdp(f).anomaly, Anomaly::None);
  }
}

TEST(CdpWire, BadChecksum) {
  Frame f = cdp_body();
  f[3] ^= 0x01;
  CdpPdu pdu = parse_cdp(f);
  EXPECT_EQ(pdu.anomaly, Anomaly::BadChecksum);
  EXPECT_EQ(pdu.device_id, "myswitch");
}

TEST(CdpWire, InvalidHeader) {
  EXPECT_EQ(parse_cdp(Frame{0x02, 180}).anomaly, Anomaly::InvalidHeader);
  Frame v3 = cdp_body();
  v3[0] = 3;
  EXPECT_EQ(parse_cdp(v3).anomaly, Anomaly::InvalidHeader);
}

TEST(CdpWire, InvalidTlvLengths) {
  Frame below_header = {0x02, 180, 0, 0, 0x00, 0x01, 0x00, 0x03};
  EXPECT_EQ(parse_cdp(below_header).anomaly, Anomaly::InvalidTlvLength);
  Frame past_end = {0x02, 180, 0, 0, 0x00, 0x01, 0x00, 0x20, 'a'};
  EXPECT_EQ(parse_cdp(past_end).anomaly, Anomaly::InvalidTlvLength);
  Frame bad_vlan = {0x02, 180, 0, 0};
  add_tlv(bad_vlan, tlv::kNativeVlan, {1});
  EXPECT_EQ(parse_cdp(bad_vlan).anomaly, Anomaly::InvalidTlvLength);
  Frame bad_addresses = {0x02, 180, 0, 0};
  add_tlv(bad_addresses, tlv::kAddresses,
          {0, 0, 0, 3, 1, 1, 0xCC, 0, 4, 1, 2, 3, 4});  // 3 announced, 1 there
  EXPECT_EQ(parse_cdp(bad_addresses).anomaly, Anomaly::InvalidTlvLength);
}

TEST(CdpWire, TooManyTlvs) {
  Frame f = {0x02, 180, 0, 0};
  for (size_t i = 0; i <= kMaxTlvs; ++i) add_tlv(f, 0x00FF, {});
  EXPECT_EQ(parse_cdp(f).anomaly, Anomaly::TooManyTlvs);
}

TEST(CdpWire, ProbeAndForeignSnap) {
  EXPECT_EQ(probe(with_snap(cdp_body())), ProbeResult::Match);
  EXPECT_EQ(probe(cdp_body()), ProbeResult::Match);
  EXPECT_EQ(probe(kSnap), ProbeResult::NeedMoreData);
  Frame pvst = {0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C, 0x01, 0x0B, 0, 0, 0, 0, 0};
  EXPECT_EQ(probe(pvst), ProbeResult::NoMatch);
  EXPECT_TRUE(is_foreign_snap(pvst));
  EXPECT_FALSE(is_foreign_snap(with_snap(cdp_body())));
}

TEST(CdpSoftware, LineAndVersion) {
  std::string_view text =
      "Cisco Internetwork Operating System Software \nIOS (tm) C3750 Software (C3750-I5-M), "
      "Version 12.2(20)SE4, RELEASE SOFTWARE (fc1)\nCopyright (c) 1986-2005";
  EXPECT_EQ(software_line(text),
            "IOS (tm) C3750 Software (C3750-I5-M), Version 12.2(20)SE4, RELEASE SOFTWARE (fc1)");
  EXPECT_EQ(version_token(software_line(text)), "12.2(20)SE4");
  EXPECT_EQ(software_line("  \nLinux 5.10\n"), "Linux 5.10");
  EXPECT_EQ(version_token("Linux 5.10"), "");
  EXPECT_EQ(software_line(""), "");
}

TEST(CdpSession, ReportsSenderIdentity) {
  RecordingSink sink;
  CdpSession session(sink);
  const char* mac = "00:0b:be:18:9a:41";
  session.data(l2_test::l2_context(mac, "01:00:0c:cc:cc:cc"), Direction::FromClient, with_snap(cdp_body()));
  EXPECT_EQ(sink.confirmations, std::vector<std::string>{mac});
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Vendor, "Cisco"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Hostname, "myswitch"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::ProductName, "cisco WS-C2950-12"));
  EXPECT_TRUE(sink.has_identity(
      mac, IdentityField::OperatingSystem,
      "IOS (tm) C2950 Software (C2950-I6K2L2Q4-M), Version 12.1(22)EA14, RELEASE SOFTWARE (fc1)"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::FirmwareVersion, "12.1(22)EA14"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::DeviceType, "Switch"));
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.operations.empty());
}

TEST(CdpSession, BadChecksumIsReportedAndNotConfirmed) {
  RecordingSink sink;
  CdpSession session(sink);
  Frame f = cdp_body();
  f[2] ^= 0x10;
  session.data(l2_test::l2_context("00:00:00:00:00:01", "01:00:0c:cc:cc:cc"), Direction::FromClient, f);
  EXPECT_TRUE(sink.has_anomaly("cdp.bad_checksum"));
  EXPECT_TRUE(sink.confirmations.empty());
  EXPECT_TRUE(sink.has_identity(IdentityField::Hostname, "myswitch"));
}

TEST(CdpSession, ForeignSnapAndGarbageAreQuiet) {
  RecordingSink sink;
  CdpSession session(sink);
  FlowContext ctx = l2_test::l2_context("00:00:00:00:00:01", "01:00:0c:cc:cc:cd");
  session.data(ctx, Direction::FromClient, Frame{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C, 0x01, 0x0B, 0, 0});
  EXPECT_TRUE(sink.anomalies.empty());
  session.data(ctx, Direction::FromClient, Frame{0x07, 0x00});
  EXPECT_TRUE(sink.has_anomaly("cdp.invalid_header"));
  EXPECT_TRUE(sink.identities.empty());
  EXPECT_FALSE(session.rejected());
}

TEST(CdpSession, EveryPrefixIsSafe) { l2_test::feed_every_prefix<CdpSession>(with_snap(cdp_body())); }

void expect_cdp_matches_tshark(const char* file, RecordingSink& sink) {
  auto pcap = l2_test::kPcapDir / file;
  CdpSession session(sink);
  size_t fed = l2_test::replay_capture(pcap, kSnapProtocolId, session);
  auto rows = l2_test::tshark_rows(pcap, "cdp", "-e eth.src -e cdp.deviceid -e cdp.platform");
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(fed, rows.size());
  for (const auto& row : rows) {
    size_t tab1 = row.find('\t'), tab2 = row.find('\t', tab1 + 1);
    ASSERT_NE(tab2, std::string::npos) << row;
    std::string mac = row.substr(0, tab1);
    EXPECT_TRUE(sink.has_identity(mac, IdentityField::Hostname, row.substr(tab1 + 1, tab2 - tab1 - 1)));
    EXPECT_TRUE(sink.has_identity(mac, IdentityField::ProductName, row.substr(tab2 + 1)));
    EXPECT_TRUE(sink.has_identity(mac, IdentityField::Vendor, "Cisco"));
  }
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();  // tshark verifies these checksums too
}

TEST(CdpGolden, Catalyst2950) {
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / "cdp_assimilation_cdp_v2.pcap");
  RecordingSink sink;
  expect_cdp_matches_tshark("cdp_assimilation_cdp_v2.pcap", sink);
  const char* mac = "00:0b:be:18:9a:41";
  EXPECT_EQ(sink.confirmations, std::vector<std::string>{mac});
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Hostname, "myswitch"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::ProductName, "cisco WS-C2950-12"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::FirmwareVersion, "12.1(22)EA14"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::DeviceType, "Switch"));
}

TEST(CdpGolden, Catalyst3750) {
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / "cdp_assimilation_n0.eth2.cdp.pcap");
  RecordingSink sink;
  expect_cdp_matches_tshark("cdp_assimilation_n0.eth2.cdp.pcap", sink);
  const char* mac = "00:0f:23:b0:62:84";
  EXPECT_EQ(sink.confirmations, std::vector<std::string>{mac});
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::Hostname, "csr706a.pbm.ihost.com"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::ProductName, "cisco WS-C3750G-24TS"));
  EXPECT_TRUE(sink.has_identity(mac, IdentityField::FirmwareVersion, "12.2(20)SE4"));
}

}  // namespace
}  // namespace ots::cdp
