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

// Hosts known by IP only (as behind a router), each with the protocols and commands given.
Observations hosts(std::initializer_list<const char*> addresses) {
  Observations o;
  for (const char* a : addresses) o.ips.push_back({ip(a), sent(1), {0}});
  return o;
}
ProtocolObservation speaks(const char* address, const char* protocol, bool server) {
  return ProtocolObservation{ip(address), std::nullopt, protocol, server, 1, 1, 1};
}
CommandObservation command(const char* client, const char* server, const char* protocol, const char* name,
                           bool is_write) {
  return CommandObservation{ip(client), ip(server), protocol, 3, name, is_write, 1, 1, 1, 0};
}
// The devices an inventory derives from `o` alone (no vendor registry).
std::vector<Device> devices_of(const Observations& o) {
  OuiRegistry oui;
  Inventory inv(oui);
  inv.fold(o);
  return inv.devices();
}

// A client that reads from several controllers, never writes, and lives among the computers
// (file shares, remote desktop) is a historian; one that also writes is an HMI.
TEST(Inventory, HistorianReadsFromManyControllersAndNeverWrites) {
  Observations o = hosts({"10.0.3.10", "10.0.3.11", "10.0.1.1", "10.0.1.2", "10.0.1.3"});
  o.protocols = {speaks("10.0.3.10", "modbus", false), speaks("10.0.3.10", "smb", false),
                 speaks("10.0.3.11", "modbus", false), speaks("10.0.3.11", "smb", false)};
  for (const char* plc : {"10.0.1.1", "10.0.1.2", "10.0.1.3"}) {
    o.protocols.push_back(speaks(plc, "modbus", true));
    o.commands.push_back(command("10.0.3.10", plc, "modbus", "Read Holding Registers", false));
    o.commands.push_back(command("10.0.3.11", plc, "modbus", "Read Holding Registers", false));
  }
  o.commands.push_back(command("10.0.3.11", "10.0.1.2", "modbus", "Write Single Register", true));
  const auto devices = devices_of(o);
  const Device* historian = find(devices, "ip:10.0.3.10");
  ASSERT_TRUE(historian);
  EXPECT_EQ(historian->type, "Historian");
  EXPECT_EQ(historian->purdue_level, 3);
  EXPECT_EQ(historian->type_reasons,
            (std::vector<std::string>{"reads from 3 controllers (modbus) and never writes", "uses smb"}));
  const Device* hmi = find(devices, "ip:10.0.3.11");
  ASSERT_TRUE(hmi);
  EXPECT_EQ(hmi->type, "HMI");
  EXPECT_EQ(find(devices, "ip:10.0.1.1")->type, "PLC");
}

// Program and run-state commands are matched as whole words: IEC-104's STARTDT and STOPDT open and
// close data transfer, and a SCADA master sending them programs nothing.
TEST(Inventory, ProgrammingCommandsAreWholeWords) {
  Observations o = hosts({"10.0.2.5", "10.0.2.6", "10.0.2.7", "10.0.1.30", "10.0.1.10"});
  o.protocols = {speaks("10.0.2.5", "iec104", false), speaks("10.0.1.30", "iec104", true),
                 speaks("10.0.2.6", "modbus", false), speaks("10.0.2.7", "modbus", false),
                 speaks("10.0.1.10", "modbus", true)};
  for (const char* name : {"STARTDT act", "STOPDT act", "General Interrogation"})
    o.commands.push_back(command("10.0.2.5", "10.0.1.30", "iec104", name, false));
  o.commands.push_back(command("10.0.2.6", "10.0.1.10", "modbus", "STOP_PLC", false));
  o.commands.push_back(command("10.0.2.7", "10.0.1.10", "modbus", "Read Holding Registers", false));
  const auto devices = devices_of(o);
  const Device* master = find(devices, "ip:10.0.2.5");
  ASSERT_TRUE(master);
  EXPECT_FALSE(master->programming_device);
  EXPECT_EQ(master->type, "SCADA master");
  const Device* stopper = find(devices, "ip:10.0.2.6");
  ASSERT_TRUE(stopper);
  EXPECT_TRUE(stopper->programming_device);
  EXPECT_EQ(stopper->type, "Engineering workstation");
  EXPECT_FALSE(find(devices, "ip:10.0.2.7")->programming_device);
}

