#include "store/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "store/migrations.h"
#include "tests/unit/store/temp_dir.h"

namespace ots {
namespace {

using testing::TempDir;

IpAddr ip(const char* text) { return *IpAddr::parse(text); }
MacAddr mac(const char* text) { return *MacAddr::parse(text); }

Device make_device(const std::string& key, uint64_t packets) {
  Device d;
  d.key = key;
  if (key.starts_with("mac:")) d.mac = mac(key.c_str() + 4);
  d.ips = {ip("10.0.0.1"), ip("fe80::1")};
  d.vlans = {0, 12};
  d.vendor = "Siemens AG";
  d.traffic = {1'700'000'000'000'000'001, 1'700'000'100'000'000'002, packets, packets * 60, packets / 2, 300};
  d.is_router = key.ends_with("ff");
  d.facts = {{"orderNumber", "6ES7 315-2EH14-0AB0", "s7comm", 3, 4, "Read SZL 0x0011 reply"},
             {"vendor", "Siemens AG", "oui", 1, 2, "MAC address prefix (IEEE registry)"}};
  d.protocols = {{"s7comm", true, 5, 6, 7}, {"dns", false, 1, 2, 3}};
  d.type = "PLC";
  d.type_reasons = {"serves s7comm", "Siemens OUI"};
  d.purdue_level = 1;
  d.programming_device = key.ends_with("01");
  return d;
}

ConnectionObservation make_connection(const char* client, const char* server, uint8_t transport, uint16_t port,
                                      uint64_t packets) {
  ConnectionObservation c;
  c.key = {ip(client), ip(server), transport, port};
  c.first_seen_ns = 10;
  c.last_seen_ns = 20;
  c.packets_to_server = packets;
  c.bytes_to_server = packets * 100;
  c.packets_to_client = packets + 1;
  c.bytes_to_client = 7;
  c.flows = 2;
  c.application = transport == 6 ? "modbus" : "";
  return c;
}

StoreBatch observation_batch(uint64_t packets) {
  StoreBatch batch;
  MacObservation m{mac("00:1b:1b:00:00:01"), {5, 6, packets, 2, 3, 4}, {0, 7}};
  IpObservation i{ip("192.168.1.10"), {8, 9, packets, 11, 12, 13}, {7}};
  IpObservation i6{ip("2001:db8::5"), {1, 2, 3, 4, 5, 6}, {}};
  batch.macs = {m};
  batch.ips = {i, i6};
  batch.bindings = {{mac("00:1b:1b:00:00:01"), ip("192.168.1.10"),
                     binding_source::IpSource | binding_source::ArpSender, 5, 6, packets}};
  batch.connections = {make_connection("192.168.1.10", "192.168.1.20", 6, 502, packets)};
  batch.identities = {{ip("192.168.1.20"), std::nullopt, "s7comm", "orderNumber", "6ES7", 1, 2, packets,
                       "Read SZL 0x0011 reply"},
                      {std::nullopt, mac("00:1b:1b:00:00:01"), "lldp", "systemName", "plc-1", 3, 4, 1}};
  batch.protocols = {{ip("192.168.1.20"), std::nullopt, "modbus", true, 5, 6, packets},
                     {ip("192.168.1.10"), std::nullopt, "modbus", false, 5, 6, packets}};
  batch.commands = {{ip("192.168.1.10"), ip("192.168.1.20"), "modbus", 16, "write_multiple_registers", true, 7, 8,
                     packets, 1}};
  batch.arp_requests = {{ip("192.168.1.10"), ip("192.168.1.99"), 3, 9, packets}};
  return batch;
}

int64_t raw_count(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::string raw_text(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  std::string value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

void raw_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

std::string open_error(const std::string& path, Database::Mode mode) {
  try {
    Database::open(path, mode);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Database, FreshFileIsMigratedAndReopeningIsIdempotent) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  ASSERT_GE(Database::latest_schema_version(), 1);
  {
    auto db = Database::open(path, Database::Mode::ReadWrite);
    EXPECT_EQ(db->schema_version(), Database::latest_schema_version());
  }
  {
    auto db = Database::open(path, Database::Mode::ReadWrite);
    EXPECT_EQ(db->schema_version(), Database::latest_schema_version());
    EXPECT_EQ(db->count_devices(), 0);
  }
  EXPECT_EQ(raw_count(path, "SELECT count(*) FROM schema_migrations"), Database::latest_schema_version());
  EXPECT_EQ(raw_text(path, "PRAGMA journal_mode"), "wal");
  auto reader = Database::open(path, Database::Mode::ReadOnly);
  EXPECT_EQ(reader->schema_version(), Database::latest_schema_version());
}

TEST(Database, UpsertingTwiceReplacesRowsAndKeepsDeviceIds) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  auto db = Database::open(path, Database::Mode::ReadWrite);
  StoreBatch first = observation_batch(10);
  first.devices = {make_device("mac:00:1b:1b:00:00:01", 10), make_device("ip:10.9.9.9", 3),
                   make_device("mac:00:1b:1b:00:00:ff", 1)};
  db->apply(first);
  std::vector<Device> before = db->list_devices({0, 100});
  ASSERT_EQ(before.size(), 3u);

  StoreBatch second = observation_batch(25);
  second.devices = {make_device("mac:00:1b:1b:00:00:ff", 99), make_device("mac:00:1b:1b:00:00:01", 50)};
  db->apply(second);

  std::vector<Device> after = db->list_devices({0, 100});
  ASSERT_EQ(after.size(), 3u);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].key, before[i].key);
  }
  EXPECT_EQ(after[0].traffic.packets_sent, 50u);  // absolute, not added to 10
  EXPECT_EQ(after[1].traffic.packets_sent, 3u);
  EXPECT_EQ(after[2].traffic.packets_sent, 99u);
  EXPECT_TRUE(after[2].is_router);

