// One S7comm session fed from both directions. The input is a sequence of chunks:
// a control byte (bit 0 = direction, bits 1–7 = chunk length - 1; 0xFF = a gap in
// direction 0) followed by that many stream bytes. Splits thus land anywhere.
#include <cstddef>
#include <cstdint>

#include "dissectors/s7comm/s7comm_session.h"

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
    checksum += op.name.size() + op.object.size();
  }
  void anomaly(const ots::FlowContext&, std::string_view, std::string_view name) override {
    checksum += name.size();
  }
  size_t checksum = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  NullSink sink;
  ots::s7comm::Session session(sink);
  ots::FlowContext ctx;
  size_t pos = 0;
  while (pos < size && !session.rejected()) {
    uint8_t control = data[pos++];
    auto dir = (control & 1) ? ots::Direction::FromServer : ots::Direction::FromClient;
    if (control == 0xFF) {
      session.gap(ctx, ots::Direction::FromClient, 100);
      continue;
    }
    size_t length = std::min<size_t>((control >> 1) + 1u, size - pos);
    session.data(ctx, dir, ots::Bytes(data + pos, length));
    pos += length;
  }
  session.end(ctx, ots::Direction::FromClient);
  session.end(ctx, ots::Direction::FromServer);
  ots::s7comm::probe(ots::Direction::FromClient, ots::Bytes(data, size));
  return 0;
}
