// The device report (docs/FORMATS.md "Device report"): what one device saw of
// the logs it trusts, as `candor-agent report` prints it and `candor audit
// gossip` reads it. It needs no key on the device: each checkpoint is the
// signed note the device accepted, with the log's signature and the witness
// cosignatures, verbatim, so an auditor can hold the log to it.
//
//   candor.dev/device-report/v1
//   checkpoint <byte length of the note>
//   <the signed checkpoint note, verbatim: exactly that many bytes>
//   ...                                   (0..kMaxReportCheckpoints)
//   installed <product> <version> <rollback> <log-index> <leaf-hash-base64>
//   ...
//   end
//
// Framing: a signed note holds a blank line (between its text and its
// signatures), so it cannot be delimited by one; it is length-prefixed
// instead, like the checkpoints of an evidence file. The trailing `end` line
// makes a truncated report (a lost last line) a parse error rather than a
// report with fewer releases.
//
// Strict and canonical: "\n" line ends, single spaces, canonical decimals
// (candor/bytes.h) and base64; checkpoints in strictly ascending order of
// origin (the note's first line), each note at most kMaxNoteSize bytes,
// ending in "\n" and holding no NUL; installed releases in strictly ascending
// order of product (IsValidProductId, IsValidVersion); nothing after `end`;
// the whole report at most kMaxDeviceReportSize bytes (kTooLarge beyond).
// FormatDeviceReport(ParseDeviceReport(x)) == x.
//
// Parsing checks the form only: whether a note is a checkpoint signed by its
// log, and what it says about the log, is for its reader to judge (candor
// audit gossip judges each with the one gossip check, candor/audit/gossip.h).
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_DEVICE_REPORT_H_
#define CANDOR_DEVICE_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/policy.h"
#include "candor/status.h"

namespace candor {

inline constexpr std::string_view kDeviceReportHeader = "candor.dev/device-report/v1";
// A device keeps one last-seen checkpoint per log its policy trusts.
inline constexpr size_t kMaxReportCheckpoints = kMaxPolicyLogs;
// The agent's state file is at most 4 MiB and stores each note base64-encoded
// beside every field of the report, so a report made from a state is smaller.
inline constexpr size_t kMaxDeviceReportSize = 4 * 1024 * 1024;

struct ReportCheckpoint {
  std::string origin;  // the note's first line (its checkpoint origin)
  std::string note;    // the signed note, verbatim

  friend bool operator==(const ReportCheckpoint&, const ReportCheckpoint&) = default;
};

// One installed release, as the device recorded it. The device does not
// record which log it was installed from: a report of a device trusting one
// log names it by its only checkpoint.
struct ReportRelease {
  std::string product;
  std::string version;
  uint64_t rollback = 0;
  uint64_t log_index = 0;
  Hash leaf_hash{};  // RFC 6962 leaf hash of the release entry

  friend bool operator==(const ReportRelease&, const ReportRelease&) = default;
};

struct DeviceReport {
  std::vector<ReportCheckpoint> checkpoints;  // ascending origin
  std::vector<ReportRelease> releases;        // ascending product

  friend bool operator==(const DeviceReport&, const DeviceReport&) = default;
};

// True if `text` starts with the header line: how a reader tells a report
// from a bare checkpoint note (whose first line is its origin, never this).
bool IsDeviceReport(std::string_view text);

// The canonical text. REQUIRES: `report` is what ParseDeviceReport accepts
// (ordering, limits, fields); ReportCheckpoint::origin the note's first line.
std::string FormatDeviceReport(const DeviceReport& report);

// Strict parse (see the header comment): kMalformed naming the line, kTooLarge.
Result<DeviceReport> ParseDeviceReport(std::string_view text);

}  // namespace candor

#endif  // CANDOR_DEVICE_REPORT_H_
