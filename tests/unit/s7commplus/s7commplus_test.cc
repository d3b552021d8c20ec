// S7comm-plus wire grammar and session on byte arrays: real messages from the public S7-1200 HMI
// capture (s7commplus_iti_s7-1200-hmi.pcap) and messages built from the frame layout.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/mms/mms_session.h"
#include "dissectors/s7commplus/s7commplus_session.h"
#include "dissectors/s7commplus/s7commplus_tables.h"
#include "dissectors/s7commplus/s7commplus_wire.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::s7commplus {
namespace {

using test_support::from_hex;
using test_support::RecordingSink;
using Buf = std::vector<uint8_t>;

// ---- Real messages of the HMI capture (TPKT + COTP + S7comm-plus) ----------------------------------
const Buf kConnectRequest =
    from_hex("030000241fe00000011200c1020620c21053494d415449432d524f4f542d484d49c0010a");
const Buf kConnectConfirm =
    from_hex("030000241fd00112000900c0010ac1020620c21053494d415449432d524f4f542d484d49");
const Buf kCreateSessionRequest = from_hex(
    "030000d902f080720100ca31000004ca0000000100000120360000011d00040000000000a1000000d3821f0000a3816900151653"
    "65"
    "7276657253657373696f6e5f3130303030303030a3822100150a313a3a3a362e33323a3aa38228001508484d492055534552a382"
    "29"
    "001505534d405254a3822a001508484d4920484f5354a3822b000402a3822c001210000000a3822d0015164f4d532b20666f7220"
    "53"
    "4d4152542052756e74696d65a1000000d3817f0000a38169001515537562736372697074696f6e436f6e7461696e6572a2a20000"
    "00"
    "0072010000");
const Buf kCreateSessionResponse = from_hex(
    "0300008902f0807201007a32000004ca00000001361102873e8723a100000120821f0000a38169001500a382320017000001"
    "3a823b00048200823c00048140823d00048480c040823e00048480c040823f00151b313b36455337203231312d31424533312d30"
    "58"
    "4230203b56332e308240001505323b32383882410003000300a20000000072010000");
const Buf kEmptyDt = from_hex("0300000702f000");
const Buf kSetSessionVersion = from_hex(
    "0300007a02f0807202006b310000054200000002000003be34000003be010182320100170000013a823b00048200823c00048140"
    "823d00048480c040823e00048480c040823f0015008240001505323b3238388241000300030000000004e8896900120000000089"
    "6a"
    "001300896b000400000000000072020000");
const Buf kSetSessionVersionResponse =
    from_hex("0300001f02f080720200103200000542000000023400000000000072020000");
const Buf kGetMultiVariables = from_hex(
    "0300005302f08072020044310000054c00000003000003be3400000000030e0032019a7b00814902880d876800814902880d8769"
    "00"
    "0004e88969001200000000896a001300896b000400000000000072020000");
const Buf kGetMultiVariablesResponse =
    from_hex("0300002c02f0807202001d320000054c00000003340001000801020008320300083200000000000072020000");

// ---- Builders --------------------------------------------------------------------------------------
Buf tpkt_dt(const Buf& user_data, bool eot = true) {
  Buf out = {0x03, 0x00, 0, 0, 0x02, 0xF0, static_cast<uint8_t>(eot ? 0x80 : 0x00)};
  out.insert(out.end(), user_data.begin(), user_data.end());
  out[2] = static_cast<uint8_t>(out.size() >> 8);
  out[3] = static_cast<uint8_t>(out.size());
  return out;
}

Buf frame(uint8_t version, const Buf& data, bool trailer = true) {
  Buf out = {0x72, version, static_cast<uint8_t>(data.size() >> 8), static_cast<uint8_t>(data.size())};
  out.insert(out.end(), data.begin(), data.end());
  if (trailer) out.insert(out.end(), {0x72, version, 0x00, 0x00});
  return out;
}

Buf request_data(uint16_t function, uint16_t seq, uint32_t session, const Buf& body) {
  Buf out = {0x31,
             0x00,
             0x00,
             static_cast<uint8_t>(function >> 8),
             static_cast<uint8_t>(function),
             0x00,
             0x00,
             static_cast<uint8_t>(seq >> 8),
             static_cast<uint8_t>(seq),
             static_cast<uint8_t>(session >> 24),
             static_cast<uint8_t>(session >> 16),
             static_cast<uint8_t>(session >> 8),
             static_cast<uint8_t>(session),
             0x34};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Buf response_data(uint16_t function, uint16_t seq, const Buf& body, uint8_t opcode = opcode::kResponse) {
  Buf out = {opcode,
             0x00,
             0x00,
             static_cast<uint8_t>(function >> 8),
             static_cast<uint8_t>(function),
             0x00,
             0x00,
             static_cast<uint8_t>(seq >> 8),
             static_cast<uint8_t>(seq),
             0x34};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Buf request(uint16_t function, uint16_t seq, const Buf& body, uint32_t session = 0x3BE) {
  return tpkt_dt(frame(version::kV2, request_data(function, seq, session, body)));
}
Buf response(uint16_t function, uint16_t seq, const Buf& body) {
  return tpkt_dt(frame(version::kV2, response_data(function, seq, body)));
}

Buf concat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct Harness {
  RecordingSink sink;
  Session session{sink};
  FlowContext ctx;
  void client(const Buf& b) { session.data(ctx, Direction::FromClient, b); }
  void server(const Buf& b) { session.data(ctx, Direction::FromServer, b); }
  // The HMI's session set-up: connection, CreateObject (session) and the session-version handshake.
  void handshake() {
    client(kConnectRequest);
    server(kConnectConfirm);
    client(kCreateSessionRequest);
    server(kCreateSessionResponse);
    client(kEmptyDt);
    client(kSetSessionVersion);
    server(kSetSessionVersionResponse);
  }
  const test_support::RecordedOperation& last_op() const { return sink.operations.back(); }
};

// ---- Wire ------------------------------------------------------------------------------------------

TEST(S7commPlusWire, VarUintDecodesSevenBitGroups) {
  Buf b = {0x82, 0x32, 0x87, 0x40, 0x05};
  ByteReader r(b);
  EXPECT_EQ(read_varuint32(r), 306u);  // ServerSessionVersion
  EXPECT_EQ(read_varuint32(r), 960u);
  EXPECT_EQ(read_varuint32(r), 5u);
  EXPECT_TRUE(r.ok());
  Buf too_long = {0x81, 0x81, 0x81, 0x81, 0x81, 0x01};
  ByteReader bad(too_long);
  read_varuint32(bad);
  EXPECT_FALSE(bad.ok());
}

TEST(S7commPlusWire, ReturnValueSignsTheLow16Bits) {
  Buf error = from_hex("c08895b080ef91fff4");  // GetVarSubStreamed answer of the upload capture: -12
  ByteReader r(error);
  const uint64_t value = read_varuint64(r);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(static_cast<int16_t>(value & 0xFFFF), -12);
  EXPECT_TRUE(return_value_is_error(value));
  EXPECT_FALSE(return_value_is_error(17));  // "session pre-legitimated" is a warning
  EXPECT_FALSE(return_value_is_error(0));
}

TEST(S7commPlusWire, FrameWithTrailer) {
  Frame f;
  Buf message = frame(version::kV2, {0x31, 0x00});
  ASSERT_EQ(parse_frame(message, f), Anomaly::None);
  EXPECT_EQ(f.version, 2);
  EXPECT_TRUE(f.has_trailer);
  EXPECT_EQ(f.data.size(), 2u);
}

TEST(S7commPlusWire, FrameWithoutTrailerIsAFragment) {
  Frame f;
  ASSERT_EQ(parse_frame(frame(version::kV2, {0x31}, false), f), Anomaly::None);
  EXPECT_FALSE(f.has_trailer);
}

TEST(S7commPlusWire, KeepAlive) {
  Frame f;
  ASSERT_EQ(parse_frame(Buf{0x72, 0xFF, 0x07, 0x00}, f), Anomaly::None);
  EXPECT_EQ(f.version, version::kKeepAlive);
  EXPECT_EQ(f.keepalive_sequence, 7);
  EXPECT_EQ(parse_frame(Buf{0x72, 0xFF, 0x07, 0x00, 0x00}, f), Anomaly::LengthMismatch);
}

TEST(S7commPlusWire, FrameErrors) {
  Frame f;
  EXPECT_EQ(parse_frame(Buf{0x32, 0x01, 0x00, 0x00}, f), Anomaly::InvalidHeader);
  EXPECT_EQ(parse_frame(Buf{0x72, 0x09, 0x00, 0x00}, f), Anomaly::UnknownVersion);
  EXPECT_EQ(parse_frame(Buf{0x72, 0x02, 0x00, 0x05, 0x31}, f), Anomaly::LengthMismatch);
  EXPECT_EQ(parse_frame(Buf{0x72, 0x02, 0x00, 0x01, 0x31, 0x72, 0x03, 0x00, 0x00}, f),
            Anomaly::InvalidHeader);
  EXPECT_EQ(parse_frame(Buf{0x72, 0x02, 0x00, 0x01, 0x31, 0x72, 0x02}, f), Anomaly::LengthMismatch);
  EXPECT_EQ(parse_frame(Buf{0x72}, f), Anomaly::Truncated);
}

TEST(S7commPlusWire, V3IntegrityPartIsSkipped) {
  Buf data = {0x20};
  data.insert(data.end(), kDigestSize, 0xAB);
  data.push_back(0x31);
  Frame f;
  const Buf message = frame(version::kV3, data);
  ASSERT_EQ(parse_frame(message, f), Anomaly::None);
  EXPECT_TRUE(f.has_digest);
  ASSERT_EQ(f.data.size(), 1u);
  EXPECT_EQ(f.data[0], 0x31);
  Buf short_digest = {0x10, 0x00, 0x31};
  EXPECT_EQ(parse_frame(frame(version::kV3, short_digest), f), Anomaly::IntegrityUnparsed);
}

TEST(S7commPlusWire, DataHeaders) {
  DataHeader h;
  ASSERT_EQ(parse_data_header(request_data(0x054C, 3, 0x3BE, {0x01}), h), Anomaly::None);
  EXPECT_EQ(h.opcode, opcode::kRequest);
  EXPECT_EQ(h.function, 0x054C);
  EXPECT_EQ(h.sequence, 3);
  EXPECT_EQ(h.session_id, 0x3BEu);
  EXPECT_EQ(h.body.size(), 1u);
  ASSERT_EQ(parse_data_header(response_data(0x054C, 3, {}), h), Anomaly::None);
  EXPECT_EQ(h.opcode, opcode::kResponse);
  EXPECT_EQ(h.session_id, 0u);
  EXPECT_EQ(parse_data_header(Buf{0x44, 0, 0}, h), Anomaly::UnknownOpcode);
  EXPECT_EQ(parse_data_header(Buf{0x31, 0, 0, 0x05}, h), Anomaly::Truncated);
  ASSERT_EQ(parse_data_header(Buf{0x33, 0x01}, h), Anomaly::None);
  EXPECT_EQ(h.opcode, opcode::kNotification);
}

TEST(S7commPlusWire, ItemAddressOfADataBlock) {
  // GetMultiVariables: object 0, 1 item, 5 fields: CRC, area DB6, 2 LIDs (DB_ValueActual, 0x10).
  Buf body = from_hex(
      "00000000"
      "01"
      "05"
      "ec87a148"
      "88d0b88006"
      "02"
      "9376"
      "10");
  MultiVariableRequest req;
  ASSERT_EQ(parse_multi_variable_request(body, req), Anomaly::None);
  EXPECT_EQ(req.item_count, 1u);
  ASSERT_TRUE(req.has_first);
  EXPECT_EQ(req.first.access_area, 0x8A0E0006u);
  EXPECT_EQ(req.first.sub_area, 2550u);  // DB_ValueActual
  EXPECT_EQ(data_block_number(req.first.access_area), 6);
  std::array<char, 48> text{};
  EXPECT_EQ(format_item_address(req.first, text), "DB6 lid=16");
  ItemAddress m;
  m.access_area = ids::kNativeMArea;
  m.lid_count = 1;
  EXPECT_EQ(format_item_address(m, text), "M");
}

TEST(S7commPlusWire, ItemAddressCountBeyondBytesIsMalformed) {
  MultiVariableRequest req;
  EXPECT_EQ(parse_multi_variable_request(from_hex("00000000010500527f"), req), Anomaly::LengthMismatch);
  EXPECT_EQ(parse_multi_variable_request(from_hex("000000"), req), Anomaly::Truncated);
}

TEST(S7commPlusWire, CreateObjectRequestAndResponse) {
  Frame f;
  ASSERT_EQ(parse_frame(Bytes(kCreateSessionRequest).subspan(7), f), Anomaly::None);
  DataHeader h;
  ASSERT_EQ(parse_data_header(f.data, h), Anomaly::None);
  CreateObjectRequest req;
  ASSERT_EQ(parse_create_object_request(h.body, req), Anomaly::None);
  EXPECT_EQ(req.request_id, ids::kObjectServerSessionContainer);
  EXPECT_EQ(req.relation_id, 211u);
  EXPECT_EQ(req.class_id, ids::kClassServerSession);

  ASSERT_EQ(parse_frame(Bytes(kCreateSessionResponse).subspan(7), f), Anomaly::None);
  ASSERT_EQ(parse_data_header(f.data, h), Anomaly::None);
  CreateObjectResponse resp;
  ASSERT_EQ(parse_create_object_response(h.body, resp), Anomaly::None);
  EXPECT_EQ(resp.return_value, 17u);
  EXPECT_EQ(resp.object_count, 2u);
  EXPECT_EQ(resp.first_object_id, 0x3BEu);
  EXPECT_EQ(find_wstring_attribute(h.body, ids::kSessionVersionPaomString), "1;6ES7 211-1BE31-0XB0 ;V3.0");
  EXPECT_EQ(find_wstring_attribute(h.body, 999), "");
}

TEST(S7commPlusWire, PaomString) {
  auto id = parse_paom_string("1;6ES7 214-1HE30-0XB0 ;V2.2");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->order_number, "6ES7 214-1HE30-0XB0");
  EXPECT_EQ(id->firmware, "V2.2");
  id = parse_paom_string("1;6ES7 511-1AK00-0AB0");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->firmware, "");
  EXPECT_FALSE(parse_paom_string("2;288"));
  EXPECT_FALSE(parse_paom_string("no separator"));
  EXPECT_FALSE(parse_paom_string("1;abc;V1"));
}

// ---- Session ---------------------------------------------------------------------------------------

TEST(S7commPlusSession, HandshakeConfirmsAndIdentifiesThePlc) {
  Harness h;
  h.handshake();
  EXPECT_TRUE(h.session.confirmed());
  EXPECT_EQ(h.sink.confirmations.size(), 1u);
  EXPECT_TRUE(h.sink.anomalies.empty());
  EXPECT_TRUE(h.sink.has_identity(Side::Server, IdentityField::Vendor, "Siemens"));
  EXPECT_TRUE(h.sink.has_identity(Side::Server, IdentityField::DeviceType, "PLC"));
  EXPECT_TRUE(h.sink.has_identity(Side::Server, IdentityField::OrderNumber, "6ES7 211-1BE31-0XB0"));
  EXPECT_TRUE(h.sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "V3.0"));
  ASSERT_EQ(h.sink.operations.size(), 4u);
  const auto& create = h.sink.operations[0];
  EXPECT_EQ(create.code, function::kCreateObject);
  EXPECT_EQ(create.name, "CreateObject");
  EXPECT_TRUE(create.is_request);
  EXPECT_FALSE(create.is_write);  // creating the server session is not a change to the PLC
  EXPECT_EQ(create.object, "ServerSession");
  EXPECT_EQ(h.sink.operations[1].from, Side::Server);
  EXPECT_FALSE(h.sink.operations[1].is_request);
  EXPECT_FALSE(h.sink.operations[1].is_error);
  const auto& version = h.sink.operations[2];
  EXPECT_EQ(version.code, function::kSetMultiVariables);
  EXPECT_FALSE(version.is_write);  // the session-version handshake writes to the session object
  EXPECT_EQ(version.object, "ServerSession");
  EXPECT_EQ(h.session.versions_seen(), (1u << 1) | (1u << 2));
}

