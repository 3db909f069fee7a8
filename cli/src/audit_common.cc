// What the `candor audit` subcommands share (audit.h).
#include <algorithm>
#include <ctime>
#include <optional>
#include <ostream>

#include <fmt/format.h>

#include "audit.h"
#include "candor/date.h"
#include "candor/disclosure.h"
#include "candor/fs/read_file.h"
#include "describe.h"
#include "files.h"

namespace candor::cli {

void AddHelpOption(po::options_description& desc) {
  desc.add_options()("help,h", "show this help");
}

void AddDirOption(po::options_description& desc, std::string* dir) {
  desc.add_options()("dir", po::value(dir), "mirror directory");
}

void AddFilterOptions(po::options_description& desc, AuditFilter* filter, const char* verb) {
  desc.add_options()("vendor", po::value(&filter->vendors)->composing(),
                     fmt::format("{} this vendor (repeatable)", verb).c_str())(
      "product", po::value(&filter->products)->composing(),
      fmt::format("{} this product (repeatable)", verb).c_str());
}

void AddJsonOption(po::options_description& desc, bool* json, const char* help) {
  desc.add_options()("json", po::bool_switch(json), help);
}

std::optional<Outcome> ParseAuditArgs(const Args& args, const po::options_description& desc,
                                      const po::positional_options_description* pos,
                                      std::string_view synopsis, Context& ctx,
                                      po::variables_map& vm) {
  Status st = ParseArgs(args, desc, pos, vm);
  if (!st.ok()) return UsageError(std::move(st));
  if (vm.count("help")) {
    PrintCommandHelp(ctx, fmt::format("audit {}", synopsis), desc);
    return Outcome(Status::Ok());
  }
  return std::nullopt;
}

Result<VerifierKey> ReadLogKey(const std::string& path) {
  return ReadVerifierKeyFile(path, "log key");
}

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (w.size() <= i) w.push_back(0);
      w[i] = std::max(w[i], r[i].size());
    }
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(w[i] + 2 - r[i].size(), ' ');
    }
    out << line << "\n";
  }
}

Result<ReadMirror> OpenMirrorForRead(const std::string& dir) {
  ReadMirror m;
  CANDOR_ASSIGN_OR_RETURN(m.mirror, audit::Mirror::Open(dir, false, false));
  CANDOR_ASSIGN_OR_RETURN(m.state, m.mirror->State());
  return m;
}

void AddNowOption(po::options_description& desc, int64_t* now) {
  desc.add_options()("now", po::value(now),
                     "the clock as Unix seconds, for activation alerts (default: system clock)");
}

Result<int64_t> ResolveNow(int64_t now) {
  if (now == -1) return NowSeconds();
  if (now < 0 || now > kMaxUnixSeconds) {
    return Status::InvalidArgument("--now must be Unix seconds up to 253402300799");
  }
  return now;
}

namespace {

// The flags of the verified tree of `size`, with the activations that arrived
// by `today` when it is set.
Result<std::vector<audit::Flag>> LoadFlagsThrough(audit::Mirror& mirror, uint64_t size,
                                                  std::optional<Date> today) {
  audit::ReleaseFilter f;
  CANDOR_ASSIGN_OR_RETURN(auto rows, mirror.index().Releases(f, size));
  CANDOR_ASSIGN_OR_RETURN(auto invalid, mirror.index().Invalid(size));
  std::vector<audit::Flag> flags = audit::ComputeFlags(rows, invalid);
  if (today) {
    for (audit::Flag& a : audit::ActivationFlags(rows, std::nullopt, *today)) {
      flags.push_back(std::move(a));
    }
  }
  CANDOR_ASSIGN_OR_RETURN(auto trust, LoadTrustFlags(mirror, size));
  for (audit::Flag& t : trust) flags.push_back(std::move(t));
  CANDOR_ASSIGN_OR_RETURN(auto observations, mirror.index().Observations(size));
  for (audit::Flag& o : audit::ObservationFlags(observations, rows)) flags.push_back(std::move(o));
  std::stable_sort(flags.begin(), flags.end(), [](const audit::Flag& a, const audit::Flag& b) {
    return a.log_index < b.log_index;
  });
  return flags;
}

}  // namespace

Result<std::vector<audit::Flag>> LoadReleaseFlags(audit::Mirror& mirror, uint64_t size) {
  return LoadFlagsThrough(mirror, size, std::nullopt);
}

