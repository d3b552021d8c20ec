#include "dissectors/enip/enip_session.h"

#include <gtest/gtest.h>

#include "dissectors/enip/enip.h"
#include "tests/unit/enip/enip_builders.h"
#include "tests/unit/enip/recording_sink.h"

namespace ots::enip {
namespace {

using namespace enip_test;

constexpr Direction kClient = Direction::FromClient;
constexpr Direction kServer = Direction::FromServer;

FlowContext tcp_ctx() {
  FlowContext ctx;
  ctx.transport = 6;
  return ctx;
}
FlowContext udp_ctx() {
  FlowContext ctx;
  ctx.transport = 17;
  return ctx;
}

struct Fixture {
  RecordingSink sink;
  EnipSession session{sink};
  FlowContext ctx = tcp_ctx();
  void send(Direction dir, const Buffer& bytes) { session.data(ctx, dir, bytes); }
};

const RecordedOperation* find_op(const RecordingSink& sink, uint32_t code, bool is_request) {
  for (const auto& op : sink.operations) {
    if (op.code == code && op.is_request == is_request) return &op;
  }
  return nullptr;
}

const Buffer kEnbtIdentity = identity_attributes(1, 0x0C, 58, 4, 3, 0x00524d8e, "1756-ENBT/A");

TEST(EnipSession, ListIdentityOverTcpReportsServerIdentity) {
  Fixture f;
  f.send(kClient, encap(0x0063, {}, 0));
  f.send(kServer, list_identity_reply(kEnbtIdentity));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  EXPECT_TRUE(f.sink.operations[0].is_request);
  EXPECT_EQ(f.sink.operations[0].name, "ListIdentity");
  EXPECT_FALSE(f.sink.operations[1].is_request);
  EXPECT_EQ(f.sink.operations[1].from, Side::Server);
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Vendor, "Rockwell Automation/Allen-Bradley"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::DeviceType, "Communications Adapter"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "4.3"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::SerialNumber, "0x00524d8e"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::ProductName, "1756-ENBT/A"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::CpuState, "Operational"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Description,
                                  "CIP vendor id 1, device type 12, product code 58"));
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, ListIdentityIdentityGoesToTheSendingSide) {
  Fixture f;
  f.ctx = udp_ctx();
  // A broadcast reply the flow layer attributed to the client side.
  f.send(kClient, list_identity_reply(identity_attributes(0x1234, 0x77, 9, 1, 2, 0xABCDEF01, "Widget")));
  EXPECT_TRUE(f.sink.has_identity(Side::Client, IdentityField::SerialNumber, "0xabcdef01"));
  EXPECT_TRUE(f.sink.has_identity(Side::Client, IdentityField::DeviceType, "CIP device type 0x77"));
  EXPECT_TRUE(f.sink.has_identity(Side::Client, IdentityField::Description,
                                  "CIP vendor id 4660, device type 119, product code 9"));
  for (const auto& id : f.sink.identities) {
    EXPECT_NE(id.field, IdentityField::Vendor);  // unknown vendor: only the numeric description
  }
  EXPECT_FALSE(f.sink.operations.at(0).is_request);
}

TEST(EnipSession, UdpDatagramLengthMustMatchHeader) {
  Fixture f;
  f.ctx = udp_ctx();
  Buffer pdu = encap(0x0063, {}, 0);
  pdu.push_back(0);
  f.send(kClient, pdu);
  EXPECT_TRUE(f.sink.has_anomaly("enip.length_mismatch"));
  EXPECT_TRUE(f.sink.operations.empty());
}

