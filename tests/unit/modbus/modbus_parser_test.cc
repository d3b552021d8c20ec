// Wire-grammar tests: every function code's request and response, each anomaly,
// and every truncation of every valid PDU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/modbus/modbus_parser.h"

namespace ots::modbus {
namespace {

using ByteVector = std::vector<uint8_t>;

struct PduCase {
  const char* label;
  bool is_request;
  ByteVector bytes;
  uint8_t function_code;
  Anomaly anomaly = Anomaly::None;
  bool has_range = false;
  uint16_t address = 0, quantity = 0;
  bool has_sub_function = false;
  uint16_t sub_function = 0;
  size_t min_valid_size = 0;  // shortest valid prefix (PDUs with an opaque tail); 0 = the whole PDU
};

Pdu parse(const PduCase& c) { return c.is_request ? parse_request(c.bytes) : parse_response(c.bytes); }

// Examples from the Modbus Application Protocol Specification V1.1b3 where it gives them.
const std::vector<PduCase>& valid_cases() {
  static const std::vector<PduCase> cases = {
      {"fc1 req", true, {0x01, 0x00, 0x13, 0x00, 0x13}, 1, Anomaly::None, true, 0x13, 0x13},
      {"fc1 resp", false, {0x01, 0x03, 0xCD, 0x6B, 0x05}, 1},
      {"fc2 req", true, {0x02, 0x00, 0xC4, 0x00, 0x16}, 2, Anomaly::None, true, 0xC4, 0x16},
      {"fc2 resp", false, {0x02, 0x03, 0xAC, 0xDB, 0x35}, 2},
      {"fc3 req", true, {0x03, 0x00, 0x6B, 0x00, 0x03}, 3, Anomaly::None, true, 0x6B, 3},
      {"fc3 resp", false, {0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64}, 3},
      {"fc4 req", true, {0x04, 0x00, 0x08, 0x00, 0x01}, 4, Anomaly::None, true, 8, 1},
      {"fc4 resp", false, {0x04, 0x02, 0x00, 0x0A}, 4},
      {"fc5 req", true, {0x05, 0x00, 0xAC, 0xFF, 0x00}, 5, Anomaly::None, true, 0xAC, 1},
      {"fc5 resp", false, {0x05, 0x00, 0xAC, 0x00, 0x00}, 5, Anomaly::None, true, 0xAC, 1},
      {"fc6 req", true, {0x06, 0x00, 0x01, 0x00, 0x03}, 6, Anomaly::None, true, 1, 1},
      {"fc6 resp", false, {0x06, 0x00, 0x01, 0x00, 0x03}, 6, Anomaly::None, true, 1, 1},
      {"fc7 req", true, {0x07}, 7},
      {"fc7 resp", false, {0x07, 0x6D}, 7},
      {"fc8 req", true, {0x08, 0x00, 0x00, 0xA5, 0x37}, 8, Anomaly::None, false, 0, 0, true, 0, 3},
      {"fc8 resp", false, {0x08, 0x00, 0x04, 0x00, 0x00}, 8, Anomaly::None, false, 0, 0, true, 4, 3},
      {"fc11 req", true, {0x0B}, 11},
      {"fc11 resp", false, {0x0B, 0xFF, 0xFF, 0x01, 0x08}, 11},
      {"fc12 req", true, {0x0C}, 12},
      {"fc12 resp", false, {0x0C, 0x08, 0x00, 0x00, 0x01, 0x08, 0x01, 0x21, 0x20, 0x00}, 12},
      {"fc15 req", true, {0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01}, 15, Anomaly::None, true, 0x13, 10},
      {"fc15 resp", false, {0x0F, 0x00, 0x13, 0x00, 0x0A}, 15, Anomaly::None, true, 0x13, 10},
      {"fc16 req", true, {0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02}, 16, Anomaly::None, true, 1, 2},
      {"fc16 resp", false, {0x10, 0x00, 0x01, 0x00, 0x02}, 16, Anomaly::None, true, 1, 2},
      {"fc17 req", true, {0x11}, 17},
      {"fc17 resp", false, {0x11, 0x06, 0x01, 0xFF, 'A', 'B', 'C', 'D'}, 17},
      {"fc20 req",
       true,
       {0x14, 0x0E, 0x06, 0x00, 0x04, 0x00, 0x01, 0x00, 0x02, 0x06, 0x00, 0x03, 0x00, 0x09, 0x00, 0x02},
       20},
      {"fc20 resp",
       false,
       {0x14, 0x0C, 0x05, 0x06, 0x0D, 0xFE, 0x00, 0x20, 0x05, 0x06, 0x33, 0xCD, 0x00, 0x40},
       20},
      {"fc21 req",
       true,
       {0x15, 0x0D, 0x06, 0x00, 0x04, 0x00, 0x07, 0x00, 0x03, 0x06, 0xAF, 0x04, 0xBE, 0x10, 0x0D},
       21},
      {"fc21 resp",
       false,
       {0x15, 0x0D, 0x06, 0x00, 0x04, 0x00, 0x07, 0x00, 0x03, 0x06, 0xAF, 0x04, 0xBE, 0x10, 0x0D},
       21},
      {"fc22 req", true, {0x16, 0x00, 0x04, 0x00, 0xF2, 0x00, 0x25}, 22, Anomaly::None, true, 4, 1},
      {"fc22 resp", false, {0x16, 0x00, 0x04, 0x00, 0xF2, 0x00, 0x25}, 22, Anomaly::None, true, 4, 1},
      {"fc23 req",
       true,
       {0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03, 0x06, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF},
       23, Anomaly::None, true, 0x0E, 3},
      {"fc23 resp",
       false,
       {0x17, 0x0C, 0x00, 0xFE, 0x0A, 0xCD, 0x00, 0x01, 0x00, 0x03, 0x00, 0x0D, 0x00, 0xFF},
       23},
      {"fc24 req", true, {0x18, 0x04, 0xDE}, 24, Anomaly::None, true, 0x04DE, 1},
      {"fc24 resp", false, {0x18, 0x00, 0x06, 0x00, 0x02, 0x01, 0xB8, 0x12, 0x84}, 24},
      {"fc43/14 req", true, {0x2B, 0x0E, 0x01, 0x00}, 43, Anomaly::None, false, 0, 0, true, 14},
      {"fc43/14 resp",
       false,
       {0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, 0x03, 0x00, 0x03, 'A', 'c', 'm', 0x01, 0x02, 'P', '1', 0x02, 0x03, '1',
        '.', '0'},
       43, Anomaly::None, false, 0, 0, true, 14},
      {"fc43/13 req", true, {0x2B, 0x0D, 0x00, 0x01, 0x02}, 43, Anomaly::None, false, 0, 0, true, 13, 2},
      {"fc43/13 resp", false, {0x2B, 0x0D, 0x00, 0x01}, 43, Anomaly::None, false, 0, 0, true, 13, 2},
      {"exception resp", false, {0x83, 0x02}, 3},
      {"umas req", true, {0x5A, 0x00, 0x02}, 0x5A, Anomaly::None, false, 0, 0, true, 0x02},
      {"umas stop req", true, {0x5A, 0x12, 0x41, 0xFF, 0x00}, 0x5A, Anomaly::None, false, 0, 0, true, 0x41, 3},
      {"umas resp", false, {0x5A, 0x00, 0xFE, 0x01, 0x02}, 0x5A, Anomaly::None, false, 0, 0, false, 0, 3},
      {"user-defined req", true, {0x41, 0x01, 0x02}, 0x41, Anomaly::None, false, 0, 0, false, 0, 1},
  };
  return cases;
}

TEST(ModbusParser, ParsesEveryFunctionCode) {
  for (const PduCase& c : valid_cases()) {
    SCOPED_TRACE(c.label);
    Pdu pdu = parse(c);
    EXPECT_EQ(pdu.anomaly, c.anomaly) << anomaly_name(pdu.anomaly);
    EXPECT_EQ(pdu.function_code, c.function_code);
    EXPECT_EQ(pdu.has_range, c.has_range);
    EXPECT_EQ(pdu.address, c.address);
    EXPECT_EQ(pdu.quantity, c.quantity);
    EXPECT_EQ(pdu.has_sub_function, c.has_sub_function);
    EXPECT_EQ(pdu.sub_function, c.sub_function);
  }
}

TEST(ModbusParser, EveryTruncationIsReportedAndNeverReadsPastTheEnd) {
  for (const PduCase& c : valid_cases()) {
    size_t min_valid = c.min_valid_size ? c.min_valid_size : c.bytes.size();
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      SCOPED_TRACE(std::string(c.label) + " prefix " + std::to_string(n));
      // A copy of exactly n bytes so ASan catches any read beyond the prefix.
      ByteVector prefix(c.bytes.begin(), c.bytes.begin() + static_cast<std::ptrdiff_t>(n));
      Pdu pdu = c.is_request ? parse_request(prefix) : parse_response(prefix);
      if (n < min_valid) EXPECT_EQ(pdu.anomaly, Anomaly::TruncatedPdu) << anomaly_name(pdu.anomaly);
      else EXPECT_EQ(pdu.anomaly, Anomaly::None) << anomaly_name(pdu.anomaly);
    }
  }
}

TEST(ModbusParser, ExceptionResponse) {
  Pdu pdu = parse_response(ByteVector{0x81, 0x0B});
  EXPECT_TRUE(pdu.is_exception);
  EXPECT_EQ(pdu.function_code, 1);
  EXPECT_EQ(pdu.exception_code, 11);
  EXPECT_EQ(exception_name(11), "Gateway Target Device Failed to Respond");
  EXPECT_EQ(parse_response(ByteVector{0x81, 0x07}).anomaly, Anomaly::InvalidExceptionCode);
  EXPECT_EQ(parse_response(ByteVector{0x81, 0x00}).anomaly, Anomaly::InvalidExceptionCode);
  EXPECT_EQ(parse_response(ByteVector{0x81, 0x02, 0x00}).anomaly, Anomaly::InvalidLength);
  // Servers answer unassigned function codes with exceptions; that is not malformed.
  EXPECT_EQ(parse_response(ByteVector{0xAA, 0x01}).anomaly, Anomaly::None);
}

struct AnomalyCase {
  const char* label;
  bool is_request;
  ByteVector bytes;
  Anomaly expected;
};

// `head` followed by `zeros` zero bytes (values of large writes).
ByteVector with_zeros(ByteVector head, size_t zeros) {
  head.resize(head.size() + zeros, 0);
  return head;
}

TEST(ModbusParser, NamesEachMalformation) {
  const AnomalyCase cases[] = {
      {"fc 0", true, {0x00, 0x01}, Anomaly::InvalidFunctionCode},
      {"fc with exception bit in a request", true, {0x83, 0x00, 0x00, 0x00, 0x01}, Anomaly::InvalidFunctionCode},
      {"unassigned fc 9", true, {0x09}, Anomaly::InvalidFunctionCode},
      {"unassigned fc 42 response", false, {0x2A, 0x00}, Anomaly::InvalidFunctionCode},
      {"reserved MEI type", true, {0x2B, 0x0F, 0x00}, Anomaly::InvalidFunctionCode},
      {"fc3 quantity 0", true, {0x03, 0x00, 0x00, 0x00, 0x00}, Anomaly::InvalidQuantity},
      {"fc3 quantity 126", true, {0x03, 0x00, 0x00, 0x00, 0x7E}, Anomaly::InvalidQuantity},
      {"fc4 quantity 125 is fine", true, {0x04, 0x00, 0x00, 0x00, 0x7D}, Anomaly::None},
      {"fc1 quantity 2001", true, {0x01, 0x00, 0x00, 0x07, 0xD1}, Anomaly::InvalidQuantity},
      {"fc2 quantity 2000 is fine", true, {0x02, 0x00, 0x00, 0x07, 0xD0}, Anomaly::None},
      {"fc15 quantity 1969", true, with_zeros({0x0F, 0x00, 0x00, 0x07, 0xB1, 0xF7}, 0xF7), Anomaly::InvalidQuantity},
      {"fc16 quantity 124", true, with_zeros({0x10, 0x00, 0x00, 0x00, 0x7C, 0xF8}, 0xF8), Anomaly::InvalidQuantity},
      {"fc23 read quantity 0",
       true,
       {0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00},
       Anomaly::InvalidQuantity},
      {"fc24 fifo count 32", false, with_zeros({0x18, 0x00, 0x42, 0x00, 0x20}, 64), Anomaly::InvalidQuantity},
      {"fc15 byte count vs quantity", true, {0x0F, 0x00, 0x13, 0x00, 0x0A, 0x01, 0xCD}, Anomaly::ByteCountMismatch},
      {"fc16 byte count vs quantity", true, {0x10, 0x00, 0x01, 0x00, 0x02, 0x03, 0x00, 0x0A, 0x01},
       Anomaly::ByteCountMismatch},
      {"fc3 odd byte count", false, {0x03, 0x03, 0x00, 0x01, 0x02}, Anomaly::ByteCountMismatch},
      {"fc12 byte count below 6", false, {0x0C, 0x02, 0x00, 0x00}, Anomaly::ByteCountMismatch},
      {"fc20 byte count not a multiple of 7", true, {0x14, 0x02, 0x06, 0x00}, Anomaly::ByteCountMismatch},
      {"fc21 sub-request overruns byte count",
       true,
       {0x15, 0x09, 0x06, 0x00, 0x04, 0x00, 0x07, 0x00, 0x03, 0x06, 0xAF},
       Anomaly::ByteCountMismatch},
      {"fc24 byte count vs fifo count", false, {0x18, 0x00, 0x08, 0x00, 0x01, 0x00, 0x01}, Anomaly::ByteCountMismatch},
      {"fc5 coil value", true, {0x05, 0x00, 0x01, 0x12, 0x34}, Anomaly::InvalidCoilValue},
      {"fc5 response coil value", false, {0x05, 0x00, 0x01, 0x00, 0xFF}, Anomaly::InvalidCoilValue},
      {"fc3 trailing byte", true, {0x03, 0x00, 0x00, 0x00, 0x01, 0x00}, Anomaly::InvalidLength},
      {"fc43/14 object past the end", false, {0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x05, 'A'},
       Anomaly::TruncatedPdu},
      {"empty pdu", true, {}, Anomaly::TruncatedPdu},
  };
  for (const AnomalyCase& c : cases) {
    SCOPED_TRACE(c.label);
    Pdu pdu = c.is_request ? parse_request(c.bytes) : parse_response(c.bytes);
    EXPECT_EQ(anomaly_name(pdu.anomaly), anomaly_name(c.expected));
  }
}

TEST(ModbusParser, ChecksResponseByteCountAgainstRequest) {
  Pdu read3 = parse_request(ByteVector{0x03, 0x00, 0x6B, 0x00, 0x03});
  EXPECT_EQ(check_response(read3, parse_response(ByteVector{0x03, 0x06, 0, 1, 0, 2, 0, 3})), Anomaly::None);
  EXPECT_EQ(check_response(read3, parse_response(ByteVector{0x03, 0x04, 0, 1, 0, 2})), Anomaly::ByteCountMismatch);
  Pdu coils10 = parse_request(ByteVector{0x01, 0x00, 0x00, 0x00, 0x0A});
  EXPECT_EQ(check_response(coils10, parse_response(ByteVector{0x01, 0x02, 0xFF, 0x03})), Anomaly::None);
  EXPECT_EQ(check_response(coils10, parse_response(ByteVector{0x01, 0x01, 0xFF})), Anomaly::ByteCountMismatch);
  Pdu rw = parse_request(
      ByteVector{0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03, 0x06, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF});
  EXPECT_EQ(check_response(rw, parse_response(ByteVector{0x17, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})),
            Anomaly::None);
  EXPECT_EQ(check_response(rw, parse_response(ByteVector{0x17, 0x06, 0, 0, 0, 0, 0, 0})), Anomaly::ByteCountMismatch);
  EXPECT_EQ(check_response(read3, parse_response(ByteVector{0x83, 0x02})), Anomaly::None);
}

TEST(ModbusParser, ReadDeviceIdentificationObjects) {
  ByteVector bytes{0x2B, 0x0E, 0x03, 0x83, 0xFF, 0x05, 0x03, 0x00, 0x04, 'A', 'c', 'm', 'e', 0x04, 0x02,
                   'P', '9', 0x81, 0x01, 0x7F};
  Pdu pdu = parse_response(bytes);
  ASSERT_EQ(pdu.anomaly, Anomaly::None);
  EXPECT_EQ(pdu.read_device_id_code, 3);
  EXPECT_EQ(pdu.conformity_level, 0x83);
  EXPECT_TRUE(pdu.more_follows);
  EXPECT_EQ(pdu.object_id, 5);  // next object id
  EXPECT_EQ(pdu.object_count, 3);
  ByteReader list(pdu.object_list);
  DeviceIdObject object;
  std::vector<std::pair<int, std::string>> objects;
  while (next_device_object(list, object)) objects.emplace_back(object.id, std::string(as_chars(object.value)));
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0], (std::pair<int, std::string>{0, "Acme"}));
  EXPECT_EQ(objects[1], (std::pair<int, std::string>{4, "P9"}));
  EXPECT_EQ(objects[2].first, 0x81);
  EXPECT_EQ(device_object_name(0), "VendorName");
  EXPECT_EQ(device_object_name(6), "UserApplicationName");
  EXPECT_EQ(device_object_name(0x81), "");
}

