#include "capture/dpdk_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "capture/pcap_file_source.h"
#include "tests/unit/capture/capture_builder.h"

namespace ots {
namespace {

using Words = std::vector<std::string>;

TEST(DpdkEalArgs, SplitOnWhitespaceWithQuotes) {
  EXPECT_EQ(split_eal_args(""), Words{});
  EXPECT_EQ(split_eal_args("  -l 0\t--no-huge \n"), (Words{"-l", "0", "--no-huge"}));
  EXPECT_EQ(split_eal_args("--vdev 'net_pcap0,rx_pcap=/tmp/a b.pcap' -a\"0000:01:00.0\""),
            (Words{"--vdev", "net_pcap0,rx_pcap=/tmp/a b.pcap", "-a0000:01:00.0"}));
  EXPECT_EQ(split_eal_args("x '' \"it's\""), (Words{"x", "", "it's"}));
}

TEST(DpdkEalArgs, UnclosedQuoteIsAnError) {
  try {
    split_eal_args("--vdev 'net_pcap0");
    FAIL() << "no exception";
  } catch (const CaptureError& error) {
    EXPECT_STREQ(error.what(), "DPDK EAL arguments: unclosed ' quote");
  }
}

// The only in-process EAL use in this binary: a rejected command line, then the once-per-process guard.
DpdkOptions with_eal_args(const std::string& eal_args) {
  DpdkOptions options;
  options.eal_args = eal_args;
  return options;
}

TEST(DpdkSource, BadEalArgumentsAreOneLine) {
  try {
    open_dpdk(with_eal_args("--no-such-eal-option"));
    FAIL() << "no exception";
  } catch (const CaptureError& error) {
    EXPECT_STREQ(error.what(), "DPDK EAL initialisation failed: Invalid argument");
  }
  try {
    open_dpdk(with_eal_args("--no-huge"));
    FAIL() << "no exception";
  } catch (const CaptureError& error) {
    EXPECT_STREQ(error.what(),
                 "DPDK EAL initialisation failed: the EAL can be initialised only once per process");
  }
}

struct ProbeRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

ProbeRun run_probe(const std::string& arguments) {
  ProbeRun run;
  std::string command = std::string(OTS_DPDK_PROBE) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> chunk;
  while (size_t got = fread(chunk.data(), 1, chunk.size(), pipe)) run.output.append(chunk.data(), got);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

struct Summary {
  unsigned long long packets = 0, bytes = 0;
  long long first_ns = 0, last_ns = 0;
  unsigned long long stats_packets = 0;
};

bool parse_probe(const std::string& output, Summary& summary) {
  size_t at = output.find("packets=");
  return at != std::string::npos &&
         std::sscanf(output.c_str() + at,
                     "packets=%llu bytes=%llu first_ns=%lld last_ns=%lld stats_packets=%llu",
                     &summary.packets, &summary.bytes, &summary.first_ns, &summary.last_ns,
                     &summary.stats_packets) == 5;
}

Summary read_with_file_reader(const std::string& path) {
  Summary summary;
  auto source = open_capture_file(path);
  std::array<PacketView, 64> views;
  for (;;) {
    Burst burst = source->receive_burst(0, views);
    if (burst.count == 0) break;
    for (size_t i = 0; i < burst.count; ++i) {
      if (summary.packets++ == 0) summary.first_ns = views[i].ts_ns;
      summary.last_ns = views[i].ts_ns;
      summary.bytes += views[i].data.size();
    }
    source->release(0);
  }
  summary.stats_packets = summary.packets;
  return summary;
}

void expect_same_as_file_reader(const std::string& path) {
  ProbeRun run = run_probe(path);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Summary dpdk;
  ASSERT_TRUE(parse_probe(run.output, dpdk)) << run.output;
  Summary file = read_with_file_reader(path);
  ASSERT_GT(file.packets, 0u);
  EXPECT_EQ(dpdk.packets, file.packets);
  EXPECT_EQ(dpdk.stats_packets, file.packets);
  EXPECT_EQ(dpdk.bytes, file.bytes);
  // net_pcap hands out microseconds: equal for microsecond pcap files.
  EXPECT_EQ(dpdk.first_ns, file.first_ns);
  EXPECT_EQ(dpdk.last_ns, file.last_ns);
}

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("ots_dpdk_" + std::to_string(getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    std::ofstream out(path_ / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

// Frames larger than one mbuf arrive as segment chains and must come out linearised, byte for byte.
TEST(DpdkSource, NetPcapMatchesTheFileReaderIncludingJumboFrames) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 1);
  test::append(file, test::pcap_record(false, 1'700'000'000, 1, test::payload(60)));
  test::append(file, test::pcap_record(false, 1'700'000'000, 500'000, test::payload(3000, 7)));
  test::append(file, test::pcap_record(false, 1'700'000'001, 999'999, test::payload(9000, 9)));
  TempDir dir;
  expect_same_as_file_reader(dir.write("jumbo.pcap", file));
}

TEST(DpdkSource, NetPcapMatchesTheFileReaderOnASharedCapture) {
  std::filesystem::path path =
      std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps" / "modbus_iti_modbus_test.pcap";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  expect_same_as_file_reader(path.string());
}

TEST(DpdkSource, UnknownPortListsTheAvailableOnes) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 1);
  test::append(file, test::pcap_record(false, 1, 0, test::payload(60)));
  TempDir dir;
  ProbeRun run = run_probe(dir.write("one.pcap", file) + " 3");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("DPDK port 3: does not exist; available ports: 0 (net_pcap0)\n"),
            std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace ots
