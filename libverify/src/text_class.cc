// The visible-text rule (text_class.h) over the generated Unicode tables.
#include "text_class.h"

#include <algorithm>
#include <cstdio>
#include <span>
#include <string>

#include "candor/utf8.h"

namespace candor {
namespace internal {
namespace {

struct CodePointRange {
  uint32_t first;
  uint32_t last;
};

#include "text_class_table.inc"

bool InRanges(std::span<const CodePointRange> ranges, uint32_t cp) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                             [](uint32_t c, const CodePointRange& r) { return c < r.first; });
  return it != ranges.begin() && cp <= std::prev(it)->last;
}

std::string CodePointName(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

}  // namespace

bool IsForbiddenTextCodePoint(uint32_t cp) { return InRanges(kForbiddenRanges, cp); }

bool IsMarkCodePoint(uint32_t cp) { return InRanges(kMarkRanges, cp); }

std::string_view TextClassUnicodeVersion() { return kTextClassUnicodeVersion; }

Status CheckVisibleText(std::string_view text, std::string_view what, bool multiline) {
  bool visible = false;
  size_t pos = 0;
  while (pos < text.size()) {
    // ASCII fast path: printable ASCII is never forbidden, and visible unless
    // it is the space.
    const auto b = static_cast<uint8_t>(text[pos]);
    if (b >= 0x20 && b < 0x7F) {
      visible = visible || b != ' ';
      ++pos;
      continue;
    }
    uint32_t cp = 0;
    if (!NextCodePoint(text, &pos, &cp)) {
      return Status::Malformed(std::string(what) + " is not valid UTF-8");
    }
    if (multiline && (cp == '\n' || cp == '\t')) continue;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      return Status::Malformed(std::string(what) + " contains a control character");
    }
    if (IsForbiddenTextCodePoint(cp)) {
      return Status::Malformed(std::string(what) +
                               " contains an invisible, formatting or non-ASCII space character (" +
                               CodePointName(cp) + ")");
    }
    visible = visible || !IsMarkCodePoint(cp);
  }
  if (!visible) {
    return Status::Malformed(std::string(what) +
                             " has no visible character (only spaces or combining marks)");
  }
  return Status::Ok();
}

}  // namespace internal
}  // namespace candor
