// The committed captures must be exactly what the generator writes, readable by
// libpcap with the packet counts their expectation files state; the frame
// builder's checksums and fragments must be right; bench mode is deterministic.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "pcaps/gen/bench_capture.h"
#include "pcaps/gen/frame_builder.h"
#include "pcaps/gen/samples.h"

namespace ots::pcapgen {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "pcapgen_test.XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct ReadResult {
  uint64_t packets = 0;
  uint64_t wire_bytes = 0;
  bool error = false;  // pcap_next_ex stopped with an error rather than at end of file
};

ReadResult read_with_libpcap(const fs::path& path) {
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* handle = pcap_open_offline(path.c_str(), errbuf);
  EXPECT_NE(handle, nullptr) << path << ": " << errbuf;
  ReadResult result;
  if (!handle) return result;
  pcap_pkthdr* header;
  const u_char* data;
  int status;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    ++result.packets;
    result.wire_bytes += header->len;
  }
  result.error = status == PCAP_ERROR;
  pcap_close(handle);
  return result;
}

TEST(Samples, CommittedFilesMatchTheGenerator) {
  TempDir dir;
  std::vector<std::string> written = write_samples(dir.path().string());
  ASSERT_FALSE(written.empty());
  for (const std::string& name : written) {
    fs::path committed = fs::path(OTS_PCAPS_DIR) / name;
    ASSERT_TRUE(fs::exists(committed)) << name << " is not committed; run otsensor-pcapgen samples pcaps/";
    EXPECT_TRUE(read_file(dir.path() / name) == read_file(committed))
        << name << " differs from the generator's output; regenerate with otsensor-pcapgen samples pcaps/";
  }
  // No stale capture or expectation left behind by a renamed sample.
  std::set<std::string> generated(written.begin(), written.end());
  for (const auto& entry : fs::directory_iterator(OTS_PCAPS_DIR)) {
    std::string name = entry.path().filename().string();
    bool capture_like = name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".expected.json");
    if (capture_like) {
      EXPECT_TRUE(generated.count(name)) << name << " is not written by the generator";
    }
  }
}

TEST(Samples, LibpcapReadsTheExpectedPacketCounts) {
  for (const auto& entry : fs::directory_iterator(OTS_PCAPS_DIR)) {
    fs::path capture = entry.path();
    if (capture.extension() != ".pcap" && capture.extension() != ".pcapng") continue;
    nlohmann::json expected = nlohmann::json::parse(read_file(capture.string() + ".expected.json"));
    ReadResult read = read_with_libpcap(capture);
    SCOPED_TRACE(capture.filename().string());
    EXPECT_EQ(read.packets, expected["packets"].get<uint64_t>());
    bool damaged = expected.contains("badRecordOffset");
    EXPECT_EQ(read.error, damaged);
    if (damaged) {
      // The bad record starts right after the good ones: 24-byte file header + records.
      EXPECT_EQ(expected["badRecordOffset"].get<uint64_t>(), 24 + 16 * read.packets + read.wire_bytes);
    }
    // Connections only count frames of the capture, each once.
    uint64_t connection_packets = 0, connection_bytes = 0;
    for (const auto& c : expected["connections"]) {
      connection_packets += c["packets"].get<uint64_t>();
      connection_bytes += c["bytes"].get<uint64_t>();
    }
    EXPECT_LE(connection_packets, read.packets);
    EXPECT_LE(connection_bytes, read.wire_bytes);
    for (const auto& d : expected["devices"]) {
      for (const auto& text : d["ips"]) {
        auto address = IpAddr::parse(text.get<std::string>());
        ASSERT_TRUE(address.has_value());
        EXPECT_TRUE(address->is_unicast()) << text;
      }
      if (!d["mac"].is_null()) {
        EXPECT_TRUE(mac(d["mac"].get<std::string>().c_str()).is_unicast());
      }
    }
  }
}

