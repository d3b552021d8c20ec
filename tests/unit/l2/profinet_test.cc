// PROFINET RT / DCP: wire parser and session on frames taken from the shared captures
// (bytes after the EtherType), hand-made variants for every anomaly, truncation at every
// prefix, and a golden replay of the captures checked against tshark.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/profinet/profinet_session.h"
#include "dissectors/profinet/profinet_wire.h"
#include "tests/unit/l2/l2_test_support.h"

namespace ots::profinet {
namespace {

using l2_test::from_hex;
using l2_test::RecordingSink;
using Frame = std::vector<uint8_t>;

constexpr const char* kController = "00:0c:29:ba:09:ea";
constexpr const char* kScalance = "08:00:06:93:cf:32";

// profinet_iti_ChangeIPUsingDCP.pcap, frames 1–4.
const Frame kIdentifyAll = from_hex("fefe05000100000100010004ffff0000");
const Frame kIdentifyResponse = from_hex(
    "feff0501010000010000005e0205001c00000101010202010202020302040205033d0501050205030504ffff020100050000494e"
    "4300"
    "0202000b0000583230382d424f524400020300060000002a0a0102040004000001000102000e0001c0a80006ffffff00c0a8000"
    "1");
const Frame kSetIp =
    from_hex("fefd040001000001000000120102000e0001c0a8000affffff00c0a80001000000000000000000000000");
const Frame kSetIpResponse = from_hex("fefd04010100000100000008050400030102000000000000");
// profinet_iti_profinet-wireshark-bug.pcap, frame 3: Set Name of Station "%n%n%n " + end transaction.
const Frame kSetName = from_hex("fefd04000100000100000014020200090001256e256e256e2000050200020000");

FlowContext from_controller() { return l2_test::l2_context(kController, kScalance); }
FlowContext from_device() { return l2_test::l2_context(kScalance, kController); }

TEST(ProfinetWire, ClassifiesFrameIds) {
  EXPECT_EQ(classify(0x0080), FrameKind::Ptcp);
  EXPECT_EQ(classify(0xFF40), FrameKind::Ptcp);
  EXPECT_EQ(classify(0x0100), FrameKind::RtCyclic);
  EXPECT_EQ(classify(0xBBF0), FrameKind::RtCyclic);
  EXPECT_EQ(classify(0xC002), FrameKind::RtCyclic);
  EXPECT_EQ(classify(0xFC01), FrameKind::Alarm);
  EXPECT_EQ(classify(0xFE01), FrameKind::Alarm);
  EXPECT_EQ(classify(0xFEFC), FrameKind::Dcp);
  EXPECT_EQ(classify(0xFEFF), FrameKind::Dcp);
  EXPECT_EQ(classify(0xFC02), FrameKind::Reserved);
  EXPECT_EQ(cyclic_range(0x1234), 0x0100);
  EXPECT_EQ(cyclic_range(0xBBF0), 0x8000);
  EXPECT_EQ(cyclic_range(0xC000), 0xC000);
  EXPECT_EQ(cyclic_range(0xFEFE), 0);
}

TEST(ProfinetWire, IdentifyResponseBlocks) {
  DcpMessage message = parse_dcp(kIdentifyResponse);
  ASSERT_EQ(message.anomaly, Anomaly::None);
  EXPECT_EQ(message.header.service_id, service::kIdentify);
  EXPECT_EQ(message.header.service_type, service_type::kResponseSuccess);
  EXPECT_EQ(message.header.xid, 0x01000001u);
  EXPECT_EQ(message.header.data_length, 94);
  BlockReader blocks(message);
  DcpBlock block;
  std::vector<uint16_t> keys;
  IpSuite ip;
  DeviceId id;
  while (blocks.next(block)) {
    keys.push_back(block.key);
    if (block.key == block::kNameOfStation) {
      EXPECT_EQ(as_chars(block.value), "X208-BORD");
    }
    if (block.key == block::kTypeOfStation) {
      EXPECT_EQ(as_chars(block.value), "INC");
    }
    if (block.key == block::kIpParameter) {
      EXPECT_EQ(block.info, 1);
      ASSERT_TRUE(parse_ip_suite(block.value, ip));
    }
    if (block.key == block::kDeviceId) {
      ASSERT_TRUE(parse_device_id(block.value, id));
    }
  }
  EXPECT_EQ(blocks.anomaly(), Anomaly::None);
  EXPECT_EQ(keys, (std::vector<uint16_t>{block::kDeviceOptions, block::kTypeOfStation, block::kNameOfStation,
                                         block::kDeviceId, block::kDeviceRole, block::kIpParameter}));
  EXPECT_EQ(ip.ip.str(), "192.168.0.6");
  EXPECT_EQ(ip.mask.str(), "255.255.255.0");
  EXPECT_EQ(ip.gateway.str(), "192.168.0.1");
  EXPECT_EQ(id.vendor, 0x002A);
  EXPECT_EQ(id.device, 0x0A01);
}

TEST(ProfinetWire, SetRequestCarriesQualifier) {
  DcpMessage message = parse_dcp(kSetIp);
  ASSERT_EQ(message.anomaly, Anomaly::None);
  EXPECT_EQ(message.layout, BlockLayout::WithInfo);
  BlockReader blocks(message);
  DcpBlock block;
  ASSERT_TRUE(blocks.next(block));
  EXPECT_EQ(block.key, block::kIpParameter);
  EXPECT_EQ(block.info, 1);  // save permanently
  IpSuite ip;
  ASSERT_TRUE(parse_ip_suite(block.value, ip));
  EXPECT_EQ(ip.ip.str(), "192.168.0.10");
  EXPECT_FALSE(blocks.next(block));
  EXPECT_EQ(blocks.anomaly(), Anomaly::None);
}

TEST(ProfinetWire, GetRequestIsAnOptionList) {
  Frame get = from_hex("fefd03000000000700000004020202030000");
  DcpMessage message = parse_dcp(get);
  ASSERT_EQ(message.anomaly, Anomaly::None);
  EXPECT_EQ(message.layout, BlockLayout::OptionList);
  BlockReader blocks(message);
  DcpBlock block;
  std::vector<uint16_t> keys;
  while (blocks.next(block)) keys.push_back(block.key);
  EXPECT_EQ(keys, (std::vector<uint16_t>{block::kNameOfStation, block::kDeviceId}));
}

TEST(ProfinetWire, Anomalies) {
  EXPECT_EQ(parse_dcp(from_hex("fefe0500")).anomaly, Anomaly::Truncated);
  // DCPDataLength 0x40 with 4 bytes present.
  EXPECT_EQ(parse_dcp(from_hex("fefe05000100000100010040ffff0000")).anomaly, Anomaly::InvalidDcpLength);
  // Identify response service on the Identify request FrameID; a Set on the Hello FrameID.
  EXPECT_EQ(parse_dcp(from_hex("fefe05010100000100000000")).anomaly, Anomaly::InvalidDcpService);
  EXPECT_EQ(parse_dcp(from_hex("fefc04000100000100000000")).anomaly, Anomaly::InvalidDcpService);
  // A block longer than DCPDataLength.
  const Frame overrun_frame = from_hex("feff05010100000100000006020200200000");
  DcpMessage overrun = parse_dcp(overrun_frame);
  ASSERT_EQ(overrun.anomaly, Anomaly::None);
  BlockReader blocks(overrun);
  DcpBlock block;
  EXPECT_FALSE(blocks.next(block));
  EXPECT_EQ(blocks.anomaly(), Anomaly::InvalidDcpLength);
  // A WithInfo block shorter than its BlockInfo.
  const Frame short_frame = from_hex("feff050101000001000000060202000100aa");
  DcpMessage short_block = parse_dcp(short_frame);
  BlockReader short_blocks(short_block);
  EXPECT_FALSE(short_blocks.next(block));
  EXPECT_EQ(short_blocks.anomaly(), Anomaly::InvalidDcpLength);
}

TEST(ProfinetWire, TooManyBlocks) {
  Frame get = from_hex("fefd0300000000070000");
  size_t pairs = kMaxBlocks + 1;
  get.push_back(uint8_t(pairs * 2 >> 8));
  get.push_back(uint8_t(pairs * 2));
  for (size_t i = 0; i < pairs; ++i) get.insert(get.end(), {0x02, 0x02});
  DcpMessage message = parse_dcp(get);
  BlockReader blocks(message);
  DcpBlock block;
  size_t n = 0;
  while (blocks.next(block)) ++n;
  EXPECT_EQ(n, kMaxBlocks);
  EXPECT_EQ(blocks.anomaly(), Anomaly::TooManyBlocks);
}

TEST(ProfinetWire, Probe) {
  EXPECT_EQ(probe(kIdentifyAll), ProbeResult::Match);
  EXPECT_EQ(probe(from_hex("c00100")), ProbeResult::Match);
  EXPECT_EQ(probe(from_hex("fefe05")), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(from_hex("fefe0601010000010000")), ProbeResult::NoMatch);
  EXPECT_EQ(probe(from_hex("fc0200")), ProbeResult::NoMatch);
}

TEST(ProfinetSession, IdentifyRequestAndResponse) {
  RecordingSink sink;
  ProfinetSession session(sink);
  session.data(from_controller(), Direction::FromClient, kIdentifyAll);
  session.data(from_device(), Direction::FromClient, kIdentifyResponse);
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].name, "DCP Identify");
  EXPECT_EQ(sink.operations[0].code, 0x050000u);
  EXPECT_EQ(sink.operations[0].mac, kController);
  EXPECT_FALSE(sink.operations[0].is_write);
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::Hostname, "X208-BORD"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::ProductName, "INC"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::Description, "vendor 0x002a device 0x0a01"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::Vendor, "Siemens"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::Role, "IO device"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::DeviceType, "IO device"));
  EXPECT_EQ(sink.confirmations, (std::vector<std::string>{kController, kScalance}));
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetSession, IdentifyByNameFilter) {
  RecordingSink sink;
  ProfinetSession session(sink);
  session.data(from_controller(), Direction::FromClient,
               from_hex("fefe05000100000100010010 0202000b 706c632d73746174696f6e 00"));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_EQ(sink.operations[0].object, "plc-station");
}

