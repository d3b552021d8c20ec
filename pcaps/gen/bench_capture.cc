#include "pcaps/gen/bench_capture.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "pcaps/gen/ot_payloads.h"
#include "pcaps/gen/recorder.h"

namespace ots::pcapgen {

namespace {

constexpr int64_t kStartNs = 1'705'320'000'000'000'000;  // 2024-01-15 12:00:00 UTC
constexpr uint32_t kMaxActiveFlows = 4096;
constexpr uint32_t kActionsPerArp = 64;
constexpr int64_t kThinkTimeDivisor = 500;  // a busy aggregation point: ~150 k packets/s

// splitmix64: tiny, fast and identical everywhere (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  uint32_t between(uint32_t low, uint32_t high) { return low + below(high - low + 1); }

 private:
  uint64_t state_;
};

enum class Protocol : uint8_t { Modbus, S7, Enip, Dnp3, Iec104, CyclicIo };

struct ProtocolShare {
  Protocol protocol;
  uint16_t port;
  uint32_t percent;
};
constexpr ProtocolShare kMix[] = {
    {Protocol::Modbus, 502, 30}, {Protocol::S7, 102, 20},     {Protocol::Enip, 44818, 15},
    {Protocol::Dnp3, 20000, 10}, {Protocol::Iec104, 2404, 10}, {Protocol::CyclicIo, 2222, 15},
};

// Field devices speak one protocol each, chosen from the mix by their index.
const ProtocolShare& protocol_of_field_device(uint32_t index) {
  uint32_t roll = static_cast<uint32_t>((uint64_t{index} * 2654435761u) % 100);
  for (const ProtocolShare& share : kMix) {
    if (roll < share.percent) return share;
    roll -= share.percent;
  }
  return kMix[0];
}

MacAddr device_mac(uint32_t index, bool master) {
  static constexpr uint8_t kFieldOuis[][3] = {
      {0x00, 0x1b, 0x1b}, {0x00, 0x1d, 0x9c}, {0x00, 0x80, 0xf4}, {0x00, 0x02, 0xa3}, {0x28, 0x63, 0x36}};
  static constexpr uint8_t kMasterOui[3] = {0x00, 0x0c, 0x29};
  const uint8_t* oui = master ? kMasterOui : kFieldOuis[index % 5];
  MacAddr m;
  m.bytes = {oui[0], oui[1], oui[2], static_cast<uint8_t>(index >> 16), static_cast<uint8_t>(index >> 8),
             static_cast<uint8_t>(index)};
  return m;
}

IpAddr device_ip(uint32_t index) {  // 10.64.0.1 onwards, skipping .0 and .255
  return IpAddr::v4(0x0a400000u + (index / 254) * 256 + index % 254 + 1);
}

struct Flow {
  std::unique_ptr<TcpConversation> tcp;
  std::unique_ptr<UdpConversation> udp;
  Protocol protocol = Protocol::Modbus;
  uint32_t exchanges_left = 0;
  uint32_t seed = 0;
  uint16_t transaction = 0;
  bool opened = false;
};

class BenchNetwork {
 public:
  BenchNetwork(Recorder& rec, const BenchOptions& options)
      : rec_(rec), options_(options), rng_(0x07c5e11a7e5eedull), link_(ethernet_link()) {
    uint32_t devices = std::max<uint32_t>(options.devices, 2);
    masters_ = std::max<uint32_t>(1, devices / 25);
    for (uint32_t i = 0; i < devices; ++i) hosts_.push_back({device_mac(i, i < masters_), device_ip(i)});
    double average = 0.9 * static_cast<double>(options.packets) / std::max<uint32_t>(options.flows, 1);
    average_budget_ = std::max<uint32_t>(8, static_cast<uint32_t>(average));
  }

  uint64_t run() {
    uint32_t window = std::min(std::max<uint32_t>(options_.flows, 1), kMaxActiveFlows);
    std::vector<Flow> active(window);
    for (Flow& flow : active) start(flow);
    uint64_t actions = 0;
    while (!rec_.full()) {
      if (++actions % kActionsPerArp == 0) arp_exchange();
      Flow& flow = active[rng_.below(window)];
      if (step(flow)) start(flow);
      rec_.advance(rng_.between(1'000, 9'000));
    }
    return started_;
  }

 private:
  uint32_t field_devices() const { return static_cast<uint32_t>(hosts_.size()) - masters_; }

  // Flow n belongs to connection n % flows; later rounds reconnect from new client ports.
  void start(Flow& flow) {
    uint32_t connection = static_cast<uint32_t>(started_ % std::max<uint32_t>(options_.flows, 1));
    uint32_t server = masters_ + connection % field_devices();
    uint32_t client = (connection / field_devices() + connection) % masters_;
    const ProtocolShare& share = protocol_of_field_device(server);
    uint16_t client_port = static_cast<uint16_t>(49152 + started_ % 16000);
    flow = Flow{};
    flow.protocol = share.protocol;
    flow.seed = static_cast<uint32_t>(rng_.next());
    uint32_t budget = std::max<uint32_t>(8, average_budget_ / 2 + rng_.below(average_budget_ + 1));
    Endpoint client_at{hosts_[client].mac, hosts_[client].ip};
    Endpoint server_at{hosts_[server].mac, hosts_[server].ip};
    if (share.protocol == Protocol::CyclicIo) {
      flow.udp = std::make_unique<UdpConversation>(rec_, link_, client_at, server_at, share.port, share.port);
      flow.exchanges_left = budget / 2;
      flow.opened = true;
    } else {
      flow.tcp = std::make_unique<TcpConversation>(rec_, link_, client_at, server_at, client_port, share.port,
                                                   flow.seed);
      flow.tcp->set_time_divisor(kThinkTimeDivisor);
      flow.exchanges_left = (budget - 6) * 4 / 9;  // 2.25 packets per exchange, 6 for open and close
    }
    ++started_;
  }

