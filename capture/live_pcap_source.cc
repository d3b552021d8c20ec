#include "capture/live_pcap_source.h"

#include <pcap/pcap.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

#include "capture/packet_arena.h"

namespace ots {
namespace {

constexpr int kReadTimeoutMs = 100;
constexpr size_t kArenaChunkBytes = 1 << 20;

// pcap_datalink() returns DLT_* values, which differ from the LINKTYPE_* numbers for raw IP.
std::optional<LinkType> link_type_from_dlt(int dlt) {
  switch (dlt) {
    case DLT_NULL:
      return LinkType::Null;
    case DLT_EN10MB:
      return LinkType::Ethernet;
    case 12:   // DLT_RAW on most platforms
    case 14:   // DLT_RAW on OpenBSD
    case 101:  // LINKTYPE_RAW
      return LinkType::Raw;
    case 108:  // DLT_LOOP
      return LinkType::Loop;
    case 113:  // DLT_LINUX_SLL
      return LinkType::LinuxSll;
    case 228:  // DLT_IPV4
      return LinkType::Ipv4;
    case 229:  // DLT_IPV6
      return LinkType::Ipv6;
    case 276:  // DLT_LINUX_SLL2
      return LinkType::LinuxSll2;
    default:
      return std::nullopt;
  }
}

// libpcap messages sometimes end in a newline; an error line must not.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

class LivePcapSource final : public PacketSource {
 public:
  explicit LivePcapSource(const LiveCaptureOptions& options)
      : interface_(options.interface), arena_(std::max<size_t>(kArenaChunkBytes, options.snaplen)) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    handle_ = pcap_create(interface_.c_str(), errbuf);
    if (handle_ == nullptr) throw failure(errbuf);
    try {
      configure(options);
    } catch (...) {
      close_handles();
      throw;
    }
  }

  ~LivePcapSource() override { close_handles(); }

  std::string describe() const override { return interface_; }

