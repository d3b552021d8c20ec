// MAC and IP address value types shared by every layer.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ots {

struct MacAddr {
  std::array<uint8_t, 6> bytes{};

  static MacAddr from(const uint8_t* p) {
    MacAddr m;
    std::memcpy(m.bytes.data(), p, 6);
    return m;
  }
  static std::optional<MacAddr> parse(std::string_view text);  // "aa:bb:cc:dd:ee:ff"

  bool is_group() const { return bytes[0] & 1; }  // multicast or broadcast
  bool is_broadcast() const { return word() == 0xffffffffffffull; }
  bool is_zero() const { return word() == 0; }
  bool is_unicast() const { return !is_group() && !is_zero(); }
  uint32_t oui() const { return uint32_t{bytes[0]} << 16 | uint32_t{bytes[1]} << 8 | bytes[2]; }
  uint64_t as_u64() const;
  std::string str() const;

  auto operator<=>(const MacAddr&) const = default;
  // The six bytes in one word (byte order irrelevant: for equality tests only).
  uint64_t word() const {
    uint32_t a4;
    uint16_t a2;
    std::memcpy(&a4, bytes.data(), 4);
    std::memcpy(&a2, bytes.data() + 4, 2);
    return uint64_t{a4} << 16 | a2;
  }
  // Two word compares: the defaulted form calls memcmp, and this runs several times per packet.
  bool operator==(const MacAddr& other) const {
    uint32_t a4, b4;
    uint16_t a2, b2;
    std::memcpy(&a4, bytes.data(), 4);
    std::memcpy(&b4, other.bytes.data(), 4);
    std::memcpy(&a2, bytes.data() + 4, 2);
    std::memcpy(&b2, other.bytes.data() + 4, 2);
    return ((a4 ^ b4) | static_cast<uint32_t>(a2 ^ b2)) == 0;
  }
};

// IPv4 addresses are stored as IPv4-mapped IPv6 (::ffff:a.b.c.d) so one 16-byte
// type serves both families and compares/hashes uniformly.
struct IpAddr {
  std::array<uint8_t, 16> bytes{};

  // Inline: the decoder builds two of these for every packet.
  static IpAddr v4(const uint8_t* p) {  // network byte order, as ::ffff:a.b.c.d
    IpAddr a;
    a.bytes[10] = a.bytes[11] = 0xff;
    std::memcpy(a.bytes.data() + 12, p, 4);
    return a;
  }
  static IpAddr v4(uint32_t host_order);
  static IpAddr v6(const uint8_t* p) {
    IpAddr a;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
  }
  static std::optional<IpAddr> parse(std::string_view text);

  bool is_v4() const {
    uint64_t head;
    uint32_t mapped;
    std::memcpy(&head, bytes.data(), 8);
    std::memcpy(&mapped, bytes.data() + 8, 4);
    return head == 0 && mapped == kV4MappedMarker;
  }
  // Inline, like the predicates below: several of them run for every packet.
  uint32_t v4_host_order() const {  // only meaningful when is_v4()
    return uint32_t{bytes[12]} << 24 | uint32_t{bytes[13]} << 16 | uint32_t{bytes[14]} << 8 | bytes[15];
  }
  bool is_unspecified() const {  // 0.0.0.0 or ::
    uint64_t w[2];
    std::memcpy(w, bytes.data(), 16);
    if (w[0] == 0 && w[1] == 0) return true;
    return is_v4() && v4_host_order() == 0;
  }
  bool is_multicast() const {  // 224.0.0.0/4 or ff00::/8
    return is_v4() ? (bytes[12] & 0xf0) == 0xe0 : bytes[0] == 0xff;
  }
  bool is_limited_broadcast() const { return is_v4() && v4_host_order() == 0xffffffffu; }  // 255.255.255.255
  bool is_link_local() const;         // 169.254/16 or fe80::/10
  bool is_loopback() const;
  // True for an address that can name one host: not multicast, broadcast or unspecified.
  bool is_unicast() const { return !is_unspecified() && !is_multicast() && !is_limited_broadcast(); }
  std::string str() const;

  auto operator<=>(const IpAddr&) const = default;
  bool operator==(const IpAddr& other) const {  // two word compares instead of memcmp
    uint64_t a[2], b[2];
    std::memcpy(a, bytes.data(), 16);
    std::memcpy(b, other.bytes.data(), 16);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
  }

 private:
  // Bytes 8..11 of a v4-mapped address (00 00 ff ff) read as a native-endian word.
  static constexpr uint32_t kV4MappedMarker =
      std::endian::native == std::endian::little ? 0xffff0000u : 0x0000ffffu;
};

inline uint64_t hash_bytes(const uint8_t* p, size_t n, uint64_t seed = 0x9E3779B97F4A7C15ull) {
  // Eight bytes at a time, each word multiplied in and folded; a final avalanche
  // mixer spreads the bits. Table keys are short (6–40 bytes), so this is a few
  // multiplications per key instead of one per byte.
  uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ (w * 0xbf58476d1ce4e5b9ull)) * 0x94d049bb133111ebull;
    h ^= h >> 29;
  }
  if (i < n) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, n - i);
    h = (h ^ (w * 0xbf58476d1ce4e5b9ull)) * 0x94d049bb133111ebull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

// "tcp", "udp", "icmp", "icmpv6", otherwise the protocol number ("132").
std::string transport_name(uint8_t ip_protocol);

}  // namespace ots

template <>
struct std::hash<ots::MacAddr> {
  size_t operator()(const ots::MacAddr& m) const noexcept { return ots::hash_bytes(m.bytes.data(), 6); }
};
template <>
struct std::hash<ots::IpAddr> {
  size_t operator()(const ots::IpAddr& a) const noexcept { return ots::hash_bytes(a.bytes.data(), 16); }
};
