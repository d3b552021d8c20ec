// otsensor: the command-line entry point.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "capture/dpdk_source.h"
#include "capture/live_pcap_source.h"
#include "capture/pcap_file_source.h"
#include "core/pipeline.h"
#include "inventory/inventory.h"
#include "inventory/oui.h"
#include "store/database.h"
#include "store/store_writer.h"
#include "web/json.h"
#include "core/detection.h"
#include "detect/engine/alerts_cli.h"
#include "detect/export/forward_targets.h"
#include "detect/engine/baseline_cli.h"
#include "detect/ti/ti_cli.h"
#include "web/console_cli.h"
#include "web/console_server.h"

namespace ots {
namespace {

constexpr const char* kDefaultDb = "otsensor.db";

// Per-flow state is spread over tens of megabytes and read at random, once per packet: with 4 KiB
// pages nearly every flow touched is a TLB miss (and every new page a fault). glibc backs malloc
// with transparent huge pages only when its tunable says so before the process starts, so the
// sensor restarts itself once with it set (the marker stops a loop where the loader drops the
// tunable, as for a binary with file capabilities). OTSENSOR_MALLOC_HUGE_PAGES=0 turns this off.
void restart_with_malloc_huge_pages(char** argv) {
  constexpr const char* kTunable = "glibc.malloc.hugetlb=1";
  constexpr const char* kMarker = "OTSENSOR_MALLOC_HUGE_PAGES";
  if (std::getenv(kMarker)) return;  // set by the restart below, or by the user (0: off)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, "glibc.malloc.hugetlb")) return;  // the user chose
  // The binary's own path, so the restarted process keeps its name (not "exe").
  char self[4096];
  const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (length <= 0) return;
  self[length] = '\0';
  const std::string previous = tunables ? tunables : "";
  const std::string value = previous.empty() ? kTunable : previous + ":" + kTunable;
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0 || setenv(kMarker, "1", 1) != 0) return;
  execv(self, argv);
  // Not restarted (the binary was replaced or removed meanwhile): run as we are.
  if (tunables) setenv("GLIBC_TUNABLES", previous.c_str(), 1);
  else unsetenv("GLIBC_TUNABLES");
}

// Memory given back to the kernel and taken again costs a page fault and a zeroed page each time
// (2 MiB with huge pages): flow state comes and goes all day, so the heap keeps what it reached
// and blocks up to 32 MiB (flow index, evidence ring) come from it rather than from fresh mappings.
void keep_heap_memory() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SIGINT/SIGTERM are blocked in every thread and taken by one waiting thread, so
// a stop is an ordinary function call: the pipeline ends, flushes and returns.
// A second signal exits at once.
class SignalStop {
 public:
  SignalStop() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  void on_stop(std::function<void()> stop) {
    thread_ = std::thread([this, stop = std::move(stop)] {
      int sig = 0;
      sigwait(&set_, &sig);
      stopped_ = true;
      stop();
      sigwait(&set_, &sig);
      _exit(128 + sig);
    });
    thread_.detach();
  }
  bool stopped() const { return stopped_; }

 private:
  sigset_t set_;
  std::thread thread_;
  std::atomic<bool> stopped_{false};
};

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "otsensor: error: %s\n", message.c_str());
  std::exit(1);
}

std::vector<std::string> existing_device_keys(const std::string& db_path) {
  auto db = Database::open(db_path, Database::Mode::ReadOnly);
  std::vector<std::string> keys;
  const int64_t total = db->count_devices();
  for (int64_t offset = 0; offset < total; offset += 1000)
    for (const Device& d : db->list_devices(Page{offset, 1000})) keys.push_back(d.key);
  return keys;
}

Observations to_observations(StoredObservations&& s) {
  return Observations{std::move(s.macs),        std::move(s.ips),        std::move(s.bindings),
                      std::move(s.connections), std::move(s.identities), std::move(s.protocols),
                      std::move(s.commands),    std::move(s.arp_requests)};
}

struct CaptureArgs {
  std::string db = kDefaultDb;
  size_t workers = std::max(1u, std::thread::hardware_concurrency());
  size_t max_flows = 1'000'000;
  std::string serve;
  std::vector<std::string> forward_alerts;
  bool no_detection = false;
  ConsoleOptions console = [] {
    ConsoleOptions o;
    o.ui_dir = OTS_UI_DIR;
    return o;
  }();
};

