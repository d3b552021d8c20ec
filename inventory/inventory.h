// Folds observation deltas from all workers into one inventory and derives the
// merged device records.
//
// Merge rule (REFERENCE.md): a device is one unicast MAC with the IPs bound to
// it, or an IP-only device. A MAC that sends with at least kRouterUnclaimedIps
// source addresses it never claimed (by ARP or IPv6 neighbour discovery, and
// not link-local) forwards traffic for others: it is marked a router and keeps
// only the addresses it claimed; the others become IP-only devices. Folding is
// commutative (min first seen, max last seen, sums, unions), so the result does
// not depend on how packets were spread over workers.
//
// OT identity: the facts dissectors report about an endpoint land on the device
// holding that IP (or MAC, for L2 protocols), with protocol and first/last seen;
// the device type and Purdue level are decided from the protocols it serves or
// uses and the commands it sends, and the reasons are kept.
//
// Modules: a dissector that knows a fact is about one module of the device (S7: the CPU the COTP
// TSAP addresses by rack and slot; CIP: the module an Unconnected Send routes to over the
// backplane) reports it as a module Description (inventory/module_fact.h). Such facts are not
// the device's own productName / serialNumber …: each (protocol, module address) becomes one fact
// with field "module" and value "<address>: attribute=value; …", e.g.
// "rack 0 slot 2: productName=CPU 315-2 PN/DP; orderNumber=6ES7 315-2EH14-0AB0; firmwareVersion=V3.2.6".
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "inventory/model.h"
#include "inventory/oui.h"

namespace ots {

struct StoreBatch;

constexpr size_t kRouterUnclaimedIps = 3;

class Inventory {
 public:
  explicit Inventory(const OuiRegistry& oui) : oui_(oui) {}

  // Resumes from stored rows (absolute values); `stored_device_keys` are the
  // devices the store already holds, so stale ones can be removed.
  void load(const Observations& stored, std::vector<std::string> stored_device_keys);
  // Adds one worker delta.
  void fold(const Observations& delta);
  // Every row changed since the previous call (absolute values), the devices
  // whose derived record changed, and the keys of devices that no longer exist.
  void take_changes(StoreBatch& batch);

  // The current derived devices, ordered by key.
  std::vector<Device> devices() const;
  // How many there are: without deriving them again when the last take_changes() did.
  size_t device_count() const;
  std::vector<ConnectionObservation> connections() const;
  std::vector<CommandObservation> commands() const;

 private:
  std::map<std::string, Device> derive_devices() const;

  const OuiRegistry& oui_;
  std::unordered_map<MacAddr, MacObservation> macs_;
  std::unordered_map<IpAddr, IpObservation> ips_;
  std::map<std::pair<MacAddr, IpAddr>, MacIpBinding> bindings_;  // ordered: a MAC's bindings are adjacent
  std::unordered_map<ConnectionKey, ConnectionObservation> connections_;
  std::map<std::string, IdentityObservation> identities_;  // keyed by endpoint|protocol|field|value
  std::map<std::string, ProtocolObservation> protocols_;    // keyed by endpoint|protocol|role
  std::map<std::string, CommandObservation> commands_;      // keyed by client|server|protocol|code|name
  std::map<std::pair<IpAddr, IpAddr>, ArpRequestObservation> arp_requests_;  // keyed by (sender, target)
  std::set<std::pair<IpAddr, IpAddr>> changed_arp_requests_;
  std::set<std::string> changed_identities_, changed_protocols_, changed_commands_;
  std::unordered_set<MacAddr> changed_macs_;
  std::unordered_set<IpAddr> changed_ips_;
  std::set<std::pair<MacAddr, IpAddr>> changed_bindings_;
  std::unordered_set<ConnectionKey> changed_connections_;
  std::map<std::string, Device> written_devices_;
  std::vector<std::string> stale_device_keys_;
  bool devices_dirty_ = false;
};

}  // namespace ots