TEST(EnipSession, RegisterSessionAndListServices) {
  Fixture f;
  f.send(kClient, encap(0x0065, cat({le16(1), le16(0)}), 0));
  f.send(kServer, encap(0x0065, cat({le16(1), le16(0)}), 0x11020100));
  f.send(kClient, encap(0x0004, {}, 0));
  Buffer service = cat({le16(1), le16(0x0120), Buffer(16, 'C')});
  f.send(kServer, encap(0x0004, cpf({{0x0100, service}}), 0));
  ASSERT_EQ(f.sink.operations.size(), 4u);
  EXPECT_EQ(f.sink.operations[0].name, "RegisterSession");
  EXPECT_TRUE(f.sink.operations[0].is_request);
  EXPECT_EQ(f.sink.operations[1].unit, 0x11020100u);
  EXPECT_FALSE(f.sink.operations[1].is_request);
  EXPECT_EQ(f.sink.operations[3].name, "ListServices");
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, HeaderAnomalies) {
  Fixture f;
  f.send(kClient, encap(0x0065, cat({le16(1), le16(0), le16(0)})));  // 6 bytes
  EXPECT_TRUE(f.sink.has_anomaly("enip.length_mismatch"));
  f.send(kClient, encap(0x0066, {}, 1, 0, 0, 7));
  EXPECT_TRUE(f.sink.has_anomaly("enip.invalid_options"));
  f.send(kServer, encap(0x0066, {}, 1, 0x99));
  EXPECT_TRUE(f.sink.has_anomaly("enip.invalid_status"));
  f.send(kClient, encap(0x0066, {}, 1, 0x65));  // a request never carries a status
  EXPECT_EQ(std::count(f.sink.anomalies.begin(), f.sink.anomalies.end(), "enip.invalid_status"), 2);
  f.send(kClient, encap(0x0042, {}));
  EXPECT_TRUE(f.sink.has_anomaly("enip.invalid_command"));
}

TEST(EnipSession, ErrorStatusReplyIsAnErrorOperation) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x01, path(1, 1))));
  f.send(kServer, encap(0x006F, {}, 0x12020100, 0x64));
  const RecordedOperation* reply = find_op(f.sink, 0x6F, false);
  ASSERT_NE(reply, nullptr);
  EXPECT_TRUE(reply->is_error);
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, GetAttributesAllOnIdentity) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x01, path(1, 1))));
  f.send(kServer, rr_data(cip_response(0x01, 0, kEnbtIdentity)));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  const auto& request = f.sink.operations[0];
  EXPECT_EQ(request.code, 0x01u);
  EXPECT_EQ(request.name, "Get_Attributes_All");
  EXPECT_EQ(request.unit, 1u);
  EXPECT_EQ(request.address, 1u);
  EXPECT_EQ(request.object, "Identity");
  EXPECT_FALSE(request.has_range);
  EXPECT_FALSE(request.is_write);
  const auto& reply = f.sink.operations[1];
  EXPECT_FALSE(reply.is_request);
  EXPECT_EQ(reply.from, Side::Server);
  EXPECT_EQ(reply.unit, 1u);
  EXPECT_EQ(reply.object, "Identity");
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::SerialNumber, "0x00524d8e"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::ProductName, "1756-ENBT/A"));
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
  EXPECT_EQ(f.session.pending_requests(), 0u);
}

TEST(EnipSession, GetAttributeSingleProductName) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x0E, path(1, 1, 7))));
  Buffer name{5, 'P', 'L', 'C', '-', '5'};
  f.send(kServer, rr_data(cip_response(0x0E, 0, name)));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::ProductName, "PLC-5"));
}

TEST(EnipSession, GetAttributeListOnIdentity) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x03, path(1, 1), cat({le16(3), le16(1), le16(6), le16(7)}))));
  Buffer data = cat({le16(3), le16(1), le16(0), le16(1), le16(6), le16(0), le32(0x0051aec3), le16(7), le16(0),
                     {3, 'A', 'B', 'C'}});
  f.send(kServer, rr_data(cip_response(0x03, 0, data)));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Vendor, "Rockwell Automation/Allen-Bradley"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::SerialNumber, "0x0051aec3"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::ProductName, "ABC"));
}

TEST(EnipSession, SetAttributeIsAWriteAndErrorsAreFlagged) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x10, path(0xF5, 1, 5), {1, 2, 3, 4})));
  f.send(kServer, rr_data(cip_response(0x10, 0x0E, {}, le16(0x0001))));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  EXPECT_TRUE(f.sink.operations[0].is_write);
  EXPECT_EQ(f.sink.operations[0].object, "TCP/IP Interface");
  EXPECT_TRUE(f.sink.operations[1].is_write);
  EXPECT_TRUE(f.sink.operations[1].is_error);
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, ResetStartStopAreWrites) {
  for (uint8_t service : {0x05, 0x06, 0x07}) {
    Fixture f;
    f.send(kClient, rr_data(cip_request(service, path(1, 1))));
    ASSERT_EQ(f.sink.operations.size(), 1u);
    EXPECT_TRUE(f.sink.operations[0].is_write) << int(service);
  }
}

