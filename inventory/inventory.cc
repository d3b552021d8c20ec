#include "inventory/inventory.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <span>
#include <tuple>

#include "inventory/module_fact.h"
#include "store/database.h"

namespace ots {

namespace {

void merge_times(int64_t& first, int64_t& last, int64_t delta_first, int64_t delta_last) {
  if (delta_first != 0 && (first == 0 || delta_first < first)) first = delta_first;
  if (delta_last > last) last = delta_last;
}

void merge(TrafficCounters& into, const TrafficCounters& d) {
  merge_times(into.first_seen_ns, into.last_seen_ns, d.first_seen_ns, d.last_seen_ns);
  into.packets_sent += d.packets_sent;
  into.bytes_sent += d.bytes_sent;
  into.packets_received += d.packets_received;
  into.bytes_received += d.bytes_received;
}

void merge_vlans(std::vector<uint16_t>& into, const std::vector<uint16_t>& add) {
  for (uint16_t v : add) {
    auto it = std::lower_bound(into.begin(), into.end(), v);
    if (it == into.end() || *it != v) into.insert(it, v);
  }
}

bool same_facts(const Device& a, const Device& b) {
  if (a.facts.size() != b.facts.size() || a.protocols.size() != b.protocols.size()) return false;
  for (size_t i = 0; i < a.facts.size(); ++i) {
    const DeviceFact &x = a.facts[i], &y = b.facts[i];
    if (x.field != y.field || x.value != y.value || x.protocol != y.protocol || x.first_seen_ns != y.first_seen_ns ||
        x.last_seen_ns != y.last_seen_ns || x.event != y.event)
      return false;
  }
  for (size_t i = 0; i < a.protocols.size(); ++i) {
    const DeviceProtocol &x = a.protocols[i], &y = b.protocols[i];
    if (x.protocol != y.protocol || x.server != y.server || x.flows != y.flows || x.last_seen_ns != y.last_seen_ns)
      return false;
  }
  return a.type == b.type && a.type_reasons == b.type_reasons && a.purdue_level == b.purdue_level &&
         a.programming_device == b.programming_device && a.scanner == b.scanner;
}

bool same_device(const Device& a, const Device& b) {
  if (!same_facts(a, b)) return false;
  const TrafficCounters& x = a.traffic;
  const TrafficCounters& y = b.traffic;
  return a.mac == b.mac && a.ips == b.ips && a.vlans == b.vlans && a.vendor == b.vendor &&
         a.is_router == b.is_router && x.first_seen_ns == y.first_seen_ns && x.last_seen_ns == y.last_seen_ns &&
         x.packets_sent == y.packets_sent && x.bytes_sent == y.bytes_sent &&
         x.packets_received == y.packets_received && x.bytes_received == y.bytes_received;
}

std::string endpoint_key(const std::optional<IpAddr>& ip, const std::optional<MacAddr>& mac) {
  return ip ? ip->str() : mac ? mac->str() : std::string();
}

// How serving or using an OT protocol classifies a device. Order is priority.
struct RoleRule {
  std::string_view protocol;
  bool server;
  std::string_view type;
  int purdue_level;
};
constexpr RoleRule kRoleRules[] = {
    {"s7comm", true, "PLC", 1},       {"s7comm_plus", true, "PLC", 1}, {"enip", true, "PLC", 1},
    {"modbus", true, "PLC", 1},       {"fins", true, "PLC", 1},        {"melsec", true, "PLC", 1},
    {"ads", true, "PLC", 1},          {"codesys", true, "PLC", 1},     {"tristation", true, "Safety controller", 1},
    {"dnp3", true, "RTU", 1},         {"iec104", true, "RTU", 1},      {"mms", true, "IED", 1},
    {"goose", false, "IED", 1},       {"bacnet", true, "Building controller", 1},
    {"opcua", true, "OPC server", 2}, {"s7comm", false, "HMI", 2},     {"modbus", false, "HMI", 2},
    {"enip", false, "HMI", 2},        {"dnp3", false, "SCADA master", 2}, {"iec104", false, "SCADA master", 2},
    {"mms", false, "SCADA master", 2}, {"opcua", false, "HMI", 2},     {"fins", false, "HMI", 2},
    {"melsec", false, "HMI", 2},      {"bacnet", false, "HMI", 2},
};

// Protocols of ordinary computers: a client of these, or a server of the ones a desktop or
// server offers (not of HTTP, TLS or VNC, which PLC web pages and HMI panels serve too).
bool is_it_host_protocol(const DeviceProtocol& p) {
  static constexpr std::string_view kClientOf[] = {"smb", "rdp", "vnc", "ssh", "http", "tls"};
  static constexpr std::string_view kServerOf[] = {"smb", "rdp", "ssh", "nbns"};
  for (std::string_view name : p.server ? std::span<const std::string_view>(kServerOf)
                                        : std::span<const std::string_view>(kClientOf))
    if (p.protocol == name) return true;
  return false;
}

// A controller protocol: one whose servers the role rules call PLC, RTU, IED … (level 1).
bool is_controller_protocol(std::string_view protocol) {
  for (const RoleRule& rule : kRoleRules)
    if (rule.server && rule.purdue_level == 1 && rule.protocol == protocol) return true;
  return false;
}

// A historian collects from many controllers and never writes to them, and it lives with the
// computers of level 3: file shares, remote desktop, web.
constexpr size_t kHistorianMinServers = 3;

// Command names that change a controller's program or run state. Whole words only: IEC-104's
// STARTDT/STOPDT open and close data transfer, they do not start or stop a controller.
bool is_programming_command(std::string_view name) {
  static constexpr std::string_view kWords[] = {"download", "upload", "stop", "start", "program", "delete block",
                                                "restart", "firmware"};
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto letter = [&](size_t i) { return i < lower.size() && std::isalpha(static_cast<unsigned char>(lower[i])); };
  for (std::string_view w : kWords)
    for (size_t at = lower.find(w); at != std::string::npos; at = lower.find(w, at + 1))
      if ((at == 0 || !letter(at - 1)) && !letter(at + w.size())) return true;
  return false;
}

// Scanner rule. The thresholds are the anomaly engine's defaults for one scan window, here over
// everything the sensor has seen: a host that probed that many targets once is a scanner.
constexpr size_t kScannerPortsOfOneHost = 24;
constexpr size_t kScannerHosts = 32;
constexpr size_t kScannerIdentityHosts = 8;

// A connection row that never became a conversation: per attempt at most two packets from the
// client (SYN, then RST of a half-open scan; one datagram or echo request) and at most one
// answer (RST, SYN/ACK, echo reply). A poller's rows, even those of a device that died, carry a
// handshake and data; retrying one dead target stays one target.
bool is_probe(const ConnectionObservation& c) {
  return c.key.server.is_unicast() && c.key.client != c.key.server && c.flows > 0 &&
         c.packets_to_server <= 2 * c.flows && c.packets_to_client <= c.flows;
}

// Requests that ask a device what it is: what asset-discovery tools and PLC scans send.
bool is_identity_request(const CommandObservation& c) {
  return (c.protocol == "modbus" && c.code == 43) || (c.protocol == "enip" && c.name == "ListIdentity") ||
         (c.protocol == "s7comm" && c.name == "Read SZL") || (c.protocol == "mms" && c.name == "Identify") ||
         (c.protocol == "fins" && c.name == "Controller Data Read");
}

struct ProbesOfClient {
  std::map<IpAddr, std::set<std::pair<uint8_t, uint16_t>>> services;  // per probed host: (transport, port) probed
  std::set<IpAddr> identity_hosts;                                    // asked for their identity
  std::set<IpAddr> unheld_arp_targets;  // asked for by ARP, never seen in any packet (no host holds them)
};

// Why `probes` make their client a scanner, one reason per kind of scan; empty when they do not.
// A router's ARP requests are asked on behalf of the traffic it forwards (a scan from elsewhere).
std::vector<std::string> scanner_reasons(const ProbesOfClient& probes, bool is_router) {
  std::vector<std::string> reasons;
  if (probes.unheld_arp_targets.size() >= kScannerHosts && !is_router)
    reasons.push_back("asked ARP for " + std::to_string(probes.unheld_arp_targets.size()) +
                      " addresses no host holds");
  if (probes.services.size() >= kScannerHosts)
    reasons.push_back("probed " + std::to_string(probes.services.size()) +
                      " hosts without a conversation (no answer, a refusal or a single reply)");
  for (const auto& [host, services] : probes.services)
    if (services.size() >= kScannerPortsOfOneHost) {
      std::set<uint8_t> transports;
      for (const auto& s : services) transports.insert(s.first);
      std::string over;
      for (uint8_t t : transports) over += (over.empty() ? "" : "/") + transport_name(t);
      reasons.push_back("probed " + std::to_string(services.size()) + " " + over + " ports of " + host.str());
      break;
    }
  if (probes.identity_hosts.size() >= kScannerIdentityHosts)
    reasons.push_back("asked " + std::to_string(probes.identity_hosts.size()) + " devices for their identity");
  return reasons;
}

// Purdue level of a device type named by a rule or reported by the device itself
// ("Communications Adapter", "Programmable Logic Controller" …); -1 when it says nothing.
int purdue_level_of_type(std::string_view type) {
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::pair<std::string_view, int> kKeywords[] = {
      {"plc", 1},      {"logic controller", 1}, {"adapter", 1}, {"drive", 1},   {"i/o", 1},  {"io device", 1},
      {"rtu", 1},      {"ied", 1},              {"safety", 1},  {"controller", 1}, {"hmi", 2}, {"human", 2},
      {"scada", 2},    {"engineering", 2},      {"opc", 2},     {"historian", 2}};
  for (const auto& [word, level] : kKeywords)
    if (lower.find(word) != std::string::npos) return level;
  return -1;
}

// Where a module attribute goes in the module's line; unknown attributes follow, by name.
size_t module_attribute_rank(std::string_view attribute) {
  static constexpr std::string_view kOrder[] = {"vendor",           "deviceType",      "productName",  "orderNumber",
                                                "moduleName",       "hardwareRevision", "firmwareVersion",
                                                "serialNumber"};
  for (size_t i = 0; i < std::size(kOrder); ++i)
    if (kOrder[i] == attribute) return i;
  return std::size(kOrder);
}

// Module attribute facts (inventory/module_fact.h) leave the device's own fields and become one
// "module" fact per (protocol, module address): "rack 0 slot 2: productName=CPU 315-2 PN/DP;
// orderNumber=6ES7 315-2EH14-0AB0", first/last seen over its attributes. Each attribute shows its
// latest value (ties: the greater value, so the result does not depend on folding order).
void fold_module_facts(std::vector<DeviceFact>& facts) {
  struct Attribute {
    std::string value;
    int64_t last_seen_ns = 0;
  };
  struct Module {
    int64_t first_seen_ns = 0, last_seen_ns = 0;
    std::string event;  // of its latest attribute
    std::map<std::string, Attribute> attributes;
  };
  std::map<std::pair<std::string, std::string>, Module> modules;  // (protocol, address)
  std::erase_if(facts, [&](const DeviceFact& f) {
    if (f.field != "description") return false;
    const std::optional<module_fact::Parsed> parsed = module_fact::parse(f.value);
    if (!parsed) return false;
    Module& m = modules[{f.protocol, std::string(parsed->address)}];
    if (is_later_event(f.last_seen_ns, f.event, m.last_seen_ns, m.event)) m.event = f.event;
    merge_times(m.first_seen_ns, m.last_seen_ns, f.first_seen_ns, f.last_seen_ns);
    if (!parsed->attribute.empty()) {
      Attribute& a = m.attributes[std::string(parsed->attribute)];
      if (a.value.empty() || f.last_seen_ns > a.last_seen_ns ||
          (f.last_seen_ns == a.last_seen_ns && parsed->value > a.value)) {
        a.value = std::string(parsed->value);
        a.last_seen_ns = std::max(a.last_seen_ns, f.last_seen_ns);
      }
    }
    return true;
  });
  for (const auto& [key, m] : modules) {
    std::vector<const std::pair<const std::string, Attribute>*> ordered;
    for (const auto& attribute : m.attributes) ordered.push_back(&attribute);
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
      return module_attribute_rank(a->first) < module_attribute_rank(b->first);
    });
    std::string line = key.second;
    for (size_t i = 0; i < ordered.size(); ++i)
      line.append(i == 0 ? ": " : "; ").append(ordered[i]->first).append("=").append(ordered[i]->second.value);
    facts.push_back(DeviceFact{"module", std::move(line), key.first, m.first_seen_ns, m.last_seen_ns, m.event});
  }
}

