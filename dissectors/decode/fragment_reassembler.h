// Private to dissectors/decode: IPv4 and IPv6 fragment reassembly for one worker.
// A worker rarely has more than a handful of datagrams in flight, so pending
// datagrams live in a vector in arrival order (the front is the oldest) and each
// keeps its received byte ranges as a short sorted list.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/net_types.h"
#include "dissectors/decode/decoded_packet.h"
#include "dissectors/decode/packet_decoder.h"

namespace ots::decode_detail {

struct FragmentKey {
  IpAddr src, dst;
  uint32_t id = 0;
  uint8_t ip_version = 0;
  uint8_t proto = 0;
  uint8_t tunnel_depth = 0;
  uint8_t vlan_count = 0;
  std::array<uint16_t, 2> vlans{};
  bool operator==(const FragmentKey&) const = default;
};

// What the reassembled packet reports: the L2 and IP header fields of the fragment at offset 0.
struct FirstFragmentInfo {
  bool has_ethernet = false;
  MacAddr src_mac, dst_mac;
  uint16_t ethertype = 0;
  uint8_t ttl = 0;
};

struct Fragment {
  uint32_t offset = 0;  // bytes into the fragmentable part
  bool more = false;
  Bytes data;
  uint32_t max_datagram_payload = 65535;  // larger reassembled datagrams are refused
  int64_t ts_ns = 0;
  uint32_t wire_len = 0;
};

class FragmentReassembler {
 public:
  enum class Outcome : uint8_t {
    Held,      // stored, datagram still incomplete
    Complete,  // datagram rebuilt: see datagram/first/wire_len
    Rejected,  // not stored (see anomaly), or the datagram was dropped
  };
  struct Result {
    Outcome outcome = Outcome::Held;
    DecodeAnomaly anomaly = DecodeAnomaly::None;  // overlap / too large; None when just dropped by a limit
    Bytes datagram;                               // valid until the next completion
    FirstFragmentInfo first;
    uint32_t wire_len = 0;  // sum of the fragments' wire lengths
    uint32_t fragments = 0;  // frames that made up the datagram
  };

  // Datagrams with more fragments than this are dropped (tiny-fragment floods).
  static constexpr uint32_t kMaxFragmentsPerDatagram = 256;
  // Bookkeeping charged per fragment against the byte budget, so empty fragments are not free.
  static constexpr size_t kFragmentOverhead = 64;

  FragmentReassembler(const DecoderConfig& config, DecoderStats& stats) : config_(config), stats_(stats) {}

  Result add(const FragmentKey& key, const Fragment& fragment, const FirstFragmentInfo& info);
  // Drops datagrams whose first fragment is older than the timeout, in packet time.
  void expire(int64_t now_ns) {
    if (!pending_.empty() && is_expired(oldest_first_ts_, now_ns)) expire_slow(now_ns);
  }

 private:
  struct Pending {
    FragmentKey key;
    int64_t first_ts_ns = 0;
    std::vector<uint8_t> data;
    std::vector<std::pair<uint32_t, uint32_t>> ranges;  // received [begin, end), sorted, merged
    uint32_t total = 0;
    bool total_known = false;
    bool have_first = false;
    FirstFragmentInfo first;
    uint32_t fragments = 0;
    uint32_t wire_len = 0;
    size_t charged = 0;
  };

  bool is_expired(int64_t first_ts_ns, int64_t now_ns) const {
    // Unsigned difference: no overflow whatever the (untrusted) timestamps are.
    return now_ns > first_ts_ns && static_cast<uint64_t>(now_ns) - static_cast<uint64_t>(first_ts_ns) >
                                       static_cast<uint64_t>(config_.fragment_timeout_ns);
  }
  void expire_slow(int64_t now_ns);
  void drop(size_t index);
  void update_oldest();
  static bool store(Pending& p, uint32_t begin, Bytes data);

  DecoderConfig config_;
  DecoderStats& stats_;
  std::vector<Pending> pending_;
  size_t pending_bytes_ = 0;
  int64_t oldest_first_ts_ = 0;
  std::vector<uint8_t> output_;  // the last completed datagram
};

}  // namespace ots::decode_detail
