// `candor audit ...` (see command.h and docs/AUDIT.md).
#include "audit_command.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <ostream>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "candor/audit/analysis.h"
#include "candor/audit/feed.h"
#include "candor/audit/gossip.h"
#include "candor/audit/mirror.h"
#include "candor/audit/sync.h"
#include "candor/date.h"
#include "candor/json_string.h"
#include "candor/http/http_client.h"
#include "candor/log/storage.h"
#include "candor/merkle.h"
#include "candor/release.h"

namespace candor::audit {
namespace {

namespace po = boost::program_options;
using cli::Args;
using cli::Context;
using cli::Outcome;

constexpr const char* kUsage =
    "usage: candor audit <command> [options]\n"
    "  sync    --log URL|DIR --log-key LOG.pub [--policy FILE] --dir MIRROR [--json]\n"
    "  list    --dir MIRROR [--vendor V]... [--product P]... [--json]\n"
    "  show    --dir MIRROR INDEX|VENDOR/PRODUCT/VERSION [--json]\n"
    "  diff    --dir MIRROR VENDOR/PRODUCT [FROM TO] [--json]\n"
    "  flags   --dir MIRROR [--vendor V]... [--product P]... [--json]\n"
    "  watch   --log URL --log-key LOG.pub [--policy FILE] --dir MIRROR [--vendor V]...\n"
    "          [--product P]... [--interval S] [--webhook URL] [--atom FILE] [--once] [--json]\n"
    "  gossip  --dir MIRROR [--log-key LOG.pub] CHECKPOINT_FILE... [--json]\n"
    "See docs/AUDIT.md.\n";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

Status Parse(const Args& args, const po::options_description& desc,
             const po::positional_options_description* pos, po::variables_map& vm) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (pos) parser.positional(*pos);
    parser.style(po::command_line_style::unix_style & ~po::command_line_style::allow_guessing);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Status::InvalidArgument(e.what());
  }
  return Status::Ok();
}

// The options several audit subcommands share, defined once so that their
// names, help texts and defaults stay the same everywhere. Call them in the
// order the options should appear in `--help`.
void AddHelpOption(po::options_description& desc) {
  desc.add_options()("help,h", "show this help");
}

void AddDirOption(po::options_description& desc, std::string* dir) {
  desc.add_options()("dir", po::value(dir), "mirror directory");
}

// --vendor/--product, repeatable; `verb` starts the help text ("only", "watch").
void AddFilterOptions(po::options_description& desc, std::vector<std::string>* vendors,
                      std::vector<std::string>* products, const char* verb = "only") {
  desc.add_options()("vendor", po::value(vendors)->composing(),
                     fmt::format("{} this vendor (repeatable)", verb).c_str())(
      "product", po::value(products)->composing(),
      fmt::format("{} this product (repeatable)", verb).c_str());
}

void AddJsonOption(po::options_description& desc, bool* json, const char* help = "JSON output") {
  desc.add_options()("json", po::bool_switch(json), help);
}

Result<VerifierKey> ReadLogKey(const std::string& path) {
  auto data = ReadWholeFile(path, 4096);
  if (!data.ok()) return data.status().WithContext("reading log key " + path);
  std::string text(AsChars(*data));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  auto key = ParseVerifierKey(text);
  if (!key.ok()) return key.status().WithContext("log key " + path);
  if (key->type != kKeyTypeEd25519) return Status::InvalidArgument("log key must be Ed25519");
  return key;
}

std::string Pad(std::string s, size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

// Prints rows as a left-aligned table (byte widths; good enough for ASCII ids).
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
    for (size_t i = 0; i < r.size(); ++i) line += i + 1 < r.size() ? Pad(r[i], w[i] + 2) : r[i];
    out << line << "\n";
  }
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string DisclosureJson(const Disclosure& d) {
  return "{\"kind\":" + JsonQuote(d.kind) + ",\"value\":" + JsonQuote(d.value) +
         ",\"effective\":" + (d.effective ? JsonQuote(FormatDate(*d.effective)) : "null") +
         ",\"restrictive\":" + (IsRestrictive(d) ? "true" : "false") +
         ",\"description\":" + JsonQuote(DescribeDisclosure(d)) + "}";
}

