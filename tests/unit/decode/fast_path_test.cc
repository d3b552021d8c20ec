// The decoder's fast path against its general header walk: every frame of every capture
// we have, byte-level mutations of those frames, and hand-made frames on either side of
// each fast-path condition must decode identically with and without the fast path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "capture/pcap_file_source.h"
#include "dissectors/decode/fast_path.h"
#include "dissectors/decode/packet_decoder.h"
#include "tests/unit/decode/decode_diff.h"
#include "tests/unit/decode/frame_builder.h"

namespace ots {
namespace {

using namespace test;

// The project's generated captures, and the shared public ones when this machine has them.
std::vector<std::filesystem::path> capture_files() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {OTS_SOURCE_DIR "/pcaps", "/work/shared/pcaps"}) {
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct CaptureFrame {
  std::vector<uint8_t> bytes;
  PacketView view;  // data set by frame_view()
};

std::vector<CaptureFrame> read_capture(const std::filesystem::path& path) {
  std::vector<CaptureFrame> frames;
  std::unique_ptr<PacketSource> source = open_capture_file(path.string());
  std::vector<PacketView> burst(64);
  for (;;) {
    Burst b = source->receive_burst(0, burst);
    for (size_t i = 0; i < b.count; ++i)
      frames.push_back({std::vector<uint8_t>(burst[i].data.begin(), burst[i].data.end()), burst[i]});
    source->release(0);
    if (b.status == BurstStatus::End || b.status == BurstStatus::Error) break;
  }
  return frames;
}

PacketView frame_view(const CaptureFrame& f) {
  PacketView v = f.view;
  v.data = Bytes(f.bytes);
  return v;
}

// At most this many differences are reported per test, so one bug does not flood the log.
constexpr int kMaxReported = 10;

TEST(FastPathDifferential, EveryFrameOfEveryCapture) {
  std::vector<std::filesystem::path> files = capture_files();
  ASSERT_FALSE(files.empty());
  uint64_t frames = 0, fast = 0;
  int reported = 0;
  for (const auto& path : files) {
    std::vector<CaptureFrame> capture = read_capture(path);
    DifferentialDecoder decoders;  // one per capture, as a replay has: fragments meet their datagram
    for (size_t i = 0; i < capture.size(); ++i) {
      std::string diff = decoders.decode(frame_view(capture[i]));
      if (!diff.empty() && reported++ < kMaxReported) ADD_FAILURE() << path << " frame " << i << ": " << diff;
    }
    frames += capture.size();
    fast += decoders.fast().fast_path_frames();
    EXPECT_EQ(decoders.walk().fast_path_frames(), 0u);
  }
  EXPECT_EQ(reported, 0);
  // The comparison means something only if the fast path took most of these frames.
  EXPECT_GT(frames, 10'000u);
  EXPECT_GT(fast, frames / 2);
  std::printf("%zu captures, %llu frames, %llu on the fast path\n", files.size(),
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(fast));
}

// Each captured frame with one header byte changed, cut short, or marked as snapped: the
// frames just outside (and just inside) the fast path's conditions that real captures
// rarely contain.
TEST(FastPathDifferential, MutatedCaptureFrames) {
  constexpr size_t kFramesPerCapture = 300;
  constexpr int kMutationsPerFrame = 24;
  constexpr size_t kHeaderBytes = 80;  // where every field the fast path reads lies
  std::mt19937 random(20240611);
  uint64_t mutants = 0, fast = 0;
  int reported = 0;
  for (const auto& path : capture_files()) {
    std::vector<CaptureFrame> capture = read_capture(path);
    DifferentialDecoder decoders;
    for (size_t i = 0; i < std::min(capture.size(), kFramesPerCapture); ++i) {
      for (int m = 0; m < kMutationsPerFrame; ++m) {
        CaptureFrame mutant = capture[i];
        std::vector<uint8_t>& bytes = mutant.bytes;
        if (bytes.empty()) continue;
        size_t reach = std::min(bytes.size(), kHeaderBytes);
        switch (random() % 4) {
          case 0: bytes[random() % reach] ^= static_cast<uint8_t>(1u << (random() % 8)); break;
          case 1: bytes[random() % reach] = static_cast<uint8_t>(random()); break;
          case 2:
            bytes.resize(random() % bytes.size());
            if (random() % 2) mutant.view.wire_len = static_cast<uint32_t>(capture[i].bytes.size());
            break;
          case 3: mutant.view.wire_len = static_cast<uint32_t>(bytes.size() + 1 + random() % 100); break;
        }
        if (bytes.size() < capture[i].bytes.size() && random() % 2)
          mutant.view.wire_len = static_cast<uint32_t>(bytes.size());
        std::string diff = decoders.decode(frame_view(mutant));
        if (!diff.empty() && reported++ < kMaxReported)
          ADD_FAILURE() << path << " frame " << i << " mutation " << m << ": " << diff;
        ++mutants;
      }
    }
    fast += decoders.fast().fast_path_frames();
  }
  EXPECT_EQ(reported, 0);
  EXPECT_GT(fast, mutants / 10);
  EXPECT_LT(fast, mutants);
}

// Hand-made frames on both sides of every fast-path condition; `fast` says which side.
struct BoundaryCase {
  const char* name;
  Frame frame;
  bool fast;
  uint32_t wire_len = 0;  // 0: the frame's size
};

Frame eth4(uint8_t proto, const Frame& l4, Ipv4Options o = {}, std::initializer_list<Vlan> vlans = {}) {
  return ethernet(kMacB, kMacA, 0x0800, ipv4(kIp1, kIp2, proto, l4, o), vlans);
}
Frame eth6(uint8_t next, const Frame& l4) { return ethernet(kMacB, kMacA, 0x86dd, ipv6(kIp6a, kIp6b, next, l4)); }
Frame with_byte(Frame f, size_t index, uint8_t value) {
  f.at(index) = value;
  return f;
}
Frame prefix(Frame f, size_t size) {
  f.resize(size);
  return f;
}
Frame padded(Frame f, size_t size) {
  f.resize(std::max(f.size(), size), 0xee);
  return f;
}

std::vector<BoundaryCase> boundary_cases() {
  const Frame body = filler(12);
  const Frame seg = tcp(40000, 502, tcp_flag::Psh | tcp_flag::Ack, body, 0x01020304, 0x0a0b0c0d);
  const Frame dgram = udp(47808, 47808, body);
  const Frame ping = icmp(8, 0, body);
  constexpr size_t kL3 = 14, kL4 = 14 + 20;  // offsets of the IP header, and of L4 after IPv4
  Frame snapped_base = eth4(6, seg);
  std::vector<BoundaryCase> cases = {
      {"ipv4 tcp", eth4(6, seg), true},
      {"ipv4 tcp with options", eth4(6, tcp(1, 2, tcp_flag::Syn, body, 5, 6, 12)), true},
      {"ipv4 tcp no payload padded", padded(eth4(6, tcp(1, 2, tcp_flag::Syn, {})), 60), true},
      {"ipv4 udp padded", padded(eth4(17, udp(1, 2, {7})), 60), true},
      {"ipv4 udp short length", eth4(17, udp(1, 2, body, -4)), true},
      {"ipv4 icmp", eth4(1, ping), true},
      {"ipv4 proto 58", eth4(58, ping), true},
      {"ipv4 bad checksum", eth4(6, seg, {.bad_checksum = true}), true},
      {"ipv4 don't fragment (checksum now bad)", with_byte(eth4(6, seg), kL3 + 6, 0x40), true},
      {"ipv4 reserved flag (checksum now bad)", with_byte(eth4(6, seg), kL3 + 6, 0x80), true},
      {"ipv4 total length inside the frame", eth4(6, seg, {.total_length_delta = -1}), true},
      {"ipv4 ttl 0", eth4(17, dgram, {.ttl = 0}), true},
      {"one vlan", eth4(17, dgram, {}, {{0x8100, 10}}), true},
      {"qinq", eth4(17, dgram, {}, {{0x88a8, 100}, {0x8100, 4095}}), true},
      {"legacy qinq", eth4(17, dgram, {}, {{0x9100, 7}, {0x8100, 8}}), true},
      {"ipv6 tcp", eth6(6, seg), true},
      {"ipv6 udp", eth6(17, dgram), true},
      {"ipv6 icmpv6", eth6(58, icmp(135, 0, body)), true},
      {"ipv6 proto 1", eth6(1, ping), true},
      {"ipv6 padded", padded(eth6(17, udp(1, 2, {})), 80), true},
      {"udp 4789 without vxlan flag", eth4(17, udp(1, 4789, filler(16, 0))), true},
      {"udp 4789 too short for vxlan", eth4(17, udp(1, 4789, {0x08, 0, 0, 0, 0, 0, 0})), true},

      {"vxlan", eth4(17, udp(1, 4789, vxlan(eth4(6, seg)))), false},
      {"gre", eth4(47, gre(0x0800, ipv4(kIp1, kIp2, 17, dgram))), false},
      {"erspan", eth4(47, erspan2(eth4(6, seg))), false},
      {"three vlans", eth4(17, dgram, {}, {{0x8100, 1}, {0x8100, 2}, {0x8100, 3}}), false},
      {"truncated vlan", prefix(eth4(6, seg, {}, {{0x8100, 5}}), 16), false},
      {"arp", ethernet(kMacB, kMacA, 0x0806, arp(1, kMacA, kIp1, {}, kIp2)), false},
      {"lldp", ethernet(kMacB, kMacA, 0x88cc, body), false},
      {"802.3 llc", ethernet(kMacB, kMacA, 0x0026, padded({0x42, 0x42, 0x03}, 38)), false},
      {"ipv4 options", eth4(6, seg, {.option_bytes = 4}), false},
      {"ipv4 first fragment", eth4(17, dgram, {.more_fragments = true}), false},
      {"ipv4 last fragment", eth4(17, dgram, {.fragment_offset = 8}), false},
      {"ipv4 total length long", eth4(6, seg, {.total_length_delta = 1}), false},
      {"ipv4 bad version", with_byte(eth4(6, seg), kL3, 0x65), false},
      {"ipv4 other proto", eth4(89, body), false},
      {"ipv4 tcp truncated", eth4(6, filler(19)), false},
      {"ipv4 tcp small offset", with_byte(eth4(6, seg), kL4 + 12, 0x40), false},
      {"ipv4 tcp large offset", with_byte(eth4(6, seg), kL4 + 12, 0xf0), false},
      {"ipv4 udp truncated", eth4(17, filler(7)), false},
      {"ipv4 udp length short", eth4(17, udp(1, 2, {}, -1)), false},
      {"ipv4 udp length long", eth4(17, udp(1, 2, body, 1)), false},
      {"ipv4 icmp truncated", eth4(1, {8, 0, 0}), false},
      {"ipv6 hop-by-hop", eth6(0, ipv6_option_header(17, dgram)), false},
      {"ipv6 fragment", eth6(44, ipv6_fragment(17, 0, true, 1, dgram)), false},
      {"ipv6 jumbogram", with_byte(with_byte(eth6(17, dgram), kL3 + 4, 0), kL3 + 5, 0), false},
      {"ipv6 payload length long", with_byte(eth6(17, dgram), kL3 + 5, static_cast<uint8_t>(dgram.size() + 1)),
       false},
      {"ipv6 bad version", with_byte(eth6(17, dgram), kL3, 0x40), false},
      {"ipv4 ethertype, ipv6 inside", ethernet(kMacB, kMacA, 0x0800, ipv6(kIp6a, kIp6b, 17, dgram)), false},
      {"short ethernet", Frame(13, 0), false},
      {"snapped", snapped_base, false, static_cast<uint32_t>(snapped_base.size() + 1)},
  };
  return cases;
}

TEST(FastPathDifferential, BoundaryFrames) {
  DifferentialDecoder decoders;
  uint64_t expected_fast = 0;
  for (const BoundaryCase& c : boundary_cases()) {
    expected_fast += c.fast;
    uint64_t fast_before = decoders.fast().fast_path_frames();
    PacketView packet = view(c.frame, LinkType::Ethernet, 1'000'000'000, c.wire_len);
    EXPECT_EQ(decoders.decode(packet), "") << c.name;
    EXPECT_EQ(decoders.fast().fast_path_frames() - fast_before, c.fast ? 1u : 0u) << c.name;
  }
  // The same bytes under another link type never take the fast path.
  Frame raw = ipv4(kIp1, kIp2, 6, tcp(1, 2, 0, {}));
  EXPECT_EQ(decoders.decode(view(raw, LinkType::Raw)), "");
  EXPECT_EQ(decoders.decode(view(cat({Frame{2, 0, 0, 0}, raw}), LinkType::Null)), "");
  EXPECT_EQ(decoders.fast().fast_path_frames(), expected_fast);
  EXPECT_GE(expected_fast, 20u);
}

// Fragments held by both decoders and completed by a later frame: the fast path must leave
// the reassembler's state (and expiry) to the walk exactly as before.
TEST(FastPathDifferential, FragmentsBetweenCommonFrames) {
  Frame datagram = udp(5000, 20000, filler(40));
  auto fragment = [&](size_t begin, size_t end) {
    return eth4(17, Frame(datagram.begin() + static_cast<long>(begin), datagram.begin() + static_cast<long>(end)),
                {.id = 9, .fragment_offset = static_cast<uint16_t>(begin), .more_fragments = end < datagram.size()});
  };
  struct Timed {
    Frame frame;
    int64_t ts_ns;
  };
  constexpr int64_t kSecond = 1'000'000'000;
  const std::vector<Timed> frames = {
      {fragment(0, 16), 1 * kSecond},          {eth4(6, tcp(1, 2, 0, {})), 2 * kSecond},
      {fragment(16, 32), 3 * kSecond},         {eth4(17, udp(1, 2, {})), 4 * kSecond},
      {fragment(32, datagram.size()), 5 * kSecond},  // completes the datagram
      {fragment(0, 16), 6 * kSecond},          // a datagram that never completes …
      {eth4(1, icmp(0, 0, {})), 20 * kSecond},  // … expires on a fast-path frame
      {fragment(16, 32), 21 * kSecond},
  };
  DifferentialDecoder decoders({.max_fragment_bytes = 4096, .fragment_timeout_ns = 10 * kSecond});
  for (const Timed& f : frames) EXPECT_EQ(decoders.decode(view(f.frame, LinkType::Ethernet, f.ts_ns)), "");
  EXPECT_EQ(decoders.walk().stats().reassembled, 1u);
  EXPECT_EQ(decoders.walk().stats().fragments_dropped, 1u);
  EXPECT_EQ(decoders.fast().fast_path_frames(), 3u);
}

// The word-wise checksum against RFC 791's definition, summed 16 bits at a time.
bool reference_checksum_ok(const std::vector<uint8_t>& header) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < header.size(); i += 2) sum += uint32_t{header[i]} << 8 | header[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

TEST(Ipv4Checksum, AgreesWithTheDefinition) {
  std::mt19937 random(7);
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> header(20 + 4 * (random() % 11));
    for (uint8_t& b : header) b = static_cast<uint8_t>(random());
    if (i % 2) {  // a correct checksum, or one off by a little
      header[10] = header[11] = 0;
      uint16_t checksum = internet_checksum(header.data(), header.size());
      if (i % 3 == 0) checksum = static_cast<uint16_t>(checksum + random() % 3);
      header[10] = static_cast<uint8_t>(checksum >> 8);
      header[11] = static_cast<uint8_t>(checksum);
    }
    ASSERT_EQ(decode_detail::ipv4_checksum_ok(header), reference_checksum_ok(header)) << i;
    valid += reference_checksum_ok(header);
  }
  EXPECT_GT(valid, 5000);
  // Sums of zero and of all ones: one's complement has two zeros, only one of them is valid.
  EXPECT_FALSE(decode_detail::ipv4_checksum_ok(std::vector<uint8_t>(20, 0)));
  EXPECT_TRUE(decode_detail::ipv4_checksum_ok(std::vector<uint8_t>(20, 0xff)));
  std::vector<uint8_t> odd(21, 0);
  odd[0] = odd[1] = 0xff;
  odd[20] = 0x12;  // a trailing odd byte is not summed, as before
  EXPECT_EQ(decode_detail::ipv4_checksum_ok(odd), reference_checksum_ok(odd));
}

}  // namespace
}  // namespace ots
