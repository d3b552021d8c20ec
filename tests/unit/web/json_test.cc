#include "web/json.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/unit/web/schema_checker.h"

namespace ots {
namespace {

nlohmann::json load_schema() {
  std::ifstream in(OTS_API_SCHEMA_PATH);
  return nlohmann::json::parse(in);
}

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

TEST(Iso8601, FormatsUtcWithNanoseconds) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(iso8601_utc(1'704'164'645'123'456'789), "2024-01-02T03:04:05.123456789Z");
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(TransportName, NamesCommonProtocolsAndNumbersTheRest) {
  EXPECT_EQ(transport_name(6), "tcp");
  EXPECT_EQ(transport_name(17), "udp");
  EXPECT_EQ(transport_name(1), "icmp");
  EXPECT_EQ(transport_name(58), "icmpv6");
  EXPECT_EQ(transport_name(132), "132");
}

TEST(DeviceJson, HasTheDocumentedShape) {
  Device d;
  d.id = 7;
  d.key = "mac:00:1b:1b:00:00:01";
  d.mac = MacAddr::parse("00:1b:1b:00:00:01");
  d.ips = {*IpAddr::parse("10.0.0.1"), *IpAddr::parse("fe80::1")};
  d.vlans = {0, 12};
  d.vendor = "Siemens AG";
  d.is_router = true;
  d.traffic = {1'704'164'645'123'456'789, 1'704'164'646'000'000'000, 1, 2, 3, 4};
  d.facts = {{"firmwareVersion", "V3.2.1", "s7comm", 0, 1, "Read SZL 0x0011 reply"}};
  d.protocols = {{"s7comm", true, 3, 0, 1}};
  d.type = "PLC";
  d.type_reasons = {"serves s7comm"};
  d.scanner = true;
  d.purdue_level = 1;
  nlohmann::json j = device_to_json(d);
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["macAddresses"], nlohmann::json({"00:1b:1b:00:00:01"}));
  EXPECT_EQ(j["ipAddresses"], nlohmann::json({"10.0.0.1", "fe80::1"}));
  EXPECT_EQ(j["vlans"], nlohmann::json({0, 12}));
  EXPECT_EQ(j["isRouter"], true);
  EXPECT_EQ(j["firstSeen"], "2024-01-02T03:04:05.123456789Z");
  EXPECT_EQ(j["packetsSent"], 1);
  EXPECT_EQ(j["bytesSent"], 2);
  EXPECT_EQ(j["packetsReceived"], 3);
  EXPECT_EQ(j["bytesReceived"], 4);
  EXPECT_EQ(j["type"], "PLC");
  EXPECT_EQ(j["typeReasons"], nlohmann::json({"serves s7comm"}));
  EXPECT_EQ(j["purdueLevel"], 1);
  EXPECT_EQ(j["programmingDevice"], false);
  EXPECT_EQ(j["scanner"], true);
  EXPECT_EQ(j["facts"][0]["field"], "firmwareVersion");
  EXPECT_EQ(j["facts"][0]["value"], "V3.2.1");
  EXPECT_EQ(j["facts"][0]["event"], "Read SZL 0x0011 reply");
  EXPECT_EQ(j["facts"][0]["lastSeen"], "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(j["protocols"][0]["role"], "server");
  EXPECT_EQ(j["protocols"][0]["flows"], 3);
  testing::SchemaChecker checker(load_schema());
  EXPECT_EQ(joined(checker.check(j, "device")), "");

  d.mac.reset();
  d.purdue_level = -1;
  EXPECT_TRUE(device_to_json(d)["macAddresses"].empty());
  EXPECT_TRUE(device_to_json(d)["purdueLevel"].is_null());
  EXPECT_EQ(joined(checker.check(device_to_json(d), "device")), "");
}

TEST(ConnectionJson, HasTheDocumentedShape) {
  ConnectionObservation c;
  c.key = {*IpAddr::parse("10.0.0.1"), *IpAddr::parse("10.0.0.2"), 6, 502};
  c.packets_to_server = 10;
  c.bytes_to_server = 20;
  c.packets_to_client = 30;
  c.bytes_to_client = 40;
  c.flows = 2;
  c.application = "modbus";
  nlohmann::json j = connection_to_json(c);
  EXPECT_EQ(j["client"], "10.0.0.1");
  EXPECT_EQ(j["server"], "10.0.0.2");
  EXPECT_EQ(j["transport"], "tcp");
  EXPECT_EQ(j["serverPort"], 502);
  EXPECT_EQ(j["application"], "modbus");
  EXPECT_EQ(j["bytesToClient"], 40);
  EXPECT_EQ(j["flows"], 2);
  testing::SchemaChecker checker(load_schema());
  EXPECT_EQ(joined(checker.check(j, "connection")), "");
}

TEST(RunJson, EndedAtIsNullWhileRunning) {
  RunRecord run;
  run.id = 3;
  run.mode = "capture";
  run.started_at_ns = 1;
  run.protocol_packets = {{"tcp", 5}};
  nlohmann::json j = run_to_json(run);
  EXPECT_TRUE(j["endedAt"].is_null());
  EXPECT_EQ(j["protocolPackets"]["tcp"], 5);
  testing::SchemaChecker checker(load_schema());
  EXPECT_EQ(joined(checker.check(j, "run")), "");
  run.ended_at_ns = 2;
  EXPECT_EQ(run_to_json(run)["endedAt"], "1970-01-01T00:00:00.000000002Z");
}

TEST(SchemaChecker, RejectsWhatTheSchemaForbids) {
  testing::SchemaChecker checker(load_schema());
  Device valid;
  valid.id = 1;
  nlohmann::json device = device_to_json(valid);
  device.erase("vendor");
  device["vlans"] = {"x"};
  device["firstSeen"] = "yesterday";
  auto errors = checker.check(device, "device");
  EXPECT_EQ(errors.size(), 3u) << joined(errors);
}

}  // namespace
}  // namespace ots