Result<std::vector<audit::Flag>> LoadFlags(audit::Mirror& mirror, uint64_t size, int64_t now) {
  CANDOR_ASSIGN_OR_RETURN(Date today, ParseDate(FormatUtcTime(now).substr(0, 10)));
  return LoadFlagsThrough(mirror, size, today);
}

namespace {

bool Matches(const std::vector<std::string>& want, std::string_view v) {
  return want.empty() || std::find(want.begin(), want.end(), v) != want.end();
}

}  // namespace

bool FlagMatches(const audit::Flag& f, const AuditFilter& filter) {
  if (!Matches(filter.vendors, f.vendor)) return false;
  if (filter.products.empty()) return true;
  size_t p = 0;
  while (p <= f.product.size()) {
    size_t c = f.product.find(',', p);
    if (c == std::string::npos) c = f.product.size();
    if (Matches(filter.products, std::string_view(f.product).substr(p, c - p))) return true;
    p = c + 1;
  }
  return false;
}

void WriteReleaseRowJson(const audit::ReleaseRow& r, bool full, JsonWriter& json) {
  WriteReleaseRowJson(r, ReleaseJsonExtras{.changelog = full, .manifest = full}, json);
}

void WriteReleaseRowJson(const audit::ReleaseRow& r, const ReleaseJsonExtras& extras,
                         JsonWriter& json) {
  json.BeginObject();
  json.Key("log_index");
  json.Uint(r.log_index);
  json.Key("vendor");
  json.String(r.vendor);
  json.Key("vendor_key");
  json.String(r.vendor_key);
  json.Key("signers");
  json.BeginArray();
  for (const std::string& k : r.signers) json.String(k);
  json.EndArray();
  json.Key("signed_by");
  json.BeginArray();
  for (const std::string& k : r.signed_by) json.String(k);
  json.EndArray();
  json.Key("products");
  json.BeginArray();
  for (const std::string& p : r.products) json.String(p);
  json.EndArray();
  json.Key("version");
  json.String(r.version);
  json.Key("rollback");
  json.Uint(r.rollback);
  json.Key("image_sha256");
  json.String(r.image_sha256);
  json.Key("image_size");
  json.Uint(r.image_size);
  json.Key("issued");
  json.String(FormatUtcTime(r.issued));
  json.Key("logged");
  json.String(FormatUtcTime(r.logged));
  json.Key("leaf_hash");
  json.String(r.leaf_hex);
  json.Key("disclosures");
  json.BeginArray();
  for (const Disclosure& d : r.disclosures) WriteDisclosureJson(d, json);
  json.EndArray();
  if (extras.flags) {
    json.Key("flags");
    json.BeginArray();
    for (const std::string& f : *extras.flags) json.String(f);
    json.EndArray();
  }
  if (extras.observations) {
    json.Key("observations");
    json.Uint(*extras.observations);
  }
  if (extras.changelog) {
    json.Key("changelog");
    json.String(r.changelog);
  }
  if (extras.manifest) {
    json.Key("manifest");
    json.String(r.manifest);
  }
  if (extras.observation_list) {
    json.Key("observations");
    json.BeginArray();
    for (const ShownObservation& s : *extras.observation_list) WriteObservationJson(s, json);
    json.EndArray();
  }
  json.EndObject();
}

void WriteReleaseListJson(std::ostream& out, uint64_t tree_size,
                          const std::vector<audit::ReleaseRow>& rows,
                          const std::vector<std::pair<std::string, std::string>>& prefix) {
  JsonWriter w(JsonWriter::Style::kCompact);
  w.BeginObject();
  w.Key("tree_size");
  w.Uint(tree_size);
  for (const auto& [k, v] : prefix) {
    w.Key(k);
    w.String(v);
  }
  w.Key("releases");
  w.BeginArray();
  for (const auto& r : rows) WriteReleaseRowJson(r, false, w);
  w.EndArray();
  w.EndObject();
  out << w.Finish();
}

void WriteFlagJson(const audit::Flag& f, JsonWriter& json) {
  json.BeginObject();
  json.Key("flag");
  json.String(f.kind);
  json.Key("log_index");
  json.Uint(f.log_index);
  json.Key("vendor");
  json.String(f.vendor);
  json.Key("product");
  json.String(f.product);
  json.Key("version");
  json.String(f.version);
  json.Key("message");
  json.String(f.message);
  if (!f.date.empty()) {
    json.Key("date");
    json.String(f.date);
  }
  if (!f.domain.empty()) {
    json.Key("domain");
    json.String(f.domain);
  }
  if (f.observation) {
    json.Key("observation");
    json.Uint(*f.observation);
  }
  json.EndObject();
}

}  // namespace candor::cli