TEST(EnipSession, ForwardOpenTracksConnectionIds) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x54, path(6, 1), forward_open_data(0, 0x7691b4eb, 0x1234, 1, 0xCAFE, 10000))));
  f.send(kServer, rr_data(cip_response(0x54, 0, forward_open_reply_data(0x003a7b78, 0x7691b4eb, 0x1234, 1, 0xCAFE,
                                                                        10000))));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  EXPECT_EQ(f.sink.operations[0].name, "Forward Open");
  EXPECT_EQ(f.sink.operations[0].address, 0x7691b4ebu);
  EXPECT_FALSE(f.sink.operations[0].is_write);
  EXPECT_EQ(f.sink.operations[1].unit, 0x003a7b78u);
  EXPECT_EQ(f.sink.operations[1].address, 0x7691b4ebu);
  ASSERT_EQ(f.session.connections().size(), 1u);
  const Connection* connection = f.session.find_connection(0x003a7b78);
  ASSERT_NE(connection, nullptr);
  EXPECT_TRUE(connection->established);
  EXPECT_EQ(connection->o_to_t_rpi_us, 10000u);
  EXPECT_EQ(connection->triple.originator_serial, 0xCAFEu);

  Buffer close = cat({{0x0A, 0x0E}, le16(0x1234), le16(1), le32(0xCAFE), {3, 0}, {0x01, 0x00, 0x20, 0x02, 0x24, 0x01}});
  f.send(kClient, rr_data(cip_request(0x4E, path(6, 1), close)));
  f.send(kServer, rr_data(cip_response(0x4E, 0, cat({le16(0x1234), le16(1), le32(0xCAFE), {0, 0}}))));
  ASSERT_EQ(f.sink.operations.size(), 4u);
  EXPECT_EQ(f.sink.operations[2].name, "Forward Close");
  EXPECT_EQ(f.sink.operations[2].unit, 0x003a7b78u);
  EXPECT_EQ(f.sink.operations[3].address, 0x7691b4ebu);
  EXPECT_TRUE(f.session.connections().empty());
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, LargeForwardOpenAndRefusal) {
  Fixture f;
  Buffer large = cat({{0x0A, 0x0E}, le32(0), le32(0x55), le16(7), le16(1), le32(9), {3, 0, 0, 0}, le32(20000),
                      le32(0x43F40000), le32(20000), le32(0x43F40000), {0xA3, 0x02}, {0x20, 0x02, 0x24, 0x01}});
  f.send(kClient, rr_data(cip_request(0x5B, path(6, 1), large)));
  EXPECT_EQ(f.sink.operations.at(0).name, "Large Forward Open");
  ASSERT_EQ(f.session.connections().size(), 1u);
  EXPECT_EQ(f.session.connections()[0].t_to_o_parameters, 0x43F40000u);
  f.send(kServer, rr_data(cip_response(0x5B, 0x01, cat({le16(7), le16(1), le32(9), {0, 0}}), le16(0x0100))));
  EXPECT_TRUE(f.sink.operations.at(1).is_error);
  EXPECT_EQ(f.sink.operations.at(1).address, 0x55u);
  EXPECT_TRUE(f.session.connections().empty());
}

TEST(EnipSession, UnconnectedSendIsUnwrapped) {
  Fixture f;
  Buffer inner = cip_request(0x01, path(1, 1));
  Buffer send = cat({{0x0A, 0x0E}, le16(uint32_t(inner.size())), inner, {1, 0, 0x01, 0x00}});
  f.send(kClient, rr_data(cip_request(0x52, path(6, 1), send)));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  EXPECT_EQ(f.sink.operations[0].name, "Unconnected Send");
  EXPECT_EQ(f.sink.operations[0].unit, 6u);
  EXPECT_EQ(f.sink.operations[1].name, "Get_Attributes_All");
  EXPECT_EQ(f.sink.operations[1].unit, 1u);
  f.send(kServer, rr_data(cip_response(0x01, 0, kEnbtIdentity)));
  ASSERT_EQ(f.sink.operations.size(), 3u);
  EXPECT_EQ(f.sink.operations[2].name, "Get_Attributes_All");
  EXPECT_EQ(f.sink.operations[2].unit, 1u);
  // Routed to backplane slot 0: the reply describes that module, not the device answering on TCP.
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::Description, "module slot 0: productName=1756-ENBT/A"));
  EXPECT_FALSE(f.sink.has_identity(Side::Server, IdentityField::ProductName, "1756-ENBT/A"));
  // A routing failure answers the Unconnected Send itself.
  f.send(kClient, rr_data(cip_request(0x52, path(6, 1), send)));
  f.send(kServer, rr_data(cip_response(0x52, 0x01, {}, le16(0x0204))));
  EXPECT_EQ(f.sink.operations.back().name, "Unconnected Send");
  EXPECT_TRUE(f.sink.operations.back().is_error);
  EXPECT_TRUE(f.sink.anomalies.empty());
}