TEST(ModbusParser, UmasRequestAndResponses) {
  Pdu request = parse_request(ByteVector{0x5A, 0x12, 0x41});
  EXPECT_EQ(request.umas_session_key, 0x12);
  EXPECT_EQ(sub_function_name(0x5A, request.sub_function), "STOP_PLC");
  EXPECT_TRUE(is_write(0x5A, true, 0x41));
  EXPECT_FALSE(is_write(0x5A, true, 0x02));
  EXPECT_EQ(umas_name(0x10), "TAKE_PLC_RESERVATION");
  EXPECT_EQ(umas_name(0x34), "DOWNLOAD_BLOCK");
  EXPECT_EQ(umas_name(0x73), "GET_STATUS_MODULE");
  Pdu error = parse_response(ByteVector{0x5A, 0x12, 0xFD, 0x00});
  EXPECT_TRUE(error.is_umas_error);
  EXPECT_FALSE(parse_response(ByteVector{0x5A, 0x12, 0xFE}).is_umas_error);
  EXPECT_EQ(parse_request(ByteVector{0x5A, 0x12}).anomaly, Anomaly::TruncatedPdu);
}

TEST(ModbusParser, Tables) {
  EXPECT_EQ(function_name(3), "Read Holding Registers");
  EXPECT_EQ(function_name(43), "Encapsulated Interface Transport");
  EXPECT_EQ(function_name(66), "User-Defined Function");
  EXPECT_EQ(function_name(9), "");
  EXPECT_EQ(function_name(0x83), "");
  EXPECT_EQ(diagnostic_name(0x01), "Restart Communications Option");
  EXPECT_EQ(diagnostic_name(0x04), "Force Listen Only Mode");
  EXPECT_EQ(diagnostic_name(0x14), "Clear Overrun Counter and Flag");
  EXPECT_EQ(diagnostic_name(0x05), "");
  EXPECT_TRUE(is_write(8, true, 0x01));
  EXPECT_TRUE(is_write(8, true, 0x04));
  EXPECT_TRUE(is_write(8, true, 0x0A));
  EXPECT_FALSE(is_write(8, true, 0x00));
  for (uint8_t fc : {5, 6, 15, 16, 21, 22, 23}) EXPECT_TRUE(is_write(fc, false, 0)) << int{fc};
  for (uint8_t fc : {1, 2, 3, 4, 7, 11, 12, 17, 20, 24, 43}) EXPECT_FALSE(is_write(fc, false, 0)) << int{fc};
  EXPECT_EQ(mei_name(14), "Read Device Identification");
  EXPECT_EQ(anomaly_name(Anomaly::TooManyPendingRequests), "modbus.too_many_pending_requests");
  EXPECT_EQ(anomaly_name(Anomaly::None), "");
}

