#include "candor/device_report.h"

#include "candor/manifest.h"
#include "candor/note.h"

namespace candor {
namespace {

constexpr std::string_view kCheckpointKey = "checkpoint ";
constexpr std::string_view kInstalledKey = "installed ";
constexpr std::string_view kEnd = "end";

// Reads the report front to back, counting lines for the error messages.
class ReportReader {
 public:
  explicit ReportReader(std::string_view text) : rest_(text) {}
  bool AtEnd() const { return rest_.empty(); }
  bool Peek(std::string_view prefix) const { return rest_.starts_with(prefix); }
  Result<std::string_view> Line() {
    std::string_view line;
    ++line_;
    if (!ConsumeLine(rest_, line)) return Err("truncated (no end line)");
    return line;
  }
  // `n` raw bytes, which must end at a line end (a note ends in "\n").
  Result<std::string_view> Bytes(size_t n) {
    if (n > rest_.size()) return Err("truncated checkpoint note");
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    for (char c : out) line_ += c == '\n' ? 1 : 0;
    return out;
  }
  Status Err(std::string_view what) const {
    return Status::Malformed("device report line " + std::to_string(line_) + ": " +
                             std::string(what));
  }

 private:
  std::string_view rest_;
  size_t line_ = 0;
};

// Splits "a b c" at single spaces; false on an empty field (double, leading
// or trailing space) or a field count other than `n`.
bool SplitFields(std::string_view line, size_t n, std::vector<std::string_view>& out) {
  out.clear();
  while (true) {
    size_t sp = line.find(' ');
    std::string_view field = line.substr(0, sp);
    if (field.empty()) return false;
    out.push_back(field);
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  return out.size() == n;
}

Result<ReportCheckpoint> ParseCheckpoint(ReportReader& r, std::string_view line) {
  Result<uint64_t> length = ParseDecimalU64(line.substr(kCheckpointKey.size()));
  if (!length.ok()) return r.Err("bad checkpoint length");
  if (*length > kMaxNoteSize) return r.Err("checkpoint note longer than the note limit");
  if (*length == 0) return r.Err("empty checkpoint note");
  CANDOR_ASSIGN_OR_RETURN(std::string_view note, r.Bytes(static_cast<size_t>(*length)));
  if (note.back() != '\n') return r.Err("checkpoint note does not end in a newline");
  if (note.find('\0') != std::string_view::npos) return r.Err("NUL in checkpoint note");
  ReportCheckpoint c;
  c.origin = std::string(note.substr(0, note.find('\n')));
  if (c.origin.empty()) return r.Err("checkpoint note without an origin line");
  c.note = std::string(note);
  return c;
}

Result<ReportRelease> ParseRelease(const ReportReader& r, std::string_view line) {
  std::vector<std::string_view> f;
  if (!SplitFields(line.substr(kInstalledKey.size()), 5, f)) {
    return r.Err("installed needs product, version, rollback, log index and leaf hash");
  }
  ReportRelease rel;
  if (!IsValidProductId(f[0])) return r.Err("bad product id");
  if (!IsValidVersion(f[1])) return r.Err("bad version");
  rel.product = std::string(f[0]);
  rel.version = std::string(f[1]);
  Result<uint64_t> rollback = ParseDecimalU64Full(f[2]);
  if (!rollback.ok()) return r.Err("bad rollback counter");
  rel.rollback = *rollback;
  Result<uint64_t> index = ParseDecimalU64(f[3]);
  if (!index.ok()) return r.Err("bad log index");
  rel.log_index = *index;
  Result<Hash> leaf = Base64DecodeHash(f[4]);
  if (!leaf.ok()) return r.Err("bad leaf hash");
  rel.leaf_hash = *leaf;
  return rel;
}

}  // namespace

bool IsDeviceReport(std::string_view text) {
  return text.starts_with(kDeviceReportHeader) && text.size() > kDeviceReportHeader.size() &&
         text[kDeviceReportHeader.size()] == '\n';
}

std::string FormatDeviceReport(const DeviceReport& report) {
  std::string out(kDeviceReportHeader);
  out += '\n';
  for (const ReportCheckpoint& c : report.checkpoints) {
    out += kCheckpointKey;
    AppendDecimal(out, c.note.size());
    out += '\n';
    out += c.note;
  }
  for (const ReportRelease& rel : report.releases) {
    out += kInstalledKey;
    out += rel.product;
    out += ' ';
    out += rel.version;
    out += ' ';
    AppendDecimal(out, rel.rollback);
    out += ' ';
    AppendDecimal(out, rel.log_index);
    out += ' ';
    out += Base64Encode(rel.leaf_hash);
    out += '\n';
  }
  out += kEnd;
  out += '\n';
  return out;
}

Result<DeviceReport> ParseDeviceReport(std::string_view text) {
  if (text.size() > kMaxDeviceReportSize) {
    return Status::TooLarge("device report larger than " + std::to_string(kMaxDeviceReportSize) +
                            " bytes");
  }
  ReportReader r(text);
  CANDOR_ASSIGN_OR_RETURN(std::string_view header, r.Line());
  if (header != kDeviceReportHeader) return r.Err("not a device report (bad header)");
  DeviceReport report;
  while (true) {
    CANDOR_ASSIGN_OR_RETURN(std::string_view line, r.Line());
    if (line.starts_with(kCheckpointKey)) {
      if (!report.releases.empty()) return r.Err("checkpoint after an installed release");
      if (report.checkpoints.size() == kMaxReportCheckpoints) return r.Err("too many checkpoints");
      CANDOR_ASSIGN_OR_RETURN(ReportCheckpoint c, ParseCheckpoint(r, line));
      if (!report.checkpoints.empty() && !(report.checkpoints.back().origin < c.origin)) {
        return r.Err("checkpoints not in strictly ascending order of origin");
      }
      report.checkpoints.push_back(std::move(c));
    } else if (line.starts_with(kInstalledKey)) {
      CANDOR_ASSIGN_OR_RETURN(ReportRelease rel, ParseRelease(r, line));
      if (!report.releases.empty() && !(report.releases.back().product < rel.product)) {
        return r.Err("installed releases not in strictly ascending order of product");
      }
      report.releases.push_back(std::move(rel));
    } else if (line == kEnd) {
      break;
    } else {
      return r.Err("unknown line");
    }
  }
  if (!r.AtEnd()) return r.Err("data after the end line");
  return report;
}

}  // namespace candor
