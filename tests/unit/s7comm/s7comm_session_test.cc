#include "dissectors/s7comm/s7comm_session.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "dissectors/s7comm/s7comm_tables.h"
#include "s7comm_test_util.h"

namespace ots::s7comm {
namespace {

using s7test::be16;
using s7test::Buf;
using s7test::cat;
using s7test::frame;
using s7test::padded;
using s7test::text;

const Buf kSetupRequest = frame(s7test::s7_job(0x0100, {0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xE0}));
const Buf kSetupResponse =
    frame(s7test::s7_ack_data(0x0100, {0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xF0}));

const Buf kReadParams = {
    0x04, 0x02, 0x12, 0x0A, 0x10, 0x02, 0x00, 0x0A, 0x00, 0x01, 0x84, 0x00,
    0x00, 0x00,                                                               // DB1.DBX 0.0 BYTE 10
    0x12, 0x0A, 0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x83, 0x00, 0x00, 0x51};  // M 10.1 BIT 1
const Buf kReadResponseData = {0xFF, 0x04, 0x00, 0x50, 0,    1,    2,    3,    4,   5,
                               6,    7,    8,    9,    0xFF, 0x03, 0x00, 0x01, 0x01};

// SZL 0x0011 answer of a CPU 315-2 PN/DP, built after the Siemens record layout.
Buf szl_0011_payload() {
  auto record = [](uint16_t index, const std::string& mlfb, Buf tail) {
    return cat({be16(index), padded(mlfb, 20, ' '), tail});
  };
  return cat({{0x00, 0x11, 0x00, 0x00, 0x00, 0x1C, 0x00, 0x04},
              record(0x0001, "6ES7 315-2EH14-0AB0", {0x00, 0xC0, 0x00, 0x03, 0x00, 0x01}),
              record(0x0006, "6ES7 315-2EH14-0AB0", {0x00, 0xC0, 0x00, 0x03, 0x00, 0x01}),
              record(0x0007, "", {0x00, 0xC0, 0x56, 0x03, 0x02, 0x07}),
              record(0x0081, "Boot Loader", {0x00, 0x00, 0x41, 0x20, 0x09, 0x09})});
}

// SZL 0x001C answer: ten 34-byte component records.
Buf szl_001c_payload() {
  auto record = [](uint16_t index, Buf body) {
    return cat({be16(index), padded(std::string(body.begin(), body.end()), 32, 0)});
  };
  return cat({{0x00, 0x1C, 0x00, 0x00, 0x00, 0x22, 0x00, 0x0A},
              record(0x0001, text("S7300/ET200M station_1")),
              record(0x0002, text("PLC_1")),
              record(0x0003, {}),
              record(0x0004, text("Original Siemens Equipment")),
              record(0x0005, text("S C-B1U393142011")),
              record(0x0007, text("CPU 315-2 PN/DP")),
              record(0x0008, text("MMC 4A1AC019")),
              record(0x0009, {0x00, 0x2A, 0xF6, 0x00, 0x00, 0x01}),
              record(0x000A, {}),
              record(0x000B, {})});
}

Buf szl_0424_payload(uint8_t bzu_id) {
  return cat({{0x04, 0x24, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x51, 0x44, 0xFF, bzu_id}, Buf(16, 0x00)});
}

Buf szl_request(uint16_t ref, uint16_t id, uint16_t index) {
  return frame(
      s7test::s7_userdata(ref, s7test::ud_request(4, 1), s7test::ud_data(cat({be16(id), be16(index)}))));
}

Buf szl_response(uint16_t ref, const Buf& payload) {
  return frame(s7test::s7_userdata(ref, s7test::ud_response(4, 1), s7test::ud_data(payload)));
}

class S7commSessionTest : public ::testing::Test {
 protected:
  void client(const Buf& b) { session.data(ctx, Direction::FromClient, b); }
  void server(const Buf& b) { session.data(ctx, Direction::FromServer, b); }
  void handshake() {
    client(s7test::tpkt(s7test::cotp_cr(0x0102)));
    server(s7test::tpkt(s7test::cotp_cc()));
    client(kSetupRequest);
    server(kSetupResponse);
  }
  const s7test::RecordedOperation& last_op() const { return sink.operations.back(); }

