// Unit tests of the stateless DNP3 grammar: CRC, link header, transport octet, application
// fragments, object headers and sizes, and the protocol tables.
#include "dissectors/dnp3/dnp3_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/dnp3/frames.h"

namespace ots::dnp3 {
namespace {

using dnp3_test::Frame;
using dnp3_test::link_frame;

Frame hex(const std::string& text) {
  Frame out;
  for (size_t i = 0; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
  return out;
}

// Frames copied from the public captures (zeek dnp3_udp_read.pcap, ITI auth_change_session_keys.pcap).
const Frame kRequestLinkStatus = hex("05640549640001007e5f");
const Frame kReadClasses = hex("056414c40100640067d6c6c7013c02063c03063c04063c010673c0");
const Frame kSessionKeyStatusRequest = hex("05640ec4040003006dd3c0c1207804070101009e40");

TEST(Dnp3Crc, MatchesTheCatalogueCheckValue) {
  const std::string check = "123456789";
  EXPECT_EQ(crc16(Bytes(reinterpret_cast<const uint8_t*>(check.data()), check.size())), 0xEA82);
}

TEST(Dnp3Crc, MatchesRealFrames) {
  EXPECT_EQ(crc16(Bytes(kRequestLinkStatus.data(), 8)), 0x5F7E);
  EXPECT_EQ(crc16(Bytes(kReadClasses.data(), 8)), 0xD667);
  EXPECT_EQ(crc16(Bytes(kReadClasses.data() + 10, 15)), 0xC073);
}

TEST(Dnp3Link, ParsesHeaderOfRealFrame) {
  LinkHeaderResult r = parse_link_header(kReadClasses);
  ASSERT_EQ(r.status, LinkStatus::Ok);
  EXPECT_EQ(r.header.length, 0x14);
  EXPECT_TRUE(r.header.control.dir);
  EXPECT_TRUE(r.header.control.prm);
  EXPECT_FALSE(r.header.control.fcb);
  EXPECT_FALSE(r.header.control.fcv);
  EXPECT_EQ(r.header.control.function, kLinkUnconfirmedUserData);
  EXPECT_EQ(r.header.destination, 1);
  EXPECT_EQ(r.header.source, 100);
  EXPECT_EQ(r.header.user_data_size(), 15u);
  EXPECT_EQ(r.header.frame_size(), kReadClasses.size());
  EXPECT_TRUE(r.header.carries_user_data());
  EXPECT_EQ(check_link_header(r.header), Anomaly::None);
  EXPECT_EQ(link_function_name(true, r.header.control.function), "Unconfirmed User Data");
}

TEST(Dnp3Link, DecodesControlBits) {
  LinkControl c = decode_link_control(0xB3);  // DIR, FCB, FCV, function 3; PRM clear
  EXPECT_TRUE(c.dir);
  EXPECT_FALSE(c.prm);
  EXPECT_TRUE(c.fcb);
  EXPECT_TRUE(c.fcv);
  EXPECT_EQ(c.function, 3);
  EXPECT_EQ(link_function_name(false, 11), "Link Status");
  EXPECT_EQ(link_function_name(true, 9), "Request Link Status");
  EXPECT_EQ(link_function_name(false, 3), "");
}

TEST(Dnp3Link, FrameSizesCountBlockCrcs) {
  LinkHeader h;
  h.length = 5;
  EXPECT_EQ(h.frame_size(), 10u);
  h.length = 21;  // 16 user-data bytes: one block
  EXPECT_EQ(h.frame_size(), 28u);
  h.length = 22;  // 17: two blocks
  EXPECT_EQ(h.frame_size(), 31u);
  h.length = 255;
  EXPECT_EQ(h.frame_size(), kMaxFrameSize);
  EXPECT_EQ(kMaxFrameSize, 292u);
}

TEST(Dnp3Link, ReportsMalformedHeaders) {
  Frame bad_start = kRequestLinkStatus;
  bad_start[1] = 0x65;
  EXPECT_EQ(parse_link_header(bad_start).anomaly, Anomaly::InvalidStart);
  EXPECT_EQ(parse_link_header(Frame{0x06}).anomaly, Anomaly::InvalidStart);

  Frame short_length = link_frame(0xC9, 1, 2, {});
  short_length[2] = 4;
  EXPECT_EQ(parse_link_header(short_length).anomaly, Anomaly::InvalidLength);

  Frame bad_crc = kRequestLinkStatus;
  bad_crc[9] ^= 0x01;
  LinkHeaderResult r = parse_link_header(bad_crc);
  EXPECT_EQ(r.status, LinkStatus::Malformed);
  EXPECT_EQ(r.anomaly, Anomaly::BadLinkCrc);
  EXPECT_EQ(r.header.frame_size(), 10u);  // still framed by LEN
}

TEST(Dnp3Link, NeedsTheWholeHeader) {
  for (size_t n = 0; n < kLinkHeaderSize; ++n) {
    EXPECT_EQ(parse_link_header(Bytes(kReadClasses.data(), n)).status, LinkStatus::NeedMoreData) << n;
    EXPECT_EQ(probe_link_header(Bytes(kReadClasses.data(), n)), ProbeResult::NeedMoreData) << n;
  }
}

TEST(Dnp3Link, ChecksFunctionAgainstLength) {
  LinkHeader h = parse_link_header(kRequestLinkStatus).header;
  EXPECT_EQ(check_link_header(h), Anomaly::None);
  h.control.function = 5;  // undefined primary function
  EXPECT_EQ(check_link_header(h), Anomaly::InvalidFunctionCode);
  h.control.function = 9;
  h.length = 6;  // Request Link Status carries no user data
  EXPECT_EQ(check_link_header(h), Anomaly::InvalidLength);
  h.control.function = kLinkUnconfirmedUserData;
  h.length = 5;  // user data needs at least the transport octet
  EXPECT_EQ(check_link_header(h), Anomaly::InvalidLength);
  h.control.prm = false;
  h.control.function = 0;  // ACK
  EXPECT_EQ(check_link_header(h), Anomaly::None);
}

TEST(Dnp3Link, ProbeAcceptsOnlyValidHeaders) {
  EXPECT_EQ(probe_link_header(kReadClasses), ProbeResult::Match);
  EXPECT_EQ(probe_link_header(kRequestLinkStatus), ProbeResult::Match);
  Frame modbus = hex("000100000006010300000001");
  EXPECT_EQ(probe_link_header(modbus), ProbeResult::NoMatch);
  Frame bad_crc = kReadClasses;
  bad_crc[8] ^= 0xFF;
  EXPECT_EQ(probe_link_header(bad_crc), ProbeResult::NoMatch);
  Frame undefined_function = link_frame(0xC5, 1, 2, {});
  EXPECT_EQ(probe_link_header(undefined_function), ProbeResult::NoMatch);
  EXPECT_EQ(probe_link_header(Frame{0x05, 0x63}), ProbeResult::NoMatch);
  EXPECT_EQ(probe_link_header(Frame{0x05, 0x64, 0x04}), ProbeResult::NoMatch);
}

TEST(Dnp3Link, ExtractsUserDataAndChecksBlockCrcs) {
  std::vector<uint8_t> data(40);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  Frame frame = link_frame(0xC4, 1, 2, data);
  LinkHeader h = parse_link_header(frame).header;
  ASSERT_EQ(h.frame_size(), frame.size());
  uint8_t out[kMaxUserData];
  ASSERT_EQ(extract_user_data(h, frame, out), Anomaly::None);
  EXPECT_EQ(std::vector<uint8_t>(out, out + data.size()), data);

  EXPECT_EQ(extract_user_data(h, Bytes(frame.data(), frame.size() - 1), out), Anomaly::InvalidLength);
  frame[10 + 16 + 2 + 3] ^= 0x40;  // a byte of the second block
  EXPECT_EQ(extract_user_data(h, frame, out), Anomaly::BadBlockCrc);
}

TEST(Dnp3Transport, DecodesTheOctet) {
  TransportHeader t = decode_transport_header(0xC6);
  EXPECT_TRUE(t.fin);
  EXPECT_TRUE(t.fir);
  EXPECT_EQ(t.sequence, 6);
  t = decode_transport_header(0x3F);
  EXPECT_FALSE(t.fin);
  EXPECT_FALSE(t.fir);
  EXPECT_EQ(t.sequence, 63);
}

TEST(Dnp3App, ParsesClassReadRequest) {
  // Read Class 1, 2, 3, 0 (all objects) from the UDP capture.
  Fragment f = parse_fragment(hex("c7013c02063c03063c04063c0106"));
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_TRUE(f.control.fir);
  EXPECT_TRUE(f.control.fin);
  EXPECT_FALSE(f.control.con);
  EXPECT_FALSE(f.control.uns);
  EXPECT_EQ(f.control.sequence, 7);
  EXPECT_EQ(f.function, kFcRead);
  EXPECT_FALSE(f.is_response);
  EXPECT_EQ(f.object_headers, 4u);
  ASSERT_TRUE(f.has_first_object);
  EXPECT_EQ(f.first_object.group, 60);
  EXPECT_EQ(f.first_object.variation, 2);
  EXPECT_EQ(f.first_object.range, RangeKind::AllObjects);
  EXPECT_FALSE(f.first_object.carries_data);
  EXPECT_EQ(object_name(60, 2), "Class 1 Data");
  EXPECT_EQ(object_name(60, 1), "Class 0 Data");
}

TEST(Dnp3App, ParsesResponseWithIinAndPackedBits) {
  // Response: IIN1 = Device Restart | Need Time, IIN2 = 0; g1v1 indexes 0..9 (2 bytes of bits),
  // then g30v1 indexes 0..1 with 16-bit start/stop (2 × 5 bytes).
  const Frame bytes =
      hex("c281"
          "9000"
          "010100"
          "0009"
          "0355"
          "1e0101"
          "00000100"
          "01"
          "1234567801"
          "00000000");
  Fragment f = parse_fragment(bytes);
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_TRUE(f.is_response);
  EXPECT_EQ(f.iin, iin::kDeviceRestart | iin::kNeedTime);
  EXPECT_EQ(f.object_headers, 2u);
  EXPECT_FALSE(f.has_device_attributes);
  EXPECT_EQ(f.first_object.group, 1);
  EXPECT_EQ(f.first_object.count, 10u);
  EXPECT_EQ(f.first_object.objects.size(), 2u);
  EXPECT_EQ(object_name(1, 1), "Binary Input");
}

TEST(Dnp3App, ParsesIndexedControlRelayOutputBlock) {
  // Direct Operate g12v1, qualifier 0x28 (2-byte index prefix, 2-byte count), one CROB at index 5.
  const Frame bytes =
      hex("c305"
          "0c0128"
          "0100"
          "0500"
          "03"
          "01"
          "64000000"
          "00000000"
          "00");
  Fragment f = parse_fragment(bytes);
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_EQ(f.function, 5);
  EXPECT_EQ(f.first_object.prefix, PrefixKind::Index);
  EXPECT_EQ(f.first_object.prefix_size, 2);
  EXPECT_EQ(f.first_object.range, RangeKind::Count);
  EXPECT_TRUE(f.first_object.has_first_index);
  EXPECT_EQ(f.first_object.first_index, 5u);
  EXPECT_EQ(f.first_object.count, 1u);
  EXPECT_EQ(f.first_object.objects.size(), 13u);
  EXPECT_EQ(object_name(12, 1), "Binary Output Command");
  EXPECT_TRUE(is_write(f));
}

TEST(Dnp3App, ParsesAnalogOutputBlockAndTime) {
  // Select g41v2 (16-bit AO block) indexes 3..4, then Write g50v1 count 1 in its own fragment.
  Fragment select =
      parse_fragment(hex("c303"
                         "290200"
                         "0304"
                         "e80300"
                         "d00700"));
  EXPECT_EQ(select.anomaly, Anomaly::None);
  EXPECT_EQ(object_name(41, 2), "Analog Output Block");
  Fragment time =
      parse_fragment(hex("c402"
                         "320107"
                         "01"
                         "000102030405"));
  EXPECT_EQ(time.anomaly, Anomaly::None);
  EXPECT_EQ(time.first_object.range, RangeKind::Count);
  EXPECT_FALSE(time.first_object.has_first_index);
  EXPECT_EQ(object_name(50, 1), "Time and Date");
}

TEST(Dnp3App, ParsesFreeFormatAuthenticationObjects) {
  // Authenticate Response: g120v5 session key status, qualifier 0x5B, one object of 15 bytes.
  Fragment f =
      parse_fragment(hex("c1839000"
                         "78055b01"
                         "0f00"
                         "010000000189260001020004007374"));
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_EQ(f.first_object.prefix, PrefixKind::Size);
  EXPECT_EQ(f.first_object.range, RangeKind::FreeFormat);
  EXPECT_EQ(f.first_object.count, 1u);
  EXPECT_EQ(object_name(120, 5), "Authentication Session Key Status");
  // Session key status request: g120v4, fixed 2 bytes with a count qualifier.
  Fragment request =
      parse_fragment(hex("c120"
                         "780407"
                         "01"
                         "0100"));
  EXPECT_EQ(request.anomaly, Anomaly::None);
  EXPECT_EQ(object_name(120, 4), "Authentication Session Key Status Request");
}

TEST(Dnp3App, OpenFileForReadingIsNotAWrite) {
  // Open File g70v3 from the zeek file-read capture: "./test.xml", mode 1 (read).
  Frame open =
      hex("ce19"
          "46035b01"
          "2400"
          "1a000a00"
          "000000000000"
          "0000"
          "00000000"
          "00000000"
          "0100"
          "0004"
          "0400"
          "2e2f746573742e786d6c");
  Fragment f = parse_fragment(open);
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_EQ(f.file_mode, kFileModeRead);
  EXPECT_FALSE(is_write(f));
  EXPECT_EQ(object_name(70, 3), "File Command");
  open[open.size() - 16] = 2;  // mode: write
  f = parse_fragment(open);
  EXPECT_EQ(f.file_mode, 2);
  EXPECT_TRUE(is_write(f));
}

TEST(Dnp3App, ReadsDeviceAttributes) {
  // Response: g0v252 "ACME" and g0v250 "RTU-9", each qualifier 0x00 index 0..0.
  const Frame bytes =
      hex("c0810000"
          "00fc000000"
          "0104"
          "41434d45"
          "00fa000000"
          "0105"
          "5254552d39");
  Fragment f = parse_fragment(bytes);  // its views point into `bytes`
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_TRUE(f.has_device_attributes);
  EXPECT_EQ(object_name(0, 252), "Device Attributes");
  EXPECT_EQ(device_attribute_name(252), "Device Manufacturer's Name");
  DeviceAttributeReader reader(f.objects, f.function);
  DeviceAttribute a;
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.variation, 252);
  EXPECT_EQ(a.data_type, kAttributeVisibleString);
  EXPECT_EQ(as_chars(a.value), "ACME");
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.variation, 250);
  EXPECT_EQ(as_chars(a.value), "RTU-9");
  EXPECT_FALSE(reader.next(a));
}

TEST(Dnp3App, OctetStringsAreSizedByVariation) {
  Fragment f =
      parse_fragment(hex("c0810000"
                         "6e0500"
                         "0001"
                         "68656c6c6f"
                         "776f726c64"));
  EXPECT_EQ(f.anomaly, Anomaly::None);
  EXPECT_EQ(object_name(110, 5), "Octet String");
  Fragment zero =
      parse_fragment(hex("c0810000"
                         "6e0000"
                         "0000"
                         "00"));
  EXPECT_EQ(zero.anomaly, Anomaly::UnknownObject);
}

TEST(Dnp3App, UnknownObjectStopsTheWalk) {
  Fragment f =
      parse_fragment(hex("c0810000"
                         "0101000000"
                         "01"
                         "630100"
                         "0000"
                         "0102030405"));
  EXPECT_EQ(f.anomaly, Anomaly::UnknownObject);
  EXPECT_EQ(f.unknown_group, 99);
  EXPECT_EQ(f.unknown_variation, 1);
  EXPECT_EQ(f.object_headers, 1u);  // the known header before it
  // A response naming "any variation" cannot be sized either.
  EXPECT_EQ(parse_fragment(hex("c0810000"
                               "1e0000"
                               "0000"
                               "0000000000"))
                .anomaly,
            Anomaly::UnknownObject);
  // In a Read request the same headers carry no data and are fine.
  EXPECT_EQ(parse_fragment(hex("c001"
                               "630100"
                               "0000"))
                .anomaly,
            Anomaly::None);
}

TEST(Dnp3App, RejectsReservedQualifiers) {
  EXPECT_EQ(parse_fragment(hex("c001"
                               "010170"
                               "00"))
                .anomaly,
            Anomaly::InvalidQualifier);  // prefix code 7
  EXPECT_EQ(parse_fragment(hex("c001"
                               "01010a"
                               "00"))
                .anomaly,
            Anomaly::InvalidQualifier);  // range code 0xA
  EXPECT_EQ(parse_fragment(hex("c001"
                               "010180"
                               "0000"))
                .anomaly,
            Anomaly::InvalidQualifier);  // bit 7
  EXPECT_EQ(parse_fragment(hex("c001"
                               "010100"
                               "0502"))
                .anomaly,
            Anomaly::InvalidQualifier);  // stop < start
  EXPECT_EQ(parse_fragment(hex("c001"
                               "01011b"
                               "01"))
                .anomaly,
            Anomaly::InvalidQualifier);  // free format, no size prefix
  // Packed bits cannot carry index prefixes.
  EXPECT_EQ(parse_fragment(hex("c0810000"
                               "010117"
                               "01"
                               "0001"))
                .anomaly,
            Anomaly::InvalidQualifier);
}

TEST(Dnp3App, ReportsTruncatedObjects) {
  EXPECT_EQ(parse_fragment(hex("c001"
                               "3c"))
                .anomaly,
            Anomaly::TruncatedObject);
  EXPECT_EQ(parse_fragment(hex("c001"
                               "010101"
                               "00"))
                .anomaly,
            Anomaly::TruncatedObject);
  EXPECT_EQ(parse_fragment(hex("c0810000"
                               "1e0100"
                               "0001"
                               "0102030405"))
                .anomaly,
            Anomaly::TruncatedObject);
  EXPECT_EQ(parse_fragment(hex("c0810000"
                               "010100"
                               "0010"
                               "00"))
                .anomaly,
            Anomaly::TruncatedObject);
  EXPECT_EQ(parse_fragment(hex("c1839000"
                               "78055b01"
                               "0f00"
                               "0100"))
                .anomaly,
            Anomaly::TruncatedObject);
  // A 4-byte count far beyond the data is refused before any iteration.
  EXPECT_EQ(parse_fragment(hex("c0810000"
                               "020129"
                               "ffffffff"
                               "0000"))
                .anomaly,
            Anomaly::TruncatedObject);
}

TEST(Dnp3App, LimitsHeadersAndObjects) {
  std::vector<uint8_t> headers = {0xC0, 0x01};
  for (size_t i = 0; i <= kMaxObjectHeaders; ++i) headers.insert(headers.end(), {0x3C, 0x01, 0x06});
  EXPECT_EQ(parse_fragment(headers).anomaly, Anomaly::TooManyObjects);
  headers.resize(2 + 3 * kMaxObjectHeaders);
  EXPECT_EQ(parse_fragment(headers).anomaly, Anomaly::None);

  // Three g1v1 headers of 8000 points each (packed: 1000 bytes each) exceed kMaxObjects.
  std::vector<uint8_t> points = {0xC0, 0x81, 0x00, 0x00};
  for (int i = 0; i < 3; ++i) {
    points.insert(points.end(), {0x01, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x1F});  // 0..7999
    points.insert(points.end(), 1000, 0x55);
  }
  EXPECT_EQ(parse_fragment(points).anomaly, Anomaly::TooManyObjects);
}

TEST(Dnp3App, ShortAndUndefinedFragments) {
  EXPECT_EQ(parse_fragment(hex("c0")).anomaly, Anomaly::InvalidLength);
  EXPECT_EQ(parse_fragment(hex("c081"
                               "00"))
                .anomaly,
            Anomaly::InvalidLength);
  EXPECT_EQ(parse_fragment(hex("c022")).anomaly, Anomaly::InvalidFunctionCode);  // 34
  EXPECT_EQ(parse_fragment(hex("c084"
                               "0000"))
                .anomaly,
            Anomaly::InvalidFunctionCode);  // 132
  Fragment confirm = parse_fragment(hex("c000"));
  EXPECT_EQ(confirm.anomaly, Anomaly::None);
  EXPECT_FALSE(confirm.has_first_object);
}

TEST(Dnp3App, IinNames) {
  EXPECT_EQ(iin_bit_name(0), "All Stations");
  EXPECT_EQ(iin_bit_name(7), "Device Restart");
  EXPECT_EQ(iin_bit_name(8), "Function Code Not Supported");
  EXPECT_EQ(iin_bit_name(13), "Configuration Corrupt");
  EXPECT_EQ(iin_bit_name(16), "");
  EXPECT_EQ(iin_error_name(iin::kObjectUnknown | iin::kParameterError), "Object Unknown");
  EXPECT_EQ(iin_error_name(iin::kDeviceRestart), "");
  Fragment reserved = parse_fragment(hex("c0810040"));
  EXPECT_EQ(reserved.iin & iin::kReserved, 1u << 14);
}

TEST(Dnp3App, FunctionTable) {
  EXPECT_EQ(function_name(0), "Confirm");
  EXPECT_EQ(function_name(5), "Direct Operate");
  EXPECT_EQ(function_name(13), "Cold Restart");
  EXPECT_EQ(function_name(31), "Activate Config");
  EXPECT_EQ(function_name(33), "Authenticate Request No Ack");
  EXPECT_EQ(function_name(130), "Unsolicited Response");
  EXPECT_EQ(function_name(131), "Authenticate Response");
  EXPECT_EQ(function_name(34), "");
  EXPECT_TRUE(is_write_function(2));
  EXPECT_TRUE(is_write_function(14));
  EXPECT_TRUE(is_write_function(22));
  EXPECT_FALSE(is_write_function(1));
  EXPECT_FALSE(is_write_function(20));
  EXPECT_FALSE(is_write_function(129));
  EXPECT_TRUE(expects_response(1));
  EXPECT_FALSE(expects_response(0));
  EXPECT_FALSE(expects_response(6));
  EXPECT_FALSE(expects_response(33));
}

TEST(Dnp3App, AnomalyNames) {
  EXPECT_EQ(anomaly_name(Anomaly::None), "");
  EXPECT_EQ(anomaly_name(Anomaly::BadLinkCrc), "dnp3.bad_link_crc");
  EXPECT_EQ(anomaly_name(Anomaly::UnmatchedResponse), "dnp3.unmatched_response");
  EXPECT_EQ(anomaly_name(Anomaly::kCount), "");
}

TEST(Dnp3App, EveryPrefixOfValidFragmentsParsesSafely) {
  const Frame fragments[] = {
      hex("c0810000"
          "00fc000000"
          "0104"
          "41434d45"),
      hex("c305"
          "0c0128"
          "0100"
          "0500"
          "03"
          "01"
          "64000000"
          "00000000"
          "00"),
      hex("c1839000"
          "78055b01"
          "0f00"
          "010000000189260001020004007374"),
  };
  for (const Frame& fragment : fragments) {
    for (size_t n = 0; n <= fragment.size(); ++n) {
      Fragment f = parse_fragment(Bytes(fragment.data(), n));
      if (n == fragment.size()) {
        EXPECT_EQ(f.anomaly, Anomaly::None);
      }
      DeviceAttributeReader reader(f.objects, f.function);
      DeviceAttribute a;
      while (reader.next(a)) {
      }
    }
  }
}

}  // namespace
}  // namespace ots::dnp3
