// The pure BACnet/IP grammar: BVLC, NPDU, network messages, tags, APDU headers, service bodies.
#include "dissectors/bacnet/bacnet_wire.h"

#include <gtest/gtest.h>

#include "bacnet_test_util.h"
#include "dissectors/bacnet/bacnet_session.h"

namespace ots::bacnet {
namespace {

using namespace ots::bactest;

// ---- Tables ----

TEST(BacnetTables, NamesMatchAshrae135) {
  EXPECT_EQ(kConfirmedServices[12].name, "readProperty");
  EXPECT_EQ(kConfirmedServices[20].name, "reinitializeDevice");
  EXPECT_EQ(kConfirmedServices[28].name, "subscribeCOVProperty");
  EXPECT_EQ(kUnconfirmedServices[0].name, "i-Am");
  EXPECT_EQ(kUnconfirmedServices[8].name, "who-Is");
  for (size_t i = 0; i < std::size(kConfirmedServices); ++i) EXPECT_EQ(kConfirmedServices[i].id, i);
  for (size_t i = 0; i < std::size(kUnconfirmedServices); ++i) EXPECT_EQ(kUnconfirmedServices[i].id, i);
  for (size_t i = 0; i < std::size(kBvlcFunctions); ++i) EXPECT_EQ(kBvlcFunctions[i].id, i);
  EXPECT_EQ(property_name(77), "object-name");
  EXPECT_EQ(property_name(372), "serial-number");
  EXPECT_EQ(property_name(12), "application-software-version");
  EXPECT_EQ(vendor_name(0), "ASHRAE");
  EXPECT_EQ(vendor_name(15), "Cornell University");
  EXPECT_EQ(vendor_name(1337), "Xxter bv");
  EXPECT_EQ(vendor_name(999999), "");
  EXPECT_EQ(error_code_name(26), "password-failure");
  EXPECT_EQ(error_code_name(51), "abort-buffer-overflow");
  EXPECT_EQ(kObjectTypes[kObjectTypeDevice], "device");
  EXPECT_EQ(find_name(kNetworkMessages, 0x01), "I-Am-Router-To-Network");
  EXPECT_EQ(find_name(kNetworkMessages, 0x14), "");
}

// ---- BVLC ----

TEST(BacnetBvlc, OriginalUnicastCarriesTheNpdu) {
  Buf datagram = unicast(read_property(1, kDevice, 5, 77));
  Bvlc header;
  ASSERT_EQ(parse_bvlc(datagram, header), Anomaly::None);
  EXPECT_EQ(header.function, 0x0A);
  EXPECT_EQ(header.length, datagram.size());
  EXPECT_TRUE(header.has_npdu);
  EXPECT_FALSE(header.forwarded);
  EXPECT_EQ(header.npdu.size(), datagram.size() - 4);
}

TEST(BacnetBvlc, ForwardedNpduKeepsTheOriginalSource) {
  Buf datagram = make_bvlc(0x04, cat({{10, 0, 0, 7, 0xBA, 0xC0}, make_npdu(i_am(7, 5))}));
  Bvlc header;
  ASSERT_EQ(parse_bvlc(datagram, header), Anomaly::None);
  EXPECT_TRUE(header.forwarded);
  EXPECT_EQ(header.original_source, (std::array<uint8_t, 6>{10, 0, 0, 7, 0xBA, 0xC0}));
  EXPECT_EQ(header.npdu[0], 0x01);
}

TEST(BacnetBvlc, BvllMessages) {
  Bvlc header;
  ASSERT_EQ(parse_bvlc(make_bvlc(0x00, {0x00, 0x30}), header), Anomaly::None);
  EXPECT_EQ(header.result_code, 0x0030);
  EXPECT_FALSE(header.has_npdu);
  ASSERT_EQ(parse_bvlc(make_bvlc(0x05, {0x00, 0x3C}), header), Anomaly::None);
  EXPECT_EQ(header.time_to_live, 60);
  ASSERT_EQ(parse_bvlc(make_bvlc(0x01, Buf(20, 0xFF)), header), Anomaly::None);
  EXPECT_EQ(header.table_entries, 2);
  ASSERT_EQ(parse_bvlc(make_bvlc(0x07, Buf(30, 0x01)), header), Anomaly::None);
  EXPECT_EQ(header.table_entries, 3);
  EXPECT_EQ(parse_bvlc(make_bvlc(0x02, {}), header), Anomaly::None);
  EXPECT_EQ(parse_bvlc(make_bvlc(0x08, Buf(6, 0)), header), Anomaly::None);
  EXPECT_EQ(parse_bvlc(make_bvlc(0x0C, {1, 2, 3}), header), Anomaly::None);
}

TEST(BacnetBvlc, Anomalies) {
  Bvlc header;
  EXPECT_EQ(parse_bvlc(Buf{0x81, 0x0A, 0x00}, header), Anomaly::Truncated);
  EXPECT_EQ(parse_bvlc(Buf{0x82, 0x0A, 0x00, 0x04}, header), Anomaly::InvalidBvlc);  // BACnet/IPv6
  EXPECT_EQ(parse_bvlc(Buf{0x81, 0x0D, 0x00, 0x04}, header), Anomaly::InvalidBvlc);
  // A disagreeing length is flagged, and the NPDU is still the datagram's.
  ASSERT_EQ(parse_bvlc(Buf{0x81, 0x0A, 0x00, 0x11, 0x01, 0x00, 0x10, 0x08}, header), Anomaly::None);
  EXPECT_TRUE(header.length_mismatch);
  EXPECT_EQ(header.npdu.size(), 4u);
  EXPECT_EQ(parse_bvlc(make_bvlc(0x00, {0x00}), header), Anomaly::InvalidBvlcLength);
  EXPECT_EQ(parse_bvlc(make_bvlc(0x01, Buf(11, 0)), header), Anomaly::InvalidBvlcLength);
  EXPECT_EQ(parse_bvlc(make_bvlc(0x02, {0}), header), Anomaly::InvalidBvlcLength);
  EXPECT_EQ(parse_bvlc(make_bvlc(0x04, {10, 0, 0}), header), Anomaly::Truncated);
}

TEST(BacnetBvlc, ProbeWantsAWholeBvlcWithNpduVersion1) {
  EXPECT_EQ(probe(Direction::FromClient, unicast(i_am(1, 2))), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromServer, make_bvlc(0x00, {0, 0})), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromClient, Buf{0x81, 0x0B}), ProbeResult::NeedMoreData);
  Buf wrong_version = unicast(i_am(1, 2));
  wrong_version[4] = 0x02;
  EXPECT_EQ(probe(Direction::FromClient, wrong_version), ProbeResult::NoMatch);
  Buf reserved_bits = unicast(i_am(1, 2));
  reserved_bits[5] = 0x40;
  EXPECT_EQ(probe(Direction::FromClient, reserved_bits), ProbeResult::NoMatch);
  // A wrong BVLC length is tolerated when an NPDU follows, not for a bare BVLL message.
  Buf wrong_length = unicast(i_am(1, 2));
  wrong_length[3] = 0x11;
  EXPECT_EQ(probe(Direction::FromClient, wrong_length), ProbeResult::Match);
  EXPECT_EQ(probe(Direction::FromServer, Buf{0x81, 0x00, 0x00, 0x07, 0x00, 0x00}), ProbeResult::NoMatch);
  // A DNS query on the BACnet port.
  EXPECT_EQ(probe(Direction::FromClient, Buf{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00}),
            ProbeResult::NoMatch);
}

