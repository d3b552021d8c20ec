#include "detect/engine/worker_detector.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <tuple>

namespace ots::detect {

// An alert's fixed part: built-in engine tables, or a behaviour's AlertDefinition.
struct WorkerDetector::Head {
  EngineKind engine = EngineKind::Anomaly;
  Severity severity = Severity::Warning;
  std::string_view id, title, group;
  std::string_view techniques;  // comma-separated (built-in heads)
  const AlertDefinition* definition = nullptr;
};

struct WorkerDetector::Endpoints {
  IpAddr source_ip, destination_ip;
  MacAddr source_mac, destination_mac;
};

enum class WorkerDetector::Proto : uint8_t {
  Other, Modbus, S7comm, Dnp3, Iec104, Profinet, Enip, Fins, Opcua, Mms, Tristation, Codesys, Melsec, Ads,
  S7commplus, Http, Ftp,
};

namespace {

using Head = WorkerDetector::Head;
constexpr auto kOp = EngineKind::Operational;
constexpr auto kAn = EngineKind::Anomaly;

// Operational engine (Defender for IoT's "Restart/Stop Commands", "Programming", "Firmware Change").
constexpr Head kPlcStop{kOp, Severity::Major, "ots.operational.plc_stop", "PLC stop command", "Restart/Stop Commands",
                        "T0858,T0881"};
constexpr Head kPlcStart{kOp, Severity::Minor, "ots.operational.plc_start", "PLC start command",
                         "Restart/Stop Commands", "T0858"};
constexpr Head kPlcRestart{kOp, Severity::Major, "ots.operational.plc_restart", "Controller restart or reset command",
                           "Restart/Stop Commands", "T0816"};
constexpr Head kProgramDownload{kOp, Severity::Major, "ots.operational.program_download",
                                "Program download to a controller", "Programming", "T0843"};
constexpr Head kProgramUpload{kOp, Severity::Minor, "ots.operational.program_upload",
                              "Program upload from a controller", "Programming", "T0845"};
constexpr Head kFirmwareUpdate{kOp, Severity::Major, "ots.operational.firmware_update", "Firmware update",
                               "Firmware Change", "T0857"};
constexpr Head kDnp3ColdRestart{kOp, Severity::Major, "ots.operational.dnp3_cold_restart", "DNP3 cold restart",
                                "Restart/Stop Commands", "T0816"};
constexpr Head kDnp3WarmRestart{kOp, Severity::Minor, "ots.operational.dnp3_warm_restart", "DNP3 warm restart",
                                "Restart/Stop Commands", "T0816"};
constexpr Head kDnp3StopApplication{kOp, Severity::Major, "ots.operational.dnp3_stop_application",
                                    "DNP3 stop application", "Restart/Stop Commands", "T0881"};
constexpr Head kIec104Stopdt{kOp, Severity::Minor, "ots.operational.iec104_stopdt",
                             "IEC-104 data transfer stopped (STOPDT)", "Restart/Stop Commands", "T0881"};
constexpr Head kIec104ResetProcess{kOp, Severity::Major, "ots.operational.iec104_reset_process",
                                   "IEC-104 reset process command", "Restart/Stop Commands", "T0816"};
constexpr Head kDcpFactoryReset{kOp, Severity::Major, "ots.operational.profinet_factory_reset",
                                "Profinet DCP factory reset", "Configuration Changes", "T0816,T0855"};
constexpr Head kDcpSetIp{kOp, Severity::Major, "ots.operational.profinet_set_ip", "Profinet DCP IP address change",
                         "Configuration Changes", "T0855"};
constexpr Head kDcpSetName{kOp, Severity::Minor, "ots.operational.profinet_set_name",
                           "Profinet DCP station name change", "Configuration Changes", "T0855"};
constexpr Head kModbusListenOnly{kOp, Severity::Major, "ots.operational.modbus_force_listen_only",
                                 "Modbus force listen-only mode", "Restart/Stop Commands", "T0814"};
constexpr Head kModbusRestart{kOp, Severity::Major, "ots.operational.modbus_restart_communications",
                              "Modbus restart communications", "Restart/Stop Commands", "T0816"};
constexpr Head kCipReset{kOp, Severity::Major, "ots.operational.cip_reset", "CIP Identity object reset",
                         "Restart/Stop Commands", "T0816"};

// Anomaly engine.
// (Port, address and PLC scans and SYN and UDP floods are decided by the CentralDetector over
// every worker's probes and flow counts.)
constexpr Head kArpSpoofing{kAn, Severity::Major, "ots.anomaly.arp_spoofing",
                            "ARP spoofing: an IP address claimed by a second MAC", "Abnormal Communication Behavior",
                            "T0830"};
constexpr Head kArpStorm{kAn, Severity::Minor, "ots.anomaly.gratuitous_arp_storm", "Gratuitous ARP storm",
                         "Abnormal Communication Behavior", "T0830"};
constexpr Head kPasswordGuessing{kAn, Severity::Major, "ots.anomaly.password_guessing", "Password guessing",
                                 "Authentication", "T0859"};
constexpr Head kAbnormalPolling{kAn, Severity::Minor, "ots.anomaly.abnormal_polling_period",
                                "Abnormal polling period", "Abnormal Communication Behavior", ""};

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && std::tolower(static_cast<unsigned char>(haystack[i + j])) == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}
uint64_t hash_text(std::string_view text) {
  return hash_bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}
uint64_t ip_hash(const IpAddr& ip) { return std::hash<IpAddr>{}(ip); }
uint64_t arp_pair_key(const IpAddr& requester, const IpAddr& target) {
  return mix(ip_hash(requester), ip_hash(target));
}

// Names of the dissectors not written yet when this was: decided by keywords of the operation name.
const Head* operational_by_name(std::string_view name) {
  if (contains_ci(name, "download")) return &kProgramDownload;
  if (contains_ci(name, "upload")) return &kProgramUpload;
  if (contains_ci(name, "firmware")) return &kFirmwareUpdate;
  if (contains_ci(name, "stop")) return &kPlcStop;
  if (contains_ci(name, "restart") || contains_ci(name, "reset")) return &kPlcRestart;
  if (contains_ci(name, "start")) return &kPlcStart;
  return nullptr;
}

Severity anomaly_severity(std::string_view name) {
  if (contains_ci(name, "function") || contains_ci(name, "unknown_type") || contains_ci(name, "unknown_pdu") ||
      contains_ci(name, "overflow") || contains_ci(name, "too_many"))
    return Severity::Major;
  if (contains_ci(name, "crc") || contains_ci(name, "reserved") || contains_ci(name, "community") ||
      contains_ci(name, "length") || contains_ci(name, "sequence"))
    return Severity::Minor;
  return Severity::Warning;
}

bool is_auth_failure_anomaly(std::string_view name) {
  return contains_ci(name, "auth_fail") || contains_ci(name, "login_fail") || contains_ci(name, "logon_fail") ||
         contains_ci(name, "wrong_community") || contains_ci(name, "bad_community");
}

bool is_login_operation(std::string_view name) {
  return contains_ci(name, "login") || contains_ci(name, "logon") || contains_ci(name, "auth") ||
         contains_ci(name, "password") || contains_ci(name, "session setup") ||
         contains_ci(name, "activatesession");
}

constexpr uint32_t kIec104StartdtAct = 0x107, kIec104StopdtAct = 0x113;
constexpr uint32_t kIec104GeneralInterrogation = 100;
bool is_iec104_command(uint32_t type_id) {
  return (type_id >= 45 && type_id <= 51) || (type_id >= 58 && type_id <= 64);
}

void append_techniques(std::vector<std::string>& out, std::string_view csv) {
  while (!csv.empty()) {
    size_t comma = csv.find(',');
    out.emplace_back(csv.substr(0, comma));
    csv.remove_prefix(comma == std::string_view::npos ? csv.size() : comma + 1);
  }
}

std::string hex(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%x", v);
  return text;
}

std::string ms(double ns) { return std::to_string(static_cast<int64_t>(std::llround(ns / 1e6))) + " ms"; }

}  // namespace