TEST(ProfinetSession, SetIpIsAWrite) {
  RecordingSink sink;
  ProfinetSession session(sink);
  session.data(from_controller(), Direction::FromClient, kSetIp);
  session.data(from_device(), Direction::FromClient, kSetIpResponse);
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "DCP Set IP");
  EXPECT_EQ(sink.operations[0].code, 0x040102u);
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_TRUE(sink.operations[0].is_request);
  EXPECT_EQ(sink.operations[1].name, "DCP Set IP");
  EXPECT_EQ(sink.operations[1].mac, kScalance);
  EXPECT_FALSE(sink.operations[1].is_request);
  EXPECT_FALSE(sink.operations[1].is_error);
}

TEST(ProfinetSession, SetResponseError) {
  RecordingSink sink;
  ProfinetSession session(sink);
  session.data(from_device(), Direction::FromClient, from_hex("fefd04010100000100000008050400030102030000"));
  ASSERT_EQ(sink.operations.size(), 1u);
  EXPECT_TRUE(sink.operations[0].is_error);
}

TEST(ProfinetSession, SetNameOfStationKeepsHostileNameVerbatim) {
  RecordingSink sink;
  ProfinetSession session(sink);
  const char* target = "00:02:e3:17:c7:50";
  session.data(l2_test::l2_context("00:80:c8:38:a4:8b", target), Direction::FromClient, kSetName);
  ASSERT_EQ(sink.operations.size(), 1u);  // the end-transaction bracket is not an operation
  EXPECT_EQ(sink.operations[0].name, "DCP Set Name of Station");
  EXPECT_EQ(sink.operations[0].code, 0x040202u);
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_EQ(sink.operations[0].object, "%n%n%n ");
  EXPECT_TRUE(sink.has_identity(target, IdentityField::Hostname, "%n%n%n "));
  EXPECT_EQ(sink.identities[0].side, Side::Server);
}

