// End-to-end over the public ICS captures in ../shared/pcaps (skipped when the
// folder is absent), with tshark as the oracle; plus the DPDK and live-capture
// sources checked against replay of the same capture.
//
// Unicast rule (the same on both sides): a MAC counts when it is the source or
// destination of a frame and is neither group (multicast/broadcast) nor zero; an
// IP counts when it is the source of a datagram or the sender of an ARP packet,
// or the destination of a datagram whose destination MAC is not a group address
// (so directed broadcasts are not hosts), and is not 0.0.0.0/::, multicast or
// 255.255.255.255. Only the outermost IP header is read (tshark occurrence=f),
// so addresses quoted inside ICMP errors are not hosts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace ots::e2e {
namespace {

const std::filesystem::path kShared = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";
const std::string kPcaps = std::string(OTS_SOURCE_DIR) + "/pcaps/";

bool have(const std::string& tool) { return run("command -v " + tool + " >/dev/null").exit_code == 0; }

std::vector<std::string> shared_captures() {
  std::vector<std::string> out;
  if (!std::filesystem::is_directory(kShared)) return out;
  for (const auto& e : std::filesystem::directory_iterator(kShared)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".pcap" || ext == ".pcapng") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool mac_is_unicast(const std::string& mac) {
  if (mac.size() != 17) return false;
  const int first = std::stoi(mac.substr(0, 2), nullptr, 16);
  return !(first & 1) && mac != "00:00:00:00:00:00";
}

// Canonical text of an address, as inet_ntop writes it (tshark and otsensor agree on this).
std::string canonical_ip(const std::string& text) {
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, out, sizeof out);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, out, sizeof out);
  return "";
}

bool ip_is_unicast(const std::string& ip) {
  if (ip.empty() || ip == "0.0.0.0" || ip == "::" || ip == "255.255.255.255") return false;
  if (ip.find(':') != std::string::npos) return ip.rfind("ff", 0) != 0;
  const int first = std::stoi(ip.substr(0, ip.find('.')));
  return first < 224 || first > 239;
}

struct HostSets {
  std::set<std::string> macs, ips;
};

HostSets tshark_hosts(const std::string& file) {
  Result r = run("tshark -n -r " + shell_quote(file) +
                 " -T fields -E separator=/t -E occurrence=f -e eth.src -e eth.dst -e ip.src -e ip.dst -e ipv6.src "
                 "-e ipv6.dst -e arp.src.hw_mac -e arp.src.proto_ipv4 -e sll.src.eth");
  HostSets sets;
  std::set<std::string> senders;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::string field;
    std::istringstream cols(line);
    while (std::getline(cols, field, '\t')) f.push_back(field);
    f.resize(9);
    const std::string &eth_src = f[0], &eth_dst = f[1];
    const std::string src = !f[2].empty() ? f[2] : f[4];
    const std::string dst = !f[3].empty() ? f[3] : f[5];
    if (mac_is_unicast(eth_src)) sets.macs.insert(eth_src);
    if (mac_is_unicast(eth_dst)) sets.macs.insert(eth_dst);
    if (ip_is_unicast(src)) {
      sets.ips.insert(canonical_ip(src));
      senders.insert(canonical_ip(src));
    }
    // Addressed to one host: no MAC layer, or a destination MAC without the group bit.
    const bool frame_to_one_host = eth_dst.empty() || (eth_dst.size() == 17 && !(std::stoi(eth_dst.substr(0, 2), nullptr, 16) & 1));
    if (ip_is_unicast(dst) && frame_to_one_host) sets.ips.insert(canonical_ip(dst));
    if (mac_is_unicast(f[6]) && ip_is_unicast(f[7])) {
      sets.macs.insert(f[6]);
      sets.ips.insert(canonical_ip(f[7]));
      senders.insert(canonical_ip(f[7]));
    }
  }
  // An IPv4 x.x.x.255 that never sends is a directed broadcast, which the inventory leaves out.
  std::erase_if(sets.ips, [&](const std::string& ip) {
    return ip.find('.') != std::string::npos && ip.ends_with(".255") && !senders.contains(ip);
  });
  return sets;
}

HostSets inventory_hosts(const nlohmann::json& devices) {
  HostSets sets;
  for (const auto& d : devices) {
    for (const auto& m : d["macAddresses"]) sets.macs.insert(m);
    for (const auto& ip : d["ipAddresses"]) sets.ips.insert(ip);
  }
  return sets;
}

class SharedCapture : public ::testing::TestWithParam<std::string> {};