bool WorkerDetector::DistinctSet::add(uint32_t item) {
  for (uint32_t i = 0; i < std::min<uint32_t>(count, kMaxDistinct); ++i)
    if (items[i] == item) return false;
  if (count < kMaxDistinct) items[count] = item;
  ++count;
  return true;
}

WorkerDetector::WorkerDetector(std::shared_ptr<const DetectionSnapshot> snapshot, EvidenceSettings evidence)
    : snapshot_(std::move(snapshot)), evidence_(evidence) {
  baseline_generation_ = snapshot_->baseline.generation;
  ring_.resize(evidence_.ring_frames);
  ring_bytes_.resize(evidence_.ring_frames * evidence_.snap_bytes);
}

void WorkerDetector::set_snapshot(std::shared_ptr<const DetectionSnapshot> snapshot) {
  snapshot_ = std::move(snapshot);
  ++shortcut_epoch_;
  if (snapshot_->baseline.generation != baseline_generation_) {
    baseline_generation_ = snapshot_->baseline.generation;
    reported_activity_.clear();  // a reset baseline must hear about ongoing activity again
    ++reported_activity_epoch_;
  }
}

namespace {

// (a, port_a) <= (b, port_b) in IpAddr's byte order, as two big-endian word compares (no memcmp).
bool endpoint_order(const IpAddr& a, uint16_t port_a, const IpAddr& b, uint16_t port_b) {
  uint64_t aw[2], bw[2];
  std::memcpy(aw, a.bytes.data(), 16);
  std::memcpy(bw, b.bytes.data(), 16);
  for (int i = 0; i < 2; ++i) {
    const uint64_t x = __builtin_bswap64(aw[i]), y = __builtin_bswap64(bw[i]);
    if (x != y) return x < y;
  }
  return port_a <= port_b;
}

}  // namespace

uint64_t WorkerDetector::flow_id(const IpAddr& a, uint16_t port_a, const IpAddr& b, uint16_t port_b,
                                 uint8_t transport) {
  uint8_t key[37];
  const bool a_first = endpoint_order(a, port_a, b, port_b);
  const IpAddr& lo = a_first ? a : b;
  const IpAddr& hi = a_first ? b : a;
  const uint16_t lo_port = a_first ? port_a : port_b, hi_port = a_first ? port_b : port_a;
  std::memcpy(key, lo.bytes.data(), 16);
  std::memcpy(key + 16, hi.bytes.data(), 16);
  std::memcpy(key + 32, &lo_port, 2);
  std::memcpy(key + 34, &hi_port, 2);
  key[36] = transport;
  return hash_bytes(key, sizeof key) | 1;  // never 0: 0 means "no flow"
}

uint64_t WorkerDetector::l2_flow_id(const MacAddr& a, const MacAddr& b) {
  uint8_t key[12];
  const bool a_first = a <= b;
  std::memcpy(key, (a_first ? a : b).bytes.data(), 6);
  std::memcpy(key + 6, (a_first ? b : a).bytes.data(), 6);
  return hash_bytes(key, sizeof key, 0x2545F4914F6CDD1Dull) | 1;
}

uint64_t WorkerDetector::flow_id(const FlowContext& ctx) {
  if (ctx.transport == 0) return l2_flow_id(ctx.client_mac, ctx.server_mac);
  return flow_id(ctx.client_ip, ctx.client_port, ctx.server_ip, ctx.server_port, ctx.transport);
}

void WorkerDetector::on_packet(int64_t ts_ns, std::span<const uint8_t> frame, uint64_t flow) {
  if (ring_.empty()) return;
  RingSlot& slot = ring_[ring_next_];
  const size_t kept = std::min(frame.size(), evidence_.snap_bytes);
  slot.ts_ns = ts_ns;
  slot.flow = flow;
  slot.length = static_cast<uint32_t>(kept);
  slot.original_length = static_cast<uint32_t>(frame.size());
  if (kept) std::memcpy(ring_bytes_.data() + ring_next_ * evidence_.snap_bytes, frame.data(), kept);
  ring_next_ = ring_next_ + 1 == ring_.size() ? 0 : ring_next_ + 1;
}

ProbeRecord& WorkerDetector::add_probe(ProbeKind kind, const IpAddr& client, const IpAddr& server, uint16_t server_port,
                                      uint8_t transport, std::string_view protocol, int64_t ts_ns) {
  ProbeRecord& probe = activity_.probes.emplace_back();
  probe.kind = kind;
  probe.client = client;
  probe.server = server;
  probe.server_port = server_port;
  probe.transport = transport;
  probe.protocol = protocol;
  probe.ts_ns = ts_ns;
  return probe;
}

bool WorkerDetector::newest_frame_of(uint64_t flow, ProbeFrame& out) const {
  if (ring_.empty()) return false;
  const size_t newest = ring_next_ == 0 ? ring_.size() - 1 : ring_next_ - 1;
  const RingSlot& slot = ring_[newest];
  if (slot.flow != flow || slot.length == 0) return false;
  out.ts_ns = slot.ts_ns;
  out.length = static_cast<uint16_t>(std::min<size_t>(slot.length, ProbeFrame::kSnapBytes));
  std::memcpy(out.bytes.data(), ring_bytes_.data() + newest * evidence_.snap_bytes, out.length);
  return true;
}

bool WorkerDetector::keep_probe_frame(uint64_t flow) {
  auto it = probe_candidates_.find(flow);
  if (it == probe_candidates_.end()) {
    if (probe_candidates_.size() >= evidence_.probe_candidates) {
      ++counters_.probe_frames_untracked;
      return false;
    }
    ProbeFrame frame;
    if (!newest_frame_of(flow, frame)) return false;
    ProbeCandidate& fresh = probe_candidates_[flow];
    fresh.frames[0] = frame;
    fresh.count = 1;
    return true;
  }
  ProbeCandidate& candidate = it->second;
  if (candidate.count < candidate.frames.size() && newest_frame_of(flow, candidate.frames[candidate.count]))
    ++candidate.count;
  return true;
}

