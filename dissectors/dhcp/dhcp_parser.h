// DHCP / BOOTP wire grammar (RFC 2131, options RFC 2132, FQDN RFC 4702): a pure parser of
// one UDP datagram. Views point into the datagram; nothing is allocated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/net_types.h"

namespace ots::dhcp {

constexpr size_t kFixedHeaderSize = 236;  // op … file, before the magic cookie
constexpr uint32_t kMagicCookie = 0x63825363;
constexpr size_t kMaxOptions = 128;      // more is not a real client
constexpr size_t kMaxFqdnName = 255;

constexpr uint8_t kOpRequest = 1;  // BOOTREQUEST: client → server
constexpr uint8_t kOpReply = 2;    // BOOTREPLY: server → client

// Option codes this parser extracts (RFC 2132 §3–9, RFC 4702).
namespace option {
constexpr uint8_t kPad = 0, kHostName = 12, kRequestedIp = 50, kMessageType = 53, kServerId = 54,
                  kParameterList = 55, kVendorClass = 60, kClientId = 61, kClientFqdn = 81, kEnd = 255;
}

// Failures, in the order the checks run. Stable names in kAnomalyNames.
enum class Anomaly : uint8_t { None, Truncated, BadOp, BadHardwareLength, BadMagicCookie, OptionOverrun, TooManyOptions, kCount };
constexpr std::string_view kAnomalyNames[] = {
    "",                            // None
    "dhcp.truncated",              // shorter than the fixed header + cookie
    "dhcp.bad_op",                 // op neither 1 nor 2
    "dhcp.bad_hardware_length",    // hlen > 16 (chaddr size)
    "dhcp.bad_magic_cookie",       // not 99.130.83.99: plain BOOTP or not DHCP
    "dhcp.option_overrun",         // an option's length runs past the datagram
    "dhcp.too_many_options",       // more than kMaxOptions options
};
static_assert(std::size(kAnomalyNames) == size_t(Anomaly::kCount));
constexpr std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[size_t(a)]; }

// DHCP message types (option 53, RFC 2132 §9.6 and RFC 3203/4388/6926).
struct MessageType {
  uint8_t code;
  std::string_view name;
  std::string_view event;  // the identity event name (Wireshark's): the message that said the fact
};
constexpr MessageType kMessageTypes[] = {
    {1, "DHCPDISCOVER", "DHCP Discover"},
    {2, "DHCPOFFER", "DHCP Offer"},
    {3, "DHCPREQUEST", "DHCP Request"},
    {4, "DHCPDECLINE", "DHCP Decline"},
    {5, "DHCPACK", "DHCP ACK"},
    {6, "DHCPNAK", "DHCP NAK"},
    {7, "DHCPRELEASE", "DHCP Release"},
    {8, "DHCPINFORM", "DHCP Inform"},
    {9, "DHCPFORCERENEW", "DHCP Force Renew"},
    {10, "DHCPLEASEQUERY", "DHCP Lease Query"},
    {11, "DHCPLEASEUNASSIGNED", "DHCP Lease Unassigned"},
    {12, "DHCPLEASEUNKNOWN", "DHCP Lease Unknown"},
    {13, "DHCPLEASEACTIVE", "DHCP Lease Active"},
    {14, "DHCPBULKLEASEQUERY", "DHCP Bulk Lease Query"},
    {15, "DHCPLEASEQUERYDONE", "DHCP Lease Query Done"},
};
constexpr uint8_t kMessageAck = 5, kMessageNak = 6;
std::string_view message_type_name(uint8_t code);   // "BOOTREQUEST"/"BOOTREPLY"-less: "" when unknown
std::string_view message_type_event(uint8_t code);  // "DHCP Discover"; "" when unknown

struct Message {
  uint8_t op = 0, htype = 0, hlen = 0;
  uint32_t xid = 0;
  IpAddr ciaddr, yiaddr, siaddr, giaddr;
  MacAddr chaddr;  // meaningful when htype 1 (Ethernet) and hlen 6
  uint8_t message_type = 0;  // 0: no option 53
  std::string_view hostname;      // option 12
  std::string_view vendor_class;  // option 60
  Bytes parameter_list;           // option 55
  Bytes client_id;                // option 61
  bool has_requested_ip = false, has_server_id = false;
  IpAddr requested_ip, server_id;
  // Option 81 domain name, decoded from DNS wire form when the E flag is set.
  std::array<char, kMaxFqdnName> fqdn_storage{};
  size_t fqdn_length = 0;
  std::string_view fqdn() const { return {fqdn_storage.data(), fqdn_length}; }
};

// Parses one datagram. Returns the first failure; `out` holds what was read before it.
Anomaly parse(Bytes datagram, Message& out);

// The fixed header and the magic cookie: what a probe accepts.
bool looks_like_dhcp(Bytes datagram);

}  // namespace ots::dhcp