// ---- NPDU ----

TEST(BacnetNpdu, DestinationSourceAndHopCount) {
  // control: DNET + SNET + expecting reply, priority 3
  Buf bytes = cat({{0x01, 0x2F}, be16(5), {1, 0x3D}, be16(7), {2, 0xAA, 0xBB}, {0xFE}, {0x10, 0x08}});
  Npdu n;
  ASSERT_EQ(parse_npdu(bytes, n), Anomaly::None);
  EXPECT_TRUE(n.has_destination);
  EXPECT_TRUE(n.has_source);
  EXPECT_TRUE(n.expecting_reply);
  EXPECT_EQ(n.priority, 3);
  EXPECT_EQ(n.dnet, 5);
  EXPECT_EQ(n.dadr.size(), 1u);
  EXPECT_EQ(n.snet, 7);
  EXPECT_EQ(n.sadr.size(), 2u);
  EXPECT_EQ(n.hop_count, 0xFE);
  EXPECT_EQ(n.body.size(), 2u);
}

TEST(BacnetNpdu, GlobalBroadcastWithEmptyDadr) {
  Npdu n;
  ASSERT_EQ(parse_npdu(Buf{0x01, 0x20, 0xFF, 0xFF, 0x00, 0xFF, 0x10, 0x08}, n), Anomaly::None);
  EXPECT_EQ(n.dnet, 0xFFFF);
  EXPECT_TRUE(n.dadr.empty());
}

