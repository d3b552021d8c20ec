#include "capture/live_pcap_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <thread>

namespace ots {
namespace {

using namespace std::chrono_literals;

LiveCaptureOptions options_for(const std::string& interface, const std::string& bpf = "") {
  LiveCaptureOptions options;
  options.interface = interface;
  options.bpf = bpf;
  return options;
}

std::string open_error(const LiveCaptureOptions& options) {
  try {
    open_live_capture(options);
  } catch (const CaptureError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(LiveCapture, UnknownInterfaceNamesIt) {
  std::string error = open_error(options_for("ots-nope9"));
  EXPECT_EQ(error.rfind("cannot capture on 'ots-nope9': ", 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

// A UDP socket bound to a free loopback port: a destination for test traffic that nobody else uses.
class LoopbackReceiver {
 public:
  LoopbackReceiver() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackReceiver() { ::close(fd_); }
  uint16_t port() const { return port_; }

  void send(const std::string& text) const {
    int sender = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::sendto(sender, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    ::close(sender);
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Opens a capture on lo, or says why the test cannot run here.
std::unique_ptr<PacketSource> open_loopback(const std::string& bpf, std::string& skip_reason) {
  try {
    return open_live_capture(options_for("lo", bpf));
  } catch (const CaptureError& error) {
    std::string message = error.what();
    if (message.find("ermission") != std::string::npos ||
        message.find("not permitted") != std::string::npos) {
      skip_reason = message;
      return nullptr;
    }
    throw;
  }
}

TEST(LiveCapture, BadFilterNamesInterfaceAndFilter) {
  std::string skip;
  try {
    open_loopback("udp port banana", skip);
  } catch (const CaptureError& error) {
    EXPECT_EQ(
        std::string(error.what()).rfind("cannot capture on 'lo': bad BPF filter 'udp port banana': ", 0), 0u)
        << error.what();
    return;
  }
  if (!skip.empty()) GTEST_SKIP() << skip;
  FAIL() << "a bad filter was accepted";
}

TEST(LiveCapture, ReceivesUdpOnLoopback) {
  LoopbackReceiver receiver;
  std::string skip;
  auto source = open_loopback("udp port " + std::to_string(receiver.port()), skip);
  if (!source) GTEST_SKIP() << skip;
  EXPECT_EQ(source->describe(), "lo");

  auto before = std::chrono::system_clock::now();
  constexpr int kDatagrams = 5;
  for (int i = 0; i < kDatagrams; ++i) receiver.send("ots-live-test-" + std::to_string(i));

  std::array<PacketView, 8> views;
  std::vector<std::string> payloads;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (payloads.size() < kDatagrams && std::chrono::steady_clock::now() < deadline) {
    Burst burst = source->receive_burst(0, views);
    ASSERT_NE(burst.status, BurstStatus::Error) << source->error();
    for (size_t i = 0; i < burst.count; ++i) {
      const PacketView& packet = views[i];
      EXPECT_EQ(packet.link, LinkType::Ethernet);
      EXPECT_EQ(packet.wire_len, packet.data.size());
      EXPECT_GE(packet.ts_ns,
                std::chrono::duration_cast<std::chrono::nanoseconds>(before.time_since_epoch() - 1s).count());
      constexpr size_t kHeaders = 14 + 20 + 8;  // Ethernet, IPv4, UDP
      ASSERT_GT(packet.data.size(), kHeaders);
      payloads.emplace_back(as_chars(packet.data.subspan(kHeaders)));
    }
    source->release(0);
  }
  ASSERT_EQ(payloads.size(), size_t{kDatagrams});
  for (int i = 0; i < kDatagrams; ++i) EXPECT_EQ(payloads[i], "ots-live-test-" + std::to_string(i));
  SourceStats stats = source->stats();
  EXPECT_EQ(stats.packets, size_t{kDatagrams});
  EXPECT_GT(stats.bytes, 0u);
}

TEST(LiveCapture, IdleWhileQuietThenEndAfterStopFromAnotherThread) {
  LoopbackReceiver unused;
  std::string skip;
  auto source = open_loopback("udp port " + std::to_string(unused.port()), skip);
  if (!source) GTEST_SKIP() << skip;

  std::array<PacketView, 8> views;
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(source->receive_burst(0, views).status, BurstStatus::Idle);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // the 100 ms timeout, not forever

  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    source->request_stop();
  });
  BurstStatus status = BurstStatus::Idle;
  while (status == BurstStatus::Idle && std::chrono::steady_clock::now() - started < 5s) {
    status = source->receive_burst(0, views).status;
  }
  stopper.join();
  EXPECT_EQ(status, BurstStatus::End);
  EXPECT_EQ(source->receive_burst(0, views).status, BurstStatus::End);
}

}  // namespace
}  // namespace ots
