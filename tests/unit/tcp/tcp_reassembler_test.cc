#include "dissectors/flow/tcp_reassembler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace ots {
namespace {

constexpr Direction kClient = Direction::FromClient;
constexpr Direction kServer = Direction::FromServer;
constexpr uint8_t kAck = tcp_flag::Ack;
constexpr uint8_t kSyn = tcp_flag::Syn;
constexpr uint8_t kFin = tcp_flag::Fin | tcp_flag::Ack;
constexpr uint8_t kRst = tcp_flag::Rst;

Bytes bytes_of(std::string_view text) { return {reinterpret_cast<const uint8_t*>(text.data()), text.size()}; }

// Records the three calls per direction; the stream renders gaps as "[gap N]".
class Recorder : public StreamConsumer {
 public:
  struct Delivery {
    const uint8_t* data;
    size_t size;
    int64_t ts_ns;
  };

  void on_data(Direction dir, Bytes data, int64_t ts_ns) override {
    EXPECT_FALSE(data.empty());
    EXPECT_EQ(ends[index(dir)], 0) << "data after end";
    text[index(dir)].append(reinterpret_cast<const char*>(data.data()), data.size());
    deliveries[index(dir)].push_back({data.data(), data.size(), ts_ns});
  }
  void on_gap(Direction dir, uint64_t length) override {
    EXPECT_GT(length, 0u);
    EXPECT_EQ(ends[index(dir)], 0) << "gap after end";
    text[index(dir)] += "[gap " + std::to_string(length) + "]";
  }
  void on_end(Direction dir) override { ++ends[index(dir)]; }

  static size_t index(Direction dir) { return static_cast<size_t>(dir); }
  const std::string& stream(Direction dir) const { return text[index(dir)]; }
  int end_count(Direction dir) const { return ends[index(dir)]; }

  std::string text[2];
  std::vector<Delivery> deliveries[2];
  int ends[2] = {0, 0};
};

struct Flow {
  explicit Flow(TcpReassemblyConfig c = {}) : reassembler(c, counts) {}

  void send(Direction dir, uint32_t seq, std::string_view payload, uint8_t flags = kAck, int64_t ts_ns = 0) {
    DecodedPacket packet;
    packet.ts_ns = ts_ns;
    packet.tcp_seq = seq;
    packet.tcp_flags = flags;
    packet.payload = bytes_of(payload);
    reassembler.segment(dir, packet, recorder);
  }
  const TcpReassemblyStats& stats() const { return counts; }