TEST(BacnetNpdu, Anomalies) {
  Npdu n;
  EXPECT_EQ(parse_npdu(Buf{0x02, 0x00, 0x10, 0x08}, n), Anomaly::InvalidNpdu);
  EXPECT_EQ(parse_npdu(Buf{0x01, 0x40, 0x10, 0x08}, n), Anomaly::InvalidNpdu);
  EXPECT_EQ(parse_npdu(Buf{0x01, 0x08, 0x00, 0x07, 0x00, 0x10, 0x08}, n), Anomaly::InvalidNpdu);  // SLEN 0
  EXPECT_EQ(parse_npdu(Buf{0x01, 0x08, 0xFF, 0xFF, 0x01, 0x05, 0x10, 0x08}, n), Anomaly::InvalidNpdu);
  EXPECT_EQ(parse_npdu(Buf{0x01, 0x00}, n), Anomaly::Truncated);  // no APDU
  EXPECT_EQ(parse_npdu(Buf{0x01, 0x20, 0x00, 0x05, 0x06, 0x01}, n), Anomaly::Truncated);
  EXPECT_EQ(parse_npdu(Buf{0x01, 0x80}, n), Anomaly::Truncated);  // no message type
}

TEST(BacnetNpdu, NetworkMessages) {
  auto parse = [](const Buf& datagram, NetworkMessage& m) {
    Bvlc header;
    Npdu n;
    EXPECT_EQ(parse_bvlc(datagram, header), Anomaly::None);
    EXPECT_EQ(parse_npdu(header.npdu, n), Anomaly::None);
    return parse_network_message(n, m);
  };
  NetworkMessage m;
  ASSERT_EQ(parse(network_message(0x01, cat({be16(3), be16(4), be16(9)})), m), Anomaly::None);
  EXPECT_EQ(m.first_network, 3);
  EXPECT_EQ(m.network_count, 3);
  m = {};
  ASSERT_EQ(parse(network_message(0x00, {}), m), Anomaly::None);
  EXPECT_EQ(m.network_count, 0);
  m = {};
  ASSERT_EQ(parse(network_message(0x03, cat({{2}, be16(12)})), m), Anomaly::None);
  EXPECT_EQ(m.reason, 2);
  EXPECT_EQ(m.first_network, 12);
  m = {};
  ASSERT_EQ(parse(network_message(0x06, cat({{2}, be16(1), {1, 0}, be16(2), {2, 3, 'a', 'b', 'c'}})), m),
            Anomaly::None);
  EXPECT_EQ(m.port_count, 2);
  EXPECT_EQ(m.network_count, 2);
  m = {};
  EXPECT_EQ(parse(network_message(0x02, cat({be16(1), {50}})), m), Anomaly::None);
  EXPECT_EQ(parse(network_message(0x13, cat({be16(1), {1}})), m), Anomaly::None);
  EXPECT_EQ(parse(network_message(0x12, {}), m), Anomaly::None);
  EXPECT_EQ(parse(network_message(0x80, be16(260)), m), Anomaly::None);  // proprietary: vendor id, opaque
  EXPECT_EQ(parse(network_message(0x01, {0x00}), m), Anomaly::Truncated);
  EXPECT_EQ(parse(network_message(0x12, {0x00}), m), Anomaly::InvalidNpdu);
  EXPECT_EQ(parse(network_message(0x50, {}), m), Anomaly::UnknownService);
}

// ---- Tags ----

