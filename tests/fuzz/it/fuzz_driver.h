// Shared driver of the IT dissector fuzz targets: feeds a session as the flow layer does.
// Input layout: byte 0 = number of cut points (mod 8); then that many plan bytes, each giving the
// length of the next chunk (low 7 bits) and its direction (top bit). The rest is the payload; chunks are
// carved from it in order (a TCP segment or a UDP datagram each); a length of 0 means a gap in that
// direction. The remainder goes to the other direction. With no cut points the whole payload is one
// chunk from the client, so a seed file may simply be one valid message.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dissectors/dissector.h"

namespace ots::fuzz {

class NullSink final : public EventSink {
 public:
  void protocol_confirmed(const FlowContext&, std::string_view protocol) override { touch(protocol); }
  void identity(const FlowContext&, std::string_view, Side, IdentityField, std::string_view value,
                std::string_view event) override {
    touch(value);
    touch(event);
  }
  void operation(const FlowContext&, std::string_view, Side, const Operation& op) override {
    touch(op.name);
    touch(op.object);
  }
  void anomaly(const FlowContext&, std::string_view, std::string_view name) override { touch(name); }

 private:
  void touch(std::string_view s) {  // read every byte so ASan checks the view
    for (char c : s) sum_ += static_cast<unsigned char>(c);
  }
  size_t sum_ = 0;
};

// Returns the payload (after the plan) so targets can also call their stateless parsers on it.
inline Bytes drive(DissectorSession& session, Bytes input, const FlowContext& base) {
  if (input.empty()) return {};
  size_t cuts = input[0] % 8;
  if (input.size() < 1 + cuts) return {};
  Bytes plan = input.subspan(1, cuts);
  const Bytes body = input.subspan(1 + cuts);
  Bytes stream = body;
  FlowContext ctx = base;
  Direction dir = cuts == 0 ? Direction::FromServer : Direction::FromClient;
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
  session.data(ctx, dir, stream);
  session.end(ctx, Direction::FromClient);
  session.end(ctx, Direction::FromServer);
  return body;
}

// A flow context with unicast addresses on both sides, so identity paths run.
inline FlowContext unicast_context(uint8_t transport, uint16_t server_port) {
  FlowContext ctx;
  ctx.transport = transport;
  ctx.client_ip = IpAddr::v4(0x0A000005u);
  ctx.server_ip = IpAddr::v4(0x0A000001u);
  ctx.client_port = 40000;
  ctx.server_port = server_port;
  return ctx;
}

}  // namespace ots::fuzz