TEST(S7commPlusSession, GetMultiVariablesOfSystemObjects) {
  Harness h;
  h.handshake();
  h.client(kGetMultiVariables);
  h.server(kGetMultiVariablesResponse);
  const auto& req = h.sink.operations[4];
  EXPECT_EQ(req.code, function::kGetMultiVariables);
  EXPECT_EQ(req.quantity, 3u);
  EXPECT_EQ(req.object, "area 0x32");
  EXPECT_FALSE(req.is_write);
  const auto& resp = h.last_op();
  EXPECT_EQ(resp.name, "GetMultiVariables");
  EXPECT_EQ(resp.object, "area 0x32");
  EXPECT_EQ(resp.quantity, 3u);
  EXPECT_TRUE(h.sink.anomalies.empty());
}

TEST(S7commPlusSession, SetMultiVariablesToADataBlockIsAWrite) {
  Harness h;
  h.handshake();
  // object 0, 1 item, 5 fields, address CRC 0, DB3, 2 LIDs (sub-area 2550, LID 10), then a value.
  h.client(request(function::kSetMultiVariables, 10,
                   from_hex("00000000"
                            "01"
                            "05"
                            "00"
                            "88d0b88003"
                            "02"
                            "9376"
                            "0a"
                            "01"
                            "0002"
                            "05")));
  h.server(response(function::kSetMultiVariables, 10, {0x00}));
  const auto& req = h.sink.operations[4];
  EXPECT_TRUE(req.is_write);
  EXPECT_EQ(req.unit, 3u);
  EXPECT_EQ(req.object, "DB3 lid=10");
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_EQ(h.last_op().object, "DB3 lid=10");
  EXPECT_TRUE(h.sink.anomalies.empty());
}

