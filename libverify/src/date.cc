// Strict RFC 3339 subset; see date.h for the accepted forms.
#include "candor/date.h"

#include <cstdio>

namespace candor {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Parses exactly `n` ASCII digits at text[pos..pos+n).
bool Digits(std::string_view text, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Inverse of DaysSinceEpoch (H. Hinnant's civil_from_days).
Date DateFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return Date{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

}  // namespace

bool IsValidDate(const Date& d) {
  if (d.year < kMinYear || d.year > kMaxYear) return false;
  if (d.month < 1 || d.month > 12) return false;
  return d.day >= 1 && d.day <= DaysInMonth(d.year, d.month);
}

Result<Date> ParseDate(std::string_view text) {
  Date d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, &d.year) ||
      !Digits(text, 5, 2, &d.month) || !Digits(text, 8, 2, &d.day)) {
    return Status::Malformed("date is not YYYY-MM-DD");
  }
  if (!IsValidDate(d)) return Status::Malformed("date does not exist or is out of range");
  return d;
}

std::string FormatDate(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

int64_t DaysSinceEpoch(const Date& d) {
  // H. Hinnant's days_from_civil.
  const int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = d.month > 2 ? d.month - 3 : d.month + 9;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Result<int64_t> ParseUtcTime(std::string_view text) {
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return Status::Malformed("time is not YYYY-MM-DDTHH:MM:SSZ");
  }
  CANDOR_ASSIGN_OR_RETURN(Date d, ParseDate(text.substr(0, 10)));
  int hh = 0, mm = 0, ss = 0;
  if (!Digits(text, 11, 2, &hh) || !Digits(text, 14, 2, &mm) || !Digits(text, 17, 2, &ss)) {
    return Status::Malformed("time is not YYYY-MM-DDTHH:MM:SSZ");
  }
  if (hh > 23 || mm > 59 || ss > 59) return Status::Malformed("time of day out of range");
  return DaysSinceEpoch(d) * 86400 + hh * 3600 + mm * 60 + ss;
}

std::string FormatUtcTime(int64_t unix_seconds) {
  const int64_t days = unix_seconds / 86400;
  const int64_t secs = unix_seconds % 86400;
  const Date d = DateFromDays(days);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

}  // namespace candor
