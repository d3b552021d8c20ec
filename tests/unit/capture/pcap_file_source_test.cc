#include "capture/pcap_file_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/unit/capture/capture_builder.h"

namespace ots {
namespace {

using test::append;
using test::payload;

struct ReadPacket {
  int64_t ts_ns;
  uint32_t wire_len;
  std::vector<uint8_t> data;
  LinkType link;
  uint16_t interface;
};

struct ReadResult {
  std::vector<ReadPacket> packets;
  BurstStatus final_status = BurstStatus::Packets;
  std::string error;
  SourceStats stats;
};

// Reads in small bursts so packets straddle burst boundaries.
ReadResult read_all(PacketSource& source, size_t burst_size = 3) {
  ReadResult result;
  std::vector<PacketView> views(burst_size);
  for (;;) {
    Burst burst = source.receive_burst(0, views);
    for (size_t i = 0; i < burst.count; ++i) {
      const PacketView& v = views[i];
      result.packets.push_back({v.ts_ns, v.wire_len, {v.data.begin(), v.data.end()}, v.link, v.interface});
    }
    source.release(0);
    if (burst.count == 0) {
      result.final_status = burst.status;
      break;
    }
    EXPECT_EQ(burst.status, BurstStatus::Packets);
  }
  result.error = source.error();
  result.stats = source.stats();
  return result;
}

ReadResult read_memory(std::vector<uint8_t> bytes, size_t burst_size = 3) {
  auto source = open_capture_memory("capture.pcap", std::move(bytes));
  return read_all(*source, burst_size);
}

std::string open_error(std::vector<uint8_t> bytes) {
  try {
    open_capture_memory("capture.pcap", std::move(bytes));
  } catch (const CaptureError& error) {
    return error.what();
  }
  return "(no error)";
}

constexpr int64_t kSecond = 1'000'000'000;

// ---------------------------------------------------------------- pcap

class PcapByteOrder : public testing::TestWithParam<bool> {};

TEST_P(PcapByteOrder, MicrosecondRecords) {
  bool big = GetParam();
  std::vector<uint8_t> file = test::pcap_header(big, false, 1);
  append(file, test::pcap_record(big, 1'600'000'000, 123456, payload(60, 1)));
  append(file, test::pcap_record(big, 1'600'000'001, 999999, payload(42, 2), 1514));
  append(file, test::pcap_record(big, 4'000'000'000u, 0, payload(1, 3)));  // past 2038: seconds are unsigned

  ReadResult r = read_memory(file, 2);
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  ASSERT_EQ(r.packets.size(), 3u);
  EXPECT_EQ(r.packets[0].ts_ns, 1'600'000'000 * kSecond + 123'456'000);
  EXPECT_EQ(r.packets[0].data, payload(60, 1));
  EXPECT_EQ(r.packets[0].wire_len, 60u);
  EXPECT_EQ(r.packets[0].link, LinkType::Ethernet);
  EXPECT_EQ(r.packets[1].ts_ns, 1'600'000'001 * kSecond + 999'999'000);
  EXPECT_EQ(r.packets[1].wire_len, 1514u);
  EXPECT_EQ(r.packets[1].data.size(), 42u);
  EXPECT_EQ(r.packets[2].ts_ns, int64_t{4'000'000'000} * kSecond);
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.stats.packets, 3u);
  EXPECT_EQ(r.stats.bytes, 60u + 1514u + 1u);
}

TEST_P(PcapByteOrder, NanosecondRecords) {
  bool big = GetParam();
  std::vector<uint8_t> file = test::pcap_header(big, true, 101);
  append(file, test::pcap_record(big, 1'700'000'000, 123'456'789, payload(20, 0x45)));
  ReadResult r = read_memory(file);
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  ASSERT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.packets[0].ts_ns, 1'700'000'000 * kSecond + 123'456'789);
  EXPECT_EQ(r.packets[0].link, LinkType::Raw);
}

INSTANTIATE_TEST_SUITE_P(Endian, PcapByteOrder, testing::Values(false, true),
                         [](const auto& info) { return info.param ? "BigEndian" : "LittleEndian"; });

class PcapLinkType : public testing::TestWithParam<LinkType> {};

TEST_P(PcapLinkType, ComesFromTheFileHeader) {
  uint32_t link = static_cast<uint32_t>(GetParam());
  std::vector<uint8_t> file = test::pcap_header(false, false, link);
  append(file, test::pcap_record(false, 1, 0, payload(30)));
  ReadResult r = read_memory(file);
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  ASSERT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.packets[0].link, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Supported, PcapLinkType,
                         testing::Values(LinkType::Null, LinkType::Ethernet, LinkType::Raw, LinkType::Loop,
                                         LinkType::LinuxSll, LinkType::Ipv4, LinkType::Ipv6,
                                         LinkType::LinuxSll2));

TEST(PcapFile, ModifiedFormatRecordsCarryEightExtraHeaderBytes) {
  test::ByteWriter file;
  file.u32(0xa1b2cd34).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
  file.u32(7).u32(8).u32(10).u32(10).u32(2).u16(0x0800).u8(0).u8(0).raw(
      payload(10));  // ifindex, protocol, type
  file.u32(9).u32(0).u32(4).u32(4).u32(2).u16(0x0800).u8(0).u8(0).raw(payload(4, 50));
  ReadResult r = read_memory(file.bytes());
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  ASSERT_EQ(r.packets.size(), 2u);
  EXPECT_EQ(r.packets[0].ts_ns, 7 * kSecond + 8'000);
  EXPECT_EQ(r.packets[0].data, payload(10));
  EXPECT_EQ(r.packets[1].data, payload(4, 50));
}

TEST(PcapFile, FcsFlagsInTheLinkTypeFieldAreIgnored) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 0x14000001);  // FCS present, 4 bytes
  append(file, test::pcap_record(false, 1, 0, payload(64)));
  ReadResult r = read_memory(file);
  ASSERT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.packets[0].link, LinkType::Ethernet);
}

TEST(PcapFile, UnsupportedLinkTypeIsAnErrorNamingIt) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 147);
  append(file, test::pcap_record(false, 1, 0, payload(30)));
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_TRUE(r.packets.empty());
  EXPECT_EQ(r.error, "capture.pcap: unsupported link type 147 (packet at byte offset 24)");
}

TEST(PcapFile, HeaderOnlyIsAnEmptyCapture) {
  ReadResult r = read_memory(test::pcap_header(false, false, 1));
  EXPECT_EQ(r.final_status, BurstStatus::End);
  EXPECT_TRUE(r.packets.empty());
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.stats.packets, 0u);
}

TEST(PcapFile, TruncatedRecordDeliversGoodPacketsThenReportsItsOffset) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 1);
  for (int i = 0; i < 4; ++i) append(file, test::pcap_record(false, 10, 0, payload(40)));  // 56 bytes each
  std::vector<uint8_t> cut = test::pcap_record(false, 11, 0, payload(60));
  cut.resize(16 + 20);
  append(file, cut);

  ReadResult r = read_memory(file, 3);
  EXPECT_EQ(r.packets.size(), 4u);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: truncated record at byte offset 248 (header says 60 bytes, 20 remain)");
  EXPECT_EQ(r.stats.packets, 4u);
}

TEST(PcapFile, TruncatedRecordHeader) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 1);
  append(file, test::pcap_record(false, 10, 0, payload(40)));
  file.insert(file.end(), {1, 2, 3, 4, 5});
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: truncated record header at byte offset 80 (16 bytes needed, 5 remain)");
}

TEST(PcapFile, CaptureLengthAboveTheLimitIsCorruption) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 1);
  append(file, test::pcap_record(false, 10, 0, payload(40)));
  append(file, test::pcap_record(false, 10, 0, payload(8), 0, 262145));
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: record at byte offset 80 claims 262145 captured bytes (limit 262144)");
}

TEST(PcapFile, WireLengthIsNeverBelowCapturedLength) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 1);
  append(file, test::pcap_record(false, 10, 0, payload(40), 12));
  ReadResult r = read_memory(file);
  ASSERT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.packets[0].wire_len, 40u);
}

