// `candor audit sync` (docs/AUDIT.md "sync"), and the log options it shares
// with `watch`.
#include <chrono>
#include <functional>
#include <memory>
#include <ostream>

#include <fmt/format.h>

#include "audit.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"
#include "candor/policy.h"

namespace candor::cli {

void AddLogOptions(po::options_description& desc, AuditLogArgs* a) {
  desc.add_options()("log", po::value(&a->log), "log URL or directory")(
      "log-key", po::value(&a->key_path), "the log's verifier key file (log.pub)")(
      "policy", po::value(&a->policy_path),
      "trust policy: require its witness quorum and max-checkpoint-age");
  AddCaFileOption(desc, &a->ca_file);
}

Status RequireLogArgs(const AuditLogArgs& a, const std::string& dir, std::string_view sub) {
  if (a.log.empty() || a.key_path.empty() || dir.empty()) {
    return Status::InvalidArgument(fmt::format("{} needs --log, --log-key and --dir", sub));
  }
  return Status::Ok();
}

Result<audit::SyncOptions> MakeSyncOptions(const AuditLogArgs& a, audit::Mirror& mirror,
                                           Context& ctx) {
  audit::SyncOptions o;
  o.log = a.log;
  o.http.ca_file = a.ca_file;
  CANDOR_ASSIGN_OR_RETURN(o.log_key, ReadLogKey(a.key_path));
  if (!a.policy_path.empty()) {
    auto text = fs::ReadFileBytes(a.policy_path, kMaxPolicySize);
    if (!text.ok()) return text.status().WithContext("reading policy");
    CANDOR_ASSIGN_OR_RETURN(TrustPolicy p, ParseTrustPolicy(AsChars(*text)));
    if (std::string w = QuorumSplitViewWarning(p); !w.empty()) ctx.err << w << "\n";
    if (const PolicyLog* l = p.FindLog(o.log_key.name); l && !(l->key == o.log_key)) {
      return Status::UntrustedKey("the policy names another key for log " + o.log_key.name);
    }
    o.policy = std::move(p);
  }
  // The mirror remembers its log key; a mirror never mixes two logs.
  std::string key_file = mirror.private_dir() + "/log.pub";
  auto stored = fs::ReadFileBytes(key_file, kMaxVerifierKeyFileSize);
  std::string vkey = FormatVerifierKey(o.log_key) + "\n";
  if (stored.ok()) {
    if (std::string(AsChars(*stored)) != vkey) {
      return Status::Conflict("mirror " + mirror.dir() + " belongs to another log key");
    }
  } else {
    CANDOR_RETURN_IF_ERROR(fs::WriteFileAtomically(key_file, AsBytes(vkey)));
  }
  return o;
}

namespace {

double EntriesPerSecond(const audit::SyncResult& r) {
  return r.seconds > 0 ? static_cast<double>(r.entries_verified) / r.seconds : 0.0;
}

std::string SyncJson(const audit::SyncResult& r) {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginObject();
  json.Key("outcome");
  json.String(audit::ToString(r.outcome));
  json.Key("ok");
  json.Bool(r.status.ok());
  json.Key("error");
  if (r.status.ok()) {
    json.Null();
  } else {
    json.String(r.status.ToString());
  }
  const std::pair<const char*, uint64_t> counts[] = {
      {"old_size", r.old_size},
      {"new_size", r.new_size},
      {"checkpoint_size", r.checkpoint_size},
      {"entries_verified", r.entries_verified},
      {"invalid_entries", r.invalid_entries},
      {"trust_roots", r.trust_roots},
      {"resumed_from", r.resumed_from},
      {"bytes_downloaded", r.bytes_downloaded},
  };
  for (const auto& [key, value] : counts) {
    json.Key(key);
    json.Uint(value);
  }
  json.Key("seconds");
  json.Fixed(r.seconds, 3);
  json.Key("entries_per_second");
  json.Fixed(EntriesPerSecond(r), 0);
  json.Key("evidence");
  if (r.evidence_path.empty()) {
    json.Null();
  } else {
    json.String(r.evidence_path);
  }
  json.EndObject();
  return json.Finish();
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
    int pct = total
                  ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total))
                  : 100;
    int bar = pct / 5;
    ctx.err << "\rsync [" << std::string(bar, '#') << std::string(20 - bar, ' ') << "] " << pct
            << "% " << done << "/" << total << " entries"
            << fmt::format(" {:.0f}/s ", secs > 0 ? static_cast<double>(done) / secs : 0.0);
    if (done == total) ctx.err << "\n";
    ctx.err.flush();
  };
}

}  // namespace

Outcome RunAuditSync(const Args& args, Context& ctx) {
  AuditLogArgs a;
  std::string dir;
  bool json = false;
  po::options_description desc("options");
  AddHelpOption(desc);
  AddLogOptions(desc, &a);
  AddDirOption(desc, &dir);
  AddJsonOption(desc, &json, "print a JSON summary");
  po::variables_map vm;
  if (auto early = ParseAuditArgs(
          args, desc, nullptr,
          "sync --log URL|DIR --log-key LOG.pub [--policy FILE] --dir MIRROR [--ca-file FILE] "
          "[--json]",
          ctx, vm)) {
    return *early;
  }
  CANDOR_CLI_USAGE_IF_ERROR(RequireLogArgs(a, dir, "sync"));
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(dir));
  CANDOR_ASSIGN_OR_RETURN(auto mirror, audit::Mirror::Open(dir, true, true));
  CANDOR_ASSIGN_OR_RETURN(audit::SyncOptions o, MakeSyncOptions(a, *mirror, ctx));
  o.on_progress = ProgressBar(ctx);
  audit::SyncResult r = audit::Sync(*mirror, o);
  if (json) {
    ctx.out << SyncJson(r);
  } else if (r.status.ok()) {
    if (r.outcome == audit::SyncOutcome::kSynced) {
      ctx.out << fmt::format(
          "synced {} -> {} ({} entries verified, {} invalid, {:.1f} s, {:.0f} entries/s)\n",
          r.old_size, r.new_size, r.entries_verified, r.invalid_entries, r.seconds,
          EntriesPerSecond(r));
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

}  // namespace candor::cli