// A client walking an ENBT's backplane (route path port 1, link = slot) reads each module's Identity
// object: each becomes a module of the device, never a second product name or serial of the device.
TEST(EnipSession, BackplaneWalkReportsModulesNotDeviceFacts) {
  Fixture f;
  auto routed_identity_read = [](uint8_t slot) {
    Buffer inner = cip_request(0x01, path(1, 1));
    return rr_data(cip_request(0x52, path(6, 1), cat({{0x06, 0x9A}, le16(uint32_t(inner.size())), inner,
                                                      {1, 0, 0x01, slot}})));
  };
  f.send(kClient, routed_identity_read(0));
  f.send(kServer, rr_data(cip_response(0x01, 0, identity_attributes(1, 0x0E, 54, 16, 20, 0x0051823f,
                                                                    "1756-L61/B LOGIX5561"))));
  f.send(kClient, routed_identity_read(3));
  f.send(kServer, rr_data(cip_response(0x01, 0, identity_attributes(309, 0x0C, 5, 1, 2, 0x0000ad5e,
                                                                    "MVI56 ProSoft Technology, Inc."))));
  std::vector<std::string> descriptions;
  for (const auto& i : f.sink.identities) {
    EXPECT_EQ(i.field, IdentityField::Description) << "a module's field reached the device: " << i.value;
    if (i.field == IdentityField::Description) descriptions.push_back(i.value);
  }
  const std::vector<std::string> expected = {
      "module slot 0: vendor=Rockwell Automation/Allen-Bradley",
      "module slot 0: deviceType=Programmable Logic Controller",
      "module slot 0: firmwareVersion=16.20",
      "module slot 0: serialNumber=0x0051823f",
      "module slot 0: productName=1756-L61/B LOGIX5561",
      "module slot 0: cpuState=Operational",
      "module slot 3: vendor=Prosoft Technology",
      "module slot 3: deviceType=Communications Adapter",
      "module slot 3: firmwareVersion=1.2",
      "module slot 3: serialNumber=0x0000ad5e",
      "module slot 3: productName=MVI56 ProSoft Technology, Inc.",
      "module slot 3: cpuState=Operational",
  };
  EXPECT_EQ(descriptions, expected);
  EXPECT_TRUE(f.sink.anomalies.empty());
}

