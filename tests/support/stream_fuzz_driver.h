// The common libFuzzer driver for dissector sessions: the input itself chooses how the
// byte stream is cut into chunks, in which direction each chunk goes and where gaps fall,
// so one corpus file exercises framing across calls, coalesced PDUs and resynchronisation.
//
// Input layout: byte 0 = number of cut points (mod 8); then that many bytes, each giving the
// length of the next chunk (low 7 bits; 0 = a gap in that direction) and, in its top bit, its
// direction (set = from the server). The rest is the stream, carved into chunks in order;
// the remainder goes to the direction opposite the last chunk's. For datagram protocols
// (UDP, L2) each chunk is one datagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dissectors/dissector.h"

namespace ots::test_support {

// Touches every byte of every string view an event carries, so ASan sees dangling views.
class TouchingSink final : public EventSink {
 public:
  void protocol_confirmed(const FlowContext&, std::string_view protocol) override { touch(protocol); }
  void identity(const FlowContext&, std::string_view protocol, Side, IdentityField, std::string_view value,
                std::string_view event) override {
    touch(protocol);
    touch(value);
    touch(event);
  }
  void operation(const FlowContext&, std::string_view protocol, Side, const Operation& op) override {
    touch(protocol);
    touch(op.name);
    touch(op.object);
  }
  void anomaly(const FlowContext&, std::string_view protocol, std::string_view name) override {
    touch(protocol);
    touch(name);
  }
  void observable(const FlowContext&, std::string_view protocol, Side, Observable, std::string_view value) override {
    touch(protocol);
    touch(value);
  }
  size_t checksum() const { return checksum_; }

 private:
  void touch(std::string_view text) {
    for (char c : text) checksum_ += static_cast<unsigned char>(c);
  }
  size_t checksum_ = 0;
};

// Feeds `session` as the flow layer would and ends both directions.
inline void drive_session(DissectorSession& session, const uint8_t* data, size_t size, FlowContext ctx = {}) {
  Bytes input(data, size);
  if (input.empty()) return;
  size_t cuts = input[0] % 8;
  if (input.size() < 1 + cuts) return;
  Bytes plan = input.subspan(1, cuts);
  Bytes stream = input.subspan(1 + cuts);
  Direction dir = Direction::FromClient;
  for (uint8_t step : plan) {
    dir = (step & 0x80) ? Direction::FromServer : Direction::FromClient;
    size_t length = step & 0x7F;
    ctx.ts_ns += 1'000'000;
    if (length == 0) {
      session.gap(ctx, dir, 1);
      continue;
    }
    length = length < stream.size() ? length : stream.size();
    session.data(ctx, dir, stream.first(length));
    stream = stream.subspan(length);
  }
  dir = dir == Direction::FromClient ? Direction::FromServer : Direction::FromClient;
  ctx.ts_ns += 1'000'000;
  session.data(ctx, dir, stream);
  session.end(ctx, Direction::FromClient);
  session.end(ctx, Direction::FromServer);
}

}  // namespace ots::test_support