TEST_P(SharedCapture, MacAndIpSetsEqualTshark) {
  if (GetParam().empty()) GTEST_SKIP() << "../shared/pcaps is absent";
  if (!have("tshark")) GTEST_SKIP() << "tshark is not installed";
  const std::string file = (kShared / GetParam()).string();
  TempDir dir;
  const std::string db = dir.file("s.db");
  Result r = run(otsensor("replay --workers 2 --db " + shell_quote(db) + " " + shell_quote(file)));
  // A capture cut short in its source repository ends in an error after its good packets.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << r.err;
  const HostSets ours = inventory_hosts(json_of(otsensor("devices --json --db " + shell_quote(db))));
  const HostSets oracle = tshark_hosts(file);
  EXPECT_EQ(ours.macs, oracle.macs);
  EXPECT_EQ(ours.ips, oracle.ips);
}

INSTANTIATE_TEST_SUITE_P(Shared, SharedCapture,
                         ::testing::ValuesIn([] {
                           auto v = shared_captures();
                           if (v.empty()) v.push_back("");  // one test that reports the skip
                           return v;
                         }()),
                         [](const auto& info) {
                           std::string n = info.param.empty() ? "absent" : info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

nlohmann::json devices_of(const std::string& db) { return json_of(otsensor("devices --json --db " + shell_quote(db))); }
nlohmann::json connections_of(const std::string& db) {
  return json_of(otsensor("connections --json --db " + shell_quote(db)));
}

TEST(Dpdk, PcapVdevGivesTheSameInventoryAsReplay) {
  for (const std::string name : {"plant_basic.pcap", "plant_vlans.pcapng"}) {
    const std::string capture = kPcaps + name;
    TempDir dir;
    const std::string replay_db = dir.file("replay.db"), dpdk_db = dir.file("dpdk.db");
    Result r = run(otsensor("replay --workers 1 --db " + shell_quote(replay_db) + " " + shell_quote(capture)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string eal =
        "-l 0 --no-huge --no-pci --no-shconf --no-telemetry --log-level=*:error --vdev net_pcap0,rx_pcap=" + capture;
    r = run(otsensor("capture --workers 1 --idle-timeout 2 --db " + shell_quote(dpdk_db) + " --dpdk " +
                     shell_quote(eal)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json replay_devices = devices_of(replay_db), dpdk_devices = devices_of(dpdk_db);
    EXPECT_EQ(device_identities(dpdk_devices), device_identities(replay_devices)) << name;
    EXPECT_EQ(connection_identities(connections_of(dpdk_db)), connection_identities(connections_of(replay_db)))
        << name;
    // Packet time comes through the PMD: first/last seen are the capture's, to the
    // microsecond (net_pcap hands timestamps out in microseconds).
    auto to_microseconds = [](const nlohmann::json& iso) { return iso.get<std::string>().substr(0, 26); };
    for (size_t i = 0; i < std::min(replay_devices.size(), dpdk_devices.size()); ++i) {
      EXPECT_EQ(to_microseconds(dpdk_devices[i]["firstSeen"]), to_microseconds(replay_devices[i]["firstSeen"]));
      EXPECT_EQ(to_microseconds(dpdk_devices[i]["lastSeen"]), to_microseconds(replay_devices[i]["lastSeen"]));
    }
  }
}

// A network namespace with a veth pair: tcpreplay sends a capture into one end,
// otsensor captures on the other.
class VethNamespace {
 public:
  VethNamespace() : name_("ots-e2e-" + std::to_string(::getpid())) {
    ok_ = run("ip netns add " + name_).exit_code == 0 &&
          exec("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1") &&
          exec("ip link add ots-cap type veth peer name ots-send") && exec("ip link set ots-cap up") &&
          exec("ip link set ots-send up");
  }
  ~VethNamespace() { run("ip netns del " + name_); }
  bool ok() const { return ok_; }
  bool exec(const std::string& cmd) const { return run(prefix() + cmd).exit_code == 0; }
  std::string prefix() const { return "ip netns exec " + name_ + " "; }

 private:
  std::string name_;
  bool ok_ = false;
};

TEST(LiveCapture, TcpreplayIntoVethIsInventoried) {
  if (!have("tcpreplay")) GTEST_SKIP() << "tcpreplay is not installed";
  VethNamespace ns;
  if (!ns.ok()) GTEST_SKIP() << "network namespaces are not allowed here (ip netns add failed)";
  TempDir dir;
  const std::string db = dir.file("live.db");
  const std::string capture = kPcaps + "plant_basic.pcap";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string cmd = ns.prefix() + OTSENSOR_BIN + " capture --workers 2 --interface ots-cap --db " + db;
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // capture is up
  ASSERT_TRUE(ns.exec("tcpreplay -q --pps 500 -i ots-send " + capture + " >/dev/null 2>&1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  ::kill(child, SIGINT);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const nlohmann::json expected = read_json_file(capture + ".expected.json");
  EXPECT_EQ(device_identities(devices_of(db)), device_identities(expected["devices"]));
  const nlohmann::json stats = json_of(otsensor("stats --json --db " + shell_quote(db)));
  EXPECT_EQ(stats[0]["packets"], expected["packets"]);
  EXPECT_EQ(stats[0]["status"], "interrupted");
}

}  // namespace
}  // namespace ots::e2e
