#include "capture/dpdk_source.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>

#include "capture/packet_arena.h"

namespace ots {
namespace {

constexpr uint16_t kRxDescriptors = 1024;
constexpr unsigned kMempoolCache = 256;
constexpr size_t kScratchChunkBytes = 1 << 20;
constexpr uint8_t kSymmetricRssKeyPattern[2] = {0x6d, 0x5a};  // same hash for (a,b) and (b,a)

// PMDs whose RX timestamp dynfield holds Unix-epoch time, and its unit. net_pcap (DPDK 22.11) copies the pcap
// record time in microseconds, whatever the file's precision, and sets the field without being asked (it does
// not advertise RTE_ETH_RX_OFFLOAD_TIMESTAMP). Hardware NICs stamp in their own clock units, which would need
// per-device calibration; for those the wall clock at receive time is used.
int64_t epoch_timestamp_ns_per_unit(const char* driver) {
  return std::strcmp(driver, "net_pcap") == 0 ? 1000 : 0;
}

// The EAL keeps pointers into argv, and it can be initialised only once per process.
std::vector<std::string>& eal_argv_storage() {
  static std::vector<std::string> storage;
  return storage;
}
std::atomic<bool> eal_claimed{false};

std::string dpdk_error(int error) { return rte_strerror(error < 0 ? -error : error); }

int64_t wall_clock_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

class DpdkSource final : public PacketSource {
 public:
  explicit DpdkSource(const DpdkOptions& options)
      : port_(options.port), burst_size_(std::max<uint16_t>(options.burst_size, 1)) {
    init_eal(options.eal_args);
    try {
      configure_port(options);
    } catch (...) {
      shut_down();
      throw;
    }
  }

  ~DpdkSource() override { shut_down(); }

  std::string describe() const override { return "dpdk:port" + std::to_string(port_) + " (" + driver_ + ")"; }
  size_t queue_count() const override { return queues_.size(); }

  Burst receive_burst(size_t queue_id, std::span<PacketView> out) override {
    Queue& queue = *queues_[queue_id];
    uint16_t want = static_cast<uint16_t>(std::min<size_t>(out.size(), burst_size_));
    // Views from an unreleased burst stay valid: new mbufs are appended after them.
    if (queue.mbufs.size() < queue.held + want) queue.mbufs.resize(queue.held + want);
    rte_mbuf** mbufs = queue.mbufs.data() + queue.held;
    uint16_t received = rte_eth_rx_burst(port_, static_cast<uint16_t>(queue_id), mbufs, want);
    if (received == 0) return {0, BurstStatus::Idle};
    queue.held += received;

    int64_t receive_time = 0;
    uint64_t wire_bytes = 0;
    for (uint16_t i = 0; i < received; ++i) {
      rte_mbuf* mbuf = mbufs[i];
      PacketView& packet = out[i];
      if (mbuf->nb_segs == 1) {
        packet.data = Bytes(rte_pktmbuf_mtod(mbuf, const uint8_t*), mbuf->data_len);
      } else {
        // Chained segments (jumbo frames) are linearised so dissectors see one contiguous frame.
        uint8_t* scratch = queue.scratch.allocate(mbuf->pkt_len);
        auto* data = static_cast<const uint8_t*>(rte_pktmbuf_read(mbuf, 0, mbuf->pkt_len, scratch));
        packet.data = Bytes(data, data == nullptr ? 0 : mbuf->pkt_len);
      }
      if (timestamp_flag_ != 0 && (mbuf->ol_flags & timestamp_flag_) != 0) {
        auto stamp = *RTE_MBUF_DYNFIELD(mbuf, timestamp_offset_, rte_mbuf_timestamp_t*);
        packet.ts_ns = static_cast<int64_t>(stamp) * timestamp_ns_per_unit_;
      } else {
        if (receive_time == 0) receive_time = wall_clock_ns();
        packet.ts_ns = receive_time;
      }
      packet.wire_len = mbuf->pkt_len;
      packet.link = LinkType::Ethernet;
      packet.interface = port_;
      wire_bytes += mbuf->pkt_len;
    }
    queue.packets.fetch_add(received, std::memory_order_relaxed);
    queue.bytes.fetch_add(wire_bytes, std::memory_order_relaxed);
    return {received, BurstStatus::Packets};
  }

