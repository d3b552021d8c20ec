#include "dissectors/vnc/vnc_wire.h"

namespace ots::vnc {
namespace {

bool read_digits(std::string_view text, uint16_t& out) {
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = static_cast<uint16_t>(out * 10 + (c - '0'));
  }
  return true;
}

}  // namespace

std::string_view security_type_name(uint8_t code) {
  for (const auto& t : kSecurityTypes) {
    if (t.code == code) return t.name;
  }
  return kUnknownSecurityType;
}

std::string_view version_product(std::string_view version) {
  for (const auto& v : kVersionProducts) {
    if (v.version == version) return v.product;
  }
  return {};
}

bool parse_version(Bytes twelve, Version& out) {
  if (twelve.size() != kVersionSize) return false;
  std::string_view text = as_chars(twelve);
  if (!text.starts_with("RFB ") || text[7] != '.' || text[11] != '\n') return false;
  if (!read_digits(text.substr(4, 3), out.major) || !read_digits(text.substr(8, 3), out.minor)) return false;
  out.text = text.substr(0, kVersionSize - 1);
  return true;
}

uint16_t effective_minor(const Version& v) {
  if (v.major > 3) return 8;
  if (v.minor >= 8) return 8;
  return v.minor == 7 ? 7 : 3;
}

}  // namespace ots::vnc
