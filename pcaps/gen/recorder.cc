#include "pcaps/gen/recorder.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <nlohmann/json.hpp>

namespace ots::pcapgen {

namespace {

const char* transport_name(uint8_t transport) {
  switch (transport) {
    case ip_proto::Tcp: return "tcp";
    case ip_proto::Udp: return "udp";
    case ip_proto::Icmp: return "icmp";
    case ip_proto::Icmpv6: return "icmpv6";
  }
  return "other";
}

uint16_t ether_type_of(Bytes ip_packet) {
  return !ip_packet.empty() && ip_packet[0] >> 4 == 6 ? ethertype::Ipv6 : ethertype::Ipv4;
}

}  // namespace

LinkWrap ethernet_link(std::vector<uint16_t> vlans) {
  return [vlans = std::move(vlans)](const Endpoint& from, const Endpoint& to, uint16_t ether_type, Bytes l3) {
    return ethernet({.src = from.mac, .dst = to.mac, .vlans = vlans}, ether_type, l3);
  };
}

void Recorder::emit(Bytes frame, const ExpectedConnectionKey* connection) {
  if (full()) return;
  writer_.write(now_ns_, frame, interface_);
  ++packets_;
  if (connection) {
    ConnectionCount& count = connections_[*connection];
    ++count.packets;
    count.bytes += frame.size();
  }
}

void Recorder::emit_ip(const LinkWrap& link, const Endpoint& from, const Endpoint& to, Bytes ip_packet,
                       const ExpectedConnectionKey* connection) {
  if (full()) return;  // skip building a frame nobody will write
  Frame frame = link(from, to, ether_type_of(ip_packet), ip_packet);
  emit(frame, connection);
}

std::string Recorder::expectation_json(std::optional<uint64_t> bad_record_offset) const {
  auto ips_json = [](std::vector<IpAddr> ips) {
    std::sort(ips.begin(), ips.end());
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const IpAddr& a : ips) out.push_back(a.str());
    return out;
  };
  // MAC devices first (by MAC), then IP-only devices (by their lowest address).
  auto sort_key = [](const ExpectedDevice& d) {
    IpAddr lowest = d.ips.empty() ? IpAddr{} : *std::min_element(d.ips.begin(), d.ips.end());
    return std::tuple(!d.mac.has_value(), d.mac.value_or(MacAddr{}), lowest);
  };
  std::vector<ExpectedDevice> devices = devices_;
  std::sort(devices.begin(), devices.end(),
            [&](const ExpectedDevice& a, const ExpectedDevice& b) { return sort_key(a) < sort_key(b); });

  // One device or connection per line, so a changed expectation reads well in a diff.
  auto list = [](const std::vector<nlohmann::ordered_json>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ",\n    " : "\n    ") + items[i].dump();
    return out + (items.empty() ? "]" : "\n  ]");
  };
  std::vector<nlohmann::ordered_json> device_items, connection_items;
  for (const ExpectedDevice& d : devices) {
    nlohmann::ordered_json item;
    item["mac"] = d.mac ? nlohmann::ordered_json(d.mac->str()) : nlohmann::ordered_json(nullptr);
    item["ips"] = ips_json(d.ips);
    std::vector<uint16_t> vlans = d.vlans;
    std::sort(vlans.begin(), vlans.end());
    item["vlans"] = vlans;
    item["isRouter"] = d.is_router;
    // Only scenarios that declare identities carry these keys (older expectations stay as they were).
    if (!d.facts.empty()) {
      for (const ExpectedFact& f : d.facts)
        item["facts"].push_back({{"field", f.field}, {"value", f.value}, {"protocol", f.protocol}});
    }
    if (!d.protocols.empty()) {
      for (const ExpectedProtocol& p : d.protocols) item["protocols"].push_back({{"protocol", p.protocol}, {"role", p.role}});
    }
    device_items.push_back(std::move(item));
  }
  for (const auto& [key, count] : connections_) {
    nlohmann::ordered_json item;
    item["client"] = key.client.str();
    item["server"] = key.server.str();
    item["transport"] = transport_name(key.transport);
    item["serverPort"] = key.server_port;
    item["packets"] = count.packets;
    item["bytes"] = count.bytes;
    connection_items.push_back(std::move(item));
  }
  std::string out = "{\n  \"packets\": " + std::to_string(packets_) + ",\n";
  if (bad_record_offset) out += "  \"badRecordOffset\": " + std::to_string(*bad_record_offset) + ",\n";
  out += "  \"devices\": " + list(device_items) + ",\n";
  out += "  \"connections\": " + list(connection_items);
  if (alerts_) out += ",\n  \"alerts\": " + nlohmann::ordered_json(*alerts_).dump();
  out += "\n}\n";
  return out;
}

