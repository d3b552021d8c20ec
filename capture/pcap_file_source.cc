#include "capture/pcap_file_source.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace ots {
namespace {

constexpr uint32_t kPcapMicroMagic = 0xa1b2c3d4;
constexpr uint32_t kPcapNanoMagic = 0xa1b23c4d;
constexpr uint32_t kPcapModifiedMagic = 0xa1b2cd34;  // Kuznetsov's patched libpcap: 8 extra header bytes
constexpr size_t kPcapFileHeaderSize = 24;

constexpr uint32_t kSectionHeaderBlock = 0x0a0d0d0a;
constexpr uint32_t kInterfaceDescriptionBlock = 1;
constexpr uint32_t kObsoletePacketBlock = 2;
constexpr uint32_t kSimplePacketBlock = 3;
constexpr uint32_t kEnhancedPacketBlock = 6;
constexpr uint32_t kByteOrderMagic = 0x1a2b3c4d;
constexpr size_t kBlockOverhead = 12;  // type, length, trailing length

constexpr uint16_t kOptionEnd = 0;
constexpr uint16_t kOptionTsResolution = 9;
constexpr uint16_t kOptionTsOffset = 14;

constexpr uint64_t kNanosPerSecond = 1'000'000'000;

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

// The file's bytes: a read-only mapping, or a heap copy when mapping is impossible.
class FileBytes {
 public:
  explicit FileBytes(std::vector<uint8_t> owned) : owned_(std::move(owned)) {}
  FileBytes(void* mapping, size_t size) : mapping_(mapping), mapping_size_(size) {}
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes() {
    if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
  }

  Bytes bytes() const {
    if (mapping_ != nullptr) return {static_cast<const uint8_t*>(mapping_), mapping_size_};
    return owned_;
  }

  // The reader is at `offset`: maps the next window's pages in one call before it gets there,
  // rather than taking a page fault every few records (a sizeable share of a replay's time).
  // Kernels without MADV_POPULATE_READ (before 5.14) fault as before.
  void read_ahead(size_t offset) {
    if (mapping_ == nullptr || !populate_works_ || offset + kPopulateWindow / 2 < populated_until_) return;
    static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));  // madvise wants a page start
    const size_t start = std::max(populated_until_, offset & ~(page - 1));
    if (start >= mapping_size_) return;
    const size_t length = std::min(kPopulateWindow, mapping_size_ - start);
    if (::madvise(static_cast<uint8_t*>(mapping_) + start, length, kMadvPopulateRead) != 0) populate_works_ = false;
    populated_until_ = start + length;
  }

 private:
  static constexpr size_t kPopulateWindow = 4 << 20;
  static constexpr int kMadvPopulateRead = 22;  // MADV_POPULATE_READ (Linux 5.14), absent from older headers
  std::vector<uint8_t> owned_;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  size_t populated_until_ = 0;
  bool populate_works_ = true;
};

std::unique_ptr<FileBytes> load_file(const std::string& path) {
  auto fail = [&path](int error) { return CaptureError(path + ": " + std::strerror(error)); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail(errno);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    throw fail(error);
  }
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    void* mapping = ::mmap(nullptr, static_cast<size_t>(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping != MAP_FAILED) {
      ::close(fd);
      ::madvise(mapping, static_cast<size_t>(info.st_size), MADV_SEQUENTIAL);
      return std::make_unique<FileBytes>(mapping, static_cast<size_t>(info.st_size));
    }
  }
  // Pipes, empty files and file systems without mmap support.
  std::vector<uint8_t> owned;
  uint8_t chunk[65536];
  for (;;) {
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      throw fail(error);
    }
    owned.insert(owned.end(), chunk, chunk + got);
  }
  ::close(fd);
  return std::make_unique<FileBytes>(std::move(owned));
}

uint16_t read16(ByteReader& in, bool big_endian) { return big_endian ? in.be16() : in.le16(); }
uint32_t read32(ByteReader& in, bool big_endian) { return big_endian ? in.be32() : in.le32(); }
uint64_t read64(ByteReader& in, bool big_endian) { return big_endian ? in.be64() : in.le64(); }

// Converts an interface's timestamp ticks to nanoseconds: ns = ticks * multiply / divide >> shift.
struct TimeScale {
  uint64_t multiply = 1000;  // pcapng default: microseconds
  uint64_t divide = 1;
  uint8_t shift = 0;
  uint64_t offset_ns = 0;  // if_tsoffset, in wrapping arithmetic