  FlowContext ctx;
  s7test::RecordingSink sink;
  Session session{sink};
};

TEST_F(S7commSessionTest, HandshakeConfirmsAndReportsRackSlot) {
  client(s7test::tpkt(s7test::cotp_cr(0x0102)));
  server(s7test::tpkt(s7test::cotp_cc()));
  EXPECT_TRUE(sink.confirmations.empty());  // a CR/CC alone is not S7 yet
  client(kSetupRequest);
  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_EQ(sink.confirmations[0], "s7comm");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Vendor), "Siemens");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::DeviceType), "PLC");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Description), "module rack 0 slot 2");
  server(kSetupResponse);
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].name, "Setup Communication");
  EXPECT_EQ(sink.operations[0].op.code, 0xF0u);
  EXPECT_TRUE(sink.operations[0].op.is_request);
  EXPECT_EQ(sink.operations[0].from, Side::Client);
  EXPECT_FALSE(sink.operations[1].op.is_request);
  EXPECT_EQ(sink.operations[1].from, Side::Server);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_EQ(sink.confirmations.size(), 1u);
}

TEST_F(S7commSessionTest, ConfirmsAfterBothDirectionsWithoutHandshake) {
  client(kSetupRequest);
  EXPECT_TRUE(sink.confirmations.empty());
  server(kSetupResponse);
  EXPECT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(session.confirmed());
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Description), "");  // no CR seen
}

