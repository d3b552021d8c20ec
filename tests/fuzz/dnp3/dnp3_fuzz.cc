// Fuzzes the DNP3 session (and through it the link, transport and application parsers) as the
// flow layer drives it.
// Input layout: byte 0 = transport (bit 7: UDP datagrams, else a TCP stream), CRC repair (bit 6:
// rewrite every CRC of the frames found in the payload, so that mutations reach the transport
// and application layers) and the number of cut points (low 3 bits); then that many bytes,
// each giving the length of the next chunk and, in its top bit, its direction. The rest is the
// payload; chunks are carved from it in order, and a chunk length of 0 means a gap in that
// direction (TCP) or an empty datagram (UDP).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dissectors/dnp3/dnp3_parser.h"
#include "dissectors/dnp3/dnp3_session.h"

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
    for (char c : op.name) sink_ += static_cast<unsigned char>(c);
    for (char c : op.object) sink_ += static_cast<unsigned char>(c);
  }
  void anomaly(const ots::FlowContext&, std::string_view, std::string_view name) override {
    sink_ += name.size();
  }

 private:
  size_t sink_ = 0;
};

void store_crc(uint8_t* at, ots::Bytes data) {
  uint16_t crc = ots::dnp3::crc16(data);
  at[0] = static_cast<uint8_t>(crc);
  at[1] = static_cast<uint8_t>(crc >> 8);
}

// Rewrites the header and block CRCs of every frame that starts with 0x05 0x64 and a sane LEN.
void repair_crcs(std::vector<uint8_t>& bytes) {
  using namespace ots::dnp3;
  size_t pos = 0;
  while (pos + kLinkHeaderSize <= bytes.size()) {
    uint8_t* frame = bytes.data() + pos;
    if (frame[0] != kStart1 || frame[1] != kStart2 || frame[2] < kMinLinkLength) {
      ++pos;
      continue;
    }
    store_crc(frame + 8, ots::Bytes(frame, 8));
    size_t data_left = frame[2] - kMinLinkLength;
    size_t at = pos + kLinkHeaderSize;
    while (data_left > 0 && at < bytes.size()) {
      size_t block = std::min({data_left, kBlockSize, bytes.size() - at});
      if (at + block + 2 > bytes.size()) break;
      store_crc(bytes.data() + at + block, ots::Bytes(bytes.data() + at, block));
      at += block + 2;
      data_left -= block;
    }
    pos = at;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::Bytes input(data, size);
  if (input.empty()) return 0;
  bool udp = (input[0] & 0x80) != 0;
  bool repair = (input[0] & 0x40) != 0;
  size_t cuts = input[0] & 0x07;
  if (input.size() < 1 + cuts) return 0;
  ots::Bytes plan = input.subspan(1, cuts);
  std::vector<uint8_t> repaired;
  ots::Bytes body = input.subspan(1 + cuts);
  if (repair) {
    repaired.assign(body.begin(), body.end());
    repair_crcs(repaired);
    body = repaired;
  }
  ots::Bytes stream = body;

  NullSink sink;
  ots::dnp3::Dnp3Session session(sink);
  ots::FlowContext ctx;
  ctx.transport = udp ? 17 : 6;
  ots::Direction dir = ots::Direction::FromClient;
  for (uint8_t step : plan) {
    dir = (step & 0x80) ? ots::Direction::FromServer : ots::Direction::FromClient;
    size_t length = step & 0x7F;
    ctx.ts_ns += 1'000'000;
    if (length == 0) {
      if (!udp) session.gap(ctx, dir, 1);
      continue;
    }
    length = length < stream.size() ? length : stream.size();
    session.data(ctx, dir, stream.first(length));
    stream = stream.subspan(length);
  }
  // The remainder goes to the other direction, so responses follow requests.
  dir = dir == ots::Direction::FromClient ? ots::Direction::FromServer : ots::Direction::FromClient;
  session.data(ctx, dir, stream);
  session.end(ctx, ots::Direction::FromClient);
  session.end(ctx, ots::Direction::FromServer);

  // The stateless parsers on the raw payload too.
  ots::dnp3::Fragment fragment = ots::dnp3::parse_fragment(body);
  ots::dnp3::DeviceAttributeReader attributes(fragment.objects, fragment.function);
  ots::dnp3::DeviceAttribute attribute;
  while (attributes.next(attribute)) {
  }
  ots::dnp3::probe_link_header(body);
  return 0;
}
