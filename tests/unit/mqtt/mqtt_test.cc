// Unit tests of the MQTT parser and session on packets built from the OASIS specifications.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissectors/mqtt/mqtt_parser.h"
#include "dissectors/mqtt/mqtt_session.h"
#include "tests/support/recording_sink.h"

namespace ots::mqtt {
namespace {

using test_support::RecordingSink;
using Buf = std::vector<uint8_t>;

void put_string(Buf& b, std::string_view s) {
  b.push_back(uint8_t(s.size() >> 8));
  b.push_back(uint8_t(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}
Buf packet(uint8_t first, const Buf& body) {
  Buf b = {first};
  size_t n = body.size();
  do {
    uint8_t digit = n % 128;
    n /= 128;
    b.push_back(n > 0 ? digit | 0x80 : digit);
  } while (n > 0);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}
Buf connect(uint8_t level, std::string_view client_id, bool username, std::string_view will_topic = {}) {
  Buf body;
  put_string(body, level == 3 ? "MQIsdp" : "MQTT");
  body.push_back(level);
  uint8_t flags = 0x02;
  if (username) flags |= 0xC0;
  if (!will_topic.empty()) flags |= 0x04;
  body.push_back(flags);
  body.insert(body.end(), {0x00, 0x3C});
  if (level == 5) body.push_back(0x00);  // properties
  put_string(body, client_id);
  if (!will_topic.empty()) {
    if (level == 5) body.push_back(0x00);
    put_string(body, will_topic);
    put_string(body, "bye");
  }
  if (username) {
    put_string(body, "user");
    put_string(body, "secret");
  }
  return packet(0x10, body);
}
Buf connack(uint8_t code, bool v5 = false) {
  Buf body = {0x00, code};
  if (v5) body.push_back(0x00);
  return packet(0x20, body);
}
Buf publish(std::string_view topic, uint8_t qos, std::string_view payload, bool v5 = false, bool retain = false) {
  Buf body;
  put_string(body, topic);
  if (qos > 0) body.insert(body.end(), {0x00, 0x07});
  if (v5) body.insert(body.end(), {0x02, 0x01, 0x01});  // properties: payload format indicator
  body.insert(body.end(), payload.begin(), payload.end());
  return packet(uint8_t(0x30 | qos << 1 | (retain ? 1 : 0)), body);
}
Buf subscribe(const std::vector<std::string>& filters, bool unsubscribe = false) {
  Buf body = {0x00, 0x01};
  for (const auto& f : filters) {
    put_string(body, f);
    if (!unsubscribe) body.push_back(0x01);
  }
  return packet(unsubscribe ? 0xA2 : 0x82, body);
}
Buf cat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
FlowContext tcp() {
  FlowContext ctx;
  ctx.transport = 6;
  return ctx;
}

TEST(MqttParser, FixedHeaderVarint) {
  FixedHeader h;
  EXPECT_EQ(parse_fixed_header(Buf{0x30, 0xC1, 0x02}, h), HeaderStatus::Ok);
  EXPECT_EQ(h.type, 3);
  EXPECT_EQ(h.remaining, 321u);
  EXPECT_EQ(h.header_size, 3u);
  EXPECT_EQ(parse_fixed_header(Buf{0x30, 0xFF, 0xFF, 0xFF, 0x7F}, h), HeaderStatus::Ok);
  EXPECT_EQ(h.remaining, kMaxRemainingLength);
  EXPECT_EQ(parse_fixed_header(Buf{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, h), HeaderStatus::Invalid);
  EXPECT_EQ(parse_fixed_header(Buf{0x30, 0xFF}, h), HeaderStatus::NeedMoreData);
  EXPECT_EQ(parse_fixed_header(Buf{0x00, 0x00}, h), HeaderStatus::Invalid);
  EXPECT_EQ(parse_fixed_header(Buf{}, h), HeaderStatus::NeedMoreData);
}

TEST(MqttParser, ConnectAllLevels) {
  for (uint8_t level : {3, 4, 5}) {
    Buf b = connect(level, "dev-1", true, "will/t");
    FixedHeader h;
    ASSERT_EQ(parse_fixed_header(b, h), HeaderStatus::Ok);
    Packet p = parse_packet(h, Bytes(b).subspan(h.header_size), true, 4);
    EXPECT_EQ(p.anomaly, Anomaly::None) << int(level);
    EXPECT_EQ(p.protocol_level, level);
    EXPECT_EQ(p.client_id, "dev-1");
    EXPECT_EQ(p.will_topic, "will/t");
    EXPECT_TRUE(p.has_username);
    EXPECT_TRUE(p.has_password);
  }
}

Packet parse(const Buf& b, uint8_t level = 4) {
  FixedHeader h;
  EXPECT_EQ(parse_fixed_header(b, h), HeaderStatus::Ok);
  return parse_packet(h, Bytes(b).subspan(h.header_size), true, level);
}

TEST(MqttParser, Anomalies) {
  Buf bad_name = connect(4, "x", false);
  bad_name[5] = 'X';
  EXPECT_EQ(parse(bad_name).anomaly, Anomaly::InvalidProtocol);
  Buf reserved = connect(4, "x", false);
  reserved[9] |= 0x01;
  EXPECT_EQ(parse(reserved).anomaly, Anomaly::InvalidConnectFlags);
  EXPECT_EQ(parse(packet(0x36, {0x00, 0x01, 'a'})).anomaly, Anomaly::InvalidQos);
  EXPECT_EQ(parse(packet(0x80, {0x00, 0x01, 0x00, 0x01, 'a', 0x00})).anomaly, Anomaly::InvalidFlags);
  EXPECT_EQ(parse(packet(0x30, {0x00, 0x09, 'a'})).anomaly, Anomaly::Malformed);
  EXPECT_EQ(parse(packet(0xC0, {0x01})).anomaly, Anomaly::Malformed);
  EXPECT_EQ(parse(packet(0x82, {0x00, 0x01})).anomaly, Anomaly::Malformed);  // no filter
  std::vector<std::string> many(kMaxTopicsPerMessage + 1, "t");
  EXPECT_EQ(parse(subscribe(many)).anomaly, Anomaly::TooManyTopics);
  // MQTT 5 property length beyond the body.
  EXPECT_EQ(parse(packet(0x30, {0x00, 0x01, 'a', 0x09}), 5).anomaly, Anomaly::Malformed);
  for (size_t a = 0; a < size_t(Anomaly::kCount); ++a) {
    EXPECT_EQ(anomaly_name(Anomaly(a)).substr(0, 5), "mqtt.");
  }
}

TEST(MqttParser, Probe) {
  EXPECT_EQ(probe(connect(4, "c", false)), ProbeResult::Match);
  EXPECT_EQ(probe(connect(3, "c", false)), ProbeResult::Match);
  EXPECT_EQ(probe(connack(0)), ProbeResult::Match);
  EXPECT_EQ(probe(publish("a/b", 0, "x")), ProbeResult::Match);
  EXPECT_EQ(probe(subscribe({"a/#"})), ProbeResult::Match);
  EXPECT_EQ(probe(Buf{0x10}), ProbeResult::NeedMoreData);
  EXPECT_EQ(probe(Buf{0x10, 0x10, 0x00, 0x04, 'M'}), ProbeResult::NeedMoreData);
  Buf http = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1', '\r', '\n'};
  EXPECT_EQ(probe(http), ProbeResult::NoMatch);
  Buf tls = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
  EXPECT_EQ(probe(tls), ProbeResult::NoMatch);
  EXPECT_EQ(probe(Buf{0xC0, 0x00}), ProbeResult::NoMatch);  // too little structure to claim a flow
  EXPECT_EQ(probe(publish("a\x01", 0, "x")), ProbeResult::NoMatch);
}

TEST(MqttSession, ConversationEvents) {
  RecordingSink sink;
  MqttSession s(sink);
  FlowContext ctx = tcp();
  s.data(ctx, Direction::FromClient, connect(4, "sensor-7", true, "status/sensor-7"));
  s.data(ctx, Direction::FromServer, connack(0));
  s.data(ctx, Direction::FromClient, cat({publish("plant/temp", 1, "21.5", false, true), subscribe({"a/+", "b/#"})}));
  s.data(ctx, Direction::FromServer, packet(0x40, {0x00, 0x07}));
  s.data(ctx, Direction::FromServer, packet(0x90, {0x00, 0x01, 0x01, 0x80}));
  s.data(ctx, Direction::FromClient, cat({subscribe({"a/+"}, true), packet(0xC0, {}), packet(0xE0, {})}));
  s.data(ctx, Direction::FromServer, packet(0xD0, {}));
  ASSERT_EQ(sink.confirmations.size(), 1u);
  EXPECT_TRUE(sink.anomalies.empty());
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Description, "client id sensor-7"));
  EXPECT_TRUE(sink.has_identity(Side::Server, IdentityField::Role, "MQTT broker"));
  EXPECT_TRUE(sink.has_identity(Side::Client, IdentityField::Role, "MQTT client"));
  for (const auto& i : sink.identities) EXPECT_EQ(i.value.find("secret"), std::string::npos);
  for (const auto& i : sink.identities) EXPECT_EQ(i.value.find("user"), std::string::npos);
  ASSERT_EQ(sink.operations.size(), 11u);
  const auto& c = sink.operations[0];
  EXPECT_EQ(c.name, "Connect with username");
  EXPECT_EQ(c.object, "status/sensor-7");
  EXPECT_EQ(sink.operations[1].name, "Connack");
  EXPECT_FALSE(sink.operations[1].is_error);
  const auto& pub = sink.operations[2];
  EXPECT_EQ(pub.code, 3u);
  EXPECT_TRUE(pub.is_write);
  EXPECT_EQ(pub.object, "plant/temp");
  EXPECT_EQ(sink.operations[3].object, "a/+");
  EXPECT_EQ(sink.operations[4].object, "b/#");
  EXPECT_EQ(sink.operations[5].name, "Puback");
  EXPECT_EQ(sink.operations[5].from, Side::Server);
  EXPECT_TRUE(sink.operations[6].is_error);  // SUBACK with failure 0x80
  EXPECT_EQ(sink.operations[7].name, "Unsubscribe");
  EXPECT_EQ(sink.operations[8].name, "Pingreq");
  EXPECT_EQ(sink.operations[9].name, "Disconnect");
  EXPECT_EQ(sink.operations[10].name, "Pingresp");
}

TEST(MqttSession, RefusedConnackIsError) {
  RecordingSink sink;
  MqttSession s(sink);
  s.data(tcp(), Direction::FromClient, connect(4, "c", false));
  s.data(tcp(), Direction::FromServer, connack(5));
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_TRUE(sink.operations[1].is_error);
}

TEST(MqttSession, Mqtt5PropertiesAndReasonCodes) {
  RecordingSink sink;
  MqttSession s(sink);
  s.data(tcp(), Direction::FromClient, connect(5, "v5", false));
  s.data(tcp(), Direction::FromServer, connack(0, true));
  s.data(tcp(), Direction::FromClient, publish("topicX", 1, "hello", true));
  s.data(tcp(), Direction::FromServer, packet(0x40, {0x00, 0x07, 0x87, 0x00}));  // PUBACK not authorized
  s.data(tcp(), Direction::FromClient, packet(0xE0, {0x00, 0x00}));
  EXPECT_TRUE(sink.anomalies.empty());
  ASSERT_EQ(sink.operations.size(), 5u);
  EXPECT_EQ(sink.operations[2].object, "topicX");
  EXPECT_TRUE(sink.operations[3].is_error);
  EXPECT_FALSE(sink.operations[4].is_error);
}

TEST(MqttSession, SplitAndCoalescedChunks) {
  Buf stream = cat({connect(4, "split", false), publish("x/y", 0, std::string(300, 'p')), packet(0xC0, {})});
  for (size_t chunk : {1u, 2u, 3u, 7u, 64u}) {
    RecordingSink sink;
    MqttSession s(sink);
    for (size_t i = 0; i < stream.size(); i += chunk) {
      s.data(tcp(), Direction::FromClient, Bytes(stream).subspan(i, std::min(chunk, stream.size() - i)));
    }
    ASSERT_EQ(sink.operations.size(), 3u) << chunk;
    EXPECT_EQ(sink.operations[1].object, "x/y");
    EXPECT_EQ(sink.confirmations.size(), 1u);  // three valid packets one way
    EXPECT_TRUE(sink.anomalies.empty());
  }
}

TEST(MqttSession, OversizedPublishParsedFromPrefixAndSkipped) {
  RecordingSink sink;
  MqttSession s(sink);
  Buf big = publish("big/blob", 0, std::string(kMaxParsedPacket * 3, 'z'));
  Buf stream = cat({big, packet(0xC0, {})});
  for (size_t i = 0; i < stream.size(); i += 1000) {
    s.data(tcp(), Direction::FromClient, Bytes(stream).subspan(i, std::min<size_t>(1000, stream.size() - i)));
  }
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[0].object, "big/blob");
  EXPECT_EQ(sink.operations[1].name, "Pingreq");
  EXPECT_TRUE(sink.anomalies.empty());
}

TEST(MqttSession, GapAbandonsOnlyThatDirection) {
  RecordingSink sink;
  MqttSession s(sink);
  s.data(tcp(), Direction::FromClient, connect(4, "g", false));
  s.gap(tcp(), Direction::FromClient, 100);
  s.data(tcp(), Direction::FromClient, publish("lost", 0, "x"));
  s.data(tcp(), Direction::FromServer, connack(0));
  EXPECT_FALSE(s.rejected());
  ASSERT_EQ(sink.operations.size(), 2u);
  EXPECT_EQ(sink.operations[1].name, "Connack");
  s.gap(tcp(), Direction::FromServer, 10);
  EXPECT_TRUE(s.rejected());
}

TEST(MqttSession, InvalidHeaderAndTruncatedEnd) {
  RecordingSink sink;
  MqttSession s(sink);
  s.data(tcp(), Direction::FromClient, Buf{0x00, 0x01, 0x02});
  EXPECT_TRUE(sink.has_anomaly("mqtt.invalid_header"));
  Buf pub = publish("t", 0, "abc");
  s.data(tcp(), Direction::FromServer, Bytes(pub).first(pub.size() - 1));
  s.end(tcp(), Direction::FromServer);
  EXPECT_TRUE(sink.has_anomaly("mqtt.truncated_message"));
}

TEST(MqttSession, InvalidHeaderInsideBufferedBytes) {
  // A partial packet is buffered, then the next segment completes it and carries a bad header.
  RecordingSink sink;
  MqttSession s(sink);
  Buf pub = publish("t", 0, "abcdef");
  s.data(tcp(), Direction::FromClient, Bytes(pub).first(4));
  s.data(tcp(), Direction::FromClient, cat({Buf(pub.begin() + 4, pub.end()), Buf{0x00, 0x05, 0x01}}));
  EXPECT_EQ(sink.operations.size(), 1u);
  EXPECT_TRUE(sink.has_anomaly("mqtt.invalid_header"));
  s.data(tcp(), Direction::FromClient, pub);  // the direction is abandoned
  EXPECT_EQ(sink.operations.size(), 1u);
}

TEST(MqttSession, RepeatedViolationsReject) {
  RecordingSink sink;
  MqttSession s(sink);
  for (int i = 0; i < int(kMaxConsecutiveViolations); ++i) s.data(tcp(), Direction::FromClient, packet(0x36, {0, 1, 'a'}));
  EXPECT_TRUE(s.rejected());
  EXPECT_EQ(sink.count_anomaly("mqtt.invalid_qos"), kMaxConsecutiveViolations);
}

TEST(MqttSession, EveryPrefixIsSafe) {
  Buf stream = cat({connect(5, "p", true, "w"), connack(0, true), publish("t/u", 2, "v", true),
                    subscribe({"s"}), packet(0xB0, {0x00, 0x01, 0x00, 0x00})});
  for (size_t n = 0; n <= stream.size(); ++n) {
    RecordingSink sink;
    MqttSession s(sink);
    s.data(tcp(), Direction::FromClient, Bytes(stream).first(n));
    s.end(tcp(), Direction::FromClient);
    probe(Bytes(stream).first(n));
    FixedHeader h;
    if (parse_fixed_header(Bytes(stream).first(n), h) == HeaderStatus::Ok && n >= h.header_size) {
      parse_packet(h, Bytes(stream).subspan(h.header_size, n - h.header_size), false, 5);
      parse_packet(h, Bytes(stream).subspan(h.header_size, n - h.header_size), true, 4);
    }
  }
}

TEST(MqttSession, DescriptorRegistered) {
  EXPECT_EQ(kDissector_mqtt.name, "mqtt");
  EXPECT_EQ(kDissector_mqtt.probe(Direction::FromClient, connect(4, "c", false)), ProbeResult::Match);
  RecordingSink sink;
  auto session = kDissector_mqtt.make_session(sink);
  session->data(tcp(), Direction::FromClient, connect(4, "c", false));
  EXPECT_EQ(sink.operations.size(), 1u);
}

}  // namespace
}  // namespace ots::mqtt
