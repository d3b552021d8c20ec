// NTLMSSP wire grammar (MS-NLMP §2.2): NEGOTIATE, CHALLENGE and AUTHENTICATE messages as
// carried in SMB SESSION_SETUP security buffers (inside SPNEGO), HTTP and DCE/RPC. A pure
// parser: views point into the message. Responses, hashes and session keys are never
// extracted — only names, flags and the OS version structure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"

namespace ots::ntlm {

constexpr std::string_view kSignature{"NTLMSSP\0", 8};
constexpr size_t kMaxScan = 64 * 1024;  // bytes of a security buffer searched for the signature
constexpr size_t kMaxAvPairs = 32;

constexpr uint32_t kMessageNegotiate = 1, kMessageChallenge = 2, kMessageAuthenticate = 3;

// NegotiateFlags bits used here (MS-NLMP §2.2.2.5).
namespace flag {
constexpr uint32_t kUnicode = 0x00000001, kOemDomainSupplied = 0x00001000,
                   kOemWorkstationSupplied = 0x00002000, kTargetTypeDomain = 0x00010000,
                   kTargetTypeServer = 0x00020000, kVersion = 0x02000000;
}

// AV_PAIR ids of the CHALLENGE target info (MS-NLMP §2.2.2.1).
namespace av {
constexpr uint16_t kEol = 0, kNbComputerName = 1, kNbDomainName = 2, kDnsComputerName = 3, kDnsDomainName = 4,
                   kDnsTreeName = 5;
}

enum class Status : uint8_t { Ok, Truncated, BadMessageType, FieldOverrun, TooManyAvPairs };

// A string field: raw bytes, UTF-16LE when `unicode`, else OEM (treated as ASCII).
struct Text {
  Bytes bytes;
  bool unicode = false;
  bool empty() const { return bytes.empty(); }
};

struct Version {
  bool present = false;
  uint8_t major = 0, minor = 0;
  uint16_t build = 0;
};

struct Message {
  uint32_t type = 0;
  uint32_t flags = 0;
  Version version;
  // NEGOTIATE: domain, workstation (OEM, when the *_SUPPLIED flags are set).
  // CHALLENGE: target_name and the target info pairs below.
  // AUTHENTICATE: domain, user, workstation.
  Text domain, workstation, user, target_name;
  Text nb_computer, nb_domain, dns_computer, dns_domain, dns_tree;
};

// The NTLMSSP message inside a security buffer (SPNEGO-wrapped or raw): found by its
// signature within the first kMaxScan bytes; empty when absent.
Bytes find_message(Bytes security_buffer);

Status parse(Bytes message, Message& out);

}  // namespace ots::ntlm