TEST(S7commPlusSession, DeleteObjectOfTheSessionIsNotAWrite) {
  Harness h;
  h.handshake();
  h.client(request(function::kDeleteObject, 11, from_hex("000003be")));
  EXPECT_FALSE(h.last_op().is_write);
  EXPECT_EQ(h.last_op().object, "ServerSession");
  h.client(request(function::kDeleteObject, 12, from_hex("8a0e0003")));
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_EQ(h.last_op().object, "object 0x8A0E0003");
}

TEST(S7commPlusSession, CreateObjectInThePlcProgramIsAWrite) {
  Harness h;
  h.handshake();
  // request id 3 (the PLC program), value UDInt 0, object: relation 0xD3, class 0x9EB0.
  h.client(request(function::kCreateObject, 13,
                   from_hex("00000003"
                            "000400"
                            "00000000"
                            "a1"
                            "000000d3"
                            "82bd30"
                            "00")));
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_EQ(h.last_op().object, "PLC program class 40624");
}

TEST(S7commPlusSession, NegativeReturnValueIsAnError) {
  Harness h;
  h.handshake();
  h.client(request(function::kGetVarSubStreamed, 6, from_hex("89f90000200401bc37")));
  h.server(response(function::kGetVarSubStreamed, 6, from_hex("c08895b080ef91fff40000")));
  EXPECT_TRUE(h.last_op().is_error);
  EXPECT_EQ(h.last_op().name, "GetVarSubStreamed");
  EXPECT_EQ(h.last_op().object, "object 0x89F90000");
}