// A route through another port (port 2 = Ethernet, to another address) ends at another device,
// which the sensor cannot name: its identity is reported nowhere.
TEST(EnipSession, IdentityFromBeyondTheDeviceIsNotReported) {
  Fixture f;
  Buffer inner = cip_request(0x01, path(1, 1));
  // Port 2 (extended link address "10.0.0.100"), then port 1 slot 0 of that chassis.
  Buffer route = {0x12, 10, '1', '0', '.', '0', '.', '0', '.', '1', '0', '0', 0x01, 0x00};
  Buffer send = cat({{0x0A, 0x0E}, le16(uint32_t(inner.size())), inner, {uint8_t(route.size() / 2), 0}, route});
  f.send(kClient, rr_data(cip_request(0x52, path(6, 1), send)));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  f.send(kServer, rr_data(cip_response(0x01, 0, kEnbtIdentity)));
  EXPECT_EQ(f.sink.operations.back().name, "Get_Attributes_All");
  EXPECT_TRUE(f.sink.identities.empty());
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, UnconnectedSendWithOddEmbeddedRequestIsPadded) {
  Fixture f;
  Buffer inner = cip_request(0x4C, symbol_path("Tag"), {1, 0, 0});  // 11 bytes: a pad byte follows
  Buffer send = cat({{0x0A, 0x0E}, le16(uint32_t(inner.size())), inner, {0}, {1, 0, 0x01, 0x00}});
  f.send(kClient, rr_data(cip_request(0x52, path(6, 1), send)));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  EXPECT_EQ(f.sink.operations[1].name, "Read Tag");
  EXPECT_EQ(f.sink.operations[1].object, "Symbol");
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, MultipleServicePacket) {
  Fixture f;
  Buffer read = cip_request(0x4C, symbol_path("Speed"), le16(1));
  Buffer write = cip_request(0x4D, symbol_path("Setpoint"), cat({le16(0xC4), le16(1), le32(42)}));
  f.send(kClient, unit_data(0x1111, 7, cip_request(0x0A, path(2, 1), multiple_services({read, write}))));
  ASSERT_EQ(f.sink.operations.size(), 3u);
  EXPECT_EQ(f.sink.operations[0].name, "Multiple_Service_Packet");
  EXPECT_TRUE(f.sink.operations[0].is_write);
  EXPECT_EQ(f.sink.operations[1].name, "Read Tag");
  EXPECT_FALSE(f.sink.operations[1].is_write);
  EXPECT_EQ(f.sink.operations[2].name, "Write Tag");
  EXPECT_TRUE(f.sink.operations[2].is_write);
  Buffer replies = multiple_services({cip_response(0x4C, 0, cat({le16(0xC4), le32(5)})), cip_response(0x4D, 0x05)});
  f.send(kServer, unit_data(0x2222, 7, cip_response(0x0A, 0x1E, replies)));
  ASSERT_EQ(f.sink.operations.size(), 6u);
  EXPECT_FALSE(f.sink.operations[3].is_request);
  EXPECT_TRUE(f.sink.operations[3].is_error);
  EXPECT_EQ(f.sink.operations[4].name, "Read Tag");
  EXPECT_FALSE(f.sink.operations[4].is_error);
  EXPECT_EQ(f.sink.operations[5].name, "Write Tag");
  EXPECT_TRUE(f.sink.operations[5].is_write);
  EXPECT_TRUE(f.sink.operations[5].is_error);
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, MultipleServicePacketIsCapped) {
  Fixture f;
  Buffer entries;
  const size_t count = kMaxEmbeddedServices + 1;
  put16(entries, uint32_t(count));
  Buffer entry = cip_request(0x0E, path(1, 1, 1));
  for (size_t i = 0; i < count; ++i) put16(entries, uint32_t(2 + 2 * count + i * entry.size()));
  for (size_t i = 0; i < count; ++i) entries.insert(entries.end(), entry.begin(), entry.end());
  f.send(kClient, rr_data(cip_request(0x0A, path(2, 1), entries)));
  EXPECT_TRUE(f.sink.has_anomaly("enip.too_many_items"));
  EXPECT_EQ(f.sink.operations.size(), 1 + kMaxEmbeddedServices);
}

TEST(EnipSession, ExecutePccc) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x4B, path(0x67, 1), pccc_request(0x0F, 0xAB, {2, 7, 0x89, 0, 0}))));
  f.send(kServer, rr_data(cip_response(0x4B, 0, pccc_reply(0x0F, 0x10))));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  EXPECT_EQ(f.sink.operations[0].name, "Execute PCCC");
  EXPECT_EQ(f.sink.operations[0].object, "Protected Typed Logical Masked Write");
  EXPECT_TRUE(f.sink.operations[0].is_write);
  EXPECT_TRUE(f.sink.operations[1].is_error);  // PCCC status 0x10
  EXPECT_TRUE(f.sink.operations[1].is_write);
  f.send(kClient, rr_data(cip_request(0x4B, path(0x67, 1), pccc_request(0x0F, 0xA2, {2, 7, 0x89, 0, 0}))));
  EXPECT_FALSE(f.sink.operations.back().is_write);
}

TEST(EnipSession, FirmwareUpdateServicesAreWrites) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x4D, path(0xA1, 1), Buffer(100, 0x5A))));
  ASSERT_EQ(f.sink.operations.size(), 1u);
  EXPECT_EQ(f.sink.operations[0].name, "NVS Transfer Data");
  EXPECT_EQ(f.sink.operations[0].object, "Non-Volatile Storage");
  EXPECT_TRUE(f.sink.operations[0].is_write);
}

TEST(EnipSession, ConnectedMessagesMatchBySequenceCount) {
  Fixture f;
  f.send(kClient, unit_data(0x1111, 1, cip_request(0x0E, path(1, 1, 7))));
  f.send(kClient, unit_data(0x1111, 2, cip_request(0x0E, path(1, 1, 6))));
  f.send(kServer, unit_data(0x2222, 2, cip_response(0x0E, 0, le32(0x01020304))));
  f.send(kServer, unit_data(0x2222, 1, cip_response(0x0E, 0, {2, 'O', 'K'})));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::SerialNumber, "0x01020304"));
  EXPECT_TRUE(f.sink.has_identity(Side::Server, IdentityField::ProductName, "OK"));
  EXPECT_TRUE(f.sink.anomalies.empty());
}