// A host with no industrial role that uses or offers what desktops and servers do is an IT host;
// a web page or a VNC desktop alone says nothing (PLCs and HMI panels serve those too).
TEST(Inventory, ItHostWhenOnlyComputerProtocolsAreSeen) {
  Observations o = hosts({"10.0.6.2", "10.0.6.3", "10.0.6.20", "10.0.6.30"});
  o.protocols = {speaks("10.0.6.2", "smb", true), speaks("10.0.6.3", "rdp", false),
                 speaks("10.0.6.20", "vnc", true), speaks("10.0.6.30", "http", true)};
  const auto devices = devices_of(o);
  const Device* server = find(devices, "ip:10.0.6.2");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->type, "IT host");
  EXPECT_EQ(server->purdue_level, 3);
  EXPECT_EQ(server->type_reasons, (std::vector<std::string>{"serves smb, no industrial role seen"}));
  EXPECT_EQ(find(devices, "ip:10.0.6.3")->type, "IT host");
  EXPECT_EQ(find(devices, "ip:10.0.6.20")->type, "");
  EXPECT_EQ(find(devices, "ip:10.0.6.30")->type, "");
}

// One connection row: `flows` attempts, `to_server` / `to_client` packets in all.
ConnectionObservation connection(const std::string& client, const std::string& server, uint8_t transport,
                                 uint16_t port, uint64_t to_server, uint64_t to_client, uint64_t flows = 1) {
  ConnectionObservation c{{ip(client.c_str()), ip(server.c_str()), transport, port}, 1, 2};
  c.packets_to_server = to_server;
  c.packets_to_client = to_client;
  c.bytes_to_server = 60 * to_server;
  c.bytes_to_client = 60 * to_client;
  c.flows = flows;
  return c;
}

std::string host_of(int subnet, int i) { return "10.0." + std::to_string(subnet) + "." + std::to_string(i); }

// Scanners are the hosts that try many targets without ever holding a conversation: an address
// sweep (SYNs nobody answers, pings), a port scan (SYN, RST), or identity requests to many devices.
TEST(Inventory, ScannersProbeManyHostsOrPortsOrAskManyDevicesWhoTheyAre) {
  Observations o = hosts({"10.0.9.1", "10.0.9.2", "10.0.9.3", "10.0.9.4", "10.0.9.5", "10.0.9.6", "10.0.1.1"});
  for (int i = 1; i <= 40; ++i)  // an ARP sweep: 10.0.1.1 exists, the other 39 addresses are free
    o.arp_requests.push_back({ip("10.0.9.6"), ip(host_of(1, i).c_str()), 1, 1, 1});
  o.protocols = {speaks("10.0.9.3", "enip", false), speaks("10.0.9.5", "enip", false)};
  for (int i = 1; i <= 8; ++i)  // asks, then reads: a client of the controllers after all
    o.commands.push_back(command("10.0.9.5", host_of(1, i).c_str(), "enip", "ListIdentity", false));
  o.commands.push_back(command("10.0.9.5", "10.0.1.1", "enip", "Get_Attribute_Single", false));
  for (int i = 1; i <= 32; ++i) o.connections.push_back(connection("10.0.9.1", host_of(2, i), 6, 502, 1, 0));
  for (int port = 1; port <= 24; ++port)
    o.connections.push_back(connection("10.0.9.2", "10.0.1.1", 6, static_cast<uint16_t>(port), 1, 1));
  for (int i = 1; i <= 8; ++i)
    o.commands.push_back(command("10.0.9.3", host_of(1, i).c_str(), "enip", "ListIdentity", false));
  for (int i = 1; i <= 32; ++i)  // an answered ping sweep, twice: one echo and one reply per attempt
    o.connections.push_back(connection("10.0.9.4", host_of(3, i), 1, 0, 2, 2, 2));
  const auto devices = devices_of(o);
  const Device* sweeper = find(devices, "ip:10.0.9.1");
  ASSERT_TRUE(sweeper);
  EXPECT_TRUE(sweeper->scanner);
  EXPECT_EQ(sweeper->type_reasons,
            std::vector<std::string>{"probed 32 hosts without a conversation (no answer, a refusal or a single reply)"});
  const Device* port_scanner = find(devices, "ip:10.0.9.2");
  ASSERT_TRUE(port_scanner);
  EXPECT_TRUE(port_scanner->scanner);
  EXPECT_EQ(port_scanner->type_reasons, std::vector<std::string>{"probed 24 tcp ports of 10.0.1.1"});
  const Device* plc_scanner = find(devices, "ip:10.0.9.3");
  ASSERT_TRUE(plc_scanner);
  EXPECT_TRUE(plc_scanner->scanner);
  EXPECT_EQ(plc_scanner->type_reasons, std::vector<std::string>{"asked 8 devices for their identity"});
  EXPECT_EQ(plc_scanner->type, "");  // it used enip only to ask: no HMI
  EXPECT_TRUE(find(devices, "ip:10.0.9.4")->scanner);
  const Device* arp_sweeper = find(devices, "ip:10.0.9.6");
  ASSERT_TRUE(arp_sweeper);
  EXPECT_TRUE(arp_sweeper->scanner);
  EXPECT_EQ(arp_sweeper->type_reasons, std::vector<std::string>{"asked ARP for 39 addresses no host holds"});
  const Device* asking_hmi = find(devices, "ip:10.0.9.5");
  EXPECT_TRUE(asking_hmi->scanner);
  EXPECT_EQ(asking_hmi->type, "HMI");
  EXPECT_FALSE(find(devices, "ip:10.0.1.1")->scanner);  // the scanned PLC
}