TEST(S7commPlusSession, FragmentedMessageIsReassembled) {
  Harness h;
  h.handshake();
  Buf data = request_data(function::kGetMultiVariables, 20, 0x3BE,
                          from_hex("00000000"
                                   "01"
                                   "04"
                                   "00"
                                   "52"
                                   "01"
                                   "05"));
  Buf first(data.begin(), data.begin() + 9), rest(data.begin() + 9, data.end());
  h.client(tpkt_dt(frame(version::kV2, first, false)));
  EXPECT_EQ(h.sink.operations.size(), 4u);
  h.client(tpkt_dt(frame(version::kV2, rest, true)));
  ASSERT_EQ(h.sink.operations.size(), 5u);
  EXPECT_EQ(h.last_op().code, function::kGetMultiVariables);
  EXPECT_EQ(h.last_op().object, "M");
}

TEST(S7commPlusSession, CotpSegmentedMessageIsReassembled) {
  Harness h;
  h.handshake();
  Buf s7 = frame(version::kV2, request_data(function::kExplore, 21, 0x3BE, from_hex("00000003")));
  Buf first(s7.begin(), s7.begin() + 6), rest(s7.begin() + 6, s7.end());
  h.client(concat({tpkt_dt(first, false), tpkt_dt(rest, true)}));
  EXPECT_EQ(h.last_op().name, "Explore");
  EXPECT_EQ(h.last_op().object, "object 0x3");
}

