#include "core/detection.h"

#include <stdexcept>

#include "detect/engine/behaviour_pack.h"
#include "detect/ti/package_signing.h"
#include "detect/ti/ti_store.h"

namespace ots {

// The built-in pack and the key that signs it, embedded by core/CMakeLists.txt.
std::string_view builtin_behaviour_pack();
std::string_view builtin_pack_public_key();

namespace {

uint16_t parse_port(const std::string& text, const std::string& what) {
  size_t used = 0;
  unsigned long port = 0;
  try {
    port = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || port == 0 || port > 65535) throw std::invalid_argument(what + ": bad port '" + text + "'");
  return static_cast<uint16_t>(port);
}

}  // namespace

detect::ForwarderConfig parse_forwarder(const std::string& text) {
  using C = detect::ForwarderConfig;
  C config;
  std::string rest;
  if (text.starts_with("jsonl:") && !text.starts_with("jsonl+")) {
    config.format = C::Format::JsonLines;
    config.transport = C::Transport::File;
    config.path = text.substr(6);
    if (config.path.empty()) throw std::invalid_argument(text + ": no file after jsonl:");
    return config;
  }
  if (text.starts_with("udp://")) {
    config.transport = C::Transport::Udp;
    rest = text.substr(6);
  } else if (text.starts_with("tcp://")) {
    config.transport = C::Transport::Tcp;
    rest = text.substr(6);
  } else if (text.starts_with("tls://")) {
    config.transport = C::Transport::Tls;
    rest = text.substr(6);
  } else if (text.starts_with("jsonl+tcp://")) {
    config.format = C::Format::JsonLines;
    config.transport = C::Transport::Tcp;
    rest = text.substr(12);
  } else {
    throw std::invalid_argument(text + ": expected udp://, tcp://, tls://, jsonl+tcp:// or jsonl:PATH");
  }
  std::string query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) throw std::invalid_argument(text + ": expected host:port");
  config.host = rest.substr(0, colon);
  if (config.host.size() > 2 && config.host.front() == '[' && config.host.back() == ']')
    config.host = config.host.substr(1, config.host.size() - 2);
  config.port = parse_port(rest.substr(colon + 1), text);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string item = query.substr(0, amp);
    query = amp == std::string::npos ? "" : query.substr(amp + 1);
    if (item.starts_with("ca=")) config.ca_file = item.substr(3);
    else if (item.starts_with("pin=")) config.pinned_sha256 = item.substr(4);
    else throw std::invalid_argument(text + ": unknown option '" + item + "' (ca=FILE or pin=SHA256)");
  }
  return config;
}

DetectionHub::DetectionHub(const std::string& db_path, DetectionOptions options)
    : db_path_(db_path), options_(std::move(options)) {
  // The built-in pack is used only when its signature verifies with the embedded key.
  detect::ti::TrustedKeys keys;
  keys.add_pem(builtin_pack_public_key());
  detect::BehaviourPack pack;
  try {
    pack = detect::parse_behaviour_pack(detect::ti::verified_payload(builtin_behaviour_pack(), keys));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("built-in behaviour pack rejected: ") + e.what());
  }
  for (const auto& p : pack.problems) notes_.push_back("behaviour pack: " + p.definition_id + ": " + p.reason);
  pack_definitions_ = std::move(pack.definitions);

  baseline_ = detect::Baseline::open(db_path_);
  central_ = std::make_unique<detect::CentralDetector>(*baseline_);
  store_ = detect::AlertStore::open(db_path_);
  for (const auto& config : options_.forwarders) forwarders_.push_back(detect::AlertForwarder::create(config));
  ti_watch_ = SqliteConnection::open(db_path_, SqliteConnection::Mode::ReadWrite);
  detect::ti::TiStore ensure_schema(db_path_);  // the ti tables exist before we watch them
  reload_threat_intelligence();
  publish();
}

DetectionHub::~DetectionHub() = default;

std::shared_ptr<const DetectionBundle> DetectionHub::bundle() const {
  std::lock_guard lock(mutex_);
  return bundle_;
}

// Changes to the packages in force (import, remove, rollback, enable/disable) change this.
std::string DetectionHub::ti_fingerprint() {
  Statement q(*ti_watch_,
              "SELECT count(*), coalesce(max(id), 0), coalesce(sum(enabled), 0), coalesce(max(imported_at), 0) "
              "FROM ti_packages");
  q.step();
  return std::to_string(q.i64(0)) + "/" + std::to_string(q.i64(1)) + "/" + std::to_string(q.i64(2)) + "/" +
         std::to_string(q.i64(3));
}

void DetectionHub::reload_threat_intelligence() {
  ti_fingerprint_ = ti_fingerprint();
  detect::ti::TiStore store(db_path_);
  std::vector<detect::ti::RejectedEntry> rejected;
  indicators_ = detect::ti::IndicatorSet::build(store.active_definitions(), &rejected);
  for (const auto& r : rejected)
    notes_.push_back("threat intelligence: " + r.location + " '" + r.value + "': " + r.reason);
  std::vector<detect::rules::RuleSource> sources;
  const auto& definitions = indicators_->definitions();
  for (size_t i = 0; i < definitions.size(); ++i) {
    for (const std::string& text : definitions[i].rules) sources.push_back({text, static_cast<uint32_t>(i)});
  }
  auto compiled = detect::rules::compile_rules(sources);
  for (const auto& r : compiled.report.rejected) {
    notes_.push_back("rule sid " + std::to_string(r.sid) + " of " + definitions[r.tag].id + " not loaded: " + r.reason);
  }
  rules_ = compiled.rules;
}