TEST(BacnetTags, DecodesEveryForm) {
  Tag t;
  size_t size = 0;
  Buf unsigned_tag = app_unsigned(1476), object_tag = ctx_object(0, kDevice, 721);
  ASSERT_EQ(decode_tag(unsigned_tag, t, size), Anomaly::None);
  EXPECT_EQ(t.cls, TagClass::Application);
  EXPECT_EQ(t.number, app_tag::kUnsigned);
  EXPECT_EQ(size, 3u);
  uint32_t v = 0;
  ASSERT_TRUE(read_unsigned(t.value, v));
  EXPECT_EQ(v, 1476u);

  ASSERT_EQ(decode_tag(Buf{0x11}, t, size), Anomaly::None);  // Boolean TRUE: value in the LVT
  EXPECT_EQ(t.number, app_tag::kBoolean);
  EXPECT_EQ(t.length, 1u);
  EXPECT_EQ(size, 1u);

  ASSERT_EQ(decode_tag(object_tag, t, size), Anomaly::None);
  EXPECT_TRUE(t.is_context(0));
  ObjectId id;
  ASSERT_TRUE(read_object_id(t.value, id));
  EXPECT_EQ(id.type, kDevice);
  EXPECT_EQ(id.instance, 721u);

  ASSERT_EQ(decode_tag(open_tag(3), t, size), Anomaly::None);
  EXPECT_TRUE(t.is_opening(3));
  ASSERT_EQ(decode_tag(close_tag(3), t, size), Anomaly::None);
  EXPECT_TRUE(t.is_closing(3));

  Buf long_string = app_string(std::string(300, 'x'));  // 16-bit extended length
  ASSERT_EQ(decode_tag(long_string, t, size), Anomaly::None);
  EXPECT_EQ(t.length, 301u);
  EXPECT_EQ(size, long_string.size());

  ASSERT_EQ(decode_tag(tag(20, true, {7}), t, size), Anomaly::None);  // extended tag number
  EXPECT_EQ(t.number, 20);
  EXPECT_EQ(size, 3u);

  for (const Buf& valid : {app_real(), tag(0, false, {}), tag(10, false, {1, 2, 3, 4}),
                           tag(5, false, Buf(8, 0)), tag(8, false, {3, 0xF0}), tag(6, false, {})}) {
    EXPECT_EQ(decode_tag(valid, t, size), Anomaly::None);
  }
}

TEST(BacnetTags, MalformedTags) {
  Tag t;
  size_t size = 0;
  EXPECT_EQ(decode_tag(Buf{}, t, size), Anomaly::Truncated);
  EXPECT_EQ(decode_tag(Buf{0x24, 0x01}, t, size), Anomaly::Truncated);        // 4-byte unsigned, 1 present
  EXPECT_EQ(decode_tag(Buf{0x75, 0xFF, 0x00}, t, size), Anomaly::Truncated);  // 32-bit length, absent
  EXPECT_EQ(decode_tag(Buf{0xF8}, t, size), Anomaly::Truncated);              // extended number missing
  EXPECT_EQ(decode_tag(Buf{0xD1, 0x00}, t, size), Anomaly::InvalidTag);       // application tag 13
  EXPECT_EQ(decode_tag(Buf{0x01, 0x00}, t, size), Anomaly::InvalidTag);       // Null with contents
  EXPECT_EQ(decode_tag(Buf{0x12}, t, size), Anomaly::InvalidTag);             // Boolean 2
  EXPECT_EQ(decode_tag(Buf{0x26}, t, size), Anomaly::InvalidTag);             // application opening code
  EXPECT_EQ(decode_tag(Buf{0x43, 0, 0, 0}, t, size), Anomaly::InvalidTag);    // Real of 3 octets
  EXPECT_EQ(decode_tag(Buf{0x81, 0x08}, t, size), Anomaly::InvalidTag);       // bit string, 8 unused bits
  EXPECT_EQ(decode_tag(Buf{0x20}, t, size), Anomaly::InvalidTag);             // empty unsigned
}

TEST(BacnetTags, ReaderBalancesOpeningAndClosing) {
  Buf nested = cat({open_tag(1), open_tag(2), app_unsigned(5), close_tag(2), close_tag(1)});
  EXPECT_EQ(TagReader(nested).finish(), Anomaly::None);
  EXPECT_EQ(TagReader(cat({open_tag(1), app_unsigned(5)})).finish(), Anomaly::Truncated);
  EXPECT_EQ(TagReader(close_tag(1)).finish(), Anomaly::InvalidTag);
  EXPECT_EQ(TagReader(cat({open_tag(1), close_tag(2)})).finish(), Anomaly::InvalidTag);
  Buf deep;
  for (uint32_t i = 0; i <= kMaxTagDepth; ++i) deep.push_back(0x0E);
  EXPECT_EQ(TagReader(deep).finish(), Anomaly::TagNestingTooDeep);
  Buf at_cap;
  for (uint32_t i = 0; i < kMaxTagDepth; ++i) at_cap.push_back(0x0E);
  for (uint32_t i = 0; i < kMaxTagDepth; ++i) at_cap.push_back(0x0F);
  EXPECT_EQ(TagReader(at_cap).finish(), Anomaly::None);
}