TEST(FrameBuilder, Ipv4AndTcpChecksumsVerify) {
  IpAddr src = ip("192.168.1.20"), dst = ip("192.168.1.10");
  uint8_t payload[] = {1, 2, 3, 4, 5};
  Frame segment = tcp(src, dst, {.src_port = 49152, .dst_port = 502, .seq = 7, .ack = 9,
                                 .flags = tcp_flags::Psh | tcp_flags::Ack, .window = 1000, .mss = std::nullopt},
                      payload);
  Frame packet = ipv4(src, dst, ip_proto::Tcp, segment);
  ASSERT_EQ(packet.size(), 20u + 20u + 5u);
  EXPECT_EQ(internet_checksum(Bytes(packet).first(20)), 0);  // header checksum field makes the sum 0
  // Pseudo-header + segment sums to 0 as well.
  Frame pseudo(src.bytes.begin() + 12, src.bytes.end());
  pseudo.insert(pseudo.end(), dst.bytes.begin() + 12, dst.bytes.end());
  pseudo.insert(pseudo.end(), {0, ip_proto::Tcp, 0, static_cast<uint8_t>(segment.size())});
  pseudo.insert(pseudo.end(), segment.begin(), segment.end());
  EXPECT_EQ(internet_checksum(pseudo), 0);
  // Corrupting a byte breaks it.
  pseudo.back() ^= 0xff;
  EXPECT_NE(internet_checksum(pseudo), 0);
}

TEST(FrameBuilder, Ipv4FragmentsCoverTheDatagram) {
  Frame datagram(3001);
  for (size_t i = 0; i < datagram.size(); ++i) datagram[i] = static_cast<uint8_t>(i * 7);
  std::vector<Frame> fragments =
      ipv4_fragments(ip("10.0.0.1"), ip("10.0.0.2"), ip_proto::Udp, datagram, 1485, 0x1234);
  ASSERT_EQ(fragments.size(), 3u);
  Frame rebuilt(datagram.size());
  for (size_t i = 0; i < fragments.size(); ++i) {
    const Frame& f = fragments[i];
    EXPECT_EQ(internet_checksum(Bytes(f).first(20)), 0);
    uint16_t flags_offset = static_cast<uint16_t>(f[6] << 8 | f[7]);
    bool more = flags_offset & 0x2000;
    size_t offset = (flags_offset & 0x1fff) * 8u;
    EXPECT_EQ(more, i + 1 < fragments.size());
    EXPECT_EQ(f[4] << 8 | f[5], 0x1234);
    std::copy(f.begin() + 20, f.end(), rebuilt.begin() + static_cast<std::ptrdiff_t>(offset));
    if (more) {
      EXPECT_EQ((f.size() - 20) % 8, 0u);
    }
  }
  EXPECT_EQ(rebuilt, datagram);
}

TEST(FrameBuilder, ShortEthernetFramesArePaddedAndTagsNest) {
  uint8_t one = 1;
  Frame f = ethernet({mac("00:00:00:00:00:02"), mac("00:00:00:00:00:01"), {100, 20}}, ethertype::Ipv4,
                     Bytes(&one, 1));
  ASSERT_EQ(f.size(), 60u);
  EXPECT_EQ(f[12] << 8 | f[13], ethertype::QinQ);
  EXPECT_EQ(f[14] << 8 | f[15], 100);
  EXPECT_EQ(f[16] << 8 | f[17], ethertype::Vlan);
  EXPECT_EQ(f[18] << 8 | f[19], 20);
  EXPECT_EQ(f[20] << 8 | f[21], ethertype::Ipv4);
}

TEST(Bench, CaptureIsDeterministicAndExact) {
  TempDir dir;
  BenchOptions options{.packets = 20'000, .devices = 60, .flows = 300};
  BenchSummary first = write_bench_capture(options, (dir.path() / "a.pcap").string());
  BenchSummary second = write_bench_capture(options, (dir.path() / "b.pcap").string());
  EXPECT_EQ(first.packets, options.packets);
  EXPECT_GE(first.flows, options.flows);
  EXPECT_TRUE(read_file(dir.path() / "a.pcap") == read_file(dir.path() / "b.pcap"));
  ReadResult read = read_with_libpcap(dir.path() / "a.pcap");
  EXPECT_FALSE(read.error);
  EXPECT_EQ(read.packets, options.packets);
  EXPECT_EQ(read.wire_bytes, first.wire_bytes);
  double mean_frame = static_cast<double>(read.wire_bytes) / static_cast<double>(read.packets);
  EXPECT_GT(mean_frame, 150.0);
  EXPECT_LT(mean_frame, 260.0);
  EXPECT_EQ(second.wire_bytes, first.wire_bytes);
}

}  // namespace
}  // namespace ots::pcapgen