TcpConversation::TcpConversation(Recorder& recorder, LinkWrap link, Endpoint client, Endpoint server,
                                 uint16_t client_port, uint16_t server_port, uint32_t isn_seed)
    : recorder_(recorder),
      link_(std::move(link)),
      client_(client),
      server_(server),
      client_port_(client_port),
      server_port_(server_port),
      client_next_seq_(isn_seed * 2654435761u),
      server_next_seq_((isn_seed ^ 0x5bd1e995u) * 2246822519u),
      key_{client.ip, server.ip, ip_proto::Tcp, server_port} {}

void TcpConversation::send(bool from_client, uint8_t flags, Bytes payload) {
  uint32_t& seq = from_client ? client_next_seq_ : server_next_seq_;
  uint32_t ack = from_client ? server_next_seq_ : client_next_seq_;
  const Endpoint& from = from_client ? client_ : server_;
  const Endpoint& to = from_client ? server_ : client_;
  TcpFields fields{.src_port = from_client ? client_port_ : server_port_,
                   .dst_port = from_client ? server_port_ : client_port_,
                   .seq = seq,
                   .ack = (flags & tcp_flags::Ack) ? ack : 0,
                   .flags = flags,
                   .window = static_cast<uint16_t>(from_client ? 64240 : 8192),
                   .mss = (flags & tcp_flags::Syn) ? std::optional<uint16_t>(1460) : std::nullopt};
  Frame segment = tcp(from.ip, to.ip, fields, payload);
  Frame packet = ip_packet(from.ip, to.ip, ip_proto::Tcp, segment, from_client ? 128 : 64);
  recorder_.emit_ip(link_, from, to, packet, &key_);
  seq += static_cast<uint32_t>(payload.size()) + ((flags & (tcp_flags::Syn | tcp_flags::Fin)) ? 1 : 0);
}