std::string ReleaseJson(const ReleaseRow& r, bool full) {
  std::vector<std::string> prods, discs;
  for (const auto& p : r.products) prods.push_back(JsonQuote(p));
  for (const auto& d : r.disclosures) discs.push_back(DisclosureJson(d));
  std::string out =
      "{\"log_index\":" + std::to_string(r.log_index) + ",\"vendor\":" + JsonQuote(r.vendor) +
      ",\"vendor_key\":" + JsonQuote(r.vendor_key) + ",\"products\":[" + Join(prods, ",") +
      "],\"version\":" + JsonQuote(r.version) + ",\"rollback\":" + std::to_string(r.rollback) +
      ",\"image_sha256\":" + JsonQuote(r.image_sha256) +
      ",\"image_size\":" + std::to_string(r.image_size) +
      ",\"issued\":" + JsonQuote(FormatUtcTime(r.issued)) +
      ",\"logged\":" + JsonQuote(FormatUtcTime(r.logged)) +
      ",\"leaf_hash\":" + JsonQuote(r.leaf_hex) + ",\"disclosures\":[" + Join(discs, ",") + "]";
  if (full) {
    out += ",\"changelog\":" + JsonQuote(r.changelog) + ",\"manifest\":" + JsonQuote(r.manifest);
  }
  return out + "}";
}

std::string FlagJson(const Flag& f) {
  return "{\"flag\":" + JsonQuote(f.kind) + ",\"log_index\":" + std::to_string(f.log_index) +
         ",\"vendor\":" + JsonQuote(f.vendor) + ",\"product\":" + JsonQuote(f.product) +
         ",\"version\":" + JsonQuote(f.version) + ",\"message\":" + JsonQuote(f.message) + "}";
}

bool Matches(const std::vector<std::string>& want, const std::string& v) {
  return want.empty() || std::find(want.begin(), want.end(), v) != want.end();
}

bool FlagMatches(const Flag& f, const std::vector<std::string>& vendors,
                 const std::vector<std::string>& products) {
  if (!Matches(vendors, f.vendor)) return false;
  if (products.empty()) return true;
  // Release-wide flags name every product, comma-separated.
  size_t p = 0;
  while (p <= f.product.size()) {
    size_t c = f.product.find(',', p);
    if (c == std::string::npos) c = f.product.size();
    if (Matches(products, f.product.substr(p, c - p))) return true;
    p = c + 1;
  }
  return false;
}

// Reads the verified size and the index for read-only commands.
struct OpenMirror {
  std::unique_ptr<Mirror> mirror;
  MirrorState state;
};
Result<OpenMirror> OpenForRead(const std::string& dir) {
  OpenMirror m;
  CANDOR_ASSIGN_OR_RETURN(m.mirror, Mirror::Open(dir, false, false));
  CANDOR_ASSIGN_OR_RETURN(m.state, m.mirror->State());
  return m;
}

// ---------------------------------------------------------------------------

struct SyncArgs {
  std::string log, key_path, policy_path, dir;
};

Result<SyncOptions> MakeSyncOptions(const SyncArgs& a, Mirror& mirror) {
  SyncOptions o;
  o.log = a.log;
  CANDOR_ASSIGN_OR_RETURN(o.log_key, ReadLogKey(a.key_path));
  if (!a.policy_path.empty()) {
    auto text = ReadWholeFile(a.policy_path, 1 << 20);
    if (!text.ok()) return text.status().WithContext("reading policy");
    CANDOR_ASSIGN_OR_RETURN(TrustPolicy p, ParseTrustPolicy(AsChars(*text)));
    if (std::string w = QuorumSplitViewWarning(p); !w.empty()) fmt::print(stderr, "{}\n", w);
    if (const PolicyLog* l = p.FindLog(o.log_key.name); l && !(l->key == o.log_key)) {
      return Status::UntrustedKey("the policy names another key for log " + o.log_key.name);
    }
    o.policy = std::move(p);
  }
  // The mirror remembers its log key; a mirror never mixes two logs.
  std::string key_file = mirror.private_dir() + "/log.pub";
  auto stored = ReadWholeFile(key_file, 4096);
  std::string vkey = FormatVerifierKey(o.log_key) + "\n";
  if (stored.ok()) {
    if (std::string(AsChars(*stored)) != vkey) {
      return Status::Conflict("mirror " + mirror.dir() + " belongs to another log key");
    }
  } else {
    CANDOR_RETURN_IF_ERROR(AtomicWriteFile(key_file, AsBytes(vkey)));
  }
  return o;
}

