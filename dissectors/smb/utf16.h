// UTF-16LE → UTF-8 for the Windows protocols (NTLM, SMB2 paths, RDP client names).
// Bounded: stops at `max_units` code units or at a NUL; lone surrogates become U+FFFD.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/bytes.h"

namespace ots {

inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xC0 | cp >> 6));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xE0 | cp >> 12));
    out.push_back(char(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(char(0xF0 | cp >> 18));
    out.push_back(char(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(char(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  }
}

// Appends the UTF-16LE text in `bytes` (an odd trailing byte is ignored) to `out`.
inline void append_utf16le(Bytes bytes, std::string& out, size_t max_units = 1024) {
  constexpr uint32_t kReplacement = 0xFFFD;
  ByteReader r(bytes);
  for (size_t units = 0; r.has(2) && units < max_units; ++units) {
    uint32_t unit = r.le16();
    if (unit == 0) break;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      uint32_t low = r.has(2) ? r.peek_rest()[0] | uint32_t{r.peek_rest()[1]} << 8 : 0;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        r.le16();
        ++units;
        append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
      } else {
        append_utf8(out, kReplacement);
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      append_utf8(out, kReplacement);
    } else {
      append_utf8(out, unit);
    }
  }
}

}  // namespace ots
