#include "candor/json_string.h"

#include <cstddef>
#include <cstdint>

#include "candor/bytes.h"
#include "candor/utf8.h"

namespace candor {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid, by
// the one strict decoder (candor/utf8.h). REQUIRES: i < s.size().
size_t MultiByteSequenceLength(std::string_view s, size_t i) {
  size_t pos = i;
  uint32_t cp = 0;
  return NextCodePoint(s, &pos, &cp) ? pos - i : 0;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = MultiByteSequenceLength(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, for this byte only
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          AppendHex(out, ByteView(&c, 1));
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(out, s);
  return out;
}

}  // namespace candor
