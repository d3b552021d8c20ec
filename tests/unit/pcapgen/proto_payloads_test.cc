// Known vectors for the non-trivial parts of the protocol message builders: the DNP3 link CRC
// and block layout, the IEC-104 APCI, and the nested TLS record / handshake lengths.
#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

#include "pcaps/gen/proto_payloads.h"

namespace ots::pcapgen::proto {
namespace {

Frame bytes_of(std::string_view s) { return Frame(s.begin(), s.end()); }
uint32_t be24_at(const Frame& f, size_t at) { return uint32_t(f[at]) << 16 | uint32_t(f[at + 1]) << 8 | f[at + 2]; }
uint16_t be16_at(const Frame& f, size_t at) { return uint16_t(f[at] << 8 | f[at + 1]); }
uint16_t le16_at(const Frame& f, size_t at) { return uint16_t(f[at] | f[at + 1] << 8); }

TEST(Dnp3Crc, MatchesTheCatalogueCheckValue) {
  // CRC-16/DNP of "123456789" is 0xEA82 (the published check value of the algorithm).
  EXPECT_EQ(dnp3_crc(bytes_of("123456789")), 0xEA82);
}

TEST(Dnp3Crc, MatchesARealLinkHeader) {
  // A reset-link-states header from master 1024 to outstation 1, as widely quoted from captures:
  // 05 64 05 C0 01 00 00 04 E9 21 (the CRC goes on the wire little-endian).
  const Frame header{0x05, 0x64, 0x05, 0xC0, 0x01, 0x00, 0x00, 0x04};
  EXPECT_EQ(dnp3_crc(header), 0x21E9);
}

TEST(Dnp3Frame, SplitsUserDataIntoCheckedBlocks) {
  // 3 header bytes (transport, application control, function) + 20 object bytes = 23 user bytes:
  // one full 16-byte block and a 7-byte block, each followed by its CRC.
  const Frame objects(20, 0x11);
  const Frame f = dnp3(10, 1, true, 0xC1, 1, objects, 5);
  ASSERT_EQ(f.size(), 10u + 16 + 2 + 7 + 2);
  EXPECT_EQ(f[2], 5 + 23);    // LEN counts control, addresses and user data, not the CRCs
  EXPECT_EQ(f[3], 0xC4);      // DIR + PRM, unconfirmed user data
  EXPECT_EQ(le16_at(f, 4), 10);
  EXPECT_EQ(le16_at(f, 6), 1);
  EXPECT_EQ(le16_at(f, 8), dnp3_crc(Bytes(f.data(), 8)));
  EXPECT_EQ(f[10], 0xC5);     // FIR + FIN + transport sequence 5
  EXPECT_EQ(le16_at(f, 26), dnp3_crc(Bytes(f.data() + 10, 16)));
  EXPECT_EQ(le16_at(f, 35), dnp3_crc(Bytes(f.data() + 28, 7)));
  EXPECT_EQ(dnp3_response(1, 10, 0xC1, 0x0000, {}, 0)[3], 0x44);  // outstation to master: DIR clear
}

TEST(Iec104, ApciFormats) {
  EXPECT_EQ(iec104_u(0x07), (Frame{0x68, 0x04, 0x07, 0x00, 0x00, 0x00}));  // STARTDT act
  EXPECT_EQ(iec104_s(5), (Frame{0x68, 0x04, 0x01, 0x00, 0x0A, 0x00}));     // N(R) = 5, shifted by one bit
  // C_IC_NA_1 activation, N(S) 3, N(R) 7, CASDU 1, IOA 0, QOI 20.
  EXPECT_EQ(iec104_i(3, 7, 100, 6, 1, 0, Frame{0x14}),
            (Frame{0x68, 0x0E, 0x06, 0x00, 0x0E, 0x00, 0x64, 0x01, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x14}));
  // Sequence numbers use 15 bits: 0x4001 << 1 keeps the high bits in the second octet.
  const Frame i = iec104_i(0x4001, 0, 1, 3, 7, 0x0A0B0C, Frame{0x01});
  EXPECT_EQ(le16_at(i, 2), 0x8002);
  EXPECT_EQ(i[13], 0x0B);  // IOA little-endian in three octets: 0C 0B 0A
  EXPECT_EQ(i[1], i.size() - 2);
}

TEST(Tls, ClientHelloLengthsNest) {
  const Frame hello = tls_client_hello("historian.plant.example", 1);
  ASSERT_GT(hello.size(), 9u);
  EXPECT_EQ(hello[0], 0x16);
  EXPECT_EQ(be16_at(hello, 3), hello.size() - 5);   // record length
  EXPECT_EQ(hello[5], 1);                           // ClientHello
  EXPECT_EQ(be24_at(hello, 6), hello.size() - 9);   // handshake length
  // The extensions block ends exactly at the end of the message.
  size_t at = 9 + 2 + 32;
  at += 1 + hello[at];                  // session id
  at += 2 + be16_at(hello, at);         // cipher suites
  at += 1 + hello[at];                  // compression methods
  EXPECT_EQ(at + 2 + be16_at(hello, at), hello.size());
}

TEST(Tls, ServerFlightCarriesTheCertificateWithExactLengths) {
  const Bytes der = tls_test_certificate();
  ASSERT_EQ(der[0], 0x30);  // a DER SEQUENCE, two-byte long form length
  ASSERT_EQ(der.size(), 4u + be16_at(Frame(der.begin(), der.end()), 2));
  const Frame flight = tls_server_hello_certificate(der, 2);
  EXPECT_EQ(be16_at(flight, 3), flight.size() - 5);
  // Walk the handshake messages: ServerHello, Certificate, ServerHelloDone fill the record exactly.
  std::vector<uint8_t> types;
  size_t at = 5;
  while (at + 4 <= flight.size()) {
    types.push_back(flight[at]);
    const uint32_t length = be24_at(flight, at + 1);
    if (flight[at] == 11) {
      EXPECT_EQ(be24_at(flight, at + 4), length - 3);       // certificate list
      EXPECT_EQ(be24_at(flight, at + 7), der.size());       // the one certificate
      EXPECT_TRUE(std::equal(der.begin(), der.end(), flight.begin() + long(at + 10)));
    }
    at += 4 + length;
  }
  EXPECT_EQ(at, flight.size());
  EXPECT_EQ(types, (std::vector<uint8_t>{2, 11, 14}));
}

}  // namespace
}  // namespace ots::pcapgen::proto