  static TimeScale from_resolution(uint8_t resolution) {
    TimeScale scale;
    uint8_t exponent = resolution & 0x7f;
    if (resolution & 0x80) {  // 2^-exponent seconds per tick
      scale.multiply = kNanosPerSecond;
      scale.shift = exponent;
    } else if (exponent <= 9) {
      scale.multiply = power_of_ten(9 - exponent);
    } else if (exponent - 9 <= 19) {
      scale.multiply = 1;
      scale.divide = power_of_ten(exponent - 9);
    } else {
      scale.multiply = 0;  // finer than 10^-28 s: every 64-bit tick count is below one nanosecond
    }
    return scale;
  }

  int64_t to_ns(uint64_t ticks) const {
    uint64_t ns;
    if (divide == 1 && shift == 0) {
      ns = ticks * multiply;
    } else {
      unsigned __int128 wide = static_cast<unsigned __int128>(ticks) * multiply / divide;
      ns = static_cast<uint64_t>(wide >> shift);
    }
    return static_cast<int64_t>(ns + offset_ns);
  }

 private:
  static uint64_t power_of_ten(unsigned exponent) {
    uint64_t value = 1;
    for (unsigned i = 0; i < exponent; ++i) value *= 10;
    return value;
  }
};

struct Interface {
  uint32_t link = 0;  // LINKTYPE_* number as in the file
  uint32_t snaplen = 0;
  TimeScale time;
};

enum class Next : uint8_t { Packet, End, Error };

class CaptureFileSource final : public PacketSource {
 public:
  CaptureFileSource(std::string name, std::unique_ptr<FileBytes> storage)
      : name_(std::move(name)), storage_(std::move(storage)), file_(storage_->bytes()) {
    if (file_.size() < 4) {
      throw CaptureError(name_ + ": not a pcap or pcapng file (only " + std::to_string(file_.size()) +
                         " bytes)");
    }
    ByteReader in(file_);
    uint32_t magic_le = in.le32();
    uint32_t magic_be = ByteReader(file_).be32();
    if (magic_be == kSectionHeaderBlock) {
      open_pcapng();
    } else if (is_pcap_magic(magic_le) || is_pcap_magic(magic_be)) {
      open_pcap(magic_le, magic_be);
    } else {
      throw CaptureError(name_ + ": not a pcap or pcapng file (magic " + hex32(magic_be) + ")");
    }
  }

  std::string describe() const override { return name_; }

  Burst receive_burst(size_t, std::span<PacketView> out) override {
    if (out.empty()) return {0, BurstStatus::Idle};
    Burst burst;
    uint64_t wire_bytes = 0;
    while (burst.count < out.size()) {
      Next next = pcapng_ ? next_pcapng(out[burst.count]) : next_pcap(out[burst.count]);
      if (next != Next::Packet) {
        finished_ = next;
        break;
      }
      wire_bytes += out[burst.count].wire_len;
      ++burst.count;
    }
    storage_->read_ahead(pos_);
    // Atomic so another thread may read stats() while this one reads packets.
    packets_.fetch_add(burst.count, std::memory_order_relaxed);
    bytes_.fetch_add(wire_bytes, std::memory_order_relaxed);
    if (burst.count == 0) burst.status = finished_ == Next::Error ? BurstStatus::Error : BurstStatus::End;
    return burst;
  }

  // Packets are views into the mapping, which lives as long as the source.
  void release(size_t) override {}
  SourceStats stats() const override {
    SourceStats stats;
    stats.packets = packets_.load(std::memory_order_relaxed);
    stats.bytes = bytes_.load(std::memory_order_relaxed);
    return stats;
  }
  std::string error() const override { return error_; }

 private:
  static bool is_pcap_magic(uint32_t magic) {
    return magic == kPcapMicroMagic || magic == kPcapNanoMagic || magic == kPcapModifiedMagic;
  }