// A master polling many controllers holds conversations; one retrying a dead device probes one
// target however often it tries; one fewer target than the thresholds is no scan; broadcast
// and multicast destinations are no targets.
TEST(Inventory, PollersRetriesAndBroadcastsAreNoScanners) {
  Observations o = hosts({"10.0.8.1", "10.0.8.2", "10.0.8.3", "10.0.8.4", "10.0.8.5"});
  for (int i = 1; i <= 40; ++i) {
    o.connections.push_back(connection("10.0.8.1", host_of(1, i), 6, 502, 1200, 600));
    o.commands.push_back(command("10.0.8.1", host_of(1, i).c_str(), "modbus", "Read Holding Registers", false));
  }
  o.connections.push_back(connection("10.0.8.1", "10.0.7.9", 6, 502, 300, 0, 300));  // dead, retried
  for (int i = 1; i <= 31; ++i) o.connections.push_back(connection("10.0.8.2", host_of(2, i), 6, 502, 1, 0));
  for (int port = 1; port <= 23; ++port)
    o.connections.push_back(connection("10.0.8.3", "10.0.1.1", 6, static_cast<uint16_t>(port), 1, 1));
  for (int i = 1; i <= 7; ++i)
    o.commands.push_back(command("10.0.8.4", host_of(1, i).c_str(), "s7comm", "Read SZL", false));
  for (int i = 1; i <= 40; ++i) {
    o.connections.push_back(connection("10.0.8.5", "10.0." + std::to_string(i) + ".255", 17, 47808, 1, 0));
    o.connections.push_back(connection("10.0.8.5", "239.0.0." + std::to_string(i), 17, 5000, 1, 0));
  }
  o.commands.push_back(command("10.0.8.5", "255.255.255.255", "enip", "ListIdentity", false));
  // ARP for 40 hosts that all exist (a master resolving its PLCs), and for 31 free addresses.
  for (int i = 1; i <= 40; ++i) {
    o.ips.push_back({ip(host_of(5, i).c_str()), sent(1), {0}});
    o.arp_requests.push_back({ip("10.0.8.1"), ip(host_of(5, i).c_str()), 1, 1, 1});
  }
  for (int i = 1; i <= 31; ++i) o.arp_requests.push_back({ip("10.0.8.2"), ip(host_of(6, i).c_str()), 1, 1, 1});
  for (const Device& d : devices_of(o)) EXPECT_FALSE(d.scanner) << d.key;
}