void WorkerDetector::forget_probe_frames(uint64_t flow) { probe_candidates_.erase(flow); }

WorkerDetector::Proto WorkerDetector::proto_of(std::string_view protocol) {
  // Dissectors pass their static name: one pointer compare on the common path.
  if (protocol.data() == last_protocol_data_ && protocol.size() == last_protocol_size_) return last_proto_;
  static constexpr std::pair<std::string_view, Proto> kNames[] = {
      {"modbus", Proto::Modbus},   {"s7comm", Proto::S7comm},         {"dnp3", Proto::Dnp3},
      {"iec104", Proto::Iec104},   {"profinet", Proto::Profinet},     {"enip", Proto::Enip},
      {"fins", Proto::Fins},       {"opcua", Proto::Opcua},           {"mms", Proto::Mms},
      {"tristation", Proto::Tristation}, {"codesys", Proto::Codesys}, {"melsec", Proto::Melsec},
      {"ads", Proto::Ads},         {"s7commplus", Proto::S7commplus}, {"http", Proto::Http},
      {"ftp", Proto::Ftp},
  };
  Proto found = Proto::Other;
  for (const auto& [name, proto] : kNames)
    if (name == protocol) found = proto;
  last_protocol_data_ = protocol.data();
  last_protocol_size_ = protocol.size();
  last_proto_ = found;
  return found;
}

template <class Value>
Value* WorkerDetector::track(Table<Value>& table, uint64_t key, int64_t ts_ns, int64_t window_ns) {
  auto& map = table.map;
  auto it = map.find(key);
  if (it == map.end()) {
    if (map.size() >= snapshot_->anomaly.max_tracked) {
      // Sweep expired entries at most once per window so a flood of new keys costs O(1) each.
      if (ts_ns - table.last_sweep_ns >= window_ns) {
        table.last_sweep_ns = ts_ns;
        if (std::erase_if(map, [&](const auto& entry) { return ts_ns - entry.second.window_start > window_ns; }))
          ++shortcut_epoch_;
      }
      if (map.size() >= snapshot_->anomaly.max_tracked) {
        ++counters_.untracked;
        return nullptr;
      }
    }
    it = map.emplace(key, Value{}).first;
    it->second.window_start = ts_ns;
  } else if (ts_ns - it->second.window_start > window_ns) {
    it->second = Value{};
    it->second.window_start = ts_ns;
  }
  return &it->second;
}

void WorkerDetector::raise(const Head& head, const Endpoints& where, std::string_view protocol, std::string message,
                           std::string activity, uint64_t flow, int64_t ts_ns) {
  const std::string_view id = head.definition ? std::string_view(head.definition->id) : head.id;
  uint64_t key = mix(hash_text(id), static_cast<uint64_t>(head.engine));
  key = mix(key, ip_hash(where.source_ip));
  key = mix(key, ip_hash(where.destination_ip));
  key = mix(key, hash_text(protocol));
  if (where.source_ip.is_unspecified()) key = mix(key, where.source_mac.as_u64());
  if (where.destination_ip.is_unspecified()) key = mix(key, where.destination_mac.as_u64());
  if (auto it = pending_index_.find(key); it != pending_index_.end()) {
    Alert& alert = pending_[it->second];
    ++alert.count;
    alert.last_seen_ns = std::max(alert.last_seen_ns, ts_ns);
    ++counters_.alerts_aggregated;
    return;
  }
  Alert alert;
  alert.engine = head.engine;
  if (head.definition) {
    alert.severity = head.definition->severity;
    alert.title = head.definition->title;
    alert.group = head.definition->group;
    alert.attack_techniques = head.definition->attack_techniques;
  } else {
    alert.severity = head.severity;
    alert.title = head.title;
    alert.group = head.group;
    append_techniques(alert.attack_techniques, head.techniques);
  }
  alert.definition_id = id;
  alert.message = std::move(message);
  alert.activity = std::move(activity);
  alert.source_ip = where.source_ip;
  alert.destination_ip = where.destination_ip;
  alert.source_mac = where.source_mac;
  alert.destination_mac = where.destination_mac;
  alert.protocol = protocol;
  alert.first_seen_ns = alert.last_seen_ns = ts_ns;
  if (flow != 0 && !ring_.empty()) {
    // Oldest first: walk the ring from the next slot to be overwritten.
    for (size_t i = 0; i < ring_.size() && alert.evidence_frames.size() < evidence_.max_frames_per_alert; ++i) {
      const size_t index = (ring_next_ + i) % ring_.size();
      const RingSlot& slot = ring_[index];
      if (slot.flow != flow || slot.length == 0) continue;
      const uint8_t* bytes = ring_bytes_.data() + index * evidence_.snap_bytes;
      alert.evidence_frames.emplace_back(bytes, bytes + slot.length);
      alert.evidence_times_ns.push_back(slot.ts_ns);
    }
  }
  pending_index_.emplace(key, pending_.size());
  pending_.push_back(std::move(alert));
  ++counters_.alerts_raised;
}

void WorkerDetector::raise_behaviour(Behaviour b, const FlowContext& ctx, std::string_view protocol,
                                     std::string message, std::string activity) {
  const BehaviourConfig& config = snapshot_->behaviours[static_cast<size_t>(b)];
  Head head;
  head.engine = config.definition->engine;
  head.definition = config.definition;
  raise(head, {ctx.client_ip, ctx.server_ip, ctx.client_mac, ctx.server_mac}, protocol, std::move(message),
        std::move(activity), flow_id(ctx), ctx.ts_ns);
}

void WorkerDetector::drain_alerts(std::vector<Alert>& out) {
  for (Alert& alert : pending_) out.push_back(std::move(alert));
  pending_.clear();
  pending_index_.clear();
}

namespace {

// Appends `from` to `to` and empties `from`; an empty `to` takes the whole vector at once.
template <class T>
void move_all(std::vector<T>& from, std::vector<T>& to) {
  if (to.empty()) {
    to.swap(from);
  } else {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  }
  from.clear();
}

}  // namespace

void WorkerDetector::drain_activity(ActivityBatch& out) {
  move_all(activity_.activities, out.activities);
  move_all(activity_.polling, out.polling);
  move_all(activity_.probes, out.probes);
  out.udp_flow_starts.reserve(out.udp_flow_starts.size() + udp_flow_starts_.size());
  for (auto& [key, count] : udp_flow_starts_) out.udp_flow_starts.push_back(std::move(count));
  udp_flow_starts_.clear();
}

// ---------------------------------------------------------------------------------------------
// Protocol violation