TEST(EnipSession, CyclicIoOnUdp) {
  Fixture f;
  f.ctx = udp_ctx();
  f.send(kClient, io_datagram(0x003a7b78, 1, cat({le16(1), {1, 2, 3, 4}})));
  EXPECT_TRUE(f.sink.confirmations.empty());
  f.send(kServer, io_datagram(0x7691b4eb, 9, {5, 6}));
  ASSERT_EQ(f.sink.operations.size(), 2u);
  EXPECT_EQ(f.sink.operations[0].code, kIoOperationCode);
  EXPECT_EQ(f.sink.operations[0].name, "I/O data");
  EXPECT_EQ(f.sink.operations[0].unit, 0x003a7b78u);
  EXPECT_EQ(f.sink.operations[0].address, 1u);
  EXPECT_TRUE(f.sink.operations[1].is_request);
  EXPECT_EQ(f.sink.operations[1].from, Side::Server);
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
}

TEST(EnipSession, OneSidedIoConfirmsAfterThreePackets) {
  Fixture f;
  f.ctx = udp_ctx();
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(f.sink.confirmations.empty());
    f.send(kClient, io_datagram(0x004b0603, i, {0, 0}));
  }
  EXPECT_EQ(f.sink.confirmations.size(), 1u);
}

TEST(EnipSession, MalformedCipAndCpf) {
  Fixture f;
  f.send(kClient, rr_data(cip_request(0x0E, {0x20, 0x01, 0xE0, 0x00})));  // reserved segment type
  EXPECT_TRUE(f.sink.has_anomaly("enip.invalid_epath"));
  f.send(kClient, rr_data({0x0E, 0x05, 0x20}));  // path longer than the message
  EXPECT_TRUE(f.sink.has_anomaly("enip.truncated"));
  Buffer body = cat({le32(0), le16(0), cpf({{0x0000, {}}})});
  f.send(kClient, encap(0x006F, body));  // no data item
  EXPECT_TRUE(f.sink.has_anomaly("enip.invalid_cpf"));
  Buffer many = cat({le32(0), le16(0), le16(9)});
  for (int i = 0; i < 9; ++i) many = cat({many, le16(0), le16(0)});
  f.send(kClient, encap(0x006F, many));
  EXPECT_TRUE(f.sink.has_anomaly("enip.too_many_items"));
  Buffer overlong = cat({le32(0), le16(0), le16(1), le16(0x00B2), le16(50), {0x01}});
  f.send(kClient, encap(0x006F, overlong));
  EXPECT_EQ(std::count(f.sink.anomalies.begin(), f.sink.anomalies.end(), "enip.invalid_cpf"), 2);
}

TEST(EnipSession, UnmatchedResponse) {
  Fixture quiet;  // the client direction never spoke: nothing to blame
  quiet.send(kServer, rr_data(cip_response(0x0E, 0, le16(1))));
  EXPECT_TRUE(quiet.sink.anomalies.empty());
  ASSERT_EQ(quiet.sink.operations.size(), 1u);
  EXPECT_EQ(quiet.sink.operations[0].name, "Get_Attribute_Single");

  Fixture f;
  f.send(kClient, rr_data(cip_request(0x0E, path(1, 1, 1))));
  f.send(kServer, rr_data(cip_response(0x01, 0, kEnbtIdentity)));
  EXPECT_TRUE(f.sink.has_anomaly("enip.unmatched_response"));
  EXPECT_TRUE(f.sink.identities.empty());  // an unmatched reply names no object
}

TEST(EnipSession, PendingRequestsAreBounded) {
  Fixture f;
  for (uint64_t i = 0; i <= kMaxPendingRequests; ++i) f.send(kClient, rr_data(cip_request(0x0E, path(1, 1, 1)), i));
  EXPECT_TRUE(f.sink.has_anomaly("enip.too_many_pending_requests"));
  EXPECT_EQ(f.session.pending_requests(), kMaxPendingRequests);
}

