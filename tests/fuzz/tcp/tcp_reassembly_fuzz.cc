// Feeds TcpReassembler segments described by the input and checks its contract.
//
// Input: be16 byte cap, u8 segment cap, be32 initial sequence per direction, then
// 5-byte records: u8 control (bit 0 direction, 1 SYN, 2 FIN, 3 RST, 4 "far": about
// 1 GiB ahead), be16 signed offset from the initial sequence, be16 length (12 bits).
// Every payload byte is a function of its sequence number, so any delivered byte
// can be checked against the position the consumer has reached.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/bytes.h"
#include "dissectors/flow/tcp_reassembler.h"

namespace {

using ots::Direction;

uint8_t byte_at(int dir, uint32_t seq) { return static_cast<uint8_t>((seq * 2654435761u) >> 24) ^ dir; }

void check(bool condition) {
  if (!condition) std::abort();
}

class CheckingConsumer : public ots::StreamConsumer {
 public:
  struct Side {
    bool started = false;
    int ends = 0;
    uint32_t isn = 0;
    int64_t position = 0;  // offset from isn of the next byte the stream owes us
    int64_t sent_end = INT64_MIN;  // highest offset any segment reached
    uint64_t data_bytes = 0;
    uint64_t gaps = 0;
  };

  void on_data(Direction dir, ots::Bytes data, int64_t) override {
    Side& side = sides[static_cast<int>(dir)];
    check(side.started && side.ends == 0 && !data.empty());
    for (uint8_t b : data) {
      check(b == byte_at(static_cast<int>(dir), side.isn + static_cast<uint32_t>(side.position)));
      ++side.position;
    }
    side.data_bytes += data.size();
    check(side.position <= side.sent_end);
  }
  void on_gap(Direction dir, uint64_t length) override {
    Side& side = sides[static_cast<int>(dir)];
    check(side.started && side.ends == 0 && length > 0 && length < (uint64_t{1} << 32));
    side.position += static_cast<int64_t>(length);
    ++side.gaps;
    check(side.position <= side.sent_end);
  }
  void on_end(Direction dir) override { check(++sides[static_cast<int>(dir)].ends == 1); }

  Side sides[2];
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::ByteReader reader(ots::Bytes(data, size));
  ots::TcpReassemblyConfig config;
  config.max_buffered_per_direction = reader.be16();
  config.max_segments_per_direction = reader.u8();
  CheckingConsumer consumer;
  consumer.sides[0].isn = reader.be32();
  consumer.sides[1].isn = reader.be32();
  if (!reader.ok()) return 0;

  ots::TcpReassemblyStats stats;
  ots::TcpReassembler reassembler(config, stats);
  std::vector<uint8_t> payload;
  int64_t ts_ns = 0;
  while (reader.has(5)) {
    const uint8_t control = reader.u8();
    const int dir = control & 1;
    const bool syn = control & 2, fin = control & 4, rst = control & 8, far = control & 16;
    int64_t offset = static_cast<int16_t>(reader.be16());
    if (far) offset += int64_t{1} << 30;
    const size_t length = reader.be16() & 0x0FFF;

    CheckingConsumer::Side& side = consumer.sides[dir];
    const int64_t data_offset = offset + (syn ? 1 : 0);
    // The stream starts where the reassembler documents it does.
    if (!side.started && side.ends == 0 && (syn || fin || length > 0)) {
      side.started = true;
      side.position = data_offset;
    }
    payload.resize(length);
    for (size_t i = 0; i < length; ++i) {
      payload[i] = byte_at(dir, side.isn + static_cast<uint32_t>(data_offset + static_cast<int64_t>(i)));
    }
    side.sent_end = std::max(side.sent_end, data_offset + static_cast<int64_t>(length));

    ots::DecodedPacket packet;
    packet.ts_ns = ++ts_ns;
    packet.tcp_seq = side.isn + static_cast<uint32_t>(offset);
    packet.tcp_flags = static_cast<uint8_t>((syn ? ots::tcp_flag::Syn : 0) | (fin ? ots::tcp_flag::Fin : 0) |
                                            (rst ? ots::tcp_flag::Rst : 0) | ots::tcp_flag::Ack);
    packet.payload = payload;
    reassembler.segment(dir ? Direction::FromServer : Direction::FromClient, packet, consumer);
  }
  reassembler.finish(consumer);

  check(consumer.sides[0].ends == 1 && consumer.sides[1].ends == 1);
  check(stats.bytes_delivered == consumer.sides[0].data_bytes + consumer.sides[1].data_bytes);
  check(stats.gaps == consumer.sides[0].gaps + consumer.sides[1].gaps);
  check(stats.overflow_gaps <= stats.gaps);
  return 0;
}