TEST_F(S7commSessionTest, ReadVarRequestAndResponse) {
  handshake();
  client(frame(s7test::s7_job(0x0200, kReadParams)));
  const auto& req = last_op();
  EXPECT_EQ(req.name, "Read Var");
  EXPECT_EQ(req.op.code, 0x04u);
  EXPECT_FALSE(req.op.is_write);
  EXPECT_TRUE(req.op.has_range);
  EXPECT_EQ(req.op.unit, 1u);
  EXPECT_EQ(req.op.address, 0u);
  EXPECT_EQ(req.op.quantity, 10u);
  EXPECT_EQ(req.object, "DB1.DBX 0.0 BYTE 10");
  server(frame(s7test::s7_ack_data(0x0200, {0x04, 0x02}, kReadResponseData)));
  const auto& res = last_op();
  EXPECT_FALSE(res.op.is_request);
  EXPECT_FALSE(res.op.is_error);
  EXPECT_EQ(res.name, "Read Var");
  EXPECT_EQ(res.object, "DB1.DBX 0.0 BYTE 10");
  EXPECT_EQ(res.op.quantity, 10u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(S7commSessionTest, ReadVarItemErrorsAndCountMismatch) {
  handshake();
  client(frame(s7test::s7_job(0x0201, kReadParams)));
  Buf failed = {0x0A, 0x00, 0x00, 0x00, 0xFF, 0x03, 0x00, 0x01, 0x01};
  server(frame(s7test::s7_ack_data(0x0201, {0x04, 0x02}, failed)));
  EXPECT_TRUE(last_op().op.is_error);
  EXPECT_TRUE(sink.anomalies.empty());
  client(frame(s7test::s7_job(0x0202, kReadParams)));
  server(frame(s7test::s7_ack_data(0x0202, {0x04, 0x01}, {0xFF, 0x04, 0x00, 0x08, 0x01})));
  EXPECT_TRUE(sink.has_anomaly("s7comm.invalid_item"));
}

TEST_F(S7commSessionTest, WriteVarIsWriteAndReportsFailedItems) {
  handshake();
  Buf params = {0x05, 0x01, 0x12, 0x0A, 0x10, 0x02, 0x00, 0x04, 0x00, 0x05, 0x84, 0x00, 0x00, 0x10};
  Buf data = {0x00, 0x04, 0x00, 0x20, 1, 2, 3, 4};
  client(frame(s7test::s7_job(0x0300, params, data)));
  EXPECT_EQ(last_op().name, "Write Var");
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_EQ(last_op().op.unit, 5u);
  EXPECT_EQ(last_op().op.address, 2u);
  EXPECT_EQ(last_op().object, "DB5.DBX 2.0 BYTE 4");
  server(frame(s7test::s7_ack_data(0x0300, {0x05, 0x01}, {0x0A})));
  EXPECT_TRUE(last_op().op.is_error);
  EXPECT_TRUE(last_op().op.is_write);
  // Data shorter than the items announced.
  client(frame(s7test::s7_job(0x0301, params, {0x00, 0x04, 0x00, 0x20, 1})));
  EXPECT_TRUE(sink.has_anomaly("s7comm.truncated"));
}

TEST_F(S7commSessionTest, ErrorClassMarksResponse) {
  handshake();
  client(frame(s7test::s7_job(0x0400, kReadParams)));
  server(frame(s7test::s7_ack(0x0400, 0x85, 0x00)));
  EXPECT_TRUE(last_op().op.is_error);
  EXPECT_EQ(last_op().name, "Read Var");
  EXPECT_EQ(last_op().op.code, 0x04u);
}

TEST_F(S7commSessionTest, SzlModuleIdentification) {
  handshake();
  client(szl_request(0x0500, 0x0011, 0x0000));
  EXPECT_EQ(last_op().name, "Read SZL");
  EXPECT_EQ(last_op().op.code, kUserdataCode | 0x0401u);
  EXPECT_EQ(last_op().object, "SZL 0x0011 index 0x0000");
  server(szl_response(0x0500, szl_0011_payload()));
  EXPECT_EQ(last_op().object, "SZL 0x0011 index 0x0000");
  EXPECT_FALSE(last_op().op.is_request);
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::OrderNumber), "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::FirmwareVersion), "V3.2.7");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::HardwareRevision), "3");
  EXPECT_TRUE(sink.anomalies.empty());
  // A repeated poll does not repeat the identity events.
  size_t identities = sink.identities.size();
  client(szl_request(0x0501, 0x0011, 0x0000));
  server(szl_response(0x0501, szl_0011_payload()));
  EXPECT_EQ(sink.identities.size(), identities);
}

// The CR's called TSAP addresses the CPU (rack 0 slot 2): the SZL facts describe that module too.
TEST_F(S7commSessionTest, SzlFactsAlsoDescribeTheModuleTheTsapAddresses) {
  handshake();
  client(szl_request(0x0500, 0x0011, 0x0000));
  server(szl_response(0x0500, szl_0011_payload()));
  client(szl_request(0x0600, 0x001C, 0x0000));
  server(szl_response(0x0600, szl_001c_payload()));
  std::vector<std::string> modules;
  for (const auto& i : sink.identities)
    if (i.side == Side::Server && i.field == IdentityField::Description) modules.push_back(i.value);
  const std::vector<std::string> expected = {
      "module rack 0 slot 2",
      "module rack 0 slot 2: orderNumber=6ES7 315-2EH14-0AB0",
      "module rack 0 slot 2: hardwareRevision=3",
      "module rack 0 slot 2: firmwareVersion=V3.2.7",
      "module rack 0 slot 2: moduleName=PLC_1",
      "module rack 0 slot 2: serialNumber=S C-B1U393142011",
      "module rack 0 slot 2: productName=CPU 315-2 PN/DP",
  };
  EXPECT_EQ(modules, expected);
  // The device keeps its own facts; the PLC name describes the station, not the module.
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::OrderNumber), "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Hostname), "S7300/ET200M station_1");
}