TEST(PcapFile, ErrorAndEndAreSticky) {
  std::vector<uint8_t> file = test::pcap_header(false, false, 1);
  file.push_back(0);
  auto source = open_capture_memory("capture.pcap", file);
  std::array<PacketView, 4> views;
  EXPECT_EQ(source->receive_burst(0, views).status, BurstStatus::Error);
  EXPECT_EQ(source->receive_burst(0, views).status, BurstStatus::Error);

  auto empty = open_capture_memory("capture.pcap", test::pcap_header(false, false, 1));
  EXPECT_EQ(empty->receive_burst(0, views).status, BurstStatus::End);
  EXPECT_EQ(empty->receive_burst(0, views).status, BurstStatus::End);
}

// ---------------------------------------------------------------- header recognition

TEST(CaptureHeader, GarbageNamesTheMagic) {
  EXPECT_EQ(open_error({0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0}),
            "capture.pcap: not a pcap or pcapng file (magic 0x12345678)");
}

TEST(CaptureHeader, TooShortToHoldAMagic) {
  EXPECT_EQ(open_error({0xd4, 0xc3}), "capture.pcap: not a pcap or pcapng file (only 2 bytes)");
  EXPECT_EQ(open_error({}), "capture.pcap: not a pcap or pcapng file (only 0 bytes)");
}

