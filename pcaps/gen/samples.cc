#include "pcaps/gen/samples.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "pcaps/gen/ot_payloads.h"
#include "pcaps/gen/proto_samples.h"
#include "pcaps/gen/recorder.h"

namespace ots::pcapgen {

namespace {

constexpr int64_t kStartNs = 1'705'305'600'000'000'000;  // 2024-01-15 08:00:00 UTC
constexpr int64_t kMs = 1'000'000;
constexpr uint32_t kLinkEthernet = 1, kLinkNull = 0, kLinkRaw = 101, kLinkSll = 113, kLinkSll2 = 276;

const MacAddr kBroadcast = mac("ff:ff:ff:ff:ff:ff");
const MacAddr kZeroMac{};

struct Host {
  MacAddr mac;
  IpAddr ip;
  Endpoint at() const { return {mac, ip}; }
};

// Files are written whole by the writers; the expectation goes beside them.
class SampleSet {
 public:
  explicit SampleSet(std::string dir) : dir_(std::move(dir)) {}
  std::string path(const std::string& name) {
    written_.push_back(name);
    return dir_ + "/" + name;
  }
  void write_expectation(const std::string& capture, const std::string& json) {
    std::ofstream out(path(capture + ".expected.json"), std::ios::binary);
    out << json;
    if (!out) throw std::runtime_error("cannot write expectation for " + capture);
  }
  std::vector<std::string> written() const { return written_; }