// Without the CR (capture started later) the module's address is unknown: no module facts.
TEST_F(S7commSessionTest, NoModuleFactsWithoutConnectRequest) {
  client(kSetupRequest);
  server(kSetupResponse);
  client(szl_request(0x0500, 0x0011, 0x0000));
  server(szl_response(0x0500, szl_0011_payload()));
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::OrderNumber), "6ES7 315-2EH14-0AB0");
  for (const auto& i : sink.identities) EXPECT_NE(i.field, IdentityField::Description) << i.value;
}

TEST_F(S7commSessionTest, SzlComponentIdentificationInTwoFragments) {
  handshake();
  Buf payload = szl_001c_payload();
  Bytes first = Bytes(payload).first(214), rest = Bytes(payload).subspan(214);
  client(szl_request(0x0600, 0x001C, 0x0000));
  server(frame(s7test::s7_userdata(0x0600, s7test::ud_response(4, 1, 0xD5, false),
                                   s7test::ud_data(Buf(first.begin(), first.end())))));
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Hostname), "");  // not complete yet
  // Follow-up request: 8-byte parameters with the data unit reference, no SZL id.
  Buf follow_up = {0x00, 0x01, 0x12, 0x08, 0x12, 0x44, 0x01, 0x01, 0xD5, 0x00, 0x00, 0x00};
  client(frame(s7test::s7_userdata(0x0601, follow_up, {0x0A, 0x00, 0x00, 0x00})));
  server(frame(s7test::s7_userdata(0x0601, s7test::ud_response(4, 1, 0xD5, true),
                                   s7test::ud_data(Buf(rest.begin(), rest.end())))));
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::Hostname), "S7300/ET200M station_1");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::ModuleName), "PLC_1");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::SerialNumber), "S C-B1U393142011");
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::ProductName), "CPU 315-2 PN/DP");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(S7commSessionTest, SzlCpuStateAndModeTransitionPush) {
  handshake();
  client(szl_request(0x0700, 0x0424, 0x0000));
  server(szl_response(0x0700, szl_0424_payload(0x08)));
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::CpuState), "RUN");
  // The PLC announces STOP with a mode-transition push (group 0, subfunction 0).
  server(frame(s7test::s7_userdata(0xFFFF, s7test::ud_response(0, 0, 0, true, 0, 0x0), {})));
  EXPECT_EQ(last_op().name, "Mode Transition");
  EXPECT_EQ(last_op().op.code, kUserdataCode | 0x0000u);
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::CpuState), "STOP");
  client(szl_request(0x0701, 0x0424, 0x0000));
  server(szl_response(0x0701, szl_0424_payload(0x83)));
  EXPECT_EQ(sink.identity_value(Side::Server, IdentityField::CpuState), "STOP");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(S7commSessionTest, SzlOverflowAndBadList) {
  handshake();
  client(szl_request(0x0800, 0x0011, 0x0000));
  Buf big(1000, 0x20);
  for (int i = 0; i < 20; ++i) {
    server(frame(s7test::s7_userdata(static_cast<uint16_t>(0x0800 + i),
                                     s7test::ud_response(4, 1, 0x33, false), s7test::ud_data(big))));
  }
  EXPECT_TRUE(sink.has_anomaly("s7comm.reassembly_overflow"));
  client(szl_request(0x0900, 0x0011, 0x0000));
  server(szl_response(0x0900, {0x00, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02}));
  EXPECT_TRUE(sink.has_anomaly("s7comm.invalid_item"));
}