  StoredObservations stored = db->load_observations();
  ASSERT_EQ(stored.macs.size(), 1u);
  EXPECT_EQ(stored.macs[0].traffic.packets_sent, 25u);
  ASSERT_EQ(stored.ips.size(), 2u);
  ASSERT_EQ(stored.bindings.size(), 1u);
  EXPECT_EQ(stored.bindings[0].packets, 25u);
  ASSERT_EQ(stored.connections.size(), 1u);
  EXPECT_EQ(stored.connections[0].packets_to_server, 25u);
  ASSERT_EQ(stored.identities.size(), 2u);
  EXPECT_EQ(stored.identities[1].event, "Read SZL 0x0011 reply");  // ordered by ip: the MAC-only fact first
  EXPECT_EQ(stored.identities[1].count, 25u);
  ASSERT_EQ(stored.arp_requests.size(), 1u);
  EXPECT_EQ(stored.arp_requests[0].sender, ip("192.168.1.10"));
  EXPECT_EQ(stored.arp_requests[0].target, ip("192.168.1.99"));
  EXPECT_EQ(stored.arp_requests[0].first_seen_ns, 3);
  EXPECT_EQ(stored.arp_requests[0].last_seen_ns, 9);
  EXPECT_EQ(stored.arp_requests[0].requests, 25u);
  EXPECT_EQ(raw_count(path, "SELECT count(*) FROM macs"), 1);
  EXPECT_EQ(raw_count(path, "SELECT count(*) FROM connections"), 1);
}

