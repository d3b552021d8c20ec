// The alert forwarding targets stored in the sensor's database (set from the console's Settings
// page, used by `otsensor replay` and `capture` beside any --forward-alerts). A target is kept as
// the console shows it (host, port, transport, format) and turned into a ForwarderConfig here, so
// the web layer and the sensor validate with the same rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/export/forwarder.h"

namespace ots {
class SqliteConnection;
}

namespace ots::detect {

struct ForwardTarget {
  std::string host;
  uint16_t port = 0;
  std::string transport;      // udp, tcp or tls
  std::string format;         // cef or json
  std::string ca_file;        // tls: verify the server against this CA bundle …
  std::string pinned_sha256;  // … or accept exactly this certificate (hex SHA-256)

  bool operator==(const ForwardTarget&) const = default;
};

inline constexpr size_t kMaxForwardTargets = 16;
inline constexpr size_t kMaxForwardHostLength = 253;

// "target 2 (siem.example:6514 tls cef)": how messages name a target (1-based position).
std::string describe_forward_target(const ForwardTarget& target, size_t position);

// The forwarder configuration for a target; throws std::invalid_argument with a message naming
// the target when a rule fails (host, port, transport, format, JSON over UDP, TLS without a CA or
// a valid pin, CA or pin given for a non-TLS transport).
ForwarderConfig forward_target_config(const ForwardTarget& target, size_t position);

// Checks a whole list (at most kMaxForwardTargets, each valid); throws std::invalid_argument.
void validate_forward_targets(const std::vector<ForwardTarget>& targets);

// Reads and replaces the stored list (in order). Both migrate the module's table first.
std::vector<ForwardTarget> load_forward_targets(SqliteConnection& db);
void store_forward_targets(SqliteConnection& db, const std::vector<ForwardTarget>& targets);
// The stored targets as forwarder configurations, for the sensor at start; throws
// std::invalid_argument naming a stored target that no longer validates.
std::vector<ForwarderConfig> stored_forwarder_configs(const std::string& db_path);

}  // namespace ots::detect