std::string SyncJson(const SyncResult& r) {
  return "{\"outcome\":" + JsonQuote(r.outcome.empty() ? "error" : r.outcome) +
         ",\"ok\":" + (r.status.ok() ? "true" : "false") +
         ",\"error\":" + (r.status.ok() ? "null" : JsonQuote(r.status.ToString())) +
         ",\"old_size\":" + std::to_string(r.old_size) +
         ",\"new_size\":" + std::to_string(r.new_size) +
         ",\"checkpoint_size\":" + std::to_string(r.checkpoint_size) +
         ",\"entries_verified\":" + std::to_string(r.entries_verified) +
         ",\"invalid_entries\":" + std::to_string(r.invalid_entries) +
         ",\"resumed_from\":" + std::to_string(r.resumed_from) +
         ",\"bytes_downloaded\":" + std::to_string(r.bytes_downloaded) +
         ",\"seconds\":" + fmt::format("{:.3f}", r.seconds) + ",\"entries_per_second\":" +
         fmt::format("{:.0f}", r.seconds > 0 ? r.entries_verified / r.seconds : 0.0) +
         ",\"evidence\":" + (r.evidence_path.empty() ? "null" : JsonQuote(r.evidence_path)) + "}";
}

// A progress line on an interactive stderr, redrawn at most 5 times a second.
std::function<void(uint64_t, uint64_t)> ProgressBar(Context& ctx) {
  if (!ctx.err_is_tty) return nullptr;
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  auto start = std::chrono::steady_clock::now();
  return [&ctx, last, start](uint64_t done, uint64_t total) {
    auto now = std::chrono::steady_clock::now();
    if (done != total && now - *last < std::chrono::milliseconds(200)) return;
    *last = now;
    double secs = std::chrono::duration<double>(now - start).count();
    int pct = total ? static_cast<int>(100.0 * done / total) : 100;
    int bar = pct / 5;
    ctx.err << "\rsync [" << std::string(bar, '#') << std::string(20 - bar, ' ') << "] " << pct
            << "% " << done << "/" << total << " entries"
            << fmt::format(" {:.0f}/s ", secs > 0 ? done / secs : 0.0);
    if (done == total) ctx.err << "\n";
    ctx.err.flush();
  };
}

Outcome CmdSync(const Args& args, Context& ctx) {
  SyncArgs a;
  bool json = false;
  po::options_description desc("candor audit sync");
  AddHelpOption(desc);
  desc.add_options()("log", po::value(&a.log), "log URL or directory")(
      "log-key", po::value(&a.key_path), "the log's verifier key file (log.pub)")(
      "policy", po::value(&a.policy_path),
      "trust policy: require its witness quorum and max-checkpoint-age");
  AddDirOption(desc, &a.dir);
  AddJsonOption(desc, &json, "print a JSON summary");
  po::variables_map vm;
  CANDOR_RETURN_IF_ERROR(Parse(args, desc, nullptr, vm));
  if (vm.count("help")) {
    ctx.out << desc;
    return Status::Ok();
  }
  if (a.log.empty() || a.key_path.empty() || a.dir.empty()) {
    return Status::InvalidArgument("sync needs --log, --log-key and --dir");
  }
  CANDOR_RETURN_IF_ERROR(MakeDirectories(a.dir));
  CANDOR_ASSIGN_OR_RETURN(auto mirror, Mirror::Open(a.dir, true, true));
  CANDOR_ASSIGN_OR_RETURN(SyncOptions o, MakeSyncOptions(a, *mirror));
  o.on_progress = ProgressBar(ctx);
  SyncResult r = Sync(*mirror, o);
  if (json) {
    ctx.out << SyncJson(r) << "\n";
  } else if (r.status.ok()) {
    if (r.outcome == "synced") {
      ctx.out << fmt::format(
          "synced {} -> {} ({} entries verified, {} invalid, {:.1f} s, {:.0f} entries/s)\n",
          r.old_size, r.new_size, r.entries_verified, r.invalid_entries, r.seconds,
          r.seconds > 0 ? r.entries_verified / r.seconds : 0.0);
    } else {
      ctx.out << fmt::format("up to date at size {}\n", r.new_size);
    }
  }
  if (!r.status.ok() && !r.evidence_path.empty() && !json) {
    ctx.err << "evidence written to " << r.evidence_path << "\n";
  }
  Outcome out(r.status);
  out.prefix = "error: audit sync";
  return out;
}

