#include "inventory/inventory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "store/database.h"

namespace ots {
namespace {

MacAddr mac(const char* s) { return *MacAddr::parse(s); }
IpAddr ip(const char* s) { return *IpAddr::parse(s); }

TrafficCounters sent(int64_t ts) {
  TrafficCounters t;
  t.first_seen_ns = t.last_seen_ns = ts;
  t.packets_sent = 1;
  t.bytes_sent = 60;
  return t;
}

MacIpBinding binding(const char* m, const char* i, uint8_t sources, int64_t ts = 1) {
  return MacIpBinding{mac(m), ip(i), sources, ts, ts, 1};
}

const Device* find(const std::vector<Device>& devices, const std::string& key) {
  for (const Device& d : devices)
    if (d.key == key) return &d;
  return nullptr;
}

TEST(Inventory, HostKeepsItsAddressesAndIpOnlyDevicesAppearForTheRest) {
  OuiRegistry oui;
  oui.add("001B1B", "Siemens AG");
  Inventory inv(oui);
  Observations o;
  o.macs = {{mac("00:1b:1b:00:00:01"), sent(5), {0}}};
  o.ips = {{ip("10.0.0.1"), sent(5), {0}}, {ip("10.9.9.9"), sent(6), {0}}};
  o.bindings = {binding("00:1b:1b:00:00:01", "10.0.0.1", binding_source::IpSource)};
  inv.fold(o);
  const auto devices = inv.devices();
  ASSERT_EQ(devices.size(), 2u);
  const Device* plc = find(devices, "mac:00:1b:1b:00:00:01");
  ASSERT_TRUE(plc);
  EXPECT_EQ(plc->ips, std::vector<IpAddr>{ip("10.0.0.1")});
  EXPECT_EQ(plc->vendor, "Siemens AG");
  EXPECT_FALSE(plc->is_router);
  EXPECT_TRUE(find(devices, "ip:10.9.9.9"));
}

TEST(Inventory, ASilentDotTwoFiftyFiveIsADirectedBroadcastNotADevice) {
  OuiRegistry oui;
  Inventory inv(oui);
  Observations o;
  TrafficCounters received;
  received.first_seen_ns = received.last_seen_ns = 5;
  received.packets_received = 7;
  received.bytes_received = 420;
  o.ips = {{ip("172.20.32.255"), received, {0}}, {ip("10.1.1.255"), sent(5), {0}}, {ip("10.1.1.7"), received, {0}}};
  inv.fold(o);
  const auto devices = inv.devices();
  EXPECT_FALSE(find(devices, "ip:172.20.32.255"));  // only ever a destination
  EXPECT_TRUE(find(devices, "ip:10.1.1.255"));      // sends: a host in a wider subnet
  EXPECT_TRUE(find(devices, "ip:10.1.1.7"));        // silent, but not a broadcast address
}

TEST(Inventory, RouterMacDoesNotCollectTheAddressesItForwards) {
  OuiRegistry oui;
  Inventory inv(oui);
  Observations o;
  o.macs = {{mac("00:1e:bd:00:00:01"), sent(1), {0}}};
  o.ips = {{ip("192.168.1.1"), sent(1), {0}}, {ip("10.20.0.15"), sent(1), {0}}, {ip("172.16.5.20"), sent(1), {0}},
           {ip("203.0.113.7"), sent(1), {0}}, {ip("fe80::1"), sent(1), {0}}};
  o.bindings = {binding("00:1e:bd:00:00:01", "192.168.1.1", binding_source::ArpSender | binding_source::IpSource),
                binding("00:1e:bd:00:00:01", "fe80::1", binding_source::IpSource),
                binding("00:1e:bd:00:00:01", "10.20.0.15", binding_source::IpSource),
                binding("00:1e:bd:00:00:01", "172.16.5.20", binding_source::IpSource),
                binding("00:1e:bd:00:00:01", "203.0.113.7", binding_source::IpSource)};
  inv.fold(o);
  const auto devices = inv.devices();
  const Device* router = find(devices, "mac:00:1e:bd:00:00:01");
  ASSERT_TRUE(router);
  EXPECT_TRUE(router->is_router);
  EXPECT_EQ(router->type, "Router");
  EXPECT_EQ(router->ips, (std::vector<IpAddr>{ip("192.168.1.1"), ip("fe80::1")}));
  EXPECT_TRUE(find(devices, "ip:10.20.0.15"));
  EXPECT_TRUE(find(devices, "ip:172.16.5.20"));
  EXPECT_TRUE(find(devices, "ip:203.0.113.7"));
  EXPECT_EQ(devices.size(), 4u);
}

TEST(Inventory, TwoUnclaimedAddressesAreNotYetARouter) {
  OuiRegistry oui;
  Inventory inv(oui);
  Observations o;
  o.macs = {{mac("00:00:00:00:00:02"), sent(1), {0}}};
  o.ips = {{ip("10.0.0.2"), sent(1), {0}}, {ip("10.0.0.3"), sent(1), {0}}};
  o.bindings = {binding("00:00:00:00:00:02", "10.0.0.2", binding_source::IpSource),
                binding("00:00:00:00:00:02", "10.0.0.3", binding_source::IpSource)};
  inv.fold(o);
  const auto devices = inv.devices();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_FALSE(devices[0].is_router);
  EXPECT_EQ(devices[0].ips.size(), 2u);
}

TEST(Inventory, FoldingIsOrderIndependent) {
  OuiRegistry oui;
  std::vector<Observations> deltas;
  for (int i = 0; i < 20; ++i) {
    Observations o;
    const std::string m = "00:00:00:00:00:0" + std::to_string(i % 4);
    const std::string a = "10.0.0." + std::to_string(i % 7);
    o.macs = {{mac(m.c_str()), sent(100 + i), {static_cast<uint16_t>(i % 3)}}};
    o.ips = {{ip(a.c_str()), sent(100 + i), {0}}};
    o.bindings = {binding(m.c_str(), a.c_str(), binding_source::IpSource, 100 + i)};
    o.connections = {
        ConnectionObservation{{ip("10.0.0.1"), ip(a.c_str()), 6, 502}, 100 + i, 100 + i, 1, 60, 1, 60, 1, "modbus"}};
    deltas.push_back(o);
  }
  Inventory forward(oui), shuffled(oui);
  for (const auto& d : deltas) forward.fold(d);
  std::mt19937 rng(7);
  std::shuffle(deltas.begin(), deltas.end(), rng);
  for (const auto& d : deltas) shuffled.fold(d);
  const auto a = forward.devices(), b = shuffled.devices();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key, b[i].key);
    EXPECT_EQ(a[i].ips, b[i].ips);
    EXPECT_EQ(a[i].vlans, b[i].vlans);
    EXPECT_EQ(a[i].traffic.first_seen_ns, b[i].traffic.first_seen_ns);
    EXPECT_EQ(a[i].traffic.packets_sent, b[i].traffic.packets_sent);
  }
  const auto ca = forward.connections(), cb = shuffled.connections();
  ASSERT_EQ(ca.size(), cb.size());
  for (size_t i = 0; i < ca.size(); ++i) EXPECT_EQ(ca[i].packets_to_server, cb[i].packets_to_server);
}

