#include "dissectors/s7comm/s7comm_wire.h"

#include <gtest/gtest.h>

#include <array>

#include "dissectors/s7comm/s7comm_session.h"
#include "dissectors/s7comm/s7comm_tables.h"
#include "s7comm_test_util.h"

namespace ots {
extern const DissectorDescriptor kDissector_s7comm;
}

namespace ots::s7comm {
namespace {

using s7test::Buf;
using s7test::cat;

TEST(S7commTpkt, FramesOnlyWholeValidHeaders) {
  Buf whole = s7test::frame(s7test::s7_job(1, {0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xE0}));
  EXPECT_EQ(tpkt_frame(whole).status, TpktStatus::Complete);
  EXPECT_EQ(tpkt_frame(whole).length, whole.size());
  EXPECT_EQ(tpkt_frame(Bytes(whole).first(3)).status, TpktStatus::NeedMore);
  TpktFrame partial = tpkt_frame(Bytes(whole).first(10));
  EXPECT_EQ(partial.status, TpktStatus::NeedMore);
  EXPECT_EQ(partial.length, whole.size());
  EXPECT_EQ(tpkt_frame(Buf{0x04, 0x00, 0x00, 0x10}).status, TpktStatus::Invalid);  // version
  EXPECT_EQ(tpkt_frame(Buf{0x03, 0x00, 0x00, 0x06}).status, TpktStatus::Invalid);  // length < 7
  EXPECT_EQ(tpkt_frame(Buf{0x47}).status, TpktStatus::Invalid);                    // "GET …"
}

TEST(S7commCotp, ConnectRequestGivesRackAndSlot) {
  Buf cr = s7test::cotp_cr(0x0102);
  CotpPdu pdu;
  ASSERT_EQ(parse_cotp(cr, pdu), Anomaly::None);
  EXPECT_EQ(pdu.type, cotp::kConnectRequest);
  EXPECT_EQ(pdu.tpdu_size, 1024u);
  auto rs = rack_slot_from_tsap(pdu.called_tsap);
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->rack, 0);
  EXPECT_EQ(rs->slot, 2);
  auto rs2 = rack_slot_from_tsap(Buf{0x03, 0x63});  // rack 3, slot 3
  ASSERT_TRUE(rs2);
  EXPECT_EQ(rs2->rack, 3);
  EXPECT_EQ(rs2->slot, 3);
  EXPECT_FALSE(rack_slot_from_tsap(Buf{0x10, 0x00}));  // S7-200 style TSAP
  EXPECT_FALSE(rack_slot_from_tsap(s7test::text("SIMATIC-ROOT-ES")));
  EXPECT_TRUE(is_s7plus_tsap(s7test::text("SIMATIC-ROOT-HMI")));
  EXPECT_FALSE(is_s7plus_tsap(Buf{0x01, 0x02}));
}

TEST(S7commCotp, ConnectConfirmAndData) {
  CotpPdu pdu;
  ASSERT_EQ(parse_cotp(s7test::cotp_cc(), pdu), Anomaly::None);
  EXPECT_EQ(pdu.type, cotp::kConnectConfirm);
  ASSERT_EQ(parse_cotp(s7test::cotp_dt({0x32, 0x01}, false), pdu), Anomaly::None);
  EXPECT_EQ(pdu.type, cotp::kData);
  EXPECT_FALSE(pdu.last_data_unit);
  EXPECT_EQ(pdu.user_data.size(), 2u);
  ASSERT_EQ(parse_cotp(s7test::cotp_dt({0x32}), pdu), Anomaly::None);
  EXPECT_TRUE(pdu.last_data_unit);
}

TEST(S7commCotp, MalformedIsInvalid) {
  CotpPdu pdu;
  EXPECT_EQ(parse_cotp(Buf{0x00, 0xF0, 0x80}, pdu), Anomaly::InvalidCotp);              // LI 0
  EXPECT_EQ(parse_cotp(Buf{0x09, 0xF0, 0x80}, pdu), Anomaly::InvalidCotp);              // LI past the end
  EXPECT_EQ(parse_cotp(Buf{0x02, 0x60, 0x80}, pdu), Anomaly::InvalidCotp);              // AK: not class 0
  EXPECT_EQ(parse_cotp(Buf{0x03, 0xF0, 0x80, 0x00}, pdu), Anomaly::InvalidCotp);        // DT with odd LI
  EXPECT_EQ(parse_cotp(Buf{0x04, 0xE0, 0x00, 0x00, 0x00}, pdu), Anomaly::InvalidCotp);  // CR too short
  // CR with a parameter running past the header.
  EXPECT_EQ(parse_cotp(Buf{0x08, 0xE0, 0, 0, 0, 1, 0, 0xC1, 0x05}, pdu), Anomaly::InvalidCotp);
  EXPECT_EQ(parse_cotp(Buf{0x09, 0xE0, 0, 0, 0, 1, 0, 0xC0, 0x01, 0x03}, pdu),
            Anomaly::InvalidCotp);  // size 2^3
  EXPECT_EQ(parse_cotp(Buf{}, pdu), Anomaly::Truncated);
}

TEST(S7commPdu, HeaderChecks) {
  S7Pdu pdu;
  Buf job = s7test::s7_job(0x1234, {0x04, 0x00}, {0xAA});
  ASSERT_EQ(parse_s7_pdu(job, pdu), Anomaly::None);
  EXPECT_EQ(pdu.rosctr, rosctr::kJob);
  EXPECT_EQ(pdu.pdu_ref, 0x1234);
  EXPECT_EQ(pdu.params.size(), 2u);
  EXPECT_EQ(pdu.data.size(), 1u);
  Buf ack = s7test::s7_ack(7, 0x81, 0x04);
  ASSERT_EQ(parse_s7_pdu(ack, pdu), Anomaly::None);
  EXPECT_EQ(pdu.error_class, 0x81);
  EXPECT_EQ(pdu.error_code, 0x04);

  Buf bad_id = job;
  bad_id[0] = 0x33;
  EXPECT_EQ(parse_s7_pdu(bad_id, pdu), Anomaly::InvalidProtocolId);
  Buf bad_rosctr = job;
  bad_rosctr[1] = 0x05;
  EXPECT_EQ(parse_s7_pdu(bad_rosctr, pdu), Anomaly::InvalidRosctr);
  Buf longer = job;
  longer.push_back(0);
  EXPECT_EQ(parse_s7_pdu(longer, pdu), Anomaly::LengthMismatch);
  EXPECT_EQ(parse_s7_pdu(Bytes(job).first(job.size() - 1), pdu), Anomaly::LengthMismatch);
  for (size_t n = 0; n < 10; ++n) EXPECT_EQ(parse_s7_pdu(Bytes(job).first(n), pdu), Anomaly::Truncated) << n;
  EXPECT_EQ(parse_s7_pdu(Bytes(ack).first(11), pdu), Anomaly::Truncated);
}

TEST(S7commJob, SetupCommunication) {
  SetupCommunication setup;
  ASSERT_EQ(parse_setup_communication(Buf{0xF0, 0x00, 0x00, 0x01, 0x00, 0x02, 0x03, 0xC0}, setup),
            Anomaly::None);
  EXPECT_EQ(setup.max_amq_calling, 1);
  EXPECT_EQ(setup.max_amq_called, 2);
  EXPECT_EQ(setup.pdu_length, 960);
  EXPECT_EQ(parse_setup_communication(Buf{0xF0, 0x00, 0x00}, setup), Anomaly::Truncated);
}

const Buf kReadTwoItems = {0x04, 0x02,
                           // DB1.DBX 0.0 BYTE 10
                           0x12, 0x0A, 0x10, 0x02, 0x00, 0x0A, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00,
                           // M 10.1 BIT 1
                           0x12, 0x0A, 0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x83, 0x00, 0x00, 0x51};

TEST(S7commJob, ReadVarItems) {
  VarRequest request;
  ASSERT_EQ(parse_var_request(kReadTwoItems, request), Anomaly::None);
  EXPECT_EQ(request.item_count, 2);
  EXPECT_EQ(request.first.db_number, 1);
  EXPECT_EQ(request.first.area, area::kDataBlock);
  EXPECT_EQ(request.first.length, 10);
  std::array<char, 48> text{};
  EXPECT_EQ(format_address(request.first, text), "DB1.DBX 0.0 BYTE 10");

  VarAddress flag{0x10, 1, 1, 0, area::kFlags, 0x51};
  EXPECT_EQ(flag.byte_offset(), 10u);
  EXPECT_EQ(flag.bit(), 1);
  EXPECT_EQ(format_address(flag, text), "M 10.1 BIT 1");
  VarAddress timer{0x10, 29, 1, 0, area::kTimer, 5};
  EXPECT_EQ(format_address(timer, text), "T 5 TIMER 1");
  VarAddress odd{0x10, 0x77, 2, 0, 0x99, 16};
  EXPECT_EQ(format_address(odd, text), "area 0x99 2.0 0x77 2");

  // One item fewer than announced, a wrong specification type, a wrong S7ANY length, zero items.
  EXPECT_EQ(parse_var_request(Bytes(kReadTwoItems).first(20), request), Anomaly::Truncated);
  Buf bad_spec = kReadTwoItems;
  bad_spec[2] = 0x11;
  EXPECT_EQ(parse_var_request(bad_spec, request), Anomaly::InvalidItem);
  Buf bad_len = {0x04, 0x01, 0x12, 0x09, 0x10, 0x02, 0x00, 0x0A, 0x00, 0x01, 0x84, 0x00, 0x00};
  EXPECT_EQ(parse_var_request(bad_len, request), Anomaly::InvalidItem);
  EXPECT_EQ(parse_var_request(Buf{0x04, 0x00}, request), Anomaly::InvalidItem);
  // Other syntax ids are skipped by their length.
  Buf dbread = {0x04, 0x01, 0x12, 0x07, 0xB0, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00};
  ASSERT_EQ(parse_var_request(dbread, request), Anomaly::None);
  EXPECT_FALSE(request.first.is_s7any());
}

TEST(S7commJob, DataItemsWithPaddingAndBitLengths) {
  // 3 bytes (24 bits, padded), one bit, 2 bytes as octet string.
  Buf data = {0xFF, 0x04, 0x00, 0x18, 1,    2,    3,    0x00, 0xFF, 0x03,
              0x00, 0x01, 0x01, 0x00, 0x0A, 0x09, 0x00, 0x02, 5,    6};
  DataItems items;
  ASSERT_EQ(parse_data_items(data, 3, items), Anomaly::None);
  EXPECT_EQ(items.count, 3);
  EXPECT_EQ(items.failed, 1);
  EXPECT_EQ(parse_data_items(Bytes(data).first(data.size() - 1), 3, items), Anomaly::Truncated);
  EXPECT_EQ(parse_write_results(Buf{0xFF, 0x05}, 2, items), Anomaly::None);
  EXPECT_EQ(items.failed, 1);
  EXPECT_EQ(parse_write_results(Buf{0xFF}, 2, items), Anomaly::Truncated);
}

TEST(S7commJob, BlockTransferAndPiService) {
  Buf request_download = cat({{0x1A, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x09},
                              s7test::text("_0A00001P"),
                              {0x0D},
                              s7test::text("1000216000088")});
  BlockTransfer transfer;
  ASSERT_EQ(parse_block_transfer(request_download, transfer), Anomaly::None);
  EXPECT_EQ(transfer.filename, "_0A00001P");
  std::array<char, 16> text{};
  EXPECT_EQ(format_block_name(transfer.filename, text), "DB1");
  EXPECT_EQ(format_block_name("_0800035P", text), "OB35");
  EXPECT_EQ(format_block_name("_0Z00001P", text), "");
  EXPECT_EQ(format_block_name("_0A0x001P", text), "");
  ASSERT_EQ(parse_block_transfer(Buf{0x1E, 0x00, 0, 0, 0, 0, 0, 7}, transfer), Anomaly::None);
  EXPECT_TRUE(transfer.filename.empty());
  EXPECT_EQ(parse_block_transfer(Buf{0x1B, 0x00, 0, 0, 0, 0, 0, 0, 0x09, '_'}, transfer), Anomaly::Truncated);

  Buf inse = cat({{0x28, 0, 0, 0, 0, 0, 0, 0xFD, 0x00, 0x0A, 0x01, 0x00},
                  s7test::text("0A00001P"),
                  {0x05},
                  s7test::text("_INSE")});
  PiServiceCall call;
  ASSERT_EQ(parse_pi_service(inse, call), Anomaly::None);
  EXPECT_EQ(call.service, "_INSE");
  EXPECT_EQ(call.block_count, 1);
  EXPECT_EQ(call.first_block, "0A00001P");
  Buf inse_short = cat({{0x28, 0, 0, 0, 0, 0, 0, 0xFD, 0x00, 0x04, 0x02, 0x00},
                        s7test::text("0A"),
                        {0x05},
                        s7test::text("_DELE")});
  EXPECT_EQ(parse_pi_service(inse_short, call), Anomaly::InvalidItem);
  EXPECT_EQ(parse_pi_service(Buf{0x28, 0, 0, 0}, call), Anomaly::Truncated);

  std::string_view service;
  Buf stop = cat({{0x29, 0, 0, 0, 0, 0, 0x09}, s7test::text("P_PROGRAM")});
  ASSERT_EQ(parse_plc_stop(stop, service), Anomaly::None);
  EXPECT_EQ(service, "P_PROGRAM");
  EXPECT_EQ(parse_plc_stop(Bytes(stop).first(10), service), Anomaly::Truncated);
}

TEST(S7commUserdata, ParamsAndData) {
  UserdataParams params;
  ASSERT_EQ(parse_userdata_params(s7test::ud_request(4, 1), params), Anomaly::None);
  EXPECT_EQ(params.type, userdata_type::kRequest);
  EXPECT_EQ(params.group, 4);
  EXPECT_EQ(params.subfunction, 1);
  EXPECT_FALSE(params.extended);
  ASSERT_EQ(parse_userdata_params(s7test::ud_response(4, 1, 0xD5, false, 0xD0A1), params), Anomaly::None);
  EXPECT_EQ(params.type, userdata_type::kResponse);
  EXPECT_TRUE(params.extended);
  EXPECT_EQ(params.data_unit_ref, 0xD5);
  EXPECT_FALSE(params.last_data_unit);
  EXPECT_EQ(params.error_code, 0xD0A1);
  EXPECT_EQ(parse_userdata_params(Buf{0x00, 0x01, 0x13, 0x04, 0x11, 0x44, 0x01, 0x00}, params),
            Anomaly::UnknownFunction);
  EXPECT_EQ(parse_userdata_params(Buf{0x00, 0x01, 0x12, 0x08, 0x11, 0x44, 0x01, 0x00}, params),
            Anomaly::LengthMismatch);
  EXPECT_EQ(parse_userdata_params(Buf{0x00, 0x01}, params), Anomaly::Truncated);

  UserdataData data;
  ASSERT_EQ(parse_userdata_data(s7test::ud_data({0x00, 0x11, 0x00, 0x01}), data), Anomaly::None);
  EXPECT_TRUE(data.present);
  EXPECT_EQ(data.payload.size(), 4u);
  ASSERT_EQ(parse_userdata_data({}, data), Anomaly::None);
  EXPECT_FALSE(data.present);
  EXPECT_EQ(parse_userdata_data(Buf{0xFF, 0x09, 0x00, 0x08, 0x01}, data), Anomaly::LengthMismatch);
  EXPECT_EQ(parse_userdata_data(Buf{0xFF, 0x09}, data), Anomaly::Truncated);
}

TEST(S7commSzl, ModuleIdentificationRecords) {
  Buf record = cat({s7test::be16(0x0007), s7test::padded("", 20, ' '), {0x00, 0xC0, 0x56, 0x03, 0x02, 0x07}});
  ModuleIdentification module;
  ASSERT_EQ(parse_module_identification(record, module), Anomaly::None);
  EXPECT_EQ(module.index, 7);
  EXPECT_TRUE(module.order_number.empty());
  std::array<char, 16> text{};
  EXPECT_EQ(format_firmware_version(module.ausbg, module.ausbe, text), "V3.2.7");
  EXPECT_EQ(format_firmware_version(0x0003, 0x0001, text), "");
  Buf order = cat({s7test::be16(0x0001),
                   s7test::padded("6ES7 315-2EH14-0AB0", 20, ' '),
                   {0x00, 0xC0, 0x00, 0x03, 0x00, 0x01}});
  ASSERT_EQ(parse_module_identification(order, module), Anomaly::None);
  EXPECT_EQ(module.order_number, "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(parse_module_identification(Bytes(order).first(27), module), Anomaly::InvalidItem);

  SzlList list;
  Buf payload = cat({{0x00, 0x11, 0x00, 0x00, 0x00, 0x1C, 0x00, 0x02}, order, record});
  ASSERT_EQ(parse_szl_list(payload, list), Anomaly::None);
  EXPECT_EQ(list.id, 0x0011);
  EXPECT_EQ(list.entry_count, 2);
  EXPECT_EQ(szl_entry(list, 1).size(), 28u);
  EXPECT_TRUE(szl_entry(list, 2).empty());
  ASSERT_EQ(parse_szl_list(Bytes(payload).first(40), list), Anomaly::None);
  EXPECT_TRUE(szl_entry(list, 1).empty());  // cut short
  EXPECT_EQ(parse_szl_list(Buf{0x00, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02}, list), Anomaly::InvalidItem);
  EXPECT_EQ(parse_szl_list(Buf{0x00, 0x11}, list), Anomaly::Truncated);
  SzlRequest request;
  ASSERT_EQ(parse_szl_request(Buf{0x04, 0x24, 0x00, 0x00}, request), Anomaly::None);
  EXPECT_EQ(request.id, 0x0424);
  EXPECT_EQ(parse_szl_request(Buf{0x04}, request), Anomaly::Truncated);
}

TEST(S7commSzl, ComponentAndModeRecords) {
  ComponentIdentification component;
  Buf name = cat({s7test::be16(0x0001), s7test::padded("S7300/ET200M station_1", 32, 0)});
  ASSERT_EQ(parse_component_identification(name, component), Anomaly::None);
  EXPECT_EQ(component.text, "S7300/ET200M station_1");
  Buf binary = cat({s7test::be16(0x0009), {0x00, 0x2A, 0xF6, 0x00, 0x00, 0x01}, s7test::padded("", 26, 0)});
  ASSERT_EQ(parse_component_identification(binary, component), Anomaly::None);
  EXPECT_TRUE(component.text.empty());
  Buf unprintable = cat({s7test::be16(0x0002), {0x01, 0x41, 0x42}});
  ASSERT_EQ(parse_component_identification(unprintable, component), Anomaly::None);
  EXPECT_TRUE(component.text.empty());
  EXPECT_EQ(parse_component_identification(s7test::be16(0x0002), component), Anomaly::InvalidItem);

  ModeTransition mode;
  ASSERT_EQ(parse_mode_transition(Buf{0x51, 0x44, 0xFF, 0x48}, mode), Anomaly::None);
  EXPECT_EQ(mode.requested_mode, 8);
  EXPECT_EQ(mode.previous_mode, 4);
  EXPECT_EQ(parse_mode_transition(Buf{0x51, 0x44, 0xFF}, mode), Anomaly::InvalidItem);
}

TEST(S7commTables, NamesAndLookups) {
  EXPECT_EQ(anomaly_name(Anomaly::InvalidTpktLength), "s7comm.invalid_tpkt_length");
  EXPECT_EQ(anomaly_name(Anomaly::ReassemblyOverflow), "s7comm.reassembly_overflow");
  EXPECT_EQ(find_job_function(0x29)->name, "PLC Stop");
  EXPECT_EQ(find_job_function(0x77), nullptr);
  EXPECT_EQ(find_userdata_function(4, 1)->name, "Read SZL");
  EXPECT_TRUE(find_userdata_function(5, 1)->is_write);
  EXPECT_EQ(find_userdata_group(9), nullptr);
  EXPECT_EQ(find_pi_service("_DELE")->operation, "Delete Block");
}

TEST(S7commProbe, RecognisesClassicS7ByItsConnectRequestTsapOrItsFirstData) {
  Buf cr = s7test::tpkt(s7test::cotp_cr(0x0102));
  // A CR to a classic S7 TSAP (PG connection, rack 0 slot 2) is S7comm: the session then sees it.
  EXPECT_EQ(probe(Direction::FromClient, cr), ProbeResult::Match);
  // Other connect requests/confirms are shared with S7comm-plus and IEC 61850 MMS: the first DT decides.
  EXPECT_EQ(probe(Direction::FromClient, s7test::tpkt(s7test::cotp_cr(0x0001))), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Direction::FromServer, s7test::tpkt(s7test::cotp_cc())), ProbeResult::NeedMoreData);
  Buf mms_initiate = s7test::tpkt(s7test::cotp_dt({0x0D, 0x00, 0xA8, 0x00}));  // ISO session CONNECT SPDU
  EXPECT_EQ(probe(Direction::FromClient, mms_initiate), ProbeResult::NoMatch);
  Buf job = s7test::frame(s7test::s7_job(1, {0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xE0}));
  EXPECT_EQ(probe(Direction::FromClient, job), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, Bytes(job).first(8)), ProbeResult::Match);
  for (size_t n = 0; n < 8; ++n)
    EXPECT_EQ(probe(Direction::FromClient, Bytes(job).first(n)), ProbeResult::NeedMoreData) << n;
  EXPECT_EQ(probe(Direction::FromClient, Bytes(cr).first(10)), ProbeResult::NeedMoreData);
  Buf plus = s7test::tpkt(s7test::cotp_dt({0x72, 0x01, 0x00, 0x1E}));
  EXPECT_EQ(probe(Direction::FromClient, plus), ProbeResult::NoMatch);
  Buf plus_cr = s7test::tpkt(cat({{0x1F, 0xE0, 0, 0, 0, 0x11, 0, 0xC1, 0x02, 0x06, 0x00, 0xC2, 0x10},
                                  s7test::text("SIMATIC-ROOT-HMI"),
                                  {0xC0, 0x01, 0x0A}}));
  EXPECT_EQ(probe(Direction::FromClient, plus_cr), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, s7test::text("GET / HTTP/1.1\r\n")), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Direction::FromClient, Buf{0x03, 0x00, 0x00, 0x0B, 0x02, 0x60, 0x80}),
            ProbeResult::NoMatch);
  EXPECT_EQ(kDissector_s7comm.name, "s7comm");
  EXPECT_EQ(kDissector_s7comm.transports, transport_bit::Tcp);
  ASSERT_EQ(kDissector_s7comm.ports.size(), 1u);
  EXPECT_EQ(kDissector_s7comm.ports[0], 102);
  EXPECT_EQ(kDissector_s7comm.probe, &probe);
}

}  // namespace
}  // namespace ots::s7comm