TEST(Database, DeviceRoundTripsEveryField) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), Database::Mode::ReadWrite);
  StoreBatch batch;
  Device with_mac = make_device("mac:00:1b:1b:00:00:ff", 123);
  with_mac.scanner = true;
  Device ip_only = make_device("ip:10.9.9.9", 4);
  ip_only.vendor = "";
  ip_only.vlans = {};
  batch.devices = {with_mac, ip_only};
  db->apply(batch);

  auto devices = db->list_devices({0, 10});
  ASSERT_EQ(devices.size(), 2u);
  const Device& d = devices[0];
  EXPECT_GT(d.id, 0);
  EXPECT_EQ(d.key, with_mac.key);
  EXPECT_EQ(d.mac, with_mac.mac);
  EXPECT_EQ(d.ips, with_mac.ips);
  EXPECT_EQ(d.vlans, with_mac.vlans);
  EXPECT_EQ(d.vendor, "Siemens AG");
  EXPECT_EQ(d.traffic.first_seen_ns, with_mac.traffic.first_seen_ns);
  EXPECT_EQ(d.traffic.last_seen_ns, with_mac.traffic.last_seen_ns);
  EXPECT_EQ(d.traffic.packets_sent, 123u);
  EXPECT_EQ(d.traffic.bytes_sent, 123u * 60);
  EXPECT_EQ(d.traffic.packets_received, 61u);
  EXPECT_EQ(d.traffic.bytes_received, 300u);
  EXPECT_TRUE(d.is_router);
  ASSERT_EQ(d.facts.size(), 2u);
  EXPECT_EQ(d.facts[0].field, "orderNumber");
  EXPECT_EQ(d.facts[0].value, "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(d.facts[0].protocol, "s7comm");
  EXPECT_EQ(d.facts[0].first_seen_ns, 3);
  EXPECT_EQ(d.facts[0].last_seen_ns, 4);
  EXPECT_EQ(d.facts[0].event, "Read SZL 0x0011 reply");
  EXPECT_EQ(d.facts[1].event, "MAC address prefix (IEEE registry)");
  ASSERT_EQ(d.protocols.size(), 2u);
  EXPECT_EQ(d.protocols[0].protocol, "s7comm");
  EXPECT_TRUE(d.protocols[0].server);
  EXPECT_EQ(d.protocols[0].flows, 5u);
  EXPECT_FALSE(d.protocols[1].server);
  EXPECT_EQ(d.type, "PLC");
  EXPECT_EQ(d.type_reasons, with_mac.type_reasons);
  EXPECT_EQ(d.purdue_level, 1);
  EXPECT_FALSE(d.programming_device);
  EXPECT_TRUE(d.scanner);
  EXPECT_FALSE(devices[1].scanner);
  EXPECT_FALSE(devices[1].mac.has_value());
  EXPECT_TRUE(devices[1].vlans.empty());

  auto fetched = db->get_device(d.id);
  ASSERT_TRUE(fetched.has_value());
  EXPECT_EQ(fetched->key, d.key);
  EXPECT_FALSE(db->get_device(d.id + 1000).has_value());
}

TEST(Database, RemovedKeysAreDeletedAndIdsAreNeverReused) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), Database::Mode::ReadWrite);
  StoreBatch batch;
  batch.devices = {make_device("ip:10.0.0.1", 1), make_device("ip:10.0.0.2", 1)};
  db->apply(batch);
  auto devices = db->list_devices({0, 10});
  ASSERT_EQ(devices.size(), 2u);
  const int64_t removed_id = devices[1].id;

  StoreBatch removal;
  removal.removed_device_keys = {"ip:10.0.0.2", "ip:never-existed"};
  removal.devices = {make_device("ip:10.0.0.3", 1)};
  db->apply(removal);

  devices = db->list_devices({0, 10});
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].key, "ip:10.0.0.1");
  EXPECT_EQ(devices[1].key, "ip:10.0.0.3");
  EXPECT_GT(devices[1].id, removed_id);
  EXPECT_FALSE(db->get_device(removed_id).has_value());
}

TEST(Database, RunsAreInsertedThenUpsertedById) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), Database::Mode::ReadWrite);
  RunRecord run;
  run.mode = "replay";
  run.source = "a.pcap b.pcap";
  run.started_at_ns = 1'700'000'000'123'456'789;
  run.status = "running";
  const int64_t first = db->begin_run(run);
  const int64_t second = db->begin_run(run);
  EXPECT_GT(first, 0);
  EXPECT_GT(second, first);

  run.id = first;
  run.ended_at_ns = run.started_at_ns + 5;
  run.status = "completed";
  run.packets = 1000;
  run.bytes = 64000;
  run.dropped_by_sensor = 1;
  run.dropped_by_interface = 2;
  run.flows = 30;
  run.flow_evictions = 4;
  run.protocol_packets = {{"tcp", 900}, {"modbus", 400}};
  run.malformed = {{"modbus.invalid_length", 3}};
  StoreBatch batch;
  batch.runs = {run};
  db->apply(batch);

  auto runs = db->list_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, second);  // newest first
  EXPECT_EQ(runs[0].status, "running");
  const RunRecord& stored = runs[1];
  EXPECT_EQ(stored.id, first);
  EXPECT_EQ(stored.mode, "replay");
  EXPECT_EQ(stored.source, "a.pcap b.pcap");
  EXPECT_EQ(stored.started_at_ns, run.started_at_ns);
  EXPECT_EQ(stored.ended_at_ns, run.ended_at_ns);
  EXPECT_EQ(stored.status, "completed");
  EXPECT_EQ(stored.packets, 1000u);
  EXPECT_EQ(stored.bytes, 64000u);
  EXPECT_EQ(stored.dropped_by_sensor, 1u);
  EXPECT_EQ(stored.dropped_by_interface, 2u);
  EXPECT_EQ(stored.flows, 30u);
  EXPECT_EQ(stored.flow_evictions, 4u);
  EXPECT_EQ(stored.protocol_packets, run.protocol_packets);
  EXPECT_EQ(stored.malformed, run.malformed);
}