// A router asks ARP for the addresses of what it forwards: a scan from elsewhere makes it ask for
// many free ones, and it is no scanner for that.
TEST(Inventory, RoutersAskingArpForForwardedTrafficAreNoScanners) {
  Observations o;
  o.macs = {{mac("00:1e:bd:00:00:01"), sent(1), {0}}};
  o.ips = {{ip("192.168.1.1"), sent(1), {0}}, {ip("10.20.0.15"), sent(1), {0}}, {ip("172.16.5.20"), sent(1), {0}},
           {ip("203.0.113.7"), sent(1), {0}}};
  o.bindings = {binding("00:1e:bd:00:00:01", "192.168.1.1", binding_source::ArpSender | binding_source::IpSource),
                binding("00:1e:bd:00:00:01", "10.20.0.15", binding_source::IpSource),
                binding("00:1e:bd:00:00:01", "172.16.5.20", binding_source::IpSource),
                binding("00:1e:bd:00:00:01", "203.0.113.7", binding_source::IpSource)};
  for (int i = 1; i <= 40; ++i)
    o.arp_requests.push_back({ip("192.168.1.1"), ip(("192.168.1." + std::to_string(100 + i)).c_str()), 1, 1, 1});
  const auto devices = devices_of(o);
  const Device* router = find(devices, "mac:00:1e:bd:00:00:01");
  ASSERT_TRUE(router);
  EXPECT_TRUE(router->is_router);
  EXPECT_FALSE(router->scanner);
}

IdentityObservation fact_of(const char* address, const char* protocol, const char* field, const char* value,
                            int64_t ts) {
  return IdentityObservation{ip(address), std::nullopt, protocol, field, value, ts, ts, 1};
}

std::vector<std::string> facts_named(const Device& d, const std::string& field) {
  std::vector<std::string> out;
  for (const DeviceFact& f : d.facts)
    if (f.field == field) out.push_back(f.value);
  return out;
}

IdentityObservation said_by(IdentityObservation o, const char* event) {
  o.event = event;
  return o;
}

const DeviceFact* fact_named(const Device& d, const std::string& field) {
  for (const DeviceFact& f : d.facts)
    if (f.field == field) return &f;
  return nullptr;
}

// Each fact names the message that said it last; a tie keeps the greater name, so neither the
// folding order nor the worker that saw it decides. A module fact names its latest attribute's
// message, the OUI vendor the registry.
TEST(Inventory, FactsNameTheMessageThatSaidThemLast) {
  OuiRegistry oui;
  oui.add("001B1B", "Siemens AG");
  Observations o;
  o.macs = {{mac("00:1b:1b:00:00:07"), sent(1), {0}}};
  o.ips = {{ip("192.168.1.40"), sent(1), {0}}};
  o.bindings = {binding("00:1b:1b:00:00:07", "192.168.1.40", binding_source::ArpSender)};
  o.identities = {
      said_by(fact_of("192.168.1.40", "enip", "productName", "1756-ENBT/A", 5), "ListIdentity reply"),
      said_by(fact_of("192.168.1.40", "enip", "productName", "1756-ENBT/A", 9), "Get_Attributes_All reply"),
      said_by(fact_of("192.168.1.40", "enip", "serialNumber", "0x0051aec3", 5), "ListIdentity reply"),
      said_by(fact_of("192.168.1.40", "enip", "serialNumber", "0x0051aec3", 5), "Get_Attributes_All reply"),
      said_by(fact_of("192.168.1.40", "s7comm", "description", "module rack 0 slot 2: orderNumber=6ES7", 7),
              "Read SZL 0x0011 reply"),
      said_by(fact_of("192.168.1.40", "s7comm", "description", "module rack 0 slot 2: productName=CPU", 8),
              "Read SZL 0x001C reply")};
  for (bool reversed : {false, true}) {
    Inventory inv(oui);
    for (size_t i = 0; i < o.identities.size(); ++i) {  // one delta per fact, as from several workers
      Observations one = i == 0 ? o : Observations{};  // the host comes with the first
      one.identities = {o.identities[reversed ? o.identities.size() - 1 - i : i]};
      inv.fold(one);
    }
    const auto devices = inv.devices();
    const Device* plc = find(devices, "mac:00:1b:1b:00:00:07");
    ASSERT_TRUE(plc);
    EXPECT_EQ(fact_named(*plc, "productName")->event, "Get_Attributes_All reply");  // the later one
    EXPECT_EQ(fact_named(*plc, "productName")->first_seen_ns, 5);
    EXPECT_EQ(fact_named(*plc, "serialNumber")->event, "ListIdentity reply");  // a tie: the greater name
    EXPECT_EQ(fact_named(*plc, "module")->event, "Read SZL 0x001C reply");
    EXPECT_EQ(fact_named(*plc, "vendor")->event, "MAC address prefix (IEEE registry)");
  }
}