void WorkerDetector::on_anomaly(const FlowContext& ctx, std::string_view protocol, std::string_view name) {
  if (is_auth_failure_anomaly(name)) count_auth_failure(ctx, protocol, name);
  if (!snapshot_->engines.protocol_violation) return;
  std::string id = "ots.protocol.";
  id += name;
  std::string title = "Protocol violation: ";
  title += name;
  Head head{EngineKind::ProtocolViolation, anomaly_severity(name), id, title, "Illegal Commands", ""};
  raise(head, {ctx.client_ip, ctx.server_ip, ctx.client_mac, ctx.server_mac}, protocol,
        std::string(protocol) + " traffic violates the protocol: " + std::string(name), std::string(name),
        flow_id(ctx), ctx.ts_ns);
}

// ---------------------------------------------------------------------------------------------
// Operations: operational engine, anomalies, behaviours, activity for the central detector

void WorkerDetector::on_operation(const FlowContext& ctx, std::string_view protocol, Side from, const Operation& op,
                                  FlowMemo* memo) {
  // Every engine looks at requests; an answer matters only as a failed login the server
  // reported (password guessing). A large share of all operations stops here.
  if (!op.is_request) {
    if (snapshot_->engines.anomaly && from == Side::Server) {
      // The protocol is looked up only for the two status codes that need it.
      const bool failed_login = (op.is_error && is_login_operation(op.name)) ||
                                (op.code == 401 && proto_of(protocol) == Proto::Http) ||
                                (op.code == 530 && proto_of(protocol) == Proto::Ftp);
      if (failed_login) count_auth_failure(ctx, protocol, op.name);
    }
    return;
  }
  Proto p;
  uint64_t pair_protocol;
  if (memo && memo->proto_name == protocol.data() && memo->proto_name_size == protocol.size()) {
    p = static_cast<Proto>(memo->proto);
    pair_protocol = memo->pair_protocol_key;
  } else {
    p = proto_of(protocol);
    pair_protocol = pair_protocol_key(ctx.client_ip, ctx.server_ip, protocol);
    if (memo) {
      *memo = FlowMemo{};  // the other shortcuts were the previous protocol's
      memo->proto_name = protocol.data();
      memo->proto_name_size = static_cast<uint32_t>(protocol.size());
      memo->proto = static_cast<uint8_t>(p);
      memo->pair_protocol_key = pair_protocol;
    }
  }
  bool programming = false;
  if (!op.is_error) operational(p, ctx, protocol, op, programming);
  if (snapshot_->engines.anomaly) anomalies_on_operation(p, ctx, protocol, pair_protocol, from, op, memo);
  if (snapshot_->engines.behaviours && !op.is_error) behaviours(p, ctx, protocol, op, memo);
  if (!op.is_error) record_activity(p, ctx, protocol, pair_protocol, op, programming, memo);
}

void WorkerDetector::operational(Proto p, const FlowContext& ctx, std::string_view protocol, const Operation& op,
                                 bool& programming) {
  const Head* head = nullptr;
  const std::string_view name = op.name, object = op.object;
  switch (p) {
    case Proto::Modbus:
      if (op.code == 8 && object == "Force Listen Only Mode") head = &kModbusListenOnly;
      else if (op.code == 8 && object == "Restart Communications Option") head = &kModbusRestart;
      else if (op.code == 0x5A) {
        if (object == "STOP_PLC") head = &kPlcStop;
        else if (object == "START_PLC") head = &kPlcStart;
        else if (object == "INITIALIZE_DOWNLOAD") head = &kProgramDownload;
        else if (object == "INITIALIZE_UPLOAD") head = &kProgramUpload;
      }
      break;
    case Proto::S7comm:
      if (name == "PLC Stop") head = &kPlcStop;
      else if (name == "PLC Start") head = &kPlcStart;
      else if (name == "PLC Warm Restart" || name == "PLC Cold Restart" || name == "Memory Reset") head = &kPlcRestart;
      else if (name == "Request Download" || name == "Delete Block") head = &kProgramDownload;
      else if (name == "Start Upload") head = &kProgramUpload;
      break;
    case Proto::Dnp3:
      if (op.code == 13) head = &kDnp3ColdRestart;
      else if (op.code == 14) head = &kDnp3WarmRestart;
      else if (op.code == 18) head = &kDnp3StopApplication;
      else if (op.code == 17) head = &kPlcStart;
      break;
    case Proto::Iec104:
      if (op.code == kIec104StopdtAct) head = &kIec104Stopdt;
      else if (op.code == 105) head = &kIec104ResetProcess;
      break;
    case Proto::Profinet:
      if (name == "DCP Factory Reset") head = &kDcpFactoryReset;
      else if (name == "DCP Set IP") head = &kDcpSetIp;
      else if (name == "DCP Set Name of Station") head = &kDcpSetName;
      break;
    case Proto::Enip:
      if (op.code == 0x05 && op.unit == 0x01) head = &kCipReset;
      else if (name == "NVS Begin Update") head = &kFirmwareUpdate;
      break;
    case Proto::Fins:
      if (op.code == 0x0401) head = &kPlcStart;
      else if (op.code == 0x0402) head = &kPlcStop;
      else if (op.code == 0x0307) head = &kProgramDownload;
      else if (op.code == 0x0306) head = &kProgramUpload;
      break;
    case Proto::Mms:
    case Proto::Tristation:
    case Proto::Codesys:
    case Proto::Melsec:
    case Proto::Ads:
    case Proto::S7commplus: head = operational_by_name(name); break;
    default: break;
  }
  if (!head) return;
  // Profinet DCP Set / factory reset are configuration, not programming.
  programming = head != &kDcpSetIp && head != &kDcpSetName && head != &kIec104Stopdt;
  if (!snapshot_->engines.operational) return;
  std::string message = std::string(head->title) + " (" + std::string(protocol) + " " + std::string(name);
  if (!object.empty()) message += " " + std::string(object);
  message += ") from " + ctx.client_ip.str() + " to " + ctx.server_ip.str();
  std::string activity = "code=" + hex(op.code) + " name=" + std::string(name);
  raise(*head, {ctx.client_ip, ctx.server_ip, ctx.client_mac, ctx.server_mac}, protocol, std::move(message),
        std::move(activity), flow_id(ctx), ctx.ts_ns);
}

void WorkerDetector::count_auth_failure(const FlowContext& ctx, std::string_view protocol, std::string_view what) {
  if (!snapshot_->engines.anomaly) return;
  const AnomalySettings& a = snapshot_->anomaly;
  const uint64_t key = pair_protocol_key(ctx.client_ip, ctx.server_ip, protocol);
  WindowCounter* counter = track(auth_failures_, key, ctx.ts_ns, a.scan_window_ns);
  if (!counter || ++counter->count < a.auth_failures || counter->alerted) return;
  counter->alerted = true;
  raise(kPasswordGuessing, {ctx.client_ip, ctx.server_ip, ctx.client_mac, ctx.server_mac}, protocol,
        std::to_string(counter->count) + " failed " + std::string(protocol) + " logins from " + ctx.client_ip.str() +
            " to " + ctx.server_ip.str() + " (" + std::string(what) + ")",
        "failures=" + std::to_string(counter->count), flow_id(ctx), ctx.ts_ns);
}

