// The visible-text class (libverify/src/text_class.h) and its use in
// disclosure values, changelogs and vendor key names: invisible, formatting
// and non-ASCII space code points are refused, as are texts with nothing
// visible, whatever field they are in.
#include "../../libverify/src/text_class.h"

#include <doctest/doctest.h>

#include <string>

#include "candor/disclosure.h"
#include "candor/release.h"

namespace candor {
namespace {

// UTF-8 of one code point (test-side encoder, independent of the decoder).
std::string U(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

struct TextCase {
  const char* name;
  std::string text;
  bool ok;
};

std::vector<TextCase> Cases() {
  return {
      {"plain ASCII", "blocked after 2027", true},
      {"accented letters", "caf" + U(0xE9) + " and na" + U(0x131) + "ve", true},
      {"CJK", U(0x6587) + U(0x5B57), true},
      {"emoji without selectors", U(0x1F5A8), true},
      {"letter plus combining mark", "e" + U(0x301), true},
      {"TAG characters", "ink" + U(0xE0061) + U(0xE0062), false},
      {"only TAG characters", U(0xE0041) + U(0xE0042), false},
      {"cancel tag", "a" + U(0xE007F), false},
      {"Hangul filler U+3164", "a" + U(0x3164) + "b", false},
      {"Hangul choseong filler U+115F", U(0x115F), false},
      {"Hangul jungseong filler U+1160", "x" + U(0x1160), false},
      {"halfwidth Hangul filler U+FFA0", U(0xFFA0) + "x", false},
      {"variation selector 16", "x" + U(0xFE0F), false},
      {"variation selector supplement", "x" + U(0xE0100), false},
      {"Mongolian free variation selector", "x" + U(0x180B), false},
      {"combining grapheme joiner", "a" + U(0x34F) + "b", false},
      {"lone combining mark", U(0x301), false},
      {"only combining marks", U(0x300) + U(0x301) + U(0x20DD), false},
      {"spacing mark only", U(0x903), false},
      {"zero width space", "a" + U(0x200B) + "b", false},
      {"zero width joiner", "a" + U(0x200D) + "b", false},
      {"right-to-left override", "a" + U(0x202E) + "b", false},
      {"right-to-left isolate", "a" + U(0x2067) + "b", false},
      {"arabic letter mark", "a" + U(0x61C), false},
      {"soft hyphen", "a" + U(0xAD) + "b", false},
      {"BOM", U(0xFEFF) + "a", false},
      {"interlinear annotation", "a" + U(0xFFF9), false},
      {"arabic number sign (Cf)", U(0x600) + "1", false},
      {"shorthand format control (Cf)", "a" + U(0x1BCA0), false},
      {"musical symbol format (Cf)", "a" + U(0x1D173), false},
      {"no-break space", "a" + U(0xA0) + "b", false},
      {"ideographic space", "a" + U(0x3000) + "b", false},
      {"braille blank", U(0x2800), false},
      {"next line (Cc)", "a" + U(0x85) + "b", false},
      {"line separator", "a" + U(0x2028) + "b", false},
      {"noncharacter", "a" + U(0xFDD0), false},
      {"plane 16 noncharacter", "a" + U(0x10FFFF), false},
      {"unassigned default ignorable", "a" + U(0xE0FFF), false},
      {"mark after a space only", " " + U(0x301), false},
      {"tab", "a\tb", false},
      {"not UTF-8", "caf\xE9", false},
  };
}

TEST_CASE("visible-text class: table-driven over invisible and visible text") {
  for (const TextCase& c : Cases()) {
    CAPTURE(std::string(c.name));
    const Status s = internal::CheckVisibleText(c.text, "value", false);
    CHECK_MESSAGE(s.ok() == c.ok, s.ToString());
    if (!c.ok) {
      CHECK(s.code() == Code::kMalformed);
      CHECK(s.message().starts_with("value "));
    }
  }
}

TEST_CASE("visible-text class applies to disclosure values and changelogs alike") {
  for (const TextCase& c : Cases()) {
    CAPTURE(std::string(c.name));
    // Disclosure values also refuse a leading or trailing space: the cases
    // above have none except the one that is refused anyway.
    const Status value = ValidateDisclosureValue(c.text);
    CHECK_MESSAGE(value.ok() == c.ok, value.ToString());
    Disclosure d{"feature-removal", c.text, std::nullopt};
    CHECK(ValidateDisclosure(d).ok() == c.ok);
    // Changelogs: the same, plus tabs and newlines.
    const bool changelog_ok = c.ok || std::string(c.name) == "tab";
    CHECK(ValidateChangelog(c.text + "\n").ok() == changelog_ok);
  }
  CHECK(!ValidateChangelog("\n\t \n").ok());  // nothing visible
  CHECK(ValidateChangelog("fixes:\n\t- jams\n").ok());
}

TEST_CASE("visible-text tables: boundaries and the Unicode version") {
  CHECK(internal::TextClassUnicodeVersion() == "15.0.0");
  CHECK(!internal::IsForbiddenTextCodePoint(' '));
  CHECK(!internal::IsForbiddenTextCodePoint('~'));
  CHECK(internal::IsForbiddenTextCodePoint(0x7F));
  CHECK(internal::IsForbiddenTextCodePoint(0x0));
  CHECK(internal::IsForbiddenTextCodePoint(0xE0000));
  CHECK(internal::IsForbiddenTextCodePoint(0xE0FFF));
  CHECK(!internal::IsForbiddenTextCodePoint(0x10FFFD));  // private use: not in the class
  CHECK(!internal::IsForbiddenTextCodePoint(0x1F600));
  CHECK(internal::IsMarkCodePoint(0x300));
  CHECK(internal::IsMarkCodePoint(0x36F));
  CHECK(!internal::IsMarkCodePoint(0x370));
  CHECK(!internal::IsMarkCodePoint('a'));
}

}  // namespace
}  // namespace candor