TEST(ProfinetSession, FactoryResetAndSignal) {
  RecordingSink sink;
  ProfinetSession session(sink);
  // Set: start transaction, reset to factory (qualifier 0x0008), signal, end transaction.
  session.data(from_controller(), Direction::FromClient,
               from_hex("fefd0400010000020000001a0501000200000506000200080503000400000100050200020000"));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "DCP Factory Reset");
  EXPECT_EQ(sink.operations[0].code, 0x040506u);
  EXPECT_TRUE(sink.operations[0].is_write);
  EXPECT_EQ(sink.operations[1].name, "DCP Signal");
  EXPECT_FALSE(sink.operations[1].is_write);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetSession, HelloAndGet) {
  RecordingSink sink;
  ProfinetSession session(sink);
  // Hello: name of station "io-1", role IO controller.
  session.data(from_device(), Direction::FromClient,
               from_hex("fefc0600000000090000001202020006000069 6f2d31 02040004000002 00"));
  session.data(from_controller(), Direction::FromClient, from_hex("fefd03000000000700000002 0202"));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "DCP Hello");
  EXPECT_EQ(sink.operations[1].name, "DCP Get");
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::Hostname, "io-1"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::Role, "IO controller"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::DeviceType, "PLC"));
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
}

TEST(ProfinetSession, CyclicAndAlarmFrames) {
  RecordingSink sink;
  ProfinetSession session(sink);
  session.data(from_device(), Direction::FromClient, from_hex("bbf0 0000 0000 1234 3500"));
  session.data(from_device(), Direction::FromClient, from_hex("fc01 0000 0000 0000"));
  session.data(from_device(), Direction::FromClient, from_hex("bbf0 00"));  // no trailer
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "RT cyclic data");
  EXPECT_EQ(sink.operations[0].code, 0x8000u);
  EXPECT_EQ(sink.operations[0].address, 0xBBF0u);
  EXPECT_EQ(sink.operations[1].name, "RT Alarm High");
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.has_anomaly("profinet.truncated"));
  EXPECT_FALSE(session.rejected());
}