void WorkerDetector::anomalies_on_operation(Proto p, const FlowContext& ctx, std::string_view protocol,
                                            uint64_t pair_protocol, Side from, const Operation& op, FlowMemo* memo) {
  const AnomalySettings& a = snapshot_->anomaly;
  // PLC scan: identity requests to many hosts, reported once per pair and probe bucket; the
  // central detector counts the hosts over all workers.
  const std::string_view identity_protocol = (p == Proto::Enip && op.code == 0x63) ? "enip"
      : (p == Proto::Modbus && op.code == 43 && op.object == "Read Device Identification") ? "modbus"
      : (p == Proto::S7comm && op.name == "Read SZL") ? "s7comm" : "";
  if (!identity_protocol.empty() && ctx.server_ip.is_unicast()) {
    const int64_t bucket = probe_bucket(ctx.ts_ns, a.scan_window_ns);
    if (identity_reported_.size() >= a.max_tracked) identity_reported_.clear();  // only costs a repeat report
    auto [it, added] = identity_reported_.try_emplace(pair_key(ctx.client_ip, ctx.server_ip), bucket);
    if (added || it->second != bucket) {
      it->second = bucket;
      ProbeRecord& probe = add_probe(ProbeKind::Identity, ctx.client_ip, ctx.server_ip, ctx.server_port,
                                     ctx.transport, identity_protocol, ctx.ts_ns);
      // The frame that carried the request (when the request ended on this frame).
      if (ProbeFrame frame; newest_frame_of(flow_id(ctx), frame)) probe.frames.push_back(frame);
    }
  }
  if (from == Side::Client && ctx.transport != 0) polling(ctx, protocol, pair_protocol, op, memo);
}

namespace {

void remember_channel(WorkerDetector::FlowMemo* memo, WorkerDetector::PollingChannel* channel, uint32_t code,
                      uint32_t address) {
  if (!memo) return;
  memo->channel = channel;
  memo->channel_code = code;
  memo->channel_address = address;
}

}  // namespace

void WorkerDetector::polling(const FlowContext& ctx, std::string_view protocol, uint64_t pair_protocol,
                             const Operation& op, FlowMemo* memo) {
  const AnomalySettings& a = snapshot_->anomaly;
  const uint32_t address = op.has_range ? op.address : 0;
  PollingChannel* channel = nullptr;
  // A flow's operations share its client, server and protocol (the memo is the protocol's): the
  // memo names the channel when code and address repeat (channels are never erased, so the
  // pointer stays valid).
  if (memo && memo->channel && memo->channel_code == op.code && memo->channel_address == address) {
    channel = memo->channel;
  } else {
    const uint64_t key = channel_key(pair_protocol, op.code, address);
    auto it = polling_.find(key);
    if (it == polling_.end()) {
      if (polling_.size() >= a.max_tracked) {
        ++counters_.untracked;
        return;
      }
      PollingChannel fresh;
      fresh.last_ts_ns = ctx.ts_ns;
      if (auto learned = snapshot_->baseline.polling.find(key); learned != snapshot_->baseline.polling.end()) {
        fresh.learned = true;
        fresh.learned_stats = learned->second;
      }
      it = polling_.emplace(key, fresh).first;
      channel = &it->second;
      remember_channel(memo, channel, op.code, address);
      return;
    }
    channel = &it->second;
    remember_channel(memo, channel, op.code, address);
  }
  PollingChannel& ch = *channel;
  const double interval = static_cast<double>(ctx.ts_ns - ch.last_ts_ns);
  ch.last_ts_ns = ctx.ts_ns;
  if (interval <= 0) return;
  if (!ch.learned) {
    ++ch.samples;
    const double delta = interval - ch.mean;
    ch.mean += delta / static_cast<double>(ch.samples);
    ch.m2 += delta * (interval - ch.mean);
    if (ch.samples < a.polling_min_samples) return;
    const double stddev = std::sqrt(ch.m2 / static_cast<double>(ch.samples - 1));
    if (stddev <= a.polling_max_cv * ch.mean) {
      ch.learned = true;
      ch.learned_stats = {ch.mean, stddev, ch.samples};
      activity_.polling.push_back({ctx.client_ip, ctx.server_ip, std::string(protocol), op.code, address,
                                   ch.learned_stats});
    } else if (ch.samples >= 4ull * a.polling_min_samples) {
      ch.samples = 0;  // not cyclic (yet): start over, the channel may settle
      ch.mean = ch.m2 = 0;
    }
    return;
  }
  const PollingStats& s = ch.learned_stats;
  const double deviation = std::fabs(interval - s.mean_ns);
  if (deviation <= a.polling_deviation * s.stddev_ns || deviation <= a.polling_min_relative * s.mean_ns) return;
  raise(kAbnormalPolling, {ctx.client_ip, ctx.server_ip, ctx.client_mac, ctx.server_mac}, protocol,
        std::string(protocol) + " " + std::string(op.name) + " from " + ctx.client_ip.str() + " to " +
            ctx.server_ip.str() + ": interval " + ms(interval) + ", learned period " + ms(s.mean_ns) + " ± " +
            ms(s.stddev_ns),
        "code=" + hex(op.code) + " address=" + std::to_string(address), flow_id(ctx), ctx.ts_ns);
}

// ---------------------------------------------------------------------------------------------
// Behaviours

bool WorkerDetector::unknown_engineer(const IpAddr& host, const IpAddr& target, const BehaviourParams& params) const {
  if (is_internet_peer(host, target)) return true;
  const BaselineView& b = snapshot_->baseline;
  if (!b.established) return !params.needs_baseline;
  return !b.engineering_hosts.contains(host);
}

bool WorkerDetector::new_pair(const IpAddr& client, const IpAddr& server, std::string_view protocol,
                              const BehaviourParams& params) const {
  if (is_internet_peer(client, server)) return true;
  const BaselineView& b = snapshot_->baseline;
  if (!b.established) return !params.needs_baseline;
  return !b.known_pair_protocols.contains(pair_protocol_key(client, server, protocol));
}

bool WorkerDetector::new_writer(const IpAddr& client, const IpAddr& server, std::string_view protocol,
                                const BehaviourParams& params) const {
  if (is_internet_peer(client, server)) return true;
  const BaselineView& b = snapshot_->baseline;
  if (!b.established) return !params.needs_baseline;
  return !b.known_writers.contains(pair_protocol_key(client, server, protocol));
}

namespace {
constexpr uint32_t kStartedByNewMaster = 1, kInterrogated = 2, kReadSeen = 4;
}

