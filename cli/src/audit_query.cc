// `candor audit list` and `candor audit flags` (docs/AUDIT.md): the verified
// mirror's releases and flags, as a table or JSON.
#include <optional>
#include <ostream>
#include <string>

#include <fmt/format.h>

#include "audit.h"
#include "candor/date.h"
#include "candor/disclosure.h"

namespace candor::cli {

namespace {

// The options `list` and `flags` share: a mirror, filters, --json.
struct QueryArgs {
  std::string dir;
  AuditFilter filter;
  bool json = false;
  int64_t now = -1;  // flags: --now (ResolveNow)
};

std::optional<Outcome> ParseQueryArgs(const Args& args, std::string_view sub, Context& ctx,
                                      QueryArgs& q) {
  po::options_description desc("options");
  AddHelpOption(desc);
  AddDirOption(desc, &q.dir);
  AddFilterOptions(desc, &q.filter);
  AddJsonOption(desc, &q.json);
  if (sub == "flags") AddNowOption(desc, &q.now);
  po::variables_map vm;
  const std::string synopsis =
      fmt::format("{} --dir MIRROR [--vendor V]... [--product P]... [--json]", sub);
  if (auto early = ParseAuditArgs(args, desc, nullptr, synopsis, ctx, vm)) return early;
  if (q.dir.empty()) return UsageError(Status::InvalidArgument("missing --dir"));
  return std::nullopt;
}

}  // namespace

Outcome RunAuditList(const Args& args, Context& ctx) {
  QueryArgs q;
  if (auto early = ParseQueryArgs(args, "list", ctx, q)) return *early;
  CANDOR_ASSIGN_OR_RETURN(ReadMirror m, OpenMirrorForRead(q.dir));
  audit::ReleaseFilter f;
  f.vendors = q.filter.vendors;
  f.products = q.filter.products;
  f.with_text = false;
  CANDOR_ASSIGN_OR_RETURN(auto rows, m.mirror->index().Releases(f, m.state.size));
  if (q.json) {
    WriteReleaseListJson(ctx.out, m.state.size, rows);
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> t = {
      {"INDEX", "VENDOR", "PRODUCTS", "VERSION", "ROLLBACK", "ISSUED", "DISCLOSURES"}};
  for (const auto& r : rows) {
    size_t restrictive = 0;
    for (const auto& d : r.disclosures) restrictive += IsRestrictive(d) ? 1 : 0;
    t.push_back({std::to_string(r.log_index), r.vendor,
                 fmt::format("{}", fmt::join(r.products, ",")), r.version,
                 std::to_string(r.rollback), FormatUtcTime(r.issued),
                 fmt::format("{} ({} restrictive)", r.disclosures.size(), restrictive)});
  }
  PrintTable(ctx.out, t);
  ctx.out << rows.size() << " release(s) in a verified tree of " << m.state.size << " entries\n";
  return Status::Ok();
}

Outcome RunAuditFlags(const Args& args, Context& ctx) {
  QueryArgs q;
  if (auto early = ParseQueryArgs(args, "flags", ctx, q)) return *early;
  Result<int64_t> now = ResolveNow(q.now);
  CANDOR_CLI_USAGE_IF_ERROR(now.status());
  CANDOR_ASSIGN_OR_RETURN(ReadMirror m, OpenMirrorForRead(q.dir));
  CANDOR_ASSIGN_OR_RETURN(auto flags, LoadFlags(*m.mirror, m.state.size, *now));
  std::vector<audit::Flag> shown;
  for (auto& f : flags) {
    if (FlagMatches(f, q.filter)) shown.push_back(std::move(f));
  }
  if (q.json) {
    JsonWriter w(JsonWriter::Style::kCompact);
    w.BeginObject();
    w.Key("tree_size");
    w.Uint(m.state.size);
    w.Key("flags");
    w.BeginArray();
    for (const auto& f : shown) WriteFlagJson(f, w);
    w.EndArray();
    w.EndObject();
    ctx.out << w.Finish();
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> t = {{"INDEX", "FLAG", "RELEASE", "DETAIL"}};
  for (const auto& f : shown) {
    t.push_back({std::to_string(f.log_index), f.kind,
                 f.vendor.empty() ? "-" : f.vendor + "/" + f.product + " " + f.version, f.message});
  }
  PrintTable(ctx.out, t);
  ctx.out << shown.size() << " flag(s)\n";
  return Status::Ok();
}

}  // namespace candor::cli
