// Internal: the one strict UTF-8 decoder (RFC 3629) of libverify: note text,
// key names, JSON strings, changelogs and disclosure values all decode with it.
// Rejects overlong forms, surrogates (U+D800..U+DFFF) and code points above
// U+10FFFF. Not a public header.
//
// Thread-safety: pure function.
#ifndef CANDOR_SRC_UTF8_DECODE_H_
#define CANDOR_SRC_UTF8_DECODE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace candor {
namespace internal {

// Decodes the code point at s[*pos] into *cp and advances *pos.
// REQUIRES: *pos < s.size(). Returns false (and leaves *pos) on invalid UTF-8.
inline bool NextCodePoint(std::string_view s, size_t* pos, uint32_t* cp) {
  const size_t i = *pos;
  const auto b0 = static_cast<uint8_t>(s[i]);
  size_t n;
  uint32_t c;
  uint32_t min;
  if (b0 < 0x80) {
    *cp = b0;
    *pos = i + 1;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    n = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - i < n) return false;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return false;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
  *cp = c;
  *pos = i + n;
  return true;
}

}  // namespace internal
}  // namespace candor

#endif  // CANDOR_SRC_UTF8_DECODE_H_