TEST(BacnetTags, TextInEveryDecodableCharset) {
  std::array<char, 64> scratch;
  EXPECT_EQ(decode_text(string_bytes("PLC_12"), scratch), "PLC_12");
  EXPECT_EQ(decode_text(string_bytes(std::string("bay 6\0\0", 7)), scratch), "bay 6");
  EXPECT_EQ(decode_text(Buf{4, 0x00, 'A', 0x00, 0xE9}, scratch), "A\xC3\xA9");  // UCS-2
  EXPECT_EQ(decode_text(Buf{3, 0, 0, 0, 'Z'}, scratch), "Z");                   // UCS-4
  EXPECT_EQ(decode_text(Buf{5, 'G', 0xE4}, scratch), "G\xC3\xA4");              // ISO 8859-1
  EXPECT_EQ(decode_text(Buf{1, 0x03, 0xA4, 0x89}, scratch), "");                // DBCS: not decodable
  EXPECT_EQ(decode_text(string_bytes("a\x01z"), scratch), "");                  // control character
  EXPECT_EQ(decode_text(Buf{0, 0xC3}, scratch), "");                            // cut UTF-8
  EXPECT_EQ(decode_text(Buf{0, 0xC0, 0x80}, scratch), "");                      // overlong
  EXPECT_EQ(decode_text(Buf{4, 0xD8, 0x00}, scratch), "");                      // lone surrogate
  EXPECT_EQ(decode_text(Buf{4, 0x00}, scratch), "");                            // odd UCS-2
  EXPECT_EQ(decode_text(string_bytes(std::string(100, 'q')), scratch).size(), scratch.size());
  EXPECT_EQ(decode_text(Buf{}, scratch), "");
}

// ---- APDU ----

TEST(BacnetApdu, ConfirmedRequestHeader) {
  Apdu a;
  ASSERT_EQ(parse_apdu(Buf{0x02, 0x34, 0x5D, 0x0C, 0x0C, 0x02, 0x00, 0x00, 0xFE, 0x19, 0x4C}, a),
            Anomaly::None);
  EXPECT_EQ(a.type, pdu::kConfirmedRequest);
  EXPECT_TRUE(a.segmented_response_accepted);
  EXPECT_FALSE(a.segmented);
  EXPECT_EQ(a.max_segments, 8);
  EXPECT_EQ(a.max_apdu, 1024);
  EXPECT_EQ(a.invoke_id, 0x5D);
  EXPECT_EQ(a.service, 12);
  EXPECT_EQ(a.data.size(), 7u);
}

TEST(BacnetApdu, SegmentedHeadersAndShortPdus) {
  Apdu a;
  ASSERT_EQ(parse_apdu(Buf{0x3C, 0x5E, 0x00, 0x03, 0x0C, 0x0C}, a), Anomaly::None);
  EXPECT_TRUE(a.segmented);
  EXPECT_TRUE(a.more_follows);
  EXPECT_EQ(a.sequence_number, 0);
  EXPECT_EQ(a.window_size, 3);
  EXPECT_EQ(a.service, 12);
  a = {};
  ASSERT_EQ(parse_apdu(Buf{0x0C, 0x75, 0x01, 0x02, 0x04, 0x0F, 0xAA}, a), Anomaly::None);
  EXPECT_TRUE(a.segmented);
  EXPECT_EQ(a.max_segments, 65);
  EXPECT_EQ(a.max_apdu, 1476);
  EXPECT_EQ(a.sequence_number, 2);
  EXPECT_EQ(a.window_size, 4);
  a = {};
  ASSERT_EQ(parse_apdu(Buf{0x42, 0x5E, 0x01, 0x03}, a), Anomaly::None);
  EXPECT_TRUE(a.negative_ack);
  EXPECT_FALSE(a.sent_by_server);
  a = {};
  ASSERT_EQ(parse_apdu(abort_pdu(1, 4), a), Anomaly::None);
  EXPECT_TRUE(a.sent_by_server);
  EXPECT_EQ(a.reason, 4);
  a = {};
  ASSERT_EQ(parse_apdu(reject_pdu(58, 9), a), Anomaly::None);
  EXPECT_EQ(a.reason, 9);
  EXPECT_FALSE(a.has_service);
}

