// Bounds-checked, zero-copy reading of untrusted bytes.
// Every parser in otsensor reads packet data through ByteReader: a read past the
// end returns zero and makes the reader fail (sticky), so a parser checks ok()
// once at a natural boundary instead of after every field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ots {

using Bytes = std::span<const uint8_t>;

inline std::string_view as_chars(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(Bytes data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  bool has(size_t n) const { return ok_ && data_.size() - pos_ >= n; }
  bool empty() const { return remaining() == 0; }
  Bytes whole() const { return data_; }

  uint8_t u8() { return has(1) ? data_[pos_++] : fail<uint8_t>(); }
  uint16_t be16() { return static_cast<uint16_t>(be(2)); }
  uint32_t be24() { return static_cast<uint32_t>(be(3)); }
  uint32_t be32() { return static_cast<uint32_t>(be(4)); }
  uint64_t be64() { return be(8); }
  uint16_t le16() { return static_cast<uint16_t>(le(2)); }
  uint32_t le24() { return static_cast<uint32_t>(le(3)); }
  uint32_t le32() { return static_cast<uint32_t>(le(4)); }
  uint64_t le64() { return le(8); }

  uint8_t peek_u8(size_t ahead = 0) const { return has(ahead + 1) ? data_[pos_ + ahead] : 0; }
  uint16_t peek_be16(size_t ahead = 0) const {
    return has(ahead + 2) ? static_cast<uint16_t>(data_[pos_ + ahead] << 8 | data_[pos_ + ahead + 1]) : 0;
  }

  // A view of the next n bytes; an empty view (and failure) if fewer remain.
  Bytes bytes(size_t n) {
    if (!has(n)) return fail<Bytes>();
    Bytes out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view chars(size_t n) { return as_chars(bytes(n)); }
  void skip(size_t n) {
    if (!has(n)) {
      fail<int>();
      return;
    }
    pos_ += n;
  }
  // Everything not read yet; never fails.
  Bytes rest() {
    if (!ok_) return {};
    Bytes out = data_.subspan(pos_);
    pos_ = data_.size();
    return out;
  }
  Bytes peek_rest() const { return ok_ ? data_.subspan(pos_) : Bytes{}; }

 private:
  template <typename T>
  T fail() {
    ok_ = false;
    return T{};
  }
  uint64_t be(size_t n) {
    if (!has(n)) return fail<uint64_t>();
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = v << 8 | data_[pos_ + i];
    pos_ += n;
    return v;
  }
  uint64_t le(size_t n) {
    if (!has(n)) return fail<uint64_t>();
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{data_[pos_ + i]} << (8 * i);
    pos_ += n;
    return v;
  }

  Bytes data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace ots
