#include "detect/engine/central_detector.h"

#include <algorithm>
#include <charconv>

namespace ots::detect {

namespace {

constexpr std::string_view kNewDevice = "ots.policy.new_device";
constexpr std::string_view kNewConnection = "ots.policy.new_connection";
constexpr std::string_view kNewInternet = "ots.policy.new_internet_connectivity";
constexpr std::string_view kNewProtocol = "ots.policy.new_protocol";
constexpr std::string_view kNewFunction = "ots.policy.new_function_code";
constexpr std::string_view kWriteRange = "ots.policy.write_range_violation";
constexpr std::string_view kS7Block = "ots.policy.s7_block_access";
constexpr std::string_view kNewCip = "ots.policy.new_cip_service";
constexpr std::string_view kFirmwareChanged = "ots.policy.firmware_changed";
constexpr std::string_view kDeviceSilent = "ots.operational.device_disconnected";
constexpr std::string_view kInterfaceIdle = "ots.operational.no_traffic";
constexpr std::string_view kPortScan = "ots.anomaly.port_scan";
constexpr std::string_view kAddressScan = "ots.anomaly.address_scan";
constexpr std::string_view kPlcScan = "ots.anomaly.plc_scan";
constexpr std::string_view kSynFlood = "ots.anomaly.syn_flood";
constexpr std::string_view kUdpFlood = "ots.anomaly.udp_flood";

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}
uint64_t ip_hash(const IpAddr& ip) { return std::hash<IpAddr>{}(ip); }
uint64_t text_hash(std::string_view text) {
  return hash_bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

// The value of `key` in an activity text "key=value key=value …" ("" when absent). Values run
// to the next " key=" so names with spaces survive.
std::string field(std::string_view activity, std::string_view key) {
  const std::string needle = std::string(key) + "=";
  size_t at = 0;
  while ((at = activity.find(needle, at)) != std::string_view::npos) {
    if (at == 0 || activity[at - 1] == ' ') break;
    at += needle.size();
  }
  if (at == std::string_view::npos) return {};
  std::string_view rest = activity.substr(at + needle.size());
  size_t end = 0;
  while (end < rest.size()) {
    size_t space = rest.find(' ', end);
    if (space == std::string_view::npos) return std::string(rest);
    size_t eq = rest.find('=', space + 1), next_space = rest.find(' ', space + 1);
    if (eq != std::string_view::npos && eq < next_space) return std::string(rest.substr(0, space));
    end = space + 1;
  }
  return std::string(rest);
}

uint32_t number(const std::string& text) {
  uint32_t v = 0;
  const bool hex = text.starts_with("0x");
  const char* begin = text.data() + (hex ? 2 : 0);
  std::from_chars(begin, text.data() + text.size(), v, hex ? 16 : 10);
  return v;
}

std::string protocol_label(const ConnectionObservation& c) {
  if (!c.application.empty()) return c.application;
  const char* transport = c.key.transport == 6 ? "tcp" : c.key.transport == 17 ? "udp" : "ip";
  return std::string(transport) + "/" + std::to_string(c.key.server_port);
}

std::string hex(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%x", v);
  return text;
}

}  // namespace

CentralDetector::CentralDetector(Baseline& baseline, CentralSettings settings)
    : baseline_(baseline), settings_(settings) {
  was_learning_ = baseline_.learning();
  was_established_ = baseline_.established();
  generation_ = baseline_.status().generation;
}

bool CentralDetector::comparing() const {
  return settings_.policy && baseline_.established() && !baseline_.learning();
}

void CentralDetector::clock(int64_t now_ns) {
  baseline_.refresh();
  baseline_.advance(now_ns);
  const uint64_t generation = baseline_.status().generation;
  if (baseline_.learning() != was_learning_ || baseline_.established() != was_established_ || generation != generation_)
    view_changed_ = true;
  was_learning_ = baseline_.learning();
  was_established_ = baseline_.established();
  generation_ = generation;
}

bool CentralDetector::take_view_change() {
  const bool changed = view_changed_;
  view_changed_ = false;
  return changed;
}

Alert& CentralDetector::raise(std::string_view id, std::string_view title, Severity severity, std::string_view group,
                              std::string_view techniques, const IpAddr& source, const IpAddr& destination,
                              std::string_view protocol, std::string message, std::string activity, int64_t ts_ns,
                              EngineKind engine) {
  for (Alert& alert : pending_) {
    if (alert.definition_id == id && alert.source_ip == source && alert.destination_ip == destination &&
        alert.protocol == protocol) {
      ++alert.count;
      alert.last_seen_ns = std::max(alert.last_seen_ns, ts_ns);
      return alert;
    }
  }
  Alert alert;
  alert.engine = engine;
  alert.severity = severity;
  alert.definition_id = id;
  alert.title = title;
  alert.group = group;
  for (size_t start = 0; start < techniques.size();) {
    size_t comma = techniques.find(',', start);
    if (comma == std::string_view::npos) comma = techniques.size();
    alert.attack_techniques.emplace_back(techniques.substr(start, comma - start));
    start = comma + 1;
  }
  alert.message = std::move(message);
  alert.activity = std::move(activity);
  alert.source_ip = source;
  alert.destination_ip = destination;
  alert.protocol = protocol;
  alert.first_seen_ns = alert.last_seen_ns = ts_ns;
  return pending_.emplace_back(std::move(alert));
}

void CentralDetector::drain_alerts(std::vector<Alert>& out) {
  for (Alert& alert : pending_) out.push_back(std::move(alert));
  pending_.clear();
}

void CentralDetector::begin_timeline(int64_t first_ts_ns) {
  if (last_batch_ns_ == 0) return;
  if (first_ts_ns >= last_batch_ns_ && first_ts_ns - last_batch_ns_ <= settings_.device_silence_ns) return;
  devices_.clear();
  scans_.clear();
  floods_.clear();
  quiet_.clear();
  last_batch_ns_ = 0;
  last_silence_check_ns_ = 0;
}

void CentralDetector::on_quiet_periods(std::span<const QuietPeriod> periods) {
  quiet_reported_ = true;
  constexpr size_t kMaxQuiet = 256;
  for (const QuietPeriod& q : periods) {
    if (quiet_.size() >= kMaxQuiet) quiet_.erase(quiet_.begin());
    quiet_.push_back(q);
  }
}

int64_t CentralDetector::quiet_after(int64_t ts_ns, int64_t now_ns) const {
  int64_t quiet = 0;
  for (const QuietPeriod& q : quiet_)
    if (q.from_ns >= ts_ns && q.to_ns <= now_ns) quiet += q.to_ns - q.from_ns;
  return quiet;
}

void CentralDetector::on_batch(const StoreBatch& changes, int64_t now_ns) {
  clock(now_ns);
  // A gap in which nobody talked (the capture paused, the sensor was down, or the next replayed
  // file starts years later) is no evidence that one device went quiet: silence is counted only
  // while traffic flows, so every device's activity moves forward by the gap.
  if (!quiet_reported_ && last_batch_ns_ != 0 && now_ns - last_batch_ns_ > settings_.device_silence_ns) {
    const int64_t gap = now_ns - last_batch_ns_;
    for (auto& [key, activity] : devices_) {
      activity.first_seen_ns += gap;
      activity.last_seen_ns += gap;
    }
  }
  last_batch_ns_ = std::max(last_batch_ns_, now_ns);
  Transaction transaction(baseline_.connection());
  const bool learning = baseline_.learning();
  const bool compare = comparing();

  for (const Device& device : changes.devices) {
    const std::string firmware = device.fact("firmwareVersion");
    const IpAddr ip = device.ips.empty() ? IpAddr{} : device.ips.front();
    DeviceActivity& activity = devices_[device.key];
    if (activity.first_seen_ns == 0) activity.first_seen_ns = device.traffic.first_seen_ns;
    activity.last_seen_ns = std::max(activity.last_seen_ns, device.traffic.last_seen_ns);
    activity.ip = ip;
    if (device.mac) activity.mac = *device.mac;
    if (activity.last_seen_ns >= now_ns - settings_.device_silence_ns) activity.alerted = false;

    const std::optional<std::string> known = baseline_.device_firmware(device.key);
    if (learning) {
      baseline_.add_device(device.key, firmware);
      continue;
    }
    if (!compare) continue;
    if (!known) {
      raise(kNewDevice, "New asset detected", Severity::Minor, "Policy Violations", "T0848", ip, IpAddr{}, "",
            "New device " + device.key + (device.vendor.empty() ? "" : " (" + device.vendor + ")"),
            "device=" + device.key, now_ns);
    } else if (!firmware.empty() && !known->empty() && firmware != *known) {
      raise(kFirmwareChanged, "Firmware version changed", Severity::Major, "Firmware Change", "T0857", ip, IpAddr{},
            "", "Firmware of " + device.key + " changed from " + *known + " to " + firmware,
            "device=" + device.key + " firmware=" + firmware, now_ns);
    } else if (!firmware.empty() && known->empty()) {
      baseline_.add_device(device.key, firmware);  // first firmware seen for a known device: not a change
    }
  }

  for (const ConnectionObservation& c : changes.connections) {
    const std::string protocol = protocol_label(c);
    const bool ephemeral = c.application.empty() && c.key.server_port >= 49152;
    if (learning) {
      baseline_.add_pair(c.key.client, c.key.server);
      if (!ephemeral) baseline_.add_protocol(c.key.client, c.key.server, protocol);
      continue;
    }
    if (!compare) continue;
    const std::string between = " from " + c.key.client.str() + " to " + c.key.server.str();
    if (!baseline_.has_pair(c.key.client, c.key.server)) {
      const bool internet = is_internet_peer(c.key.client, c.key.server) || is_internet_peer(c.key.server, c.key.client);
      if (internet)
        raise(kNewInternet, "Unauthorized internet connectivity", Severity::Major, "Internet Access", "T0883",
              c.key.client, c.key.server, protocol, "New connection with an internet address" + between + " (" +
              protocol + ")", "protocol=" + protocol, now_ns);
      else
        raise(kNewConnection, "New connection between devices", Severity::Minor, "Policy Violations", "T0886",
              c.key.client, c.key.server, protocol, "New connection" + between + " (" + protocol + ")",
              "protocol=" + protocol, now_ns);
    } else if (!ephemeral && !baseline_.has_protocol(c.key.client, c.key.server, protocol)) {
      raise(kNewProtocol, "New protocol between devices", Severity::Minor, "Policy Violations", "T0869",
            c.key.client, c.key.server, protocol, "New protocol " + protocol + between, "protocol=" + protocol,
            now_ns);
    }
  }

  for (const CommandObservation& cmd : changes.commands) {
    if (learning) {
      baseline_.add_function(cmd.client, cmd.server, cmd.protocol, cmd.code);
      continue;
    }
    if (!compare || baseline_.has_function(cmd.client, cmd.server, cmd.protocol, cmd.code)) continue;
    raise(kNewFunction, "Unpermitted function code", cmd.is_write ? Severity::Major : Severity::Minor,
          "Policy Violations", "T0855", cmd.client, cmd.server, cmd.protocol,
          "New " + cmd.protocol + " function " + cmd.name + " (" + hex(cmd.code) + ") from " + cmd.client.str() +
              " to " + cmd.server.str(),
          "protocol=" + cmd.protocol + " code=" + hex(cmd.code) + " name=" + cmd.name, now_ns);
  }

  // Device silence, checked once per batch against the newest packet time.
  if (settings_.operational && now_ns - last_silence_check_ns_ >= 1'000'000'000) {
    last_silence_check_ns_ = now_ns;
    for (auto& [key, activity] : devices_) {
      const bool talked_long = activity.last_seen_ns - activity.first_seen_ns >= settings_.device_silence_ns;
      if (!talked_long || activity.alerted || now_ns - activity.last_seen_ns < settings_.device_silence_ns) continue;
      if (now_ns - activity.last_seen_ns - quiet_after(activity.last_seen_ns, now_ns) < settings_.device_silence_ns)
        continue;
      activity.alerted = true;
      raise(kDeviceSilent, "Device suspected disconnected", Severity::Major, "Operation Failures", "T0826",
            activity.ip, IpAddr{}, "",
            "No traffic from " + key + " for " + std::to_string((now_ns - activity.last_seen_ns) / 1'000'000'000) +
                " s",
            "device=" + key, now_ns, EngineKind::Operational);
    }
  }
  transaction.commit();
}

template <class Key>
Key* CentralDetector::bucketed_key(std::unordered_map<uint64_t, Key>& map, uint64_t key, int64_t bucket) {
  auto it = map.find(key);
  if (it != map.end()) return &it->second;
  if (map.size() >= settings_.anomaly.max_tracked) {
    // Forget keys whose newest bucket is a window old: they cannot complete a scan or flood any more.
    std::erase_if(map, [&](const auto& entry) { return entry.second.newest_bucket < bucket - 2; });
    if (map.size() >= settings_.anomaly.max_tracked) {
      ++scan_keys_untracked_;
      return nullptr;
    }
  }
  return &map.emplace(key, Key{}).first->second;
}

void CentralDetector::count_flood(Flood kind, const IpAddr& server, const MacAddr& server_mac, int64_t bucket,
                                  uint64_t events, const std::vector<ProbeFrame>& frames, int64_t ts_ns) {
  const AnomalySettings& a = settings_.anomaly;
  const uint64_t key_hash = mix(ip_hash(server), kind == Flood::Syn ? 1 : 2);
  FloodKey* tracked = bucketed_key(floods_, key_hash, bucket);
  if (!tracked) return;
  FloodKey& key = *tracked;
  if (bucket < key.newest_bucket - 2) return;  // older than every bucket kept
  key.newest_bucket = std::max(key.newest_bucket, bucket);
  FloodBucket& slot = key.buckets[static_cast<size_t>(((bucket % 3) + 3) % 3)];
  if (slot.bucket != bucket) slot = FloodBucket{bucket, 0, false};
  slot.events += events;
  keep_evidence(key.evidence, frames, bucket_start_ns(key.newest_bucket - 2, a.flood_window_ns));
  uint64_t total = 0;
  bool alerted = false;
  for (const FloodBucket& b : key.buckets) {
    if (b.events == 0 || b.bucket < key.newest_bucket - 2) continue;
    total += b.events;
    alerted = alerted || b.alerted;
  }
  const uint32_t threshold = std::max<uint32_t>(kind == Flood::Syn ? a.syn_flood_syns : a.udp_flood_flows, 1);
  if (alerted || total < threshold) return;
  for (FloodBucket& b : key.buckets) b.alerted = b.alerted || b.events != 0;
  // Three half-window buckets: every window-long stretch is counted, at most 1.5 windows are.
  const std::string window = std::to_string(a.flood_window_ns * 3 / 2 / 1'000'000) + " ms";
  Alert& alert = kind == Flood::Syn
      ? raise(kSynFlood, "SYN flood", Severity::Major, "Bandwidth Anomalies", "T0814", IpAddr{}, server, "tcp",
              std::to_string(total) + " unanswered SYNs to " + server.str() + " within " + window,
              "syns=" + std::to_string(total), ts_ns, EngineKind::Anomaly)
      : raise(kUdpFlood, "UDP flood", Severity::Major, "Bandwidth Anomalies", "T0814", IpAddr{}, server, "udp",
              std::to_string(total) + " new UDP flows to " + server.str() + " within " + window,
              "flows=" + std::to_string(total), ts_ns, EngineKind::Anomaly);
  if (alert.destination_mac.is_zero()) alert.destination_mac = server_mac;
  attach_evidence(alert, key.evidence);
}

void CentralDetector::on_probe(const ProbeRecord& probe) {
  const AnomalySettings& a = settings_.anomaly;
  if (probe.kind == ProbeKind::Unanswered && probe.transport == 6)
    count_flood(Flood::Syn, probe.server, MacAddr{}, probe_bucket(probe.ts_ns, a.flood_window_ns), 1, probe.frames,
                probe.ts_ns);
  const bool identity = probe.kind == ProbeKind::Identity;
  if (!identity && baseline_.has_pair(probe.client, probe.server)) return;  // a known pair failing is no scan
  // One probe counts towards up to two scans: the ports of its host, and the hosts of its source.
  struct Count {
    std::string_view id;
    uint64_t key, target;
    uint32_t threshold;
  };
  const uint64_t source = mix(ip_hash(probe.client), text_hash(probe.protocol));
  std::array<Count, 2> counts{};
  size_t n = 0;
  if (identity) {
    counts[n++] = {kPlcScan, mix(source, 3), ip_hash(probe.server), a.plc_scan_hosts};
  } else {
    if (probe.transport != 0)  // an ARP request names a host, no port
      counts[n++] = {kPortScan, mix(mix(source, 1), ip_hash(probe.server)),
                     uint64_t{probe.server_port} | uint64_t{probe.transport} << 16, a.port_scan_ports};
    counts[n++] = {kAddressScan, mix(source, 2), ip_hash(probe.server), a.address_scan_hosts};
  }
  const int64_t bucket = probe_bucket(probe.ts_ns, a.scan_window_ns);
  for (size_t i = 0; i < n; ++i) {
    const Count& c = counts[i];
    const uint32_t threshold = std::max<uint32_t>(c.threshold, 1);
    ScanKey* tracked = bucketed_key(scans_, c.key, bucket);
    if (!tracked) continue;
    ScanKey& key = *tracked;
    if (bucket < key.newest_bucket - 2) continue;  // older than every bucket kept
    key.newest_bucket = std::max(key.newest_bucket, bucket);
    ScanBucket& slot = key.buckets[static_cast<size_t>(((bucket % 3) + 3) % 3)];
    if (slot.bucket != bucket) slot = ScanBucket{bucket, {}, false};  // the slot held a bucket 3 older
    if (std::find(slot.targets.begin(), slot.targets.end(), c.target) != slot.targets.end()) continue;
    if (slot.targets.size() >= threshold) continue;
    slot.targets.push_back(c.target);
    keep_evidence(key.evidence, probe.frames, bucket_start_ns(key.newest_bucket - 2, a.scan_window_ns));
    // Distinct targets of the buckets kept (at most three consecutive ones: at most 1.5 windows).
    std::vector<uint64_t> seen;
    bool alerted = false;
    for (const ScanBucket& b : key.buckets) {
      if (b.targets.empty() || b.bucket < key.newest_bucket - 2) continue;
      seen.insert(seen.end(), b.targets.begin(), b.targets.end());
      alerted = alerted || b.alerted;
    }
    std::sort(seen.begin(), seen.end());
    const size_t distinct = static_cast<size_t>(std::unique(seen.begin(), seen.end()) - seen.begin());
    if (alerted || distinct < threshold) continue;
    for (ScanBucket& b : key.buckets) b.alerted = b.alerted || !b.targets.empty();
    const std::string what = std::string(probe.protocol);
    Alert* alert;
    if (c.id == kPortScan) {
      alert = &raise(kPortScan, "Port scan", Severity::Major, "Scan", "T0846", probe.client, probe.server, probe.protocol,
            probe.client.str() + " probed " + std::to_string(distinct) + " " + what + " ports of " +
                probe.server.str() + " that did not answer or refused",
            "ports=" + std::to_string(distinct), probe.ts_ns, EngineKind::Anomaly);
    } else if (c.id == kAddressScan) {
      alert = &raise(kAddressScan, "Address scan", Severity::Major, "Scan", "T0846", probe.client, IpAddr{}, probe.protocol,
            probe.client.str() + " probed " + std::to_string(distinct) + " hosts over " + what +
                " that did not answer or refused",
            "hosts=" + std::to_string(distinct), probe.ts_ns, EngineKind::Anomaly);
    } else {
      alert = &raise(kPlcScan, "PLC scan", Severity::Major, "Scan", "T0846,T0888", probe.client, IpAddr{}, probe.protocol,
            probe.client.str() + " asked " + std::to_string(distinct) + " hosts for their identity (" + what + ")",
            "hosts=" + std::to_string(distinct), probe.ts_ns, EngineKind::Anomaly);
    }
    attach_evidence(*alert, key.evidence);  // the probes that made the scan
  }
}

void CentralDetector::attach_evidence(Alert& alert, std::vector<ProbeFrame>& frames) {
  if (!alert.evidence_frames.empty()) return;  // a repeat folded into a pending alert
  std::stable_sort(frames.begin(), frames.end(),
                   [](const ProbeFrame& x, const ProbeFrame& y) { return x.ts_ns < y.ts_ns; });
  for (const ProbeFrame& frame : frames) {
    alert.evidence_frames.emplace_back(frame.view().begin(), frame.view().end());
    alert.evidence_times_ns.push_back(frame.ts_ns);
  }
  frames.clear();
  frames.shrink_to_fit();
}

int64_t CentralDetector::bucket_start_ns(int64_t bucket, int64_t scan_window_ns) {
  return bucket * std::max<int64_t>(scan_window_ns / 2, 1);
}

void CentralDetector::keep_evidence(std::vector<ProbeFrame>& kept, const std::vector<ProbeFrame>& frames,
                                    int64_t oldest_ns) {
  // Frames of buckets no longer counted are no evidence of what is counted now.
  std::erase_if(kept, [&](const ProbeFrame& f) { return f.ts_ns < oldest_ns; });
  for (const ProbeFrame& frame : frames) {
    if (kept.size() >= kScanEvidenceFrames) break;
    kept.push_back(frame);
  }
}

void CentralDetector::on_activity(std::span<const ActivityBatch> batches, int64_t now_ns) {
  on_probes(batches);
  for (const ActivityBatch& batch : batches) on_policy_activity(batch, now_ns);
}

void CentralDetector::on_probes(std::span<const ActivityBatch> batches) {
  if (settings_.scans) {
    std::vector<const ProbeRecord*> probes;
    std::vector<const FlowStartCount*> counts;
    for (const ActivityBatch& b : batches) {
      for (const ProbeRecord& p : b.probes) probes.push_back(&p);
      for (const FlowStartCount& c : b.udp_flow_starts) counts.push_back(&c);
    }
    // Ties keep the batches' order, which is the same for a given split; keys differ anyway.
    std::stable_sort(probes.begin(), probes.end(),
                     [](const ProbeRecord* x, const ProbeRecord* y) { return x->ts_ns < y->ts_ns; });
    std::stable_sort(counts.begin(), counts.end(), [](const FlowStartCount* x, const FlowStartCount* y) {
      return x->bucket < y->bucket;
    });
    for (const ProbeRecord* probe : probes) on_probe(*probe);
    for (const FlowStartCount* c : counts)
      count_flood(Flood::Udp, c->server, c->server_mac, c->bucket, c->flows, c->frames, c->first_ts_ns);
  }
}

void CentralDetector::on_policy_activity(const ActivityBatch& activity, int64_t now_ns) {
  if (activity.activities.empty() && activity.polling.empty()) return;
  clock(now_ns);
  const bool learning = baseline_.learning();
  const bool compare = comparing();
  if (!learning && !compare) return;
  Transaction transaction(baseline_.connection());
  for (const ActivityRecord& a : activity.activities) {
    const std::string between = " from " + a.client.str() + " to " + a.server.str();
    if (a.programming && learning) baseline_.add_engineering_host(a.client);
    if (a.is_write) {
      if (learning) baseline_.add_writer(a.client, a.server, a.protocol);
      if (a.has_range) {
        const uint32_t last = a.address + (a.quantity ? a.quantity - 1 : 0);
        if (learning) {
          baseline_.add_write_range(a.server, a.protocol, a.unit, a.address, last);
        } else if (compare && !baseline_.write_covered(a.server, a.protocol, a.unit, a.address, last)) {
          raise(kWriteRange, "Write to an address range never written", Severity::Major, "Policy Violations", "T0836",
                a.client, a.server, a.protocol,
                a.protocol + " " + a.name + " of " + std::to_string(a.address) + "-" + std::to_string(last) +
                    " (unit " + std::to_string(a.unit) + ")" + between,
                "protocol=" + a.protocol + " unit=" + std::to_string(a.unit) + " first=" + std::to_string(a.address) +
                    " last=" + std::to_string(last),
                a.ts_ns);
        }
      }
    }
    if (const S7PolicyItem s7 = a.protocol == "s7comm" ? s7_policy_item(a.code, a.unit, a.object) : S7PolicyItem{};
        !s7.empty()) {
      const std::string item = s7.str();
      if (learning) baseline_.add_block(a.server, a.protocol, item);
      else if (compare && !baseline_.has_block(a.server, a.protocol, item))
        raise(kS7Block, "Unauthorized access to an S7 block", Severity::Major, "Policy Violations", "T0811",
              a.client, a.server, a.protocol, "S7 " + a.name + " of " + item + between + ", never accessed before",
              "protocol=s7comm item=" + item, a.ts_ns);
    }
    if (a.protocol == "enip" && a.unit != 0) {
      if (learning) baseline_.add_cip(a.server, a.unit, a.code);
      else if (compare && !baseline_.has_cip(a.server, a.unit, a.code))
        raise(kNewCip, "New CIP class/service", Severity::Minor, "Policy Violations", "T0855", a.client, a.server,
              a.protocol, "CIP " + a.name + " (service " + hex(a.code) + ") on class " + hex(a.unit) + between,
              "class=" + hex(a.unit) + " service=" + hex(a.code), a.ts_ns);
    }
  }
  if (learning)
    for (const PollingRecord& p : activity.polling)
      baseline_.add_polling(p.client, p.server, p.protocol, p.code, p.address, p.stats);
  transaction.commit();
}

void CentralDetector::on_interface_packets(std::string_view interface, uint64_t received, int64_t wall_ns) {
  auto it = interfaces_.find(interface);
  if (it == interfaces_.end()) {
    interfaces_.emplace(std::string(interface), InterfaceActivity{received, wall_ns, false});
    return;
  }
  InterfaceActivity& a = it->second;
  if (received != a.received) {
    a = InterfaceActivity{received, wall_ns, false};
    return;
  }
  if (!settings_.operational || a.alerted || wall_ns - a.changed_wall_ns < settings_.interface_idle_ns) return;
  a.alerted = true;
  raise(kInterfaceIdle, "No traffic on a monitored interface", Severity::Major, "Sensor Traffic", "", IpAddr{},
        IpAddr{}, "", "No packet received on " + std::string(interface) + " for " +
        std::to_string((wall_ns - a.changed_wall_ns) / 1'000'000'000) + " s",
        "interface=" + std::string(interface), wall_ns, EngineKind::Operational);
}

void CentralDetector::learn(const Alert& alert) {
  Transaction transaction(baseline_.connection());
  const std::string& id = alert.definition_id;
  const std::string protocol = field(alert.activity, "protocol").empty() ? alert.protocol
                                                                         : field(alert.activity, "protocol");
  const IpAddr& src = alert.source_ip;
  const IpAddr& dst = alert.destination_ip;
  if (id == kNewDevice || id == kFirmwareChanged) {
    baseline_.add_device(field(alert.activity, "device"), field(alert.activity, "firmware"));
  } else if (id == kNewConnection || id == kNewInternet || id == kNewProtocol) {
    baseline_.add_protocol(src, dst, protocol);
  } else if (id == kNewFunction) {
    baseline_.add_function(src, dst, protocol, number(field(alert.activity, "code")));
  } else if (id == kWriteRange) {
    baseline_.add_write_range(dst, protocol, number(field(alert.activity, "unit")),
                              number(field(alert.activity, "first")), number(field(alert.activity, "last")));
    baseline_.add_writer(src, dst, protocol);
  } else if (id == kS7Block) {
    baseline_.add_block(dst, "s7comm", field(alert.activity, "item"));
  } else if (id == kNewCip) {
    baseline_.add_cip(dst, number(field(alert.activity, "class")), number(field(alert.activity, "service")));
  } else if (alert.engine == EngineKind::Operational || alert.engine == EngineKind::Malware) {
    // Programming, stop/start and "not an engineering station" behaviours: this host is authorised,
    // and what it did to this peer is normal.
    if (!src.is_unspecified()) baseline_.add_engineering_host(src);
    if (!src.is_unspecified() && !dst.is_unspecified() && !protocol.empty()) {
      baseline_.add_protocol(src, dst, protocol);
      baseline_.add_writer(src, dst, protocol);
    }
  } else if (!src.is_unspecified() && !dst.is_unspecified() && !protocol.empty()) {
    baseline_.add_protocol(src, dst, protocol);
  }
  transaction.commit();
  view_changed_ = true;
}

}  // namespace ots::detect