  void open_pcap(uint32_t magic_le, uint32_t magic_be) {
    big_endian_ = is_pcap_magic(magic_be);
    uint32_t magic = big_endian_ ? magic_be : magic_le;
    if (file_.size() < kPcapFileHeaderSize) {
      throw CaptureError(name_ + ": truncated pcap file header (" + std::to_string(file_.size()) + " of " +
                         std::to_string(kPcapFileHeaderSize) + " bytes)");
    }
    ByteReader header(file_);
    // magic, version, thiszone, sigfigs, snaplen (records are bounded by kMaxCaptureLength instead)
    header.skip(20);
    // The upper bits carry FCS-length flags; the link type is the low 16 bits.
    pcap_link_ = read32(header, big_endian_) & 0xffff;
    pcap_link_supported_ = is_supported_link_type(pcap_link_);
    pcap_fraction_to_ns_ = magic == kPcapNanoMagic ? 1 : 1000;
    pcap_record_header_size_ = magic == kPcapModifiedMagic ? 24 : 16;
    pos_ = kPcapFileHeaderSize;
  }

  void open_pcapng() {
    if (file_.size() < kBlockOverhead) {
      throw CaptureError(name_ + ": truncated pcapng section header (" + std::to_string(file_.size()) +
                         " bytes)");
    }
    ByteReader magic(file_.subspan(8, 4));
    if (magic.be32() != kByteOrderMagic && ByteReader(file_.subspan(8, 4)).le32() != kByteOrderMagic) {
      throw CaptureError(name_ + ": not a pcapng file (byte-order magic " +
                         hex32(ByteReader(file_.subspan(8, 4)).be32()) + ")");
    }
    pcapng_ = true;
    pos_ = 0;
  }

  Next fail(std::string message) {
    error_ = name_ + ": " + message;
    return Next::Error;
  }

  // `claimed` and `remain` count from the same point: after a pcap record header, from a pcapng block's
  // start.
  Next truncated(const char* what, size_t offset, size_t claimed, size_t remain) {
    return fail("truncated " + std::string(what) + " at byte offset " + std::to_string(offset) +
                " (header says " + std::to_string(claimed) + " bytes, " + std::to_string(remain) +
                " remain)");
  }

  Next unsupported_link(uint32_t link, size_t offset) {
    return fail("unsupported link type " + std::to_string(link) + " (packet at byte offset " +
                std::to_string(offset) + ")");
  }

  Next oversized(size_t offset, uint32_t caplen) {
    return fail("record at byte offset " + std::to_string(offset) + " claims " + std::to_string(caplen) +
                " captured bytes (limit " + std::to_string(kMaxCaptureLength) + ")");
  }

  // Fills a view whose wire length is never below what was captured.
  static void fill(PacketView& packet, int64_t ts_ns, uint32_t wire_len, Bytes data, uint32_t link,
                   uint16_t interface) {
    packet.ts_ns = ts_ns;
    packet.wire_len = std::max<uint32_t>(wire_len, static_cast<uint32_t>(data.size()));
    packet.data = data;
    packet.link = static_cast<LinkType>(link);
    packet.interface = interface;
  }

  Next next_pcap(PacketView& packet) {
    if (finished_) return *finished_;
    size_t offset = pos_;
    size_t remain = file_.size() - offset;
    if (remain == 0) return Next::End;
    if (remain < pcap_record_header_size_) {
      return fail("truncated record header at byte offset " + std::to_string(offset) + " (" +
                  std::to_string(pcap_record_header_size_) + " bytes needed, " + std::to_string(remain) +
                  " remain)");
    }
    // Four words (seconds, fraction, caplen, wire length): read as one block, the record header
    // being known to be in the file (checked above); this runs once per packet.
    uint32_t words[4];
    std::memcpy(words, file_.data() + offset, sizeof words);
    if (big_endian_ != (std::endian::native == std::endian::big))
      for (uint32_t& w : words) w = __builtin_bswap32(w);
    const uint64_t seconds = words[0], fraction = words[1];
    const uint32_t caplen = words[2], wire_len = words[3];
    if (caplen > kMaxCaptureLength) return oversized(offset, caplen);
    if (caplen > remain - pcap_record_header_size_) {
      return truncated("record", offset, caplen, remain - pcap_record_header_size_);
    }
    if (!pcap_link_supported_) return unsupported_link(pcap_link_, offset);
    Bytes data = file_.subspan(offset + pcap_record_header_size_, caplen);
    fill(packet, static_cast<int64_t>(seconds * kNanosPerSecond + fraction * pcap_fraction_to_ns_), wire_len,
         data, pcap_link_, 0);
    pos_ = offset + pcap_record_header_size_ + caplen;
    return Next::Packet;
  }

