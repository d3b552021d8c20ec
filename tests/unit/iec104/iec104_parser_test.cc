// Wire-grammar tests: framing, probe, APCI formats, ASDU header, object walking, element values.
#include "dissectors/iec104/iec104_parser.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/unit/iec104/iec104_test_frames.h"

namespace ots::iec104 {
namespace {

using namespace iec104_test;

ByteVector from_hex(std::string_view hex) {
  ByteVector bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoul(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

// Captured APDUs (ITI ICS-Security-Tools pcaps, CC-BY-4.0).
const ByteVector kInterrogation = from_hex("680e00000000640106010d9100000014");
const ByteVector kSinglePointsSequence = from_hex("681704000200018a14010d911a270000800000000000000000");
const ByteVector kSinglePointsPerObject = from_hex("6812be003e000102140003000100000102000000");
const ByteVector kFloat = from_hex("6812c4003e000d01030003001505000000444200");
const ByteVector kScaled = from_hex("68100a0002000b8103000d913f9c00020000");
const ByteVector kDoubleCommandConfirm = from_hex("6815dc0044003b0107000300f9110082d80019130d0809");
const ByteVector kFloatSetpointSelect = from_hex("68123400b0003201060003009c13000000404180");

TEST(Iec104Parser, FrameNeedsStartAndLength) {
  EXPECT_EQ(frame_apdu({}).status, FrameStatus::NeedMoreData);
  ByteVector one{0x68};
  EXPECT_EQ(frame_apdu(one).status, FrameStatus::NeedMoreData);
  auto result = frame_apdu(kInterrogation);
  EXPECT_EQ(result.status, FrameStatus::Ok);
  EXPECT_EQ(result.apdu_size, kInterrogation.size());
}

TEST(Iec104Parser, FrameRejectsBadStartAndLength) {
  ByteVector bad_start{0x67, 0x04, 0x07, 0, 0, 0};
  EXPECT_EQ(frame_apdu(bad_start).anomaly, Anomaly::InvalidStart);
  for (uint8_t length : {0, 3, 254, 255}) {
    ByteVector bytes{0x68, length};
    auto result = frame_apdu(bytes);
    EXPECT_EQ(result.status, FrameStatus::Malformed) << int(length);
    EXPECT_EQ(result.anomaly, Anomaly::InvalidLength);
  }
  ByteVector max{0x68, 253};
  EXPECT_EQ(frame_apdu(max).apdu_size, kMaxApduSize);
}

TEST(Iec104Parser, ProbeAcceptsRealHeaders) {
  EXPECT_EQ(probe_apdu(u_frame(kStartDtAct)), ProbeResult::Match);
  EXPECT_EQ(probe_apdu(u_frame(kTestFrCon)), ProbeResult::Match);
  EXPECT_EQ(probe_apdu(s_frame(5)), ProbeResult::Match);
  EXPECT_EQ(probe_apdu(kInterrogation), ProbeResult::Match);
  EXPECT_EQ(probe_apdu(ByteVector(kInterrogation.begin(), kInterrogation.begin() + 9)), ProbeResult::Match);
}

TEST(Iec104Parser, ProbeWaitsForEnoughBytes) {
  EXPECT_EQ(probe_apdu({}), ProbeResult::NeedMoreData);
  for (size_t n = 1; n < 6; ++n) {
    EXPECT_EQ(probe_apdu(ByteVector(kInterrogation.begin(), kInterrogation.begin() + n)),
              ProbeResult::NeedMoreData);
  }
  EXPECT_EQ(probe_apdu(ByteVector(kInterrogation.begin(), kInterrogation.begin() + 8)),
            ProbeResult::NeedMoreData);
}

TEST(Iec104Parser, ProbeRejectsOtherProtocols) {
  ByteVector modbus{0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x11, 0x03, 0x00, 0x6B, 0x00, 0x03};
  EXPECT_EQ(probe_apdu(modbus), ProbeResult::NoMatch);
  ByteVector http{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
  EXPECT_EQ(probe_apdu(http), ProbeResult::NoMatch);
  ByteVector two_functions{0x68, 0x04, 0x0F, 0, 0, 0};
  EXPECT_EQ(probe_apdu(two_functions), ProbeResult::NoMatch);
  ByteVector long_u{0x68, 0x05, 0x07, 0, 0, 0, 0};
  EXPECT_EQ(probe_apdu(long_u), ProbeResult::NoMatch);
  EXPECT_EQ(probe_apdu(i_frame(0, 0, asdu(42, 1, 3, 1, object(1, {0})))),
            ProbeResult::NoMatch);  // unknown type
  EXPECT_EQ(probe_apdu(i_frame(0, 0, asdu(1, 1, 0, 1, object(1, {0})))), ProbeResult::NoMatch);  // cause 0
  ByteVector short_i{0x68, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03, 0x00};
  EXPECT_EQ(probe_apdu(short_i), ProbeResult::NoMatch);
}

TEST(Iec104Parser, UFormatFunctions) {
  struct Case {
    uint8_t control;
    UFunction function;
    std::string_view name;
  } cases[] = {
      {kStartDtAct, UFunction::StartDtAct, "STARTDT act"},
      {kStartDtCon, UFunction::StartDtCon, "STARTDT con"},
      {kStopDtAct, UFunction::StopDtAct, "STOPDT act"},
      {kStopDtCon, UFunction::StopDtCon, "STOPDT con"},
      {kTestFrAct, UFunction::TestFrAct, "TESTFR act"},
      {kTestFrCon, UFunction::TestFrCon, "TESTFR con"},
  };
  for (const Case& c : cases) {
    Apdu apdu = parse_apdu(u_frame(c.control));
    EXPECT_EQ(apdu.format, FrameFormat::U);
    EXPECT_EQ(apdu.anomaly, Anomaly::None);
    EXPECT_EQ(apdu.u_function, c.function);
    EXPECT_EQ(u_function_name(apdu.u_function), c.name);
  }
}

TEST(Iec104Parser, UFormatNeedsExactlyOneFunction) {
  for (uint8_t control : {0x03, 0x0F, 0x47, 0xC3, 0xFF}) {
    Apdu apdu = parse_apdu(u_frame(control));
    EXPECT_EQ(apdu.anomaly, Anomaly::InvalidUFormat) << int(control);
    EXPECT_EQ(apdu.u_function, UFunction::None);
  }
  ByteVector nonzero_octet{0x68, 0x04, 0x07, 0x01, 0x00, 0x00};
  EXPECT_EQ(parse_apdu(nonzero_octet).anomaly, Anomaly::InvalidUFormat);
  ByteVector too_long{0x68, 0x05, 0x43, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(parse_apdu(too_long).anomaly, Anomaly::InvalidLength);
}

TEST(Iec104Parser, SFormat) {
  Apdu apdu = parse_apdu(s_frame(0x1234));
  EXPECT_EQ(apdu.format, FrameFormat::S);
  EXPECT_EQ(apdu.anomaly, Anomaly::None);
  EXPECT_EQ(apdu.recv_seq, 0x1234);
  ByteVector reserved{0x68, 0x04, 0x05, 0x00, 0x02, 0x00};
  EXPECT_EQ(parse_apdu(reserved).anomaly, Anomaly::InvalidSFormat);
  ByteVector too_long{0x68, 0x05, 0x01, 0x00, 0x02, 0x00, 0x00};
  EXPECT_EQ(parse_apdu(too_long).anomaly, Anomaly::InvalidLength);
}

TEST(Iec104Parser, IFormatHeaderAndAsdu) {
  Apdu apdu = parse_apdu(kInterrogation);
  ASSERT_EQ(apdu.anomaly, Anomaly::None);
  EXPECT_EQ(apdu.format, FrameFormat::I);
  EXPECT_EQ(apdu.send_seq, 0);
  EXPECT_EQ(apdu.recv_seq, 0);
  const Asdu& a = apdu.asdu;
  EXPECT_EQ(a.type_id, 100);
  ASSERT_NE(a.type, nullptr);
  EXPECT_EQ(a.type->name, "C_IC_NA_1");
  EXPECT_FALSE(a.sequence);
  EXPECT_EQ(a.object_count, 1);
  EXPECT_EQ(a.cause, 6);
  EXPECT_FALSE(a.negative);
  EXPECT_FALSE(a.test);
  EXPECT_EQ(a.originator, 1);
  EXPECT_EQ(a.common_address, 37133);
  EXPECT_TRUE(a.has_ioa);
  EXPECT_EQ(a.first_ioa, 0u);
  ObjectWalker walker(a);
  InformationObject object;
  ASSERT_TRUE(walker.next(object));
  ElementValue qoi = decode_element(*a.type, object.element);
  EXPECT_EQ(qoi.kind, ValueKind::Qualifier);
  EXPECT_EQ(qoi.integer, 20);  // station interrogation
  EXPECT_FALSE(walker.next(object));
}

TEST(Iec104Parser, SequenceNumbersAndCauseBits) {
  Apdu apdu = parse_apdu(i_frame(32767, 12345, asdu(1, 1, 0xC7, 9, object(1, {1}))));
  EXPECT_EQ(apdu.send_seq, 32767);
  EXPECT_EQ(apdu.recv_seq, 12345);
  EXPECT_EQ(apdu.asdu.cause, 7);
  EXPECT_TRUE(apdu.asdu.negative);
  EXPECT_TRUE(apdu.asdu.test);
}

TEST(Iec104Parser, SequenceOfObjectsCountsAddressesUp) {
  Apdu apdu = parse_apdu(kSinglePointsSequence);
  ASSERT_EQ(apdu.anomaly, Anomaly::None);
  const Asdu& a = apdu.asdu;
  EXPECT_TRUE(a.sequence);
  EXPECT_EQ(a.object_count, 10);
  EXPECT_EQ(a.cause, 20);
  EXPECT_EQ(a.first_ioa, 10010u);
  ObjectWalker walker(a);
  InformationObject object;
  uint32_t expected_ioa = 10010;
  size_t count = 0;
  while (walker.next(object)) {
    EXPECT_EQ(object.ioa, expected_ioa++);
    ElementValue value = decode_element(*a.type, object.element);
    EXPECT_EQ(value.kind, ValueKind::SinglePoint);
    EXPECT_EQ(value.quality, count == 1 ? 0x80 : 0x00);  // the second point is invalid
    ++count;
  }
  EXPECT_EQ(count, 10u);
}

TEST(Iec104Parser, ObjectsWithTheirOwnAddresses) {
  Apdu apdu = parse_apdu(kSinglePointsPerObject);
  ASSERT_EQ(apdu.anomaly, Anomaly::None);
  ObjectWalker walker(apdu.asdu);
  InformationObject object;
  ASSERT_TRUE(walker.next(object));
  EXPECT_EQ(object.ioa, 1u);
  EXPECT_EQ(decode_element(*apdu.asdu.type, object.element).integer, 1);
  ASSERT_TRUE(walker.next(object));
  EXPECT_EQ(object.ioa, 2u);
  EXPECT_EQ(decode_element(*apdu.asdu.type, object.element).integer, 0);
  EXPECT_FALSE(walker.next(object));
}

TEST(Iec104Parser, MeasuredValues) {
  Apdu floating = parse_apdu(kFloat);
  ASSERT_EQ(floating.anomaly, Anomaly::None);
  EXPECT_EQ(floating.asdu.first_ioa, 1301u);
  ObjectWalker walker(floating.asdu);
  InformationObject object;
  ASSERT_TRUE(walker.next(object));
  ElementValue value = decode_element(*floating.asdu.type, object.element);
  EXPECT_EQ(value.kind, ValueKind::Float);
  EXPECT_DOUBLE_EQ(value.real, 49.0);

  Apdu scaled = parse_apdu(kScaled);
  ASSERT_EQ(scaled.anomaly, Anomaly::None);
  EXPECT_TRUE(scaled.asdu.sequence);
  ObjectWalker scaled_walker(scaled.asdu);
  ASSERT_TRUE(scaled_walker.next(object));
  EXPECT_EQ(object.ioa, 39999u);
  value = decode_element(*scaled.asdu.type, object.element);
  EXPECT_EQ(value.kind, ValueKind::Scaled);
  EXPECT_EQ(value.integer, 2);

  const TypeInfo& normalized = *type_info(9);
  value = decode_element(normalized, ByteVector{0x00, 0xC0, 0x10});
  EXPECT_EQ(value.kind, ValueKind::Normalized);
  EXPECT_DOUBLE_EQ(value.real, -0.5);
  EXPECT_EQ(value.quality, 0x10);

  value = decode_element(*type_info(5), ByteVector{0x7F, 0x00});  // VTI -1
  EXPECT_EQ(value.kind, ValueKind::StepPosition);
  EXPECT_EQ(value.integer, -1);
  value = decode_element(*type_info(15), ByteVector{0x10, 0x27, 0x00, 0x00, 0x05});
  EXPECT_EQ(value.kind, ValueKind::Counter);
  EXPECT_EQ(value.integer, 10000);
  value = decode_element(*type_info(3), ByteVector{0x02});
  EXPECT_EQ(value.kind, ValueKind::DoublePoint);
  EXPECT_EQ(value.integer, 2);                                                   // ON
  EXPECT_EQ(decode_element(*type_info(3), ByteVector{}).kind, ValueKind::None);  // short element
}

TEST(Iec104Parser, CommandsWithTimeTags) {
  Apdu apdu = parse_apdu(kDoubleCommandConfirm);
  ASSERT_EQ(apdu.anomaly, Anomaly::None);
  EXPECT_EQ(apdu.asdu.type->name, "C_DC_TA_1");
  EXPECT_EQ(apdu.asdu.first_ioa, 4601u);
  ObjectWalker walker(apdu.asdu);
  InformationObject object;
  ASSERT_TRUE(walker.next(object));
  ElementValue value = decode_element(*apdu.asdu.type, object.element);
  EXPECT_EQ(value.kind, ValueKind::DoubleCommand);
  EXPECT_EQ(value.integer, 2);
  EXPECT_TRUE(value.has_select);
  EXPECT_TRUE(value.select);
  ASSERT_TRUE(value.has_time);
  EXPECT_EQ(value.time.milliseconds, 216);
  EXPECT_EQ(value.time.minute, 25);
  EXPECT_EQ(value.time.hour, 19);
  EXPECT_EQ(value.time.day, 13);
  EXPECT_EQ(value.time.month, 8);
  EXPECT_EQ(value.time.year, 9);
  EXPECT_FALSE(value.time.invalid);

  Apdu setpoint = parse_apdu(kFloatSetpointSelect);
  ASSERT_EQ(setpoint.anomaly, Anomaly::None);
  ObjectWalker setpoint_walker(setpoint.asdu);
  ASSERT_TRUE(setpoint_walker.next(object));
  value = decode_element(*setpoint.asdu.type, object.element);
  EXPECT_EQ(value.kind, ValueKind::FloatSetpoint);
  EXPECT_DOUBLE_EQ(value.real, 12.0);
  EXPECT_TRUE(value.select);

  value = decode_element(*type_info(45), ByteVector{0x01});
  EXPECT_EQ(value.kind, ValueKind::SingleCommand);
  EXPECT_EQ(value.integer, 1);
  EXPECT_FALSE(value.select);
}

TEST(Iec104Parser, ClockSyncCarriesTime) {
  ByteVector time{0x10, 0x27, 0x85, 0x8A,
                  0x2D, 0x0C, 0x17};  // 10.000 s, invalid, 10 h summer, Tue 13., Dec, 23
  ElementValue value = decode_element(*type_info(103), time);
  EXPECT_EQ(value.kind, ValueKind::ClockSync);
  ASSERT_TRUE(value.has_time);
  EXPECT_EQ(value.time.milliseconds, 10000);
  EXPECT_EQ(value.time.minute, 5);
  EXPECT_TRUE(value.time.invalid);
  EXPECT_EQ(value.time.hour, 10);
  EXPECT_TRUE(value.time.summer_time);
  EXPECT_EQ(value.time.day, 13);
  EXPECT_EQ(value.time.weekday, 1);
  EXPECT_EQ(value.time.month, 12);
  EXPECT_EQ(value.time.year, 23);
}

TEST(Iec104Parser, ObjectCountMustMatchLength) {
  Apdu missing = parse_apdu(i_frame(0, 0, asdu(1, 2, 3, 1, object(1, {0}))));
  EXPECT_EQ(missing.anomaly, Anomaly::LengthMismatch);
  Apdu extra = parse_apdu(i_frame(0, 0, asdu(1, 1, 3, 1, concat({object(1, {0}), {0xAA}}))));
  EXPECT_EQ(extra.anomaly, Anomaly::LengthMismatch);
  Apdu sequence_short = parse_apdu(i_frame(0, 0, asdu(13, 0x83, 3, 1, object(1, ByteVector(10)))));
  EXPECT_EQ(sequence_short.anomaly, Anomaly::LengthMismatch);
  Apdu sequence_ok = parse_apdu(i_frame(0, 0, asdu(13, 0x83, 3, 1, object(1, ByteVector(15)))));
  EXPECT_EQ(sequence_ok.anomaly, Anomaly::None);
  Apdu empty = parse_apdu(i_frame(0, 0, asdu(1, 0, 3, 1, {})));
  EXPECT_EQ(empty.anomaly, Anomaly::None);
  EXPECT_FALSE(empty.asdu.has_ioa);
}

TEST(Iec104Parser, TooManyObjects) {
  Apdu apdu = parse_apdu(i_frame(0, 0, asdu(36, 127, 3, 1, object(1, ByteVector(12)))));
  EXPECT_EQ(apdu.anomaly, Anomaly::TooManyObjects);
  EXPECT_EQ(apdu.asdu.object_count, 127);
}

TEST(Iec104Parser, UnknownTypeAndCause) {
  Apdu unknown = parse_apdu(i_frame(0, 0, asdu(42, 1, 3, 1, object(7, {0}))));
  EXPECT_EQ(unknown.anomaly, Anomaly::UnknownTypeId);
  EXPECT_EQ(unknown.asdu.type, nullptr);
  EXPECT_EQ(unknown.asdu.first_ioa, 7u);
  for (uint8_t cause : {0, 14, 19, 42, 43}) {
    EXPECT_EQ(parse_apdu(i_frame(0, 0, asdu(1, 1, cause, 1, object(1, {0})))).anomaly, Anomaly::InvalidCause)
        << int(cause);
  }
  for (uint8_t cause : {1, 13, 20, 36, 37, 41, 44, 47, 48, 63}) {
    EXPECT_EQ(parse_apdu(i_frame(0, 0, asdu(1, 1, cause, 1, object(1, {0})))).anomaly, Anomaly::None)
        << int(cause);
  }
  EXPECT_EQ(cause_name(3), "spontaneous");
  EXPECT_EQ(cause_name(20), "interrogated by station interrogation");
  EXPECT_EQ(cause_name(36), "interrogated by group 16");
  EXPECT_EQ(cause_name(47), "unknown information object address");
  EXPECT_EQ(cause_name(0), "");
}

TEST(Iec104Parser, AsduHeaderMustFit) {
  ByteVector short_asdu{0x68, 0x09, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03, 0x00, 0x01};
  EXPECT_EQ(parse_apdu(short_asdu).anomaly, Anomaly::InvalidLength);
}

TEST(Iec104Parser, FileSegmentsCarryTheirLength) {
  ByteVector segment = object(5, {0x01, 0x00, 0x01, 0x03, 0xAA, 0xBB, 0xCC});
  ByteVector frame = i_frame(0, 0, asdu(125, 1, 13, 1, segment));  // the Asdu views these bytes
  Apdu ok = parse_apdu(frame);
  EXPECT_EQ(ok.anomaly, Anomaly::None);
  ObjectWalker walker(ok.asdu);
  InformationObject object_out;
  ASSERT_TRUE(walker.next(object_out));
  EXPECT_EQ(object_out.ioa, 5u);
  EXPECT_EQ(object_out.element.size(), 7u);
  EXPECT_FALSE(walker.next(object_out));
  ByteVector truncated(segment.begin(), segment.end() - 1);
  EXPECT_EQ(parse_apdu(i_frame(0, 0, asdu(125, 1, 13, 1, truncated))).anomaly, Anomaly::LengthMismatch);
  EXPECT_EQ(parse_apdu(i_frame(0, 0, asdu(125, 0x82, 13, 1, segment))).anomaly, Anomaly::LengthMismatch);
}

TEST(Iec104Parser, DirectionRules) {
  auto make = [](uint8_t type_id, uint8_t cause) {
    Asdu a;
    a.type_id = type_id;
    a.type = type_info(type_id);
    a.cause = cause;
    return a;
  };
  constexpr auto kClient = Direction::FromClient;
  constexpr auto kServer = Direction::FromServer;
  EXPECT_EQ(check_direction(kClient, make(45, 6)), Anomaly::None);
  EXPECT_EQ(check_direction(kClient, make(100, 6)), Anomaly::None);
  EXPECT_EQ(check_direction(kClient, make(102, 5)), Anomaly::None);
  EXPECT_EQ(check_direction(kClient, make(46, 8)), Anomaly::None);
  EXPECT_EQ(check_direction(kClient, make(1, 3)), Anomaly::UnexpectedDirection);
  EXPECT_EQ(check_direction(kClient, make(70, 4)), Anomaly::UnexpectedDirection);
  EXPECT_EQ(check_direction(kClient, make(45, 7)), Anomaly::UnexpectedDirection);
  EXPECT_EQ(check_direction(kServer, make(45, 7)), Anomaly::None);
  EXPECT_EQ(check_direction(kServer, make(100, 10)), Anomaly::None);
  EXPECT_EQ(check_direction(kServer, make(45, 47)), Anomaly::None);
  EXPECT_EQ(check_direction(kServer, make(110, 20)), Anomaly::None);
  EXPECT_EQ(check_direction(kServer, make(103, 3)), Anomaly::None);
  EXPECT_EQ(check_direction(kServer, make(13, 3)), Anomaly::None);
  EXPECT_EQ(check_direction(kServer, make(45, 6)), Anomaly::UnexpectedDirection);
  EXPECT_EQ(check_direction(kServer, make(100, 6)), Anomaly::UnexpectedDirection);
  EXPECT_EQ(check_direction(kServer, make(102, 5)), Anomaly::UnexpectedDirection);
  EXPECT_EQ(check_direction(kClient, make(120, 13)), Anomaly::None);
  EXPECT_EQ(check_direction(kServer, make(120, 13)), Anomaly::None);

  EXPECT_EQ(check_u_direction(kClient, UFunction::StartDtAct), Anomaly::None);
  EXPECT_EQ(check_u_direction(kServer, UFunction::StartDtCon), Anomaly::None);
  EXPECT_EQ(check_u_direction(kServer, UFunction::StopDtAct), Anomaly::UnexpectedDirection);
  EXPECT_EQ(check_u_direction(kClient, UFunction::StopDtCon), Anomaly::UnexpectedDirection);
  EXPECT_EQ(check_u_direction(kServer, UFunction::TestFrAct), Anomaly::None);
  EXPECT_EQ(check_u_direction(kClient, UFunction::TestFrCon), Anomaly::None);
}

TEST(Iec104Parser, TypeTable) {
  std::set<std::string_view> names;
  size_t known = 0;
  for (int id = 0; id < 256; ++id) {
    const TypeInfo* type = type_info(static_cast<uint8_t>(id));
    if (type == nullptr) continue;
    ++known;
    EXPECT_EQ(type->id, id);
    EXPECT_TRUE(names.insert(type->name).second) << type->name;
    if (type->time == TimeTag::Cp56) {
      EXPECT_GE(type->element_size, 7) << type->name;
    }
  }
  EXPECT_EQ(known, 67u);
  for (int id : {0, 22, 29, 41, 44, 52, 57, 65, 69, 71, 99, 108, 109, 114, 119, 128, 255}) {
    EXPECT_EQ(type_info(static_cast<uint8_t>(id)), nullptr) << id;
  }
  EXPECT_EQ(type_info(13)->element_size, 5);
  EXPECT_EQ(type_info(36)->element_size, 12);
  EXPECT_EQ(type_info(45)->element_size, 1);
  EXPECT_EQ(type_info(102)->element_size, 0);
  EXPECT_EQ(type_info(103)->element_size, 7);
}

TEST(Iec104Parser, AnomalyNamesAreStable) {
  std::set<std::string_view> names;
  for (size_t i = 1; i < static_cast<size_t>(Anomaly::kCount); ++i) {
    std::string_view name = anomaly_name(static_cast<Anomaly>(i));
    EXPECT_EQ(name.substr(0, 7), "iec104.");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(anomaly_name(Anomaly::None), "");
  EXPECT_EQ(anomaly_name(Anomaly::UnexpectedDirection), "iec104.unexpected_direction");
}

TEST(Iec104Parser, EveryPrefixIsHandled) {
  for (const ByteVector* frame : {&kInterrogation, &kSinglePointsSequence, &kDoubleCommandConfirm}) {
    for (size_t n = 0; n < frame->size(); ++n) {
      ByteVector prefix(frame->begin(), frame->begin() + n);
      FrameResult framed = frame_apdu(prefix);
      EXPECT_TRUE(framed.status == FrameStatus::NeedMoreData || framed.apdu_size > n);
      if (n >= 2) {
        EXPECT_EQ(parse_apdu(prefix).anomaly, Anomaly::InvalidLength);
      }
      // An APDU whose length field is cut to the prefix: objects do not fill it.
      if (n >= kApciSize + kAsduHeaderSize) {
        prefix[1] = static_cast<uint8_t>(n - 2);
        Apdu apdu = parse_apdu(prefix);
        EXPECT_NE(apdu.anomaly, Anomaly::None) << n;
      }
    }
  }
}

}  // namespace
}  // namespace ots::iec104