void add_common(CLI::App* cmd, CaptureArgs& args) {
  cmd->add_option("--db", args.db, "SQLite database (created if missing)")->capture_default_str();
  cmd->add_option("--workers", args.workers, "Worker threads, each with its own flow table")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--max-flows", args.max_flows, "Flows tracked per worker before the oldest are evicted")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000'000));
  cmd->add_option("--serve", args.serve, "Also serve the console on ADDR (e.g. 127.0.0.1:8443)");
  add_console_options(cmd, args.console, false);
  cmd->add_option("--forward-alerts", args.forward_alerts,
                  "Send alerts to a SIEM: udp://H:P, tcp://H:P, tls://H:P?ca=FILE|pin=SHA256 (syslog CEF), "
                  "jsonl:FILE or jsonl+tcp://H:P (repeatable; in addition to the targets stored on the "
                  "console's Settings page)");
  cmd->add_flag("--no-detection", args.no_detection, "Build the inventory only: no alert engines");
}

// Runs sources through a pipeline into the database; returns the exit code.
int run_sensor(SignalStop& signals, const CaptureArgs& args, PipelineOptions options, const std::string& mode,
               const std::string& what, const std::function<SourceOutcome(Pipeline&)>& feed) {
  std::unique_ptr<StoreWriter> store;
  try {
    store = std::make_unique<StoreWriter>(args.db);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  // The IEEE registry (some 45,000 entries) loads while the detection engines and the workers'
  // nDPI start, each taking tens of milliseconds; the inventory reads it only when it derives
  // devices, which no flush does before the sources are fed (the join below).
  OuiRegistry oui;
  std::jthread oui_loader([&oui] { oui = OuiRegistry::load(OTS_OUI_DIR); });  // joined on any way out
  Inventory inventory(oui);
  inventory.load(to_observations(store->load_observations()), existing_device_keys(args.db));

  RunRecord run;
  run.mode = mode;
  run.source = what;
  run.started_at_ns = wall_clock_ns();
  run.status = "running";
  run.id = store->begin_run(run);

  std::unique_ptr<ConsoleServer> web;
  std::string web_url;
  if (!args.serve.empty()) {
    try {
      ConsoleOptions console = args.console;
      console.db_path = args.db;
      console.listen = args.serve;
      web = std::make_unique<ConsoleServer>(console);
      web_url = start_console(*web).url;
    } catch (const std::exception& e) {
      oui_loader.join();  // fail() exits without unwinding
      fail(e.what());
    }
  }

  options.worker.flows.max_flows = args.max_flows;
  if (!args.no_detection) {
    try {
      DetectionOptions detection;
      for (const std::string& target : args.forward_alerts) detection.forwarders.push_back(parse_forwarder(target));
      // The targets stored from the console's Settings page are used as well.
      for (detect::ForwarderConfig& stored : detect::stored_forwarder_configs(args.db))
        detection.forwarders.push_back(std::move(stored));
      options.worker.detection = std::make_shared<DetectionHub>(args.db, detection);
      for (const std::string& note : options.worker.detection->notes())
        std::fprintf(stderr, "otsensor: note: %s\n", note.c_str());
    } catch (const std::exception& e) {
      oui_loader.join();
      fail(e.what());
    }
  }
  options.workers = args.workers;
  Pipeline pipeline(options, *store, inventory, run);
  signals.on_stop([&pipeline] { pipeline.request_stop(); });
  oui_loader.join();
  const auto started = std::chrono::steady_clock::now();
  const SourceOutcome outcome = feed(pipeline);
  const std::string status = outcome.error ? "error: " + outcome.message
                             : signals.stopped() ? "interrupted"
                                                 : "completed";
  pipeline.finish(status);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const RunRecord& r = pipeline.run_record();
  std::fprintf(stderr, "otsensor: %s: %llu packets, %llu bytes in %.2f s (%.0f packets/s); %llu flows; %zu devices\n",
               status.c_str(), static_cast<unsigned long long>(r.packets), static_cast<unsigned long long>(r.bytes),
               seconds, seconds > 0 ? static_cast<double>(r.packets) / seconds : 0.0,
               static_cast<unsigned long long>(r.flows), inventory.device_count());
  if (const double cpu = pipeline.worker_cpu_seconds(); cpu > 0 && r.packets > 0)
    std::fprintf(stderr, "otsensor: workers used %.2f s of CPU: %.0f packets/s per worker core\n", cpu,
                 static_cast<double>(r.packets) / cpu);
  if (options.worker.detection)
    std::fprintf(stderr, "otsensor: %llu alerts recorded (otsensor alerts --db %s)\n",
                 static_cast<unsigned long long>(options.worker.detection->alerts_stored()), args.db.c_str());
  // Every problem is reported; a lost write ends the run with status 1 instead of serving (a bad
  // capture does not: what came before it is stored and served, with status 2 at the end).
  std::vector<std::string> errors;
  if (options.worker.detection) {
    const DetectionHub::Failures f = options.worker.detection->failures();
    const size_t unstored = options.worker.detection->alerts_unstored();
    if (f.count > 0)
      std::fprintf(stderr, "otsensor: warning: detection: %llu steps failed during the run; the last: %s\n",
                   static_cast<unsigned long long>(f.count), f.last.c_str());
    if (unstored > 0 || f.alerts_dropped > 0)
      errors.push_back("detection: " + std::to_string(unstored + f.alerts_dropped) +
                       " alerts could not be stored (" + f.last + ")");
  }
  if (auto err = pipeline.inventory_error()) errors.push_back(*err + " (the run stopped; what came before is stored)");
  if (auto err = store->last_error()) errors.push_back(*err);
  if (outcome.error) std::fprintf(stderr, "otsensor: error: %s\n", outcome.message.c_str());
  for (const std::string& e : errors) std::fprintf(stderr, "otsensor: error: %s\n", e.c_str());
  if (!errors.empty()) return 1;

  if (web && !signals.stopped()) {
    std::fprintf(stderr, "otsensor: done; still serving %s (Ctrl-C to stop)\n", web_url.c_str());
    while (!signals.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return outcome.error ? 2 : 0;
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return;
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::puts(line.c_str());
  }
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::unique_ptr<Database> open_for_reading(const std::string& path) {
  if (!std::filesystem::exists(path)) fail("database '" + path + "' does not exist");
  try {
    return Database::open(path, Database::Mode::ReadOnly);
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

int list_devices(const std::string& path, bool json) {
  auto db = open_for_reading(path);
  std::vector<Device> devices;
  const int64_t total = db->count_devices();
  for (int64_t offset = 0; offset < total; offset += 1000)
    for (Device& d : db->list_devices(Page{offset, 1000})) devices.push_back(std::move(d));
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const Device& d : devices) out.push_back(device_to_json(d));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "MAC", "IP", "VLAN", "VENDOR", "ROUTER", "FIRST SEEN", "LAST SEEN",
                                              "PKTS SENT", "PKTS RECV"}};
  for (const Device& d : devices) {
    std::vector<std::string> ips, vlans;
    for (const IpAddr& ip : d.ips) ips.push_back(ip.str());
    for (uint16_t v : d.vlans) vlans.push_back(std::to_string(v));
    rows.push_back({std::to_string(d.id), d.mac ? d.mac->str() : "-", ips.empty() ? "-" : join(ips, ","),
                    vlans.empty() ? "-" : join(vlans, ","), d.vendor.empty() ? "-" : d.vendor,
                    d.is_router ? "yes" : "no", iso8601_utc(d.traffic.first_seen_ns),
                    iso8601_utc(d.traffic.last_seen_ns), std::to_string(d.traffic.packets_sent),
                    std::to_string(d.traffic.packets_received)});
  }
  print_table(rows);
  return 0;
}

int list_connections(const std::string& path, bool json) {
  auto db = open_for_reading(path);
  std::vector<ConnectionObservation> conns;
  const int64_t total = db->count_connections();
  for (int64_t offset = 0; offset < total; offset += 1000)
    for (auto& c : db->list_connections(Page{offset, 1000})) conns.push_back(std::move(c));
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : conns) out.push_back(connection_to_json(c));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{
      {"CLIENT", "SERVER", "TRANSPORT", "PORT", "PACKETS", "BYTES", "FLOWS", "FIRST SEEN", "LAST SEEN"}};
  for (const auto& c : conns)
    rows.push_back({c.key.client.str(), c.key.server.str(), transport_name(c.key.transport),
                    std::to_string(c.key.server_port), std::to_string(c.packets_to_server + c.packets_to_client),
                    std::to_string(c.bytes_to_server + c.bytes_to_client), std::to_string(c.flows),
                    iso8601_utc(c.first_seen_ns), iso8601_utc(c.last_seen_ns)});
  print_table(rows);
  return 0;
}

// Per-flow memory a run recorded (see FlowMemoryStats in core/worker.h), kept in the
// run's counters under "flowMemory.*": moved out of them into their own object.
struct FlowMemoryReport {
  uint64_t flows = 0, table_bytes = 0, app_state_bytes = 0, heap_bytes = 0;
  double bytes_per_flow() const {
    return flows ? static_cast<double>(table_bytes + app_state_bytes + heap_bytes) / static_cast<double>(flows) : 0;
  }
};

FlowMemoryReport take_flow_memory(RunRecord& r) {
  FlowMemoryReport m;
  const std::pair<const char*, uint64_t*> fields[] = {{"flowMemory.flows", &m.flows},
                                                      {"flowMemory.tableBytes", &m.table_bytes},
                                                      {"flowMemory.appStateBytes", &m.app_state_bytes},
                                                      {"flowMemory.heapBytes", &m.heap_bytes}};
  for (const auto& [key, value] : fields) {
    if (auto it = r.protocol_packets.find(key); it != r.protocol_packets.end()) {
      *value = it->second;
      r.protocol_packets.erase(it);
    }
  }
  return m;
}

int show_stats(const std::string& path, bool json) {
  auto db = open_for_reading(path);
  std::vector<RunRecord> runs = db->list_runs();
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& r : runs) {
      const FlowMemoryReport m = take_flow_memory(r);
      nlohmann::json run = run_to_json(r);
      if (m.flows) {
        run["flowMemory"] = {{"flowsAtSample", m.flows},
                             {"tableBytes", m.table_bytes},
                             {"appStateBytes", m.app_state_bytes},
                             {"heapBytes", m.heap_bytes},
                             {"bytesPerTrackedFlow", std::round(m.bytes_per_flow() * 10) / 10}};
      }
      out.push_back(std::move(run));
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (RunRecord& r : runs) {
    const FlowMemoryReport m = take_flow_memory(r);
    std::printf("run %lld  %s  %s\n  source: %s\n  started %s, ended %s\n", static_cast<long long>(r.id),
                r.mode.c_str(), r.status.c_str(), r.source.c_str(), iso8601_utc(r.started_at_ns).c_str(),
                r.ended_at_ns ? iso8601_utc(r.ended_at_ns).c_str() : "-");
    std::printf("  packets %llu  bytes %llu  dropped by sensor %llu  dropped by interface %llu  flows %llu  "
                "evicted %llu\n",
                static_cast<unsigned long long>(r.packets), static_cast<unsigned long long>(r.bytes),
                static_cast<unsigned long long>(r.dropped_by_sensor),
                static_cast<unsigned long long>(r.dropped_by_interface), static_cast<unsigned long long>(r.flows),
                static_cast<unsigned long long>(r.flow_evictions));
    std::string protocols, malformed;
    for (const auto& [k, v] : r.protocol_packets) protocols += " " + k + "=" + std::to_string(v);
    for (const auto& [k, v] : r.malformed) malformed += " " + k + "=" + std::to_string(v);
    std::printf("  protocols:%s\n  malformed:%s\n", protocols.empty() ? " -" : protocols.c_str(),
                malformed.empty() ? " -" : malformed.c_str());
    if (m.flows) {
      std::printf("  flow memory: %.1f bytes per tracked flow (%llu flows: table %llu, app state %llu, heap %llu)\n",
                  m.bytes_per_flow(), static_cast<unsigned long long>(m.flows),
                  static_cast<unsigned long long>(m.table_bytes), static_cast<unsigned long long>(m.app_state_bytes),
                  static_cast<unsigned long long>(m.heap_bytes));
    }
  }
  return 0;
}

}  // namespace
}  // namespace ots

