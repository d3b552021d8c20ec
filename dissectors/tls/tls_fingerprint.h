// TLS client / server fingerprints and certificate digests (OpenSSL EVP for the hashes).
//
// JA3  (Salesforce): "version,ciphers,extensions,groups,point formats", decimal values
//      joined by '-', GREASE removed; the observable is its MD5 hex.
// JA3S (Salesforce): "version,cipher,extensions" of the ServerHello; MD5 hex.
// JA4  (FoxIO, technical_details/JA4.md): "t" + version + d/i + cipher count + extension
//      count + ALPN first/last character, "_" + sha256[:12] of the sorted cipher hex list,
//      "_" + sha256[:12] of the sorted extension list (without SNI and ALPN) "_" signature
//      algorithms in wire order. GREASE is ignored everywhere.
#pragma once

#include <array>
#include <string>
#include <vector>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/tls/tls_parser.h"

namespace ots::tls {

// Lower-case hex digests, NUL-terminated.
using Md5Hex = std::array<char, 33>;
using Sha1Hex = std::array<char, 41>;
using Sha256Hex = std::array<char, 65>;
Md5Hex md5_hex(Bytes data);
Sha1Hex sha1_hex(Bytes data);
Sha256Hex sha256_hex(Bytes data);

// The fingerprint strings are written into `out` (cleared first; its capacity is reused).
void ja3_string(const ClientHello& hello, std::string& out);
void ja3s_string(const ServerHello& hello, std::string& out);
// Reusable working storage of ja4() (kept by the session so a ClientHello allocates at most once).
struct Ja4Scratch {
  std::vector<uint16_t> values;
  std::string text;
};
void ja4(const ClientHello& hello, Ja4Scratch& scratch, std::string& out);

}  // namespace ots::tls