  TcpReassemblyStats counts;  // before the reassembler, which counts into it
  TcpReassembler reassembler;
  Recorder recorder;
};

TEST(TcpReassembler, StaysSmallWithoutBufferedData) { EXPECT_LE(sizeof(TcpReassembler), 96u); }

TEST(TcpReassembler, InOrderDataIsPassedThroughWithoutCopy) {
  Flow flow;
  const std::string first = "hello ", second = "world";
  flow.send(kClient, 100, first, kAck, 1);
  flow.send(kClient, 106, second, kAck, 2);
  EXPECT_EQ(flow.recorder.stream(kClient), "hello world");
  ASSERT_EQ(flow.recorder.deliveries[0].size(), 2u);
  EXPECT_EQ(flow.recorder.deliveries[0][0].data, reinterpret_cast<const uint8_t*>(first.data()));
  EXPECT_EQ(flow.recorder.deliveries[0][1].data, reinterpret_cast<const uint8_t*>(second.data()));
  EXPECT_EQ(flow.recorder.deliveries[0][1].ts_ns, 2);
  EXPECT_EQ(flow.stats().bytes_delivered, 11u);
  EXPECT_EQ(flow.stats().gaps, 0u);
  EXPECT_EQ(flow.recorder.stream(kServer), "");
}

TEST(TcpReassembler, SynFixesInitialSequenceAndDataFollowsIt) {
  Flow flow;
  flow.send(kClient, 1000, "", kSyn);
  flow.send(kServer, 5000, "", kSyn | kAck);
  flow.send(kClient, 1000, "", kSyn);  // retransmitted SYN changes nothing
  flow.send(kClient, 1001, "req");
  flow.send(kServer, 5001, "resp");
  EXPECT_EQ(flow.recorder.stream(kClient), "req");
  EXPECT_EQ(flow.recorder.stream(kServer), "resp");
  EXPECT_EQ(flow.stats().gaps, 0u);
}

TEST(TcpReassembler, SynMayCarryData) {
  Flow flow;
  flow.send(kClient, 7, "fast", kSyn);
  flow.send(kClient, 12, "open");
  EXPECT_EQ(flow.recorder.stream(kClient), "fastopen");
}

TEST(TcpReassembler, SegmentAfterSynButOneEarlyIsTrimmedToTheStream) {
  Flow flow;
  flow.send(kClient, 1000, "", kSyn);
  flow.send(kClient, 1003, "cd");  // out of order: ab missing
  flow.send(kClient, 1000, "Xab");  // the byte at the SYN's sequence is not data
  EXPECT_EQ(flow.recorder.stream(kClient), "abcd");
}

TEST(TcpReassembler, MidStreamCaptureStartsAtFirstDataWithoutGap) {
  Flow flow;
  flow.send(kServer, 77, "");  // a pure ACK does not start the stream
  flow.send(kServer, 5000, "hello");
  flow.send(kServer, 4990, "0123456789");  // the unknown past, dropped
  flow.send(kServer, 4995, "56789hel");    // past + overlap, dropped
  flow.send(kServer, 5005, "world");
  EXPECT_EQ(flow.recorder.stream(kServer), "helloworld");
  EXPECT_EQ(flow.stats().gaps, 0u);
  flow.reassembler.finish(flow.recorder);
  EXPECT_EQ(flow.recorder.stream(kServer), "helloworld");
  EXPECT_EQ(flow.recorder.end_count(kServer), 1);
}

TEST(TcpReassembler, OutOfOrderSegmentsAreDeliveredWhenContiguous) {
  Flow flow;
  flow.send(kClient, 0, "", kSyn);
  flow.send(kClient, 7, "ghi", kAck, 30);
  flow.send(kClient, 4, "def", kAck, 20);
  EXPECT_EQ(flow.recorder.stream(kClient), "");
  flow.send(kClient, 1, "abc", kAck, 10);
  EXPECT_EQ(flow.recorder.stream(kClient), "abcdefghi");
  // Buffered data carries the time of the packet that made it deliverable.
  for (const auto& delivery : flow.recorder.deliveries[0]) EXPECT_EQ(delivery.ts_ns, 10);
  flow.send(kClient, 10, "jk");
  EXPECT_EQ(flow.recorder.stream(kClient), "abcdefghijk");
  EXPECT_EQ(flow.stats().bytes_delivered, 11u);
  EXPECT_EQ(flow.stats().retransmitted_bytes, 0u);
}

TEST(TcpReassembler, RetransmissionIsDeliveredOnce) {
  Flow flow;
  flow.send(kClient, 10, "abcd");
  flow.send(kClient, 10, "abcd");
  flow.send(kClient, 14, "ef");
  flow.send(kClient, 14, "ef");
  EXPECT_EQ(flow.recorder.stream(kClient), "abcdef");
  EXPECT_EQ(flow.stats().retransmitted_bytes, 6u);
}

TEST(TcpReassembler, PartialOverlapWithDeliveredDataIsTrimmed) {
  Flow flow;
  flow.send(kClient, 0, "abcdef");
  flow.send(kClient, 3, "DEFghi");  // first three bytes already delivered: first wins
  flow.send(kClient, 1, "bcd");     // completely covered
  EXPECT_EQ(flow.recorder.stream(kClient), "abcdefghi");
  EXPECT_EQ(flow.stats().retransmitted_bytes, 6u);
}

TEST(TcpReassembler, BufferedDataWinsOverLaterInOrderData) {
  Flow flow;
  flow.send(kClient, 0, "01");
  flow.send(kClient, 5, "XYZ");  // buffered first
  flow.send(kClient, 2, "23456789");
  EXPECT_EQ(flow.recorder.stream(kClient), "01234XYZ89");
  EXPECT_EQ(flow.stats().retransmitted_bytes, 3u);
}

TEST(TcpReassembler, OverlappingOutOfOrderSegmentsKeepTheFirstBytes) {
  Flow flow;
  flow.send(kClient, 0, "a");
  flow.send(kClient, 4, "efgh");
  flow.send(kClient, 2, "CDEFGHIJ");  // only CD and IJ are new
  flow.send(kClient, 3, "D");         // already buffered
  EXPECT_EQ(flow.recorder.stream(kClient), "a");
  flow.send(kClient, 1, "b");
  EXPECT_EQ(flow.recorder.stream(kClient), "abCDefghIJ");
  EXPECT_EQ(flow.stats().retransmitted_bytes, 5u);
}

TEST(TcpReassembler, SequenceNumbersWrapAround) {
  Flow flow;
  flow.send(kClient, 0xFFFFFFF0u, "", kSyn);
  // Offsets 0..15 end exactly at 2^32; the next segment starts at sequence 1 after the wrap.
  flow.send(kClient, 0x00000001u, "after");  // out of order, across the wrap
  flow.send(kClient, 0xFFFFFFF1u, "0123456789abcdef");
  EXPECT_EQ(flow.recorder.stream(kClient), "0123456789abcdefafter");
  flow.send(kClient, 0xFFFFFFFEu, "efaf");  // retransmission straddling the wrap
  flow.send(kClient, 0x00000006u, "!", kFin);
  EXPECT_EQ(flow.recorder.stream(kClient), "0123456789abcdefafter!");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
  EXPECT_EQ(flow.stats().retransmitted_bytes, 4u);
}

class CountingConsumer : public StreamConsumer {
 public:
  void on_data(Direction, Bytes data, int64_t) override { data_bytes += data.size(); }
  void on_gap(Direction, uint64_t) override { ++gaps; }
  void on_end(Direction) override { ++ends; }
  uint64_t data_bytes = 0;
  int gaps = 0, ends = 0;
};

TEST(TcpReassembler, LongStreamsKeepCountingPastFourGigabytesOfSequenceSpace) {
  TcpReassemblyStats stats;
  TcpReassembler reassembler(TcpReassemblyConfig{}, stats);
  CountingConsumer consumer;
  const std::string chunk(60000, 'x');
  DecodedPacket packet;
  packet.tcp_seq = 123;
  packet.tcp_flags = kSyn;
  reassembler.segment(kClient, packet, consumer);
  packet.tcp_flags = kAck;
  packet.payload = bytes_of(chunk);
  ++packet.tcp_seq;
  // 80'000 segments of 60'000 bytes: the sequence space wraps more than once.
  uint64_t sent = 0;
  for (int i = 0; i < 80'000; ++i) {
    // Every tenth segment comes after its successor, across wraps too.
    if (i % 10 == 0 && i + 1 < 80'000) {
      const uint32_t seq = packet.tcp_seq;
      packet.tcp_seq += static_cast<uint32_t>(chunk.size());
      reassembler.segment(kClient, packet, consumer);
      packet.tcp_seq = seq;
    }
    reassembler.segment(kClient, packet, consumer);
    packet.tcp_seq += static_cast<uint32_t>(chunk.size());
    sent += chunk.size();
  }
  packet.payload = {};
  packet.tcp_flags = kFin;
  reassembler.segment(kClient, packet, consumer);
  EXPECT_EQ(consumer.data_bytes, sent);
  EXPECT_EQ(stats.bytes_delivered, sent);
  EXPECT_EQ(stats.retransmitted_bytes, 8'000u * chunk.size());
  EXPECT_EQ(consumer.gaps, 0);
  EXPECT_EQ(consumer.ends, 1);
}

TEST(TcpReassembler, FinEndsDirectionAfterItsData) {
  Flow flow;
  flow.send(kClient, 0, "", kSyn);
  flow.send(kClient, 1, "abc", kFin);
  EXPECT_EQ(flow.recorder.stream(kClient), "abc");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
  flow.send(kClient, 4, "", kFin);  // retransmitted FIN
  flow.send(kClient, 4, "late");    // data after the end is ignored
  flow.reassembler.finish(flow.recorder);
  EXPECT_EQ(flow.recorder.stream(kClient), "abc");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
  EXPECT_EQ(flow.recorder.end_count(kServer), 1);
}

TEST(TcpReassembler, SeparateFinAfterData) {
  Flow flow;
  flow.send(kServer, 50, "xyz");
  EXPECT_EQ(flow.recorder.end_count(kServer), 0);
  flow.send(kServer, 53, "", kFin);
  EXPECT_EQ(flow.recorder.end_count(kServer), 1);
  EXPECT_EQ(flow.recorder.end_count(kClient), 0);
}

TEST(TcpReassembler, FinBeforeMissingDataWaitsForTheHole) {
  Flow flow;
  flow.send(kClient, 0, "abc");
  flow.send(kClient, 6, "ghi", kFin);
  EXPECT_EQ(flow.recorder.end_count(kClient), 0);
  flow.send(kClient, 9, "beyond the FIN");  // not part of the stream
  flow.send(kClient, 3, "def");
  EXPECT_EQ(flow.recorder.stream(kClient), "abcdefghi");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
}

TEST(TcpReassembler, FinDropsBufferedDataBeyondIt) {
  Flow flow;
  flow.send(kClient, 0, "ab");
  flow.send(kClient, 5, "fghij");
  flow.send(kClient, 2, "cd", kFin);  // FIN at offset 4 (inconsistent sender): the stream ends there
  EXPECT_EQ(flow.recorder.stream(kClient), "abcd");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
}

TEST(TcpReassembler, FinishReportsTheHoleBeforeAFin) {
  Flow flow;
  flow.send(kClient, 0, "abc");
  flow.send(kClient, 6, "ghi", kFin);
  flow.reassembler.finish(flow.recorder);
  EXPECT_EQ(flow.recorder.stream(kClient), "abc[gap 3]ghi");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);

  Flow bare_fin;
  bare_fin.send(kClient, 0, "abc");
  bare_fin.send(kClient, 9, "", kFin);
  bare_fin.reassembler.finish(bare_fin.recorder);
  EXPECT_EQ(bare_fin.recorder.stream(kClient), "abc[gap 6]");
  EXPECT_EQ(bare_fin.stats().gap_bytes, 6u);
}

TEST(TcpReassembler, RstFlushesAndEndsBothDirections) {
  Flow flow;
  flow.send(kClient, 0, "abc");
  flow.send(kClient, 6, "ghi");
  flow.send(kServer, 100, "xyz");
  flow.send(kServer, 103, "", kRst);
  EXPECT_EQ(flow.recorder.stream(kClient), "abc[gap 3]ghi");
  EXPECT_EQ(flow.recorder.stream(kServer), "xyz");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
  EXPECT_EQ(flow.recorder.end_count(kServer), 1);
  flow.send(kClient, 9, "more");
  flow.reassembler.finish(flow.recorder);
  EXPECT_EQ(flow.recorder.stream(kClient), "abc[gap 3]ghi");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
  EXPECT_EQ(flow.recorder.end_count(kServer), 1);
  EXPECT_EQ(flow.stats().overflow_gaps, 0u);
}

TEST(TcpReassembler, RstOnUnstartedFlowEndsBothDirections) {
  Flow flow;
  flow.send(kServer, 0, "", kRst | kAck);
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
  EXPECT_EQ(flow.recorder.end_count(kServer), 1);
  EXPECT_EQ(flow.recorder.stream(kClient), "");
}

TEST(TcpReassembler, ByteCapOverflowDeclaresTheFirstHoleAGap) {
  TcpReassemblyConfig config;
  config.max_buffered_per_direction = 10;
  Flow flow(config);
  flow.send(kClient, 0, "ab");
  flow.send(kClient, 5, "fghij");   // 5 buffered
  flow.send(kClient, 12, "mnopqr");  // 11 would exceed 10: skip the hole 2..5
  EXPECT_EQ(flow.recorder.stream(kClient), "ab[gap 3]fghij");
  EXPECT_EQ(flow.stats().overflow_gaps, 1u);
  flow.send(kClient, 10, "kl");
  EXPECT_EQ(flow.recorder.stream(kClient), "ab[gap 3]fghijklmnopqr");
  EXPECT_EQ(flow.stats().gaps, 1u);
  EXPECT_EQ(flow.stats().gap_bytes, 3u);
}

TEST(TcpReassembler, OverflowCanSkipSeveralHoles) {
  TcpReassemblyConfig config;
  config.max_buffered_per_direction = 6;
  Flow flow(config);
  flow.send(kClient, 0, "a");
  flow.send(kClient, 2, "cd");
  flow.send(kClient, 5, "fg");
  flow.send(kClient, 10, "klmnop");  // needs the whole buffer: both holes in front are given up
  EXPECT_EQ(flow.recorder.stream(kClient), "a[gap 1]cd[gap 1]fg");
  EXPECT_EQ(flow.stats().overflow_gaps, 2u);
  flow.reassembler.finish(flow.recorder);
  EXPECT_EQ(flow.recorder.stream(kClient), "a[gap 1]cd[gap 1]fg[gap 3]klmnop");
  EXPECT_EQ(flow.stats().overflow_gaps, 2u);
  EXPECT_EQ(flow.stats().gaps, 3u);
}

TEST(TcpReassembler, SegmentCapOverflow) {
  TcpReassemblyConfig config;
  config.max_segments_per_direction = 2;
  Flow flow(config);
  flow.send(kClient, 0, "a");
  flow.send(kClient, 4, "e");
  flow.send(kClient, 6, "g");
  flow.send(kClient, 5, "f");  // fills between buffered segments but adds a third one
  EXPECT_EQ(flow.recorder.stream(kClient), "a[gap 3]efg");
  EXPECT_EQ(flow.stats().overflow_gaps, 1u);
}

TEST(TcpReassembler, SegmentLargerThanTheCapIsDeliveredAfterAGapWithoutCopy) {
  TcpReassemblyConfig config;
  config.max_buffered_per_direction = 4;
  Flow flow(config);
  flow.send(kClient, 0, "ab");
  const std::string big = "0123456789";
  flow.send(kClient, 20, big);
  EXPECT_EQ(flow.recorder.stream(kClient), "ab[gap 18]0123456789");
  EXPECT_EQ(flow.recorder.deliveries[0].back().data, reinterpret_cast<const uint8_t*>(big.data()));
}

TEST(TcpReassembler, FinishDeliversBufferedDataWithGaps) {
  Flow flow;
  flow.send(kClient, 0, "ab");
  flow.send(kClient, 4, "ef");
  flow.send(kClient, 10, "kl");
  flow.send(kClient, 8, "ij", kAck, 40);
  flow.reassembler.finish(flow.recorder);
  EXPECT_EQ(flow.recorder.stream(kClient), "ab[gap 2]ef[gap 2]ijkl");
  // Flushed data carries the time of the last packet the flow saw.
  EXPECT_EQ(flow.recorder.deliveries[0].back().ts_ns, 40);
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
  EXPECT_EQ(flow.recorder.end_count(kServer), 1);  // never started, still ended once
  EXPECT_EQ(flow.stats().gaps, 2u);
  EXPECT_EQ(flow.stats().gap_bytes, 4u);
  EXPECT_EQ(flow.stats().overflow_gaps, 0u);
  flow.reassembler.finish(flow.recorder);
  flow.send(kServer, 0, "late");
  EXPECT_EQ(flow.recorder.end_count(kClient), 1);
  EXPECT_EQ(flow.recorder.end_count(kServer), 1);
  EXPECT_EQ(flow.recorder.stream(kServer), "");
}

TEST(TcpReassembler, SegmentFarAheadIsIgnored) {
  Flow flow;
  flow.send(kClient, 1000, "ab");
  flow.send(kClient, 1002 + (1u << 30) + 1, "far", kFin);  // beyond any window: not this stream
  flow.send(kClient, 1002u - (1u << 31), "old");          // far behind: already delivered
  flow.send(kClient, 1002, "cd");
  flow.reassembler.finish(flow.recorder);
  EXPECT_EQ(flow.recorder.stream(kClient), "abcd");
  EXPECT_EQ(flow.stats().gaps, 0u);
}

TEST(TcpReassembler, SegmentJustInsideTheWindowIsBuffered) {
  Flow flow;
  flow.send(kClient, 0, "a");
  flow.send(kClient, 1 + (1u << 30), "z");
  flow.reassembler.finish(flow.recorder);
  EXPECT_EQ(flow.recorder.stream(kClient), "a[gap 1073741824]z");
}

// Delivered stream with gaps, checked byte by byte against the original.
void expect_consistent(const std::string& original, const Recorder& recorder, Direction dir, bool expect_gaps) {
  const std::string& stream = recorder.stream(dir);
  size_t position = 0, i = 0;
  while (i < stream.size()) {
    if (stream.compare(i, 5, "[gap ") == 0 && expect_gaps) {
      const size_t close = stream.find(']', i);
      position += std::stoull(stream.substr(i + 5, close - i - 5));
      i = close + 1;
      continue;
    }
    ASSERT_LT(position, original.size());
    ASSERT_EQ(stream[i], original[position]) << "at stream offset " << position;
    ++position;
    ++i;
  }
  EXPECT_EQ(position, original.size());
}

struct Segment {
  uint32_t offset;
  uint32_t length;
};

// Random segmentation with random overlapping retransmissions, shuffled.
std::vector<Segment> random_segments(std::mt19937& rng, uint32_t total) {
  std::vector<Segment> segments;
  for (uint32_t offset = 0; offset < total;) {
    const uint32_t length = std::min<uint32_t>(total - offset, 1 + rng() % 1460);
    segments.push_back({offset, length});
    offset += length;
  }
  const size_t extra = rng() % (segments.size() + 1);
  for (size_t i = 0; i < extra; ++i) {
    const uint32_t offset = rng() % total;
    segments.push_back({offset, std::min<uint32_t>(total - offset, 1 + rng() % 3000)});
  }
  std::shuffle(segments.begin(), segments.end(), rng);
  return segments;
}

TEST(TcpReassemblerProperty, AnySegmentationAndOrderRebuildsTheStream) {
  std::mt19937 rng(20240611);
  for (int round = 0; round < 300; ++round) {
    std::string original[2];
    for (auto& text : original) {
      text.resize(1 + rng() % 40000);
      for (auto& c : text) c = static_cast<char>('a' + rng() % 26);
    }
    // Initial sequence numbers near the wrap half of the time.
    const uint32_t isn[2] = {static_cast<uint32_t>(round % 2 ? 0xFFFFFFFFu - rng() % 20000 : rng()),
                             static_cast<uint32_t>(rng())};
    Flow flow;
    flow.send(kClient, isn[0], "", kSyn);
    flow.send(kServer, isn[1], "", kSyn | kAck);
    std::vector<Segment> segments[2];
    for (int d = 0; d < 2; ++d) segments[d] = random_segments(rng, static_cast<uint32_t>(original[d].size()));
    size_t next[2] = {0, 0};
    // Interleave the two directions randomly.
    while (next[0] < segments[0].size() || next[1] < segments[1].size()) {
      int d = static_cast<int>(rng() % 2);
      if (next[d] == segments[d].size()) d = 1 - d;
      const Segment& segment = segments[d][next[d]++];
      const Direction dir = d == 0 ? kClient : kServer;
      flow.send(dir, isn[d] + 1 + segment.offset,
                std::string_view(original[d]).substr(segment.offset, segment.length));
    }
    for (int d = 0; d < 2; ++d) {
      const Direction dir = d == 0 ? kClient : kServer;
      flow.send(dir, isn[d] + 1 + static_cast<uint32_t>(original[d].size()), "", kFin);
      EXPECT_EQ(flow.recorder.stream(dir), original[d]) << "round " << round;
      EXPECT_EQ(flow.recorder.end_count(dir), 1);
    }
    EXPECT_EQ(flow.stats().gaps, 0u);
    EXPECT_EQ(flow.stats().bytes_delivered, original[0].size() + original[1].size());
  }
}

TEST(TcpReassemblerProperty, SmallCapsGiveGapsButNeverWrongBytes) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    TcpReassemblyConfig config;
    config.max_buffered_per_direction = 1 + rng() % 8000;
    config.max_segments_per_direction = static_cast<uint16_t>(rng() % 8);
    std::string original(1 + rng() % 30000, ' ');
    for (auto& c : original) c = static_cast<char>('a' + rng() % 26);
    const uint32_t isn = static_cast<uint32_t>(rng());
    Flow flow(config);
    flow.send(kClient, isn, "", kSyn);
    for (const Segment& segment : random_segments(rng, static_cast<uint32_t>(original.size()))) {
      flow.send(kClient, isn + 1 + segment.offset, std::string_view(original).substr(segment.offset, segment.length));
    }
    flow.send(kClient, isn + 1 + static_cast<uint32_t>(original.size()), "", kFin);
    flow.reassembler.finish(flow.recorder);
    expect_consistent(original, flow.recorder, kClient, true);
    EXPECT_EQ(flow.recorder.end_count(kClient), 1);
    EXPECT_EQ(flow.stats().bytes_delivered + flow.stats().gap_bytes, original.size());
  }
}

}  // namespace
}  // namespace ots