TEST(S7commPlusSession, NotificationFromThePlc) {
  Harness h;
  h.handshake();
  h.server(tpkt_dt(frame(version::kV2, from_hex("3300000001000000"))));
  EXPECT_EQ(h.last_op().code, kNotificationCode);
  EXPECT_EQ(h.last_op().from, Side::Server);
  EXPECT_FALSE(h.last_op().is_request);
}

TEST(S7commPlusSession, KeepAliveIsQuiet) {
  Harness h;
  h.handshake();
  const size_t before = h.sink.operations.size();
  h.client(tpkt_dt(Buf{0x72, 0xFF, 0x01, 0x00}));
  EXPECT_EQ(h.sink.operations.size(), before);
  EXPECT_TRUE(h.sink.anomalies.empty());
}

TEST(S7commPlusSession, AnomaliesAreNamed) {
  Harness h;
  h.handshake();
  h.client(request(0x0999, 30, {}));
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.unknown_function"));
  h.server(response(function::kExplore, 77, {0x00}));
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.unmatched_response"));
  h.client(tpkt_dt(frame(version::kV2, Buf{0x44, 0x00})));
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.unknown_opcode"));
  h.client(tpkt_dt(Buf{0x72, 0x02, 0x00, 0x09, 0x31}));
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.length_mismatch"));
  h.client(tpkt_dt(Buf{0x72, 0x07, 0x00, 0x00}));
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.unknown_version"));
  Buf bad_digest = {0x05, 0x00};
  h.client(tpkt_dt(frame(version::kV3, bad_digest)));
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.integrity_unparsed"));
  h.client(tpkt_dt(frame(version::kV2, request_data(function::kGetMultiVariables, 31, 0x3BE, {0x00}))));
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.truncated"));
  h.client(Buf{0x03, 0x00, 0x00, 0x07, 0x02, 0x10, 0x80});
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.invalid_cotp"));
  h.client(Buf{0x04, 0x00, 0x00, 0x07, 0x02, 0xF0, 0x80});
  EXPECT_TRUE(h.sink.has_anomaly("s7commplus.invalid_tpkt"));
  EXPECT_FALSE(h.session.rejected());
}