  Next next_pcapng(PacketView& packet) {
    if (finished_) return *finished_;
    for (;;) {
      size_t offset = pos_;
      size_t remain = file_.size() - offset;
      if (remain == 0) return Next::End;
      if (remain < kBlockOverhead) {
        return fail("truncated block header at byte offset " + std::to_string(offset) + " (" +
                    std::to_string(kBlockOverhead) + " bytes needed, " + std::to_string(remain) + " remain)");
      }
      ByteReader head(file_.subspan(offset, kBlockOverhead));
      uint32_t type = head.le32();  // the section header type reads the same in both byte orders
      if (type == kSectionHeaderBlock) {
        uint32_t order = ByteReader(file_.subspan(offset + 8, 4)).be32();
        if (order != kByteOrderMagic && ByteReader(file_.subspan(offset + 8, 4)).le32() != kByteOrderMagic) {
          return fail("bad byte-order magic " + hex32(order) + " in section header at byte offset " +
                      std::to_string(offset));
        }
        big_endian_ = order == kByteOrderMagic;
      } else if (big_endian_) {
        type = ByteReader(file_.subspan(offset, 4)).be32();
      }
      uint32_t length = read32(head, big_endian_);
      if (length < kBlockOverhead || length % 4 != 0) {
        return fail("bad block length " + std::to_string(length) + " at byte offset " +
                    std::to_string(offset));
      }
      if (length > remain) return truncated("block", offset, length, remain);
      ByteReader trailer(file_.subspan(offset + length - 4, 4));
      uint32_t trailing_length = read32(trailer, big_endian_);
      if (trailing_length != length) {
        return fail("block at byte offset " + std::to_string(offset) + " has length " +
                    std::to_string(length) + " but trailing length " + std::to_string(trailing_length));
      }
      Bytes body = file_.subspan(offset + 8, length - kBlockOverhead);
      pos_ = offset + length;
      Next next;
      switch (type) {
        case kSectionHeaderBlock:
          next = section_header(body, offset);
          break;
        case kInterfaceDescriptionBlock:
          next = interface_description(body, offset);
          break;
        case kEnhancedPacketBlock:
          next = enhanced_packet(body, offset, packet);
          break;
        case kSimplePacketBlock:
          next = simple_packet(body, offset, packet);
          break;
        case kObsoletePacketBlock:
          next = obsolete_packet(body, offset, packet);
          break;
        default:
          continue;  // statistics, name resolution, custom and future blocks
      }
      if (next != Next::End) return next;  // End here means "no packet in this block"
    }
  }

  Next section_header(Bytes body, size_t offset) {
    ByteReader in(body);
    in.skip(4);  // byte-order magic, already checked
    uint16_t major = read16(in, big_endian_);
    read16(in, big_endian_);  // minor
    in.skip(8);               // section length, may be -1
    if (!in.ok()) return fail("section header at byte offset " + std::to_string(offset) + " is too short");
    if (major != 1) {
      return fail("unsupported pcapng version " + std::to_string(major) + " at byte offset " +
                  std::to_string(offset));
    }
    interfaces_.clear();  // interface ids are per section
    return Next::End;
  }

  Next interface_description(Bytes body, size_t offset) {
    ByteReader in(body);
    Interface interface;
    interface.link = read16(in, big_endian_);
    in.skip(2);
    interface.snaplen = read32(in, big_endian_);
    if (!in.ok())
      return fail("interface description at byte offset " + std::to_string(offset) + " is too short");
    while (in.remaining() >= 4) {
      uint16_t code = read16(in, big_endian_);
      uint16_t length = read16(in, big_endian_);
      if (code == kOptionEnd) break;
      ByteReader value(in.bytes(length));
      in.skip((4 - length % 4) % 4);
      if (!in.ok()) {
        return fail("malformed options in interface description at byte offset " + std::to_string(offset));
      }
      if (code == kOptionTsResolution && length == 1) {
        uint64_t offset_ns = interface.time.offset_ns;
        interface.time = TimeScale::from_resolution(value.u8());
        interface.time.offset_ns = offset_ns;
      } else if (code == kOptionTsOffset && length == 8) {
        interface.time.offset_ns = read64(value, big_endian_) * kNanosPerSecond;
      }
    }
    if (interfaces_.size() > UINT16_MAX) {
      return fail("more than 65536 interfaces in one section (byte offset " + std::to_string(offset) + ")");
    }
    interfaces_.push_back(interface);
    return Next::End;
  }

