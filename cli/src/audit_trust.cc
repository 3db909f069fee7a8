// `candor audit trust` (docs/AUDIT.md "Trust roots"): each domain's trust
// root timeline with what changed between versions and the flags, and the
// trust root view of `candor audit show INDEX`.
#include <ostream>

#include <fmt/format.h>

#include "audit.h"
#include "candor/audit/trust_history.h"
#include "candor/date.h"
#include "candor/merkle.h"

namespace candor::cli {
namespace {

void WriteChangesJson(const std::vector<audit::TrustChange>& changes, JsonWriter& json) {
  json.BeginArray();
  for (const audit::TrustChange& c : changes) {
    json.BeginObject();
    json.Key("kind");
    json.String(c.kind);
    json.Key("flag");
    json.Bool(c.flag);
    json.Key("detail");
    json.String(c.detail);
    json.EndObject();
  }
  json.EndArray();
}

// The members a trust root has in both `trust` and `show` JSON.
void WriteTrustRootFields(const audit::TrustRootRow& r, JsonWriter& json) {
  json.Key("log_index");
  json.Uint(r.log_index);
  json.Key("domain");
  json.String(r.domain);
  json.Key("version");
  json.Uint(r.version);
  json.Key("expires");
  json.String(FormatUtcTime(r.expires));
  json.Key("logged");
  json.String(FormatUtcTime(r.logged));
  json.Key("root_threshold");
  json.Uint(r.root_threshold);
  json.Key("root_keys");
  json.BeginArray();
  for (const std::string& k : r.root_keys) json.String(k);
  json.EndArray();
  json.Key("follows");
  json.Bool(r.follows);
  json.Key("chain_flag");
  json.String(r.chain_flag);
  json.Key("chain_error");
  json.String(r.chain_error);
}

void WriteOptionalUint(const std::optional<uint64_t>& v, JsonWriter& json) {
  if (v) {
    json.Uint(*v);
  } else {
    json.Null();
  }
}

}  // namespace

Result<std::optional<audit::TrustRootRow>> FindTrustRoot(ReadMirror& m, uint64_t log_index) {
  CANDOR_ASSIGN_OR_RETURN(auto r, m.mirror->index().TrustRootByIndex(log_index, m.state.size));
  if (!r) return r;
  // As for releases: the mirror's verified bundle must still hold the entry
  // indexed.
  CANDOR_ASSIGN_OR_RETURN(Bytes entry, m.mirror->ReadEntry(r->log_index, m.state.size));
  if (HexEncode(LeafHash(entry)) != r->leaf_hex || AsChars(entry) != r->note) {
    return Status::Mismatch("mirror bundle for index " + std::to_string(r->log_index) +
                            " does not match the index (corrupt mirror?)");
  }
  return r;
}

void PrintTrustRoot(std::ostream& out, const audit::TrustRootRow& r) {
  out << "log index:      " << r.log_index << "\n";
  out << "trust root:     " << r.domain << " version " << r.version << "\n";
  out << "expires:        " << FormatUtcTime(r.expires) << "\n";
  out << "logged by:      " << FormatUtcTime(r.logged) << " (first seen by this mirror)\n";
  out << "root threshold: " << r.root_threshold << " of " << r.root_keys.size() << "\n";
  for (const std::string& k : r.root_keys) out << "  root " << k << "\n";
  out << "chain:          "
      << (r.follows ? "follows the rotation rule" : r.chain_flag + ": " + r.chain_error) << "\n";
  out << "leaf hash:      " << r.leaf_hex << "\n";
  out << "policy:\n";
  size_t p = 0;
  while (p < r.policy.size()) {
    size_t nl = r.policy.find('\n', p);
    if (nl == std::string::npos) nl = r.policy.size();
    out << "  | " << r.policy.substr(p, nl - p) << "\n";
    p = nl + 1;
  }
  out << "signed note:\n" << r.note;
}

void WriteTrustRootJson(const audit::TrustRootRow& r, JsonWriter& json) {
  json.BeginObject();
  json.Key("type");
  json.String("trust-root");
  WriteTrustRootFields(r, json);
  json.Key("leaf_hash");
  json.String(r.leaf_hex);
  json.Key("policy");
  json.String(r.policy);
  json.Key("note");
  json.String(r.note);
  json.EndObject();
}

Result<std::vector<audit::Flag>> LoadTrustFlags(audit::Mirror& mirror, uint64_t size) {
  CANDOR_ASSIGN_OR_RETURN(auto rows, mirror.index().TrustRoots(size));
  CANDOR_ASSIGN_OR_RETURN(auto histories, audit::BuildTrustHistory(rows));
  return audit::TrustFlags(histories);
}

Outcome RunAuditTrust(const Args& args, Context& ctx) {
  std::string dir, domain;
  bool json = false;
  po::options_description desc("options");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  desc.add_options()("domain", po::value(&domain), "only this trust root domain");
  AddJsonOption(desc, &json);
  po::variables_map vm;
  if (auto early = ParseAuditArgs(args, desc, nullptr, "trust --dir MIRROR [--domain D] [--json]",
                                  ctx, vm)) {
    return *early;
  }
  if (dir.empty()) return UsageError(Status::InvalidArgument("missing --dir"));
  CANDOR_ASSIGN_OR_RETURN(ReadMirror m, OpenMirrorForRead(dir));
  // The whole log's roots: a domain's history does not depend on the others,
  // but filtering after BuildTrustHistory keeps one code path.
  CANDOR_ASSIGN_OR_RETURN(auto rows, m.mirror->index().TrustRoots(m.state.size));
  CANDOR_ASSIGN_OR_RETURN(auto histories, audit::BuildTrustHistory(rows));
  std::erase_if(histories, [&](const audit::TrustDomainHistory& h) {
    return !domain.empty() && h.domain != domain;
  });
  if (json) {
    JsonWriter w(JsonWriter::Style::kCompact);
    w.BeginObject();
    w.Key("tree_size");
    w.Uint(m.state.size);
    w.Key("domains");
    w.BeginArray();
    for (const audit::TrustDomainHistory& h : histories) {
      w.BeginObject();
      w.Key("domain");
      w.String(h.domain);
      w.Key("versions");
      w.BeginArray();
      for (const audit::TrustVersion& v : h.versions) {
        w.BeginObject();
        WriteTrustRootFields(v.row, w);
        w.Key("previous_version");
        WriteOptionalUint(v.previous_version, w);
        w.Key("previous_log_index");
        WriteOptionalUint(v.previous_log_index, w);
        w.Key("changes");
        WriteChangesJson(v.changes, w);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    ctx.out << w.Finish();
    return Status::Ok();
  }
  for (const audit::TrustDomainHistory& h : histories) {
    ctx.out << h.domain << "\n";
    for (const audit::TrustVersion& v : h.versions) {
      ctx.out << fmt::format(
          "  version {} (#{}) expires {}, logged by {}, threshold {} of {}{}\n", v.row.version,
          v.row.log_index, FormatUtcTime(v.row.expires), FormatUtcTime(v.row.logged),
          v.row.root_threshold, v.row.root_keys.size(),
          v.previous_version ? fmt::format(", against version {} (#{})", *v.previous_version,
                                           *v.previous_log_index)
                             : "");
      for (const audit::TrustChange& c : v.changes) {
        ctx.out << "    " << (c.flag ? "! " : "  ") << c.kind << ": " << c.detail << "\n";
      }
    }
  }
  if (histories.empty()) {
    ctx.out << "no trust root" << (domain.empty() ? "" : " of " + domain)
            << " in a verified tree of " << m.state.size << " entries\n";
  }
  return Status::Ok();
}

}  // namespace candor::cli
