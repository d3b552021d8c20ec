// MMS over the ISO stack on byte arrays: real messages of the public IEC 61850 captures
// (mms_iti_iec61850_read.pcap, mms_iti_piccolo.pcap) and PDUs built from ISO 9506-2 / 8327 / 8823.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/mms/mms_session.h"
#include "dissectors/mms/mms_tables.h"
#include "dissectors/mms/mms_wire.h"
#include "dissectors/s7commplus/s7commplus_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::mms {
namespace {

using test_support::from_hex;
using test_support::RecordingSink;
using Buf = std::vector<uint8_t>;

// ---- Real messages (TPKT + COTP + session + presentation + ACSE / MMS) -----------------------------
const Buf kConnectRequest = from_hex("030000130ee00000000600c1020002c2020001");
const Buf kConnectConfirm = from_hex("0300001611d01801000400c1020002c2020200c0010a");
const Buf kAssociate = from_hex(
    "030000bb02f0800db20506130100160102140200023302000134020001c19c318199a003800101a28191810400000001820400"
    "000001a423300f0201010604520100013004060251013010020103060528ca22020130040602510188020600615a3058020101"
    "a053605180020780a107060528ca220203a20606042bce0f02a303020117be35283306025101020103a02aa82880027530810203"
    "e8820203e8830105a417800101810305fb00820d03ffffffffffffffffffffff00");
const Buf kAssociateResponse = from_hex(
    "0300009102f0800e89050613010006010214020002c1003178a003800100a271830400000001a512300780010081025201300780"
    "010081025101880206006151304f020101a04a614880020780a107060528ca220203a203020100a305a103020100a40606042bce"
    "0f02a503020117be20281e020103a019a917800100810100820100830100a409800100810100820100");
const Buf kReadRequest =
    from_hex("0300002a02f08001000100611d301b020103a016a014020100a40f800100a10aa0083006a00480026d75");
const Buf kReadResponse = from_hex("0300001d02f080010001006110300e020103a009a107020100a402a100");
const Buf kConcludeRequest = from_hex("0300001602f0800100010061093007020103a0028b00");
const Buf kIdentifyRequest = from_hex("0300001b02f08001000100610e300c020103a007a0050201018200");
const Buf kIdentifyResponse = from_hex(
    "0300003c02f08001000100612f302d020103a028a126020101a2218009494e464f2054454348810d53363138353020666f722050"
    "438205302e302e31");

// ---- Builders --------------------------------------------------------------------------------------
Buf tlv(uint8_t tag, const Buf& value) {
  Buf out = {tag};
  if (value.size() < 0x80) {
    out.push_back(static_cast<uint8_t>(value.size()));
  } else {
    out.insert(out.end(),
               {0x82, static_cast<uint8_t>(value.size() >> 8), static_cast<uint8_t>(value.size())});
  }
  out.insert(out.end(), value.begin(), value.end());
  return out;
}
Buf cat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Buf str(std::string_view s) { return Buf(s.begin(), s.end()); }
Buf tpkt_dt(const Buf& user_data, bool eot = true) {
  Buf out = {0x03, 0x00, 0, 0, 0x02, 0xF0, static_cast<uint8_t>(eot ? 0x80 : 0x00)};
  out.insert(out.end(), user_data.begin(), user_data.end());
  out[2] = static_cast<uint8_t>(out.size() >> 8);
  out[3] = static_cast<uint8_t>(out.size());
  return out;
}
// GT + DT SPDUs and P-DATA (context 3) around an MMS PDU.
Buf data_message(const Buf& mms_pdu) {
  Buf pdv = tlv(0x30, cat({from_hex("020103"), tlv(0xA0, mms_pdu)}));
  return tpkt_dt(cat({from_hex("01000100"), tlv(0x61, pdv)}));
}
Buf invoke(uint8_t id) { return {0x02, 0x01, id}; }
Buf domain_name(std::string_view domain, std::string_view item) {
  return tlv(0xA1, cat({tlv(0x1A, str(domain)), tlv(0x1A, str(item))}));
}
Buf confirmed_request(uint8_t id, const Buf& service) { return tlv(0xA0, cat({invoke(id), service})); }
Buf confirmed_response(uint8_t id, const Buf& service) { return tlv(0xA1, cat({invoke(id), service})); }
// listOfVariable with one domain-specific name.
Buf variable_list(std::string_view domain, std::string_view item) {
  return tlv(0xA0, tlv(0x30, tlv(0xA0, domain_name(domain, item))));
}

struct Harness {
  RecordingSink sink;
  Session session{sink};
  FlowContext ctx;
  void client(const Buf& b) { session.data(ctx, Direction::FromClient, b); }
  void server(const Buf& b) { session.data(ctx, Direction::FromServer, b); }
  void associate() {
    client(kConnectRequest);
    server(kConnectConfirm);
    client(kAssociate);
    server(kAssociateResponse);
  }
  const test_support::RecordedOperation& last_op() const { return sink.operations.back(); }
};

// ---- BER and layers --------------------------------------------------------------------------------

TEST(MmsWire, BerTlvForms) {
  Tlv t;
  Buf high_tag = from_hex("bf4803a00100");  // [72] constructed: fileOpen
  ByteReader r(high_tag);
  ASSERT_TRUE(read_tlv(r, t));
  EXPECT_EQ(t.cls, ber::kContext);
  EXPECT_TRUE(t.constructed);
  EXPECT_EQ(t.tag, 72u);
  EXPECT_EQ(t.value.size(), 3u);
  Buf long_length = from_hex("048200030102 03");
  ByteReader l(long_length);
  ASSERT_TRUE(read_tlv(l, t));
  EXPECT_EQ(t.value.size(), 3u);
  for (const char* bad : {"3080", "04850000000001", "0405aa", "1fffffffff7f00", "04"}) {
    Buf b = from_hex(bad);
    ByteReader br(b);
    EXPECT_FALSE(read_tlv(br, t)) << bad;
    EXPECT_FALSE(br.ok());
  }
  uint32_t v = 0;
  EXPECT_TRUE(ber_unsigned(from_hex("00ff"), v));
  EXPECT_EQ(v, 255u);
  EXPECT_FALSE(ber_unsigned(from_hex("ff"), v));
  EXPECT_FALSE(ber_unsigned({}, v));
}

TEST(MmsWire, SessionConnectCarriesPresentationConnect) {
  SessionPdu spdu;
  ASSERT_EQ(parse_spdu(Bytes(kAssociate).subspan(7), spdu), Anomaly::None);
  EXPECT_EQ(spdu.type, spdu::kConnect);
  ASSERT_FALSE(spdu.user_data.empty());
  EXPECT_EQ(spdu.user_data[0], 0x31);
  PresentationData p;
  ASSERT_EQ(parse_presentation(spdu.user_data, true, p), Anomaly::None);
  EXPECT_EQ(p.kind, PresentationData::Kind::Connect);
  ASSERT_EQ(p.pdv_count, 1u);
  AcseApdu acse;
  ASSERT_EQ(parse_acse(p.pdvs[0], acse), Anomaly::None);
  EXPECT_EQ(acse.type, acse::kAarq);
  MmsPdu pdu;
  ASSERT_EQ(parse_mms_pdu(acse.user_pdu, pdu), Anomaly::None);
  EXPECT_EQ(pdu.kind, pdu::kInitiateRequest);
  InitiateDetail detail;
  ASSERT_EQ(parse_initiate(pdu.body, detail), Anomaly::None);
  EXPECT_TRUE(detail.has_version);
  EXPECT_EQ(detail.version, 1u);
  EXPECT_EQ(detail.max_outstanding_calling, 1000u);
}

TEST(MmsWire, AcceptCarriesAare) {
  SessionPdu spdu;
  ASSERT_EQ(parse_spdu(Bytes(kAssociateResponse).subspan(7), spdu), Anomaly::None);
  EXPECT_EQ(spdu.type, spdu::kAccept);
  PresentationData p;
  ASSERT_EQ(parse_presentation(spdu.user_data, true, p), Anomaly::None);
  EXPECT_EQ(p.kind, PresentationData::Kind::ConnectAccept);
  AcseApdu acse;
  ASSERT_EQ(parse_acse(p.pdvs[0], acse), Anomaly::None);
  EXPECT_EQ(acse.type, acse::kAare);
  EXPECT_TRUE(acse.has_result);
  EXPECT_EQ(acse.result, 0u);
}

TEST(MmsWire, SessionErrors) {
  SessionPdu spdu;
  EXPECT_EQ(parse_spdu(from_hex("3201"), spdu), Anomaly::UnknownSpdu);
  EXPECT_EQ(parse_spdu(from_hex("0d05c10a"), spdu), Anomaly::InvalidSpdu);
  EXPECT_EQ(parse_spdu(from_hex("0d04c1053100"), spdu), Anomaly::InvalidSpdu);
  EXPECT_EQ(parse_spdu({}, spdu), Anomaly::InvalidSpdu);
  ASSERT_EQ(parse_spdu(from_hex("010061"), spdu), Anomaly::None);  // DT without GT
  EXPECT_EQ(spdu.user_data.size(), 1u);
  PresentationData p;
  EXPECT_EQ(parse_presentation(from_hex("3000"), false, p), Anomaly::InvalidPpdu);
  EXPECT_EQ(parse_presentation(from_hex("61023000"), false, p), Anomaly::InvalidPpdu);  // no context id
  EXPECT_EQ(parse_presentation(from_hex("3100"), true, p), Anomaly::InvalidPpdu);
  ASSERT_EQ(parse_presentation(from_hex("3000"), true, p), Anomaly::None);
  EXPECT_EQ(p.kind, PresentationData::Kind::ConnectReject);
}

TEST(MmsWire, MmsPduErrors) {
  MmsPdu pdu;
  EXPECT_EQ(parse_mms_pdu(from_hex("3000"), pdu), Anomaly::InvalidPdu);
  EXPECT_EQ(parse_mms_pdu(from_hex("a0028200"), pdu), Anomaly::InvalidPdu);    // request without invokeID
  EXPECT_EQ(parse_mms_pdu(from_hex("a003020101"), pdu), Anomaly::InvalidPdu);  // request without service
  EXPECT_EQ(parse_mms_pdu(from_hex("bf3000"), pdu), Anomaly::InvalidPdu);      // tag 48
  EXPECT_EQ(parse_mms_pdu(from_hex("a0"), pdu), Anomaly::InvalidBer);
  ASSERT_EQ(parse_mms_pdu(from_hex("850105"), pdu), Anomaly::None);  // cancel-Request 5
  EXPECT_EQ(pdu.invoke_id, 5u);
  ASSERT_EQ(parse_mms_pdu(from_hex("a103020100"), pdu), Anomaly::None);  // response without a service
  EXPECT_FALSE(pdu.has_service);
}

TEST(MmsWire, ObjectAndFileNames) {
  std::array<char, 96> text{};
  Buf dom = domain_name("IED1LD0", "LLN0$ST$Mod");
  ByteReader r(dom);
  Tlv t;
  ASSERT_TRUE(read_tlv(r, t));
  EXPECT_EQ(format_object_name(t, text), "IED1LD0/LLN0$ST$Mod");
  Buf vmd = tlv(0x80, str("mu"));
  ByteReader v(vmd);
  ASSERT_TRUE(read_tlv(v, t));
  EXPECT_EQ(format_object_name(t, text), "mu");
  Buf binary = tlv(0x80, Buf{0x01, 0x02});
  ByteReader b(binary);
  ASSERT_TRUE(read_tlv(b, t));
  EXPECT_EQ(format_object_name(t, text), "");
  EXPECT_EQ(format_file_name(cat({tlv(0x19, str("COMTRADE")), tlv(0x19, str("a.cfg"))}), text),
            "COMTRADE/a.cfg");
  std::array<char, 4> small{};
  EXPECT_EQ(format_object_name(t, small), "");
  ByteReader d(dom);
  ASSERT_TRUE(read_tlv(d, t));
  EXPECT_EQ(format_object_name(t, small), "IED1");  // cut to the buffer
}

// ---- Session ---------------------------------------------------------------------------------------

TEST(MmsSession, AssociationAndRead) {
  Harness h;
  h.associate();
  EXPECT_TRUE(h.session.confirmed());
  ASSERT_EQ(h.sink.operations.size(), 2u);
  EXPECT_EQ(h.sink.operations[0].code, kPduCodeBase + pdu::kInitiateRequest);
  EXPECT_EQ(h.sink.operations[0].name, "Initiate");
  EXPECT_EQ(h.sink.operations[0].object, "version 1");
  EXPECT_TRUE(h.sink.operations[0].is_request);
  EXPECT_FALSE(h.sink.operations[1].is_request);
  EXPECT_EQ(h.sink.operations[1].from, Side::Server);
  EXPECT_TRUE(h.sink.has_identity(Side::Server, IdentityField::DeviceType, "IED"));
  h.client(kReadRequest);
  h.server(kReadResponse);
  const auto& read = h.sink.operations[2];
  EXPECT_EQ(read.code, service::kRead);
  EXPECT_EQ(read.name, "Read");
  EXPECT_EQ(read.object, "mu");
  EXPECT_EQ(read.quantity, 1u);
  EXPECT_FALSE(read.is_write);
  EXPECT_EQ(h.last_op().code, service::kRead);
  EXPECT_EQ(h.last_op().object, "mu");
  EXPECT_FALSE(h.last_op().is_error);
  h.client(kConcludeRequest);
  EXPECT_EQ(h.last_op().code, kPduCodeBase + pdu::kConcludeRequest);
  EXPECT_TRUE(h.sink.anomalies.empty());
}

TEST(MmsSession, IdentifyGivesVendorModelRevision) {
  Harness h;
  h.client(kIdentifyRequest);  // piccolo: no connection set-up in the capture
  h.server(kIdentifyResponse);
  EXPECT_TRUE(h.session.confirmed());
  EXPECT_TRUE(h.sink.has_identity(Side::Server, IdentityField::Vendor, "INFO TECH"));
  EXPECT_TRUE(h.sink.has_identity(Side::Server, IdentityField::ProductName, "S61850 for PC"));
  EXPECT_TRUE(h.sink.has_identity(Side::Server, IdentityField::FirmwareVersion, "0.0.1"));
  EXPECT_EQ(h.last_op().name, "Identify");
  EXPECT_EQ(h.last_op().code, service::kIdentify);
}

TEST(MmsSession, WriteIsAWriteAndFailuresAreErrors) {
  Harness h;
  h.associate();
  Buf data = tlv(0xA0, tlv(0x83, Buf{0x01}));
  h.client(data_message(
      confirmed_request(7, tlv(0xA5, cat({variable_list("IED1CTRL", "CSWI1$CO$Pos$Oper"), data})))));
  h.server(
      data_message(confirmed_response(7, tlv(0xA5, from_hex("800103")))));  // failure: object-access-denied
  const auto& req = h.sink.operations[2];
  EXPECT_EQ(req.code, service::kWrite);
  EXPECT_TRUE(req.is_write);
  EXPECT_EQ(req.object, "IED1CTRL/CSWI1$CO$Pos$Oper");
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_TRUE(h.last_op().is_error);
  h.client(data_message(confirmed_request(8, tlv(0xA5, cat({variable_list("D", "x"), data})))));
  h.server(data_message(confirmed_response(8, tlv(0xA5, from_hex("8100")))));
  EXPECT_FALSE(h.last_op().is_error);
}

TEST(MmsSession, GetNameListAndAttributes) {
  Harness h;
  h.associate();
  h.client(data_message(confirmed_request(
      1, tlv(0xA1, cat({tlv(0xA0, from_hex("800100")), tlv(0xA1, tlv(0x81, str("IED1LD0")))})))));
  EXPECT_EQ(h.last_op().code, service::kGetNameList);
  EXPECT_EQ(h.last_op().object, "namedVariable in IED1LD0");
  h.client(data_message(confirmed_request(2, tlv(0xA6, tlv(0xA0, domain_name("IED1LD0", "LLN0"))))));
  EXPECT_EQ(h.last_op().name, "GetVariableAccessAttributes");
  EXPECT_EQ(h.last_op().object, "IED1LD0/LLN0");
  h.client(data_message(
      confirmed_request(3, tlv(0xAB, cat({domain_name("IED1LD0", "LLN0$DS1"),
                                          tlv(0xA0, cat({tlv(0x30, Buf{}), tlv(0x30, Buf{})}))})))));
  EXPECT_EQ(h.last_op().name, "DefineNamedVariableList");
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_EQ(h.last_op().object, "IED1LD0/LLN0$DS1");
  EXPECT_EQ(h.last_op().quantity, 2u);
  h.client(data_message(confirmed_request(4, tlv(0xAC, domain_name("IED1LD0", "LLN0$DS1")))));
  EXPECT_EQ(h.last_op().name, "GetNamedVariableListAttributes");
  EXPECT_EQ(h.last_op().object, "IED1LD0/LLN0$DS1");
  h.client(data_message(confirmed_request(5, tlv(0xAD, tlv(0xA1, domain_name("IED1LD0", "LLN0$DS1"))))));
  EXPECT_EQ(h.last_op().name, "DeleteNamedVariableList");
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_EQ(h.last_op().object, "IED1LD0/LLN0$DS1");
  EXPECT_TRUE(h.sink.anomalies.empty());
}

TEST(MmsSession, FileServices) {
  Harness h;
  h.associate();
  Buf file = tlv(0xA0, tlv(0x19, str("COMTRADE/fault1.cfg")));
  h.client(data_message(confirmed_request(
      10, cat({from_hex("bf48"), Buf{static_cast<uint8_t>(file.size() + 3)}, file, from_hex("810100")}))));
  EXPECT_EQ(h.last_op().code, service::kFileOpen);
  EXPECT_EQ(h.last_op().object, "COMTRADE/fault1.cfg");
  h.client(data_message(confirmed_request(11, from_hex("9f490101"))));
  EXPECT_EQ(h.last_op().name, "FileRead");
  Buf dir = tlv(0xA0, tlv(0x19, str("/")));
  h.client(data_message(
      confirmed_request(12, cat({from_hex("bf4d"), Buf{static_cast<uint8_t>(dir.size())}, dir}))));
  EXPECT_EQ(h.last_op().name, "FileDirectory");
  EXPECT_EQ(h.last_op().object, "/");
  Buf obtain = cat({tlv(0xA1, tlv(0x19, str("src.bin"))), tlv(0xA2, tlv(0x19, str("firmware.bin")))});
  h.client(data_message(
      confirmed_request(13, cat({from_hex("bf2e"), Buf{static_cast<uint8_t>(obtain.size())}, obtain}))));
  EXPECT_EQ(h.last_op().name, "ObtainFile");
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_EQ(h.last_op().object, "firmware.bin");
  Buf del = tlv(0x19, str("old.log"));
  h.client(data_message(
      confirmed_request(14, cat({from_hex("bf4c"), Buf{static_cast<uint8_t>(del.size())}, del}))));
  EXPECT_EQ(h.last_op().name, "FileDelete");
  EXPECT_TRUE(h.last_op().is_write);
  EXPECT_EQ(h.last_op().object, "old.log");
}

TEST(MmsSession, InformationReportFromTheServer) {
  Harness h;
  h.associate();
  Buf report = tlv(0xA3, tlv(0xA0, cat({tlv(0xA1, tlv(0x80, str("RPT"))), tlv(0xA0, tlv(0x8A, str("x")))})));
  h.server(data_message(report));
  EXPECT_EQ(h.last_op().code, kUnconfirmedCodeBase);
  EXPECT_EQ(h.last_op().name, "InformationReport");
  EXPECT_EQ(h.last_op().object, "RPT");
  EXPECT_EQ(h.last_op().from, Side::Server);
  EXPECT_FALSE(h.last_op().is_request);
}

TEST(MmsSession, ConfirmedErrorAndReject) {
  Harness h;
  h.associate();
  h.client(kReadRequest);
  h.server(data_message(tlv(0xA2, cat({from_hex("800100"), tlv(0xA2, from_hex("800102"))}))));
  EXPECT_TRUE(h.last_op().is_error);
  EXPECT_EQ(h.last_op().name, "Read");
  EXPECT_EQ(h.last_op().object, "mu");
  h.server(data_message(tlv(0xA4, from_hex("800109810101"))));
  EXPECT_EQ(h.last_op().name, "Reject");
  EXPECT_TRUE(h.last_op().is_error);
}

TEST(MmsSession, RejectedAssociation) {
  Harness h;
  h.client(kAssociate);
  // AC with a CPA whose AARE says rejected-permanent (1) and carries no MMS PDU.
  Buf aare = tlv(0x61, cat({tlv(0xA1, from_hex("060528ca220203")), tlv(0xA2, from_hex("020101"))}));
  Buf cpa = tlv(0x31, cat({tlv(0xA0, from_hex("800101")),
                           tlv(0xA2, tlv(0x61, tlv(0x30, cat({from_hex("020101"), tlv(0xA0, aare)}))))}));
  Buf ac =
      cat({Buf{0x0E, static_cast<uint8_t>(cpa.size() + 2), 0xC1, static_cast<uint8_t>(cpa.size())}, cpa});
  h.server(tpkt_dt(ac));
  EXPECT_EQ(h.last_op().code, kAcseCodeBase + acse::kAare);
  EXPECT_TRUE(h.last_op().is_error);
}

TEST(MmsSession, ResponseWithoutServiceIsAnomalous) {
  Harness h;
  h.associate();
  h.client(data_message(
      confirmed_request(0, tlv(0xA1, cat({tlv(0xA0, from_hex("800100")), tlv(0xA1, from_hex("8000"))})))));
  h.server(data_message(tlv(0xA1, invoke(0))));
  EXPECT_TRUE(h.sink.has_anomaly("mms.invalid_pdu"));
  EXPECT_EQ(h.last_op().name, "GetNameList");
}

TEST(MmsSession, AnomaliesAreNamed) {
  Harness h;
  h.associate();
  h.server(data_message(confirmed_response(99, tlv(0xA4, tlv(0xA1, Buf{})))));
  EXPECT_TRUE(h.sink.has_anomaly("mms.unmatched_response"));
  h.client(data_message(confirmed_request(1, from_hex("9f7f00"))));
  EXPECT_TRUE(h.sink.has_anomaly("mms.unknown_service"));
  h.client(tpkt_dt(from_hex("3301")));
  EXPECT_TRUE(h.sink.has_anomaly("mms.unknown_spdu"));
  h.client(tpkt_dt(from_hex("01000100300100")));
  EXPECT_TRUE(h.sink.has_anomaly("mms.invalid_ppdu"));
  h.client(tpkt_dt(from_hex("0100010061053003020103")));
  EXPECT_TRUE(h.sink.has_anomaly("mms.invalid_ppdu"));
  h.client(tpkt_dt(from_hex("01000100618030")));
  EXPECT_TRUE(h.sink.has_anomaly("mms.invalid_ber"));
  h.client(tpkt_dt(from_hex("0d03c10500")));
  EXPECT_TRUE(h.sink.has_anomaly("mms.invalid_spdu"));
  h.client(data_message(from_hex("a0028200")));
  EXPECT_TRUE(h.sink.has_anomaly("mms.invalid_pdu"));
  EXPECT_FALSE(h.session.rejected());
}

TEST(MmsSession, S7commFlowIsLeftQuietly) {
  Harness h;
  h.client(kConnectRequest);
  h.client(tpkt_dt(from_hex("320100000000000800000f0000010001000103c0")));
  EXPECT_TRUE(h.session.rejected());
  EXPECT_TRUE(h.sink.anomalies.empty());
}

std::vector<std::string> describe(const RecordingSink& s) {
  std::vector<std::string> out;
  for (const auto& op : s.operations) {
    out.push_back(std::to_string(op.code) + " " + op.name + " " + op.object + (op.is_error ? " e" : ""));
  }
  for (const auto& a : s.anomalies) out.push_back(a);
  for (const auto& i : s.identities) out.push_back(i.value);
  return out;
}

Buf concat(std::initializer_list<Buf> parts) { return cat(parts); }

TEST(MmsSession, SplitAtEveryPositionGivesTheSameEvents) {
  const Buf client = concat({kConnectRequest, kAssociate, kReadRequest, kIdentifyRequest, kConcludeRequest});
  const Buf server = concat({kConnectConfirm, kAssociateResponse, kReadResponse, kIdentifyResponse});
  Harness whole;
  whole.client(client);
  whole.server(server);
  const auto expected = describe(whole.sink);
  ASSERT_GE(whole.sink.operations.size(), 6u);
  for (size_t cut = 1; cut < client.size(); ++cut) {
    Harness h;
    h.client(Buf(client.begin(), client.begin() + static_cast<std::ptrdiff_t>(cut)));
    h.client(Buf(client.begin() + static_cast<std::ptrdiff_t>(cut), client.end()));
    for (size_t i = 0; i < server.size(); i += 5) {
      h.server(Buf(server.begin() + static_cast<std::ptrdiff_t>(i),
                   server.begin() + static_cast<std::ptrdiff_t>(std::min(i + 5, server.size()))));
    }
    ASSERT_EQ(describe(h.sink), expected) << "cut at " << cut;
  }
}

TEST(MmsSession, EveryTruncationIsSafe) {
  for (const Buf* message :
       {&kAssociate, &kAssociateResponse, &kReadRequest, &kReadResponse, &kIdentifyResponse}) {
    for (size_t n = 0; n <= message->size(); ++n) {
      Harness h;
      h.client(Buf(message->begin(), message->begin() + static_cast<std::ptrdiff_t>(n)));
      if (n > 7) {  // the cut ISO payload inside a whole TPKT
        Harness t;
        t.client(tpkt_dt(Buf(message->begin() + 7, message->begin() + static_cast<std::ptrdiff_t>(n))));
        t.server(tpkt_dt(Buf(message->begin() + 7, message->begin() + static_cast<std::ptrdiff_t>(n))));
      }
    }
  }
}

TEST(MmsSession, ResynchronisesAfterAGap) {
  Harness h;
  h.associate();
  h.session.gap(h.ctx, Direction::FromClient, 50);
  h.client(concat({Buf(kReadRequest.begin() + 9, kReadRequest.end()), kIdentifyRequest}));
  EXPECT_EQ(h.last_op().name, "Identify");
  h.server(kReadResponse);  // its request was lost in the gap
  EXPECT_FALSE(h.sink.has_anomaly("mms.unmatched_response"));
}

// ---- Probe -----------------------------------------------------------------------------------------

TEST(MmsProbe, ClaimsOnlyItsOwnFlows) {
  EXPECT_EQ(probe(Direction::FromClient, kConnectRequest), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Direction::FromClient, concat({kConnectRequest, kAssociate})), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromServer, kAssociateResponse), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, kIdentifyRequest), ProbeResult::Match);  // mid-association capture
  EXPECT_EQ(probe(Direction::FromClient, Buf(kAssociate.begin(), kAssociate.begin() + 12)),
            ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Direction::FromClient, tpkt_dt(from_hex("320100000000000800000f0000010001000103c0"))),
            ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, tpkt_dt(from_hex("72010004310000000072010000"))),
            ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, tpkt_dt(from_hex("0d0405020000"))), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, tpkt_dt(from_hex("01000100300100"))), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, from_hex("160301")), ProbeResult::NoMatch);
  EXPECT_EQ(s7commplus::probe(Direction::FromClient, kIdentifyRequest), ProbeResult::NoMatch);
}

}  // namespace
}  // namespace ots::mms