void DetectionHub::publish() {
  std::vector<detect::SnapshotProblem> problems;
  auto snapshot = detect::make_snapshot(pack_definitions_, baseline_->view(), detect::AnomalySettings{},
                                        detect::EngineSwitches{}, &problems);
  for (const auto& p : problems) notes_.push_back("behaviour pack: " + p.definition_id + ": " + p.entry + ": " + p.reason);
  auto next = std::make_shared<DetectionBundle>();
  next->snapshot = std::move(snapshot);
  next->indicators = indicators_;
  next->rules = rules_;
  std::lock_guard lock(mutex_);
  next->generation = generation_.load() + 1;
  bundle_ = std::move(next);
  generation_.store(bundle_->generation, std::memory_order_release);
}

template <class Step>
bool DetectionHub::attempt(const char* what, Step&& step) {
  try {
    step();
    return true;
  } catch (const std::exception& e) {
    std::lock_guard lock(failures_mutex_);
    ++failures_.count;
    failures_.last = std::string(what) + ": " + e.what();
    return false;
  }
}

DetectionHub::Failures DetectionHub::failures() const {
  std::lock_guard lock(failures_mutex_);
  return failures_;
}

size_t DetectionHub::alerts_unstored() const {
  std::lock_guard lock(failures_mutex_);
  return unstored_alerts_.size();
}

void DetectionHub::on_flush(const StoreBatch& changes, std::vector<detect::Alert>& worker_alerts,
                            const std::vector<detect::ActivityBatch>& activity, int64_t newest_ts_ns,
                            std::optional<int64_t> new_timeline,
                            const std::vector<std::pair<int64_t, int64_t>>* quiet) {
  bool republish = false;
  attempt("reading the baseline", [&] { republish = baseline_->refresh() || republish; });
  if (new_timeline) central_->begin_timeline(*new_timeline);
  if (quiet) {
    std::vector<detect::QuietPeriod> periods;
    for (const auto& [from, to] : *quiet) periods.push_back({from, to});
    central_->on_quiet_periods(periods);
  }
  attempt("policy detection", [&] { central_->on_batch(changes, newest_ts_ns); });
  central_->on_probes(activity);
  for (const auto& batch : activity)  // one failing batch (a baseline write) leaves the others
    attempt("policy detection", [&] { central_->on_policy_activity(batch, newest_ts_ns); });
  std::vector<detect::Alert> alerts = std::move(worker_alerts);
  worker_alerts.clear();
  central_->drain_alerts(alerts);
  for (auto& forwarder : forwarders_)
    for (const auto& alert : alerts) forwarder->send(alert);
  {
    std::lock_guard lock(failures_mutex_);
    for (auto& alert : alerts) keep_unstored(std::move(alert));
  }
  if (!unstored_alerts_.empty() && attempt("storing alerts", [&] { store_->record_all(unstored_alerts_); })) {
    std::lock_guard lock(failures_mutex_);
    alerts_stored_ += unstored_alerts_.size();
    unstored_alerts_.clear();
    unstored_evidence_bytes_ = 0;
  }
  if (central_->take_view_change()) republish_pending_ = true;
  attempt("reloading threat intelligence", [&] {
    if (ti_fingerprint() != ti_fingerprint_) {
      reload_threat_intelligence();
      republish_pending_ = true;
    }
  });
  if (republish) republish_pending_ = true;
  if (republish_pending_ && attempt("publishing detection state", [&] { publish(); })) republish_pending_ = false;
}

void DetectionHub::keep_unstored(detect::Alert alert) {
  // A repeat of an alert still waiting folds into it, as the store would fold it.
  for (detect::Alert& waiting : unstored_alerts_) {
    if (waiting.definition_id != alert.definition_id || waiting.engine != alert.engine ||
        waiting.source_ip != alert.source_ip || waiting.source_mac != alert.source_mac ||
        waiting.destination_ip != alert.destination_ip || waiting.destination_mac != alert.destination_mac ||
        waiting.protocol != alert.protocol)
      continue;
    waiting.count += std::max<uint64_t>(alert.count, 1);
    waiting.first_seen_ns = std::min(waiting.first_seen_ns, alert.first_seen_ns);
    waiting.last_seen_ns = std::max(waiting.last_seen_ns, alert.last_seen_ns);
    waiting.message = std::move(alert.message);
    for (size_t i = 0; i < alert.evidence_frames.size() && waiting.evidence_frames.size() < detect::kMaxEvidenceFrames;
         ++i) {
      if (unstored_evidence_bytes_ + alert.evidence_frames[i].size() > kMaxUnstoredEvidenceBytes) break;
      unstored_evidence_bytes_ += alert.evidence_frames[i].size();
      waiting.evidence_frames.push_back(std::move(alert.evidence_frames[i]));
      waiting.evidence_times_ns.push_back(alert.evidence_times_ns[i]);
    }
    return;
  }
  if (unstored_alerts_.size() >= kMaxUnstoredAlerts) {
    ++failures_.alerts_dropped;
    return;
  }
  size_t bytes = 0;
  for (const auto& frame : alert.evidence_frames) bytes += frame.size();
  if (unstored_evidence_bytes_ + bytes > kMaxUnstoredEvidenceBytes) {  // the alert waits without its frames
    alert.evidence_frames.clear();
    alert.evidence_times_ns.clear();
    bytes = 0;
  }
  unstored_evidence_bytes_ += bytes;
  unstored_alerts_.push_back(std::move(alert));
}

}  // namespace ots