TEST(ModbusParser, MbapHeader) {
  ByteVector good{0x12, 0x34, 0x00, 0x00, 0x00, 0x06, 0x11, 0x03, 0x00, 0x00, 0x00, 0x01};
  MbapResult r = parse_mbap(good);
  ASSERT_EQ(r.status, MbapStatus::Ok);
  EXPECT_EQ(r.header.transaction_id, 0x1234);
  EXPECT_EQ(r.header.unit_id, 0x11);
  EXPECT_EQ(r.header.adu_size(), good.size());
  for (size_t n = 0; n < kMbapHeaderSize; ++n) {
    EXPECT_EQ(parse_mbap(Bytes(good).first(n)).status, MbapStatus::NeedMoreData);
  }
  ByteVector bad_protocol = good;
  bad_protocol[3] = 0x01;
  EXPECT_EQ(parse_mbap(bad_protocol).anomaly, Anomaly::InvalidProtocolId);
  ByteVector too_short = good;
  too_short[5] = 0x01;
  EXPECT_EQ(parse_mbap(too_short).anomaly, Anomaly::InvalidLength);
  ByteVector tolerated = good;
  tolerated[4] = 0x01;
  tolerated[5] = 0x04;  // 260
  EXPECT_EQ(parse_mbap(tolerated).status, MbapStatus::Ok);
  tolerated[5] = 0x05;  // 261
  EXPECT_EQ(parse_mbap(tolerated).anomaly, Anomaly::InvalidLength);
}

