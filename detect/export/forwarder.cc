#include "detect/export/forwarder.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "detect/export/cef.h"
#include "detect/export/json_lines.h"

namespace ots::detect {

std::vector<uint8_t> parse_sha256_pin(const std::string& text) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : text)
    if (c != ':') digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (digits.size() != 64) throw std::invalid_argument("pinned SHA-256 must be 64 hex digits");
  for (size_t i = 0; i < 64; i += 2) {
    unsigned value = 0;
    if (std::sscanf(digits.c_str() + i, "%2x", &value) != 1 || !std::isxdigit(digits[i]) ||
        !std::isxdigit(digits[i + 1]))
      throw std::invalid_argument("pinned SHA-256 is not hex");
    out.push_back(static_cast<uint8_t>(value));
  }
  return out;
}

namespace {

using Transport = ForwarderConfig::Transport;
using Format = ForwarderConfig::Format;

// OpenSSL writes with write(), so a peer that closed would raise SIGPIPE and kill the sensor.
// The signal is blocked for this thread while TLS runs and a pending one is consumed.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_, previous_;
  bool was_pending_ = false;
};

class SocketForwarder final : public AlertForwarder {
 public:
  explicit SocketForwarder(ForwarderConfig config) : config_(std::move(config)) {
    if (config_.transport == Transport::Tls) {
      if (config_.ca_file.empty() && config_.pinned_sha256.empty())
        throw std::invalid_argument("TLS export needs a CA file or a pinned certificate SHA-256");
      if (!config_.pinned_sha256.empty()) pin_ = parse_sha256_pin(config_.pinned_sha256);
      ctx_ = SSL_CTX_new(TLS_client_method());
      if (!ctx_) throw std::runtime_error("cannot create a TLS context");
      SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
      if (!config_.ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(ctx_, config_.ca_file.c_str(), nullptr) != 1) {
          SSL_CTX_free(ctx_);
          throw std::invalid_argument("cannot load CA file '" + config_.ca_file + "'");
        }
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      } else {
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // the pin decides, after the handshake
      }
    }
    if (config_.transport == Transport::Udp && config_.format == Format::JsonLines)
      throw std::invalid_argument("JSON lines go to a file or over TCP, not UDP");
  }
  ~SocketForwarder() override {
    SigpipeGuard guard;
    close_connection();
    if (ctx_) SSL_CTX_free(ctx_);
  }

  bool send(const Alert& alert) override {
    SigpipeGuard guard;
    const std::string payload = render(config_, alert);
    std::string wire;
    if (config_.transport == Transport::Udp || config_.format == Format::JsonLines) {
      wire = payload;
      if (config_.format == Format::JsonLines) wire += '\n';
    } else {
      wire = std::to_string(payload.size()) + " " + payload;  // RFC 6587 octet counting
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !open_connection()) continue;
      if (write_all(wire)) {
        ++counters_.sent;
        return true;
      }
      close_connection();  // the peer went away: reconnect once
    }
    ++counters_.failed;
    return false;
  }

  const ForwarderCounters& counters() const override { return counters_; }

 private:
  bool open_connection() {
    addrinfo hints{};
    hints.ai_socktype = config_.transport == Transport::Udp ? SOCK_DGRAM : SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(config_.host.c_str(), std::to_string(config_.port).c_str(), &hints, &found) != 0) return false;
    for (addrinfo* ai = found; ai && fd_ < 0; ai = ai->ai_next) {
      int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
      if (fd < 0) continue;
      timeval tv{config_.timeout_ms / 1000, (config_.timeout_ms % 1000) * 1000};
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // also bounds connect() on Linux
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) fd_ = fd;
      else ::close(fd);
    }
    freeaddrinfo(found);
    if (fd_ < 0) return false;
    ++counters_.connects;
    if (config_.transport == Transport::Tls && !start_tls()) {
      close_connection();
      return false;
    }
    return true;
  }

  bool start_tls() {
    ssl_ = SSL_new(ctx_);
    if (!ssl_) return false;
    SSL_set_fd(ssl_, fd_);
    in6_addr scratch{};
    const bool numeric = inet_pton(AF_INET, config_.host.c_str(), &scratch) == 1 ||
                         inet_pton(AF_INET6, config_.host.c_str(), &scratch) == 1;
    if (!numeric) SSL_set_tlsext_host_name(ssl_, config_.host.c_str());
    if (!config_.ca_file.empty()) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      if (numeric) X509_VERIFY_PARAM_set1_ip_asc(param, config_.host.c_str());
      else X509_VERIFY_PARAM_set1_host(param, config_.host.c_str(), 0);
    }
    if (SSL_connect(ssl_) != 1) {
      ERR_clear_error();
      return false;
    }
    if (!pin_.empty()) {
      X509* cert = SSL_get1_peer_certificate(ssl_);
      if (!cert) return false;
      unsigned char digest[EVP_MAX_MD_SIZE];
      unsigned int length = 0;
      const bool ok = X509_digest(cert, EVP_sha256(), digest, &length) == 1 && length == pin_.size() &&
                      std::equal(pin_.begin(), pin_.end(), digest);
      X509_free(cert);
      if (!ok) return false;
    }
    return true;
  }

  bool write_all(const std::string& wire) {
    size_t done = 0;
    while (done < wire.size()) {
      long n;
      if (ssl_) {
        n = SSL_write(ssl_, wire.data() + done, static_cast<int>(wire.size() - done));
        if (n <= 0) ERR_clear_error();
      } else {
        n = ::send(fd_, wire.data() + done, wire.size() - done, MSG_NOSIGNAL);
      }
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  void close_connection() {
    if (ssl_) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  ForwarderConfig config_;
  ForwarderCounters counters_;
  std::vector<uint8_t> pin_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
};

class FileForwarder final : public AlertForwarder {
 public:
  explicit FileForwarder(ForwarderConfig config) : config_(std::move(config)) {
    if (config_.path.empty()) throw std::invalid_argument("file export needs a path");
    file_ = std::fopen(config_.path.c_str(), "a");
    if (!file_) throw std::invalid_argument("cannot open '" + config_.path + "' for appending");
  }
  ~FileForwarder() override { std::fclose(file_); }
  bool send(const Alert& alert) override {
    const std::string line = render(config_, alert) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
      ++counters_.failed;
      return false;
    }
    ++counters_.sent;
    return true;
  }
  const ForwarderCounters& counters() const override { return counters_; }

 private:
  ForwarderConfig config_;
  ForwarderCounters counters_;
  FILE* file_ = nullptr;
};

}  // namespace

std::string AlertForwarder::render(const ForwarderConfig& config, const Alert& alert) {
  if (config.format == Format::JsonLines) return alert_json_line(alert);
  return syslog_5424(format_cef(alert, config.product_version), alert.severity, alert.last_seen_ns, config.hostname);
}

std::unique_ptr<AlertForwarder> AlertForwarder::create(const ForwarderConfig& config) {
  if (config.transport == Transport::File) return std::make_unique<FileForwarder>(config);
  return std::make_unique<SocketForwarder>(config);
}

}  // namespace ots::detect