  Burst receive_burst(size_t, std::span<PacketView> out) override {
    if (stop_requested_.load(std::memory_order_relaxed)) return {0, BurstStatus::End};
    Dispatch dispatch{this, out, 0};
    // Non-blocking: with TPACKET_V3 a blocking read would wait forever on a silent link
    // instead of honouring the timeout, so we poll ourselves (and wake on request_stop).
    if (!read_available(dispatch)) return {0, BurstStatus::Error};
    if (dispatch.count == 0) {
      pollfd fds[2] = {{pcap_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      int ready = ::poll(fds, 2, kReadTimeoutMs);
      if (stop_requested_.load(std::memory_order_relaxed)) return {0, BurstStatus::End};
      if (ready > 0 && (fds[0].revents & POLLIN) != 0 && !read_available(dispatch)) {
        return {0, BurstStatus::Error};
      }
    }
    if (dispatch.count == 0) return {0, BurstStatus::Idle};
    packets_.fetch_add(dispatch.count, std::memory_order_relaxed);
    bytes_.fetch_add(dispatch.wire_bytes, std::memory_order_relaxed);
    return {dispatch.count, BurstStatus::Packets};
  }

  void release(size_t) override { arena_.reset(); }

  // Async-signal-safe: an atomic store and a write to an eventfd.
  void request_stop() override {
    stop_requested_.store(true, std::memory_order_relaxed);
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(stop_fd_, &one, sizeof one);
  }

  SourceStats stats() const override {
    SourceStats stats;
    stats.packets = packets_.load(std::memory_order_relaxed);
    stats.bytes = bytes_.load(std::memory_order_relaxed);
    pcap_stat kernel{};
    if (pcap_stats(handle_, &kernel) == 0) {
      stats.dropped_by_sensor = kernel.ps_drop;       // socket buffer full: we were too slow
      stats.dropped_by_interface = kernel.ps_ifdrop;  // dropped by the NIC or driver
    }
    return stats;
  }

  std::string error() const override { return error_; }

 private:
  struct Dispatch {
    LivePcapSource* source;
    std::span<PacketView> out;
    size_t count;
    uint64_t wire_bytes = 0;
  };

  CaptureError failure(const std::string& reason) const {
    return CaptureError("cannot capture on '" + interface_ + "': " + one_line(reason));
  }

  void configure(const LiveCaptureOptions& options) {
    pcap_set_snaplen(handle_, static_cast<int>(std::min<uint32_t>(options.snaplen, INT32_MAX)));
    pcap_set_promisc(handle_, options.promiscuous ? 1 : 0);
    pcap_set_buffer_size(handle_,
                         static_cast<int>(std::min<uint64_t>(uint64_t{options.buffer_mb} << 20, INT32_MAX)));
    pcap_set_timeout(handle_, kReadTimeoutMs);
    // Not fatal if unsupported: pcap_get_tstamp_precision() below tells what we got.
    pcap_set_tstamp_precision(handle_, PCAP_TSTAMP_PRECISION_NANO);

    int status = pcap_activate(handle_);
    if (status < 0) {
      std::string detail = pcap_geterr(handle_);
      std::string reason = pcap_statustostr(status);
      if (!detail.empty() && detail != reason) reason += " (" + detail + ")";
      throw failure(reason);
    }
    ns_per_fraction_ = pcap_get_tstamp_precision(handle_) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;

    int dlt = pcap_datalink(handle_);
    std::optional<LinkType> link = link_type_from_dlt(dlt);
    if (!link) {
      const char* name = pcap_datalink_val_to_name(dlt);
      throw failure("unsupported link type DLT " + std::to_string(dlt) +
                    (name ? std::string(" (") + name + ")" : ""));
    }
    link_ = *link;

    if (!options.bpf.empty()) {
      bpf_program program{};
      if (pcap_compile(handle_, &program, options.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        throw failure("bad BPF filter '" + options.bpf + "': " + pcap_geterr(handle_));
      }
      int set = pcap_setfilter(handle_, &program);
      pcap_freecode(&program);
      if (set != 0) throw failure("cannot install BPF filter '" + options.bpf + "': " + pcap_geterr(handle_));
    }

    char errbuf[PCAP_ERRBUF_SIZE] = {};
    if (pcap_setnonblock(handle_, 1, errbuf) != 0) throw failure(errbuf);
    pcap_fd_ = pcap_get_selectable_fd(handle_);
    if (pcap_fd_ < 0) throw failure("no pollable descriptor for this interface");
    stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (stop_fd_ < 0) throw failure(std::string("eventfd: ") + std::strerror(errno));
  }

  void close_handles() {
    if (stop_fd_ >= 0) ::close(stop_fd_);
    stop_fd_ = -1;
    if (handle_ != nullptr) pcap_close(handle_);
    handle_ = nullptr;
  }

  // Drains what the kernel has ready into the rest of `dispatch.out`; false on a capture error.
  bool read_available(Dispatch& dispatch) {
    int room = static_cast<int>(std::min<size_t>(dispatch.out.size() - dispatch.count, INT32_MAX));
    if (room == 0) return true;
    int status =
        pcap_dispatch(handle_, room, &LivePcapSource::on_packet, reinterpret_cast<u_char*>(&dispatch));
    if (status == PCAP_ERROR) {
      error_ = "capture on '" + interface_ + "' failed: " + one_line(pcap_geterr(handle_));
      return false;
    }
    return true;
  }

  // libpcap reuses its buffer once the callback returns, so the bytes are copied out.
  static void on_packet(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    auto& dispatch = *reinterpret_cast<Dispatch*>(user);
    if (dispatch.count == dispatch.out.size()) return;
    LivePcapSource& self = *dispatch.source;
    PacketView& packet = dispatch.out[dispatch.count++];
    packet.ts_ns = static_cast<int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                   static_cast<int64_t>(header->ts.tv_usec) * self.ns_per_fraction_;
    packet.data = self.arena_.store(Bytes(bytes, header->caplen));
    packet.wire_len = std::max(header->len, header->caplen);
    packet.link = self.link_;
    packet.interface = 0;
    dispatch.wire_bytes += packet.wire_len;
  }

  std::string interface_;
  pcap_t* handle_ = nullptr;
  int pcap_fd_ = -1;
  int stop_fd_ = -1;
  LinkType link_ = LinkType::Ethernet;
  int64_t ns_per_fraction_ = 1000;
  PacketArena arena_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<uint64_t> packets_{0};
  std::atomic<uint64_t> bytes_{0};
  std::string error_;
};

}  // namespace

std::unique_ptr<PacketSource> open_live_capture(const LiveCaptureOptions& options) {
  return std::make_unique<LivePcapSource>(options);
}

}  // namespace ots