TEST_F(S7commSessionTest, PlcStopAndPiServices) {
  handshake();
  client(frame(s7test::s7_job(0x1000, cat({{0x29, 0, 0, 0, 0, 0, 0x09}, text("P_PROGRAM")}))));
  EXPECT_EQ(last_op().name, "PLC Stop");
  EXPECT_EQ(last_op().op.code, 0x29u);
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_EQ(last_op().object, "P_PROGRAM");
  server(frame(s7test::s7_ack_data(0x1000, {0x29})));
  EXPECT_EQ(last_op().name, "PLC Stop");

  client(frame(s7test::s7_job(
      0x1001, cat({{0x28, 0, 0, 0, 0, 0, 0, 0xFD, 0x00, 0x02}, text("C "), {0x09}, text("P_PROGRAM")}))));
  EXPECT_EQ(last_op().name, "PLC Cold Restart");
  EXPECT_EQ(last_op().op.code, 0x28u);
  EXPECT_TRUE(last_op().op.is_write);
  client(frame(
      s7test::s7_job(0x1002, cat({{0x28, 0, 0, 0, 0, 0, 0, 0xFD, 0x00, 0x00, 0x09}, text("P_PROGRAM")}))));
  EXPECT_EQ(last_op().name, "PLC Warm Restart");
  client(frame(s7test::s7_job(0x1003, cat({{0x28, 0, 0, 0, 0, 0, 0, 0xFD, 0x00, 0x0A, 0x01, 0x00},
                                           text("0C00007B"),
                                           {0x05},
                                           text("_DELE")}))));
  EXPECT_EQ(last_op().name, "Delete Block");
  EXPECT_EQ(last_op().object, "_DELE FC7");
  server(frame(s7test::s7_ack_data(0x1003, {0x28})));
  EXPECT_EQ(last_op().name, "Delete Block");
  EXPECT_EQ(last_op().object, "_DELE FC7");
  client(
      frame(s7test::s7_job(0x1004, cat({{0x28, 0, 0, 0, 0, 0, 0, 0xFD, 0x00, 0x00, 0x05}, text("_XYZ1")}))));
  EXPECT_EQ(last_op().name, "PI-Service");
  EXPECT_EQ(last_op().object, "_XYZ1");
}