Outcome CmdList(const Args& args, Context& ctx) {
  std::string dir;
  std::vector<std::string> vendors, products;
  bool json = false;
  po::options_description desc("candor audit list");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  AddFilterOptions(desc, &vendors, &products);
  AddJsonOption(desc, &json);
  po::variables_map vm;
  CANDOR_RETURN_IF_ERROR(Parse(args, desc, nullptr, vm));
  if (vm.count("help")) {
    ctx.out << desc;
    return Status::Ok();
  }
  if (dir.empty()) return Status::InvalidArgument("missing --dir");
  CANDOR_ASSIGN_OR_RETURN(OpenMirror m, OpenForRead(dir));
  ReleaseFilter f;
  f.vendors = vendors;
  f.products = products;
  f.with_text = false;
  CANDOR_ASSIGN_OR_RETURN(auto rows, m.mirror->index().Releases(f, m.state.size));
  if (json) {
    std::vector<std::string> items;
    for (const auto& r : rows) items.push_back(ReleaseJson(r, false));
    ctx.out << "{\"tree_size\":" << m.state.size << ",\"releases\":[" << Join(items, ",\n")
            << "]}\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> t = {
      {"INDEX", "VENDOR", "PRODUCTS", "VERSION", "ROLLBACK", "ISSUED", "DISCLOSURES"}};
  for (const auto& r : rows) {
    size_t restrictive = 0;
    for (const auto& d : r.disclosures) restrictive += IsRestrictive(d) ? 1 : 0;
    t.push_back({std::to_string(r.log_index), r.vendor, Join(r.products, ","), r.version,
                 std::to_string(r.rollback), FormatUtcTime(r.issued),
                 fmt::format("{} ({} restrictive)", r.disclosures.size(), restrictive)});
  }
  PrintTable(ctx.out, t);
  ctx.out << rows.size() << " release(s) in a verified tree of " << m.state.size << " entries\n";
  return Status::Ok();
}

// VENDOR/PRODUCT/VERSION: vendor up to the first '/', version after the last.
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

void PrintRelease(std::ostream& out, const ReleaseRow& r) {
  out << "log index:     " << r.log_index << "\n";
  out << "vendor:        " << r.vendor << "\n";
  out << "vendor key:    " << r.vendor_key << "\n";
  out << "products:      " << Join(r.products, ", ") << "\n";
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
  out << "changelog:\n";
  std::string cl = r.changelog;
  size_t p = 0;
  while (p < cl.size()) {
    size_t nl = cl.find('\n', p);
    if (nl == std::string::npos) nl = cl.size();
    out << "  | " << cl.substr(p, nl - p) << "\n";
    p = nl + 1;
  }
  out << "manifest:\n" << r.manifest;
}

Outcome CmdShow(const Args& args, Context& ctx) {
  std::string dir, ref;
  bool json = false;
  po::options_description desc("candor audit show");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  AddJsonOption(desc, &json);
  desc.add_options()("ref", po::value(&ref), "INDEX or VENDOR/PRODUCT/VERSION");
  po::positional_options_description pos;
  pos.add("ref", 1);
  po::variables_map vm;
  CANDOR_RETURN_IF_ERROR(Parse(args, desc, &pos, vm));
  if (vm.count("help")) {
    ctx.out << desc;
    return Status::Ok();
  }
  if (dir.empty() || ref.empty()) return Status::InvalidArgument("show needs --dir and a release");
  CANDOR_ASSIGN_OR_RETURN(OpenMirror m, OpenForRead(dir));
  std::vector<ReleaseRow> rows;
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
  // The signed manifest comes from the mirror's verified bundle; its leaf
  // hash must still be the one indexed.
  for (ReleaseRow& r : rows) {
    CANDOR_ASSIGN_OR_RETURN(Bytes entry, m.mirror->ReadEntry(r.log_index, m.state.size));
    if (HexEncode(LeafHash(entry)) != r.leaf_hex) {
      return Status::Mismatch("mirror bundle for index " + std::to_string(r.log_index) +
                              " does not match the index (corrupt mirror?)");
    }
    CANDOR_ASSIGN_OR_RETURN(ReleaseEntry parsed, ParseReleaseEntry(entry));
    r.manifest = parsed.signed_manifest_note;
  }
  if (json) {
    std::vector<std::string> items;
    for (const auto& r : rows) items.push_back(ReleaseJson(r, true));
    ctx.out << (rows.size() == 1 ? items[0] : "[" + Join(items, ",\n") + "]") << "\n";
    return Status::Ok();
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) ctx.out << "\n(equivocation: another entry for the same version)\n\n";
    PrintRelease(ctx.out, rows[i]);
  }
  return Status::Ok();
}