// Every prefix of valid traffic, over TCP and as UDP datagrams: never crash, report truncation at end.
TEST(EnipSession, TruncationAtEveryPrefix) {
  const Buffer messages[] = {
      list_identity_reply(kEnbtIdentity),
      rr_data(cip_request(0x54, path(6, 1), forward_open_data(0, 1, 2, 3, 4, 5))),
      rr_data(cip_response(0x01, 0, kEnbtIdentity)),
      unit_data(1, 2, cip_request(0x0A, path(2, 1), multiple_services({cip_request(0x4C, symbol_path("A"))}))),
      io_datagram(1, 2, {3, 4}),
  };
  for (const Buffer& message : messages) {
    for (size_t n = 0; n < message.size(); ++n) {
      Buffer prefix(message.begin(), message.begin() + static_cast<ptrdiff_t>(n));
      Fixture tcp;
      tcp.send(kServer, prefix);
      tcp.session.end(tcp.ctx, kServer);
      if (n > 0 && message[0] != 0x02) {
        EXPECT_TRUE(tcp.sink.has_anomaly("enip.truncated")) << n;
      }
      Fixture udp;
      udp.ctx = udp_ctx();
      udp.send(kServer, prefix);
      udp.send(kClient, prefix);
    }
  }
}

TEST(EnipSession, SplitAndCoalescedSegments) {
  Buffer stream = cat({encap(0x0065, cat({le16(1), le16(0)}), 0), rr_data(cip_request(0x01, path(1, 1))),
                       rr_data(cip_request(0x0E, path(1, 1, 7)))});
  Fixture whole;
  whole.send(kClient, stream);
  Fixture bytewise;
  for (uint8_t b : stream) bytewise.send(kClient, Buffer{b});
  ASSERT_EQ(whole.sink.operations.size(), 3u);
  ASSERT_EQ(bytewise.sink.operations.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(whole.sink.operations[i].code, bytewise.sink.operations[i].code);
  EXPECT_TRUE(bytewise.sink.anomalies.empty());
  EXPECT_EQ(bytewise.sink.confirmations.size(), 1u);  // three valid PDUs, server silent
}

TEST(EnipSession, ResynchronisesAfterGap) {
  Fixture f;
  Buffer request = rr_data(cip_request(0x01, path(1, 1)));
  f.send(kClient, Buffer(request.begin(), request.begin() + 30));
  f.session.gap(f.ctx, kClient, 100);
  Buffer garbage(40, 0xEE);
  f.send(kClient, cat({garbage, request}));
  ASSERT_EQ(f.sink.operations.size(), 1u);
  EXPECT_EQ(f.sink.operations[0].name, "Get_Attributes_All");
  f.send(kServer, rr_data(cip_response(0x01, 0, kEnbtIdentity)));
  EXPECT_TRUE(f.sink.anomalies.empty());
  EXPECT_FALSE(f.session.rejected());
}

TEST(EnipSession, RejectsAfterRepeatedViolations) {
  Fixture f;
  for (uint32_t i = 0; i < kMaxConsecutiveViolations && !f.session.rejected(); ++i) {
    f.send(kClient, rr_data(cip_request(0x0E, {0xE0, 0x00})));
  }
  EXPECT_TRUE(f.session.rejected());
  size_t before = f.sink.operations.size();
  f.send(kClient, rr_data(cip_request(0x01, path(1, 1))));
  EXPECT_EQ(f.sink.operations.size(), before);
}

TEST(EnipSession, GarbageStreamIsRejected) {
  Fixture f;
  Buffer junk(kHuntBytesPerViolation * (kMaxConsecutiveViolations + 2), 0x42);
  f.send(kClient, encap(0x0042, {}));  // unknown command: hunting starts
  f.send(kClient, junk);
  EXPECT_TRUE(f.session.rejected());
}

TEST(EnipDescriptor, Registration) {
  EXPECT_EQ(kDissector_enip.name, "enip");
  EXPECT_EQ(kDissector_enip.transports, transport_bit::Tcp | transport_bit::Udp);
  ASSERT_EQ(kDissector_enip.ports.size(), 2u);
  EXPECT_EQ(kDissector_enip.ports[0], 44818);
  EXPECT_EQ(kDissector_enip.ports[1], 2222);
  RecordingSink sink;
  auto session = kDissector_enip.make_session(sink);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(kDissector_enip.probe(kClient, encap(0x0065, cat({le16(1), le16(0)}), 0)), ProbeResult::Match);
  EXPECT_EQ(kDissector_enip.probe(kClient, io_datagram(1, 2, {3})), ProbeResult::Match);
}

}  // namespace
}  // namespace ots::enip
