// Golden test over the shared public MQTT captures (shared/pcaps/GROUND_TRUTH.md): every
// MQTT packet tshark decodes yields an operation of the same type, and the client ids and
// topics it lists are found. Skips when the captures or tshark are absent.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "dissectors/mqtt/mqtt_session.h"
#include "tests/support/recording_sink.h"
#include "tests/support/tshark.h"

namespace ots::mqtt {
namespace {

using namespace ots::test_support;

struct Replay {
  RecordingSink sink;
  size_t sessions = 0, rejected = 0;
};

bool replay(const std::string& file, Replay& out) {
  auto pcap = shared_pcap(file);
  if (!pcap || !have_tshark()) return false;
  std::map<uint32_t, std::unique_ptr<MqttSession>> sessions;
  FlowContext ctx;
  ctx.transport = 6;
  for (const auto& seg : tcp_segments(*pcap, "tcp.port==1883 && !tcp.analysis.retransmission")) {
    auto& session = sessions[seg.stream];
    if (!session) session = std::make_unique<MqttSession>(out.sink);
    Direction dir = seg.dst_port == 1883 ? Direction::FromClient : Direction::FromServer;
    session->data(ctx, dir, seg.payload);
  }
  for (auto& [id, session] : sessions) {
    session->end(ctx, Direction::FromClient);
    session->end(ctx, Direction::FromServer);
    out.rejected += session->rejected();
  }
  out.sessions = sessions.size();
  return true;
}

// tshark's mqtt.msgtype per packet, counted.
std::map<uint32_t, size_t> tshark_types(const std::string& file) {
  std::map<uint32_t, size_t> counts;
  for (const auto& row : tshark_fields(*shared_pcap(file), "mqtt", {"mqtt.msgtype"})) {
    for (const auto& t : split(row[0], ',')) ++counts[uint32_t(std::stoul(t))];
  }
  return counts;
}

std::map<uint32_t, size_t> our_types(const RecordingSink& sink) {
  std::map<uint32_t, size_t> counts;
  for (const auto& op : sink.operations) ++counts[op.code];
  return counts;
}

std::set<std::string> topics(const RecordingSink& sink) {
  std::set<std::string> out;
  for (const auto& op : sink.operations) {
    if (!op.object.empty()) out.insert(op.object);
  }
  return out;
}

TEST(MqttGolden, ZeekCapture) {
  Replay r;
  if (!replay("mqtt_zeek_mqtt.pcap", r)) GTEST_SKIP() << "shared capture or tshark missing";
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_TRUE(r.sink.anomalies.empty());
  EXPECT_EQ(r.sink.confirmations.size(), r.sessions);
  EXPECT_TRUE(r.sink.has_identity(Side::Client, IdentityField::Description, "client id paho/34AAE54A75D839566E"));
  EXPECT_TRUE(r.sink.has_identity(Side::Client, IdentityField::Description, "client id paho/DDE4DDAF4108D3E363"));
  EXPECT_TRUE(r.sink.has_identity(Side::Server, IdentityField::Role, "MQTT broker"));
  EXPECT_TRUE(topics(r.sink).count("SampleTopic"));
  EXPECT_EQ(our_types(r.sink), tshark_types("mqtt_zeek_mqtt.pcap"));
  std::map<uint32_t, size_t> truth = {{12, 5}, {13, 5}, {3, 3}, {1, 2}, {2, 2}, {8, 1}, {9, 1}, {14, 1}};
  EXPECT_EQ(our_types(r.sink), truth);
}

TEST(MqttGolden, Mqtt5Properties) {
  Replay r;
  if (!replay("mqtt_suricata_mqtt5-pub-mosquittoprops.pcap", r)) GTEST_SKIP() << "shared capture or tshark missing";
  EXPECT_TRUE(r.sink.anomalies.empty());
  EXPECT_TRUE(r.sink.has_identity(Side::Client, IdentityField::Description, "client id myvoiceismypassport"));
  EXPECT_TRUE(topics(r.sink).count("topicX"));
  std::map<uint32_t, size_t> truth = {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {14, 1}};
  EXPECT_EQ(our_types(r.sink), truth);
  bool username = false;
  for (const auto& op : r.sink.operations) username |= op.name == "Connect with username";
  EXPECT_TRUE(username);
}

TEST(MqttGolden, Mqtt311SubscribeWithCredentials) {
  Replay r;
  if (!replay("mqtt_suricata_mqtt311-sub-userpass.pcap", r)) GTEST_SKIP() << "shared capture or tshark missing";
  EXPECT_TRUE(r.sink.anomalies.empty());
  EXPECT_TRUE(r.sink.has_identity(Side::Client, IdentityField::Description, "client id myvoiceismypassport"));
  EXPECT_TRUE(topics(r.sink).count("topicX"));
  EXPECT_TRUE(topics(r.sink).count("topicY"));
  for (const auto& i : r.sink.identities) EXPECT_EQ(i.value.find("user"), std::string::npos) << i.value;
  std::map<uint32_t, size_t> counts = our_types(r.sink);
  EXPECT_EQ(counts[1], 1u);
  EXPECT_EQ(counts[2], 1u);
  EXPECT_EQ(counts[9], 1u);
  EXPECT_EQ(counts[14], 1u);
  EXPECT_EQ(counts[8], 2u);  // one SUBSCRIBE with the filters topicX and topicY
}

}  // namespace
}  // namespace ots::mqtt