std::string ChangeLine(const DisclosureChange& c) {
  if (c.change == "added") return "+ " + DescribeDisclosure(*c.to);
  if (c.change == "removed") return "- " + DescribeDisclosure(*c.from);
  return "~ " + DescribeDisclosure(*c.from) + "  ->  " + DescribeDisclosure(*c.to);
}

Outcome CmdDiff(const Args& args, Context& ctx) {
  std::string dir;
  std::vector<std::string> refs;
  bool json = false;
  po::options_description desc("candor audit diff");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  AddJsonOption(desc, &json);
  desc.add_options()("ref", po::value(&refs), "VENDOR/PRODUCT [FROM TO]");
  po::positional_options_description pos;
  pos.add("ref", -1);
  po::variables_map vm;
  CANDOR_RETURN_IF_ERROR(Parse(args, desc, &pos, vm));
  if (vm.count("help")) {
    ctx.out << desc;
    return Status::Ok();
  }
  std::string vendor, product;
  if (dir.empty() || (refs.size() != 1 && refs.size() != 3) ||
      !SplitRef(refs[0], vendor, product, nullptr)) {
    return Status::InvalidArgument("diff needs --dir and VENDOR/PRODUCT [FROM TO]");
  }
  CANDOR_ASSIGN_OR_RETURN(OpenMirror m, OpenForRead(dir));
  CANDOR_ASSIGN_OR_RETURN(auto rows, m.mirror->index().ForProduct(vendor, product, m.state.size));
  if (rows.empty()) return Status::NotFound("no release of " + refs[0] + " in the mirror");
  SortByVersionOrder(rows);
  std::vector<std::pair<const ReleaseRow*, const ReleaseRow*>> pairs;
  if (refs.size() == 3) {
    auto find = [&](const std::string& v) -> const ReleaseRow* {
      for (const auto& r : rows) {
        if (r.version == v) return &r;
      }
      return nullptr;
    };
    const ReleaseRow* a = find(refs[1]);
    const ReleaseRow* b = find(refs[2]);
    if (!a || !b) return Status::NotFound("version " + (a ? refs[2] : refs[1]) + " not found");
    pairs.emplace_back(a, b);
  } else {
    for (size_t i = 1; i < rows.size(); ++i) pairs.emplace_back(&rows[i - 1], &rows[i]);
  }
  std::vector<std::string> items;
  for (auto [a, b] : pairs) {
    auto changes = DiffDisclosures(a->disclosures, b->disclosures);
    if (json) {
      std::vector<std::string> cs;
      for (const auto& c : changes) {
        cs.push_back("{\"change\":" + JsonQuote(c.change) +
                     ",\"from\":" + (c.from ? DisclosureJson(*c.from) : "null") +
                     ",\"to\":" + (c.to ? DisclosureJson(*c.to) : "null") + "}");
      }
      items.push_back("{\"from\":{\"version\":" + JsonQuote(a->version) +
                      ",\"log_index\":" + std::to_string(a->log_index) +
                      ",\"rollback\":" + std::to_string(a->rollback) + "},\"to\":{\"version\":" +
                      JsonQuote(b->version) + ",\"log_index\":" + std::to_string(b->log_index) +
                      ",\"rollback\":" + std::to_string(b->rollback) + "},\"changes\":[" +
                      Join(cs, ",") + "]}");
      continue;
    }
    ctx.out << vendor << "/" << product << " " << a->version << " (#" << a->log_index << ") -> "
            << b->version << " (#" << b->log_index << ")\n";
    if (changes.empty()) ctx.out << "  no disclosure changes\n";
    for (const auto& c : changes) ctx.out << "  " << ChangeLine(c) << "\n";
  }
  if (json)
    ctx.out << "{\"vendor\":" << JsonQuote(vendor) << ",\"product\":" << JsonQuote(product)
            << ",\"diffs\":[" << Join(items, ",\n") << "]}\n";
  if (!json && pairs.empty()) ctx.out << "only one version of " << refs[0] << " in the mirror\n";
  return Status::Ok();
}