TEST(Database, FailedBatchRollsBackEntirely) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), Database::Mode::ReadWrite);
  StoreBatch batch = observation_batch(1);
  batch.devices = {make_device("ip:10.0.0.1", 1)};
  batch.runs = {RunRecord{}};  // no id: rejected
  EXPECT_THROW(db->apply(batch), StoreError);
  EXPECT_EQ(db->count_devices(), 0);
  EXPECT_EQ(db->count_connections(), 0);
  EXPECT_TRUE(db->load_observations().macs.empty());
  // The connection is still usable.
  batch.runs.clear();
  db->apply(batch);
  EXPECT_EQ(db->count_devices(), 1);
}

TEST(Database, PagesAreOrdered) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), Database::Mode::ReadWrite);
  StoreBatch batch;
  for (int i = 0; i < 25; ++i) batch.devices.push_back(make_device("ip:10.1.0." + std::to_string(i), i));
  batch.connections = {make_connection("10.0.0.2", "10.0.0.9", 17, 53, 1),
                       make_connection("10.0.0.1", "10.0.0.9", 6, 502, 1),
                       make_connection("10.0.0.1", "10.0.0.9", 6, 102, 1),
                       make_connection("10.0.0.1", "10.0.0.3", 17, 47808, 1)};
  db->apply(batch);

  EXPECT_EQ(db->count_devices(), 25);
  auto page = db->list_devices({10, 5});
  ASSERT_EQ(page.size(), 5u);
  EXPECT_EQ(page[0].key, "ip:10.1.0.10");
  for (size_t i = 1; i < page.size(); ++i) EXPECT_LT(page[i - 1].id, page[i].id);
  EXPECT_EQ(db->list_devices({20, 100}).size(), 5u);
  EXPECT_TRUE(db->list_devices({25, 100}).empty());

  EXPECT_EQ(db->count_connections(), 4);
  auto connections = db->list_connections({0, 100});
  ASSERT_EQ(connections.size(), 4u);
  EXPECT_EQ(connections[0].key.server, ip("10.0.0.3"));
  EXPECT_EQ(connections[1].key.server_port, 102);
  EXPECT_EQ(connections[2].key.server_port, 502);
  EXPECT_EQ(connections[3].key.client, ip("10.0.0.2"));
  auto tail = db->list_connections({3, 100});
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].key.transport, 17);
}

