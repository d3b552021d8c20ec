// Sends alerts to a SIEM: syslog CEF over UDP, TCP (RFC 6587 octet counting) or TLS, with RFC
// 5424 framing; or JSON lines to a file or a TCP socket. Runs on the detection thread (or its
// own); a send that fails is counted, the connection reopened on the next alert.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "detect/alert_model.h"

namespace ots::detect {

// A certificate SHA-256 as 64 hex digits, colons allowed (as `openssl x509 -fingerprint` prints
// it) → its 32 bytes; throws std::invalid_argument otherwise.
std::vector<uint8_t> parse_sha256_pin(const std::string& text);

struct ForwarderConfig {
  enum class Format { Cef, JsonLines };
  enum class Transport { Udp, Tcp, Tls, File };
  Format format = Format::Cef;
  Transport transport = Transport::Udp;
  std::string host = "127.0.0.1";  // numeric address or name
  uint16_t port = 514;
  std::string path;                // Transport::File
  // TLS: verify the server against this CA bundle (and its name against `host`), or accept
  // exactly the certificate whose SHA-256 (hex, colons optional) is pinned. One is required.
  std::string ca_file;
  std::string pinned_sha256;
  std::string hostname = "otsensor";  // RFC 5424 HOSTNAME
  std::string product_version = "0.1.0";
  int timeout_ms = 3000;
};

struct ForwarderCounters {
  uint64_t sent = 0;
  uint64_t failed = 0;
  uint64_t connects = 0;
};

class AlertForwarder {
 public:
  // Throws std::invalid_argument for a config that cannot work (TLS without CA or pin, bad pin,
  // file transport with JSON lines only …). Connects lazily.
  static std::unique_ptr<AlertForwarder> create(const ForwarderConfig& config);
  virtual ~AlertForwarder() = default;
  // Sends one alert; false when it could not be delivered (counted; retried connection next time).
  virtual bool send(const Alert& alert) = 0;
  virtual const ForwarderCounters& counters() const = 0;
  // The exact bytes (without transport framing) this forwarder sends for an alert.
  static std::string render(const ForwarderConfig& config, const Alert& alert);
};

}  // namespace ots::detect