TEST(Inventory, IdentityFactsTypeAndProgrammingDevice) {
  OuiRegistry oui;
  oui.add("001B1B", "Siemens AG");
  Inventory inv(oui);
  Observations o;
  o.macs = {{mac("00:1b:1b:00:00:0a"), sent(1), {0}}, {mac("00:0c:29:00:00:14"), sent(1), {0}}};
  o.ips = {{ip("192.168.1.10"), sent(1), {0}}, {ip("192.168.1.20"), sent(1), {0}}};
  o.bindings = {binding("00:1b:1b:00:00:0a", "192.168.1.10", binding_source::ArpSender),
                binding("00:0c:29:00:00:14", "192.168.1.20", binding_source::ArpSender)};
  o.identities = {
      IdentityObservation{ip("192.168.1.10"), std::nullopt, "s7comm", "orderNumber", "6ES7 315-2EH14-0AB0", 10, 10, 1},
      IdentityObservation{ip("192.168.1.10"), std::nullopt, "s7comm", "firmwareVersion", "V3.2.6", 10, 10, 1},
      IdentityObservation{ip("192.168.1.10"), std::nullopt, "s7comm", "firmwareVersion", "V3.2.7", 20, 20, 1},
      IdentityObservation{ip("192.168.1.10"), std::nullopt, "s7comm", "vendor", "Siemens", 10, 10, 1}};
  o.protocols = {ProtocolObservation{ip("192.168.1.10"), std::nullopt, "s7comm", true, 10, 20, 1},
                 ProtocolObservation{ip("192.168.1.20"), std::nullopt, "s7comm", false, 10, 20, 1}};
  o.commands = {CommandObservation{ip("192.168.1.20"), ip("192.168.1.10"), "s7comm", 0x1a, "Request Download", true,
                                   15, 15, 1, 0}};
  inv.fold(o);
  const auto devices = inv.devices();
  const Device* plc = find(devices, "mac:00:1b:1b:00:00:0a");
  ASSERT_TRUE(plc);
  EXPECT_EQ(plc->type, "PLC");
  EXPECT_EQ(plc->purdue_level, 1);
  EXPECT_EQ(plc->vendor, "Siemens");  // reported by the device beats the OUI owner
  EXPECT_EQ(plc->fact("orderNumber"), "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(plc->fact("firmwareVersion"), "V3.2.7");  // the latest value wins; both stay in facts
  EXPECT_EQ(std::count_if(plc->facts.begin(), plc->facts.end(),
                          [](const DeviceFact& f) { return f.field == "firmwareVersion"; }),
            2);
  const Device* ews = find(devices, "mac:00:0c:29:00:00:14");
  ASSERT_TRUE(ews);
  EXPECT_TRUE(ews->programming_device);
  EXPECT_EQ(ews->type, "Engineering workstation");
  EXPECT_EQ(ews->purdue_level, 2);
}

TEST(Inventory, TakeChangesWritesOnlyWhatChangedAndRemovesStaleDevices) {
  OuiRegistry oui;
  Inventory inv(oui);
  inv.load(Observations{}, {"ip:10.1.1.1"});
  Observations o;
  o.ips = {{ip("10.0.0.7"), sent(1), {0}}};
  inv.fold(o);
  StoreBatch first;
  inv.take_changes(first);
  ASSERT_EQ(first.devices.size(), 1u);
  EXPECT_EQ(first.removed_device_keys, std::vector<std::string>{"ip:10.1.1.1"});
  StoreBatch second;
  inv.take_changes(second);
  EXPECT_TRUE(second.devices.empty());
  EXPECT_TRUE(second.ips.empty());
}

}  // namespace
}  // namespace ots
