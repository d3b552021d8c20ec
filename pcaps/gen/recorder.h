// Writes a scenario's frames and derives its ground truth from the scenario
// itself: scenarios declare the devices they expect, and every frame emitted for
// a connection is counted towards it (packets and wire bytes), so the
// expectation file never depends on otsensor's own decoding.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pcaps/gen/capture_writer.h"
#include "pcaps/gen/frame_builder.h"

namespace ots::pcapgen {

// A host as the capture point sees it: `mac` is the L2 address its frames carry
// on the captured link (the router's MAC for a host in another subnet).
struct Endpoint {
  MacAddr mac;
  IpAddr ip;
};

struct ExpectedConnectionKey {
  IpAddr client, server;
  uint8_t transport = 0;  // IP protocol number
  uint16_t server_port = 0;
  auto operator<=>(const ExpectedConnectionKey&) const = default;
};

// What the scenario made a device say about itself: `field` is the inventory's camelCase
// fact name ("vendor", "productName" …), `protocol` the dissector that reports it.
struct ExpectedFact {
  std::string field, value, protocol;
};
// A protocol the device speaks, as "client" or "server".
struct ExpectedProtocol {
  std::string protocol, role;
};

struct ExpectedDevice {
  std::optional<MacAddr> mac;
  std::vector<IpAddr> ips;
  std::vector<uint16_t> vlans;  // 0 = untagged
  bool is_router = false;
  std::vector<ExpectedFact> facts = {};
  std::vector<ExpectedProtocol> protocols = {};
};

// Turns an L3 packet between two endpoints into the captured frame: Ethernet
// (with VLAN tags), a tunnel around an inner Ethernet frame, or another link type.
using LinkWrap = std::function<Frame(const Endpoint& from, const Endpoint& to, uint16_t ether_type, Bytes l3)>;
LinkWrap ethernet_link(std::vector<uint16_t> vlans = {});

class Recorder {
 public:
  Recorder(CaptureWriter& writer, int64_t start_ns) : writer_(writer), now_ns_(start_ns) {}

  int64_t now() const { return now_ns_; }
  void advance(int64_t ns) { now_ns_ += ns; }
  void set_interface(uint16_t interface) { interface_ = interface; }
  // Frames past the limit are dropped, so a capture has exactly the asked-for size.
  void set_packet_limit(uint64_t limit) { limit_ = limit; }
  bool full() const { return packets_ >= limit_; }
  uint64_t packets() const { return packets_; }
  CaptureWriter& writer() { return writer_; }

  // Writes one frame at the current time, counted towards `connection` when given.
  void emit(Bytes frame, const ExpectedConnectionKey* connection = nullptr);
  // Wraps an IPv4/IPv6 packet with `link` and emits it.
  void emit_ip(const LinkWrap& link, const Endpoint& from, const Endpoint& to, Bytes ip_packet,
               const ExpectedConnectionKey* connection = nullptr);

  void expect_device(ExpectedDevice device) { devices_.push_back(std::move(device)); }
  // Behaviour-pack alert ids the capture must raise (an empty list: it must raise none).
  void expect_alerts(std::vector<std::string> ids) { alerts_ = std::move(ids); }
  // The expectation file: packets, devices, connections (and the bad record's offset).
  std::string expectation_json(std::optional<uint64_t> bad_record_offset = std::nullopt) const;

 private:
  struct ConnectionCount {
    uint64_t packets = 0, bytes = 0;
  };
  CaptureWriter& writer_;
  int64_t now_ns_;
  uint16_t interface_ = 0;
  uint64_t packets_ = 0;
  uint64_t limit_ = UINT64_MAX;
  std::vector<ExpectedDevice> devices_;
  std::optional<std::vector<std::string>> alerts_;
  std::map<ExpectedConnectionKey, ConnectionCount> connections_;
};

// A TCP connection with real sequence numbers: handshake, request/response
// exchanges, FIN close. The client is the SYN sender.
class TcpConversation {
 public:
  TcpConversation(Recorder& recorder, LinkWrap link, Endpoint client, Endpoint server, uint16_t client_port,
                  uint16_t server_port, uint32_t isn_seed);

  void handshake();
  // A segment from one side, acknowledging everything the other side sent.
  void send(bool from_client, uint8_t flags, Bytes payload = {});
  // Client request (PSH|ACK), server response (PSH|ACK) and, when `acknowledge`, a
  // pure client ACK (without it the next request carries the acknowledgement).
  void exchange(Bytes request, Bytes response, bool acknowledge = true);
  // The same SYN sent `attempts` times with exponential back-off, never answered.
  void unanswered_syn(int attempts);
  void close();  // FIN/ACK from the client, FIN/ACK from the server, final ACK

  // Divides the built-in think times (for dense benchmark captures).
  void set_time_divisor(int64_t divisor) { time_divisor_ = divisor; }
  const ExpectedConnectionKey& key() const { return key_; }

 private:
  void pause(int64_t ns);

  Recorder& recorder_;
  LinkWrap link_;
  Endpoint client_, server_;
  uint16_t client_port_, server_port_;
  uint32_t client_next_seq_, server_next_seq_;
  int64_t time_divisor_ = 1;
  ExpectedConnectionKey key_;
};

// A UDP flow. The sensor names the first sender the client unless that first
// packet comes from a well-known server port to a port that is not, or to a higher
// server port; datagrams from an unspecified source belong to no flow. The
// constructor's `client` must agree with that rule for the first packet sent
// (checked, so a scenario cannot state a role the rule would not derive).
class UdpConversation {
 public:
  UdpConversation(Recorder& recorder, LinkWrap link, Endpoint client, Endpoint server, uint16_t client_port,
                  uint16_t server_port);
  void send(bool from_client, Bytes payload);
  const ExpectedConnectionKey& key() const { return key_; }

 private:
  Recorder& recorder_;
  LinkWrap link_;
  Endpoint client_, server_;
  uint16_t client_port_, server_port_;
  bool first_ = true;
  ExpectedConnectionKey key_;
};

// ICMP or ICMPv6 echo request/reply pairs; the client sends the requests.
class PingConversation {
 public:
  PingConversation(Recorder& recorder, LinkWrap link, Endpoint client, Endpoint server, uint16_t id);
  void ping(uint16_t sequence, Bytes data, bool answered = true);
  const ExpectedConnectionKey& key() const { return key_; }

 private:
  Recorder& recorder_;
  LinkWrap link_;
  Endpoint client_, server_;
  uint16_t id_;
  ExpectedConnectionKey key_;
};

// Ports the sensor treats as server ports when it decides UDP/ICMP roles.
bool is_well_known_server_port(uint16_t port);

// Deterministic byte patterns for payloads ("arbitrary bytes" that still differ per flow).
Frame pattern_bytes(size_t size, uint32_t seed);

}  // namespace ots::pcapgen