Result<std::vector<Flag>> LoadFlags(Mirror& mirror, uint64_t size) {
  ReleaseFilter f;
  CANDOR_ASSIGN_OR_RETURN(auto rows, mirror.index().Releases(f, size));
  CANDOR_ASSIGN_OR_RETURN(auto invalid, mirror.index().Invalid(size));
  return ComputeFlags(rows, invalid);
}

Outcome CmdFlags(const Args& args, Context& ctx) {
  std::string dir;
  std::vector<std::string> vendors, products;
  bool json = false;
  po::options_description desc("candor audit flags");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  AddFilterOptions(desc, &vendors, &products);
  AddJsonOption(desc, &json);
  po::variables_map vm;
  CANDOR_RETURN_IF_ERROR(Parse(args, desc, nullptr, vm));
  if (vm.count("help")) {
    ctx.out << desc;
    return Status::Ok();
  }
  if (dir.empty()) return Status::InvalidArgument("missing --dir");
  CANDOR_ASSIGN_OR_RETURN(OpenMirror m, OpenForRead(dir));
  CANDOR_ASSIGN_OR_RETURN(auto flags, LoadFlags(*m.mirror, m.state.size));
  std::vector<Flag> shown;
  for (auto& f : flags) {
    if (FlagMatches(f, vendors, products)) shown.push_back(std::move(f));
  }
  if (json) {
    std::vector<std::string> items;
    for (const auto& f : shown) items.push_back(FlagJson(f));
    ctx.out << "{\"tree_size\":" << m.state.size << ",\"flags\":[" << Join(items, ",\n") << "]}\n";
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

Outcome CmdGossip(const Args& args, Context& ctx) {
  std::string dir, key_path;
  std::vector<std::string> files;
  bool json = false;
  po::options_description desc("candor audit gossip");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  desc.add_options()("log-key", po::value(&key_path),
                     "log key (default: the one the mirror was synced with)");
  AddJsonOption(desc, &json);
  desc.add_options()("file", po::value(&files), "checkpoint files");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  CANDOR_RETURN_IF_ERROR(Parse(args, desc, &pos, vm));
  if (vm.count("help")) {
    ctx.out << desc;
    return Status::Ok();
  }
  if (dir.empty() || files.empty()) {
    return Status::InvalidArgument("gossip needs --dir and at least one checkpoint file");
  }
  // No lock: gossip only reads the verified tree (immutable files below the
  // verified size) and writes evidence, so it runs beside a `watch`.
  CANDOR_ASSIGN_OR_RETURN(auto mirror, Mirror::Open(dir, false, false));
  if (key_path.empty()) key_path = mirror->private_dir() + "/log.pub";
  CANDOR_ASSIGN_OR_RETURN(VerifierKey key, ReadLogKey(key_path));
  Status worst;
  std::vector<std::string> items;
  std::vector<std::vector<std::string>> t = {{"FILE", "SIZE", "VERDICT", "DETAIL"}};
  for (const std::string& file : files) {
    auto data = ReadWholeFile(file, 1 << 20);
    GossipResult g;
    if (!data.ok()) {
      g.label = file;
      g.verdict = "error";
      g.detail = data.status().ToString();
    } else {
      g = CheckGossip(*mirror, key, file, AsChars(*data), Now());
    }
    if (g.verdict == "split-view" && worst.code() != Code::kInconsistent) {
      worst = Status::Inconsistent("split view: " + g.detail);
    } else if ((g.verdict == "bad-signature" || g.verdict == "malformed") && worst.ok()) {
      worst = Status::BadSignature(file + ": " + g.detail);
    } else if (g.verdict == "error" && worst.ok()) {
      worst = Status::Io(file + ": " + g.detail);
    }
    items.push_back(
        "{\"file\":" + JsonQuote(file) + ",\"verdict\":" + JsonQuote(g.verdict) +
        ",\"size\":" + std::to_string(g.size) +
        ",\"mirror_size\":" + std::to_string(g.mirror_size) + ",\"detail\":" + JsonQuote(g.detail) +
        ",\"evidence\":" + (g.evidence_path.empty() ? "null" : JsonQuote(g.evidence_path)) + "}");
    t.push_back(
        {file, std::to_string(g.size), g.verdict,
         g.detail + (g.evidence_path.empty() ? "" : " (evidence: " + g.evidence_path + ")")});
  }
  if (json) {
    ctx.out << "{\"results\":[" << Join(items, ",\n") << "]}\n";
  } else {
    PrintTable(ctx.out, t);
  }
  Outcome out(worst);
  out.prefix = "error: audit gossip";
  return out;
}

// ---------------------------------------------------------------------------
// watch

std::vector<FeedEvent> EventsSince(Mirror& mirror, uint64_t from, uint64_t size,
                                   const std::vector<std::string>& vendors,
                                   const std::vector<std::string>& products, Status& st) {
  std::vector<FeedEvent> out;
  ReleaseFilter f;
  f.vendors = vendors;
  f.products = products;
  f.min_index = from;
  auto rows = mirror.index().Releases(f, size);
  if (!rows.ok()) {
    st = rows.status();
    return out;
  }
  std::map<uint64_t, int64_t> issued;
  for (const auto& r : *rows) {
    issued[r.log_index] = r.issued;
    FeedEvent e;
    e.type = "release";
    e.log_index = r.log_index;
    e.vendor = r.vendor;
    e.product = Join(r.products, ",");
    e.version = r.version;
    e.time = r.issued;
    e.title = "New release " + r.vendor + "/" + e.product + " " + r.version;
    std::vector<std::string> ds;
    for (const auto& d : r.disclosures) ds.push_back(DescribeDisclosure(d));
    e.summary = "log index " + std::to_string(r.log_index) + ", rollback " +
                std::to_string(r.rollback) +
                "; disclosures: " + (ds.empty() ? "none" : Join(ds, "; "));
    out.push_back(std::move(e));
  }
  auto flags = LoadFlags(mirror, size);
  if (!flags.ok()) {
    st = flags.status();
    return out;
  }
  for (const Flag& fl : *flags) {
    if (fl.log_index < from || !FlagMatches(fl, vendors, products)) continue;
    FeedEvent e;
    e.type = "flag";
    e.flag = fl.kind;
    e.log_index = fl.log_index;
    e.vendor = fl.vendor;
    e.product = fl.product;
    e.version = fl.version;
    e.time = issued.count(fl.log_index) ? issued[fl.log_index] : Now();
    e.title = "Flag " + fl.kind + ": " + fl.vendor + "/" + fl.product + " " + fl.version;
    e.summary = fl.message;
    out.push_back(std::move(e));
  }
  std::stable_sort(out.begin(), out.end(), [](const FeedEvent& a, const FeedEvent& b) {
    return a.log_index < b.log_index;
  });
  return out;
}

Status PostWebhook(const std::string& url, const std::string& body) {
  auto base = ParseBaseUrl(url);
  if (!base.ok()) return base.status();
  HttpClient client(BaseUrl{base->host, base->port, ""});
  std::string path = base->prefix.empty() ? "/" : base->prefix;
  CANDOR_ASSIGN_OR_RETURN(HttpResponse resp, client.Post(path, body, "application/json"));
  if (resp.status < 200 || resp.status > 299) {
    return Status::Unavailable("webhook answered HTTP " + std::to_string(resp.status));
  }
  return Status::Ok();
}

Outcome CmdWatch(const Args& args, Context& ctx) {
  SyncArgs a;
  std::vector<std::string> vendors, products;
  double interval = 60;
  std::string webhook, atom;
  bool once = false, json = false;
  po::options_description desc("candor audit watch");
  AddHelpOption(desc);
  desc.add_options()("log", po::value(&a.log), "log URL or directory")(
      "log-key", po::value(&a.key_path), "the log's verifier key file")(
      "policy", po::value(&a.policy_path),
      "trust policy (witness quorum, max-checkpoint-age)");
  AddDirOption(desc, &a.dir);
  AddFilterOptions(desc, &vendors, &products, "watch");
  desc.add_options()("interval", po::value(&interval), "seconds between syncs (default 60)")(
      "webhook", po::value(&webhook), "POST each event as JSON to this http:// URL")(
      "atom", po::value(&atom), "keep an Atom feed of events in this file")(
      "once", po::bool_switch(&once), "one sync, then exit");
  AddJsonOption(desc, &json, "print events as JSON lines");
  po::variables_map vm;
  CANDOR_RETURN_IF_ERROR(Parse(args, desc, nullptr, vm));
  if (vm.count("help")) {
    ctx.out << desc;
    return Status::Ok();
  }
  if (a.log.empty() || a.key_path.empty() || a.dir.empty()) {
    return Status::InvalidArgument("watch needs --log, --log-key and --dir");
  }
  if (interval < 0.1) return Status::InvalidArgument("--interval must be at least 0.1 s");
  CANDOR_RETURN_IF_ERROR(MakeDirectories(a.dir));
  CANDOR_ASSIGN_OR_RETURN(auto mirror, Mirror::Open(a.dir, true, true));
  CANDOR_ASSIGN_OR_RETURN(SyncOptions o, MakeSyncOptions(a, *mirror));
  std::string origin = o.log_key.name;
  for (;;) {
    CANDOR_ASSIGN_OR_RETURN(MirrorState before, mirror->State());
    SyncResult r = Sync(*mirror, o);
    if (!r.status.ok()) {
      ctx.err << "audit watch: " << r.status.ToString() << "\n";
      // A contradiction in the log, or an older view than it showed before
      // (anything that wrote evidence), is final; a network problem, or a
      // checkpoint too old for the policy (the log may be waiting for its
      // witnesses), is reported and retried.
      if (r.status.code() == Code::kInconsistent || r.status.code() == Code::kMismatch ||
          r.status.code() == Code::kBadSignature || !r.evidence_path.empty() || once) {
        Outcome out(r.status);
        out.prefix = "error: audit watch";
        out.reported = true;
        return out;
      }
    } else if (r.new_size > before.size) {
      Status st;
      auto events = EventsSince(*mirror, before.size, r.new_size, vendors, products, st);
      if (!st.ok()) return st;
      for (const FeedEvent& e : events) {
        if (json) {
          ctx.out << EventJson(e, origin) << "\n";
        } else {
          ctx.out << (e.type == "release" ? "release " : "FLAG    ") << "#" << e.log_index << " "
                  << e.title << ": " << e.summary << "\n";
        }
        if (!webhook.empty()) {
          Status ws = PostWebhook(webhook, EventJson(e, origin));
          if (!ws.ok()) ctx.err << "audit watch: webhook: " << ws.ToString() << "\n";
        }
      }
      ctx.out.flush();
      if (!atom.empty()) {
        auto all = EventsSince(*mirror, 0, r.new_size, vendors, products, st);
        if (!st.ok()) return st;
        std::reverse(all.begin(), all.end());
        if (all.size() > 200) all.resize(200);
        Status ws = WriteAtomFeed(
            atom, AtomFeed("candor-audit:" + origin, "Candor audit: " + origin, all, Now()));
        if (!ws.ok()) ctx.err << "audit watch: atom: " << ws.ToString() << "\n";
      }
    }
    if (once) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(interval * 1000)));
  }
}

}  // namespace

cli::Outcome RunAudit(const cli::Args& args, cli::Context& ctx) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    ctx.out << kUsage;
    return args.empty() ? Status::InvalidArgument("missing audit subcommand") : Status::Ok();
  }
  const std::string& sub = args[0];
  Args rest(args.begin() + 1, args.end());
  if (sub == "sync") return CmdSync(rest, ctx);
  if (sub == "list") return CmdList(rest, ctx);
  if (sub == "show") return CmdShow(rest, ctx);
  if (sub == "diff") return CmdDiff(rest, ctx);
  if (sub == "flags") return CmdFlags(rest, ctx);
  if (sub == "watch") return CmdWatch(rest, ctx);
  if (sub == "gossip") return CmdGossip(rest, ctx);
  return Status::InvalidArgument("unknown subcommand 'audit " + sub +
                                 "' (expected sync, list, show, diff, flags, watch or gossip)");
}

}  // namespace candor::audit
