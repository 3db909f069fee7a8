// The device report auditors read from devices (candor/device_report.h).
// Properties: only kMalformed/kTooLarge refusals; an accepted report is
// exactly its canonical form (format(parse(x)) == x); at most
// kMaxReportCheckpoints checkpoints in strictly ascending origin, each origin
// the first line of its note, each note ending in "\n", at most kMaxNoteSize
// bytes and without NUL; releases in strictly ascending product with valid
// product ids and versions; IsDeviceReport agrees with the header.
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/device_report.h"
#include "candor/manifest.h"
#include "candor/note.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto report = ParseDeviceReport(text);
  if (!report.ok()) {
    CANDOR_FUZZ_CHECK(report.status().code() == Code::kMalformed ||
                      report.status().code() == Code::kTooLarge);
    return 0;
  }
  CANDOR_FUZZ_CHECK(IsDeviceReport(text));
  CANDOR_FUZZ_CHECK(FormatDeviceReport(*report) == text);
  CANDOR_FUZZ_CHECK(report->checkpoints.size() <= kMaxReportCheckpoints);
  for (size_t i = 0; i < report->checkpoints.size(); ++i) {
    const ReportCheckpoint& c = report->checkpoints[i];
    CANDOR_FUZZ_CHECK(!c.note.empty() && c.note.size() <= kMaxNoteSize && c.note.back() == '\n');
    CANDOR_FUZZ_CHECK(c.note.find('\0') == std::string::npos);
    CANDOR_FUZZ_CHECK(!c.origin.empty() && c.note.starts_with(c.origin + "\n"));
    CANDOR_FUZZ_CHECK(i == 0 || report->checkpoints[i - 1].origin < c.origin);
  }
  for (size_t i = 0; i < report->releases.size(); ++i) {
    const ReportRelease& r = report->releases[i];
    CANDOR_FUZZ_CHECK(IsValidProductId(r.product) && IsValidVersion(r.version));
    CANDOR_FUZZ_CHECK(i == 0 || report->releases[i - 1].product < r.product);
  }
  return 0;
}