TEST(BacnetApdu, Anomalies) {
  Apdu a;
  EXPECT_EQ(parse_apdu(Buf{0x80, 0x01}, a), Anomaly::InvalidApdu);
  EXPECT_EQ(parse_apdu(Buf{0x20, 0x01, 0x0F, 0x00}, a), Anomaly::InvalidApdu);  // Simple-ACK with data
  EXPECT_EQ(parse_apdu(Buf{0x00, 0x05, 0x01}, a), Anomaly::Truncated);
  EXPECT_EQ(parse_apdu(Buf{0x08, 0x05, 0x01, 0x00}, a), Anomaly::Truncated);  // segmented, no service
  EXPECT_EQ(parse_apdu(Buf{0x10}, a), Anomaly::Truncated);
  EXPECT_EQ(parse_apdu(Buf{}, a), Anomaly::Truncated);
}

Anomaly decode(const Buf& apdu_bytes, ServiceDetails& out, bool partial = false) {
  Apdu a;
  Anomaly header = parse_apdu(apdu_bytes, a);
  if (header != Anomaly::None) return header;
  return decode_service(a, partial, out);
}

TEST(BacnetServices, IAm) {
  ServiceDetails d;
  ASSERT_EQ(decode(i_am(721, 15), d), Anomaly::None);
  EXPECT_TRUE(d.has_device);
  EXPECT_EQ(d.device.instance, 721u);
  EXPECT_EQ(d.max_apdu_accepted, 1476u);
  EXPECT_EQ(d.segmentation, 3);
  EXPECT_EQ(d.vendor_id, 15u);
  ServiceDetails bad;
  EXPECT_EQ(decode(unconfirmed_request(0, cat({app_object(kAnalogInput, 1), app_unsigned(1476),
                                               app_enumerated(3), app_unsigned(5)})),
                   bad),
            Anomaly::InvalidApdu);
  EXPECT_EQ(decode(unconfirmed_request(0, cat({app_object(kDevice, 1), app_unsigned(1476)})), bad),
            Anomaly::Truncated);
  EXPECT_EQ(decode(cat({i_am(1, 2), app_unsigned(9)}), bad), Anomaly::InvalidApdu);
}

TEST(BacnetServices, WhoIsWhoHasIHave) {
  ServiceDetails d;
  ASSERT_EQ(decode(unconfirmed_request(8, cat({ctx_unsigned(0, 100), ctx_unsigned(1, 199)})), d),
            Anomaly::None);
  EXPECT_TRUE(d.has_limits);
  EXPECT_EQ(d.low_limit, 100u);
  EXPECT_EQ(d.high_limit, 199u);
  d = {};
  ASSERT_EQ(decode(unconfirmed_request(8, {}), d), Anomaly::None);
  EXPECT_FALSE(d.has_limits);
  d = {};
  ASSERT_EQ(decode(unconfirmed_request(7, ctx_string(3, "SYNERGY")), d), Anomaly::None);
  EXPECT_EQ(d.object_name.size(), 8u);
  d = {};
  ASSERT_EQ(
      decode(unconfirmed_request(7, cat({ctx_unsigned(0, 1), ctx_unsigned(1, 9), ctx_object(2, 23, 5)})), d),
      Anomaly::None);
  EXPECT_EQ(d.object.type, 23);
  EXPECT_EQ(d.object.instance, 5u);
  d = {};
  ASSERT_EQ(decode(unconfirmed_request(
                       1, cat({app_object(kDevice, 61), app_object(kDevice, 61), app_string("SYNERGY")})),
                   d),
            Anomaly::None);
  EXPECT_EQ(d.device.instance, 61u);
  EXPECT_TRUE(d.has_object);
  EXPECT_EQ(decode(unconfirmed_request(8, ctx_unsigned(0, 1)), d), Anomaly::Truncated);
}

