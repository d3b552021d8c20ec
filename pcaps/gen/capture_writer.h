// Writers for pcap (microsecond or nanosecond) and pcapng files. All integers
// are written little-endian whatever the host, so output is byte-identical on
// every machine.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"

namespace ots::pcapgen {

class CaptureWriter {
 public:
  virtual ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // One packet, captured whole (caplen == wire length).
  virtual void write(int64_t ts_ns, Bytes frame, uint16_t interface) = 0;
  // Bytes written so far: the file offset of the next record.
  uint64_t offset() const { return offset_; }
  // Arbitrary bytes, for deliberately damaged files.
  void write_raw(Bytes bytes);
  // Flushes and closes; throws std::runtime_error if anything failed.
  void close();

 protected:
  explicit CaptureWriter(const std::string& path);
  void put16(uint16_t v);
  void put32(uint32_t v);
  void put64(uint64_t v);

 private:
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> buffer_;
  std::string path_;
  uint64_t offset_ = 0;
  bool failed_ = false;
};

enum class TimeResolution : uint8_t { Micro, Nano };

class PcapWriter final : public CaptureWriter {
 public:
  PcapWriter(const std::string& path, uint32_t linktype, TimeResolution resolution = TimeResolution::Micro);
  void write(int64_t ts_ns, Bytes frame, uint16_t interface = 0) override;
  // A record header with explicit lengths and no data (the caller adds raw bytes).
  void write_record_header(int64_t ts_ns, uint32_t caplen, uint32_t wire_len);

 private:
  TimeResolution resolution_;
};

struct PcapngInterface {
  uint32_t linktype = 1;
  std::string name;
};

// One section; interfaces use nanosecond timestamps (if_tsresol = 9).
class PcapngWriter final : public CaptureWriter {
 public:
  PcapngWriter(const std::string& path, const std::vector<PcapngInterface>& interfaces);
  void write(int64_t ts_ns, Bytes frame, uint16_t interface) override;
};

}  // namespace ots::pcapgen
