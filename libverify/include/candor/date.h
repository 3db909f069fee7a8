// Calendar dates and UTC timestamps in the one textual form Candor signs.
//
// Release manifests carry an issue time (RFC 3339, UTC, second precision, a
// literal `Z`: "2026-03-01T12:00:00Z") and disclosures carry calendar dates
// ("2026-09-13", the RFC 3339 full-date production). Both are parsed strictly
// so that each instant has exactly one accepted spelling: fixed width, no
// fractional seconds, no numeric offsets, no leap second (":60"), lower-case
// "t"/"z" rejected, and only dates that exist in the proleptic Gregorian
// calendar. Supported range: years 1970 to 9999 inclusive.
//
// Thread-safety: pure functions on values.
#ifndef CANDOR_DATE_H_
#define CANDOR_DATE_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "candor/status.h"

namespace candor {

// A calendar day. Ordered chronologically (field order is year, month, day).
struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..28/29/30/31

  friend auto operator<=>(const Date&, const Date&) = default;
  friend bool operator==(const Date&, const Date&) = default;
};

inline constexpr int kMinYear = 1970;
inline constexpr int kMaxYear = 9999;

// True if `d` is a real day within [kMinYear, kMaxYear].
bool IsValidDate(const Date& d);

// Strict "YYYY-MM-DD". kMalformed on any deviation.
Result<Date> ParseDate(std::string_view text);
// REQUIRES: IsValidDate(d).
std::string FormatDate(const Date& d);

// Days since 1970-01-01. REQUIRES: IsValidDate(d).
int64_t DaysSinceEpoch(const Date& d);

// Unix time (seconds since 1970-01-01T00:00:00Z, no leap seconds) of the
// supported range [0, kMaxUnixSeconds].
inline constexpr int64_t kMaxUnixSeconds = 253402300799;  // 9999-12-31T23:59:59Z

// Strict "YYYY-MM-DDTHH:MM:SSZ" to Unix seconds. kMalformed on any deviation.
Result<int64_t> ParseUtcTime(std::string_view text);
// REQUIRES: 0 <= unix_seconds <= kMaxUnixSeconds.
std::string FormatUtcTime(int64_t unix_seconds);

}  // namespace candor

#endif  // CANDOR_DATE_H_