  const Interface* interface_for_packet(uint32_t id, size_t offset) {
    if (id < interfaces_.size()) return &interfaces_[id];
    fail("packet block at byte offset " + std::to_string(offset) + " refers to undefined interface " +
         std::to_string(id));
    return nullptr;
  }

  // Shared tail of EPB and PB: interface, 64-bit timestamp, lengths, data.
  Next timestamped_packet(ByteReader& in, uint32_t interface_id, size_t offset, PacketView& packet) {
    uint64_t ts_high = read32(in, big_endian_);
    uint64_t ts_low = read32(in, big_endian_);
    uint32_t caplen = read32(in, big_endian_);
    uint32_t wire_len = read32(in, big_endian_);
    if (!in.ok()) return fail("packet block at byte offset " + std::to_string(offset) + " is too short");
    const Interface* interface = interface_for_packet(interface_id, offset);
    if (interface == nullptr) return Next::Error;
    if (caplen > kMaxCaptureLength) return oversized(offset, caplen);
    if (caplen > in.remaining()) {
      return fail("packet block at byte offset " + std::to_string(offset) + " claims " +
                  std::to_string(caplen) + " captured bytes but holds " + std::to_string(in.remaining()));
    }
    if (!is_supported_link_type(interface->link)) return unsupported_link(interface->link, offset);
    last_ts_ns_ = interface->time.to_ns(ts_high << 32 | ts_low);
    fill(packet, last_ts_ns_, wire_len, in.bytes(caplen), interface->link,
         static_cast<uint16_t>(interface_id));
    return Next::Packet;
  }

  Next enhanced_packet(Bytes body, size_t offset, PacketView& packet) {
    ByteReader in(body);
    uint32_t interface_id = read32(in, big_endian_);
    return timestamped_packet(in, interface_id, offset, packet);
  }

  Next obsolete_packet(Bytes body, size_t offset, PacketView& packet) {
    ByteReader in(body);
    uint16_t interface_id = read16(in, big_endian_);
    in.skip(2);  // drops count
    return timestamped_packet(in, interface_id, offset, packet);
  }

  // A simple packet has no timestamp; it inherits the previous packet's so packet time never jumps back to
  // 1970.
  Next simple_packet(Bytes body, size_t offset, PacketView& packet) {
    ByteReader in(body);
    uint32_t wire_len = read32(in, big_endian_);
    if (!in.ok())
      return fail("simple packet block at byte offset " + std::to_string(offset) + " is too short");
    const Interface* interface = interface_for_packet(0, offset);
    if (interface == nullptr) return Next::Error;
    size_t caplen = std::min<size_t>(wire_len, in.remaining());
    if (interface->snaplen != 0) caplen = std::min<size_t>(caplen, interface->snaplen);
    if (caplen > kMaxCaptureLength) return oversized(offset, static_cast<uint32_t>(caplen));
    if (!is_supported_link_type(interface->link)) return unsupported_link(interface->link, offset);
    fill(packet, last_ts_ns_, wire_len, in.bytes(caplen), interface->link, 0);
    return Next::Packet;
  }

  std::string name_;
  std::unique_ptr<FileBytes> storage_;
  Bytes file_;
  size_t pos_ = 0;
  bool pcapng_ = false;
  bool big_endian_ = false;
  std::optional<Next> finished_;
  std::string error_;
  std::atomic<uint64_t> packets_{0};
  std::atomic<uint64_t> bytes_{0};

  // pcap
  uint32_t pcap_link_ = 0;
  bool pcap_link_supported_ = false;
  uint64_t pcap_fraction_to_ns_ = 1000;
  size_t pcap_record_header_size_ = 16;

  // pcapng
  std::vector<Interface> interfaces_;
  int64_t last_ts_ns_ = 0;
};

}  // namespace

std::unique_ptr<PacketSource> open_capture_file(const std::string& path) {
  return std::make_unique<CaptureFileSource>(path, load_file(path));
}

std::unique_ptr<PacketSource> open_capture_memory(std::string name, std::vector<uint8_t> bytes) {
  auto storage = std::make_unique<FileBytes>(std::move(bytes));
  return std::make_unique<CaptureFileSource>(std::move(name), std::move(storage));
}

}  // namespace ots