TEST(S7commPlusSession, V3MessagesAreParsedPastTheDigest) {
  Harness h;
  h.handshake();
  Buf data = {0x20};
  data.insert(data.end(), kDigestSize, 0x5A);
  Buf req = request_data(function::kSetVariable, 40, 0x3BE,
                         from_hex("00000034"
                                  "9a7b"
                                  "00"
                                  "04"
                                  "01"));
  data.insert(data.end(), req.begin(), req.end());
  h.client(tpkt_dt(frame(version::kV3, data)));
  EXPECT_EQ(h.last_op().name, "SetVariable");
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_EQ(h.session.versions_seen() & (1u << 3), 1u << 3);
}

TEST(S7commPlusSession, TlsAfterInitSslIsReportedOnce) {
  Harness h;
  h.handshake();
  h.client(request(function::kInitSsl, 3, {}));
  h.server(response(function::kInitSsl, 3, {0x00}));
  Buf tls = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};
  h.client(tpkt_dt(tls));
  h.server(tpkt_dt(tls));
  EXPECT_EQ(h.sink.count_anomaly("s7commplus.encrypted"), 1u);
  EXPECT_FALSE(h.session.rejected());
}

TEST(S7commPlusSession, ClassicS7commIsLeftQuietly) {
  Harness h;
  h.client(from_hex("0300001611e00000000100c1020100c2020102c0010a"));
  h.client(tpkt_dt(from_hex("320100000000000800000f0000010001000103c0")));
  EXPECT_TRUE(h.session.rejected());
  EXPECT_TRUE(h.sink.anomalies.empty());
  EXPECT_TRUE(h.sink.operations.empty());
}

TEST(S7commPlusSession, RepeatedViolationsRejectAnUnconfirmedSession) {
  Harness h;
  h.client(tpkt_dt(Buf{0x72, 0x02, 0x00, 0x01, 0x31}));  // a frame: the flow looks like ours
  for (int i = 0; i < SessionLimits::kMaxViolationsUnconfirmed && !h.session.rejected(); ++i) {
    h.client(tpkt_dt(Buf{0x72, 0x02, 0x00, 0x09, 0x31}));
  }
  EXPECT_TRUE(h.session.rejected());
}

TEST(S7commPlusSession, OneSidedCaptureConfirmsAfterThreeFrames) {
  Harness h;
  h.client(kCreateSessionRequest);
  h.client(kSetSessionVersion);
  EXPECT_FALSE(h.session.confirmed());
  h.client(kGetMultiVariables);
  EXPECT_TRUE(h.session.confirmed());
}