  void release(size_t queue_id) override {
    Queue& queue = *queues_[queue_id];
    if (queue.held > 0) rte_pktmbuf_free_bulk(queue.mbufs.data(), static_cast<unsigned>(queue.held));
    queue.held = 0;
    queue.scratch.reset();
  }

  SourceStats stats() const override {
    SourceStats stats;
    for (const auto& queue : queues_) {
      stats.packets += queue->packets.load(std::memory_order_relaxed);
      stats.bytes += queue->bytes.load(std::memory_order_relaxed);
    }
    rte_eth_stats port_stats{};
    if (port_started_ && rte_eth_stats_get(port_, &port_stats) == 0) {
      stats.dropped_by_sensor = port_stats.rx_nombuf;   // mempool empty: we hold mbufs too long
      stats.dropped_by_interface = port_stats.imissed;  // NIC ring full
    }
    return stats;
  }

 private:
  // One per RX queue, polled by one thread; cache-line aligned so workers do not share lines.
  struct alignas(64) Queue {
    std::vector<rte_mbuf*> mbufs;
    size_t held = 0;  // mbufs handed out and not yet released
    PacketArena scratch{kScratchChunkBytes};
    std::atomic<uint64_t> packets{0};
    std::atomic<uint64_t> bytes{0};
  };

  void init_eal(const std::string& eal_args) {
    std::vector<std::string> words = split_eal_args(eal_args);
    if (eal_claimed.exchange(true)) {
      throw CaptureError("DPDK EAL initialisation failed: the EAL can be initialised only once per process");
    }
    std::vector<std::string>& storage = eal_argv_storage();
    storage.clear();
    storage.push_back("otsensor");
    storage.insert(storage.end(), words.begin(), words.end());
    std::vector<char*> argv;
    for (std::string& word : storage) argv.push_back(word.data());
    argv.push_back(nullptr);
    if (rte_eal_init(static_cast<int>(storage.size()), argv.data()) < 0) {
      throw CaptureError("DPDK EAL initialisation failed: " + dpdk_error(rte_errno));
    }
    eal_ready_ = true;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw CaptureError("DPDK port " + std::to_string(port_) + ": " + what);
  }

