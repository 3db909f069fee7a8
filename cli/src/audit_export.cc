// `candor audit export` (docs/AUDIT.md): every release of the verified
// mirror, one row each with its disclosures and flags, as RFC 4180 CSV (csv.h)
// or JSON Lines, for a newsroom's spreadsheet or a script.
//
// Reproducible byte for byte from the same mirror: rows in log order, flags
// sorted, no time of the run, no locale. Each row counts the observations
// about the release (docs/AUDIT.md "Observations"). The flags come from the one flag API
// (LoadReleaseFlags: audit::ComputeFlags and the trust roots'), by kind, so a flag
// kind added there appears here without a change.
#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "audit.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "csv.h"
#include "files.h"

namespace candor::cli {
namespace {

// The CSV columns, in order (docs/AUDIT.md "export").
const std::vector<std::string> kCsvHeader = {
    "log_index",    "vendor",      "products", "version",      "rollback",
    "image_sha256", "image_size",  "issued",   "logged",       "vendor_key",
    "leaf_hash",    "disclosures", "flags",    "observations", "changelog"};

// Log indexes read per index query: bounds the rows held at once.
constexpr uint64_t kChunk = 4096;
// A mirror at least this big gets a progress bar on an interactive stderr.
constexpr uint64_t kProgressEntries = 100000;

// Releases with one product or several are one row each: products joined by
// a space (product ids have no spaces, docs/FORMATS.md), flags likewise, and
// disclosures as their manifest lines joined by LF (one canonical cell).
std::string Joined(const std::vector<std::string>& v, std::string_view sep) {
  return fmt::format("{}", fmt::join(v, sep));
}

void AppendCsvRow(std::string& out, const audit::ReleaseRow& r,
                  const std::vector<std::string>& flags, uint64_t observations) {
  std::vector<std::string> lines;
  for (const Disclosure& d : r.disclosures) lines.push_back(FormatDisclosureLine(d));
  AppendCsvRecord(
      out, {std::to_string(r.log_index), r.vendor, Joined(r.products, " "), r.version,
            std::to_string(r.rollback), r.image_sha256, std::to_string(r.image_size),
            FormatUtcTime(r.issued), FormatUtcTime(r.logged), r.vendor_key, r.leaf_hex,
            Joined(lines, "\n"), Joined(flags, " "), std::to_string(observations), r.changelog});
}

// Flag kinds per log index, each list sorted and without repeats.
Result<std::map<uint64_t, std::vector<std::string>>> FlagKinds(audit::Mirror& mirror,
                                                               uint64_t size) {
  CANDOR_ASSIGN_OR_RETURN(auto flags, LoadReleaseFlags(mirror, size));
  std::map<uint64_t, std::set<std::string>> sets;
  for (audit::Flag& f : flags) sets[f.log_index].insert(std::move(f.kind));
  std::map<uint64_t, std::vector<std::string>> out;
  for (auto& [i, s] : sets) out[i] = std::vector<std::string>(s.begin(), s.end());
  return out;
}

// Observations per release index: those whose target check held in this
// mirror (one that failed is about no release it holds).
Result<std::map<uint64_t, uint64_t>> ObservationCounts(audit::Mirror& mirror, uint64_t size) {
  CANDOR_ASSIGN_OR_RETURN(auto observations, mirror.index().Observations(size));
  std::map<uint64_t, uint64_t> out;
  for (const audit::ObservationRow& o : observations) {
    if (o.target_error.empty()) ++out[o.release_index];
  }
  return out;
}

}  // namespace

Outcome RunAuditExport(const Args& args, Context& ctx) {
  std::string dir, format, out_path;
  AuditFilter filter;
  bool force = false;
  po::options_description desc("options");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  desc.add_options()("format", po::value(&format), "csv (RFC 4180) or json (JSON Lines)");
  AddFilterOptions(desc, &filter);
  desc.add_options()("out", po::value(&out_path), "write to FILE (atomically) instead of stdout")(
      "force", po::bool_switch(&force), "replace FILE if it exists");
  po::variables_map vm;
  if (auto early = ParseAuditArgs(args, desc, nullptr,
                                  "export --dir MIRROR --format csv|json [--vendor V]... "
                                  "[--product P]... [--out FILE] [--force]",
                                  ctx, vm)) {
    return *early;
  }
  if (dir.empty() || format.empty()) {
    return UsageError(Status::InvalidArgument("export needs --dir and --format"));
  }
  if (format != "csv" && format != "json") {
    return UsageError(
        Status::InvalidArgument("--format must be csv or json, got '" + format + "'"));
  }
  if (!out_path.empty() && !force && PathExists(out_path)) {
    return Status::Conflict(out_path + " already exists (use --force to replace it)");
  }
  CANDOR_ASSIGN_OR_RETURN(ReadMirror m, OpenMirrorForRead(dir));
  const uint64_t size = m.state.size;
  CANDOR_ASSIGN_OR_RETURN(const auto flags, FlagKinds(*m.mirror, size));
  CANDOR_ASSIGN_OR_RETURN(const auto observations, ObservationCounts(*m.mirror, size));
  const std::vector<std::string> no_flags;

  // To stdout, each chunk is written as it is made; with --out the whole
  // export is assembled and then written in one atomic step, so an error
  // leaves nothing behind (and FILE as it was).
  std::string buf;
  if (format == "csv") AppendCsvRecord(buf, kCsvHeader);
  Progress progress(ctx.err, "export", size, ctx.err_is_tty && size >= kProgressEntries, "entries");
  audit::ReleaseFilter f;
  f.vendors = filter.vendors;
  f.products = filter.products;
  f.with_text = true;
  for (uint64_t start = 0; start < size; start += kChunk) {
    const uint64_t end = std::min(size, start + kChunk);
    f.min_index = start;
    CANDOR_ASSIGN_OR_RETURN(auto rows, m.mirror->index().Releases(f, end));
    for (const audit::ReleaseRow& r : rows) {
      auto it = flags.find(r.log_index);
      const std::vector<std::string>& kinds = it == flags.end() ? no_flags : it->second;
      auto oit = observations.find(r.log_index);
      const uint64_t seen = oit == observations.end() ? 0 : oit->second;
      if (format == "csv") {
        AppendCsvRow(buf, r, kinds, seen);
      } else {
        JsonWriter w(JsonWriter::Style::kCompact);
        WriteReleaseRowJson(
            r, ReleaseJsonExtras{.flags = &kinds, .observations = &seen, .changelog = true}, w);
        buf += w.Finish();  // one object per line (JSON Lines)
      }
    }
    if (out_path.empty()) {
      ctx.out << buf;
      buf.clear();
    }
    progress.Add(end - start);
  }
  if (out_path.empty()) {
    ctx.out.flush();
    return Status::Ok();
  }
  return WriteFileAtomic(out_path, buf, force);
}

}  // namespace candor::cli