TEST_F(S7commSessionTest, DownloadAndUploadBlocks) {
  handshake();
  Buf name = text("_0A00001P");
  client(frame(s7test::s7_job(
      0x2000, cat({{0x1A, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x09}, name, {0x0D}, text("1000216000088")}))));
  EXPECT_EQ(last_op().name, "Request Download");
  EXPECT_TRUE(last_op().op.is_write);
  EXPECT_EQ(last_op().object, "DB1");
  server(frame(s7test::s7_ack_data(0x2000, {0x1A})));
  // The PLC pulls the block: the job travels from the server.
  server(frame(s7test::s7_job(0x2001, cat({{0x1B, 0x00, 0, 0, 0, 0, 0, 0, 0x09}, name}))));
  EXPECT_EQ(last_op().name, "Download Block");
  EXPECT_EQ(last_op().from, Side::Server);
  client(frame(s7test::s7_ack_data(0x2001, {0x1B, 0x00}, {0x00, 0x04, 0x00, 0xFB, 0x70, 0x70})));
  EXPECT_EQ(last_op().name, "Download Block");
  EXPECT_EQ(last_op().from, Side::Client);
  server(frame(s7test::s7_job(0x2002, cat({{0x1C, 0x00, 0, 0, 0, 0, 0, 0, 0x09}, name}))));
  client(frame(s7test::s7_ack_data(0x2002, {0x1C})));
  EXPECT_EQ(last_op().name, "Download Ended");

  client(frame(s7test::s7_job(0x2003, cat({{0x1D, 0x00, 0, 0, 0, 0, 0, 0, 0x09}, text("_0800001A")}))));
  EXPECT_EQ(last_op().name, "Start Upload");
  EXPECT_FALSE(last_op().op.is_write);
  EXPECT_EQ(last_op().object, "OB1");
  server(frame(s7test::s7_ack_data(0x2003, {0x1D, 0x00, 0x01, 0x00, 0, 0, 0, 7, 0x07}, {})));
  client(frame(s7test::s7_job(0x2004, {0x1E, 0x00, 0, 0, 0, 0, 0, 7})));
  EXPECT_EQ(last_op().name, "Upload");
  server(frame(s7test::s7_ack_data(0x2004, {0x1E, 0x00}, {0x00, 0x04, 0x00, 0x02, 0x70, 0x70})));
  client(frame(s7test::s7_job(0x2005, {0x1F, 0x00, 0, 0, 0, 0, 0, 7})));
  EXPECT_EQ(last_op().name, "End Upload");
  server(frame(s7test::s7_ack_data(0x2005, {0x1F})));
  EXPECT_EQ(last_op().name, "End Upload");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST_F(S7commSessionTest, UserdataGroups) {
  handshake();
  struct Case {
    uint8_t group, subfunction;
    const char* name;
    bool is_write;
  };
  const Case cases[] = {{3, 1, "List Blocks", false},        {3, 3, "Get Block Info", false},
                        {7, 1, "Read Clock", false},         {7, 2, "Set Clock", true},
                        {5, 1, "PLC Password", true},        {1, 0x10, "Read Job List", false},
                        {1, 0x08, "Modify Variable", true},  {2, 0x01, "Cyclic Transfer", false},
                        {4, 0x02, "Message Service", false}, {2, 0x3F, "Cyclic Data", false}};
  uint16_t ref = 0x3000;
  for (const Case& c : cases) {
    client(
        frame(s7test::s7_userdata(ref, s7test::ud_request(c.group, c.subfunction), s7test::ud_data({0x00}))));
    EXPECT_EQ(last_op().name, c.name);
    EXPECT_EQ(last_op().op.code, kUserdataCode | uint32_t{c.group} << 8 | c.subfunction);
    EXPECT_EQ(last_op().op.is_write, c.is_write) << c.name;
    EXPECT_TRUE(last_op().op.is_request);
    server(frame(s7test::s7_userdata(ref, s7test::ud_response(c.group, c.subfunction), s7test::ud_data({}))));
    EXPECT_FALSE(last_op().op.is_request);
    EXPECT_EQ(last_op().name, c.name);
    ++ref;
  }
  EXPECT_TRUE(sink.anomalies.empty());
  // A userdata error code marks the response.
  client(frame(s7test::s7_userdata(ref, s7test::ud_request(5, 1), s7test::ud_data({0x01}))));
  server(frame(s7test::s7_userdata(ref, s7test::ud_response(5, 1, 0, true, 0xD602), {})));
  EXPECT_TRUE(last_op().op.is_error);
  // Unknown group.
  client(frame(s7test::s7_userdata(0x3999, s7test::ud_request(9, 1), {})));
  EXPECT_EQ(last_op().name, "Unknown");
  EXPECT_TRUE(sink.has_anomaly("s7comm.unknown_function"));
}

TEST_F(S7commSessionTest, EveryAnomaly) {
  handshake();
  ASSERT_TRUE(sink.anomalies.empty());
  // Unknown job function.
  client(frame(s7test::s7_job(0x4000, {0x77})));
  EXPECT_TRUE(sink.has_anomaly("s7comm.unknown_function"));
  EXPECT_EQ(last_op().name, "Unknown");
  // Response without request.
  server(frame(s7test::s7_ack_data(0x4999, {0x04, 0x01}, {0xFF, 0x04, 0x00, 0x08, 0x01})));
  EXPECT_TRUE(sink.has_anomaly("s7comm.unmatched_response"));
  // Bad item specification.
  client(frame(
      s7test::s7_job(0x4001, {0x04, 0x01, 0x13, 0x0A, 0x10, 0x02, 0x00, 0x0A, 0x00, 0x01, 0x84, 0, 0, 0})));
  EXPECT_TRUE(sink.has_anomaly("s7comm.invalid_item"));
  // S7 header lengths larger than the message.
  Buf mismatch = s7test::s7_job(0x4002, {0x04, 0x00});
  mismatch[7] = 0x09;
  client(frame(mismatch));
  EXPECT_TRUE(sink.has_anomaly("s7comm.length_mismatch"));
  // Wrong protocol id / PDU type.
  client(frame({0x31, 0x01, 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_TRUE(sink.has_anomaly("s7comm.invalid_protocol_id"));
  client(frame({0x32, 0x04, 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_TRUE(sink.has_anomaly("s7comm.invalid_rosctr"));
  // A TPKT carrying something that is not COTP class 0.
  client(s7test::tpkt({0x02, 0x60, 0x80}));
  EXPECT_TRUE(sink.has_anomaly("s7comm.invalid_cotp"));
  // S7 header cut inside a whole TPKT.
  client(frame({0x32, 0x01, 0x00}));
  EXPECT_TRUE(sink.has_anomaly("s7comm.truncated"));
  // Oversized multi-TPDU message.
  Buf chunk(8000, 0x00);
  for (int i = 0; i < 9; ++i) client(s7test::tpkt(s7test::cotp_dt(chunk, false)));
  EXPECT_TRUE(sink.has_anomaly("s7comm.reassembly_overflow"));
  client(s7test::tpkt(s7test::cotp_dt(chunk, true)));  // the tail of the dropped message
  // A bad TPKT header.
  client({0x03, 0x00, 0x00, 0x02});
  EXPECT_TRUE(sink.has_anomaly("s7comm.invalid_tpkt_length"));
  EXPECT_TRUE(session.confirmed());
  EXPECT_FALSE(session.rejected());  // a confirmed session tolerates some damage
}

TEST_F(S7commSessionTest, CotpMultiTpduMessage) {
  handshake();
  Buf job = s7test::s7_job(0x5000, kReadParams);
  Bytes b(job);
  client(s7test::tpkt(s7test::cotp_dt(Buf(b.begin(), b.begin() + 10), false)));
  EXPECT_EQ(last_op().name, "Setup Communication");
  client(s7test::tpkt(s7test::cotp_dt(Buf(b.begin() + 10, b.end()), true)));
  EXPECT_EQ(last_op().name, "Read Var");
  EXPECT_TRUE(sink.anomalies.empty());
}

Buf conversation_from_client() {
  return cat({s7test::tpkt(s7test::cotp_cr(0x0102)), kSetupRequest,
              frame(s7test::s7_job(0x0200, kReadParams)), szl_request(0x0300, 0x0011, 0x0000)});
}

TEST(S7commStream, TwoTpktsInOneSegmentAndSplitAnywhere) {
  FlowContext ctx;
  Buf stream = conversation_from_client();
  s7test::RecordingSink whole_sink;
  Session whole(whole_sink);
  whole.data(ctx, Direction::FromClient, stream);
  ASSERT_EQ(whole_sink.operations.size(), 3u);
  EXPECT_TRUE(whole_sink.anomalies.empty());
  for (size_t split = 1; split < stream.size(); ++split) {
    s7test::RecordingSink sink;
    Session session(sink);
    Bytes b(stream);
    session.data(ctx, Direction::FromClient, b.first(split));
    session.data(ctx, Direction::FromClient, b.subspan(split));
    ASSERT_EQ(sink.operations.size(), 3u) << split;
    EXPECT_EQ(sink.operations[1].object, "DB1.DBX 0.0 BYTE 10");
    EXPECT_TRUE(sink.anomalies.empty()) << split;
  }
  s7test::RecordingSink byte_sink;
  Session bytewise(byte_sink);
  for (uint8_t byte : stream) bytewise.data(ctx, Direction::FromClient, Bytes(&byte, 1));
  EXPECT_EQ(byte_sink.operations.size(), 3u);
  EXPECT_TRUE(byte_sink.anomalies.empty());
}

TEST(S7commStream, TruncationAtEveryPrefix) {
  FlowContext ctx;
  Buf stream = conversation_from_client();
  std::vector<size_t> boundaries;
  for (size_t at = 0; at < stream.size();) {
    at += size_t{stream[at + 2]} << 8 | stream[at + 3];
    boundaries.push_back(at);
  }
  for (size_t n = 1; n < stream.size(); ++n) {
    s7test::RecordingSink sink;
    Session session(sink);
    session.data(ctx, Direction::FromClient, Bytes(stream).first(n));
    session.end(ctx, Direction::FromClient);
    bool on_boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
    EXPECT_EQ(sink.has_anomaly("s7comm.truncated"), !on_boundary) << n;
    EXPECT_FALSE(session.rejected());
  }
}

TEST(S7commStream, ResynchronisesAfterGap) {
  FlowContext ctx;
  s7test::RecordingSink sink;
  Session session(sink);
  session.data(ctx, Direction::FromClient, kSetupRequest);
  session.data(ctx, Direction::FromServer, kSetupResponse);
  Buf job = frame(s7test::s7_job(0x0200, kReadParams));
  // The gap swallowed the start of a TPKT: its tail arrives, then a whole one, split after 2 bytes.
  session.gap(ctx, Direction::FromClient, 5);
  session.data(ctx, Direction::FromClient, Bytes(job).subspan(5));
  session.data(ctx, Direction::FromClient, Bytes(job).first(2));
  session.data(ctx, Direction::FromClient, Bytes(job).subspan(2));
  EXPECT_EQ(sink.operations.back().name, "Read Var");
  EXPECT_FALSE(session.rejected());
  // After a gap, orphaned responses are expected and not reported.
  session.gap(ctx, Direction::FromServer, 100);
  session.data(ctx, Direction::FromServer, frame(s7test::s7_ack_data(0x7777, {0x04, 0x01}, {0x0A, 0, 0, 0})));
  EXPECT_FALSE(sink.has_anomaly("s7comm.unmatched_response"));
}

TEST(S7commStream, GivesUpWhenNoHeaderFollowsAGap) {
  FlowContext ctx;
  s7test::RecordingSink sink;
  Session session(sink);
  session.data(ctx, Direction::FromClient, kSetupRequest);
  session.gap(ctx, Direction::FromClient, 10);
  Buf noise(4096, 0xAB);
  for (int i = 0; i < 40 && !session.rejected(); ++i) session.data(ctx, Direction::FromClient, noise);
  EXPECT_TRUE(session.rejected());
}

TEST(S7commStream, RejectsRepeatedViolationsBeforeConfirmation) {
  FlowContext ctx;
  s7test::RecordingSink sink;
  Session session(sink);
  for (int i = 0; i < 3; ++i)
    session.data(ctx, Direction::FromClient, frame({0x31, 0x01, 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_TRUE(session.rejected());
  EXPECT_TRUE(sink.confirmations.empty());
}

TEST(S7commStream, LeavesS7commPlusAlone) {
  FlowContext ctx;
  s7test::RecordingSink sink;
  Session session(sink);
  session.data(ctx, Direction::FromClient, s7test::tpkt(s7test::cotp_cr(0x0102)));
  session.data(ctx, Direction::FromServer, s7test::tpkt(s7test::cotp_cc()));
  session.data(ctx, Direction::FromClient, frame({0x72, 0x01, 0x00, 0x1E, 0x31}));
  EXPECT_TRUE(session.rejected());
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.confirmations.empty());

  s7test::RecordingSink plus_sink;
  Session plus(plus_sink);
  plus.data(ctx, Direction::FromClient,
            s7test::tpkt(cat({{0x1F, 0xE0, 0, 0, 0, 0x11, 0, 0xC1, 0x02, 0x06, 0x00, 0xC2, 0x10},
                              text("SIMATIC-ROOT-HMI"),
                              {0xC0, 0x01, 0x0A}})));
  EXPECT_TRUE(plus.rejected());
  EXPECT_TRUE(plus_sink.anomalies.empty());
}

}  // namespace
}  // namespace ots::s7comm
