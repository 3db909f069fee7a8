// `candor audit show` and `candor audit diff` (docs/AUDIT.md): one release (or
// trust root) of the verified mirror, and the disclosure changes between versions of a
// product.
#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "audit.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "describe.h"

namespace candor::cli {
namespace {

// VENDOR/PRODUCT/VERSION: vendor up to the first '/', version after the last
// (product ids may contain '/'). With `version` null, VENDOR/PRODUCT.
bool SplitRef(const std::string& s, std::string& vendor, std::string& product,
              std::string* version) {
  size_t a = s.find('/');
  if (a == std::string::npos || a == 0) return false;
  vendor = s.substr(0, a);
  if (version == nullptr) {
    product = s.substr(a + 1);
    return !product.empty();
  }
  size_t b = s.rfind('/');
  if (b == a) return false;
  product = s.substr(a + 1, b - a - 1);
  *version = s.substr(b + 1);
  return !product.empty() && !version->empty();
}

void PrintRelease(std::ostream& out, const audit::ReleaseRow& r,
                  const std::vector<ShownObservation>& observations) {
  out << "log index:     " << r.log_index << "\n";
  out << "vendor:        " << r.vendor << "\n";
  out << "vendor key:    " << r.vendor_key << "\n";
  if (r.signers.size() > 1) {
    out << "signers:       " << r.signed_by.size() << " of " << r.signers.size() << " signed\n";
    for (const std::string& k : r.signers) {
      const bool done = std::find(r.signed_by.begin(), r.signed_by.end(), k) != r.signed_by.end();
      out << "  " << (done ? "signed  " : "pending ") << k << "\n";
    }
  }
  out << "products:      " << fmt::format("{}", fmt::join(r.products, ", ")) << "\n";
  out << "version:       " << r.version << "\n";
  out << "rollback:      " << r.rollback << "\n";
  out << "image sha256:  " << r.image_sha256 << " (" << r.image_size << " bytes)\n";
  out << "issued:        " << FormatUtcTime(r.issued) << " (the vendor's claim)\n";
  out << "logged by:     " << FormatUtcTime(r.logged) << " (first seen by this mirror)\n";
  out << "leaf hash:     " << r.leaf_hex << "\n";
  out << "disclosures:   " << (r.disclosures.empty() ? "none" : "") << "\n";
  for (const auto& d : r.disclosures) {
    out << "  " << (IsRestrictive(d) ? "! " : "  ") << DescribeDisclosure(d) << "\n";
  }
  PrintObservations(out, observations);
  out << "changelog:\n";
  const std::string& cl = r.changelog;
  size_t p = 0;
  while (p < cl.size()) {
    size_t nl = cl.find('\n', p);
    if (nl == std::string::npos) nl = cl.size();
    out << "  | " << cl.substr(p, nl - p) << "\n";
    p = nl + 1;
  }
  out << "manifest:\n" << r.manifest;
}

// The releases `ref` (INDEX or VENDOR/PRODUCT/VERSION) names: several when a
// vendor equivocated. Each with its signed manifest from the mirror's bundle,
// whose leaf hash must still be the one indexed.
Result<std::vector<audit::ReleaseRow>> FindReleases(ReadMirror& m, const std::string& ref) {
  std::vector<audit::ReleaseRow> rows;
  if (auto idx = ParseDecimalU64(ref); idx.ok()) {
    CANDOR_ASSIGN_OR_RETURN(auto r, m.mirror->index().ByIndex(*idx, m.state.size));
    if (!r) return Status::NotFound("no release at index " + ref + " in the verified mirror");
    rows.push_back(std::move(*r));
  } else {
    std::string vendor, product, version;
    if (!SplitRef(ref, vendor, product, &version)) {
      return Status::InvalidArgument("expected INDEX or VENDOR/PRODUCT/VERSION, got '" + ref + "'");
    }
    CANDOR_ASSIGN_OR_RETURN(auto all, m.mirror->index().ForProduct(vendor, product, m.state.size));
    for (auto& r : all) {
      if (r.version == version) rows.push_back(std::move(r));
    }
    if (rows.empty()) return Status::NotFound("no release " + ref + " in the mirror");
  }
  for (audit::ReleaseRow& r : rows) {
    CANDOR_ASSIGN_OR_RETURN(Bytes entry, m.mirror->ReadEntry(r.log_index, m.state.size));
    if (HexEncode(LeafHash(entry)) != r.leaf_hex) {
      return Status::Mismatch("mirror bundle for index " + std::to_string(r.log_index) +
                              " does not match the index (corrupt mirror?)");
    }
    CANDOR_ASSIGN_OR_RETURN(ReleaseEntry parsed, ParseReleaseEntry(entry));
    r.manifest = parsed.signed_manifest_note;
  }
  return rows;
}

std::string ChangeLine(const audit::DisclosureChange& c) {
  if (c.change == "added") return "+ " + DescribeDisclosure(*c.to);
  if (c.change == "removed") return "- " + DescribeDisclosure(*c.from);
  if (c.change == "event") return "* " + DescribeDisclosure(*c.to) + " (this release)";
  if (c.change == "dropped") {
    return "! " + DescribeDisclosure(*c.from) + " (stated by " + c.since +
           ", not restated: still in effect, disclosure-dropped)";
  }
  return "~ " + DescribeDisclosure(*c.from) + "  ->  " + DescribeDisclosure(*c.to);
}

void WriteVersionJson(const audit::ReleaseRow& r, JsonWriter& json) {
  json.BeginObject();
  json.Key("version");
  json.String(r.version);
  json.Key("log_index");
  json.Uint(r.log_index);
  json.Key("rollback");
  json.Uint(r.rollback);
  json.EndObject();
}

void WriteDiffJson(const audit::ReleaseRow& a, const audit::ReleaseRow& b,
                   const std::vector<audit::DisclosureChange>& changes, JsonWriter& json) {
  json.BeginObject();
  json.Key("from");
  WriteVersionJson(a, json);
  json.Key("to");
  WriteVersionJson(b, json);
  json.Key("changes");
  json.BeginArray();
  for (const auto& c : changes) {
    json.BeginObject();
    json.Key("change");
    json.String(c.change);
    json.Key("from");
    if (c.from) {
      WriteDisclosureJson(*c.from, json);
    } else {
      json.Null();
    }
    json.Key("to");
    if (c.to) {
      WriteDisclosureJson(*c.to, json);
    } else {
      json.Null();
    }
    if (!c.since.empty()) {
      json.Key("since");
      json.String(c.since);
    }
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}

using RowPair = std::pair<const audit::ReleaseRow*, const audit::ReleaseRow*>;

// The version pairs to compare: FROM TO when given, else each consecutive pair.
Result<std::vector<RowPair>> DiffPairs(const std::vector<audit::ReleaseRow>& rows,
                                       const std::vector<std::string>& refs) {
  std::vector<RowPair> pairs;
  if (refs.size() == 3) {
    auto find = [&](const std::string& v) -> const audit::ReleaseRow* {
      for (const auto& r : rows) {
        if (r.version == v) return &r;
      }
      return nullptr;
    };
    const audit::ReleaseRow* a = find(refs[1]);
    const audit::ReleaseRow* b = find(refs[2]);
    if (!a || !b) return Status::NotFound("version " + (a ? refs[2] : refs[1]) + " not found");
    pairs.emplace_back(a, b);
  } else {
    for (size_t i = 1; i < rows.size(); ++i) pairs.emplace_back(&rows[i - 1], &rows[i]);
  }
  return pairs;
}

}  // namespace

Outcome RunAuditShow(const Args& args, Context& ctx) {
  std::string dir, ref;
  bool json = false;
  po::options_description desc("options");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  AddJsonOption(desc, &json);
  desc.add_options()("ref", po::value(&ref), "INDEX or VENDOR/PRODUCT/VERSION");
  po::positional_options_description pos;
  pos.add("ref", 1);
  po::variables_map vm;
  if (auto early = ParseAuditArgs(
          args, desc, &pos, "show --dir MIRROR INDEX|VENDOR/PRODUCT/VERSION [--json]", ctx, vm)) {
    return *early;
  }
  if (dir.empty() || ref.empty()) {
    return UsageError(Status::InvalidArgument("show needs --dir and a release"));
  }
  if (std::string v, p, ver; !ParseDecimalU64(ref).ok() && !SplitRef(ref, v, p, &ver)) {
    return UsageError(
        Status::InvalidArgument("expected INDEX or VENDOR/PRODUCT/VERSION, got '" + ref + "'"));
  }
  CANDOR_ASSIGN_OR_RETURN(ReadMirror m, OpenMirrorForRead(dir));
  if (auto idx = ParseDecimalU64(ref); idx.ok()) {
    CANDOR_ASSIGN_OR_RETURN(auto root, FindTrustRoot(m, *idx));
    if (root) {
      if (json) {
        JsonWriter w(JsonWriter::Style::kCompact);
        WriteTrustRootJson(*root, w);
        ctx.out << w.Finish();
      } else {
        PrintTrustRoot(ctx.out, *root);
      }
      return Status::Ok();
    }
    CANDOR_ASSIGN_OR_RETURN(auto observation,
                            m.mirror->index().ObservationByIndex(*idx, m.state.size));
    if (observation) {
      CANDOR_ASSIGN_OR_RETURN(const ShownObservation shown,
                              JudgeObservation(m, std::move(*observation)));
      if (json) {
        JsonWriter w(JsonWriter::Style::kCompact);
        WriteObservationJson(shown, w);
        ctx.out << w.Finish();
      } else {
        PrintObservation(ctx.out, shown);
      }
      return Status::Ok();
    }
  }
  CANDOR_ASSIGN_OR_RETURN(const std::vector<audit::ReleaseRow> rows, FindReleases(m, ref));
  std::vector<std::vector<ShownObservation>> observations;
  for (const auto& r : rows) {
    CANDOR_ASSIGN_OR_RETURN(auto list, ObservationsAbout(m, r));
    observations.push_back(std::move(list));
  }
  if (json) {
    JsonWriter w(JsonWriter::Style::kCompact);
    if (rows.size() != 1) w.BeginArray();
    for (size_t i = 0; i < rows.size(); ++i) {
      WriteReleaseRowJson(
          rows[i],
          ReleaseJsonExtras{
              .changelog = true, .manifest = true, .observation_list = &observations[i]},
          w);
    }
    if (rows.size() != 1) w.EndArray();
    ctx.out << w.Finish();
    return Status::Ok();
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) ctx.out << "\n(equivocation: another entry for the same version)\n\n";
    PrintRelease(ctx.out, rows[i], observations[i]);
  }
  return Status::Ok();
}

Outcome RunAuditDiff(const Args& args, Context& ctx) {
  std::string dir;
  std::vector<std::string> refs;
  bool json = false;
  po::options_description desc("options");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  AddJsonOption(desc, &json);
  desc.add_options()("ref", po::value(&refs), "VENDOR/PRODUCT [FROM TO]");
  po::positional_options_description pos;
  pos.add("ref", -1);
  po::variables_map vm;
  if (auto early = ParseAuditArgs(args, desc, &pos,
                                  "diff --dir MIRROR VENDOR/PRODUCT [FROM TO] [--json]", ctx, vm)) {
    return *early;
  }
  std::string vendor, product;
  if (dir.empty() || (refs.size() != 1 && refs.size() != 3) ||
      !SplitRef(refs[0], vendor, product, nullptr)) {
    return UsageError(Status::InvalidArgument("diff needs --dir and VENDOR/PRODUCT [FROM TO]"));
  }
  CANDOR_ASSIGN_OR_RETURN(ReadMirror m, OpenMirrorForRead(dir));
  CANDOR_ASSIGN_OR_RETURN(auto rows, m.mirror->index().ForProduct(vendor, product, m.state.size));
  if (rows.empty()) return Status::NotFound("no release of " + refs[0] + " in the mirror");
  audit::SortByVersionOrder(rows);
  CANDOR_ASSIGN_OR_RETURN(std::vector<RowPair> pairs, DiffPairs(rows, refs));
  JsonWriter w(JsonWriter::Style::kCompact);
  w.BeginObject();
  w.Key("vendor");
  w.String(vendor);
  w.Key("product");
  w.String(product);
  w.Key("diffs");
  w.BeginArray();
  // The product's effective disclosures after each version (docs/FORMATS.md
  // "State and event kinds"): a pair compares the state after FROM with the
  // state after TO, plus TO's events and what TO dropped.
  const std::vector<DisclosureTransition> transitions = audit::ProductTransitions(rows);
  auto transition_of = [&](const audit::ReleaseRow* r) -> const DisclosureTransition& {
    return transitions[static_cast<size_t>(r - rows.data())];
  };
  for (auto [a, b] : pairs) {
    auto changes = audit::DiffDisclosures(transition_of(a).after, transition_of(b));
    if (json) {
      WriteDiffJson(*a, *b, changes, w);
      continue;
    }
    ctx.out << vendor << "/" << product << " " << a->version << " (#" << a->log_index << ") -> "
            << b->version << " (#" << b->log_index << ")\n";
    if (changes.empty()) ctx.out << "  no disclosure changes\n";
    for (const auto& c : changes) ctx.out << "  " << ChangeLine(c) << "\n";
  }
  w.EndArray();
  w.EndObject();
  if (json) ctx.out << w.Finish();
  if (!json && pairs.empty()) ctx.out << "only one version of " << refs[0] << " in the mirror\n";
  return Status::Ok();
}

}  // namespace candor::cli
