#include "inventory/inventory.h"

#include <algorithm>

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

bool same_device(const Device& a, const Device& b) {
  const TrafficCounters& x = a.traffic;
  const TrafficCounters& y = b.traffic;
  return a.mac == b.mac && a.ips == b.ips && a.vlans == b.vlans && a.vendor == b.vendor &&
         a.is_router == b.is_router && x.first_seen_ns == y.first_seen_ns && x.last_seen_ns == y.last_seen_ns &&
         x.packets_sent == y.packets_sent && x.bytes_sent == y.bytes_sent &&
         x.packets_received == y.packets_received && x.bytes_received == y.bytes_received;
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
    auto [it, inserted] = connections_.try_emplace(c.key, ConnectionObservation{c.key});
    ConnectionObservation& into = it->second;
    merge_times(into.first_seen_ns, into.last_seen_ns, c.first_seen_ns, c.last_seen_ns);
    into.packets_to_server += c.packets_to_server;
    into.bytes_to_server += c.bytes_to_server;
    into.packets_to_client += c.packets_to_client;
    into.bytes_to_client += c.bytes_to_client;
    into.flows += c.flows;
    changed_connections_.insert(c.key);
  }
  if (!d.macs.empty() || !d.ips.empty() || !d.bindings.empty()) devices_dirty_ = true;
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

  for (const auto& [ip, obs] : ips_) {
    if (ip_has_home.count(ip)) continue;
    Device d;
    d.key = "ip:" + ip.str();
    d.ips = {ip};
    d.vlans = obs.vlans;
    d.traffic = obs.traffic;
    out.emplace(d.key, std::move(d));
  }
  return out;
}

void Inventory::take_changes(StoreBatch& batch) {
  for (const MacAddr& m : changed_macs_) batch.macs.push_back(macs_.at(m));
  for (const IpAddr& i : changed_ips_) batch.ips.push_back(ips_.at(i));
  for (const auto& k : changed_bindings_) batch.bindings.push_back(bindings_.at(k));
  for (const ConnectionKey& k : changed_connections_) batch.connections.push_back(connections_.at(k));
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

std::vector<ConnectionObservation> Inventory::connections() const {
  std::vector<ConnectionObservation> out;
  for (const auto& [key, c] : connections_) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

}  // namespace ots