TEST(CaptureHeader, TruncatedPcapHeader) {
  std::vector<uint8_t> header = test::pcap_header(false, false, 1);
  header.resize(10);
  EXPECT_EQ(open_error(header), "capture.pcap: truncated pcap file header (10 of 24 bytes)");
}

TEST(CaptureHeader, PcapngWithBadByteOrderMagic) {
  std::vector<uint8_t> file = test::pcapng_section(false);
  file[8] = 0x99;
  EXPECT_EQ(open_error(file), "capture.pcap: not a pcapng file (byte-order magic 0x993c2b1a)");
}

TEST(CaptureFile, MissingFileNamesThePath) {
  try {
    open_capture_file("/nonexistent-dir/missing.pcap");
    FAIL() << "no exception";
  } catch (const CaptureError& error) {
    EXPECT_STREQ(error.what(), "/nonexistent-dir/missing.pcap: No such file or directory");
  }
}

TEST(CaptureFile, DirectoryIsNotReadable) {
  try {
    open_capture_file("/");
    FAIL() << "no exception";
  } catch (const CaptureError& error) {
    EXPECT_STREQ(error.what(), "/: Is a directory");
  }
}

TEST(CaptureFile, ReadsAMappedFileAndAnEmptyOne) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ots_capture_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::vector<uint8_t> file = test::pcap_header(true, true, 1);
  append(file, test::pcap_record(true, 5, 6, payload(100)));
  {
    std::ofstream out(dir / "one.pcap", std::ios::binary);
    out.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    std::ofstream empty(dir / "empty.pcap");
  }
  auto source = open_capture_file((dir / "one.pcap").string());
  EXPECT_EQ(source->describe(), (dir / "one.pcap").string());
  ReadResult r = read_all(*source);
  EXPECT_EQ(r.final_status, BurstStatus::End);
  ASSERT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.packets[0].data, payload(100));
  EXPECT_EQ(r.packets[0].ts_ns, 5 * kSecond + 6);

  std::string empty_path = (dir / "empty.pcap").string();
  EXPECT_THROW(
      {
        try {
          open_capture_file(empty_path);
        } catch (const CaptureError& error) {
          EXPECT_EQ(std::string(error.what()), empty_path + ": not a pcap or pcapng file (only 0 bytes)");
          throw;
        }
      },
      CaptureError);
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------- pcapng

class PcapngByteOrder : public testing::TestWithParam<bool> {};

