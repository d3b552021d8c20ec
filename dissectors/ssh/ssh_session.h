// Per-flow SSH session: reads each direction's identification line (the banner) and its
// first binary packet (SSH_MSG_KEXINIT), then stops: what follows is key exchange and
// encrypted traffic, ignored at no cost.
//
// Framing: the banner line is parsed straight from the segment, or copied when split (at most
// kMaxBannerLine bytes); a server may precede it with up to kMaxPreambleLines other lines.
// The KEXINIT packet is parsed from the segment or from a per-direction copy (at most
// kMaxPacketLength bytes). A gap ends parsing of that direction (nothing to resynchronise on).
//
// Events (protocol "ssh"):
//   operation()  "Version Exchange" (code 0, object = protocol version) for each banner;
//                "KEXINIT" (code 20, object = HASSH / HASSHServer MD5 hex) for each KEXINIT.
//   identity()   Software = "<softwareversion>[ <comments>]" of each side
//                ("OpenSSH_8.9p1 Ubuntu-3"); OperatingSystem when the banner reveals it.
//   anomaly()    kAnomalyNames in ssh_parser.h.
//   protocol_confirmed() once: when both banners parsed, or when only one direction is seen,
//                after its banner and its KEXINIT.
// A direction whose first line is not a banner (or a server whose preamble never ends) makes
// the session rejected() unless it was confirmed already.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/ssh/ssh_parser.h"

namespace ots::ssh {

class SshSession final : public DissectorSession {
 public:
  explicit SshSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

  // Whether a direction has finished (after KEXINIT, a gap or a malformation).
  bool done(Direction dir) const { return streams_[static_cast<size_t>(dir)].phase == Phase::Done; }

 private:
  enum class Phase : uint8_t { Banner, Packet, Done };
  struct Stream {
    Phase phase = Phase::Banner;
    std::array<char, kMaxBannerLine> line{};
    size_t line_bytes = 0;
    bool discard_line = false;  // skipping the rest of an overlong preamble line
    size_t preamble_lines = 0;
    std::vector<uint8_t> packet;  // a partial first packet
    bool banner_seen = false;
    bool kexinit_seen = false;
    bool seen_data = false;
  };

  // Returns the bytes consumed.
  size_t take_banner(const FlowContext& ctx, Direction dir, Stream& stream, Bytes bytes);
  void handle_line(const FlowContext& ctx, Direction dir, Stream& stream, std::string_view line);
  // Returns the bytes consumed; `window` starts at the packet length field.
  size_t take_packet(const FlowContext& ctx, Direction dir, Stream& stream, Bytes window);
  void handle_packet(const FlowContext& ctx, Direction dir, Stream& stream, Bytes packet);
  void fail(const FlowContext& ctx, Stream& stream, Anomaly anomaly);
  void maybe_confirm(const FlowContext& ctx, Direction dir);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  std::string hassh_;  // reused working storage
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::ssh
