// Shared driver of the L2 fuzz targets: feeds one shared session a sequence of frames
// carved from the input, as the worker feeds every frame of an EtherType to one session.
// Input layout: byte 0 = number of cut points (mod 8); then that many bytes, each giving
// the length of the next frame (low 7 bits) and, in its top bit, which of two senders sent
// it (per-sender state is exercised); the rest of the body is the last frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dissectors/dissector.h"

namespace ots::l2_fuzz {

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
  void touch(std::string_view text) {  // reads every byte so ASan checks the views
    for (char c : text) sum_ += static_cast<unsigned char>(c);
  }
  size_t sum_ = 0;
};

// Returns the body (input after the cut plan) so the caller can run its stateless parsers on it.
template <typename Session>
Bytes run(const uint8_t* data, size_t size) {
  Bytes input(data, size);
  if (input.empty()) return {};
  size_t cuts = input[0] % 8;
  if (input.size() < 1 + cuts) return {};
  Bytes plan = input.subspan(1, cuts);
  const Bytes body = input.subspan(1 + cuts);
  Bytes rest = body;

  NullSink sink;
  Session session(sink);
  FlowContext senders[2];
  senders[0].client_mac = MacAddr{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}};
  senders[0].server_mac = MacAddr{{0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E}};
  senders[1].client_mac = MacAddr{{0x00, 0x11, 0x22, 0x33, 0x44, 0x66}};
  senders[1].server_mac = MacAddr{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}};
  for (uint8_t step : plan) {
    size_t length = step & 0x7F;
    length = length < rest.size() ? length : rest.size();
    session.data(senders[step >> 7], Direction::FromClient, rest.first(length));
    rest = rest.subspan(length);
  }
  session.data(senders[0], Direction::FromClient, rest);
  // The whole body once more, as a frame of its own.
  session.data(senders[1], Direction::FromClient, body);
  return body;
}

}  // namespace ots::l2_fuzz