TEST_P(PcapngByteOrder, InterfacesWithTheirOwnLinkTypesAndResolutions) {
  bool big = GetParam();
  std::vector<uint8_t> file = test::pcapng_section(big);
  append(file, test::pcapng_interface(big, 1, 0));  // Ethernet, default microseconds
  append(file, test::pcapng_interface(big, 101, 65535, {test::ts_resolution(9), test::ts_offset(big, 100)}));
  append(file, test::pcapng_interface(big, 113, 0, {test::ts_resolution(0x80 | 10)}));  // 2^-10 s
  append(file, test::pcapng_interface(big, 0, 0, {test::ts_resolution(12)}));           // picoseconds
  append(file, test::pcapng_enhanced_packet(big, 0, 1'600'000'000'123'456ull, payload(60)));
  append(file, test::pcapng_enhanced_packet(big, 1, 1'600'000'000'123'456'789ull, payload(21), 1500));
  append(file, test::pcapng_enhanced_packet(big, 2, 3 * 1024 + 512, payload(3)));
  append(file, test::pcapng_enhanced_packet(big, 3, 7'000'000'000'123ull, payload(4)));

  ReadResult r = read_memory(file);
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  ASSERT_EQ(r.packets.size(), 4u);
  EXPECT_EQ(r.packets[0].link, LinkType::Ethernet);
  EXPECT_EQ(r.packets[0].interface, 0);
  EXPECT_EQ(r.packets[0].ts_ns, 1'600'000'000 * kSecond + 123'456'000);
  EXPECT_EQ(r.packets[0].data, payload(60));
  EXPECT_EQ(r.packets[1].link, LinkType::Raw);
  EXPECT_EQ(r.packets[1].interface, 1);
  EXPECT_EQ(r.packets[1].ts_ns, 1'600'000'100 * kSecond + 123'456'789);
  EXPECT_EQ(r.packets[1].wire_len, 1500u);
  EXPECT_EQ(r.packets[1].data, payload(21));  // not a multiple of 4: padding is not data
  EXPECT_EQ(r.packets[2].link, LinkType::LinuxSll);
  EXPECT_EQ(r.packets[2].ts_ns, 3 * kSecond + 500'000'000);
  EXPECT_EQ(r.packets[3].link, LinkType::Null);
  EXPECT_EQ(r.packets[3].ts_ns, 7 * kSecond);
}

TEST_P(PcapngByteOrder, ObsoletePacketBlock) {
  bool big = GetParam();
  std::vector<uint8_t> file = test::pcapng_section(big);
  append(file, test::pcapng_interface(big, 1, 0));
  append(file, test::pcapng_obsolete_packet(big, 0, 2'000'000, payload(33)));
  ReadResult r = read_memory(file);
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  ASSERT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.packets[0].ts_ns, 2 * kSecond);
  EXPECT_EQ(r.packets[0].data, payload(33));
}

INSTANTIATE_TEST_SUITE_P(Endian, PcapngByteOrder, testing::Values(false, true),
                         [](const auto& info) { return info.param ? "BigEndian" : "LittleEndian"; });

TEST(Pcapng, SectionsOfBothByteOrdersEachWithTheirOwnInterfaces) {
  std::vector<uint8_t> file = test::pcapng_section(false);
  append(file, test::pcapng_interface(false, 1, 0));
  append(file, test::pcapng_enhanced_packet(false, 0, 1'000'000, payload(10)));
  append(file, test::pcapng_section(true));
  append(file, test::pcapng_interface(true, 229, 0, {test::ts_resolution(9)}));
  append(file, test::pcapng_enhanced_packet(true, 0, 5, payload(11)));
  ReadResult r = read_memory(file);
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  ASSERT_EQ(r.packets.size(), 2u);
  EXPECT_EQ(r.packets[0].link, LinkType::Ethernet);
  EXPECT_EQ(r.packets[0].ts_ns, kSecond);
  EXPECT_EQ(r.packets[1].link, LinkType::Ipv6);
  EXPECT_EQ(r.packets[1].ts_ns, 5);
}

TEST(Pcapng, InterfaceIdsDoNotCarryOverIntoTheNextSection) {
  std::vector<uint8_t> file = test::pcapng_section(false);
  append(file, test::pcapng_interface(false, 1, 0));
  size_t second_section = file.size();
  append(file, test::pcapng_section(false));
  size_t packet_offset = file.size();
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(10)));
  ReadResult r = read_memory(file);
  EXPECT_GT(packet_offset, second_section);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: packet block at byte offset " + std::to_string(packet_offset) +
                         " refers to undefined interface 0");
}

