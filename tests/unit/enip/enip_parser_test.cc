#include "dissectors/enip/enip_parser.h"

#include <gtest/gtest.h>

#include "dissectors/enip/enip_tables.h"
#include "tests/unit/enip/enip_builders.h"

namespace ots::enip {
namespace {

using namespace enip_test;

TEST(EnipParser, AnomalyNamesAreStable) {
  EXPECT_EQ(anomaly_name(Anomaly::None), "");
  EXPECT_EQ(anomaly_name(Anomaly::InvalidCommand), "enip.invalid_command");
  EXPECT_EQ(anomaly_name(Anomaly::LengthMismatch), "enip.length_mismatch");
  EXPECT_EQ(anomaly_name(Anomaly::InvalidCpf), "enip.invalid_cpf");
  EXPECT_EQ(anomaly_name(Anomaly::InvalidEpath), "enip.invalid_epath");
  EXPECT_EQ(anomaly_name(Anomaly::Truncated), "enip.truncated");
  EXPECT_EQ(anomaly_name(Anomaly::TooManyItems), "enip.too_many_items");
  EXPECT_EQ(anomaly_name(Anomaly::UnmatchedResponse), "enip.unmatched_response");
  EXPECT_EQ(anomaly_name(Anomaly::TooManyPendingRequests), "enip.too_many_pending_requests");
}

TEST(EnipParser, Header) {
  Buffer pdu = encap(0x006F, {1, 2, 3}, 0xAABBCCDD, 0x64, 0x0102030405060708ull, 0);
  EncapsulationHeader h;
  ASSERT_TRUE(parse_header(pdu, h));
  EXPECT_EQ(h.command, 0x006F);
  EXPECT_EQ(h.length, 3);
  EXPECT_EQ(h.session_handle, 0xAABBCCDDu);
  EXPECT_EQ(h.status, 0x64u);
  EXPECT_EQ(h.sender_context, 0x0102030405060708ull);
  EXPECT_EQ(h.pdu_size(), 27u);
  EXPECT_FALSE(parse_header(Bytes(pdu.data(), 23), h));
}

TEST(EnipParser, Probe) {
  EXPECT_EQ(probe(encap(0x0063, {}, 0)), ProbeResult::Match);
  EXPECT_EQ(probe(encap(0x0065, cat({le16(1), le16(0)}), 0)), ProbeResult::Match);
  EXPECT_EQ(probe(rr_data(cip_request(0x01, path(1, 1)))), ProbeResult::Match);
  EXPECT_EQ(probe(io_datagram(0x1234, 1, {1, 2})), ProbeResult::Match);
  EXPECT_EQ(probe(Buffer{0x63}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Buffer{0x63, 0x00, 0x00}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(encap(0x0065, {1, 2}, 0)), ProbeResult::NoMatch);            // RegisterSession length 2
  EXPECT_EQ(probe(encap(0x0063, {}, 0, 0, 0, 1)), ProbeResult::NoMatch);       // options
  EXPECT_EQ(probe(encap(0x0063, {}, 0, 0x1234)), ProbeResult::NoMatch);        // status
  EXPECT_EQ(probe(Buffer(24, 0)), ProbeResult::NoMatch);                       // NOP never opens a flow
  // Other protocols on a hinted port: Modbus/TCP, HTTP.
  EXPECT_EQ(probe(Buffer{0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10}), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Buffer{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'}), ProbeResult::NoMatch);
}

TEST(EnipParser, Cpf) {
  Buffer list = cpf({{0x0000, {}}, {0x00B2, {1, 2, 3}}});
  CpfList parsed = parse_cpf(list);
  ASSERT_EQ(parsed.anomaly, Anomaly::None);
  ASSERT_EQ(parsed.count, 2u);
  ASSERT_NE(parsed.find(0x00B2), nullptr);
  EXPECT_EQ(parsed.find(0x00B2)->data.size(), 3u);
  EXPECT_EQ(parsed.find(0x00B1), nullptr);
  list.push_back(0);  // trailing byte
  EXPECT_EQ(parse_cpf(list).anomaly, Anomaly::InvalidCpf);
  EXPECT_EQ(parse_cpf(Buffer{1}).anomaly, Anomaly::InvalidCpf);
  EXPECT_EQ(parse_cpf(le16(kMaxCpfItems + 1)).anomaly, Anomaly::TooManyItems);
}

TEST(EnipParser, EpathLogicalSegments) {
  EPath p = parse_epath(Buffer{0x20, 0x01, 0x24, 0x01, 0x30, 0x07});
  EXPECT_TRUE(p.valid);
  EXPECT_TRUE(p.has_class && p.has_instance && p.has_attribute);
  EXPECT_EQ(p.class_id, 1);
  EXPECT_EQ(p.instance, 1u);
  EXPECT_EQ(p.attribute, 7);
  p = parse_epath(Buffer{0x21, 0x00, 0x34, 0x12, 0x25, 0x00, 0x01, 0x02, 0x26, 0x00, 1, 2, 3, 4, 0x28, 0x05});
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.class_id, 0x1234);
  EXPECT_EQ(p.instance, 0x0201u);  // the first instance segment wins
  p = parse_epath(Buffer{0x21, 0x00, 0x34, 0x12, 0x26, 0x00, 1, 2, 3, 4, 0x28, 0x05, 0x2C, 0x66});
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.instance, 0x04030201u);
  EXPECT_EQ(p.member, 5u);
  EXPECT_EQ(p.connection_point, 0x66u);
  EXPECT_FALSE(parse_epath(Buffer{0x22, 0x00, 1, 2, 3, 4}).valid);  // 32-bit class
  EXPECT_FALSE(parse_epath(Buffer{0x23, 0x01}).valid);              // reserved format
  p = parse_epath(Buffer{0x20, 0x68, 0x25, 0x00, 0x20, 0x24, 0x20, 0x6D, 0x24, 0x01});  // nested objects
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.class_id, 0x68);
  EXPECT_EQ(p.instance, 0x2420u);
  EXPECT_FALSE(parse_epath(Buffer{0x21, 0x00, 0x01}).valid);        // truncated
}

TEST(EnipParser, EpathPortKeySymbolAndNetworkSegments) {
  // Port 1 link 0; extended link address "10.1.1.1" on port 2; electronic key; class; instance.
  Buffer p = {0x01, 0x00, 0x12, 0x08, '1', '0', '.', '1', '.', '1', '.', '1', 0x34, 0x04, 1, 0, 0x0C,
              0,    58,   0,    4,    0x83, 0x43, 0x05, 0x20, 0x02, 0x24, 0x01};
  EPath e = parse_epath(p);
  EXPECT_TRUE(e.valid);
  EXPECT_TRUE(e.has_port && e.has_key);
  EXPECT_EQ(e.port, 1);
  EXPECT_EQ(e.link_address, 0u);
  EXPECT_EQ(e.class_id, 2);
  const Buffer tag = symbol_path("Program:Main.Tag");
  e = parse_epath(tag);
  EXPECT_TRUE(e.valid);
  EXPECT_EQ(e.symbol, "Program:Main.Tag");
  const Buffer element = cat({symbol_path("Arr"), {0x28, 0x03}});
  e = parse_epath(element);
  EXPECT_TRUE(e.valid);
  EXPECT_EQ(e.symbol, "Arr");
  EXPECT_EQ(e.member, 3u);
  EXPECT_TRUE(parse_epath(Buffer{0x80, 0x01, 0xAA, 0xBB}).valid);           // simple data segment
  EXPECT_TRUE(parse_epath(Buffer{0x0F, 0x05, 0x00, 0x00}).valid);           // extended port id 5
  EXPECT_FALSE(parse_epath(Buffer{0x91, 0x00}).valid);                       // empty symbol
  EXPECT_FALSE(parse_epath(Buffer{0x34, 0x05, 0, 0, 0, 0, 0, 0, 0, 0}).valid);  // unknown key format
  EXPECT_FALSE(parse_epath(Buffer{0xE0, 0x00}).valid);
  Buffer many;
  for (size_t i = 0; i <= kMaxPathSegments; ++i) many = cat({many, {0x24, 0x01}});
  EXPECT_FALSE(parse_epath(many).valid);
}

TEST(EnipParser, CipRequestAndResponse) {
  CipMessage request = parse_cip(cip_request(0x0E, path(1, 1, 7), {9}));
  EXPECT_EQ(request.anomaly, Anomaly::None);
  EXPECT_FALSE(request.is_response);
  EXPECT_EQ(request.service, 0x0E);
  EXPECT_EQ(request.path.attribute, 7);
  EXPECT_EQ(request.data.size(), 1u);
  CipMessage response = parse_cip(cip_response(0x0E, 0x1F, {1, 2}, le16(0x2105)));
  EXPECT_TRUE(response.is_response);
  EXPECT_EQ(response.service, 0x0E);
  EXPECT_EQ(response.general_status, 0x1F);
  EXPECT_EQ(response.extended_status, 0x2105);
  EXPECT_EQ(response.data.size(), 2u);
  EXPECT_TRUE(response.is_error());
  EXPECT_FALSE(parse_cip(cip_response(0x52, CipMessage::kPartialTransfer)).is_error());
  EXPECT_EQ(parse_cip(Buffer{0x8E, 0x00, 0x00}).anomaly, Anomaly::Truncated);
  EXPECT_EQ(parse_cip(Buffer{}).anomaly, Anomaly::Truncated);
  EXPECT_EQ(parse_cip(Buffer{0x0E, 0x01, 0xE0, 0x00}).anomaly, Anomaly::InvalidEpath);
}

TEST(EnipParser, ForwardOpen) {
  ForwardOpenRequest open;
  ASSERT_TRUE(parse_forward_open_request(forward_open_data(0x11, 0x22, 0x33, 0x44, 0x55, 0x66), false, open));
  EXPECT_EQ(open.o_to_t_id, 0x11u);
  EXPECT_EQ(open.t_to_o_id, 0x22u);
  EXPECT_EQ(open.connection_serial, 0x33);
  EXPECT_EQ(open.originator_vendor, 0x44);
  EXPECT_EQ(open.originator_serial, 0x55u);
  EXPECT_EQ(open.o_to_t_rpi_us, 0x66u);
  EXPECT_EQ(open.t_to_o_parameters, 0x43F4u);
  EXPECT_EQ(open.transport_trigger, 0xA3);
  EXPECT_EQ(open.connection_path.class_id, 2);
  Buffer data = forward_open_data(1, 2, 3, 4, 5, 6);
  EXPECT_FALSE(parse_forward_open_request(Bytes(data.data(), data.size() - 1), false, open));
  ForwardOpenResponse granted;
  ASSERT_TRUE(parse_forward_open_response(forward_open_reply_data(7, 8, 9, 10, 11, 12), granted));
  EXPECT_EQ(granted.o_to_t_id, 7u);
  EXPECT_EQ(granted.t_to_o_api_us, 12u);
  ConnectionTriple triple;
  ASSERT_TRUE(parse_connection_triple(cat({le16(1), le16(2), le32(3)}), triple));
  EXPECT_EQ(triple, (ConnectionTriple{1, 2, 3}));
}

TEST(EnipParser, UnconnectedSendAndMultipleServices) {
  Buffer inner = cip_request(0x01, path(1, 1));
  UnconnectedSend send;
  ASSERT_TRUE(parse_unconnected_send(cat({{0x0A, 0x0E}, le16(uint32_t(inner.size())), inner, {1, 0, 1, 0}}), send));
  EXPECT_EQ(send.embedded.size(), inner.size());
  EXPECT_EQ(send.route.port, 1);
  EXPECT_FALSE(parse_unconnected_send(cat({{0x0A, 0x0E}, le16(0)}), send));

  Buffer packet = multiple_services({cip_request(0x0E, path(1, 1, 1)), cip_request(0x0E, path(1, 1, 7))});
  EmbeddedIterator it;
  ASSERT_TRUE(start_embedded(packet, it));
  EXPECT_EQ(it.count, 2);
  Bytes entry;
  ASSERT_TRUE(next_embedded(it, entry));
  EXPECT_EQ(parse_cip(entry).path.attribute, 1);
  ASSERT_TRUE(next_embedded(it, entry));
  EXPECT_EQ(parse_cip(entry).path.attribute, 7);
  EXPECT_FALSE(next_embedded(it, entry));
  Buffer bad = cat({le16(1), le16(1)});  // offset inside the offset table
  ASSERT_TRUE(start_embedded(bad, it));
  EXPECT_FALSE(next_embedded(it, entry));
  EXPECT_EQ(it.anomaly, Anomaly::Truncated);
  EXPECT_FALSE(start_embedded(cat({le16(3), le16(8)}), it));
}

TEST(EnipParser, Pccc) {
  Pccc request;
  ASSERT_TRUE(parse_pccc(pccc_request(0x0F, 0xAA), false, request));
  EXPECT_EQ(request.requester_vendor, 1);
  EXPECT_EQ(request.requester_serial, 0x11223344u);
  EXPECT_EQ(request.command, 0x0F);
  EXPECT_EQ(request.transaction, 0x1234);
  EXPECT_TRUE(request.has_function);
  EXPECT_EQ(request.function, 0xAA);
  Pccc reply;
  ASSERT_TRUE(parse_pccc(pccc_reply(0x0F, 0x10), true, reply));
  EXPECT_EQ(reply.status, 0x10);
  EXPECT_FALSE(parse_pccc(pccc_reply(0x0F, 0), false, reply));  // reply bit in a request
  EXPECT_FALSE(parse_pccc(Buffer{3, 1, 0}, false, reply));        // requester id too short
  EXPECT_EQ(pccc_function_name(0x0F, 0xAB), "Protected Typed Logical Masked Write");
  EXPECT_TRUE(is_pccc_write(0x0F, 0x80));
  EXPECT_FALSE(is_pccc_write(0x0F, 0xA2));
  EXPECT_TRUE(is_pccc_write(0x08, 0x55));  // unprotected write has no function byte
}

TEST(EnipParser, IdentityItems) {
  Buffer attributes = identity_attributes(1, 0x0C, 58, 4, 3, 0x00524d8e, "1756-ENBT/A");
  Buffer item = cat({le16(1), {0x00, 0x02, 0xAF, 0x12, 10, 1, 1, 164, 0, 0, 0, 0, 0, 0, 0, 0}, attributes});
  Identity id;
  ASSERT_TRUE(parse_list_identity_item(item, id));
  EXPECT_EQ(id.encapsulation_version, 1);
  EXPECT_EQ(id.socket_port, 44818);
  EXPECT_EQ(id.socket_address, 0x0A0101A4u);
  EXPECT_EQ(id.vendor, 1);
  EXPECT_EQ(id.device_type, 0x0C);
  EXPECT_EQ(id.product_code, 58);
  EXPECT_EQ(id.revision_major, 4);
  EXPECT_EQ(id.revision_minor, 3);
  EXPECT_EQ(id.status, 0x0030);
  EXPECT_EQ(id.serial, 0x00524d8eu);
  EXPECT_EQ(id.product_name, "1756-ENBT/A");
  EXPECT_TRUE(id.has_state);
  EXPECT_EQ(id.state, 3);
  item.pop_back();  // ListIdentity requires the state byte
  EXPECT_FALSE(parse_list_identity_item(item, id));
  Identity all;
  EXPECT_TRUE(parse_identity_attributes(identity_attributes(1, 2, 3, 4, 5, 6, "X", false), all));
  EXPECT_FALSE(all.has_state);
}

TEST(EnipParser, IdentityAttributeList) {
  Buffer data = cat({le16(3), le16(7), le16(0), {2, 'H', 'i'}, le16(5), le16(0x14), le16(99), le16(0)});
  ByteReader r(data);
  uint16_t remaining = r.le16();
  AttributeValue value;
  ASSERT_TRUE(next_identity_attribute(r, remaining, value));
  EXPECT_EQ(value.id, 7);
  EXPECT_EQ(value.value.size(), 3u);
  ASSERT_TRUE(next_identity_attribute(r, remaining, value));
  EXPECT_EQ(value.status, 0x14);
  EXPECT_TRUE(value.value.empty());
  EXPECT_FALSE(next_identity_attribute(r, remaining, value));  // attribute 99: size unknown
}

TEST(EnipParser, IoPacket) {
  IoPacket io;
  ASSERT_TRUE(parse_io(io_datagram(0x003a7b78, 42, {1, 2, 3}), io));
  EXPECT_EQ(io.connection_id, 0x003a7b78u);
  EXPECT_EQ(io.sequence, 42u);
  EXPECT_TRUE(io.sequenced);
  EXPECT_EQ(io.data.size(), 3u);
  ASSERT_TRUE(parse_io(cpf({{0x00A1, le32(5)}, {0x00B1, {}}}), io));
  EXPECT_FALSE(io.sequenced);
  EXPECT_FALSE(parse_io(cpf({{0x8002, le32(5)}, {0x00B1, {}}}), io));          // short address item
  EXPECT_FALSE(parse_io(cpf({{0x8002, cat({le32(5), le32(1)})}}), io));        // no data item
  EXPECT_FALSE(parse_io(cpf({{0x8002, cat({le32(5), le32(1)})}, {0x00B2, {}}}), io));
  EXPECT_FALSE(parse_io(encap(0x0063, {}, 0), io));
}

TEST(EnipTables, Names) {
  EXPECT_EQ(command_name(0x0070), "SendUnitData");
  EXPECT_TRUE(command_name(0x0042).empty());
  EXPECT_EQ(service_name(0x01, true, 1, false), "Get_Attributes_All");
  EXPECT_EQ(service_name(0x81, true, 1, false), "Get_Attributes_All");
  EXPECT_EQ(service_name(0x52, true, 6, false), "Unconnected Send");
  EXPECT_EQ(service_name(0x52, false, 0, true), "Read Tag Fragmented");
  EXPECT_EQ(service_name(0x4E, true, 6, false), "Forward Close");
  EXPECT_EQ(service_name(0x4E, false, 0, true), "Read Modify Write Tag");
  EXPECT_EQ(service_name(0x4B, true, 0x6C, false), "Object-Specific Service");
  EXPECT_EQ(service_name(0x3F, true, 1, false), "Unknown Service");
  EXPECT_TRUE(is_write_service(0x10, true, 1, false));
  EXPECT_FALSE(is_write_service(0x54, true, 6, false));
  EXPECT_TRUE(is_write_service(0x53, false, 0, true));
  EXPECT_EQ(class_name(0xF5), "TCP/IP Interface");
  EXPECT_EQ(vendor_name(1), "Rockwell Automation/Allen-Bradley");
  EXPECT_EQ(vendor_name(243), "Schneider Automation Inc.");
  EXPECT_EQ(device_type_name(0x0E), "Programmable Logic Controller");
  EXPECT_EQ(device_type_name(0x2B), "Generic Device (keyable)");
  EXPECT_EQ(identity_state_name(3), "Operational");
}

}  // namespace
}  // namespace ots::enip
