// Unit tests of the OPC UA binary parser and session on hand-built chunks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/opcua/opcua.h"
#include "dissectors/opcua/opcua_parser.h"
#include "dissectors/opcua/opcua_session.h"
#include "tests/unit/opcua/recording_sink.h"

namespace ots::opcua {
namespace {

using opcua_test::RecordingSink;
using Buf = std::vector<uint8_t>;

// Little-endian builders for OPC UA encodings.
void u8(Buf& b, uint8_t v) { b.push_back(v); }
void u16(Buf& b, uint16_t v) {
  b.push_back(uint8_t(v));
  b.push_back(uint8_t(v >> 8));
}
void u32(Buf& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
void str(Buf& b, std::string_view s) {
  u32(b, uint32_t(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}
void null_str(Buf& b) { u32(b, 0xFFFFFFFF); }
void numeric_node(Buf& b, uint32_t id) {
  u8(b, 0x01);  // four-byte encoding
  u8(b, 0);
  u16(b, uint16_t(id));
}
Buf chunk(std::string_view type, char chunk_type, const Buf& body) {
  Buf b(type.begin(), type.end());
  b.push_back(uint8_t(chunk_type));
  u32(b, uint32_t(body.size() + 8));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

Buf hello(std::string_view url = "opc.tcp://plc:4840") {
  Buf body;
  for (uint32_t v : {0u, 65535u, 65535u, 0u, 0u}) u32(body, v);
  str(body, url);
  return chunk("HEL", 'F', body);
}
Buf acknowledge() {
  Buf body;
  for (uint32_t v : {0u, 65535u, 65535u, 0u, 0u}) u32(body, v);
  return chunk("ACK", 'F', body);
}
void request_header(Buf& b) {
  u8(b, 0x00);  // authentication token: two-byte NodeId 0
  u8(b, 0);
  for (int i = 0; i < 8; ++i) u8(b, 0);  // timestamp
  u32(b, 1);                             // request handle
  u32(b, 0);                             // return diagnostics
  null_str(b);                           // audit entry id
  u32(b, 10000);                         // timeout hint
  u8(b, 0);                              // additional header: NodeId 0 ...
  u8(b, 0);
  u8(b, 0);  // ... no body
}
void response_header(Buf& b, uint32_t status) {
  for (int i = 0; i < 8; ++i) u8(b, 0);
  u32(b, 1);
  u32(b, status);
  u8(b, 0);      // diagnostic info: empty mask
  u32(b, 0);     // string table: empty
  u8(b, 0);      // additional header
  u8(b, 0);
  u8(b, 0);
}
Buf open_channel(bool from_client, std::string_view policy, uint32_t mode = 1) {
  Buf body;
  u32(body, 0);  // secure channel id
  str(body, policy);
  null_str(body);  // sender certificate
  null_str(body);  // receiver thumbprint
  u32(body, 1);    // sequence number
  u32(body, 1);    // request id
  if (from_client) {
    numeric_node(body, kOpenSecureChannelRequest);
    request_header(body);
    u32(body, 0);  // client protocol version
    u32(body, 0);  // issue
    u32(body, mode);
    null_str(body);  // nonce
    u32(body, 600000);
  } else {
    numeric_node(body, kOpenSecureChannelResponse);
    response_header(body, 0);
  }
  return chunk("OPN", 'F', body);
}
Buf service_message(uint32_t service, const Buf& rest, char chunk_type = 'F') {
  Buf body;
  for (uint32_t v : {7u, 1u, 2u, 2u}) u32(body, v);  // channel, token, sequence, request id
  numeric_node(body, service);
  body.insert(body.end(), rest.begin(), rest.end());
  return chunk("MSG", chunk_type, body);
}
void application_description(Buf& b, std::string_view uri, std::string_view product, std::string_view name) {
  str(b, uri);
  str(b, product);
  u8(b, 0x02);  // localized text: text only
  str(b, name);
  u32(b, 0);  // server
  null_str(b);
  null_str(b);
  u32(b, 0);  // no discovery URLs
}
Buf create_session_request() {
  Buf rest;
  request_header(rest);
  application_description(rest, "urn:client:app", "", "My Client");
  null_str(rest);  // server uri
  str(rest, "opc.tcp://plc:4840");
  str(rest, "session");
  return service_message(kCreateSessionRequest, rest);
}
Buf get_endpoints_response(uint32_t status = 0) {
  Buf rest;
  response_header(rest, status);
  u32(rest, 1);  // one endpoint
  str(rest, "opc.tcp://plc:4840");
  application_description(rest, "urn:open62541.server.application", "http://open62541.org", "open62541");
  return service_message(kGetEndpointsResponse, rest);
}
Buf read_request() {
  Buf rest;
  request_header(rest);
  return service_message(631, rest);
}
Buf write_request() {
  Buf rest;
  request_header(rest);
  return service_message(673, rest);
}

void feed(OpcuaSession& s, Direction dir, const Buf& b) { s.data(FlowContext{}, dir, b); }

TEST(OpcuaParser, ProbeAcceptsHeadersAndRejectsOthers) {
  EXPECT_EQ(probe_header(hello()), ProbeResult::Match);
  EXPECT_EQ(probe_header(Buf{'H', 'E'}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe_header(Buf{'G', 'E', 'T', ' '}), ProbeResult::NoMatch);
  Buf chunked_hello = hello();
  chunked_hello[3] = 'C';
  EXPECT_EQ(probe_header(chunked_hello), ProbeResult::NoMatch);
  Buf huge = read_request();
  huge[7] = 0x7F;  // size far beyond kMaxChunkSize
  EXPECT_EQ(parse_header(huge).anomaly, Anomaly::InvalidSize);
}

TEST(OpcuaParser, ServiceTable) {
  ASSERT_NE(find_service(631), nullptr);
  EXPECT_EQ(find_service(634)->name, "Read");
  EXPECT_TRUE(find_service(673)->is_write);
  EXPECT_TRUE(find_service(712)->is_write);
  EXPECT_EQ(find_service(826)->name, "Publish");
  EXPECT_EQ(find_service(0), nullptr);
  EXPECT_EQ(find_service(12345), nullptr);
}

TEST(OpcuaSession, HandshakeAndServices) {
  RecordingSink sink;
  OpcuaSession s(sink);
  feed(s, Direction::FromClient, hello());
  feed(s, Direction::FromServer, acknowledge());
  ASSERT_EQ(sink.confirmations.size(), 1u);
  feed(s, Direction::FromClient, open_channel(true, kPolicyNone));
  feed(s, Direction::FromServer, open_channel(false, kPolicyNone));
  feed(s, Direction::FromClient, create_session_request());
  feed(s, Direction::FromServer, get_endpoints_response());
  feed(s, Direction::FromClient, read_request());
  feed(s, Direction::FromClient, write_request());
  EXPECT_TRUE(sink.anomalies.empty()) << sink.anomalies.front();
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "endpoint opc.tcp://plc:4840"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "security policy None"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "application uri urn:client:app"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::ProductName, "My Client"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description,
                                "application uri urn:open62541.server.application"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::ProductName, "http://open62541.org"));
  ASSERT_EQ(sink.operations.size(), 8u);
  EXPECT_EQ(sink.operations[0].code, kHelloCode);
  EXPECT_EQ(sink.operations[2].code, kOpenSecureChannelRequest);
  EXPECT_EQ(sink.operations[2].object, "None");
  EXPECT_EQ(sink.operations[4].name, "CreateSession");
  EXPECT_TRUE(sink.operations[4].is_request);
  EXPECT_EQ(sink.operations[5].name, "GetEndpoints");
  EXPECT_FALSE(sink.operations[5].is_request);
  EXPECT_FALSE(sink.operations[5].is_error);
  EXPECT_EQ(sink.operations[6].name, "Read");
  EXPECT_FALSE(sink.operations[6].is_write);
  EXPECT_TRUE(sink.operations[7].is_write);
}

TEST(OpcuaSession, BadStatusAndServiceFaultAreErrors) {
  RecordingSink sink;
  OpcuaSession s(sink);
  feed(s, Direction::FromServer, get_endpoints_response(0x80340000));
  Buf fault;
  response_header(fault, 0x800D0000);
  feed(s, Direction::FromServer, service_message(kServiceFault, fault));
  Buf err_body;
  u32(err_body, 0x80080000);
  str(err_body, "timeout");
  feed(s, Direction::FromServer, chunk("ERR", 'F', err_body));
  ASSERT_EQ(sink.operations.size(), 3u);
  for (const auto& op : sink.operations) EXPECT_TRUE(op.is_error);
  EXPECT_EQ(sink.operations[1].name, "ServiceFault");
  EXPECT_EQ(sink.operations[2].code, kErrorCode);
}

TEST(OpcuaSession, EncryptedChannelReportsOnceWithoutAnomalies) {
  RecordingSink sink;
  OpcuaSession s(sink);
  Buf opn_body;
  u32(opn_body, 0);
  str(opn_body, "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256");
  str(opn_body, "CERTIFICATE");
  str(opn_body, "THUMBPRINT");
  for (int i = 0; i < 64; ++i) opn_body.push_back(uint8_t(0xA5 ^ i));  // ciphertext
  feed(s, Direction::FromClient, chunk("OPN", 'F', opn_body));
  Buf cipher;
  for (uint32_t v : {7u, 1u}) u32(cipher, v);
  for (int i = 0; i < 200; ++i) cipher.push_back(uint8_t(i * 37));
  for (int i = 0; i < 3; ++i) feed(s, Direction::FromClient, chunk("MSG", 'F', cipher));
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Description, "security policy Basic256Sha256"));
  size_t encrypted = 0;
  for (const auto& op : sink.operations) encrypted += op.code == kEncryptedCode;
  EXPECT_EQ(encrypted, 1u);
  EXPECT_FALSE(s.rejected());
}

TEST(OpcuaSession, MultiChunkMessageDecodesFirstChunkOnly) {
  RecordingSink sink;
  OpcuaSession s(sink);
  Buf rest;
  request_header(rest);
  feed(s, Direction::FromClient, service_message(673, rest, 'C'));
  Buf continuation;
  for (uint32_t v : {7u, 1u, 3u, 2u}) u32(continuation, v);
  for (int i = 0; i < 40; ++i) continuation.push_back(0xFF);
  feed(s, Direction::FromClient, chunk("MSG", 'C', continuation));
  feed(s, Direction::FromClient, chunk("MSG", 'F', continuation));
  feed(s, Direction::FromClient, read_request());
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].code, 673u);
  EXPECT_EQ(sink.operations[1].code, 631u);
}

TEST(OpcuaSession, Anomalies) {
  {
    RecordingSink sink;
    OpcuaSession s(sink);
    feed(s, Direction::FromClient, Buf{'X', 'Y', 'Z', 'F', 8, 0, 0, 0});
    EXPECT_TRUE(sink.has_anomaly("opcua.invalid_header"));
  }
  {
    RecordingSink sink;
    OpcuaSession s(sink);
    feed(s, Direction::FromClient, Buf{'M', 'S', 'G', 'F', 9, 0, 0, 0, 0});
    EXPECT_TRUE(sink.has_anomaly("opcua.invalid_size"));
  }
  {
    RecordingSink sink;
    OpcuaSession s(sink);
    Buf body;
    for (int i = 0; i < 20; ++i) u8(body, 0);
    str(body, "opc");
    body.resize(body.size() - 1);  // URL length larger than what is left
    feed(s, Direction::FromClient, chunk("HEL", 'F', body));
    EXPECT_TRUE(sink.has_anomaly("opcua.malformed_body"));
  }
  {
    RecordingSink sink;
    OpcuaSession s(sink);
    feed(s, Direction::FromServer, hello());
    feed(s, Direction::FromClient, acknowledge());
    EXPECT_EQ(sink.anomalies.size(), 2u);
    EXPECT_TRUE(sink.has_anomaly("opcua.unexpected_direction"));
  }
  {
    RecordingSink sink;
    OpcuaSession s(sink);
    Buf h = hello();
    s.data(FlowContext{}, Direction::FromClient, Bytes(h).first(h.size() - 3));
    s.end(FlowContext{}, Direction::FromClient);
    EXPECT_TRUE(sink.has_anomaly("opcua.truncated_message"));
  }
}

TEST(OpcuaSession, RejectsGarbage) {
  RecordingSink sink;
  OpcuaSession s(sink);
  Buf garbage;
  for (int i = 0; i < 20000; ++i) garbage.insert(garbage.end(), {'M', 'S', 'G', 'Q', 1, 2, 3, 4});
  feed(s, Direction::FromClient, garbage);
  EXPECT_TRUE(s.rejected());
  EXPECT_TRUE(sink.confirmations.empty());
}

TEST(OpcuaSession, EveryPrefixIsSafe) {
  Buf all = create_session_request();
  Buf more = get_endpoints_response();
  all.insert(all.end(), more.begin(), more.end());
  for (size_t n = 0; n <= all.size(); ++n) {
    RecordingSink sink;
    OpcuaSession s(sink);
    s.data(FlowContext{}, Direction::FromServer, Bytes(all).first(n));
    s.end(FlowContext{}, Direction::FromServer);
  }
}

TEST(OpcuaSession, SplitAndCoalescedChunks) {
  Buf stream = hello();
  for (const Buf& b : {create_session_request(), read_request(), write_request()}) {
    stream.insert(stream.end(), b.begin(), b.end());
  }
  RecordingSink whole_sink;
  OpcuaSession whole(whole_sink);
  feed(whole, Direction::FromClient, stream);
  for (size_t step : {1u, 3u, 7u, 50u}) {
    RecordingSink sink;
    OpcuaSession s(sink);
    for (size_t at = 0; at < stream.size(); at += step) {
      s.data(FlowContext{}, Direction::FromClient, Bytes(stream).subspan(at, std::min(step, stream.size() - at)));
    }
    EXPECT_EQ(sink.operations.size(), whole_sink.operations.size()) << step;
    EXPECT_EQ(sink.identities.size(), whole_sink.identities.size()) << step;
    EXPECT_TRUE(sink.anomalies.empty());
  }
  EXPECT_EQ(whole_sink.operations.size(), 4u);
}

TEST(OpcuaSession, LargeChunkIsSkippedBeyondPrefix) {
  Buf rest;
  request_header(rest);
  rest.resize(rest.size() + 3 * kMaxParsedPrefix, 0x55);
  Buf big = service_message(673, rest);
  Buf stream = big;
  Buf after = read_request();
  stream.insert(stream.end(), after.begin(), after.end());
  RecordingSink sink;
  OpcuaSession s(sink);
  for (size_t at = 0; at < stream.size(); at += 1000) {
    s.data(FlowContext{}, Direction::FromClient, Bytes(stream).subspan(at, std::min<size_t>(1000, stream.size() - at)));
  }
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].code, 673u);
  EXPECT_EQ(sink.operations[1].code, 631u);
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(OpcuaSession, ResyncAfterGap) {
  RecordingSink sink;
  OpcuaSession s(sink);
  Buf first = read_request();
  s.data(FlowContext{}, Direction::FromClient, Bytes(first).first(10));
  s.gap(FlowContext{}, Direction::FromClient, 100);
  Buf tail(first.begin() + 20, first.end());  // the rest of some chunk, then a whole one
  Buf next = write_request();
  tail.insert(tail.end(), next.begin(), next.end());
  feed(s, Direction::FromClient, tail);
  ASSERT_FALSE(sink.operations.empty());
  EXPECT_EQ(sink.operations.back().code, 673u);
  EXPECT_FALSE(s.rejected());
}

TEST(OpcuaDescriptor, Registered) {
  EXPECT_EQ(kDissector_opcua.name, "opcua");
  EXPECT_EQ(kDissector_opcua.probe(Direction::FromClient, hello()), ProbeResult::Match);
}

}  // namespace
}  // namespace ots::opcua