bool is_claimed(const MacIpBinding& b) {
  return (b.sources & (binding_source::ArpSender | binding_source::Ndp)) || b.ip.is_link_local();
}

}  // namespace

void Inventory::load(const Observations& stored, std::vector<std::string> stored_device_keys) {
  fold(stored);
  // Everything loaded is already stored; only devices are rewritten (the derivation may differ).
  changed_macs_.clear();
  changed_ips_.clear();
  changed_bindings_.clear();
  changed_connections_.clear();
  changed_identities_.clear();
  changed_protocols_.clear();
  changed_commands_.clear();
  changed_arp_requests_.clear();
  stale_device_keys_ = std::move(stored_device_keys);
  devices_dirty_ = true;
}

void Inventory::fold(const Observations& d) {
  for (const MacObservation& m : d.macs) {
    auto [it, inserted] = macs_.try_emplace(m.mac, MacObservation{m.mac, {}, {}});
    merge(it->second.traffic, m.traffic);
    merge_vlans(it->second.vlans, m.vlans);
    changed_macs_.insert(m.mac);
  }
  for (const IpObservation& i : d.ips) {
    auto [it, inserted] = ips_.try_emplace(i.ip, IpObservation{i.ip, {}, {}});
    merge(it->second.traffic, i.traffic);
    merge_vlans(it->second.vlans, i.vlans);
    changed_ips_.insert(i.ip);
  }
  for (const MacIpBinding& b : d.bindings) {
    const auto key = std::make_pair(b.mac, b.ip);
    auto [it, inserted] = bindings_.try_emplace(key, MacIpBinding{b.mac, b.ip, 0, 0, 0, 0});
    MacIpBinding& into = it->second;
    into.sources |= b.sources;
    into.packets += b.packets;
    merge_times(into.first_seen_ns, into.last_seen_ns, b.first_seen_ns, b.last_seen_ns);
    changed_bindings_.insert(key);
  }
  for (const ConnectionObservation& c : d.connections) {
    auto [it, inserted] = connections_.try_emplace(c.key);
    if (inserted) it->second.key = c.key;
    ConnectionObservation& into = it->second;
    merge_times(into.first_seen_ns, into.last_seen_ns, c.first_seen_ns, c.last_seen_ns);
    into.packets_to_server += c.packets_to_server;
    into.bytes_to_server += c.bytes_to_server;
    into.packets_to_client += c.packets_to_client;
    into.bytes_to_client += c.bytes_to_client;
    into.flows += c.flows;
    // Our dissectors' names are lower case and beat nDPI's labels.
    if (!c.application.empty() && (into.application.empty() || !std::isupper(static_cast<unsigned char>(c.application[0]))))
      into.application = c.application;
    changed_connections_.insert(c.key);
  }
  for (const IdentityObservation& i : d.identities) {
    std::string key = endpoint_key(i.ip, i.mac) + '|' + i.protocol + '|' + i.field + '|' + i.value;
    auto [it, inserted] = identities_.try_emplace(key, i);
    if (!inserted) {
      IdentityObservation& into = it->second;
      if (is_later_event(i.last_seen_ns, i.event, into.last_seen_ns, into.event)) into.event = i.event;
      merge_times(into.first_seen_ns, into.last_seen_ns, i.first_seen_ns, i.last_seen_ns);
      into.count += i.count;
    }
    changed_identities_.insert(std::move(key));
  }
  for (const ProtocolObservation& p : d.protocols) {
    std::string key = endpoint_key(p.ip, p.mac) + '|' + p.protocol + (p.server ? "|s" : "|c");
    auto [it, inserted] = protocols_.try_emplace(key, p);
    if (!inserted) {
      merge_times(it->second.first_seen_ns, it->second.last_seen_ns, p.first_seen_ns, p.last_seen_ns);
      it->second.flows += p.flows;
    }
    changed_protocols_.insert(std::move(key));
  }
  for (const CommandObservation& c : d.commands) {
    std::string key = c.client.str() + '|' + c.server.str() + '|' + c.protocol + '|' + std::to_string(c.code) + '|' +
                      c.name;
    auto [it, inserted] = commands_.try_emplace(key, c);
    if (!inserted) {
      CommandObservation& into = it->second;
      merge_times(into.first_seen_ns, into.last_seen_ns, c.first_seen_ns, c.last_seen_ns);
      into.requests += c.requests;
      into.errors += c.errors;
      into.is_write = into.is_write || c.is_write;
    }
    changed_commands_.insert(std::move(key));
  }
  for (const ArpRequestObservation& a : d.arp_requests) {
    const std::pair key{a.sender, a.target};
    auto [it, inserted] = arp_requests_.try_emplace(key, a);
    if (!inserted) {
      merge_times(it->second.first_seen_ns, it->second.last_seen_ns, a.first_seen_ns, a.last_seen_ns);
      it->second.requests += a.requests;
    }
    changed_arp_requests_.insert(key);
  }
  if (!d.macs.empty() || !d.ips.empty() || !d.bindings.empty() || !d.identities.empty() || !d.protocols.empty() ||
      !d.commands.empty() || !d.arp_requests.empty())
    devices_dirty_ = true;
}