TEST(Pcapng, SimplePacketBlocksUseInterfaceZeroAndThePreviousTimestamp) {
  std::vector<uint8_t> file = test::pcapng_section(false);
  append(file, test::pcapng_interface(false, 1, 50));  // snaplen 50
  append(file, test::pcapng_enhanced_packet(false, 0, 9'000'000, payload(10)));
  append(file, test::pcapng_simple_packet(false, 1514, payload(50, 7)));
  append(file, test::pcapng_simple_packet(false, 30, payload(30, 9)));
  ReadResult r = read_memory(file);
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  ASSERT_EQ(r.packets.size(), 3u);
  EXPECT_EQ(r.packets[1].wire_len, 1514u);
  EXPECT_EQ(r.packets[1].data, payload(50, 7));
  EXPECT_EQ(r.packets[1].ts_ns, 9 * kSecond);
  EXPECT_EQ(r.packets[2].data, payload(30, 9));  // padding to 32 is not data
  EXPECT_EQ(r.packets[2].wire_len, 30u);
}

TEST(Pcapng, UnknownBlocksAreSkippedByTheirLength) {
  std::vector<uint8_t> file = test::pcapng_section(false);
  append(file, test::pcapng_block(false, 4, payload(16)));  // name resolution
  append(file, test::pcapng_interface(false, 1, 0));
  append(file, test::pcapng_block(false, 5, payload(24)));          // interface statistics
  append(file, test::pcapng_block(false, 0x40000bad, payload(7)));  // custom
  append(file, test::pcapng_block(false, 0x0bad, {}));              // unknown, empty body
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(10)));
  ReadResult r = read_memory(file);
  ASSERT_EQ(r.final_status, BurstStatus::End) << r.error;
  EXPECT_EQ(r.packets.size(), 1u);
}

TEST(Pcapng, UnsupportedLinkTypeOnOneInterface) {
  std::vector<uint8_t> file = test::pcapng_section(false);
  append(file, test::pcapng_interface(false, 1, 0));
  append(file, test::pcapng_interface(false, 147, 0));
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(10)));
  size_t bad = file.size();
  append(file, test::pcapng_enhanced_packet(false, 1, 1, payload(10)));
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error,
            "capture.pcap: unsupported link type 147 (packet at byte offset " + std::to_string(bad) + ")");
}

std::vector<uint8_t> section_with_interface() {
  std::vector<uint8_t> file = test::pcapng_section(false);
  append(file, test::pcapng_interface(false, 1, 0));
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(10)));
  return file;
}

void set_le32(std::vector<uint8_t>& bytes, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

TEST(Pcapng, BlockLengthNotAMultipleOfFour) {
  std::vector<uint8_t> file = section_with_interface();
  size_t bad = file.size();
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(10)));
  set_le32(file, bad + 4, 50);
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: bad block length 50 at byte offset " + std::to_string(bad));
}

TEST(Pcapng, BlockLengthTooSmall) {
  std::vector<uint8_t> file = section_with_interface();
  size_t bad = file.size();
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(10)));
  set_le32(file, bad + 4, 8);
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: bad block length 8 at byte offset " + std::to_string(bad));
}

TEST(Pcapng, BlockRunningPastTheEndOfTheFile) {
  std::vector<uint8_t> file = section_with_interface();
  size_t bad = file.size();
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(100)));  // 132-byte block
  file.resize(bad + 60);
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: truncated block at byte offset " + std::to_string(bad) +
                         " (header says 132 bytes, 60 remain)");
}

TEST(Pcapng, TrailingLengthMustMatch) {
  std::vector<uint8_t> file = section_with_interface();
  size_t bad = file.size();
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(12)));
  set_le32(file, file.size() - 4, 36);
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: block at byte offset " + std::to_string(bad) +
                         " has length 44 but trailing length 36");
}