TEST(Database, ObservationsRoundTrip) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"), Database::Mode::ReadWrite);
  StoreBatch batch = observation_batch(42);
  db->apply(batch);
  StoredObservations stored = db->load_observations();
  ASSERT_EQ(stored.macs.size(), 1u);
  EXPECT_EQ(stored.macs[0].mac, batch.macs[0].mac);
  EXPECT_EQ(stored.macs[0].vlans, batch.macs[0].vlans);
  EXPECT_EQ(stored.macs[0].traffic.bytes_received, 4u);
  ASSERT_EQ(stored.ips.size(), 2u);
  EXPECT_EQ(stored.ips[0].ip, ip("192.168.1.10"));  // "192..." sorts before "2001..."
  EXPECT_EQ(stored.ips[0].vlans, std::vector<uint16_t>{7});
  EXPECT_EQ(stored.ips[1].ip, ip("2001:db8::5"));
  ASSERT_EQ(stored.bindings.size(), 1u);
  EXPECT_EQ(stored.bindings[0].sources, binding_source::IpSource | binding_source::ArpSender);
  EXPECT_EQ(stored.bindings[0].first_seen_ns, 5);
  ASSERT_EQ(stored.connections.size(), 1u);
  const ConnectionObservation& c = stored.connections[0];
  EXPECT_EQ(c.key, batch.connections[0].key);
  EXPECT_EQ(c.packets_to_client, 43u);
  EXPECT_EQ(c.flows, 2u);
  EXPECT_EQ(c.application, "modbus");

  ASSERT_EQ(stored.identities.size(), 2u);  // '' (no IP) sorts first
  EXPECT_FALSE(stored.identities[0].ip.has_value());
  EXPECT_EQ(stored.identities[0].mac, mac("00:1b:1b:00:00:01"));
  EXPECT_EQ(stored.identities[0].value, "plc-1");
  EXPECT_EQ(stored.identities[1].ip, ip("192.168.1.20"));
  EXPECT_FALSE(stored.identities[1].mac.has_value());
  EXPECT_EQ(stored.identities[1].field, "orderNumber");
  EXPECT_EQ(stored.identities[1].count, 42u);
  ASSERT_EQ(stored.protocols.size(), 2u);
  EXPECT_EQ(stored.protocols[0].ip, ip("192.168.1.10"));
  EXPECT_FALSE(stored.protocols[0].server);
  EXPECT_TRUE(stored.protocols[1].server);
  EXPECT_EQ(stored.protocols[1].flows, 42u);
  ASSERT_EQ(stored.commands.size(), 1u);
  const CommandObservation& cmd = stored.commands[0];
  EXPECT_EQ(cmd.client, ip("192.168.1.10"));
  EXPECT_EQ(cmd.server, ip("192.168.1.20"));
  EXPECT_EQ(cmd.protocol, "modbus");
  EXPECT_EQ(cmd.code, 16u);
  EXPECT_EQ(cmd.name, "write_multiple_registers");
  EXPECT_TRUE(cmd.is_write);
  EXPECT_EQ(cmd.first_seen_ns, 7);
  EXPECT_EQ(cmd.last_seen_ns, 8);
  EXPECT_EQ(cmd.requests, 42u);
  EXPECT_EQ(cmd.errors, 1u);

  db->apply(observation_batch(50));  // same natural keys: replaced, not added
  stored = db->load_observations();
  EXPECT_EQ(stored.identities.size(), 2u);
  EXPECT_EQ(stored.protocols.size(), 2u);
  ASSERT_EQ(stored.commands.size(), 1u);
  EXPECT_EQ(stored.commands[0].requests, 50u);
}

TEST(Database, AddressesAreReadableTextInTheFile) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  Database::open(path, Database::Mode::ReadWrite)->apply(observation_batch(1));
  EXPECT_EQ(raw_text(path, "SELECT mac FROM macs"), "00:1b:1b:00:00:01");
  EXPECT_EQ(raw_text(path, "SELECT client || ' ' || server FROM connections"), "192.168.1.10 192.168.1.20");
  EXPECT_EQ(raw_text(path, "SELECT vlans FROM macs"), "[0,7]");
}