void WorkerDetector::behaviours(Proto p, const FlowContext& ctx, std::string_view protocol, const Operation& op,
                                FlowMemo* memo) {
  const auto& all = snapshot_->behaviours;
  auto on = [&](Behaviour b) -> const BehaviourConfig* {
    const BehaviourConfig& c = all[static_cast<size_t>(b)];
    return c.enabled ? &c : nullptr;
  };
  auto state = [&](Behaviour b, const BehaviourConfig& c) {
    const uint64_t key = mix(pair_key(ctx.client_ip, ctx.server_ip), static_cast<uint64_t>(b) + 1);
    return track(behaviour_states_, key, ctx.ts_ns, c.params.window_ns);
  };
  auto from_to = [&] { return " from " + ctx.client_ip.str() + " to " + ctx.server_ip.str(); };
  const std::string_view name = op.name, object = op.object;

  switch (p) {
    case Proto::Iec104: {
      const BehaviourConfig* c = on(Behaviour::Industroyer2);
      if (!c) break;
      const bool startdt = op.code == kIec104StartdtAct;
      const bool gi = op.code == kIec104GeneralInterrogation;
      const bool command = is_iec104_command(op.code) && op.has_range;
      if (!startdt && !gi && !command) break;
      if (startdt && !new_pair(ctx.client_ip, ctx.server_ip, protocol, c->params)) break;
      BehaviourState* s = state(Behaviour::Industroyer2, *c);
      if (!s) break;
      if (startdt) s->flags |= kStartedByNewMaster;
      if (gi) s->flags |= kInterrogated;
      if (command) s->distinct.add(op.address);
      const bool sequence = (s->flags & (kStartedByNewMaster | kInterrogated)) == (kStartedByNewMaster | kInterrogated);
      const uint32_t threshold = std::min<uint32_t>(c->params.threshold, kMaxDistinct);
      if (sequence && s->distinct.count >= threshold && !s->alerted) {
        s->alerted = true;
        raise_behaviour(Behaviour::Industroyer2, ctx, protocol,
                        "IEC-104 STARTDT from a new master, general interrogation, then commands to " +
                            std::to_string(s->distinct.count) + " IOAs" + from_to(),
                        "ioas=" + std::to_string(s->distinct.count));
      }
      break;
    }
    case Proto::Mms: {
      const BehaviourConfig* c = on(Behaviour::Industroyer);
      if (!c || !op.is_write || (object.find("CSWI") == std::string_view::npos &&
                                 object.find("XCBR") == std::string_view::npos))
        break;
      if (!unknown_engineer(ctx.client_ip, ctx.server_ip, c->params)) break;
      BehaviourState* s = state(Behaviour::Industroyer, *c);
      if (!s) break;
      s->distinct.add(static_cast<uint32_t>(hash_text(object)));
      if (s->distinct.count >= std::min<uint32_t>(c->params.threshold, kMaxDistinct) && !s->alerted) {
        s->alerted = true;
        raise_behaviour(Behaviour::Industroyer, ctx, protocol,
                        "MMS writes to " + std::to_string(s->distinct.count) + " breaker control items (" +
                            std::string(object) + " …)" + from_to(),
                        "object=" + std::string(object));
      }
      break;
    }
    case Proto::Tristation: {
      const BehaviourConfig* c = on(Behaviour::Triton);
      if (c && op.is_write && unknown_engineer(ctx.client_ip, ctx.server_ip, c->params))
        raise_behaviour(Behaviour::Triton, ctx, protocol,
                        "TriStation " + std::string(name) + " (program change) to a safety controller" + from_to() +
                            ", not an engineering station",
                        "name=" + std::string(name));
      break;
    }
    case Proto::Opcua: {
      const BehaviourConfig* c = on(Behaviour::PipedreamOpcua);
      if (!c || (name != "Browse" && name != "BrowseNext")) break;
      if (!new_pair(ctx.client_ip, ctx.server_ip, protocol, c->params)) break;
      BehaviourState* s = state(Behaviour::PipedreamOpcua, *c);
      if (s && ++s->events >= c->params.threshold && !s->alerted) {
        s->alerted = true;
        raise_behaviour(Behaviour::PipedreamOpcua, ctx, protocol,
                        "OPC UA full browse (" + std::to_string(s->events) + " browse requests) by a new client" +
                            from_to(),
                        "browses=" + std::to_string(s->events));
      }
      break;
    }
    case Proto::Codesys: {
      const BehaviourConfig* c = on(Behaviour::PipedreamCodesys);
      if (!c || !contains_ci(name, "login")) break;
      BehaviourState* s = state(Behaviour::PipedreamCodesys, *c);
      if (s && ++s->events >= c->params.threshold && !s->alerted) {
        s->alerted = true;
        raise_behaviour(Behaviour::PipedreamCodesys, ctx, protocol,
                        std::to_string(s->events) + " CODESYS login attempts" + from_to(),
                        "logins=" + std::to_string(s->events));
      }
      break;
    }
    case Proto::Fins: {
      const BehaviourConfig* c = on(Behaviour::PipedreamFins);
      const bool mode_change = op.code == 0x0401 || op.code == 0x0402;
      if (!c || (!mode_change && !op.is_write) || !unknown_engineer(ctx.client_ip, ctx.server_ip, c->params)) break;
      BehaviourState* s = state(Behaviour::PipedreamFins, *c);
      if (!s) break;
      ++s->events;
      if ((mode_change || s->events >= c->params.threshold) && !s->alerted) {
        s->alerted = true;
        raise_behaviour(Behaviour::PipedreamFins, ctx, protocol,
                        "Omron FINS " + std::string(name) + (mode_change ? " (mode change)" : " (writes)") +
                            from_to() + ", not an engineering station",
                        "code=" + hex(op.code));
      }
      break;
    }
    case Proto::Modbus: {
      if (op.code == 0x5A) {
        const BehaviourConfig* c = on(Behaviour::PipedreamUmas);
        if (c && op.is_write && unknown_engineer(ctx.client_ip, ctx.server_ip, c->params))
          raise_behaviour(Behaviour::PipedreamUmas, ctx, protocol,
                          "Schneider UMAS " + std::string(object) + from_to() + ", not an engineering station",
                          "umas=" + std::string(object));
      }
      if (op.code == 8 && (object == "Force Listen Only Mode" || object == "Restart Communications Option")) {
        const BehaviourConfig* c = on(Behaviour::ModbusFc8);
        if (c && unknown_engineer(ctx.client_ip, ctx.server_ip, c->params))
          raise_behaviour(Behaviour::ModbusFc8, ctx, protocol,
                          "Modbus diagnostics " + std::string(object) + from_to() + ", not an engineering station",
                          "subfunction=" + std::string(object));
      }
      if (const BehaviourConfig* c = on(Behaviour::FrostyGoop)) {
        const bool read = op.code == 3 || op.code == 4;
        const bool write = op.code == 5 || op.code == 6 || op.code == 15 || op.code == 16 || op.code == 23;
        if (!read && !write) break;
        if (read && memo && memo->reads_epoch == shortcut_epoch_ && ctx.ts_ns <= memo->reads_noted_until_ns) break;
        BehaviourState* s = state(Behaviour::FrostyGoop, *c);
        if (!s) break;
        if (read) {
          s->flags |= kReadSeen;
          if (memo) {  // the state keeps the flag until its window ends
            memo->reads_noted_until_ns = s->window_start + c->params.window_ns;
            memo->reads_epoch = shortcut_epoch_;
          }
        }
        if (write && (s->flags & kReadSeen) && !s->alerted &&
            new_writer(ctx.client_ip, ctx.server_ip, protocol, c->params)) {
          s->alerted = true;
          raise_behaviour(Behaviour::FrostyGoop, ctx, protocol,
                          "Modbus register reads then " + std::string(name) + " at " + std::to_string(op.address) +
                              from_to() + ", a source never seen writing",
                          "fc=" + std::to_string(op.code) + " address=" + std::to_string(op.address));
        }
      }
      break;
    }
    case Proto::S7comm: {
      const BehaviourConfig* c = on(Behaviour::S7StopDownload);
      const bool stop_or_download = name == "PLC Stop" || name == "Request Download" || name == "Download Block" ||
                                    name == "Delete Block";
      if (c && stop_or_download && unknown_engineer(ctx.client_ip, ctx.server_ip, c->params))
        raise_behaviour(Behaviour::S7StopDownload, ctx, protocol,
                        "S7 " + std::string(name) + from_to() + ", not an engineering station",
                        "name=" + std::string(name));
      break;
    }
    case Proto::Dnp3: {
      const BehaviourConfig* c = on(Behaviour::Dnp3Restart);
      if (c && (op.code == 13 || op.code == 14 || op.code == 18) && unknown_engineer(ctx.client_ip, ctx.server_ip, c->params))
        raise_behaviour(Behaviour::Dnp3Restart, ctx, protocol,
                        "DNP3 " + std::string(name) + from_to() + ", not an engineering station",
                        "fc=" + std::to_string(op.code));
      break;
    }
    default: break;
  }
}

