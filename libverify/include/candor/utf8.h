// The one strict UTF-8 codec (RFC 3629) of the project: note text, key names,
// JSON strings, changelogs and disclosure values all decode with it, and the
// auditor's case folding encodes with it. Rejects overlong forms, surrogates
// (U+D800..U+DFFF) and code points above U+10FFFF.
//
// Thread-safety: pure function.
#ifndef CANDOR_UTF8_H_
#define CANDOR_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace candor {

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

// Appends the UTF-8 encoding of `cp` to `out`.
// REQUIRES: cp <= 0x10FFFF and not a surrogate (what NextCodePoint yields).
inline void AppendCodePoint(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace candor

#endif  // CANDOR_UTF8_H_
