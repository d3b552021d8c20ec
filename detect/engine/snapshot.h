// What the per-worker detectors read on the hot path: an immutable snapshot of the enabled
// behaviours (from the built-in pack), the anomaly thresholds and the baseline facts the
// workers need (engineering hosts, known pairs, pairs seen writing, learned polling
// intervals). The detection thread builds a new one when the pack or the baseline changes and
// publishes it as shared_ptr<const DetectionSnapshot>; workers swap at a burst boundary.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/net_types.h"
#include "detect/alert_model.h"

namespace ots::detect {

// The built-in behaviour detectors (state machines in worker_detector.cc), keyed by the stable
// ids that AlertDefinition::behaviours entries name.
enum class Behaviour : uint8_t {
  Industroyer2,      // "industroyer2"
  Industroyer,       // "industroyer"
  Triton,            // "triton"
  PipedreamOpcua,    // "pipedream_opcua_browse"
  PipedreamCodesys,  // "pipedream_codesys_login"
  PipedreamFins,     // "pipedream_fins"
  PipedreamUmas,     // "pipedream_umas"
  FrostyGoop,        // "frostygoop"
  S7StopDownload,    // "s7_stop_download"
  ModbusFc8,         // "modbus_fc8"
  Dnp3Restart,       // "dnp3_restart"
  kCount
};
constexpr size_t kBehaviourCount = static_cast<size_t>(Behaviour::kCount);
std::string_view behaviour_id(Behaviour b);
std::optional<Behaviour> parse_behaviour_id(std::string_view id);

// The parameters every behaviour understands ("key=value" after the id in a behaviours entry).
struct BehaviourParams {
  int64_t window_ns = 60'000'000'000;  // window_s: how long a burst or a sequence may take
  uint32_t threshold = 1;              // threshold: events (IOAs, browses, logins, writes) that make a burst
  // needs_baseline: conditions such as "from a non-engineering host" or "from a source never
  // seen writing" are only decided once a baseline exists (a public source address always
  // counts as unknown). false: with no baseline every host counts as unknown.
  bool needs_baseline = true;
};

struct BehaviourConfig {
  bool enabled = false;
  const AlertDefinition* definition = nullptr;  // points into DetectionSnapshot::definitions
  BehaviourParams params;
};

// Thresholds of the anomaly engine. Every window and table runs on packet time.
struct AnomalySettings {
  int64_t scan_window_ns = 60'000'000'000;
  uint32_t port_scan_ports = 24;     // distinct ports of one host probed by one source
  uint32_t address_scan_hosts = 32;  // distinct hosts probed by one source
  uint32_t plc_scan_hosts = 8;       // distinct hosts asked for their identity by one source
  int64_t flood_window_ns = 1'000'000'000;
  uint32_t syn_flood_syns = 2000;       // unanswered SYNs to one host per flood window
  uint32_t udp_flood_flows = 2000;      // new UDP flows to one host per flood window
  int64_t arp_alive_ns = 120'000'000'000;  // an IP's MAC is alive this long after its last ARP
  uint32_t gratuitous_arp_storm = 30;      // gratuitous ARPs of one MAC per scan window
  int64_t arp_reply_ns = 3'000'000'000;    // an ARP request unanswered this long is a probe (ARP sweeps)
  uint32_t auth_failures = 5;              // failed logins of one source to one server per scan window
  uint32_t polling_min_samples = 30;       // intervals before a channel's period counts as learned
  double polling_max_cv = 0.2;             // a channel is cyclic when stddev / mean stays under this
  double polling_deviation = 5.0;          // alert when |interval - mean| > this × stddev …
  double polling_min_relative = 0.5;       // … and > this × mean
  size_t max_tracked = 16384;              // entries per table per worker; new keys beyond are counted, not tracked
};

struct EngineSwitches {
  bool protocol_violation = true;
  bool operational = true;
  bool anomaly = true;
  bool behaviours = true;
};

// Learned polling period of one cyclic channel.
struct PollingStats {
  double mean_ns = 0;
  double stddev_ns = 0;
  uint64_t samples = 0;
};

// Order-independent 64-bit keys for the hot-path sets (collisions are negligible at 64 bits).
uint64_t pair_key(const IpAddr& client, const IpAddr& server);
uint64_t pair_protocol_key(const IpAddr& client, const IpAddr& server, std::string_view protocol);
// A polling channel: one request (code and first address) a client repeats to a server.
uint64_t channel_key(const IpAddr& client, const IpAddr& server, std::string_view protocol, uint32_t code,
                     uint32_t address);
// The same, from pair_protocol_key(client, server, protocol).
uint64_t channel_key(uint64_t pair_protocol, uint32_t code, uint32_t address);

// The baseline facts workers need, as hash sets.
struct BaselineView {
  bool established = false;  // a learning period has ended (or the baseline was loaded with content)
  bool learning = false;
  // Changes whenever the baseline is reset: workers then report their activity again.
  uint64_t generation = 0;
  std::unordered_set<IpAddr> engineering_hosts;      // hosts seen programming / stopping controllers
  std::unordered_set<uint64_t> known_pairs;          // pair_key(client, server)
  std::unordered_set<uint64_t> known_pair_protocols; // pair_protocol_key(client, server, protocol)
  std::unordered_set<uint64_t> known_writers;        // pair_protocol_key of pairs seen writing
  std::unordered_map<uint64_t, PollingStats> polling;  // channel_key → learned period
};

struct DetectionSnapshot {
  std::vector<AlertDefinition> definitions;  // the behaviour pack (and any definition naming behaviours)
  std::array<BehaviourConfig, kBehaviourCount> behaviours{};
  AnomalySettings anomaly;
  EngineSwitches engines;
  BaselineView baseline;
};

// Problems found while enabling behaviours: unknown ids, unknown keys, bad values.
struct SnapshotProblem {
  std::string definition_id;
  std::string entry;
  std::string reason;
};

// Builds a snapshot: every `behaviours` entry of `definitions` ("<id> key=value …") enables that
// behaviour with its parameters and its definition's title/severity/ATT&CK. Entries that cannot
// be used are reported in `problems` (never dropped silently); a behaviour named twice keeps the
// first definition and reports the second.
std::shared_ptr<const DetectionSnapshot> make_snapshot(std::vector<AlertDefinition> definitions, BaselineView baseline,
                                                       AnomalySettings anomaly, EngineSwitches engines,
                                                       std::vector<SnapshotProblem>* problems = nullptr);

// True for unicast addresses outside the private, loopback, link-local, CGNAT and unique-local
// ranges: a peer on the internet (the documentation ranges count as public, as test captures use them).
bool is_public_address(const IpAddr& ip);

// True when `peer` reaches `local` from the internet: a public address outside local's own /16
// (IPv4) or /48 (IPv6, a site). Plants and labs that number their networks from public space
// talk within one such prefix, and must not look like internet hosts.
bool is_internet_peer(const IpAddr& peer, const IpAddr& local);

}  // namespace ots::detect