TEST(Database, ReadOnlyConnectionWorksWhileAWriterIsActive) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  auto writer = Database::open(path, Database::Mode::ReadWrite);
  StoreBatch batch;
  batch.devices = {make_device("ip:10.0.0.1", 1)};
  writer->apply(batch);

  // A second writer holds an open write transaction with an uncommitted row.
  sqlite3* busy = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &busy), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(busy,
                         "BEGIN IMMEDIATE; INSERT INTO devices(key, first_seen, last_seen, packets_sent, bytes_sent,"
                         " packets_received, bytes_received) VALUES('ip:uncommitted', 0, 0, 0, 0, 0, 0)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);

  auto reader = Database::open(path, Database::Mode::ReadOnly);
  EXPECT_EQ(reader->count_devices(), 1);
  EXPECT_EQ(reader->list_devices({0, 10}).size(), 1u);

  ASSERT_EQ(sqlite3_exec(busy, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(busy);
  EXPECT_EQ(reader->count_devices(), 2);  // the same connection sees later commits

  batch.devices = {make_device("ip:10.0.0.2", 1)};
  writer->apply(batch);
  EXPECT_EQ(reader->count_devices(), 3);
  EXPECT_THROW(reader->apply(batch), StoreError);  // and cannot write
}

TEST(Database, ReadOnlyOpensAfterTheWriterClosed) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  {
    auto writer = Database::open(path, Database::Mode::ReadWrite);
    StoreBatch batch;
    batch.devices = {make_device("ip:10.0.0.1", 1)};
    writer->apply(batch);
  }
  auto reader = Database::open(path, Database::Mode::ReadOnly);
  EXPECT_EQ(reader->count_devices(), 1);
}

TEST(Database, OpenErrorsAreOneLineNamingThePath) {
  EXPECT_EQ(open_error("/nonexistent/x.db", Database::Mode::ReadWrite),
            "cannot open database '/nonexistent/x.db': unable to open database file");
  EXPECT_EQ(open_error("/nonexistent/x.db", Database::Mode::ReadOnly),
            "cannot open database '/nonexistent/x.db': unable to open database file");

  TempDir dir;
  const std::string junk = dir.file("junk.db");
  std::ofstream(junk) << "this is not an SQLite database, just some text long enough to have a header.....\n";
  EXPECT_EQ(open_error(junk, Database::Mode::ReadWrite),
            "cannot open database '" + junk + "': file is not a database");

  const std::string empty = dir.file("empty.db");
  std::ofstream{empty};
  EXPECT_EQ(open_error(empty, Database::Mode::ReadOnly),
            "cannot open database '" + empty + "': not an otsensor database (no schema_migrations table)");
}

// A database written by the first schema (before devices had a scanner flag) is migrated when
// opened read-write: its devices stay, unflagged until the inventory derives them again, and
// readers refuse it until then.
TEST(Database, FirstSchemaDatabaseIsMigratedKeepingItsDevices) {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  const std::string first_schema = "CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);" +
                                   std::string(schema_migrations()[0]) +
                                   "INSERT INTO schema_migrations VALUES(1, 0);"
                                   "INSERT INTO devices(key, ips, vlans, vendor, first_seen, last_seen, packets_sent, "
                                   "bytes_sent, packets_received, bytes_received, programming_device) "
                                   "VALUES('ip:10.0.0.7', '[\"10.0.0.7\"]', '[]', '', 1, 2, 3, 4, 5, 6, 1);";
  raw_exec(path, first_schema.c_str());
  EXPECT_EQ(open_error(path, Database::Mode::ReadOnly),
            "cannot open database '" + path + "': schema version 1 is older than this otsensor needs; open it once "
            "read-write to migrate");
  auto db = Database::open(path, Database::Mode::ReadWrite);
  EXPECT_EQ(db->schema_version(), Database::latest_schema_version());
  auto devices = db->list_devices({0, 10});
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].key, "ip:10.0.0.7");
  EXPECT_TRUE(devices[0].programming_device);
  EXPECT_FALSE(devices[0].scanner);
  StoreBatch batch;
  batch.devices = {devices[0]};
  batch.devices[0].scanner = true;
  db->apply(batch);
  EXPECT_TRUE(db->get_device(devices[0].id)->scanner);
}

TEST(Database, RefusesASchemaNewerThanItKnows) {
  TempDir dir;
  const std::string path = dir.file("a.db");
  Database::open(path, Database::Mode::ReadWrite);
  raw_exec(path, "INSERT INTO schema_migrations(version, applied_at) VALUES(99, 0)");
  const std::string expected = "cannot open database '" + path + "': schema version 99 is newer than this otsensor knows (" +
                               std::to_string(Database::latest_schema_version()) + "); upgrade otsensor";
  EXPECT_EQ(open_error(path, Database::Mode::ReadOnly), expected);
  EXPECT_EQ(open_error(path, Database::Mode::ReadWrite), expected);
}

}  // namespace
}  // namespace ots