// Module attribute facts (inventory/module_fact.h) become one "module" fact per (protocol, address),
// and are not the device's own fields; the device keeps what it says about itself.
TEST(Inventory, ModuleAttributesFoldIntoOneModuleFactPerAddress) {
  OuiRegistry oui;
  Observations o;
  o.ips = {{ip("192.168.10.125"), sent(1), {0}}, {ip("192.168.1.40"), sent(1), {0}}};
  o.identities = {
      // An ENBT's own identity, and the modules a client found walking its backplane.
      fact_of("192.168.10.125", "enip", "productName", "1756-ENBT/A", 5),
      fact_of("192.168.10.125", "enip", "serialNumber", "0x0051aec3", 5),
      fact_of("192.168.10.125", "enip", "description", "module slot 0: serialNumber=0x0051823f", 10),
      fact_of("192.168.10.125", "enip", "description", "module slot 0: productName=1756-L61/B LOGIX5561", 10),
      fact_of("192.168.10.125", "enip", "description", "module slot 0: firmwareVersion=16.19", 10),
      fact_of("192.168.10.125", "enip", "description", "module slot 0: firmwareVersion=16.20", 30),
      fact_of("192.168.10.125", "enip", "description", "module slot 3: productName=MVI56 ProSoft Technology, Inc.", 20),
      fact_of("192.168.10.125", "enip", "description", "CIP vendor id 1, device type 12, product code 58", 5),
      // An S7 CPU addressed as rack 0 slot 2.
      fact_of("192.168.1.40", "s7comm", "orderNumber", "6ES7 151-8AB01-0AB0", 7),
      fact_of("192.168.1.40", "s7comm", "description", "module rack 0 slot 2", 6),
      fact_of("192.168.1.40", "s7comm", "description", "module rack 0 slot 2: orderNumber=6ES7 151-8AB01-0AB0", 7),
      fact_of("192.168.1.40", "s7comm", "description", "module rack 0 slot 2: productName=IM151-8 PN/DP CPU", 8)};
  // Folded in both orders: the result must not depend on it.
  for (bool reversed : {false, true}) {
    Inventory inv(oui);
    Observations ordered = o;
    if (reversed) std::reverse(ordered.identities.begin(), ordered.identities.end());
    inv.fold(ordered);
    const auto devices = inv.devices();
    const Device* enbt = find(devices, "ip:192.168.10.125");
    ASSERT_TRUE(enbt);
    EXPECT_EQ(facts_named(*enbt, "productName"), std::vector<std::string>{"1756-ENBT/A"});
    EXPECT_EQ(facts_named(*enbt, "serialNumber"), std::vector<std::string>{"0x0051aec3"});
    EXPECT_EQ(facts_named(*enbt, "description"),
              std::vector<std::string>{"CIP vendor id 1, device type 12, product code 58"});
    EXPECT_EQ(facts_named(*enbt, "module"),
              (std::vector<std::string>{
                  "slot 0: productName=1756-L61/B LOGIX5561; firmwareVersion=16.20; serialNumber=0x0051823f",
                  "slot 3: productName=MVI56 ProSoft Technology, Inc."}));
    for (const DeviceFact& f : enbt->facts) {
      if (f.field != "module" || !f.value.starts_with("slot 0")) continue;
      EXPECT_EQ(f.protocol, "enip");
      EXPECT_EQ(f.first_seen_ns, 10);
      EXPECT_EQ(f.last_seen_ns, 30);
    }
    const Device* cpu = find(devices, "ip:192.168.1.40");
    ASSERT_TRUE(cpu);
    EXPECT_EQ(cpu->fact("orderNumber"), "6ES7 151-8AB01-0AB0");
    EXPECT_EQ(facts_named(*cpu, "module"),
              std::vector<std::string>{
                  "rack 0 slot 2: productName=IM151-8 PN/DP CPU; orderNumber=6ES7 151-8AB01-0AB0"});
    EXPECT_TRUE(facts_named(*cpu, "description").empty());
  }
}

