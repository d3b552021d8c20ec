// Fuzzes the IEC 60870-5-104 session (and through it the wire parser) as the flow layer drives it.
// Input layout: byte 0 = number of cut points (mod 8); then that many bytes, each giving
// the length of the next chunk and, in its top bit, its direction. The rest is the stream;
// chunks are carved from it in order, and a chunk length of 0 means a gap in that direction.
#include <cstddef>
#include <cstdint>

#include "dissectors/iec104/iec104_parser.h"
#include "dissectors/iec104/iec104_session.h"

namespace {

class NullSink final : public ots::EventSink {
 public:
  void protocol_confirmed(const ots::FlowContext&, std::string_view) override {}
  void identity(const ots::FlowContext&, std::string_view, ots::Side, ots::IdentityField, std::string_view value,
                std::string_view event) override {
    for (char c : value) sink_ += static_cast<unsigned char>(c);
    for (char c : event) sink_ += static_cast<unsigned char>(c);  // touch the view so ASan checks it
  }
  void operation(const ots::FlowContext&, std::string_view, ots::Side, const ots::Operation& op) override {
    sink_ += op.name.size() + op.object.size() + op.code + op.address + op.quantity;
  }
  void anomaly(const ots::FlowContext&, std::string_view, std::string_view name) override {
    sink_ += name.size();
  }

 private:
  size_t sink_ = 0;
};

// Walks and decodes every object of the APDUs at the front of `stream`, as far as they frame.
void walk_objects(ots::Bytes stream) {
  while (!stream.empty()) {
    ots::iec104::FrameResult frame = ots::iec104::frame_apdu(stream);
    if (frame.status != ots::iec104::FrameStatus::Ok || frame.apdu_size > stream.size()) return;
    ots::iec104::Apdu apdu = ots::iec104::parse_apdu(stream.first(frame.apdu_size));
    bool walkable =
        apdu.format == ots::iec104::FrameFormat::I && apdu.asdu.type != nullptr &&
        (apdu.anomaly == ots::iec104::Anomaly::None || apdu.anomaly == ots::iec104::Anomaly::InvalidCause);
    if (walkable) {
      ots::iec104::ObjectWalker walker(apdu.asdu);
      ots::iec104::InformationObject object;
      while (walker.next(object)) ots::iec104::decode_element(*apdu.asdu.type, object.element);
    }
    stream = stream.subspan(frame.apdu_size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::Bytes input(data, size);
  if (input.empty()) return 0;
  size_t cuts = input[0] % 8;
  if (input.size() < 1 + cuts) return 0;
  ots::Bytes plan = input.subspan(1, cuts);
  const ots::Bytes body = input.subspan(1 + cuts);
  ots::Bytes stream = body;

  NullSink sink;
  ots::iec104::Iec104Session session(sink);
  ots::FlowContext ctx;
  ots::Direction dir = ots::Direction::FromClient;
  for (uint8_t step : plan) {
    dir = (step & 0x80) ? ots::Direction::FromServer : ots::Direction::FromClient;
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
  // The remainder goes to the other direction, so answers follow requests.
  dir = dir == ots::Direction::FromClient ? ots::Direction::FromServer : ots::Direction::FromClient;
  session.data(ctx, dir, stream);
  session.end(ctx, ots::Direction::FromClient);
  session.end(ctx, ots::Direction::FromServer);

  // The stateless parsers on the raw stream too.
  ots::iec104::probe_apdu(body);
  walk_objects(body);
  return 0;
}