 private:
  std::string dir_;
  std::vector<std::string> written_;
};

void arp_exchange(Recorder& rec, const std::vector<uint16_t>& vlans, const Host& asker, const Host& answerer) {
  rec.emit(ethernet({asker.mac, kBroadcast, vlans}, ethertype::Arp, arp(1, asker.mac, asker.ip, kZeroMac,
                                                                         answerer.ip)));
  rec.advance(210'013);  // odd nanoseconds keep the nanosecond sample distinct from the microsecond one
  rec.emit(ethernet({answerer.mac, asker.mac, vlans}, ethertype::Arp,
                    arp(2, answerer.mac, answerer.ip, asker.mac, asker.ip)));
  rec.advance(15 * kMs + 707);
}

void modbus_polls(TcpConversation& tcp, int polls, uint16_t first_transaction, uint32_t seed) {
  for (int i = 0; i < polls; ++i) {
    uint16_t count = static_cast<uint16_t>(10 + 7 * i);
    tcp.exchange(modbus_read_request(static_cast<uint16_t>(first_transaction + i), 1, 40001 + 10 * i, count),
                 modbus_read_response(static_cast<uint16_t>(first_transaction + i), 1, count, seed + i));
  }
}

void s7_polls(TcpConversation& tcp, int polls, uint32_t seed) {
  for (int i = 0; i < polls; ++i) tcp.exchange(s7_message(24, seed + i), s7_message(40 + 30 * i, seed + 100 + i));
}

void enip_polls(TcpConversation& tcp, int polls, uint32_t session, uint32_t seed) {
  for (int i = 0; i < polls; ++i)
    tcp.exchange(enip_message(session, 40, seed + i), enip_message(session, 60 + 20 * i, seed + 50 + i));
}

// A DNS-format query for an A record (LLMNR and mDNS use the same message format).
Frame dns_query(uint16_t id, const std::string& name) {
  Frame f{static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = std::min(name.find('.', start), name.size());
    f.push_back(static_cast<uint8_t>(dot - start));
    f.insert(f.end(), name.begin() + static_cast<std::ptrdiff_t>(start), name.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  f.insert(f.end(), {0, 0, 1, 0, 1});  // root label, type A, class IN
  return f;
}

// --- plant_basic -------------------------------------------------------------------------------------------

// One untagged LAN, 192.168.1.0/24, with a default gateway to three remote networks.
void plant_basic(Recorder& rec) {
  const Host gateway{mac("00:1e:bd:4c:00:01"), ip("192.168.1.1")};
  const Host plc_siemens{mac("00:1b:1b:6a:10:0a"), ip("192.168.1.10")};
  const Host plc_rockwell{mac("00:1d:9c:c8:20:0b"), ip("192.168.1.11")};
  const Host hmi{mac("00:0c:29:3e:51:14"), ip("192.168.1.20")};
  const Host ews{mac("3c:52:82:a1:b2:1e"), ip("192.168.1.30")};
  const Host historian{mac("00:50:56:9a:00:28"), ip("192.168.1.40")};
  const Host silent_known{mac("28:63:36:00:00:32"), ip("192.168.1.50")};  // answers ARP, never TCP
  const Host silent_dark{mac("00:00:bc:00:00:33"), ip("192.168.1.51")};   // never sends anything
  const IpAddr hmi_ll = ip("fe80::20c:29ff:fe3e:5114");
  const IpAddr ews_ll = ip("fe80::3e52:82ff:fea1:b21e");
  // Remote hosts reach the LAN through the gateway, so their frames carry its MAC.
  const Endpoint corporate{gateway.mac, ip("10.20.0.15")};
  const Endpoint vendor_vpn{gateway.mac, ip("172.16.5.20")};
  const Endpoint internet{gateway.mac, ip("203.0.113.7")};
  const LinkWrap lan = ethernet_link();
  const std::vector<uint16_t> untagged;

  // Address resolution: every LAN host claims its address in ARP.
  arp_exchange(rec, untagged, hmi, gateway);
  arp_exchange(rec, untagged, gateway, hmi);  // the router claims its own address again
  arp_exchange(rec, untagged, ews, plc_siemens);
  arp_exchange(rec, untagged, hmi, plc_rockwell);
  arp_exchange(rec, untagged, hmi, silent_known);
  // Gratuitous ARP (broadcast) from the historian.
  rec.emit(ethernet({historian.mac, kBroadcast, untagged}, ethertype::Arp,
                    arp(1, historian.mac, historian.ip, kZeroMac, historian.ip)));
  rec.advance(20 * kMs);
  // A request nobody answers: its target address must not become a device.
  rec.emit(ethernet({ews.mac, kBroadcast, untagged}, ethertype::Arp,
                    arp(1, ews.mac, ews.ip, kZeroMac, ip("192.168.1.99"))));
  rec.advance(20 * kMs);

  // IPv6 neighbour discovery between the HMI and the engineering workstation; counted as
  // ICMPv6 connections like any other ICMPv6 flow (see README).
  const IpAddr solicited = solicited_node_multicast(ews_ll);
  const ExpectedConnectionKey solicitation{hmi_ll, solicited, ip_proto::Icmpv6, 0};
  const ExpectedConnectionKey advertisement{ews_ll, hmi_ll, ip_proto::Icmpv6, 0};
  rec.emit_ip(lan, {hmi.mac, hmi_ll}, {ipv6_multicast_mac(solicited), solicited},
              ipv6(hmi_ll, solicited, ip_proto::Icmpv6, icmpv6_neighbor(hmi_ll, solicited, false, ews_ll, hmi.mac),
                   255),
              &solicitation);
  rec.advance(300'000);
  rec.emit_ip(lan, {ews.mac, ews_ll}, {hmi.mac, hmi_ll},
              ipv6(ews_ll, hmi_ll, ip_proto::Icmpv6, icmpv6_neighbor(ews_ll, hmi_ll, true, ews_ll, ews.mac), 255),
              &advertisement);
  rec.advance(10 * kMs);

  // S7 from the HMI and (with a handshake, then again mid-stream) from the engineering workstation.
  TcpConversation hmi_s7(rec, lan, hmi.at(), plc_siemens.at(), 49160, 102, 1);
  hmi_s7.handshake();
  s7_polls(hmi_s7, 3, 10);
  hmi_s7.close();
  TcpConversation ews_s7(rec, lan, ews.at(), plc_siemens.at(), 50311, 102, 2);
  ews_s7.handshake();
  s7_polls(ews_s7, 2, 20);
  ews_s7.close();
  // A session already open when the capture started: no SYN, the first sender is the client.
  TcpConversation ews_s7_open(rec, lan, ews.at(), plc_siemens.at(), 50299, 102, 3);
  s7_polls(ews_s7_open, 2, 30);

  // EtherNet/IP explicit messaging HMI -> Rockwell PLC.
  TcpConversation hmi_enip(rec, lan, hmi.at(), plc_rockwell.at(), 49170, 44818, 4);
  hmi_enip.handshake();
  enip_polls(hmi_enip, 3, 0x1a2b3c4d, 40);
  hmi_enip.close();

  // Modbus/TCP: the historian polls both PLCs; two sessions to the Siemens PLC sum into one connection.
  for (uint16_t session = 0; session < 2; ++session) {
    TcpConversation poll(rec, lan, historian.at(), plc_siemens.at(), static_cast<uint16_t>(51000 + session), 502,
                         10 + session);
    poll.handshake();
    modbus_polls(poll, 3, static_cast<uint16_t>(100 * session), 50 + session);
    poll.close();
  }
  TcpConversation historian_ab(rec, lan, historian.at(), plc_rockwell.at(), 51010, 502, 12);
  historian_ab.handshake();
  modbus_polls(historian_ab, 2, 7, 60);
  historian_ab.close();

  // Cyclic EtherNet/IP I/O (UDP 2222 both ways): the first sender is the client.
  UdpConversation io(rec, lan, plc_rockwell.at(), hmi.at(), 2222, 2222);
  for (uint32_t i = 0; i < 5; ++i) {
    io.send(true, pattern_bytes(42, 70 + i));
    rec.advance(137'000);
    io.send(false, pattern_bytes(38, 80 + i));
    rec.advance(9'863'000);
  }
  // Modbus/UDP whose request was missed: the response (from server port 502) comes first,
  // so the roles swap and the HMI is still the client.
  UdpConversation modbus_udp(rec, lan, hmi.at(), plc_siemens.at(), 50200, 502);
  modbus_udp.send(false, modbus_read_response(1, 1, 4, 90));
  rec.advance(100 * kMs);
  modbus_udp.send(true, modbus_read_request(2, 1, 40001, 4));
  rec.advance(1 * kMs);
  modbus_udp.send(false, modbus_read_response(2, 1, 4, 91));
  rec.advance(10 * kMs);

  // BACnet Who-Is to the directed broadcast: neither 192.168.1.255 nor ff:ff.. is a device.
  const Endpoint directed_broadcast{kBroadcast, ip("192.168.1.255")};
  UdpConversation who_is(rec, lan, historian.at(), directed_broadcast, 47808, 47808);
  who_is.send(true, Frame{0x81, 0x0b, 0x00, 0x0c, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x08});
  rec.advance(5 * kMs);
  // Multicast name resolution, IPv4 (LLMNR) and IPv6 (mDNS): group addresses never make devices.
  const IpAddr llmnr = ip("224.0.0.252");
  UdpConversation llmnr_query(rec, lan, historian.at(), {ipv4_multicast_mac(llmnr), llmnr}, 54000, 5355);
  llmnr_query.send(true, dns_query(0x4c4c, "historian-02"));
  rec.advance(5 * kMs);
  const IpAddr mdns = ip("ff02::fb");
  UdpConversation mdns_query(rec, lan, {hmi.mac, hmi_ll}, {ipv6_multicast_mac(mdns), mdns}, 5353, 5353);
  mdns_query.send(true, dns_query(0, "plc-01.local"));
  rec.advance(5 * kMs);

  // ICMP echo on the LAN and to the gateway itself.
  PingConversation ews_ping(rec, lan, ews.at(), plc_rockwell.at(), 0x0101);
  for (uint16_t seq = 1; seq <= 3; ++seq) ews_ping.ping(seq, pattern_bytes(32, seq));
  PingConversation gateway_ping(rec, lan, hmi.at(), gateway.at(), 0x0202);
  gateway_ping.ping(1, pattern_bytes(32, 7));

  // Routed traffic: three remote hosts behind the gateway's MAC make it a router.
  TcpConversation corporate_pi(rec, lan, corporate, historian.at(), 52001, 5450, 20);
  corporate_pi.handshake();
  corporate_pi.exchange(pattern_bytes(120, 200), pattern_bytes(480, 201));
  corporate_pi.exchange(pattern_bytes(90, 202), pattern_bytes(300, 203));
  corporate_pi.close();
  TcpConversation vendor_rdp(rec, lan, vendor_vpn, hmi.at(), 61000, 3389, 21);
  vendor_rdp.handshake();
  vendor_rdp.exchange(pattern_bytes(200, 210), pattern_bytes(700, 211));
  vendor_rdp.close();
  TcpConversation cloud_upload(rec, lan, historian.at(), internet, 51500, 443, 22);
  cloud_upload.handshake();
  cloud_upload.exchange(pattern_bytes(517, 220), pattern_bytes(1200, 221));
  cloud_upload.close();
  PingConversation corporate_ping(rec, lan, corporate, hmi.at(), 0x0303);
  corporate_ping.ping(1, pattern_bytes(56, 9));
  corporate_ping.ping(2, pattern_bytes(56, 10));

  // Hosts seen only as destinations: SYNs that are never answered.
  TcpConversation to_known(rec, lan, hmi.at(), silent_known.at(), 49200, 502, 30);
  to_known.unanswered_syn(3);
  TcpConversation to_dark(rec, lan, hmi.at(), silent_dark.at(), 49201, 44818, 31);
  to_dark.unanswered_syn(2);

  const std::vector<uint16_t> lan_vlan{0};
  rec.expect_device({gateway.mac, {gateway.ip}, lan_vlan, true});
  rec.expect_device({plc_siemens.mac, {plc_siemens.ip}, lan_vlan, false});
  rec.expect_device({plc_rockwell.mac, {plc_rockwell.ip}, lan_vlan, false});
  rec.expect_device({hmi.mac, {hmi.ip, hmi_ll}, lan_vlan, false});
  rec.expect_device({ews.mac, {ews.ip, ews_ll}, lan_vlan, false});
  rec.expect_device({historian.mac, {historian.ip}, lan_vlan, false});
  rec.expect_device({silent_known.mac, {silent_known.ip}, lan_vlan, false});  // bound by its ARP reply
  rec.expect_device({silent_dark.mac, {}, lan_vlan, false});                  // MAC seen only as destination
  rec.expect_device({std::nullopt, {silent_dark.ip}, lan_vlan, false});       // IP seen only as destination
  for (const Endpoint& remote : {corporate, vendor_vpn, internet})
    rec.expect_device({std::nullopt, {remote.ip}, lan_vlan, false});
}

// --- plant_vlans -------------------------------------------------------------------------------------------

// Two VLANs seen on two capture interfaces, a router-on-a-stick with one address per
// VLAN, and one double-tagged (QinQ) frame whose inner C-tag is the device's VLAN.
void plant_vlans(Recorder& rec) {
  const Host gateway10{mac("00:1e:bd:4c:00:fe"), ip("10.10.10.1")};
  const Host gateway20{gateway10.mac, ip("10.10.20.1")};
  const Host hmi{mac("00:0c:29:10:00:14"), ip("10.10.10.20")};
  const Host plc_siemens{mac("00:1b:1b:10:00:0a"), ip("10.10.10.10")};
  const Host ews{mac("3c:52:82:20:00:1e"), ip("10.10.20.30")};
  const Host plc_rockwell{mac("00:1d:9c:20:00:0b"), ip("10.10.20.11")};
  const std::vector<uint16_t> vlan10{10}, vlan20{20}, qinq{100, 20};
  const LinkWrap link10 = ethernet_link(vlan10), link20 = ethernet_link(vlan20), link_qinq = ethernet_link(qinq);

  rec.set_interface(0);
  arp_exchange(rec, vlan10, hmi, plc_siemens);
  arp_exchange(rec, vlan10, gateway10, hmi);
  rec.set_interface(1);
  arp_exchange(rec, vlan20, ews, plc_rockwell);
  arp_exchange(rec, vlan20, gateway20, ews);

  TcpConversation modbus(rec, link10, hmi.at(), plc_siemens.at(), 49300, 502, 40);
  TcpConversation enip(rec, link20, ews.at(), plc_rockwell.at(), 50400, 44818, 41);
  rec.set_interface(0);
  modbus.handshake();
  rec.set_interface(1);
  enip.handshake();
  for (int i = 0; i < 3; ++i) {
    rec.set_interface(0);
    modbus.exchange(modbus_read_request(static_cast<uint16_t>(i), 1, 40001, 20),
                    modbus_read_response(static_cast<uint16_t>(i), 1, 20, 300 + i));
    rec.set_interface(1);
    enip.exchange(enip_message(0x22, 40, 310 + i), enip_message(0x22, 90, 320 + i));
  }
  rec.set_interface(0);
  modbus.close();
  PingConversation ping10(rec, link10, gateway10.at(), plc_siemens.at(), 0x0a0a);
  ping10.ping(1, pattern_bytes(32, 330));
  rec.set_interface(1);
  enip.close();
  PingConversation ping20(rec, link20, gateway20.at(), ews.at(), 0x1414);
  ping20.ping(1, pattern_bytes(32, 331));

  // Cyclic I/O from the Rockwell PLC, once as it crosses a provider (QinQ) trunk.
  UdpConversation io(rec, link_qinq, plc_rockwell.at(), ews.at(), 2222, 2222);
  io.send(true, pattern_bytes(42, 340));

  rec.expect_device({gateway10.mac, {gateway10.ip, gateway20.ip}, {10, 20}, false});
  rec.expect_device({hmi.mac, {hmi.ip}, vlan10, false});
  rec.expect_device({plc_siemens.mac, {plc_siemens.ip}, vlan10, false});
  rec.expect_device({ews.mac, {ews.ip}, vlan20, false});
  rec.expect_device({plc_rockwell.mac, {plc_rockwell.ip}, vlan20, false});
}

// --- plant_erspan ------------------------------------------------------------------------------------------

// How a remote SPAN session delivers a plant: the switch (10.99.0.1) sends copies
// of frames to the collector (10.99.0.100) in ERSPAN II, ERSPAN III and plain
// GRE (transparent Ethernet bridging). Connections are the inner ones; their
// bytes are the outer frame lengths.
void plant_erspan(Recorder& rec) {
  const Host span_switch{mac("00:1e:bd:4c:99:01"), ip("10.99.0.1")};
  const Host collector{mac("00:50:56:99:00:64"), ip("10.99.0.100")};
  const Host hmi{mac("00:0c:29:22:00:14"), ip("192.168.2.20")};
  const Host plc_siemens{mac("00:1b:1b:22:00:0a"), ip("192.168.2.10")};
  const Host plc_rockwell{mac("00:1d:9c:22:00:0b"), ip("192.168.2.11")};
  const Host ews{mac("3c:52:82:22:00:1e"), ip("192.168.2.30")};

  enum class Tunnel { ErspanII, ErspanIII, Gre };
  struct TunnelState {
    uint32_t sequence = 0;
    uint16_t ip_id = 0x4000;
  };
  auto state = std::make_shared<TunnelState>();
  auto tunnel_link = [&, state](Tunnel kind) -> LinkWrap {
    return [&, state, kind](const Endpoint& from, const Endpoint& to, uint16_t ether_type, Bytes l3) {
      Frame inner = ethernet({from.mac, to.mac, {}}, ether_type, l3);
      uint32_t sequence = state->sequence++;
      Frame encapsulated;
      switch (kind) {
        case Tunnel::ErspanII:
          encapsulated = gre(ethertype::ErspanII, erspan_type2(7, 0, 1, inner), sequence);
          break;
        case Tunnel::ErspanIII: {
          auto timestamp = static_cast<uint32_t>(rec.now() / 1000);  // 1 µs granularity
          encapsulated = gre(ethertype::ErspanIII, erspan_type3(8, 0, timestamp, inner), sequence);
          break;
        }
        case Tunnel::Gre:
          encapsulated = gre(ethertype::TransparentEthernet, inner);
          break;
      }
      Frame outer_ip = ipv4(span_switch.ip, collector.ip, ip_proto::Gre, encapsulated,
                            {.ttl = 63, .id = state->ip_id++, .dont_fragment = true, .fragment_offset = 0, .more_fragments = false});
      return ethernet({span_switch.mac, collector.mac, {}}, ethertype::Ipv4, outer_ip);
    };
  };
  const LinkWrap erspan2 = tunnel_link(Tunnel::ErspanII);
  const LinkWrap erspan3 = tunnel_link(Tunnel::ErspanIII);
  const LinkWrap plain_gre = tunnel_link(Tunnel::Gre);
  const Endpoint broadcast{kBroadcast, {}};

  // The tunnel endpoints resolve each other on their own LAN (not tunnelled).
  arp_exchange(rec, {}, collector, span_switch);

  // ERSPAN II: ARP (the link wraps any L3 payload, ARP too) and Modbus/TCP between the HMI and the Siemens PLC.
  rec.emit(erspan2(hmi.at(), broadcast, ethertype::Arp, arp(1, hmi.mac, hmi.ip, kZeroMac, plc_siemens.ip)));
  rec.advance(200'000);
  rec.emit(erspan2(plc_siemens.at(), hmi.at(), ethertype::Arp, arp(2, plc_siemens.mac, plc_siemens.ip, hmi.mac, hmi.ip)));
  rec.advance(5 * kMs);
  TcpConversation modbus(rec, erspan2, hmi.at(), plc_siemens.at(), 49400, 502, 50);
  modbus.handshake();
  for (uint16_t i = 0; i < 3; ++i)
    modbus.exchange(modbus_read_request(i, 1, 40100, 16), modbus_read_response(i, 1, 16, 400 + i));
  modbus.close();

  // ERSPAN III: ARP, EtherNet/IP and cyclic I/O around the Rockwell PLC.
  rec.emit(erspan3(ews.at(), broadcast, ethertype::Arp, arp(1, ews.mac, ews.ip, kZeroMac, plc_rockwell.ip)));
  rec.advance(200'000);
  rec.emit(erspan3(plc_rockwell.at(), ews.at(), ethertype::Arp,
                   arp(2, plc_rockwell.mac, plc_rockwell.ip, ews.mac, ews.ip)));
  rec.advance(5 * kMs);
  TcpConversation enip(rec, erspan3, ews.at(), plc_rockwell.at(), 50500, 44818, 51);
  enip.handshake();
  enip_polls(enip, 2, 0x33, 410);
  enip.close();
  UdpConversation io(rec, erspan3, plc_rockwell.at(), hmi.at(), 2222, 2222);
  for (uint32_t i = 0; i < 3; ++i) {
    io.send(true, pattern_bytes(42, 420 + i));
    rec.advance(150'000);
    io.send(false, pattern_bytes(38, 430 + i));
    rec.advance(9'850'000);
  }

  // Plain GRE: S7 and ICMP between the engineering workstation and the Siemens PLC.
  TcpConversation s7(rec, plain_gre, ews.at(), plc_siemens.at(), 50600, 102, 52);
  s7.handshake();
  s7_polls(s7, 2, 440);
  s7.close();
  PingConversation ping(rec, plain_gre, ews.at(), plc_siemens.at(), 0x0404);
  ping.ping(1, pattern_bytes(32, 450));
  ping.ping(2, pattern_bytes(32, 451));

  // The tunnel endpoints are real hosts too.
  const std::vector<uint16_t> untagged{0};
  rec.expect_device({span_switch.mac, {span_switch.ip}, untagged, false});
  rec.expect_device({collector.mac, {collector.ip}, untagged, false});
  rec.expect_device({hmi.mac, {hmi.ip}, untagged, false});
  rec.expect_device({plc_siemens.mac, {plc_siemens.ip}, untagged, false});
  rec.expect_device({plc_rockwell.mac, {plc_rockwell.ip}, untagged, false});
  rec.expect_device({ews.mac, {ews.ip}, untagged, false});
}

// --- plant_fragments ---------------------------------------------------------------------------------------

// IPv4 UDP and ICMP datagrams and an IPv6 UDP datagram split into fragments,
// some delivered out of order. Every fragment frame counts towards its connection.
void plant_fragments(Recorder& rec) {
  const Host scada{mac("00:0c:29:33:00:05"), ip("192.168.3.5")};
  const Host rtu{mac("00:1d:9c:33:00:0c"), ip("192.168.3.12")};
  const IpAddr scada6 = ip("2001:db8:3::5"), rtu6 = ip("2001:db8:3::12");
  const LinkWrap lan = ethernet_link();
  arp_exchange(rec, {}, scada, rtu);

  auto send_fragments = [&](const Host& from, const Host& to, const std::vector<Frame>& fragments,
                            const std::vector<size_t>& order, const ExpectedConnectionKey& key) {
    for (size_t index : order) {
      rec.emit_ip(lan, from.at(), to.at(), fragments.at(index), &key);
      rec.advance(40'000);
    }
    rec.advance(2 * kMs);
  };

  // DNP3 over UDP, large enough to fragment: request in order, response last-fragment-first.
  const ExpectedConnectionKey dnp3{scada.ip, rtu.ip, ip_proto::Udp, 20000};
  Frame request = udp(scada.ip, rtu.ip, 40000, 20000, dnp3_message(10, 1, 2992, 500));
  send_fragments(scada, rtu, ipv4_fragments(scada.ip, rtu.ip, ip_proto::Udp, request, 1480, 0x1001), {0, 1, 2},
                 dnp3);
  Frame response = udp(rtu.ip, scada.ip, 20000, 40000, dnp3_message(1, 10, 1992, 501));
  send_fragments(rtu, scada, ipv4_fragments(rtu.ip, scada.ip, ip_proto::Udp, response, 1480, 0x2001), {1, 0},
                 dnp3);

  // A large ping: request fragments middle-first, reply in order.
  const ExpectedConnectionKey ping{scada.ip, rtu.ip, ip_proto::Icmp, 0};
  Frame echo = icmp_echo(true, 0x0505, 1, pattern_bytes(3992, 510));
  send_fragments(scada, rtu, ipv4_fragments(scada.ip, rtu.ip, ip_proto::Icmp, echo, 1480, 0x1002), {1, 0, 2},
                 ping);
  Frame reply = icmp_echo(false, 0x0505, 1, pattern_bytes(3992, 510));
  send_fragments(rtu, scada, ipv4_fragments(rtu.ip, scada.ip, ip_proto::Icmp, reply, 1480, 0x2002), {0, 1, 2},
                 ping);

  // IPv6: a fragmented request (second fragment first) and a small answer.
  const Host scada_v6{scada.mac, scada6}, rtu_v6{rtu.mac, rtu6};
  const ExpectedConnectionKey dnp3_v6{scada6, rtu6, ip_proto::Udp, 20000};
  Frame request6 = udp(scada6, rtu6, 40001, 20000, dnp3_message(10, 1, 2492, 520));
  send_fragments(scada_v6, rtu_v6, ipv6_fragments(scada6, rtu6, ip_proto::Udp, request6, 1448, 0x00c0ffee),
                 {1, 0}, dnp3_v6);
  Frame answer6 = udp(rtu6, scada6, 20000, 40001, dnp3_message(1, 10, 20, 521));
  rec.emit_ip(lan, rtu_v6.at(), scada_v6.at(), ipv6(rtu6, scada6, ip_proto::Udp, answer6), &dnp3_v6);

  rec.expect_device({scada.mac, {scada.ip, scada6}, {0}, false});
  rec.expect_device({rtu.mac, {rtu.ip, rtu6}, {0}, false});
}

// --- other link types --------------------------------------------------------------------------------------

// A Modbus session, a ping and a BACnet exchange between two hosts, for link
// types without an Ethernet header: their devices are IP-only.
void small_exchange(Recorder& rec, const LinkWrap& link, const Endpoint& client, const Endpoint& server) {
  TcpConversation modbus(rec, link, client, server, 49500, 502, 60);
  modbus.handshake();
  modbus_polls(modbus, 2, 1, 600);
  modbus.close();
  PingConversation ping(rec, link, client, server, 0x0606);
  ping.ping(1, pattern_bytes(32, 610));
  UdpConversation bacnet(rec, link, client, server, 47808, 47808);
  bacnet.send(true, pattern_bytes(17, 620));
  rec.advance(3 * kMs);
  bacnet.send(false, pattern_bytes(25, 621));
  rec.expect_device({std::nullopt, {client.ip}, {0}, false});
  rec.expect_device({std::nullopt, {server.ip}, {0}, false});
}

const Endpoint kLinkClient{mac("00:0c:29:44:00:0a"), ip("10.1.1.10")};
const Endpoint kLinkServer{mac("00:1b:1b:44:00:14"), ip("10.1.1.20")};

// Linux cooked capture taken on the client: its frames are outgoing (4), the server's to-us (0).
LinkWrap sll_link() {
  return [](const Endpoint& from, const Endpoint&, uint16_t ether_type, Bytes l3) {
    return linux_sll(from.mac == kLinkClient.mac ? 4 : 0, from.mac, ether_type, l3);
  };
}
LinkWrap sll2_link() {
  return [](const Endpoint& from, const Endpoint&, uint16_t ether_type, Bytes l3) {
    return linux_sll2(from.mac == kLinkClient.mac ? 4 : 0, 2, from.mac, ether_type, l3);
  };
}
LinkWrap raw_link() {
  return [](const Endpoint&, const Endpoint&, uint16_t, Bytes l3) { return Frame(l3.begin(), l3.end()); };
}
LinkWrap null_link() {
  return [](const Endpoint&, const Endpoint&, uint16_t, Bytes l3) { return bsd_null(2, l3); };  // AF_INET
}

// --- damaged files -----------------------------------------------------------------------------------------

// Good records of a short Modbus session on one LAN.
void damaged_prefix(Recorder& rec) {
  const Host hmi{mac("00:0c:29:55:00:14"), ip("192.168.5.20")};
  const Host plc{mac("00:1b:1b:55:00:0a"), ip("192.168.5.10")};
  arp_exchange(rec, {}, hmi, plc);
  TcpConversation modbus(rec, ethernet_link(), hmi.at(), plc.at(), 49600, 502, 70);
  modbus.handshake();
  modbus_polls(modbus, 1, 1, 700);
  rec.expect_device({hmi.mac, {hmi.ip}, {0}, false});
  rec.expect_device({plc.mac, {plc.ip}, {0}, false});
}

// A frame to damage: an ARP request that would be valid if it were whole.
Frame damaged_record_frame() {
  const MacAddr sender = mac("00:0c:29:55:00:14");
  return ethernet({sender, kBroadcast, {}}, ethertype::Arp,
                  arp(1, sender, ip("192.168.5.20"), kZeroMac, ip("192.168.5.1")));
}

}  // namespace

std::vector<std::string> write_samples(const std::string& dir) {
  SampleSet set(dir);

  auto simple = [&](const std::string& name, uint32_t linktype, TimeResolution resolution, auto&& scenario) {
    PcapWriter writer(set.path(name), linktype, resolution);
    Recorder rec(writer, kStartNs);
    scenario(rec);
    writer.close();
    set.write_expectation(name, rec.expectation_json());
  };

  simple("plant_basic.pcap", kLinkEthernet, TimeResolution::Micro, plant_basic);
  simple("plant_basic_ns.pcap", kLinkEthernet, TimeResolution::Nano, plant_basic);
  {
    PcapngWriter writer(set.path("plant_vlans.pcapng"), {{kLinkEthernet, "span-vlan10"}, {kLinkEthernet, "span-vlan20"}});
    Recorder rec(writer, kStartNs);
    plant_vlans(rec);
    writer.close();
    set.write_expectation("plant_vlans.pcapng", rec.expectation_json());
  }
  simple("plant_erspan.pcap", kLinkEthernet, TimeResolution::Micro, plant_erspan);
  simple("plant_fragments.pcap", kLinkEthernet, TimeResolution::Micro, plant_fragments);
  simple("linktype_sll.pcap", kLinkSll, TimeResolution::Micro,
         [](Recorder& rec) { small_exchange(rec, sll_link(), kLinkClient, kLinkServer); });
  simple("linktype_sll2.pcap", kLinkSll2, TimeResolution::Micro,
         [](Recorder& rec) { small_exchange(rec, sll2_link(), kLinkClient, kLinkServer); });
  simple("linktype_raw.pcap", kLinkRaw, TimeResolution::Micro, [](Recorder& rec) {
    small_exchange(rec, raw_link(), kLinkClient, kLinkServer);
    // Raw IP carries IPv6 as well: the version nibble decides.
    const Endpoint client6{kLinkClient.mac, ip("2001:db8:1::10")}, server6{kLinkServer.mac, ip("2001:db8:1::20")};
    PingConversation ping6(rec, raw_link(), client6, server6, 0x0707);
    ping6.ping(1, pattern_bytes(32, 630));
    rec.expect_device({std::nullopt, {client6.ip}, {0}, false});
    rec.expect_device({std::nullopt, {server6.ip}, {0}, false});
  });
  simple("linktype_null.pcap", kLinkNull, TimeResolution::Micro,
         [](Recorder& rec) { small_exchange(rec, null_link(), kLinkClient, kLinkServer); });

  {
    // Valid records, then one whose data is cut short by the end of the file.
    const std::string name = "corrupt_truncated.pcap";
    PcapWriter writer(set.path(name), kLinkEthernet);
    Recorder rec(writer, kStartNs);
    damaged_prefix(rec);
    uint64_t bad_offset = writer.offset();
    Frame frame = damaged_record_frame();
    writer.write_record_header(rec.now(), static_cast<uint32_t>(frame.size()), static_cast<uint32_t>(frame.size()));
    writer.write_raw(Bytes(frame).first(frame.size() / 2));
    writer.close();
    set.write_expectation(name, rec.expectation_json(bad_offset));
  }
  {
    // Valid records, one with an absurd caplen, then valid records no reader can reach.
    const std::string name = "corrupt_caplen.pcap";
    PcapWriter writer(set.path(name), kLinkEthernet);
    Recorder rec(writer, kStartNs);
    damaged_prefix(rec);
    uint64_t bad_offset = writer.offset();
    Frame frame = damaged_record_frame();
    writer.write_record_header(rec.now(), 0x7fffffff, static_cast<uint32_t>(frame.size()));
    writer.write_raw(frame);
    for (int i = 0; i < 3; ++i) writer.write(rec.now() + (i + 1) * kMs, frame);
    writer.close();
    set.write_expectation(name, rec.expectation_json(bad_offset));
  }
  for (const NamedScenario& scenario : protocol_scenarios())
    simple(scenario.file, kLinkEthernet, TimeResolution::Micro, scenario.run);
  return set.written();
}

}  // namespace ots::pcapgen
