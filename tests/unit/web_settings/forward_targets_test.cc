// The stored alert forwarding targets: each console setting maps to the forwarder configuration
// the matching --forward-alerts target would give, every rule refuses with the target's name,
// and the list survives a round trip through SQLite in order.
#include "detect/export/forward_targets.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/detection.h"
#include "store/sqlite.h"
#include "tests/unit/store/temp_dir.h"

namespace ots::detect {
namespace {

const std::string kPin(64, 'a');

ForwardTarget target(std::string host, uint16_t port, std::string transport, std::string format) {
  ForwardTarget t;
  t.host = std::move(host);
  t.port = port;
  t.transport = std::move(transport);
  t.format = std::move(format);
  return t;
}

void expect_same(const ForwarderConfig& a, const ForwarderConfig& b) {
  EXPECT_EQ(a.format, b.format);
  EXPECT_EQ(a.transport, b.transport);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.port, b.port);
  EXPECT_EQ(a.ca_file, b.ca_file);
  EXPECT_EQ(a.pinned_sha256, b.pinned_sha256);
}

// The message of the invalid_argument `target` raises, or "" when it is accepted.
std::string refusal(const ForwardTarget& t, size_t position = 1) {
  try {
    forward_target_config(t, position);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ForwardTargets, MapToTheCommandLineTargetSyntax) {
  expect_same(forward_target_config(target("siem.example", 514, "udp", "cef"), 1),
              parse_forwarder("udp://siem.example:514"));
  expect_same(forward_target_config(target("10.0.0.5", 601, "tcp", "cef"), 1),
              parse_forwarder("tcp://10.0.0.5:601"));
  expect_same(forward_target_config(target("10.0.0.5", 5170, "tcp", "json"), 1),
              parse_forwarder("jsonl+tcp://10.0.0.5:5170"));
  ForwardTarget tls = target("siem", 6514, "tls", "cef");
  tls.ca_file = "/etc/ssl/siem-ca.pem";
  expect_same(forward_target_config(tls, 1), parse_forwarder("tls://siem:6514?ca=/etc/ssl/siem-ca.pem"));
  tls.ca_file.clear();
  tls.pinned_sha256 = kPin;
  expect_same(forward_target_config(tls, 1), parse_forwarder("tls://siem:6514?pin=" + kPin));
  // JSON lines over TLS has no command-line syntax but the forwarder frames it like TCP.
  tls.format = "json";
  const ForwarderConfig json_tls = forward_target_config(tls, 1);
  EXPECT_EQ(json_tls.format, ForwarderConfig::Format::JsonLines);
  EXPECT_EQ(json_tls.transport, ForwarderConfig::Transport::Tls);
  EXPECT_NE(AlertForwarder::create(json_tls), nullptr);
}

TEST(ForwardTargets, EachRuleRefusesNamingTheTarget) {
  EXPECT_EQ(refusal(target("siem", 514, "udp", "cef")), "");
  EXPECT_NE(refusal(target("", 514, "udp", "cef"), 3).find("target 3"), std::string::npos);
  EXPECT_NE(refusal(target("", 514, "udp", "cef")).find("host"), std::string::npos);
  EXPECT_NE(refusal(target("a b", 514, "udp", "cef")).find("host"), std::string::npos);
  EXPECT_NE(refusal(target("a/b", 514, "udp", "cef")).find("host"), std::string::npos);
  EXPECT_NE(refusal(target(std::string(254, 'a'), 514, "udp", "cef")).find("host"), std::string::npos);
  EXPECT_EQ(refusal(target(std::string(253, 'a'), 514, "udp", "cef")), "");
  EXPECT_NE(refusal(target("siem", 0, "udp", "cef")).find("port"), std::string::npos);
  EXPECT_NE(refusal(target("siem", 514, "sctp", "cef")).find("transport"), std::string::npos);
  EXPECT_NE(refusal(target("siem", 514, "udp", "leef")).find("format"), std::string::npos);
  const std::string json_udp = refusal(target("siem", 514, "udp", "json"), 2);
  EXPECT_NE(json_udp.find("target 2 (siem:514 udp json)"), std::string::npos) << json_udp;
  EXPECT_NE(json_udp.find("udp"), std::string::npos);
  EXPECT_NE(refusal(target("siem", 6514, "tls", "cef")).find("CA file"), std::string::npos);
  ForwardTarget bad_pin = target("siem", 6514, "tls", "cef");
  bad_pin.pinned_sha256 = "abcd";
  EXPECT_NE(refusal(bad_pin).find("pin"), std::string::npos);
  bad_pin.pinned_sha256 = std::string(64, 'g');
  EXPECT_NE(refusal(bad_pin).find("pin"), std::string::npos);
  ForwardTarget pin_on_udp = target("siem", 514, "udp", "cef");
  pin_on_udp.pinned_sha256 = kPin;
  EXPECT_NE(refusal(pin_on_udp).find("tls only"), std::string::npos);
}

TEST(ForwardTargets, ListHoldsAtMostSixteen) {
  std::vector<ForwardTarget> targets(kMaxForwardTargets, target("siem", 514, "udp", "cef"));
  EXPECT_NO_THROW(validate_forward_targets(targets));
  targets.push_back(target("siem", 515, "udp", "cef"));
  EXPECT_THROW(validate_forward_targets(targets), std::invalid_argument);
}

TEST(ForwardTargets, StoredInOrderAndReplaced) {
  testing::TempDir dir;
  const std::string path = dir.file("sensor.db");
  auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
  EXPECT_TRUE(load_forward_targets(*db).empty());
  ForwardTarget tls = target("siem", 6514, "tls", "cef");
  tls.pinned_sha256 = kPin;
  const std::vector<ForwardTarget> first = {target("b.example", 514, "udp", "cef"), tls,
                                            target("a.example", 5170, "tcp", "json")};
  store_forward_targets(*db, first);
  EXPECT_EQ(load_forward_targets(*db), first);
  const std::vector<ForwardTarget> second = {target("c.example", 601, "tcp", "cef")};
  store_forward_targets(*db, second);
  EXPECT_EQ(load_forward_targets(*db), second);
  ASSERT_EQ(stored_forwarder_configs(path).size(), 1u);
  EXPECT_EQ(stored_forwarder_configs(path)[0].host, "c.example");
}

TEST(ForwardTargets, ABadStoredTargetIsNamedAtStart) {
  testing::TempDir dir;
  const std::string path = dir.file("sensor.db");
  auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
  // Written past the API's checks (an older sensor, a hand edit): refused when the sensor starts.
  store_forward_targets(*db, {target("ok.example", 514, "udp", "cef"), target("siem", 514, "udp", "json")});
  try {
    stored_forwarder_configs(path);
    FAIL() << "a JSON-over-UDP target was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("target 2 (siem:514 udp json)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ots::detect