  void configure_port(const DpdkOptions& options) {
    if (!rte_eth_dev_is_valid_port(port_)) {
      std::string available;
      uint16_t id;
      RTE_ETH_FOREACH_DEV(id) {
        char name[RTE_ETH_NAME_MAX_LEN] = {};
        rte_eth_dev_get_name_by_port(id, name);
        available += (available.empty() ? "" : ", ") + std::to_string(id) + " (" + name + ")";
      }
      fail("does not exist; available ports: " +
           (available.empty() ? "none (check --vdev or the PCI binding)" : available));
    }
    rte_eth_dev_info info{};
    if (int rc = rte_eth_dev_info_get(port_, &info); rc != 0)
      fail("cannot read device info: " + dpdk_error(rc));
    driver_ = info.driver_name;
    uint16_t queue_count = std::max<uint16_t>(options.queues, 1);
    if (queue_count > info.max_rx_queues) {
      fail(std::to_string(queue_count) + " RX queues requested, " + driver_ + " offers " +
           std::to_string(info.max_rx_queues));
    }

    rte_eth_conf conf{};
    std::vector<uint8_t> rss_key;
    if (queue_count > 1) {
      uint64_t hash_fields =
          (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
      if (hash_fields == 0) fail(driver_ + " has no RSS for IP/TCP/UDP; use one queue");
      rss_key.resize(info.hash_key_size != 0 ? info.hash_key_size : 40);
      for (size_t i = 0; i < rss_key.size(); ++i) rss_key[i] = kSymmetricRssKeyPattern[i % 2];
      conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
      conf.rx_adv_conf.rss_conf.rss_key = rss_key.data();
      conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<uint8_t>(rss_key.size());
      conf.rx_adv_conf.rss_conf.rss_hf = hash_fields;
    }
    int64_t timestamp_ns_per_unit = epoch_timestamp_ns_per_unit(info.driver_name);
    if (timestamp_ns_per_unit != 0 && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) != 0) {
      conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
    }

    // Receive-only: no TX queue is configured, so nothing can ever be sent.
    if (int rc = rte_eth_dev_configure(port_, queue_count, 0, &conf); rc != 0) {
      fail("configuration with " + std::to_string(queue_count) + " RX queues failed: " + dpdk_error(rc));
    }
    port_configured_ = true;
    uint16_t rx_descriptors = kRxDescriptors;
    uint16_t tx_descriptors = 0;
    rte_eth_dev_adjust_nb_rx_tx_desc(port_, &rx_descriptors, &tx_descriptors);

    int socket = rte_eth_dev_socket_id(port_);
    std::string pool_name = "ots_rx_port" + std::to_string(port_);
    unsigned cache = std::min<unsigned>(kMempoolCache, options.mbufs / 2);
    pool_ = rte_pktmbuf_pool_create(pool_name.c_str(), options.mbufs, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                    socket);
    if (pool_ == nullptr) {
      fail("cannot create a pool of " + std::to_string(options.mbufs) + " mbufs: " + dpdk_error(rte_errno));
    }
    for (uint16_t q = 0; q < queue_count; ++q) {
      if (int rc = rte_eth_rx_queue_setup(port_, q, rx_descriptors, socket, nullptr, pool_); rc != 0) {
        fail("RX queue " + std::to_string(q) + " setup failed: " + dpdk_error(rc));
      }
      queues_.push_back(std::make_unique<Queue>());
      queues_.back()->mbufs.resize(burst_size_);
    }
    if (int rc = rte_eth_dev_start(port_); rc != 0) fail("start failed: " + dpdk_error(rc));
    port_started_ = true;
    // Best effort: virtual devices without the notion (and some VFs) refuse, which does not stop capture.
    rte_eth_promiscuous_enable(port_);

    if (timestamp_ns_per_unit != 0) {
      int offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
      int flag = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
      if (offset >= 0 && flag >= 0) {
        timestamp_offset_ = offset;
        timestamp_flag_ = uint64_t{1} << flag;
        timestamp_ns_per_unit_ = timestamp_ns_per_unit;
      }
    }
  }

  void shut_down() {
    for (size_t q = 0; q < queues_.size(); ++q) release(q);
    if (port_started_) rte_eth_dev_stop(port_);
    if (port_configured_) rte_eth_dev_close(port_);
    port_started_ = port_configured_ = false;
    if (pool_ != nullptr) rte_mempool_free(pool_);
    pool_ = nullptr;
    if (eal_ready_) rte_eal_cleanup();
    eal_ready_ = false;
  }

  uint16_t port_;
  uint16_t burst_size_;
  std::string driver_ = "?";
  bool eal_ready_ = false;
  bool port_configured_ = false;
  bool port_started_ = false;
  rte_mempool* pool_ = nullptr;
  std::vector<std::unique_ptr<Queue>> queues_;
  int timestamp_offset_ = -1;
  uint64_t timestamp_flag_ = 0;  // 0: no per-packet timestamps, use the wall clock
  int64_t timestamp_ns_per_unit_ = 0;
};

}  // namespace

std::vector<std::string> split_eal_args(const std::string& args) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : args) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) throw CaptureError(std::string("DPDK EAL arguments: unclosed ") + quote + " quote");
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::unique_ptr<PacketSource> open_dpdk(const DpdkOptions& options) {
  return std::make_unique<DpdkSource>(options);
}

}  // namespace ots