TEST(ProfinetSession, MalformedDcpIsReportedNotConfirmed) {
  RecordingSink sink;
  ProfinetSession session(sink);
  session.data(from_device(), Direction::FromClient, from_hex("feff05010100000100000006020200200000"));
  EXPECT_TRUE(sink.has_anomaly("profinet.invalid_dcp_length"));
  session.data(from_device(), Direction::FromClient, from_hex("fefe05010100000100000000"));
  EXPECT_TRUE(sink.has_anomaly("profinet.invalid_dcp_service"));
  EXPECT_TRUE(sink.confirmations.empty());
}

TEST(ProfinetSession, EveryPrefixIsSafe) {
  for (const Frame* f : {&kIdentifyAll, &kIdentifyResponse, &kSetIp, &kSetIpResponse, &kSetName}) {
    l2_test::feed_every_prefix<ProfinetSession>(*f);
  }
}

// Golden: every station tshark decodes a NameOfStation for in an Identify response is named so.
RecordingSink replay(const char* file) {
  RecordingSink sink;
  ProfinetSession session(sink);
  EXPECT_GT(l2_test::replay_capture(l2_test::kPcapDir / file, kEthertype, session), 0u);
  EXPECT_FALSE(session.rejected());
  return sink;
}

void expect_names_match_tshark(const char* file, const RecordingSink& sink) {
  auto rows = l2_test::tshark_rows(l2_test::kPcapDir / file,
                                   "pn_dcp.service_type == 1 && pn_dcp.suboption_device_nameofstation",
                                   "-e eth.src -e pn_dcp.suboption_device_nameofstation");
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    size_t tab = row.find('\t');
    EXPECT_TRUE(sink.has_identity(row.substr(0, tab), IdentityField::Hostname, row.substr(tab + 1))) << row;
  }
}

TEST(ProfinetGolden, ChangeIpUsingDcp) {
  const char* file = "profinet_iti_ChangeIPUsingDCP.pcap";
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / file);
  RecordingSink sink = replay(file);
  expect_names_match_tshark(file, sink);
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::Hostname, "X208-BORD"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::ProductName, "INC"));
  EXPECT_TRUE(sink.has_identity(kScalance, IdentityField::Description, "vendor 0x002a device 0x0a01"));
  bool set_ip = false;
  for (const auto& op : sink.operations)
    set_ip |= op.name == "DCP Set IP" && op.is_request && op.is_write && op.mac == kController;
  EXPECT_TRUE(set_ip);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetGolden, HostileStationName) {
  const char* file = "profinet_iti_profinet-wireshark-bug.pcap";
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / file);
  RecordingSink sink = replay(file);
  expect_names_match_tshark(file, sink);
  const char* plc = "00:02:e3:17:c7:50";
  EXPECT_TRUE(sink.has_identity(plc, IdentityField::Hostname, "%n%n%n "));
  EXPECT_TRUE(sink.has_identity(plc, IdentityField::ProductName, "S7-300EC"));
  EXPECT_TRUE(sink.has_identity(plc, IdentityField::Description, "vendor 0x002a device 0x0101"));
  EXPECT_TRUE(sink.has_identity(plc, IdentityField::DeviceType, "PLC"));
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(ProfinetGolden, CisagovMixed) {
  const char* file = "profinet_cisagov_profinet_io_cm_mixed_1.pcap";
  OTS_REQUIRE_CAPTURE(l2_test::kPcapDir / file);
  RecordingSink sink = replay(file);
  expect_names_match_tshark(file, sink);
  EXPECT_TRUE(sink.has_identity("00:09:91:43:e0:67", IdentityField::Hostname, "versamax-pns11"));
  EXPECT_TRUE(sink.has_identity("00:09:91:43:e0:67", IdentityField::ProductName, "IC200PNS001"));
  // Identify requests by name for the other stations.
  std::set<std::string> sought;
  for (const auto& op : sink.operations) {
    if (op.name == "DCP Identify") sought.insert(op.object);
  }
  for (const char* name : {"siemens-x208-switch", "versamax-pns11", "turck", "flm-pn-bk-2tx4"}) {
    EXPECT_TRUE(sought.contains(name)) << name;
  }
  size_t cyclic = 0;
  for (const auto& op : sink.operations) cyclic += op.name == "RT cyclic data";
  EXPECT_EQ(cyclic, 102u);  // tshark: 56 frames 0xC000 + 46 frames 0xC002
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
}

}  // namespace
}  // namespace ots::profinet