TEST(Pcapng, CapturedLengthBeyondTheBlock) {
  std::vector<uint8_t> file = section_with_interface();
  size_t bad = file.size();
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(12), 0, 200));
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: packet block at byte offset " + std::to_string(bad) +
                         " claims 200 captured bytes but holds 12");
}

TEST(Pcapng, CapturedLengthAboveTheLimit) {
  std::vector<uint8_t> file = section_with_interface();
  size_t bad = file.size();
  append(file, test::pcapng_enhanced_packet(false, 0, 1, payload(12), 0, 300000));
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: record at byte offset " + std::to_string(bad) +
                         " claims 300000 captured bytes (limit 262144)");
}

TEST(Pcapng, UnsupportedMajorVersion) {
  std::vector<uint8_t> file = test::pcapng_section(false);
  file[12] = 2;
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error, "capture.pcap: unsupported pcapng version 2 at byte offset 0");
}

TEST(Pcapng, MalformedInterfaceOptions) {
  std::vector<uint8_t> file = test::pcapng_section(false);
  size_t bad = file.size();
  test::ByteWriter body;
  body.u16(1).u16(0).u32(0).u16(9).u16(200).u32(0);  // option claims 200 bytes, 4 present
  append(file, test::pcapng_block(false, 1, body.bytes()));
  ReadResult r = read_memory(file);
  EXPECT_EQ(r.final_status, BurstStatus::Error);
  EXPECT_EQ(r.error,
            "capture.pcap: malformed options in interface description at byte offset " + std::to_string(bad));
}

TEST(Pcapng, SectionHeaderOnlyIsAnEmptyCapture) {
  ReadResult r = read_memory(test::pcapng_section(true));
  EXPECT_EQ(r.final_status, BurstStatus::End);
  EXPECT_TRUE(r.packets.empty());
}

// ---------------------------------------------------------------- the shared corpus

// packets column of MANIFEST.tsv, by file name.
std::map<std::string, uint64_t> manifest_packet_counts(const std::filesystem::path& manifest) {
  std::map<std::string, uint64_t> counts;
  std::ifstream in(manifest);
  std::string line;
  std::vector<std::string> header;
  size_t file_column = SIZE_MAX, packets_column = SIZE_MAX;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (file_column == SIZE_MAX) {
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i] == "file") file_column = i;
        if (fields[i] == "packets") packets_column = i;
      }
      continue;
    }
    if (fields.size() > std::max(file_column, packets_column)) {
      counts[fields[file_column]] = std::stoull(fields[packets_column]);
    }
  }
  return counts;
}

TEST(SharedPcaps, PacketCountsMatchTheManifest) {
  std::filesystem::path dir = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";
  if (!std::filesystem::exists(dir / "MANIFEST.tsv")) GTEST_SKIP() << "no " << dir << "/MANIFEST.tsv";
  std::map<std::string, uint64_t> expected = manifest_packet_counts(dir / "MANIFEST.tsv");
  ASSERT_FALSE(expected.empty());
  size_t checked = 0;
  for (const auto& [name, packets] : expected) {
    SCOPED_TRACE(name);
    if (!std::filesystem::exists(dir / name)) continue;
    auto source = open_capture_file((dir / name).string());
    ReadResult r = read_all(*source, 64);
    EXPECT_EQ(r.packets.size(), packets);
    if (name == "melsoft_iti_melsoft_129_clean.pcap") {
      // Cut mid-packet at the end: every good packet, then an error naming the bad record's offset.
      EXPECT_EQ(r.final_status, BurstStatus::Error);
      EXPECT_EQ(r.error, (dir / name).string() +
                             ": truncated record at byte offset 331665 (header says 157 bytes, 95 remain)");
    } else {
      EXPECT_EQ(r.final_status, BurstStatus::End) << r.error;
    }
    for (const ReadPacket& p : r.packets) ASSERT_GE(p.wire_len, p.data.size());
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace ots
