#include "candor/date.h"

#include <doctest/doctest.h>

namespace candor {
namespace {

TEST_CASE("ParseDate accepts real days only, in one spelling") {
  struct Case {
    const char* text;
    bool ok;
  };
  const Case cases[] = {
      {"1970-01-01", true},   {"2026-09-13", true},
      {"2000-02-29", true},   {"2024-02-29", true},
      {"9999-12-31", true},   {"1900-02-28", false},
      {"1969-12-31", false},  {"2100-02-29", false},
      {"2026-02-29", false},  {"2026-04-31", false},
      {"2026-00-10", false},  {"2026-13-01", false},
      {"2026-01-00", false},  {"2026-1-01", false},
      {"2026-01-1", false},   {"20260101", false},
      {"2026/01/01", false},  {"2026-01-01 ", false},
      {" 2026-01-01", false}, {"+2026-01-01", false},
      {"2026-01-0a", false},  {"", false},
      {"10000-01-01", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto r = ParseDate(c.text);
    CHECK(r.ok() == c.ok);
    if (r.ok()) {
      CHECK(FormatDate(*r) == c.text);
    } else {
      CHECK(r.status().code() == Code::kMalformed);
    }
  }
  CHECK(Date{2026, 9, 13} < Date{2026, 10, 1});
  CHECK(Date{2025, 12, 31} < Date{2026, 1, 1});
}

TEST_CASE("ParseUtcTime is strict RFC 3339 UTC with second precision") {
  struct Case {
    const char* text;
    int64_t unix;
  };
  const Case good[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"2000-02-29T00:00:00Z", 951782400},
      {"2026-03-01T12:00:00Z", 1772366400},
      {"2038-01-19T03:14:08Z", 2147483648},
      {"9999-12-31T23:59:59Z", kMaxUnixSeconds},
  };
  for (const Case& c : good) {
    CAPTURE(c.text);
    auto r = ParseUtcTime(c.text);
    REQUIRE(r.ok());
    CHECK(*r == c.unix);
    CHECK(FormatUtcTime(c.unix) == c.text);
  }
  for (const char* bad : {"2026-03-01T12:00:00", "2026-03-01T12:00:00z", "2026-03-01t12:00:00Z",
                          "2026-03-01 12:00:00Z", "2026-03-01T12:00:00+00:00",
                          "2026-03-01T12:00:00.5Z", "2026-03-01T24:00:00Z", "2026-03-01T12:60:00Z",
                          "2026-03-01T12:00:60Z", "2026-02-30T12:00:00Z", "1969-12-31T23:59:59Z",
                          "2026-03-01T1:00:00Z", "2026-03-01T12:00:00ZZ", ""}) {
    CAPTURE(bad);
    CHECK(ParseUtcTime(bad).status().code() == Code::kMalformed);
  }
}

TEST_CASE("FormatUtcTime and ParseUtcTime are inverse over the range") {
  // Every day boundary for ~30 years plus odd offsets, and days since epoch.
  for (int64_t t = 0; t < 30LL * 366 * 86400; t += 86400 - 1) {
    auto r = ParseUtcTime(FormatUtcTime(t));
    REQUIRE(r.ok());
    CHECK(*r == t);
  }
  for (int64_t t = kMaxUnixSeconds; t > kMaxUnixSeconds - 400LL * 86400; t -= 86399 * 7) {
    auto r = ParseUtcTime(FormatUtcTime(t));
    REQUIRE(r.ok());
    CHECK(*r == t);
  }
  CHECK(DaysSinceEpoch(Date{1970, 1, 1}) == 0);
  CHECK(DaysSinceEpoch(Date{2000, 3, 1}) == 11017);
}

}  // namespace
}  // namespace candor