TEST(BacnetServices, ReadPropertyAndAck) {
  ServiceDetails d;
  ASSERT_EQ(decode(read_property(1, kAnalogInput, 3, 85), d), Anomaly::None);
  EXPECT_EQ(d.object.instance, 3u);
  EXPECT_EQ(d.property, 85u);
  EXPECT_EQ(d.property_count, 1u);
  d = {};
  ASSERT_EQ(decode(read_property_ack(1, kDevice, 721, 70, app_string("ETA-633")), d), Anomaly::None);
  ASSERT_EQ(d.value_count, 1u);
  EXPECT_EQ(d.values[0].property, 70u);
  EXPECT_TRUE(d.values[0].value.is_application(app_tag::kCharacterString));
  d = {};
  // Not a device object, or not an identity property: nothing kept.
  ASSERT_EQ(decode(read_property_ack(1, kAnalogInput, 1, 77, app_string("Sensor")), d), Anomaly::None);
  EXPECT_EQ(d.value_count, 0u);
  ASSERT_EQ(decode(read_property_ack(1, kDevice, 1, 85, app_real()), d), Anomaly::None);
  EXPECT_EQ(d.value_count, 0u);
  // With an array index and a list value.
  d = {};
  ASSERT_EQ(decode(complex_ack(1, 12,
                               cat({ctx_object(0, kDevice, 254), ctx_unsigned(1, 76), ctx_unsigned(2, 0),
                                    open_tag(3), app_unsigned(426), close_tag(3)})),
                   d),
            Anomaly::None);
  EXPECT_TRUE(d.has_array_index);
  EXPECT_EQ(
      decode(complex_ack(1, 12, cat({ctx_object(0, kDevice, 254), ctx_unsigned(1, 76), open_tag(3)})), d),
      Anomaly::Truncated);
  EXPECT_EQ(decode(confirmed_request(1, 12, cat({ctx_unsigned(1, 76)})), d), Anomaly::InvalidApdu);
}

TEST(BacnetServices, ReadPropertyMultipleAndAck) {
  ServiceDetails d;
  Buf request = confirmed_request(
      2, 14,
      cat({ctx_object(0, kDevice, 9), open_tag(1), ctx_unsigned(0, 121), ctx_unsigned(0, 70),
           ctx_unsigned(0, 87), ctx_unsigned(1, 3), close_tag(1), ctx_object(0, kAnalogInput, 4), open_tag(1),
           ctx_unsigned(0, 85), close_tag(1)}));
  ASSERT_EQ(decode(request, d), Anomaly::None);
  EXPECT_EQ(d.object_count, 2u);
  EXPECT_EQ(d.property_count, 4u);
  EXPECT_EQ(d.object.instance, 9u);
  d = {};
  Buf ack = complex_ack(2, 14,
                        cat({ctx_object(0, kDevice, 9), open_tag(1), ctx_unsigned(2, 121), open_tag(4),
                             app_string("Acme"), close_tag(4), ctx_unsigned(2, 70), open_tag(4),
                             app_string("X1"), close_tag(4), ctx_unsigned(2, 372), open_tag(5),
                             app_enumerated(2), app_enumerated(32), close_tag(5), close_tag(1)}));
  ASSERT_EQ(decode(ack, d), Anomaly::None);
  ASSERT_EQ(d.value_count, 2u);
  EXPECT_EQ(d.values[0].property, 121u);
  EXPECT_EQ(d.values[1].property, 70u);
  EXPECT_EQ(d.property_count, 3u);
}

TEST(BacnetServices, Writes) {
  ServiceDetails d;
  ASSERT_EQ(decode(write_property(3, kAnalogOutput, 0, 85, app_real(), 8), d), Anomaly::None);
  EXPECT_EQ(d.object.instance, 0u);
  EXPECT_EQ(d.property, 85u);
  EXPECT_TRUE(d.has_priority);
  EXPECT_EQ(d.priority, 8);
  EXPECT_EQ(decode(write_property(3, kAnalogOutput, 0, 85, app_real(), 17), d), Anomaly::InvalidApdu);
  d = {};
  Buf wpm =
      confirmed_request(4, 16,
                        cat({ctx_object(0, kAnalogOutput, 1), open_tag(1), ctx_unsigned(0, 85), open_tag(2),
                             app_real(), close_tag(2), ctx_unsigned(3, 5), ctx_unsigned(0, 28), open_tag(2),
                             app_string("d"), close_tag(2), close_tag(1)}));
  ASSERT_EQ(decode(wpm, d), Anomaly::None);
  EXPECT_EQ(d.property_count, 2u);
  EXPECT_EQ(d.priority, 5);
}