TEST(ModbusParser, ProbeHeader) {
  ByteVector request{0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x01};
  EXPECT_EQ(probe_header(Direction::FromClient, request), ProbeResult::Match);
  EXPECT_EQ(probe_header(Direction::FromClient, Bytes(request).first(7)), ProbeResult::NeedMoreData);
  ByteVector exception{0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x83, 0x02};
  EXPECT_EQ(probe_header(Direction::FromServer, exception), ProbeResult::Match);
  EXPECT_EQ(probe_header(Direction::FromClient, exception), ProbeResult::NoMatch);
  ByteVector http{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
  EXPECT_EQ(probe_header(Direction::FromClient, http), ProbeResult::NoMatch);
  ByteVector unassigned = request;
  unassigned[7] = 0x09;
  EXPECT_EQ(probe_header(Direction::FromClient, unassigned), ProbeResult::NoMatch);
  ByteVector umas{0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5A, 0x00, 0x02};
  EXPECT_EQ(probe_header(Direction::FromClient, umas), ProbeResult::Match);
}

TEST(ModbusParser, LongestPrintableRun) {
  ByteVector server_id{0x00, 0xFF, 'W', 'i', 'n', 'g', 'p', 'a', 't', 'h', ' ', ' ', 0x01, 'a', 'b'};
  EXPECT_EQ(longest_printable_run(server_id, 4), "Wingpath");
  EXPECT_EQ(longest_printable_run(ByteVector{0x01, 'a', 'b', 0x02}, 4), "");
  EXPECT_EQ(longest_printable_run(ByteVector{}, 1), "");
}

}  // namespace
}  // namespace ots::modbus