void TcpConversation::handshake() {
  send(true, tcp_flags::Syn);
  pause(180'037);
  send(false, tcp_flags::Syn | tcp_flags::Ack);
  pause(60'011);
  send(true, tcp_flags::Ack);
  pause(500'000);
}

void TcpConversation::exchange(Bytes request, Bytes response, bool acknowledge) {
  send(true, tcp_flags::Psh | tcp_flags::Ack, request);
  pause(1'200'017);
  send(false, tcp_flags::Psh | tcp_flags::Ack, response);
  pause(90'003);
  if (acknowledge) {
    send(true, tcp_flags::Ack);
    pause(3'000'000);
  }
}

void TcpConversation::unanswered_syn(int attempts) {
  TcpFields fields{.src_port = client_port_,
                   .dst_port = server_port_,
                   .seq = client_next_seq_,
                   .ack = 0,
                   .flags = tcp_flags::Syn,
                   .window = 64240,
                   .mss = 1460};
  Frame packet = ip_packet(client_.ip, server_.ip, ip_proto::Tcp, tcp(client_.ip, server_.ip, fields, {}), 128);
  int64_t backoff = 1'000'000'000;
  for (int i = 0; i < attempts; ++i) {
    recorder_.emit_ip(link_, client_, server_, packet, &key_);
    pause(backoff);
    backoff *= 2;
  }
}

void TcpConversation::close() {
  send(true, tcp_flags::Fin | tcp_flags::Ack);
  pause(150'029);
  send(false, tcp_flags::Fin | tcp_flags::Ack);
  pause(70'001);
  send(true, tcp_flags::Ack);
  pause(1'000'000);
}

void TcpConversation::pause(int64_t ns) { recorder_.advance(ns / time_divisor_); }

bool is_well_known_server_port(uint16_t port) {
  switch (port) {
    case 502: case 102: case 2222: case 44818: case 47808: case 20000: case 2404: case 4840: case 1883:
    case 8883: case 9600: case 34962: case 34963: case 34964: case 5001: case 5007: case 5560: case 5562:
    case 1502: case 11740: case 1217: case 48898: case 18245: case 18246: case 1911: case 789: case 2455:
      return true;
  }
  return port < 1024;
}

UdpConversation::UdpConversation(Recorder& recorder, LinkWrap link, Endpoint client, Endpoint server,
                                 uint16_t client_port, uint16_t server_port)
    : recorder_(recorder),
      link_(std::move(link)),
      client_(client),
      server_(server),
      client_port_(client_port),
      server_port_(server_port),
      key_{client.ip, server.ip, ip_proto::Udp, server_port} {}

void UdpConversation::send(bool from_client, Bytes payload) {
  uint16_t src_port = from_client ? client_port_ : server_port_;
  uint16_t dst_port = from_client ? server_port_ : client_port_;
  if (first_) {
    // DHCP's 68 and DHCPv6's 546 are client ports; otherwise, between two server ports the lower
    // one is the server's (core/flow_table.cc decides the same way).
    const auto client_only = [](uint16_t port) { return port == 68 || port == 546; };
    bool swap = client_only(src_port) != client_only(dst_port)
                    ? client_only(dst_port)
                    : is_well_known_server_port(src_port) &&
                          (!is_well_known_server_port(dst_port) || src_port < dst_port);
    if (from_client == swap) {
      std::fprintf(stderr, "pcapgen: UDP roles of %s:%u -> %s:%u contradict the sensor's rule\n",
                   client_.ip.str().c_str(), client_port_, server_.ip.str().c_str(), server_port_);
      std::abort();
    }
    first_ = false;
  }
  const Endpoint& from = from_client ? client_ : server_;
  const Endpoint& to = from_client ? server_ : client_;
  Frame datagram = udp(from.ip, to.ip, src_port, dst_port, payload);
  Frame packet = ip_packet(from.ip, to.ip, ip_proto::Udp, datagram);
  // The sensor tracks no flow from an unspecified source (a DHCP client before it has an address).
  recorder_.emit_ip(link_, from, to, packet, from.ip.is_unspecified() ? nullptr : &key_);
}

PingConversation::PingConversation(Recorder& recorder, LinkWrap link, Endpoint client, Endpoint server,
                                   uint16_t id)
    : recorder_(recorder),
      link_(std::move(link)),
      client_(client),
      server_(server),
      id_(id),
      key_{client.ip, server.ip, client.ip.is_v4() ? ip_proto::Icmp : ip_proto::Icmpv6, 0} {}

void PingConversation::ping(uint16_t sequence, Bytes data, bool answered) {
  for (int leg = 0; leg < (answered ? 2 : 1); ++leg) {
    bool request = leg == 0;
    const Endpoint& from = request ? client_ : server_;
    const Endpoint& to = request ? server_ : client_;
    Frame message = from.ip.is_v4() ? icmp_echo(request, id_, sequence, data)
                                    : icmpv6_echo(from.ip, to.ip, request, id_, sequence, data);
    Frame packet = ip_packet(from.ip, to.ip, key_.transport, message);
    recorder_.emit_ip(link_, from, to, packet, &key_);
    recorder_.advance(request ? 400'000 : 1'000'000'000);
  }
}

Frame pattern_bytes(size_t size, uint32_t seed) {
  Frame out(size);
  uint32_t x = (seed * 747796405u + 2891336453u) | 1;  // xorshift must not start at 0
  for (uint8_t& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return out;
}

}  // namespace ots::pcapgen
