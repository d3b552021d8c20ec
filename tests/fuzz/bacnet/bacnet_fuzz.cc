// One BACnet/IP session fed datagrams from both directions. The input is a sequence of
// datagrams, each a 2-byte header followed by its bytes: header byte 0 bit 0 = direction,
// bits 1–3 = length bits 8–10, bits 4–7 = seconds the packet clock advances (request expiry);
// header byte 1 = length bits 0–7 (length = value + 1, cut at the end of the input).
// Every datagram also goes through the probe.
#include <cstddef>
#include <cstdint>

#include "dissectors/bacnet/bacnet_session.h"

namespace {

class NullSink : public ots::EventSink {
 public:
  void protocol_confirmed(const ots::FlowContext&, std::string_view) override {}
  void identity(const ots::FlowContext&, std::string_view, ots::Side, ots::IdentityField, std::string_view value,
                std::string_view event) override {
    checksum += value.size();
    for (char c : event) checksum += static_cast<unsigned char>(c);  // touch the view so ASan checks it
  }
  void operation(const ots::FlowContext&, std::string_view, ots::Side, const ots::Operation& op) override {
    checksum += op.name.size() + op.object.size() + op.code;
  }
  void anomaly(const ots::FlowContext&, std::string_view, std::string_view name) override {
    checksum += name.size();
  }
  size_t checksum = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  NullSink sink;
  ots::bacnet::Session session(sink);
  ots::FlowContext ctx;
  size_t pos = 0;
  while (pos + 2 <= size && !session.rejected()) {
    uint8_t control = data[pos];
    size_t length = (size_t{static_cast<uint8_t>(control >> 1 & 0x07)} << 8 | data[pos + 1]) + 1;
    pos += 2;
    if (length > size - pos) length = size - pos;
    auto dir = (control & 1) ? ots::Direction::FromServer : ots::Direction::FromClient;
    ctx.ts_ns += int64_t{control >> 4} * 1'000'000'000;
    ots::Bytes datagram(data + pos, length);
    ots::bacnet::probe(dir, datagram);
    session.data(ctx, dir, datagram);
    pos += length;
  }
  return 0;
}