TEST(BacnetServices, DeviceManagement) {
  ServiceDetails d;
  ASSERT_EQ(decode(confirmed_request(5, 20, cat({ctx_unsigned(0, 1), ctx_string(1, "secret")})), d),
            Anomaly::None);
  EXPECT_EQ(d.state, 1);
  EXPECT_TRUE(d.has_password);
  d = {};
  ASSERT_EQ(decode(confirmed_request(6, 17, cat({ctx_unsigned(0, 60), ctx_unsigned(1, 1)})), d),
            Anomaly::None);
  EXPECT_TRUE(d.has_duration);
  EXPECT_EQ(d.duration_minutes, 60u);
  EXPECT_EQ(d.state, 1);
  EXPECT_FALSE(d.has_password);
  EXPECT_EQ(decode(confirmed_request(5, 20, ctx_unsigned(0, 9)), d), Anomaly::InvalidApdu);
  EXPECT_EQ(decode(confirmed_request(6, 17, ctx_unsigned(1, 3)), d), Anomaly::InvalidApdu);
}

TEST(BacnetServices, WhoAmIAndYouAre) {
  ServiceDetails d;
  ASSERT_EQ(
      decode(unconfirmed_request(13, cat({app_unsigned(555), app_string("LMCP24"), app_string("12345")})), d),
      Anomaly::None);
  EXPECT_EQ(d.vendor_id, 555u);
  d = {};
  ASSERT_EQ(decode(unconfirmed_request(14, cat({app_unsigned(555), app_string("LMCP24"), app_string("12345"),
                                                app_object(kDevice, 3), tag(6, false, {0x2A})})),
                   d),
            Anomaly::None);
  EXPECT_EQ(d.device.instance, 3u);
}

TEST(BacnetServices, ErrorClassAndCode) {
  ServiceDetails d;
  ASSERT_EQ(decode(error_pdu(1, 20, 4, 26), d), Anomaly::None);
  EXPECT_EQ(d.error_class, 4u);
  EXPECT_EQ(d.error_code, 26u);
  d = {};
  // Constructed error of createObject: [0] { class, code } [1] first failed element.
  ASSERT_EQ(decode(cat({{0x50, 1, 10},
                        open_tag(0),
                        app_enumerated(1),
                        app_enumerated(31),
                        close_tag(0),
                        ctx_unsigned(1, 0)}),
                   d),
            Anomaly::None);
  EXPECT_EQ(d.error_code, 31u);
  EXPECT_EQ(decode(Buf{0x50, 1, 20, 0x91, 0x04}, d), Anomaly::InvalidApdu);
}

TEST(BacnetServices, GenericServicesFindTheirObject) {
  ServiceDetails d;
  ASSERT_EQ(decode(confirmed_request(7, 5,
                                     cat({ctx_unsigned(0, 18), ctx_object(1, kAnalogInput, 10),
                                          ctx_unsigned(2, 1), ctx_unsigned(3, 600)})),
                   d),
            Anomaly::None);
  EXPECT_TRUE(d.has_object);
  EXPECT_EQ(d.object.instance, 10u);
  d = {};
  ASSERT_EQ(decode(confirmed_request(8, 26, cat({ctx_object(0, 20, 2), ctx_unsigned(1, 131)})), d),
            Anomaly::None);
  EXPECT_EQ(d.property, 131u);
  d = {};
  ASSERT_EQ(decode(confirmed_request(9, 11, app_object(kAnalogInput, 1)), d), Anomaly::None);
  EXPECT_EQ(d.object.instance, 1u);
  EXPECT_EQ(decode(confirmed_request(9, 3, cat({open_tag(0)})), d), Anomaly::Truncated);
  EXPECT_EQ(decode(confirmed_request(9, 3, Buf{0xD1, 0x00}), d), Anomaly::InvalidTag);
}

TEST(BacnetServices, FirstSegmentMayStopAnywhere) {
  Buf full = complex_ack(1, 12,
                         cat({ctx_object(0, kDevice, 254), ctx_unsigned(1, 76), open_tag(3), app_object(3, 0),
                              app_object(3, 1)}));
  full[0] = 0x3C;  // segmented, more follows
  full.insert(full.begin() + 2, {0x00, 0x03});
  ServiceDetails d;
  EXPECT_EQ(decode(full, d, true), Anomaly::None);
  EXPECT_EQ(d.object.instance, 254u);
  full.pop_back();  // cut inside a tag
  EXPECT_EQ(decode(full, d, true), Anomaly::None);
  EXPECT_EQ(decode(full, d, false), Anomaly::Truncated);
}

}  // namespace
}  // namespace ots::bacnet