std::map<std::string, Device> Inventory::derive_devices() const {
  std::map<std::string, Device> out;
  std::unordered_map<IpAddr, bool> ip_has_home;

  auto mac_device = [&](const MacAddr& mac) -> Device& {
    const std::string key = "mac:" + mac.str();
    auto [it, inserted] = out.try_emplace(key);
    Device& d = it->second;
    if (inserted) {
      d.key = key;
      d.mac = mac;
      d.vendor = std::string(oui_.vendor(mac));
      if (auto m = macs_.find(mac); m != macs_.end()) {
        d.traffic = m->second.traffic;
        d.vlans = m->second.vlans;
      }
    }
    return d;
  };

  for (const auto& [mac, obs] : macs_) mac_device(mac);

  // Bindings are ordered by MAC: walk each MAC's run once.
  for (auto it = bindings_.begin(); it != bindings_.end();) {
    const MacAddr mac = it->first.first;
    auto end = it;
    size_t unclaimed = 0;
    for (; end != bindings_.end() && end->first.first == mac; ++end)
      if (!is_claimed(end->second)) ++unclaimed;
    Device& d = mac_device(mac);
    d.is_router = unclaimed >= kRouterUnclaimedIps;
    for (; it != end; ++it) {
      const MacIpBinding& b = it->second;
      if (d.is_router && !is_claimed(b)) continue;
      d.ips.push_back(b.ip);
      ip_has_home[b.ip] = true;
    }
    std::sort(d.ips.begin(), d.ips.end());
  }

  // x.x.x.255 that never sent a packet is a directed broadcast (BACnet I-Am, NetBIOS
  // announcements relayed to a subnet), not a host; a host there shows itself by sending.
  auto is_directed_broadcast = [&](const IpAddr& ip) {
    if (!ip.is_v4() || (ip.v4_host_order() & 0xFF) != 0xFF) return false;
    const auto it = ips_.find(ip);
    return it == ips_.end() || it->second.traffic.packets_sent == 0;
  };
  for (const auto& [ip, obs] : ips_) {
    if (ip_has_home.count(ip) || is_directed_broadcast(ip)) continue;
    Device d;
    d.key = "ip:" + ip.str();
    d.ips = {ip};
    d.vlans = obs.vlans;
    d.traffic = obs.traffic;
    out.emplace(d.key, std::move(d));
  }

  // OT identity: index facts, protocols and commands by endpoint, then give each device its own.
  std::unordered_map<std::string, std::vector<const IdentityObservation*>> facts_by_endpoint;
  for (const auto& [key, i] : identities_) facts_by_endpoint[endpoint_key(i.ip, i.mac)].push_back(&i);
  std::unordered_map<std::string, std::vector<const ProtocolObservation*>> protocols_by_endpoint;
  for (const auto& [key, p] : protocols_) protocols_by_endpoint[endpoint_key(p.ip, p.mac)].push_back(&p);
  std::unordered_map<IpAddr, std::vector<const CommandObservation*>> commands_by_client;
  for (const auto& [key, c] : commands_) commands_by_client[c.client].push_back(&c);
  std::unordered_map<IpAddr, ProbesOfClient> probes_by_client;
  for (const auto& [key, c] : connections_)
    if (is_probe(c) && !is_directed_broadcast(key.server))
      probes_by_client[key.client].services[key.server].emplace(key.transport, key.server_port);
  for (const auto& [key, c] : commands_)
    if (is_identity_request(c) && c.server.is_unicast() && !is_directed_broadcast(c.server) && c.client != c.server)
      probes_by_client[c.client].identity_hosts.insert(c.server);
  for (const auto& [key, a] : arp_requests_)
    if (!ips_.contains(a.target)) probes_by_client[a.sender].unheld_arp_targets.insert(a.target);

  for (auto& entry : out) {
    Device& d = entry.second;  // not a structured binding: the lambdas below capture it (clang 14)
    std::vector<std::string> endpoints;
    for (const IpAddr& ip : d.ips) endpoints.push_back(ip.str());
    if (d.mac) endpoints.push_back(d.mac->str());
    for (const std::string& e : endpoints) {
      if (auto it = facts_by_endpoint.find(e); it != facts_by_endpoint.end())
        for (const IdentityObservation* i : it->second)
          d.facts.push_back(DeviceFact{i->field, i->value, i->protocol, i->first_seen_ns, i->last_seen_ns, i->event});
      if (auto it = protocols_by_endpoint.find(e); it != protocols_by_endpoint.end())
        for (const ProtocolObservation* p : it->second)
          d.protocols.push_back(DeviceProtocol{p->protocol, p->server, p->flows, p->first_seen_ns, p->last_seen_ns});
    }
    fold_module_facts(d.facts);
    if (!d.vendor.empty() && d.mac)
      d.facts.push_back(DeviceFact{"vendor", d.vendor, "oui", d.traffic.first_seen_ns, d.traffic.first_seen_ns,
                                   "MAC address prefix (IEEE registry)"});
    std::sort(d.facts.begin(), d.facts.end(), [](const DeviceFact& a, const DeviceFact& b) {
      return std::tie(a.field, a.protocol, a.value) < std::tie(b.field, b.protocol, b.value);
    });
    // The same fact said about two of the device's addresses (an ENBT that changed its IP) is one fact.
    size_t kept = 0;
    for (size_t i = 0; i < d.facts.size(); ++i) {
      DeviceFact& last = d.facts[kept == 0 ? 0 : kept - 1];
      if (kept > 0 && std::tie(last.field, last.protocol, last.value) ==
                          std::tie(d.facts[i].field, d.facts[i].protocol, d.facts[i].value)) {
        if (is_later_event(d.facts[i].last_seen_ns, d.facts[i].event, last.last_seen_ns, last.event))
          last.event = d.facts[i].event;
        merge_times(last.first_seen_ns, last.last_seen_ns, d.facts[i].first_seen_ns, d.facts[i].last_seen_ns);
      } else {
        if (kept != i) d.facts[kept] = std::move(d.facts[i]);
        ++kept;
      }
    }
    d.facts.resize(kept);
    std::sort(d.protocols.begin(), d.protocols.end(), [](const DeviceProtocol& a, const DeviceProtocol& b) {
      return std::tie(a.protocol, a.server) < std::tie(b.protocol, b.server);
    });
    // A vendor named by the device itself beats the OUI owner (often the NIC maker).
    for (const DeviceFact& f : d.facts)
      if (f.field == "vendor" && f.protocol != "oui") d.vendor = d.fact("vendor");

    for (const IpAddr& ip : d.ips)
      if (auto it = commands_by_client.find(ip); it != commands_by_client.end())
        for (const CommandObservation* c : it->second)
          if (is_programming_command(c->name) && (c->is_write || c->requests > 0)) {
            d.programming_device = true;
            d.type_reasons.push_back("sent " + c->protocol + " '" + c->name + "' to " + c->server.str());
            break;
          }

    for (const IpAddr& ip : d.ips)
      if (auto it = probes_by_client.find(ip); it != probes_by_client.end())
        for (std::string& reason : scanner_reasons(it->second, d.is_router)) {
          d.scanner = true;
          d.type_reasons.push_back(std::move(reason));
        }

    if (const std::string reported = d.fact("deviceType"); !reported.empty()) {
      d.type = reported;
      d.type_reasons.insert(d.type_reasons.begin(), "reported by the device as " + reported);
    }
    const DeviceProtocol* it_protocol = nullptr;
    for (const DeviceProtocol& p : d.protocols)
      if (!it_protocol && is_it_host_protocol(p)) it_protocol = &p;
    auto it_reason = [](const DeviceProtocol& p) {
      return std::string(p.server ? "serves " : "uses ") + p.protocol;
    };
    if (d.type.empty() && it_protocol && !d.programming_device) {
      bool serves_controller_protocol = false;
      for (const DeviceProtocol& p : d.protocols) serves_controller_protocol |= p.server && is_controller_protocol(p.protocol);
      std::set<IpAddr> servers;
      std::set<std::string> read_protocols;
      bool writes = false;
      for (const IpAddr& ip : d.ips)
        if (auto it = commands_by_client.find(ip); it != commands_by_client.end())
          for (const CommandObservation* c : it->second) {
            if (!is_controller_protocol(c->protocol)) continue;
            writes |= c->is_write;
            servers.insert(c->server);
            read_protocols.insert(c->protocol);
          }
      if (!serves_controller_protocol && !writes && servers.size() >= kHistorianMinServers) {
        d.type = "Historian";
        d.purdue_level = 3;
        std::string over;
        for (const std::string& protocol : read_protocols) over += (over.empty() ? "" : ", ") + protocol;
        d.type_reasons.insert(d.type_reasons.begin(),
                              {"reads from " + std::to_string(servers.size()) + " controllers (" + over +
                                   ") and never writes",
                               it_reason(*it_protocol)});
      }
    }
    // A scanner that only asked a protocol's servers who they are is no client of theirs (no HMI).
    auto only_asked_identity = [&](std::string_view protocol) {
      for (const IpAddr& ip : d.ips)
        if (auto it = commands_by_client.find(ip); it != commands_by_client.end())
          for (const CommandObservation* c : it->second)
            if (c->protocol == protocol && !is_identity_request(*c)) return false;
      return true;
    };
    for (const RoleRule& rule : kRoleRules) {
      if (!d.type.empty()) break;
      for (const DeviceProtocol& p : d.protocols)
        if (p.protocol == rule.protocol && p.server == rule.server &&
            (rule.server || !d.scanner || !only_asked_identity(p.protocol))) {
          d.type = rule.type;
          d.purdue_level = rule.purdue_level;
          d.type_reasons.insert(d.type_reasons.begin(),
                                std::string(rule.server ? "serves " : "uses ") + std::string(rule.protocol));
          break;
        }
    }
    if (d.programming_device && (d.type.empty() || d.purdue_level == 2)) {
      d.type = "Engineering workstation";
      d.purdue_level = 2;
    }
    if (d.type.empty() && d.is_router) {
      d.type = "Router";
      d.type_reasons.push_back("forwards traffic of addresses it does not own");
    }
    if (d.type.empty() && it_protocol) {
      d.type = "IT host";
      d.purdue_level = 3;  // where business systems meet the plant network
      d.type_reasons.push_back(it_reason(*it_protocol) + ", no industrial role seen");
    }
    if (d.purdue_level < 0 && !d.type.empty()) d.purdue_level = purdue_level_of_type(d.type);
  }
  return out;
}

