// Tests of the shared JSON string escaper (libverify/include/candor/json_string.h):
// exact outputs for escapes, control characters and valid/invalid UTF-8, and a
// structural check (independent of the implementation) that every output is a
// valid JSON string literal in valid UTF-8 that decodes back to the input with
// invalid bytes replaced.
#include "candor/json_string.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace candor {
namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

// Well-formed UTF-8 byte sequences per Unicode Table 3-7, checked by ranges
// (a different formulation from the code under test). Returns the sequence
// length at s[i], or 0.
size_t WellFormedLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) -> int { return k < s.size() ? static_cast<unsigned char>(s[k]) : -1; };
  auto in = [](int v, int lo, int hi) { return v >= lo && v <= hi; };
  int c = b(i);
  if (in(c, 0x00, 0x7F)) return 1;
  if (in(c, 0xC2, 0xDF)) return in(b(i + 1), 0x80, 0xBF) ? 2 : 0;
  int lo = 0x80, hi = 0xBF;
  size_t n = 0;
  if (c == 0xE0) {
    lo = 0xA0, n = 3;
  } else if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) {
    n = 3;
  } else if (c == 0xED) {
    hi = 0x9F, n = 3;
  } else if (c == 0xF0) {
    lo = 0x90, n = 4;
  } else if (in(c, 0xF1, 0xF3)) {
    n = 4;
  } else if (c == 0xF4) {
    hi = 0x8F, n = 4;
  } else {
    return 0;
  }
  if (!in(b(i + 1), lo, hi)) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (!in(b(i + k), 0x80, 0xBF)) return 0;
  }
  return n;
}