  // One action of a flow; true when the flow has ended.
  bool step(Flow& flow) {
    if (!flow.opened) {
      flow.tcp->handshake();
      flow.opened = true;
      return false;
    }
    if (flow.exchanges_left == 0) {
      if (flow.tcp) flow.tcp->close();
      return true;
    }
    --flow.exchanges_left;
    uint32_t seed = flow.seed + flow.transaction;
    uint16_t transaction = flow.transaction++;
    switch (flow.protocol) {
      case Protocol::Modbus: {
        uint16_t count = static_cast<uint16_t>(rng_.between(40, 125));
        flow.tcp->exchange(modbus_read_request(transaction, 1, 40001, count),
                           modbus_read_response(transaction, 1, count, seed), acknowledge());
        break;
      }
      case Protocol::S7: {
        uint16_t db = static_cast<uint16_t>(rng_.between(1, 20));
        uint16_t bytes = static_cast<uint16_t>(rng_.between(95, 495));
        flow.tcp->exchange(s7_read_var_request(transaction, db, 0, bytes), s7_read_var_response(transaction, bytes, seed),
                           acknowledge());
        break;
      }
      case Protocol::Enip: {
        uint16_t tag = static_cast<uint16_t>(rng_.between(0, 999));
        uint16_t elements = static_cast<uint16_t>(rng_.between(14, 115));
        uint64_t context = uint64_t{flow.seed} << 16 | transaction;
        flow.tcp->exchange(enip_read_tag_request(flow.seed, context, tag, elements),
                           enip_read_tag_response(flow.seed, context, elements, seed), acknowledge());
        break;
      }
      case Protocol::Dnp3: {
        uint8_t sequence = static_cast<uint8_t>(transaction);
        uint8_t points = static_cast<uint8_t>(rng_.between(36, 78));
        flow.tcp->exchange(dnp3_class0_poll(10, 1, sequence), dnp3_analog_response(1, 10, sequence, points, seed),
                           acknowledge());
        break;
      }
      case Protocol::Iec104: {
        // One I-frame each way per exchange: both sides' send numbers are the exchange number.
        uint16_t common_address = static_cast<uint16_t>(1 + flow.seed % 254);
        uint8_t count = static_cast<uint8_t>(rng_.between(12, 29));
        flow.tcp->exchange(iec104_interrogation(transaction, transaction, common_address),
                           iec104_measurements(transaction, static_cast<uint16_t>(transaction + 1), common_address,
                                               count, seed),
                           acknowledge());
        break;
      }
      case Protocol::CyclicIo:
        // Each direction produces on its own connection id (O->T and T->O).
        flow.udp->send(true, enip_io_packet(flow.seed, transaction + 1u, rng_.between(40, 580), seed));
        rec_.advance(rng_.between(50'000, 150'000) / kThinkTimeDivisor);
        flow.udp->send(false, enip_io_packet(flow.seed ^ 0x80000000u, transaction + 1u, rng_.between(40, 580),
                                             seed + 1));
        break;
    }
    return false;
  }

  bool acknowledge() { return rng_.below(4) == 0; }  // mostly the next request carries the ACK

  // Masters refresh their ARP caches for every device in turn.
  void arp_exchange() {
    const Endpoint& asker = hosts_[arp_counter_ % masters_];
    const Endpoint& answerer = hosts_[arp_counter_ % hosts_.size()];
    ++arp_counter_;
    if (asker.mac == answerer.mac) return;
    static const MacAddr kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    rec_.emit(ethernet({asker.mac, kBroadcast, {}}, ethertype::Arp, arp(1, asker.mac, asker.ip, {}, answerer.ip)));
    rec_.advance(rng_.between(50'000, 200'000) / kThinkTimeDivisor);
    rec_.emit(ethernet({answerer.mac, asker.mac, {}}, ethertype::Arp,
                       arp(2, answerer.mac, answerer.ip, asker.mac, asker.ip)));
  }

  Recorder& rec_;
  BenchOptions options_;
  Rng rng_;
  LinkWrap link_;
  std::vector<Endpoint> hosts_;  // masters first
  uint32_t masters_ = 1;
  uint32_t average_budget_ = 8;
  uint64_t started_ = 0;
  uint64_t arp_counter_ = 0;
};

}  // namespace

BenchSummary write_bench_capture(const BenchOptions& options, const std::string& path) {
  PcapWriter writer(path, 1);
  Recorder rec(writer, kStartNs);
  rec.set_packet_limit(options.packets);
  BenchNetwork network(rec, options);
  BenchSummary summary;
  summary.flows = network.run();
  writer.close();
  summary.packets = rec.packets();
  summary.wire_bytes = writer.offset() - 24 - 16 * summary.packets;
  summary.devices = std::max<uint32_t>(options.devices, 2);
  return summary;
}

}  // namespace ots::pcapgen
