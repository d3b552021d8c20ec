#include "detect/engine/baseline.h"

#include <array>
#include <cmath>

namespace ots::detect {

namespace {

constexpr std::string_view kModule = "baseline";
constexpr std::array<std::string_view, 2> kMigrations = {
    R"sql(
CREATE TABLE baseline_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE baseline_devices(key TEXT PRIMARY KEY, firmware TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE baseline_pairs(client TEXT NOT NULL, server TEXT NOT NULL, PRIMARY KEY (client, server)) WITHOUT ROWID;
CREATE TABLE baseline_protocols(client TEXT NOT NULL, server TEXT NOT NULL, protocol TEXT NOT NULL,
  PRIMARY KEY (client, server, protocol)) WITHOUT ROWID;
CREATE TABLE baseline_functions(client TEXT NOT NULL, server TEXT NOT NULL, protocol TEXT NOT NULL,
  code INTEGER NOT NULL, PRIMARY KEY (client, server, protocol, code)) WITHOUT ROWID;
CREATE TABLE baseline_write_ranges(server TEXT NOT NULL, protocol TEXT NOT NULL, unit INTEGER NOT NULL,
  first INTEGER NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (server, protocol, unit, first)) WITHOUT ROWID;
CREATE TABLE baseline_blocks(server TEXT NOT NULL, protocol TEXT NOT NULL, item TEXT NOT NULL,
  PRIMARY KEY (server, protocol, item)) WITHOUT ROWID;
CREATE TABLE baseline_cip(server TEXT NOT NULL, class_id INTEGER NOT NULL, service INTEGER NOT NULL,
  PRIMARY KEY (server, class_id, service)) WITHOUT ROWID;
CREATE TABLE baseline_writers(client TEXT NOT NULL, server TEXT NOT NULL, protocol TEXT NOT NULL,
  PRIMARY KEY (client, server, protocol)) WITHOUT ROWID;
CREATE TABLE baseline_engineering(ip TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE baseline_polling(client TEXT NOT NULL, server TEXT NOT NULL, protocol TEXT NOT NULL,
  code INTEGER NOT NULL, address INTEGER NOT NULL, mean_ns REAL NOT NULL, stddev_ns REAL NOT NULL,
  samples INTEGER NOT NULL, PRIMARY KEY (client, server, protocol, code, address)) WITHOUT ROWID;
)sql",
    // S7 block items became blocks and areas (see s7_policy_item): "M 10.0 BYTE 2" → "M",
    // "_DELE FC7" → "FC7"; SZL reads and other items that name no block go.
    R"sql(
INSERT OR IGNORE INTO baseline_blocks(server, protocol, item)
  SELECT server, protocol, substr(item, instr(item, ' ') + 1) FROM baseline_blocks
  WHERE protocol = 's7comm' AND item LIKE '\_% %' ESCAPE '\';
INSERT OR IGNORE INTO baseline_blocks(server, protocol, item)
  SELECT server, protocol, substr(item, 1, instr(item, ' ') - 1) FROM baseline_blocks
  WHERE protocol = 's7comm' AND instr(item, ' ') > 0 AND item NOT LIKE '\_%' ESCAPE '\' AND item NOT LIKE 'SZL %';
DELETE FROM baseline_blocks WHERE protocol = 's7comm' AND instr(item, ' ') > 0;
)sql",
};

constexpr std::string_view kTables[] = {"baseline_devices", "baseline_pairs",  "baseline_protocols",
                                        "baseline_functions", "baseline_write_ranges", "baseline_blocks",
                                        "baseline_cip",     "baseline_writers", "baseline_engineering",
                                        "baseline_polling"};

IpAddr ip(const std::string& text) { return IpAddr::parse(text).value_or(IpAddr{}); }

}  // namespace

Baseline::Baseline(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

std::unique_ptr<Baseline> Baseline::open(const std::string& path) {
  auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
  migrate_module(*db, kModule, kMigrations);
  std::unique_ptr<Baseline> baseline(new Baseline(std::move(db)));
  baseline->load();
  return baseline;
}

int64_t Baseline::meta(std::string_view key) const {
  Statement q(*db_, "SELECT value FROM baseline_meta WHERE key = ?1");
  q.bind(1, key);
  return q.step() ? q.i64(0) : 0;
}

void Baseline::write_meta() {
  const std::pair<std::string_view, int64_t> values[] = {
      {"learning", learning_},
      {"established", established_},
      {"learning_started_ns", learning_started_ns_},
      {"learning_duration_ns", learning_duration_ns_},
      {"generation", static_cast<int64_t>(generation_)},
  };
  for (const auto& [key, value] : values) {
    Statement q(*db_, "INSERT INTO baseline_meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2");
    q.bind(1, key).bind(2, value);
    q.run();
  }
}

void Baseline::clear_memory() {
  devices_.clear();
  pairs_.clear();
  protocols_.clear();
  writers_.clear();
  functions_.clear();
  write_ranges_.clear();
  blocks_.clear();
  cip_.clear();
  engineering_.clear();
  polling_.clear();
}

void Baseline::load() {
  learning_ = meta("learning") != 0;
  established_ = meta("established") != 0;
  learning_started_ns_ = meta("learning_started_ns");
  learning_duration_ns_ = meta("learning_duration_ns");
  generation_ = static_cast<uint64_t>(meta("generation"));
  clear_memory();
  for (Statement q(*db_, "SELECT key, firmware FROM baseline_devices"); q.step();) devices_[q.text(0)] = q.text(1);
  for (Statement q(*db_, "SELECT client, server FROM baseline_pairs"); q.step();)
    pairs_.emplace(ip(q.text(0)), ip(q.text(1)));
  for (Statement q(*db_, "SELECT client, server, protocol FROM baseline_protocols"); q.step();)
    protocols_.emplace(ip(q.text(0)), ip(q.text(1)), q.text(2));
  for (Statement q(*db_, "SELECT client, server, protocol FROM baseline_writers"); q.step();)
    writers_.emplace(ip(q.text(0)), ip(q.text(1)), q.text(2));
  for (Statement q(*db_, "SELECT client, server, protocol, code FROM baseline_functions"); q.step();)
    functions_.emplace(ip(q.text(0)), ip(q.text(1)), q.text(2), static_cast<uint32_t>(q.i64(3)));
  for (Statement q(*db_, "SELECT server, protocol, unit, first, last FROM baseline_write_ranges"); q.step();)
    write_ranges_[RangeKey{ip(q.text(0)), q.text(1), static_cast<uint32_t>(q.i64(2))}]
                 [static_cast<uint32_t>(q.i64(3))] = static_cast<uint32_t>(q.i64(4));
  for (Statement q(*db_, "SELECT server, protocol, item FROM baseline_blocks"); q.step();)
    blocks_.emplace(ip(q.text(0)), q.text(1), q.text(2));
  for (Statement q(*db_, "SELECT server, class_id, service FROM baseline_cip"); q.step();)
    cip_.emplace(ip(q.text(0)), static_cast<uint32_t>(q.i64(1)), static_cast<uint32_t>(q.i64(2)));
  for (Statement q(*db_, "SELECT ip FROM baseline_engineering"); q.step();) engineering_.insert(ip(q.text(0)));
  for (Statement q(*db_, "SELECT client, server, protocol, code, address, mean_ns, stddev_ns, samples FROM "
                         "baseline_polling");
       q.step();)
    polling_[PollingKey{ip(q.text(0)), ip(q.text(1)), q.text(2), static_cast<uint32_t>(q.i64(3)),
                        static_cast<uint32_t>(q.i64(4))}] = {q.f64(5), q.f64(6), static_cast<uint64_t>(q.i64(7))};
}

void Baseline::start_learning(int64_t duration_ns) {
  Transaction t(*db_);
  learning_ = true;
  learning_started_ns_ = 0;
  learning_duration_ns_ = std::max<int64_t>(duration_ns, 0);
  write_meta();
  t.commit();
}

void Baseline::end_learning() {
  Transaction t(*db_);
  if (learning_) established_ = true;
  learning_ = false;
  write_meta();
  t.commit();
}

void Baseline::reset() {
  Transaction t(*db_);
  for (std::string_view table : kTables) db_->exec("DELETE FROM " + std::string(table));
  learning_ = established_ = false;
  learning_started_ns_ = learning_duration_ns_ = 0;
  ++generation_;
  write_meta();
  t.commit();
  clear_memory();
}

bool Baseline::advance(int64_t now_ns) {
  if (!learning_) return false;
  if (learning_started_ns_ == 0) {
    learning_started_ns_ = now_ns;
    write_meta();
  }
  if (learning_duration_ns_ > 0 && now_ns - learning_started_ns_ >= learning_duration_ns_) {
    end_learning();
    return true;
  }
  return false;
}

bool Baseline::refresh() {
  const auto generation = static_cast<uint64_t>(meta("generation"));
  if (generation != generation_) {
    load();
    return true;
  }
  const bool learning = meta("learning") != 0, established = meta("established") != 0;
  const int64_t duration = meta("learning_duration_ns"), started = meta("learning_started_ns");
  if (learning == learning_ && established == established_ && duration == learning_duration_ns_ &&
      started == learning_started_ns_)
    return false;
  learning_ = learning;
  established_ = established;
  learning_duration_ns_ = duration;
  learning_started_ns_ = started;
  return true;
}

BaselineStatus Baseline::status() const {
  BaselineStatus s;
  s.learning = learning_;
  s.established = established_;
  s.learning_started_ns = learning_started_ns_;
  s.learning_duration_ns = learning_duration_ns_;
  s.generation = generation_;
  s.devices = devices_.size();
  s.pairs = pairs_.size();
  s.protocols = protocols_.size();
  s.functions = functions_.size();
  for (const auto& [key, ranges] : write_ranges_) s.write_ranges += ranges.size();
  s.blocks = blocks_.size();
  s.cip = cip_.size();
  s.writers = writers_.size();
  s.engineering_hosts = engineering_.size();
  s.polling = polling_.size();
  return s;
}

std::optional<std::string> Baseline::device_firmware(const std::string& key) const {
  auto it = devices_.find(key);
  if (it == devices_.end()) return std::nullopt;
  return it->second;
}

bool Baseline::add_device(const std::string& key, const std::string& firmware) {
  auto [it, added] = devices_.emplace(key, firmware);
  if (!added && (firmware.empty() || it->second == firmware)) return false;
  if (!firmware.empty()) it->second = firmware;
  Statement q(*db_, "INSERT INTO baseline_devices(key, firmware) VALUES(?1, ?2) "
                    "ON CONFLICT(key) DO UPDATE SET firmware = ?2");
  q.bind(1, key).bind(2, it->second);
  q.run();
  return added;
}

bool Baseline::has_pair(const IpAddr& client, const IpAddr& server) const { return pairs_.contains({client, server}); }

bool Baseline::add_pair(const IpAddr& client, const IpAddr& server) {
  if (!pairs_.emplace(client, server).second) return false;
  Statement q(*db_, "INSERT OR IGNORE INTO baseline_pairs(client, server) VALUES(?1, ?2)");
  q.bind(1, client.str()).bind(2, server.str());
  q.run();
  return true;
}

bool Baseline::has_protocol(const IpAddr& client, const IpAddr& server, const std::string& protocol) const {
  return protocols_.contains({client, server, protocol});
}

bool Baseline::add_protocol(const IpAddr& client, const IpAddr& server, const std::string& protocol) {
  add_pair(client, server);
  if (!protocols_.emplace(client, server, protocol).second) return false;
  Statement q(*db_, "INSERT OR IGNORE INTO baseline_protocols(client, server, protocol) VALUES(?1, ?2, ?3)");
  q.bind(1, client.str()).bind(2, server.str()).bind(3, protocol);
  q.run();
  return true;
}

bool Baseline::has_function(const IpAddr& client, const IpAddr& server, const std::string& protocol,
                            uint32_t code) const {
  return functions_.contains({client, server, protocol, code});
}

bool Baseline::add_function(const IpAddr& client, const IpAddr& server, const std::string& protocol, uint32_t code) {
  if (!functions_.emplace(client, server, protocol, code).second) return false;
  Statement q(*db_, "INSERT OR IGNORE INTO baseline_functions(client, server, protocol, code) VALUES(?1, ?2, ?3, ?4)");
  q.bind(1, client.str()).bind(2, server.str()).bind(3, protocol).bind(4, static_cast<int64_t>(code));
  q.run();
  return true;
}

bool Baseline::write_covered(const IpAddr& server, const std::string& protocol, uint32_t unit, uint32_t first,
                             uint32_t last) const {
  auto it = write_ranges_.find(RangeKey{server, protocol, unit});
  if (it == write_ranges_.end()) return false;
  auto range = it->second.upper_bound(first);  // the interval starting at or before `first`
  if (range == it->second.begin()) return false;
  --range;
  return range->first <= first && last <= range->second;
}

bool Baseline::add_write_range(const IpAddr& server, const std::string& protocol, uint32_t unit, uint32_t first,
                               uint32_t last) {
  if (last < first || write_covered(server, protocol, unit, first, last)) return false;
  const RangeKey key{server, protocol, unit};
  std::map<uint32_t, uint32_t>& ranges = write_ranges_[key];
  // Merge with every interval that overlaps or touches [first, last].
  auto it = ranges.upper_bound(first);
  if (it != ranges.begin() && std::prev(it)->second + 1ull >= first) --it;
  while (it != ranges.end() && it->first <= uint64_t{last} + 1) {
    first = std::min(first, it->first);
    last = std::max(last, it->second);
    Statement del(*db_, "DELETE FROM baseline_write_ranges WHERE server = ?1 AND protocol = ?2 AND unit = ?3 AND "
                        "first = ?4");
    del.bind(1, server.str()).bind(2, protocol).bind(3, static_cast<int64_t>(unit)).bind(4, static_cast<int64_t>(it->first));
    del.run();
    it = ranges.erase(it);
  }
  ranges[first] = last;
  Statement q(*db_, "INSERT OR REPLACE INTO baseline_write_ranges(server, protocol, unit, first, last) "
                    "VALUES(?1, ?2, ?3, ?4, ?5)");
  q.bind(1, server.str()).bind(2, protocol).bind(3, static_cast<int64_t>(unit)).bind(4, static_cast<int64_t>(first));
  q.bind(5, static_cast<int64_t>(last));
  q.run();
  return true;
}

bool Baseline::has_block(const IpAddr& server, const std::string& protocol, const std::string& item) const {
  return blocks_.contains({server, protocol, item});
}

bool Baseline::add_block(const IpAddr& server, const std::string& protocol, const std::string& item) {
  if (!blocks_.emplace(server, protocol, item).second) return false;
  Statement q(*db_, "INSERT OR IGNORE INTO baseline_blocks(server, protocol, item) VALUES(?1, ?2, ?3)");
  q.bind(1, server.str()).bind(2, protocol).bind(3, item);
  q.run();
  return true;
}

bool Baseline::has_cip(const IpAddr& server, uint32_t class_id, uint32_t service) const {
  return cip_.contains({server, class_id, service});
}

bool Baseline::add_cip(const IpAddr& server, uint32_t class_id, uint32_t service) {
  if (!cip_.emplace(server, class_id, service).second) return false;
  Statement q(*db_, "INSERT OR IGNORE INTO baseline_cip(server, class_id, service) VALUES(?1, ?2, ?3)");
  q.bind(1, server.str()).bind(2, static_cast<int64_t>(class_id)).bind(3, static_cast<int64_t>(service));
  q.run();
  return true;
}

bool Baseline::add_writer(const IpAddr& client, const IpAddr& server, const std::string& protocol) {
  if (!writers_.emplace(client, server, protocol).second) return false;
  Statement q(*db_, "INSERT OR IGNORE INTO baseline_writers(client, server, protocol) VALUES(?1, ?2, ?3)");
  q.bind(1, client.str()).bind(2, server.str()).bind(3, protocol);
  q.run();
  return true;
}

bool Baseline::is_engineering_host(const IpAddr& host) const { return engineering_.contains(host); }

bool Baseline::add_engineering_host(const IpAddr& host) {
  if (!engineering_.insert(host).second) return false;
  Statement q(*db_, "INSERT OR IGNORE INTO baseline_engineering(ip) VALUES(?1)");
  q.bind(1, host.str());
  q.run();
  return true;
}

bool Baseline::add_polling(const IpAddr& client, const IpAddr& server, const std::string& protocol, uint32_t code,
                           uint32_t address, const PollingStats& stats) {
  auto [it, added] = polling_.try_emplace(PollingKey{client, server, protocol, code, address}, stats);
  if (!added) {
    if (stats.samples <= it->second.samples) return false;
    it->second = stats;  // the longer observation wins
  }
  Statement q(*db_, "INSERT OR REPLACE INTO baseline_polling(client, server, protocol, code, address, mean_ns, "
                    "stddev_ns, samples) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  q.bind(1, client.str()).bind(2, server.str()).bind(3, protocol).bind(4, static_cast<int64_t>(code));
  q.bind(5, static_cast<int64_t>(address));
  // Statement binds integers only: nanoseconds lose nothing that matters as whole numbers.
  q.bind(6, static_cast<int64_t>(std::llround(stats.mean_ns))).bind(7, static_cast<int64_t>(std::llround(stats.stddev_ns)));
  q.bind(8, static_cast<int64_t>(stats.samples));
  q.run();
  return added;
}

BaselineView Baseline::view() const {
  BaselineView v;
  v.established = established_;
  v.learning = learning_;
  v.generation = generation_;
  v.engineering_hosts.insert(engineering_.begin(), engineering_.end());
  for (const auto& [client, server] : pairs_) v.known_pairs.insert(pair_key(client, server));
  for (const auto& [client, server, protocol] : protocols_)
    v.known_pair_protocols.insert(pair_protocol_key(client, server, protocol));
  for (const auto& [client, server, protocol] : writers_)
    v.known_writers.insert(pair_protocol_key(client, server, protocol));
  for (const auto& [key, stats] : polling_)
    v.polling[channel_key(key.client, key.server, key.protocol, key.code, key.address)] = stats;
  return v;
}

}  // namespace ots::detect