void Inventory::take_changes(StoreBatch& batch) {
  for (const MacAddr& m : changed_macs_) batch.macs.push_back(macs_.at(m));
  for (const IpAddr& i : changed_ips_) batch.ips.push_back(ips_.at(i));
  for (const auto& k : changed_bindings_) batch.bindings.push_back(bindings_.at(k));
  for (const ConnectionKey& k : changed_connections_) batch.connections.push_back(connections_.at(k));
  for (const std::string& k : changed_identities_) batch.identities.push_back(identities_.at(k));
  for (const std::string& k : changed_protocols_) batch.protocols.push_back(protocols_.at(k));
  for (const std::string& k : changed_commands_) batch.commands.push_back(commands_.at(k));
  for (const auto& k : changed_arp_requests_) batch.arp_requests.push_back(arp_requests_.at(k));
  changed_arp_requests_.clear();
  changed_identities_.clear();
  changed_protocols_.clear();
  changed_commands_.clear();
  changed_macs_.clear();
  changed_ips_.clear();
  changed_bindings_.clear();
  changed_connections_.clear();

  if (!devices_dirty_) return;
  devices_dirty_ = false;
  std::map<std::string, Device> now = derive_devices();
  for (const auto& [key, device] : now) {
    auto old = written_devices_.find(key);
    if (old == written_devices_.end() || !same_device(old->second, device)) batch.devices.push_back(device);
  }
  for (const auto& [key, device] : written_devices_)
    if (!now.count(key)) batch.removed_device_keys.push_back(key);
  for (const std::string& key : stale_device_keys_)
    if (!now.count(key) && !written_devices_.count(key)) batch.removed_device_keys.push_back(key);
  stale_device_keys_.clear();
  written_devices_ = std::move(now);
}

std::vector<Device> Inventory::devices() const {
  std::vector<Device> out;
  for (auto& [key, d] : derive_devices()) out.push_back(d);
  return out;
}

size_t Inventory::device_count() const { return devices_dirty_ ? derive_devices().size() : written_devices_.size(); }

std::vector<CommandObservation> Inventory::commands() const {
  std::vector<CommandObservation> out;
  for (const auto& [key, c] : commands_) out.push_back(c);
  return out;
}

std::vector<ConnectionObservation> Inventory::connections() const {
  std::vector<ConnectionObservation> out;
  for (const auto& [key, c] : connections_) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

}  // namespace ots