// What the escaper must preserve: the input with each byte that is not part
// of a well-formed sequence replaced by U+FFFD.
std::string Sanitized(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = WellFormedLength(s, i);
    if (n == 0) {
      out += kFFFD;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// Parses `lit` as one complete JSON string literal (RFC 8259 §7) and returns
// its decoded value (only \u00xx escapes are expected from the escaper; other
// \u escapes are rejected so a regression cannot hide behind them), or nullopt
// if `lit` is not valid: missing quotes, raw control characters or DEL,
// unknown escapes, unescaped quotes, invalid UTF-8, trailing bytes.
std::optional<std::string> ParseLiteral(std::string_view lit) {
  if (lit.size() < 2 || lit.front() != '"' || lit.back() != '"') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < lit.size();) {
    unsigned char c = static_cast<unsigned char>(lit[i]);
    if (c < 0x20 || c == 0x7F || c == '"') return std::nullopt;
    if (c != '\\') {
      size_t n = WellFormedLength(lit.substr(0, lit.size() - 1), i);
      if (n == 0) return std::nullopt;
      out.append(lit.substr(i, n));
      i += n;
      continue;
    }
    if (i + 2 >= lit.size()) return std::nullopt;  // a backslash escaping the closing quote
    char e = lit[i + 1];
    i += 2;
    switch (e) {
      case '"':
        out += '"';
        continue;
      case '\\':
        out += '\\';
        continue;
      case 'n':
        out += '\n';
        continue;
      case 'r':
        out += '\r';
        continue;
      case 't':
        out += '\t';
        continue;
      case 'b':
        out += '\b';
        continue;
      case 'f':
        out += '\f';
        continue;
      case 'u':
        break;
      default:
        return std::nullopt;
    }
    if (i + 4 >= lit.size() || lit.substr(i, 2) != "00") return std::nullopt;
    int v = 0;
    for (size_t k = 2; k < 4; ++k) {
      char h = lit[i + k];
      int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out += static_cast<char>(v);
    i += 4;
  }
  return out;
}

void CheckValidAndFaithful(std::string_view in) {
  std::string lit = JsonQuote(in);
  std::optional<std::string> decoded = ParseLiteral(lit);
  REQUIRE_MESSAGE(decoded.has_value(), lit);
  CHECK(*decoded == Sanitized(in));
}

TEST_CASE("JsonQuote: exact outputs") {
  struct Case {
    std::string in;
    std::string want;  // the literal, with quotes
  };
  const Case cases[] = {
      // Escapes and ASCII.
      {"", "\"\""},
      {"plain /<>&'", "\"plain /<>&'\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\""},
      {"\\\"", "\"\\\\\\\"\""},
      {"l1\nl2\r\t\b\f", "\"l1\\nl2\\r\\t\\b\\f\""},
      {std::string("nul\0x", 5), "\"nul\\u0000x\""},
      {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
      {"\x0b\x1b", "\"\\u000b\\u001b\""},
      {" ~", "\" ~\""},
      // Valid multi-byte UTF-8: 2, 3 and 4 bytes, and the extremes of each length.
      {"D\xc3\xa9j\xc3\xa0", "\"D\xc3\xa9j\xc3\xa0\""},
      {"\xe2\x88\x91 \xe2\x9c\x93", "\"\xe2\x88\x91 \xe2\x9c\x93\""},
      {"\xf0\x9f\x96\xa8", "\"\xf0\x9f\x96\xa8\""},
      {"\xc2\x80\xdf\xbf", "\"\xc2\x80\xdf\xbf\""},                  // U+0080, U+07FF
      {"\xe0\xa0\x80\xef\xbf\xbf", "\"\xe0\xa0\x80\xef\xbf\xbf\""},  // U+0800, U+FFFF
      {"\xed\x9f\xbf\xee\x80\x80", "\"\xed\x9f\xbf\xee\x80\x80\""},  // U+D7FF, U+E000
      {"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
       "\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\""},  // U+10000, U+10FFFF
      {"\xc2\x85", "\"\xc2\x85\""},              // C1 control U+0085 is valid JSON unescaped
      {kFFFD, "\"" + kFFFD + "\""},              // a literal U+FFFD passes through
      // Overlong forms: every byte replaced.
      {"\xc0\xaf", "\"" + kFFFD + kFFFD + "\""},
      {"\xc1\xbf", "\"" + kFFFD + kFFFD + "\""},
      {"\xe0\x80\xaf", "\"" + kFFFD + kFFFD + kFFFD + "\""},
      {"\xe0\x9f\xbf", "\"" + kFFFD + kFFFD + kFFFD + "\""},
      {"\xf0\x80\x80\xaf", "\"" + kFFFD + kFFFD + kFFFD + kFFFD + "\""},
      {"\xf0\x8f\xbf\xbf", "\"" + kFFFD + kFFFD + kFFFD + kFFFD + "\""},
      {"\xc0\x80", "\"" + kFFFD + kFFFD + "\""},  // "modified UTF-8" NUL
      // Surrogates (CESU-8) and code points above U+10FFFF.
      {"\xed\xa0\x80", "\"" + kFFFD + kFFFD + kFFFD + "\""},
      {"\xed\xbf\xbf", "\"" + kFFFD + kFFFD + kFFFD + "\""},
      {"\xed\xa0\xbd\xed\xb2\xa9", "\"" + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + "\""},
      {"\xf4\x90\x80\x80", "\"" + kFFFD + kFFFD + kFFFD + kFFFD + "\""},
      {"\xf5\x80\x80\x80", "\"" + kFFFD + kFFFD + kFFFD + kFFFD + "\""},
      // Truncated sequences, at the end and followed by ASCII (which is kept).
      {"\xc3", "\"" + kFFFD + "\""},
      {"\xe2\x88", "\"" + kFFFD + kFFFD + "\""},
      {"\xf0\x9f\x96", "\"" + kFFFD + kFFFD + kFFFD + "\""},
      {"\xe2\x88x", "\"" + kFFFD + kFFFD + "x\""},
      {"\xf0\x9f\x96\"", "\"" + kFFFD + kFFFD + kFFFD + "\\\"\""},
      {"\xc3\n", "\"" + kFFFD + "\\n\""},
      {"\xe2\x88\xe2\x88\x91", "\"" + kFFFD + kFFFD + "\xe2\x88\x91\""},
      // Lone continuation and lead bytes in context.
      {"bad \xff byte", "\"bad " + kFFFD + " byte\""},
      {"\x80\xbf", "\"" + kFFFD + kFFFD + "\""},
      {"a\xfe\xc3\xa9", "\"a" + kFFFD + "\xc3\xa9\""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    std::string out = "prefix";
    AppendJsonString(out, c.in);
    CHECK(out == "prefix" + c.want);
    CHECK(JsonQuote(c.in) == c.want);
    CheckValidAndFaithful(c.in);
  }
}

TEST_CASE("JsonQuote: every control character") {
  for (int c = 0; c < 0x20; ++c) {
    CAPTURE(c);
    std::string want;
    switch (c) {
      case '\n':
        want = "\\n";
        break;
      case '\r':
        want = "\\r";
        break;
      case '\t':
        want = "\\t";
        break;
      case '\b':
        want = "\\b";
        break;
      case '\f':
        want = "\\f";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        want = std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xF];
      }
    }
    CHECK(JsonQuote(std::string(1, static_cast<char>(c))) == "\"" + want + "\"");
    CheckValidAndFaithful(std::string(1, static_cast<char>(c)));
  }
  CHECK(JsonQuote("\x7f") == "\"\\u007f\"");
}

TEST_CASE("JsonQuote: every byte 0x80-0xFF alone is replaced") {
  for (int c = 0x80; c <= 0xFF; ++c) {
    CAPTURE(c);
    std::string in(1, static_cast<char>(c));
    CHECK(JsonQuote(in) == "\"" + kFFFD + "\"");
    CHECK(JsonQuote("x" + in + "y") == "\"x" + kFFFD + "y\"");
  }
}

TEST_CASE("JsonQuote: every one- and two-byte input is valid JSON and faithful") {
  for (int a = 0; a < 256; ++a) {
    CheckValidAndFaithful(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      std::string in{static_cast<char>(a), static_cast<char>(b)};
      std::optional<std::string> decoded = ParseLiteral(JsonQuote(in));
      if (!decoded || *decoded != Sanitized(in)) {
        CAPTURE(a);
        CAPTURE(b);
        FAIL("invalid or unfaithful output");
      }
    }
  }
}

TEST_CASE("JsonQuote: pseudo-random byte strings are valid JSON and faithful") {
  uint64_t state = 0x9E3779B97F4A7C15u;
  auto next = [&] {  // xorshift64, fixed seed: deterministic
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  // Alphabet weighted towards the interesting bytes: ASCII specials, lead
  // bytes on range boundaries, continuation bytes.
  const unsigned char alphabet[] = {'a',  '"',  '\\', '\n', 0x00, 0x1F, 0x7F, 0x80,
                                    0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF,
                                    0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  for (int round = 0; round < 20000; ++round) {
    std::string in(next() % 12, '\0');
    for (char& ch : in) ch = static_cast<char>(alphabet[next() % sizeof alphabet]);
    std::optional<std::string> decoded = ParseLiteral(JsonQuote(in));
    if (!decoded || *decoded != Sanitized(in)) {
      CAPTURE(in);
      FAIL("invalid or unfaithful output");
    }
  }
}

TEST_CASE("the test's literal parser rejects invalid literals") {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("\""), std::string_view("abc"),
        std::string_view("\"a\"b\""), std::string_view("\"\\\""), std::string_view("\"\\x\""),
        std::string_view("\"\x01\""), std::string_view("\"\x7f\""), std::string_view("\"\xff\""),
        std::string_view("\"\xc0\xaf\""), std::string_view("\"\\u00g0\""),
        std::string_view("\"\\u12\""), std::string_view("\"a\" ")}) {
    CAPTURE(bad);
    CHECK(!ParseLiteral(bad).has_value());
  }
  CHECK(ParseLiteral("\"a\\u0041\\n\"") == std::optional<std::string>("aA\n"));
}

}  // namespace
}  // namespace candor
