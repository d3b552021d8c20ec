#include "web/replay_jobs.h"

#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "web/json.h"

extern char** environ;

namespace ots {

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// A display name: the basename, safe characters only.
std::string clean_name(std::string name) {
  name = std::filesystem::path(name).filename().string();
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_';
    out += ok ? c : '_';
  }
  if (out.empty()) out = "capture";
  return out.substr(0, 120);
}

}  // namespace

ReplayJobs::ReplayJobs(std::string db_path, std::string otsensor_binary)
    : db_path_(std::move(db_path)), binary_(std::move(otsensor_binary)) {
  worker_ = std::thread([this] { run(); });
}

ReplayJobs::~ReplayJobs() { stop(); }

void ReplayJobs::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (running_pid_ > 0) ::kill(running_pid_, SIGTERM);
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::vector<ReplayJobs::Job> ReplayJobs::jobs() {
  std::lock_guard lock(mutex_);
  return jobs_;
}

nlohmann::json ReplayJobs::to_json(const Job& j) {
  auto time = [](int64_t ns) { return ns ? nlohmann::json(iso8601_utc(ns)) : nlohmann::json(); };
  return {{"id", j.id},         {"name", j.name},        {"size", j.size},
          {"state", j.state},   {"progress", j.progress}, {"message", j.message},
          {"user", j.user},     {"queuedAt", time(j.queued_at_ns)}, {"startedAt", time(j.started_at_ns)},
          {"endedAt", time(j.ended_at_ns)}};
}

// The child's read position in the capture: the fd whose link is the file.
void ReplayJobs::refresh_progress(Job& job, int pid) {
  std::error_code error;
  const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  const auto target = std::filesystem::weakly_canonical(job.file, error);
  for (const auto& entry : std::filesystem::directory_iterator(fd_dir, error)) {
    std::error_code e;
    if (std::filesystem::read_symlink(entry.path(), e) != target) continue;
    std::ifstream info("/proc/" + std::to_string(pid) + "/fdinfo/" + entry.path().filename().string());
    std::string key;
    uint64_t pos = 0;
    while (info >> key) {
      if (key == "pos:" && info >> pos) break;
    }
    if (job.size) job.progress = std::min(0.99, static_cast<double>(pos) / static_cast<double>(job.size));
    return;
  }
}

void ReplayJobs::run() {
  for (;;) {
    int64_t id = 0;
    std::string file, log;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
      Job& job = jobs_[static_cast<size_t>(id - 1)];
      job.state = "running";
      job.started_at_ns = now_ns();
      file = job.file;
      log = file + ".log";
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<std::string> args = {binary_, "replay", "--db", db_path_, file};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int spawn_error = posix_spawn(&pid, binary_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawn_error != 0) {
      std::lock_guard lock(mutex_);
      Job& job = jobs_[static_cast<size_t>(id - 1)];
      job.state = "failed";
      job.message = "cannot start otsensor replay: " + std::string(std::strerror(spawn_error));
      job.ended_at_ns = now_ns();
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      running_pid_ = pid;
    }
    int status = 0;
    for (;;) {
      pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      {
        std::lock_guard lock(mutex_);
        refresh_progress(jobs_[static_cast<size_t>(id - 1)], pid);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::lock_guard lock(mutex_);
    running_pid_ = 0;
    Job& job = jobs_[static_cast<size_t>(id - 1)];
    job.ended_at_ns = now_ns();
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    job.state = ok ? "completed" : "failed";
    job.progress = ok ? 1.0 : job.progress;
    if (!ok) job.message = last_line(log);
  }
}

void ReplayJobs::install(ConsoleRoutes& routes) {
  routes.upload("/api/v1/replays", console::Role::Analyst, [this](RequestContext& c, const std::string& file,
                                                                  uint64_t size) {
    if (size == 0) {
      std::filesystem::remove(file);
      return c.send_error(400, "the upload is empty");
    }
    const std::string name = clean_name(c.request.has_param("name") ? c.request.get_param_value("name") : "capture");
    nlohmann::json body;
    {
      std::lock_guard lock(mutex_);
      Job job;
      job.id = next_id_++;
      job.name = name;
      job.file = file;
      job.size = size;
      job.user = c.principal.user.name;
      job.queued_at_ns = now_ns();
      jobs_.push_back(job);
      queue_.push_back(job.id);
      body = to_json(job);
    }
    wake_.notify_one();
    c.audit("replay.start", name, std::to_string(size) + " bytes");
    c.send_json(202, body);
  });
  routes.get("/api/v1/replays", console::Role::ReadOnly, [this](RequestContext& c) {
    nlohmann::json items = nlohmann::json::array();
    for (const Job& j : jobs()) items.push_back(to_json(j));
    c.send_json(200, {{"items", items}});
  });
  routes.get(R"(/api/v1/replays/(\d{1,9}))", console::Role::ReadOnly, [this](RequestContext& c) {
    const int64_t id = std::stoll(c.path_match(1));
    std::lock_guard lock(mutex_);
    if (id < 1 || id > static_cast<int64_t>(jobs_.size())) return c.send_error(404, "no such replay");
    c.send_json(200, to_json(jobs_[static_cast<size_t>(id - 1)]));
  });
}

}  // namespace ots
