#include "dissectors/ssh/ssh_session.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace ots::ssh {
namespace {

constexpr std::string_view kProtocol = "ssh";
constexpr size_t kLengthFieldSize = 4;

size_t index_of(Direction dir) { return static_cast<size_t>(dir); }
Side side_of(Direction dir) { return dir == Direction::FromClient ? Side::Client : Side::Server; }
Direction other(Direction dir) { return dir == Direction::FromClient ? Direction::FromServer : Direction::FromClient; }

uint32_t be32_at(Bytes bytes) {
  ByteReader r(bytes);
  return r.be32();
}

// MD5 hex of `text` (HASSH), NUL-terminated; empty on failure.
std::array<char, 33> md5_hex(std::string_view text) {
  constexpr char kHexDigits[] = "0123456789abcdef";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::array<char, 33> out{};
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_md5(), nullptr) != 1 || length != 16) return out;
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHexDigits[digest[i] >> 4];
    out[2 * i + 1] = kHexDigits[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

void SshSession::data(const FlowContext& ctx, Direction dir, Bytes bytes) {
  Stream& stream = streams_[index_of(dir)];
  if (rejected_ || bytes.empty()) return;
  stream.seen_data = true;
  while (!bytes.empty() && !rejected_) {
    if (stream.phase == Phase::Done) return;
    if (stream.phase == Phase::Banner) {
      bytes = bytes.subspan(take_banner(ctx, dir, stream, bytes));
      continue;
    }
    if (stream.packet.empty()) {
      // Common case: the whole packet is in this segment.
      size_t used = take_packet(ctx, dir, stream, bytes);
      if (used > 0 || stream.phase != Phase::Packet) {
        bytes = bytes.subspan(used);
        continue;
      }
      stream.packet.assign(bytes.begin(), bytes.end());
      return;
    }
    // Complete the copied packet: first its length field, then exactly its bytes.
    size_t have = stream.packet.size();
    size_t need = have < kLengthFieldSize ? kLengthFieldSize - have : 0;
    if (have >= kLengthFieldSize) {
      uint32_t length = be32_at(stream.packet);
      need = plausible_packet_length(length) ? kLengthFieldSize + length - have : 0;
    }
    size_t take = std::min(need, bytes.size());
    stream.packet.insert(stream.packet.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    if (take_packet(ctx, dir, stream, stream.packet) > 0 || stream.phase != Phase::Packet) stream.packet.clear();
  }
}

size_t SshSession::take_banner(const FlowContext& ctx, Direction dir, Stream& stream, Bytes bytes) {
  std::string_view text = as_chars(bytes);
  size_t newline = text.find('\n');
  size_t piece = newline == std::string_view::npos ? text.size() : newline;
  if (stream.discard_line) {
    stream.discard_line = newline == std::string_view::npos;
    return newline == std::string_view::npos ? text.size() : newline + 1;
  }
  if (stream.line_bytes + piece + 1 > kMaxBannerLine) {
    // An overlong banner is fatal; an overlong preamble line is only skipped.
    std::string_view start(stream.line.data(), stream.line_bytes);
    if (stream.line_bytes == 0) start = text.substr(0, 4);
    if (start.substr(0, 4) == "SSH-" || dir == Direction::FromClient) {
      fail(ctx, stream, Anomaly::BannerTooLong);
      return text.size();
    }
    stream.line_bytes = 0;
    stream.discard_line = true;
    if (++stream.preamble_lines > kMaxPreambleLines) fail(ctx, stream, Anomaly::TooManyPreambleLines);
    return 0;
  }
  if (newline == std::string_view::npos) {
    std::memcpy(stream.line.data() + stream.line_bytes, text.data(), piece);
    stream.line_bytes += piece;
    return text.size();
  }
  std::string_view line = text.substr(0, newline);
  if (stream.line_bytes > 0) {
    std::memcpy(stream.line.data() + stream.line_bytes, text.data(), piece);
    line = std::string_view(stream.line.data(), stream.line_bytes + piece);
    stream.line_bytes = 0;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  handle_line(ctx, dir, stream, line);
  return newline + 1;
}

void SshSession::handle_line(const FlowContext& ctx, Direction dir, Stream& stream, std::string_view line) {
  if (line.substr(0, 4) != "SSH-") {
    // RFC 4253 4.2: only a server may send other lines before its identification.
    if (dir == Direction::FromClient) return fail(ctx, stream, Anomaly::BadBanner);
    if (++stream.preamble_lines > kMaxPreambleLines) fail(ctx, stream, Anomaly::TooManyPreambleLines);
    return;
  }
  Banner banner;
  if (!parse_banner(line, banner)) return fail(ctx, stream, Anomaly::BadBanner);
  stream.banner_seen = true;
  Side side = side_of(dir);
  Operation op;
  op.code = 0;
  op.name = "Version Exchange";
  op.is_request = dir == Direction::FromClient;
  op.object = banner.proto_version;
  sink_.operation(ctx, kProtocol, side, op);
  sink_.identity(ctx, kProtocol, side, IdentityField::Software, banner.software, "SSH banner");
  std::string_view os = operating_system_hint(banner);
  if (!os.empty()) sink_.identity(ctx, kProtocol, side, IdentityField::OperatingSystem, os, "SSH banner");
  maybe_confirm(ctx, dir);
  if (!is_protocol_2(banner)) {
    // SSH-1 packets have another format; nothing more to read.
    sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::Protocol1));
    stream.phase = Phase::Done;
    return;
  }
  stream.phase = Phase::Packet;
}

size_t SshSession::take_packet(const FlowContext& ctx, Direction dir, Stream& stream, Bytes window) {
  if (window.size() < kLengthFieldSize) return 0;
  uint32_t length = be32_at(window);
  if (!plausible_packet_length(length)) {
    fail(ctx, stream, Anomaly::BadPacketLength);
    return window.size();
  }
  if (window.size() - kLengthFieldSize < length) return 0;
  handle_packet(ctx, dir, stream, window.subspan(kLengthFieldSize, length));
  return kLengthFieldSize + length;
}

void SshSession::handle_packet(const FlowContext& ctx, Direction dir, Stream& stream, Bytes bytes) {
  Packet packet = parse_packet(bytes);
  if (packet.anomaly != Anomaly::None) return fail(ctx, stream, packet.anomaly);
  KexInit kex;
  Anomaly anomaly = parse_kexinit(packet.payload, kex);
  if (anomaly != Anomaly::None) return fail(ctx, stream, anomaly);
  stream.kexinit_seen = true;
  stream.phase = Phase::Done;  // key exchange follows, then encryption
  hassh_string(kex, dir, hassh_);
  std::array<char, 33> hassh = md5_hex(hassh_);
  Operation op;
  op.code = kMsgKexInit;
  op.name = "KEXINIT";
  op.is_request = dir == Direction::FromClient;
  op.object = hassh.data();
  sink_.operation(ctx, kProtocol, side_of(dir), op);
  maybe_confirm(ctx, dir);
}

void SshSession::maybe_confirm(const FlowContext& ctx, Direction dir) {
  if (confirmed_) return;
  const Stream& stream = streams_[index_of(dir)];
  const Stream& peer = streams_[index_of(other(dir))];
  bool both = stream.banner_seen && peer.banner_seen;
  bool one_sided = stream.banner_seen && stream.kexinit_seen && !peer.seen_data;
  if (!both && !one_sided) return;
  confirmed_ = true;
  sink_.protocol_confirmed(ctx, kProtocol);
}

void SshSession::fail(const FlowContext& ctx, Stream& stream, Anomaly anomaly) {
  sink_.anomaly(ctx, kProtocol, anomaly_name(anomaly));
  bool before_banner = !stream.banner_seen;
  stream.phase = Phase::Done;
  stream.packet.clear();
  // A flow that does not even open with a banner is not SSH.
  if (before_banner && !confirmed_) rejected_ = true;
}

void SshSession::gap(const FlowContext&, Direction dir, uint64_t) {
  Stream& stream = streams_[index_of(dir)];
  stream.phase = Phase::Done;
  stream.packet.clear();
}

void SshSession::end(const FlowContext& ctx, Direction dir) {
  Stream& stream = streams_[index_of(dir)];
  bool partial = (stream.phase == Phase::Banner && stream.line_bytes > 0) ||
                 (stream.phase == Phase::Packet && !stream.packet.empty());
  if (!rejected_ && partial) sink_.anomaly(ctx, kProtocol, anomaly_name(Anomaly::Truncated));
  stream.phase = Phase::Done;
  stream.packet.clear();
}

}  // namespace ots::ssh
