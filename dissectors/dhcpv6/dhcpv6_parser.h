// DHCPv6 wire grammar (RFC 8415 §8–9, §21; FQDN RFC 4704): a pure parser of one message level —
// a client/server message or a relay message whose Relay Message option holds the next level.
// Views point into the datagram; nothing is allocated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/net_types.h"

namespace ots::dhcpv6 {

constexpr size_t kClientServerHeaderSize = 4;  // msg-type, transaction-id
constexpr size_t kRelayHeaderSize = 34;        // msg-type, hop-count, link-address, peer-address
constexpr size_t kMaxOptions = 64;             // per level, nested IA options included
constexpr size_t kMaxAddresses = 8;            // IA addresses kept
constexpr size_t kMaxRelayDepth = 8;  // nested relay levels followed (RFC 8415 HOP_COUNT_LIMIT 8 allows 32)
constexpr uint8_t kMaxHopCount = 32;
constexpr size_t kMaxFqdn = 255;

namespace option {
constexpr uint16_t kClientId = 1, kServerId = 2, kIaNa = 3, kIaTa = 4, kIaAddress = 5, kOptionRequest = 6,
                   kRelayMessage = 9, kStatusCode = 13, kUserClass = 15, kVendorClass = 16, kClientFqdn = 39;
}

namespace type {
constexpr uint8_t kAdvertise = 2, kReply = 7, kRelayForward = 12, kRelayReply = 13;
}
struct MessageType {
  uint8_t code;
  std::string_view name;
  bool from_client;        // sent by a client (or a relay towards the server)
  std::string_view event;  // the identity event name: the message that said the fact
};
constexpr MessageType kMessageTypes[] = {
    {1, "Solicit", true, "DHCPv6 Solicit"},
    {2, "Advertise", false, "DHCPv6 Advertise"},
    {3, "Request", true, "DHCPv6 Request"},
    {4, "Confirm", true, "DHCPv6 Confirm"},
    {5, "Renew", true, "DHCPv6 Renew"},
    {6, "Rebind", true, "DHCPv6 Rebind"},
    {7, "Reply", false, "DHCPv6 Reply"},
    {8, "Release", true, "DHCPv6 Release"},
    {9, "Decline", true, "DHCPv6 Decline"},
    {10, "Reconfigure", false, "DHCPv6 Reconfigure"},
    {11, "Information-request", true, "DHCPv6 Information-request"},
    {12, "Relay-forw", true, "DHCPv6 Relay-forw"},
    {13, "Relay-repl", false, "DHCPv6 Relay-repl"},
    {14, "Leasequery", true, "DHCPv6 Leasequery"},
    {15, "Leasequery-reply", false, "DHCPv6 Leasequery-reply"},
    {16, "Leasequery-done", false, "DHCPv6 Leasequery-done"},
    {17, "Leasequery-data", false, "DHCPv6 Leasequery-data"},
    {18, "Reconfigure-request", true, "DHCPv6 Reconfigure-request"},
    {19, "Reconfigure-reply", false, "DHCPv6 Reconfigure-reply"},
    {20, "DHCPv4-query", true, "DHCPv6 DHCPv4-query"},
    {21, "DHCPv4-response", false, "DHCPv6 DHCPv4-response"},
};
const MessageType* message_type(uint8_t code);  // nullptr when unknown

// Status codes (RFC 8415 §21.13).
constexpr std::string_view kStatusNames[] = {"Success",   "UnspecFail",   "NoAddrsAvail", "NoBinding",
                                             "NotOnLink", "UseMulticast", "NoPrefixAvail"};
std::string_view status_name(uint16_t code);  // "" when unknown

// IANA enterprise numbers of hardware vendors (a vendor class naming one says who built the device).
// Software vendors (311 Microsoft) and consortia are deliberately absent.
struct Enterprise {
  uint32_t number;
  std::string_view vendor;
};
constexpr Enterprise kHardwareVendors[] = {
    {2, "IBM"},
    {9, "Cisco"},
    {11, "Hewlett-Packard"},
    {2011, "Huawei"},
    {2636, "Juniper"},
    {4329, "Siemens"},
    {4526, "Netgear"},
    {12356, "Fortinet"},
    {14988, "MikroTik"},
    {25461, "Palo Alto Networks"},
    {41112, "Ubiquiti"},
};
std::string_view hardware_vendor(uint32_t enterprise);

enum class Anomaly : uint8_t {
  None,
  Truncated,
  BadMessageType,
  BadHopCount,
  OptionOverrun,
  BadOptionLength,
  TooManyOptions,
  RelayTooDeep,
  kCount
};
constexpr std::string_view kAnomalyNames[] = {
    "",
    "dhcpv6.truncated",          // shorter than its message header
    "dhcpv6.bad_message_type",   // message type not in RFC 8415 / its extensions
    "dhcpv6.bad_hop_count",      // a relay message with hop-count above 32
    "dhcpv6.option_overrun",     // an option's length runs past its container
    "dhcpv6.bad_option_length",  // a fixed-size option (IA, IA address, status) shorter than its fields
    "dhcpv6.too_many_options",   // more than kMaxOptions options in one message
    "dhcpv6.relay_too_deep",     // relay messages nested deeper than kMaxRelayDepth
};
static_assert(std::size(kAnomalyNames) == size_t(Anomaly::kCount));
constexpr std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[size_t(a)]; }

struct Message {
  uint8_t type = 0;
  uint32_t transaction_id = 0;
  bool is_relay = false;
  uint8_t hop_count = 0;
  IpAddr link_address, peer_address;
  Bytes relay_message;         // option 9: the next level
  Bytes client_id, server_id;  // DUIDs
  Bytes option_request;        // option 6: be16 codes
  Bytes user_class;            // option 15: (be16 length, data)*
  bool has_vendor_class = false;
  uint32_t vendor_enterprise = 0;                 // option 16
  Bytes vendor_class_data;                        // (be16 length, data)*
  std::array<IpAddr, kMaxAddresses> addresses{};  // IA_NA / IA_TA addresses
  size_t address_count = 0;
  bool has_status = false;  // the first non-success status, top level or inside an IA
  uint16_t status = 0;
  // Option 39 name, decoded from DNS wire form (a partial name has no root label).
  std::array<char, kMaxFqdn> fqdn_storage{};
  size_t fqdn_length = 0;
  std::string_view fqdn() const { return {fqdn_storage.data(), fqdn_length}; }
};

// Parses one level. Returns the first failure; `out` holds what was read before it.
Anomaly parse(Bytes datagram, Message& out);

// The link-layer address of a DUID-LLT / DUID-LL over Ethernet (RFC 8415 §11.2, §11.4).
bool duid_mac(Bytes duid, MacAddr& out);

// A probe's test: a known message type whose options exactly fill the datagram.
bool looks_like_dhcpv6(Bytes datagram);

}  // namespace ots::dhcpv6