// ---------------------------------------------------------------------------------------------
// Activity for the central detector (policy engine and baseline)

void WorkerDetector::record_activity(Proto p, const FlowContext& ctx, std::string_view protocol,
                                     uint64_t pair_protocol, const Operation& op, bool programming, FlowMemo* memo) {
  if (ctx.transport == 0) return;  // policy is about IP pairs
  // Only a baseline being learned or compared against uses activity; until learning starts the
  // next snapshot turns recording on (activity seen before then is reported when it repeats).
  if (!snapshot_->baseline.learning && !snapshot_->baseline.established) return;
  const S7PolicyItem s7_item = p == Proto::S7comm ? s7_policy_item(op.code, op.unit, op.object) : S7PolicyItem{};
  const bool interesting = programming || op.is_write || !s7_item.empty() || (p == Proto::Enip && op.unit != 0);
  if (!interesting) return;
  // The key holds what the central detector compares: the range only of writes (write-range
  // policy), the S7 item rather than the whole address (block policy), so a poll reading the
  // same data block at moving offsets is one activity.
  uint64_t key = mix(pair_protocol, op.code);
  key = mix(key, op.unit);
  key = mix(key, op.is_write && op.has_range ? (uint64_t{op.address} << 32 | op.quantity) : 0xFFFFFFFFFFFFull);
  key = mix(key, (op.is_write ? 2u : 0u) | (programming ? 1u : 0u));
  if (!s7_item.name.empty()) key = mix(key, hash_text(s7_item.name));
  // A flow repeating its last reported activity needs no look into the set.
  if (memo && memo->activity_key == key && memo->activity_epoch == reported_activity_epoch_) return;
  if (reported_activity_.size() >= 4 * snapshot_->anomaly.max_tracked) {
    reported_activity_.clear();
    ++reported_activity_epoch_;
  }
  const bool fresh = reported_activity_.insert(key);
  if (memo) {
    memo->activity_key = key;
    memo->activity_epoch = reported_activity_epoch_;
  }
  if (!fresh) return;
  ActivityRecord record;
  record.client = ctx.client_ip;
  record.server = ctx.server_ip;
  record.protocol = protocol;
  record.code = op.code;
  record.name = op.name;
  record.unit = op.unit;
  record.address = op.address;
  record.quantity = op.quantity;
  record.has_range = op.has_range;
  record.is_write = op.is_write;
  record.programming = programming;
  if (p == Proto::S7comm) record.object = op.object;
  record.ts_ns = ctx.ts_ns;
  activity_.activities.push_back(std::move(record));
  ++counters_.activities;
}

// ---------------------------------------------------------------------------------------------
// Threat intelligence hook

void WorkerDetector::on_observable(const FlowContext& ctx, std::string_view protocol, Side side, Observable kind,
                                   std::string_view value, const IndicatorMatcher& matcher) {
  const AlertDefinition* definition = matcher.match(kind, value);
  if (!definition) return;
  Head head;
  head.engine = definition->engine;
  head.definition = definition;
  raise(head, {ctx.client_ip, ctx.server_ip, ctx.client_mac, ctx.server_mac}, protocol,
        std::string(side == Side::Client ? "client" : "server") + " " + observable_name(kind) + " " +
            std::string(value) + " matches " + definition->id,
        std::string(observable_name(kind)) + "=" + std::string(value), flow_id(ctx), ctx.ts_ns);
}

void WorkerDetector::raise_definition(const FlowContext& ctx, std::string_view protocol,
                                      const AlertDefinition& definition, std::string message, std::string activity) {
  Head head;
  head.engine = definition.engine;
  head.definition = &definition;
  raise(head, {ctx.client_ip, ctx.server_ip, ctx.client_mac, ctx.server_mac}, protocol, std::move(message),
        std::move(activity), flow_id(ctx), ctx.ts_ns);
}

// ---------------------------------------------------------------------------------------------
// Anomalies from ARP and flows