int main(int argc, char** argv) {
  using namespace ots;
  restart_with_malloc_huge_pages(argv);
  keep_heap_memory();
  SignalStop signals;  // first, so every thread (DPDK's and ours) inherits the blocked mask
  CLI::App app{"otsensor: passive OT/ICS network sensor (device inventory from pcap files, libpcap or DPDK)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "otsensor 0.1.0");

  // replay
  CaptureArgs replay_args;
  std::vector<std::string> files;
  double speed = 0;
  bool realtime = false;
  auto* replay = app.add_subcommand("replay", "Replay pcap/pcapng files into the database");
  add_common(replay, replay_args);
  auto* speed_opt = replay->add_option("--speed", speed, "Replay at X times the capture's pace (default: as fast as "
                                                         "possible)")
                        ->check(CLI::PositiveNumber);
  replay->add_flag("--realtime", realtime, "Replay at the capture's own pace")->excludes(speed_opt);
  replay->add_option("FILE", files, "Capture files (pcap or pcapng)")->required();

  // capture
  CaptureArgs capture_args;
  LiveCaptureOptions live;
  DpdkOptions dpdk;
  double idle_timeout = 0;
  auto* capture = app.add_subcommand("capture", "Capture live from an interface (libpcap) or a DPDK port");
  add_common(capture, capture_args);
  auto* iface_opt = capture->add_option("--interface,-i", live.interface, "Interface to capture on (libpcap)");
  capture->add_option("--bpf", live.bpf, "BPF filter (libpcap)")->needs(iface_opt);
  capture->add_option("--snaplen", live.snaplen, "Bytes captured per packet")->capture_default_str();
  capture->add_option("--buffer-mb", live.buffer_mb, "Kernel capture buffer in MiB")->capture_default_str();
  auto* dpdk_opt = capture->add_option("--dpdk", dpdk.eal_args, "DPDK EAL arguments, e.g. '-l 0 --vdev net_pcap0,iface=eth1'");
  capture->add_option("--port", dpdk.port, "DPDK port id")->capture_default_str()->needs(dpdk_opt);
  capture->add_option("--queues", dpdk.queues, "DPDK RX queues (one worker each, symmetric RSS)")
      ->capture_default_str()
      ->needs(dpdk_opt);
  capture->add_option("--idle-timeout", idle_timeout, "Stop after this many seconds without packets (0: never)")
      ->check(CLI::NonNegativeNumber);
  iface_opt->excludes(dpdk_opt);

  // read-side commands
  std::string read_db = kDefaultDb;
  bool json = false;
  auto* devices = app.add_subcommand("devices", "List the device inventory");
  auto* connections = app.add_subcommand("connections", "List connections between devices");
  auto* stats = app.add_subcommand("stats", "Show per-run packet, drop, protocol and malformed counters");
  for (CLI::App* cmd : {devices, connections, stats}) {
    cmd->add_option("--db", read_db, "SQLite database")->capture_default_str();
    cmd->add_flag("--json", json, "JSON output");
  }
  ConsoleOptions console;
  console.ui_dir = OTS_UI_DIR;
  auto* serve = app.add_subcommand("serve", "Serve the console (web UI and REST API) over HTTPS");
  serve->add_option("--db", read_db, "SQLite database")->capture_default_str();
  add_console_options(serve, console, true);
  CLI::App* user = add_user_commands(app, read_db);
  // `ti …` runs in its own callbacks during parsing.
  detect::ti::add_ti_commands(app, kDefaultDb);
  detect::add_alert_commands(app);
  detect::add_baseline_commands(app);

  CLI11_PARSE(app, argc, argv);

  if (replay->parsed()) {
    for (const std::string& f : files)
      if (access(f.c_str(), R_OK) != 0) fail(f + ": " + std::strerror(errno));
    PipelineOptions options;
    options.speed = realtime ? 1.0 : speed;
    return run_sensor(signals, replay_args, options, "replay", join(files, " "), [&](Pipeline& pipeline) {
      SourceOutcome last;
      for (const std::string& f : files) {
        if (pipeline.stop_requested()) break;
        std::unique_ptr<PacketSource> source;
        try {
          source = open_capture_file(f);
        } catch (const std::exception& e) {
          last = {true, e.what()};
          std::fprintf(stderr, "otsensor: error: %s\n", e.what());
          continue;
        }
        SourceOutcome o = pipeline.run(*source);
        if (o.error) {
          std::fprintf(stderr, "otsensor: error: %s\n", o.message.c_str());
          last = o;
        }
      }
      return last;
    });
  }
  if (capture->parsed()) {
    if (live.interface.empty() && dpdk.eal_args.empty()) fail("capture needs --interface IF or --dpdk 'EAL ARGS'");
    PipelineOptions options;
    options.drop_when_full = true;
    if (idle_timeout > 0) options.idle_stop_seconds = idle_timeout;
    std::unique_ptr<PacketSource> source;
    try {
      if (!live.interface.empty()) {
        source = open_live_capture(live);
      } else {
        source = open_dpdk(dpdk);
        // One worker per RX queue when the port has several.
        if (dpdk.queues > 1) capture_args.workers = dpdk.queues;
      }
    } catch (const std::exception& e) {
      fail(e.what());
    }
    const std::string what = live.interface.empty() ? "dpdk: " + dpdk.eal_args : live.interface;
    return run_sensor(signals, capture_args, options, live.interface.empty() ? "capture-dpdk" : "capture", what,
                      [&](Pipeline& pipeline) { return pipeline.run(*source); });
  }
  if (devices->parsed()) return list_devices(read_db, json);
  if (connections->parsed()) return list_connections(read_db, json);
  if (stats->parsed()) return show_stats(read_db, json);
  if (serve->parsed()) {
    std::atomic<bool> stop{false};
    signals.on_stop([&stop] { stop = true; });
    try {
      console.db_path = read_db;
      ConsoleServer server(console);
      start_console(server);
      while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
      server.stop();
    } catch (const std::exception& e) {
      fail(e.what());
    }
    return 0;
  }
  if (user->parsed()) {
    try {
      return run_user_command(user, read_db);
    } catch (const std::exception& e) {
      fail(e.what());
    }
  }
  return 0;
}
