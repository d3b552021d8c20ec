#include "store/migrations.h"

#include <array>

namespace ots {

namespace {

// Addresses are text in canonical form (MacAddr::str / IpAddr::str) so the file reads
// well in the sqlite3 shell; timestamps are integer nanoseconds since the epoch; lists
// and maps are JSON text.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE macs (
  mac TEXT PRIMARY KEY NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  packets_sent INTEGER NOT NULL,
  bytes_sent INTEGER NOT NULL,
  packets_received INTEGER NOT NULL,
  bytes_received INTEGER NOT NULL,
  vlans TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;

CREATE TABLE ips (
  ip TEXT PRIMARY KEY NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  packets_sent INTEGER NOT NULL,
  bytes_sent INTEGER NOT NULL,
  packets_received INTEGER NOT NULL,
  bytes_received INTEGER NOT NULL,
  vlans TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;

CREATE TABLE mac_ip_bindings (
  mac TEXT NOT NULL,
  ip TEXT NOT NULL,
  sources INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  PRIMARY KEY (mac, ip)
) WITHOUT ROWID;
CREATE INDEX mac_ip_bindings_by_ip ON mac_ip_bindings(ip);

CREATE TABLE connections (
  client TEXT NOT NULL,
  server TEXT NOT NULL,
  transport INTEGER NOT NULL,
  server_port INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  packets_to_server INTEGER NOT NULL,
  bytes_to_server INTEGER NOT NULL,
  packets_to_client INTEGER NOT NULL,
  bytes_to_client INTEGER NOT NULL,
  flows INTEGER NOT NULL,
  application TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (client, server, transport, server_port)
) WITHOUT ROWID;
CREATE INDEX connections_by_server ON connections(server, server_port);

-- Endpoints are an IP or a MAC; the absent one is '' (NULL would defeat the primary key).
CREATE TABLE identities (
  ip TEXT NOT NULL,
  mac TEXT NOT NULL,
  protocol TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (ip, mac, protocol, field, value)
) WITHOUT ROWID;

CREATE TABLE endpoint_protocols (
  ip TEXT NOT NULL,
  mac TEXT NOT NULL,
  protocol TEXT NOT NULL,
  server INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  flows INTEGER NOT NULL,
  PRIMARY KEY (ip, mac, protocol, server)
) WITHOUT ROWID;

CREATE TABLE commands (
  client TEXT NOT NULL,
  server TEXT NOT NULL,
  protocol TEXT NOT NULL,
  code INTEGER NOT NULL,
  name TEXT NOT NULL,
  is_write INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  PRIMARY KEY (client, server, protocol, code)
) WITHOUT ROWID;

-- AUTOINCREMENT: a deleted device's id is never handed to another device.
CREATE TABLE devices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  mac TEXT,
  ips TEXT NOT NULL DEFAULT '[]',
  vlans TEXT NOT NULL DEFAULT '[]',
  vendor TEXT NOT NULL DEFAULT '',
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  packets_sent INTEGER NOT NULL,
  bytes_sent INTEGER NOT NULL,
  packets_received INTEGER NOT NULL,
  bytes_received INTEGER NOT NULL,
  is_router INTEGER NOT NULL DEFAULT 0,
  facts TEXT NOT NULL DEFAULT '[]',
  protocols TEXT NOT NULL DEFAULT '[]',
  type TEXT NOT NULL DEFAULT '',
  type_reasons TEXT NOT NULL DEFAULT '[]',
  purdue_level INTEGER NOT NULL DEFAULT -1,
  programming_device INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX devices_by_mac ON devices(mac);
CREATE INDEX devices_by_last_seen ON devices(last_seen);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  mode TEXT NOT NULL,
  source TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  dropped_by_sensor INTEGER NOT NULL,
  dropped_by_interface INTEGER NOT NULL,
  flows INTEGER NOT NULL,
  flow_evictions INTEGER NOT NULL,
  protocol_packets TEXT NOT NULL DEFAULT '{}',
  malformed TEXT NOT NULL DEFAULT '{}'
);
)sql";

// Scanners: devices that probed many hosts or ports, or asked many devices for their identity,
// and the ARP requests that show sweeps of addresses nobody holds. Identity facts name the
// message that said them.
constexpr std::string_view kVersion2 = R"sql(
ALTER TABLE devices ADD COLUMN scanner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identities ADD COLUMN event TEXT NOT NULL DEFAULT '';

CREATE TABLE arp_requests (
  sender TEXT NOT NULL,
  target TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  PRIMARY KEY (sender, target)
) WITHOUT ROWID;
)sql";

constexpr std::array<std::string_view, 2> kMigrations{kVersion1, kVersion2};

}  // namespace

std::span<const std::string_view> schema_migrations() { return kMigrations; }

}  // namespace ots