std::vector<std::string> describe(const RecordingSink& s) {
  std::vector<std::string> out;
  for (const auto& op : s.operations) {
    out.push_back(std::to_string(op.code) + " " + op.name + " " + op.object + (op.is_write ? " w" : "") +
                  (op.is_error ? " e" : ""));
  }
  for (const auto& a : s.anomalies) out.push_back(a);
  for (const auto& i : s.identities) out.push_back(i.value);
  return out;
}

TEST(S7commPlusSession, SplitAtEveryPositionGivesTheSameEvents) {
  const Buf client =
      concat({kConnectRequest, kCreateSessionRequest, kEmptyDt, kSetSessionVersion, kGetMultiVariables});
  const Buf server = concat({kConnectConfirm, kCreateSessionResponse, kSetSessionVersionResponse});
  Harness whole;
  whole.client(client);
  whole.server(server);
  const auto expected = describe(whole.sink);
  ASSERT_GE(whole.sink.operations.size(), 4u);
  for (size_t cut = 1; cut < client.size(); cut += 3) {
    Harness h;
    h.client(Buf(client.begin(), client.begin() + static_cast<std::ptrdiff_t>(cut)));
    h.client(Buf(client.begin() + static_cast<std::ptrdiff_t>(cut), client.end()));
    for (size_t i = 0; i < server.size(); i += 7) {
      h.server(Buf(server.begin() + static_cast<std::ptrdiff_t>(i),
                   server.begin() + static_cast<std::ptrdiff_t>(std::min(i + 7, server.size()))));
    }
    ASSERT_EQ(describe(h.sink), expected) << "cut at " << cut;
  }
}

TEST(S7commPlusSession, EveryTruncationIsSafe) {
  for (const Buf* message : {&kCreateSessionRequest, &kCreateSessionResponse, &kSetSessionVersion,
                             &kGetMultiVariables, &kGetMultiVariablesResponse}) {
    for (size_t n = 0; n <= message->size(); ++n) {
      Harness h;
      Buf prefix(message->begin(), message->begin() + static_cast<std::ptrdiff_t>(n));
      h.client(prefix);
      h.session.end(h.ctx, Direction::FromClient);
      // A truncated S7comm-plus payload inside a whole TPKT must not crash either.
      if (n > 7) {
        Buf inner(message->begin() + 7, message->begin() + static_cast<std::ptrdiff_t>(n));
        Harness t;
        t.client(tpkt_dt(inner));
        t.server(tpkt_dt(inner));
      }
    }
  }
}

TEST(S7commPlusSession, ResynchronisesAfterAGap) {
  Harness h;
  h.handshake();
  h.session.gap(h.ctx, Direction::FromClient, 100);
  Buf tail(kGetMultiVariables.begin() + 20, kGetMultiVariables.end());
  h.client(concat({tail, kGetMultiVariables}));
  EXPECT_EQ(h.last_op().code, function::kGetMultiVariables);
  h.server(response(function::kExplore, 99, {0x00}));  // orphaned by the gap: no anomaly
  EXPECT_FALSE(h.sink.has_anomaly("s7commplus.unmatched_response"));
}

// ---- Probe -----------------------------------------------------------------------------------------

TEST(S7commPlusProbe, ClaimsOnlyItsOwnFlows) {
  EXPECT_EQ(probe(Direction::FromClient, kConnectRequest), ProbeResult::Match);  // SIMATIC-ROOT-HMI TSAP
  EXPECT_EQ(probe(Direction::FromClient, kCreateSessionRequest), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient,
                  concat({from_hex("030000130ee00000000600c1020002c2020001"), kCreateSessionRequest})),
            ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, from_hex("030000130ee00000000600c1020002c2020001")),
            ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Direction::FromClient, kEmptyDt), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Direction::FromClient, Buf{0x03, 0x00}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Direction::FromClient, tpkt_dt(from_hex("320100000000000800000f0000010001000103c0"))),
            ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, tpkt_dt(from_hex("0100010061093007020103a0028b00"))),
            ProbeResult::NoMatch);  // MMS
  EXPECT_EQ(probe(Direction::FromClient, tpkt_dt(Buf{0x72, 0x42})), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, from_hex("474554202f20485454502f312e310d0a")), ProbeResult::NoMatch);
  EXPECT_EQ(mms::probe(Direction::FromClient, kCreateSessionRequest), ProbeResult::NoMatch);
}

}  // namespace
}  // namespace ots::s7commplus
