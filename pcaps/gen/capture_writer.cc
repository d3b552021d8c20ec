#include "pcaps/gen/capture_writer.h"

#include <stdexcept>

namespace ots::pcapgen {

namespace {
constexpr uint32_t kSnaplen = 262144;
constexpr size_t kBufferSize = 1 << 20;
constexpr uint8_t kZeros[4] = {};
}  // namespace

CaptureWriter::CaptureWriter(const std::string& path) : buffer_(new char[kBufferSize]), path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw std::runtime_error("cannot create " + path);
  std::setvbuf(file_, buffer_.get(), _IOFBF, kBufferSize);
}

CaptureWriter::~CaptureWriter() {
  if (file_) std::fclose(file_);
}

void CaptureWriter::write_raw(Bytes bytes) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) failed_ = true;
  offset_ += bytes.size();
}

void CaptureWriter::put16(uint16_t v) {
  uint8_t b[2] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)};
  write_raw(b);
}
void CaptureWriter::put32(uint32_t v) {
  put16(static_cast<uint16_t>(v));
  put16(static_cast<uint16_t>(v >> 16));
}
void CaptureWriter::put64(uint64_t v) {
  put32(static_cast<uint32_t>(v));
  put32(static_cast<uint32_t>(v >> 32));
}

void CaptureWriter::close() {
  if (!file_) return;
  bool ok = std::fclose(file_) == 0 && !failed_;
  file_ = nullptr;
  if (!ok) throw std::runtime_error("cannot write " + path_);
}

PcapWriter::PcapWriter(const std::string& path, uint32_t linktype, TimeResolution resolution)
    : CaptureWriter(path), resolution_(resolution) {
  put32(resolution == TimeResolution::Nano ? 0xa1b23c4d : 0xa1b2c3d4);
  put16(2);
  put16(4);
  put32(0);  // thiszone
  put32(0);  // sigfigs
  put32(kSnaplen);
  put32(linktype);
}

void PcapWriter::write_record_header(int64_t ts_ns, uint32_t caplen, uint32_t wire_len) {
  int64_t divisor = resolution_ == TimeResolution::Nano ? 1 : 1000;
  put32(static_cast<uint32_t>(ts_ns / 1'000'000'000));
  put32(static_cast<uint32_t>(ts_ns % 1'000'000'000 / divisor));
  put32(caplen);
  put32(wire_len);
}

void PcapWriter::write(int64_t ts_ns, Bytes frame, uint16_t) {
  write_record_header(ts_ns, static_cast<uint32_t>(frame.size()), static_cast<uint32_t>(frame.size()));
  write_raw(frame);
}

PcapngWriter::PcapngWriter(const std::string& path, const std::vector<PcapngInterface>& interfaces)
    : CaptureWriter(path) {
  // Section header block: no options.
  put32(0x0a0d0d0a);
  put32(28);
  put32(0x1a2b3c4d);
  put16(1);
  put16(0);
  put64(~uint64_t{0});  // section length unknown
  put32(28);
  for (const PcapngInterface& iface : interfaces) {
    uint32_t name_len = static_cast<uint32_t>(iface.name.size());
    uint32_t name_padded = (name_len + 3) / 4 * 4;
    // if_name option + if_tsresol option (1 byte, padded to 4) + opt_endofopt.
    uint32_t options_len = (name_len ? 4 + name_padded : 0) + 4 + 4 + 4;
    uint32_t block_len = 20 + options_len;
    put32(0x00000001);
    put32(block_len);
    put16(static_cast<uint16_t>(iface.linktype));
    put16(0);
    put32(kSnaplen);
    if (name_len) {
      put16(2);  // if_name
      put16(static_cast<uint16_t>(name_len));
      write_raw(Bytes(reinterpret_cast<const uint8_t*>(iface.name.data()), name_len));
      write_raw(Bytes(kZeros, name_padded - name_len));
    }
    put16(9);  // if_tsresol
    put16(1);
    uint8_t nanoseconds[4] = {9, 0, 0, 0};
    write_raw(nanoseconds);
    put32(0);  // opt_endofopt
    put32(block_len);
  }
}

void PcapngWriter::write(int64_t ts_ns, Bytes frame, uint16_t interface) {
  uint32_t caplen = static_cast<uint32_t>(frame.size());
  uint32_t padded = (caplen + 3) / 4 * 4;
  uint32_t block_len = 32 + padded;
  put32(0x00000006);  // enhanced packet block
  put32(block_len);
  put32(interface);
  uint64_t ts = static_cast<uint64_t>(ts_ns);
  put32(static_cast<uint32_t>(ts >> 32));
  put32(static_cast<uint32_t>(ts));
  put32(caplen);
  put32(caplen);
  write_raw(frame);
  write_raw(Bytes(kZeros, padded - caplen));
  put32(block_len);
}

}  // namespace ots::pcapgen