void WorkerDetector::on_arp(int64_t ts_ns, const MacAddr& sender_mac, const IpAddr& sender_ip,
                            const MacAddr& target_mac, const IpAddr& target_ip, bool is_reply,
                            uint64_t evidence_flow) {
  if (!snapshot_->engines.anomaly || sender_ip.is_unspecified() || !sender_mac.is_unicast()) return;
  const AnomalySettings& a = snapshot_->anomaly;
  const uint64_t flow = l2_flow_id(sender_mac, target_mac);
  if (sender_ip == target_ip) {  // gratuitous
    WindowCounter* storm = track(arp_storms_, sender_mac.as_u64(), ts_ns, a.scan_window_ns);
    if (storm && ++storm->count >= a.gratuitous_arp_storm && !storm->alerted) {
      storm->alerted = true;
      raise(kArpStorm, {IpAddr{}, IpAddr{}, sender_mac, MacAddr{}}, "arp",
            std::to_string(storm->count) + " gratuitous ARPs from " + sender_mac.str() + " for " + sender_ip.str(),
            "mac=" + sender_mac.str(), flow, ts_ns);
    }
  }
  // Any ARP a host sends to the requester answers the requester's request for it (in time;
  // later answers do not undo a probe, so the verdict does not depend on when expiry ran).
  expire_arp_requests(ts_ns);
  if (auto request = arp_requests_.find(arp_pair_key(target_ip, sender_ip)); request != arp_requests_.end())
    arp_requests_.erase(request);
  if (!is_reply && sender_ip != target_ip && target_ip.is_unicast()) {
    const uint64_t key = arp_pair_key(sender_ip, target_ip);
    if (arp_requests_.size() < a.max_tracked) {
      if (auto [request, added] = arp_requests_.try_emplace(key, ArpRequest{sender_ip, target_ip, ts_ns, {}}); added) {
        newest_frame_of(evidence_flow, request->second.frame);
        arp_request_order_.emplace_back(key, ts_ns);
      }
    } else if (!arp_requests_.contains(key)) {
      ++counters_.untracked;
    }
  }
  auto it = arp_.find(sender_ip);
  if (it == arp_.end()) {
    if (arp_.size() >= a.max_tracked) {
      std::erase_if(arp_, [&](const auto& e) { return ts_ns - e.second.last_seen_ns > a.arp_alive_ns; });
      if (arp_.size() >= a.max_tracked) {
        ++counters_.untracked;
        return;
      }
    }
    arp_.emplace(sender_ip, ArpEntry{sender_mac, ts_ns});
    return;
  }
  ArpEntry& owner = it->second;
  if (owner.mac == sender_mac) {
    owner.last_seen_ns = ts_ns;
  } else if (ts_ns - owner.last_seen_ns <= a.arp_alive_ns) {
    // The first MAC is alive: keep it as the owner, the second is claiming its address.
    raise(kArpSpoofing, {sender_ip, IpAddr{}, sender_mac, owner.mac}, "arp",
          sender_mac.str() + " claims " + sender_ip.str() + ", which " + owner.mac.str() + " holds",
          "ip=" + sender_ip.str() + " mac=" + sender_mac.str() + " owner=" + owner.mac.str(), flow, ts_ns);
  } else {
    owner = ArpEntry{sender_mac, ts_ns};  // the previous holder went quiet: a replaced device
  }
}

void WorkerDetector::settle_arp_request(uint64_t key, int64_t ts_ns) {
  auto it = arp_requests_.find(key);
  if (it == arp_requests_.end() || it->second.ts_ns != ts_ns) return;  // answered (or asked again later)
  const ArpRequest& request = it->second;
  ProbeRecord& probe = add_probe(ProbeKind::Unanswered, request.requester, request.target, 0, 0, "arp", request.ts_ns);
  if (request.frame.length) probe.frames.push_back(request.frame);
  arp_requests_.erase(it);
}

void WorkerDetector::expire_arp_requests(int64_t now_ns) {
  const int64_t wait = snapshot_->anomaly.arp_reply_ns;
  while (!arp_request_order_.empty() && now_ns - arp_request_order_.front().second > wait) {
    const auto [key, ts] = arp_request_order_.front();
    arp_request_order_.pop_front();
    settle_arp_request(key, ts);
  }
}

void WorkerDetector::end_of_input() {
  for (const auto& [key, ts] : arp_request_order_) settle_arp_request(key, ts);
  arp_request_order_.clear();
}

void WorkerDetector::on_flow_start(int64_t ts_ns, uint8_t transport, const IpAddr& client, uint16_t client_port,
                                   const IpAddr& server, uint16_t server_port, const MacAddr& server_mac,
                                   bool echo_request) {
  if (!snapshot_->engines.anomaly || !server.is_unicast()) return;
  const AnomalySettings& a = snapshot_->anomaly;
  const uint64_t flow = flow_id(client, client_port, server, server_port, transport);
  if (echo_request && echo_flows_.size() < a.max_tracked) echo_flows_.insert(flow);
  if (transport == 17) {
    // UDP floods are counted centrally, over every worker: this worker sums its new flows per
    // server and probe bucket until the next drain.
    const int64_t bucket = probe_bucket(ts_ns, a.flood_window_ns);
    const uint64_t key = mix(ip_hash(server), static_cast<uint64_t>(bucket));
    auto it = udp_flow_starts_.find(key);
    if (it == udp_flow_starts_.end()) {
      if (udp_flow_starts_.size() >= a.max_tracked) {
        ++counters_.untracked;
        return;
      }
      FlowStartCount& fresh = udp_flow_starts_[key];
      fresh.server = server;
      fresh.server_mac = server_mac;
      fresh.bucket = bucket;
      fresh.first_ts_ns = ts_ns;
      it = udp_flow_starts_.find(key);
    }
    FlowStartCount& count = it->second;
    ++count.flows;
    if (ProbeFrame frame; count.frames.size() < kFlowStartFrames && newest_frame_of(flow, frame))
      count.frames.push_back(frame);
  }
}

void WorkerDetector::on_flow_end(const EndedFlow& flow) {
  ProbeCandidate frames;
  if (flow.probe_frames) {
    if (auto kept = probe_candidates_.find(flow.evidence_id); kept != probe_candidates_.end()) {
      frames = kept->second;
      probe_candidates_.erase(kept);
    }
  }
  const bool tcp = flow.transport == 6, udp = flow.transport == 17;
  if (!tcp && !udp &&
      echo_flows_.erase(flow_id(flow.client, flow.client_port, flow.server, flow.server_port, flow.transport)) == 0)
    return;  // ICMP other than a ping (and other IP protocols): not an attempt to reach a host
  if (!snapshot_->engines.anomaly || !flow.server.is_unicast() || flow.client == flow.server) return;
  // No reply at all, or (TCP) a reset or half-open answer without a byte of payload: nothing a
  // poller does. A master polling its field devices gets answers and never counts.
  const bool unanswered = flow.server_packets == 0 && (!tcp || !flow.payload);
  const bool refused = tcp && !unanswered && flow.server_packets == 1 && flow.closed && !flow.payload;
  if (!unanswered && !refused) return;
  const std::string_view transport_name = tcp ? "tcp" : udp ? "udp" : "icmp";
  ProbeRecord& probe = add_probe(unanswered ? ProbeKind::Unanswered : ProbeKind::Refused, flow.client, flow.server,
                                 flow.server_port, flow.transport, transport_name, flow.first_ts_ns);
  probe.frames.assign(frames.frames.begin(), frames.frames.begin() + frames.count);
}

}  // namespace ots::detect