// The same fact said about two addresses of one device (an ENBT that changed its IP) is one fact.
TEST(Inventory, SameFactOnTwoAddressesOfOneDeviceIsOneFact) {
  OuiRegistry oui;
  Inventory inv(oui);
  Observations o;
  o.macs = {{mac("00:00:bc:3e:eb:e4"), sent(1), {0}}};
  o.bindings = {binding("00:00:bc:3e:eb:e4", "192.168.10.120", binding_source::ArpSender),
                binding("00:00:bc:3e:eb:e4", "192.168.10.125", binding_source::ArpSender)};
  o.identities = {fact_of("192.168.10.120", "enip", "productName", "1756-ENBT/A", 5),
                  fact_of("192.168.10.125", "enip", "productName", "1756-ENBT/A", 50)};
  inv.fold(o);
  const auto devices = inv.devices();
  const Device* enbt = find(devices, "mac:00:00:bc:3e:eb:e4");
  ASSERT_TRUE(enbt);
  ASSERT_EQ(facts_named(*enbt, "productName"), std::vector<std::string>{"1756-ENBT/A"});
  for (const DeviceFact& f : enbt->facts) {
    if (f.field != "productName") continue;
    EXPECT_EQ(f.first_seen_ns, 5);
    EXPECT_EQ(f.last_seen_ns, 50);
  }
}

// fins_cisagovfork_omron.pcap: one host sends the commands (Stop among them) and also the
// Controller Data Read answer; the FINS dissector says the answering side is a PLC. It stays a PLC
// (flagged as a programming device), not an engineering workstation.
TEST(Inventory, ReportedPlcThatAlsoSendsProgrammingCommandsStaysAPlc) {
  OuiRegistry oui;
  Inventory inv(oui);
  Observations o;
  o.ips = {{ip("10.4.14.102"), sent(1), {0}}, {ip("10.130.130.130"), sent(1), {0}}};
  o.identities = {fact_of("10.4.14.102", "fins", "productName", "CJ2M-CPU31", 5),
                  fact_of("10.4.14.102", "fins", "deviceType", "PLC", 5)};
  o.protocols = {ProtocolObservation{ip("10.4.14.102"), std::nullopt, "fins", false, 1, 9, 1},
                 ProtocolObservation{ip("10.130.130.130"), std::nullopt, "fins", true, 1, 9, 1}};
  o.commands = {CommandObservation{ip("10.4.14.102"), ip("10.130.130.130"), "fins", 0x0402, "Stop", true, 3, 3, 1, 0}};
  inv.fold(o);
  const auto devices = inv.devices();
  const Device* plc = find(devices, "ip:10.4.14.102");
  ASSERT_TRUE(plc);
  EXPECT_EQ(plc->type, "PLC");
  EXPECT_EQ(plc->purdue_level, 1);
  EXPECT_TRUE(plc->programming_device);
  ASSERT_FALSE(plc->type_reasons.empty());
  EXPECT_EQ(plc->type_reasons[0], "reported by the device as PLC");
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
