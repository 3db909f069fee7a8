// Dates and UTC times: ParseDate / FormatDate / DaysSinceEpoch and
// ParseUtcTime / FormatUtcTime.
// Properties: format(parse(x)) == x byte for byte; parsed values are in the
// documented range; a date and its midnight agree (DaysSinceEpoch * 86400).
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/date.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto date = ParseDate(text);
  if (date.ok()) {
    CANDOR_FUZZ_CHECK(IsValidDate(*date));
    CANDOR_FUZZ_CHECK(FormatDate(*date) == text);
    const int64_t days = DaysSinceEpoch(*date);
    CANDOR_FUZZ_CHECK(days >= 0 && days * 86400 <= kMaxUnixSeconds);
    auto midnight = ParseUtcTime(std::string(text) + "T00:00:00Z");
    CANDOR_FUZZ_CHECK(midnight.ok() && *midnight == days * 86400);
  }
  auto t = ParseUtcTime(text);
  if (t.ok()) {
    CANDOR_FUZZ_CHECK(*t >= 0 && *t <= kMaxUnixSeconds);
    CANDOR_FUZZ_CHECK(FormatUtcTime(*t) == text);
    auto day = ParseDate(text.substr(0, 10));
    CANDOR_FUZZ_CHECK(day.ok() && DaysSinceEpoch(*day) == *t / 86400);
  }
  return 0;
}
