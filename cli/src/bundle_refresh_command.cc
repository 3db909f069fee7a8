// `candor bundle refresh`: the command-line face of bundle_refresh.h. Reads
// the bundles, fetches one checkpoint and the tiles it needs (each tile once),
// refreshes every bundle in memory, and only when all of them succeeded
// writes the outputs (staged, then put in place), so an error leaves nothing
// behind. docs/CLI.md "bundle refresh".
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>

#include "bundle_refresh.h"
#include "candor/audit/source.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "cli.h"
#include "files.h"
#include "json.h"
#include "options.h"
#include "publish_consistency.h"

namespace candor::cli {

namespace {

// Tiles kept for a run of many bundles: 32 MiB at most.
constexpr size_t kTileCacheSize = 4096;

// One input bundle and where its refresh goes.
struct Job {
  std::string in;
  std::string out;
  std::string consistency_out;  // empty: no companion file
  LoadedBundle old;
  RefreshedBundle result;
};

struct RefreshArgs {
  std::string log;
  std::string ca_file;  // --ca-file: a private CA for an https --log
  std::string policy_path;
  std::vector<std::string> previous;
  std::string out_dir;       // --out-dir, created if missing
  std::string evidence_dir;  // --evidence-dir: where a fork's evidence goes
  bool force = false;
  bool json = false;
  std::vector<Job> jobs;
};

// NAME.bundle for an input named NAME.bundle or NAME.
std::string OutputName(const std::string& in) {
  std::string name = std::filesystem::path(in).filename().string();
  if (!name.ends_with(".bundle")) name += ".bundle";
  return name;
}

std::optional<Outcome> ParseRefreshArgs(const Args& args, Context& ctx, RefreshArgs& a) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "log", po::value<std::string>(),
      "the log's tiles: a base URL (candor-log, any static file server, a CDN) or a directory "
      "(a log's data directory, an audit mirror)")(
      "policy", po::value<std::string>(),
      "trust policy the new checkpoint must satisfy (log key, witness quorum, max age)")(
      "out", po::value<std::string>(), "refreshed bundle to write (one input bundle)")(
      "out-dir", po::value<std::string>(),
      "directory for NAME.bundle and NAME.bundle.consistency of each input (many bundles)")(
      "evidence-dir", po::value<std::string>(),
      "when the log forked away from a bundle's checkpoint, write the evidence (both signed "
      "checkpoints) here")("force", "replace existing output files")(
      "json", "one JSON object per bundle on stdout")(
      "bundle", po::value<std::vector<std::string>>(), "the bundle(s) to refresh");
  AddConsistencyOptions(desc);
  AddCaFileOption(desc, &a.ca_file);
  po::positional_options_description pos;
  pos.add("bundle", -1);
  po::variables_map vm;
  CANDOR_CLI_USAGE_IF_ERROR(ParseArgs(args, desc, &pos, vm));
  if (vm.count("help")) {
    PrintCommandHelp(ctx,
                     "bundle refresh --log URL|DIR --policy P OLD.bundle --out NEW.bundle "
                     "[--consistency-out FILE] [--previous-bundle F...] [--ca-file F]\n"
                     "       candor bundle refresh --log URL|DIR --policy P OLD.bundle... "
                     "--out-dir DIR [--previous-bundle F...]",
                     desc);
    return Status::Ok();
  }
  CANDOR_CLI_USAGE_IF_ERROR(Require(vm, "log"));
  CANDOR_CLI_USAGE_IF_ERROR(Require(vm, "policy"));
  if (!vm.count("bundle")) return UsageError(Status::InvalidArgument("missing OLD.bundle"));
  const auto inputs = vm["bundle"].as<std::vector<std::string>>();
  const bool out = vm.count("out") > 0, out_dir = vm.count("out-dir") > 0;
  if (out == out_dir) return UsageError(Status::InvalidArgument("give --out or --out-dir"));
  if (out && inputs.size() != 1) {
    return UsageError(Status::InvalidArgument("--out takes one bundle (use --out-dir for many)"));
  }
  if (out_dir && vm.count("consistency-out")) {
    return UsageError(Status::InvalidArgument(
        "--consistency-out is for --out; --out-dir writes NAME.bundle.consistency"));
  }
  if (out && vm.count("previous-bundle") && !vm.count("consistency-out")) {
    return UsageError(Status::InvalidArgument("--previous-bundle needs --consistency-out"));
  }
  a.log = vm["log"].as<std::string>();
  a.policy_path = vm["policy"].as<std::string>();
  if (vm.count("previous-bundle")) {
    a.previous = vm["previous-bundle"].as<std::vector<std::string>>();
  }
  if (out_dir) a.out_dir = vm["out-dir"].as<std::string>();
  if (vm.count("evidence-dir")) a.evidence_dir = vm["evidence-dir"].as<std::string>();
  a.force = vm.count("force") > 0;
  a.json = vm.count("json") > 0;
  std::set<std::string> outputs;
  for (const std::string& in : inputs) {
    Job job;
    job.in = in;
    if (out) {
      job.out = vm["out"].as<std::string>();
      if (vm.count("consistency-out"))
        job.consistency_out = vm["consistency-out"].as<std::string>();
    } else {
      job.out = vm["out-dir"].as<std::string>() + "/" + OutputName(in);
      job.consistency_out = job.out + ".consistency";  // the agent's default name
    }
    for (const std::string* path : {&job.out, &job.consistency_out}) {
      if (path->empty()) continue;
      if (!outputs.insert(*path).second) {
        return Status::InvalidArgument(*path + " would be written twice (two inputs of one name)");
      }
      if (!a.force && PathExists(*path)) {
        return Status::Conflict(*path + " already exists (use --force to replace it)");
      }
    }
    a.jobs.push_back(std::move(job));
  }
  return std::nullopt;
}

// Writes every output, each atomically: all are staged (written and fsync'ed
// under temporary names) before the first is put in place.
Status WriteOutputs(const RefreshArgs& a) {
  std::vector<fs::StagedFile> staged;
  std::set<std::string> dirs;
  const fs::WriteOptions options{.no_clobber = !a.force, .unique_temp = true};
  if (!a.out_dir.empty()) CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(a.out_dir));
  for (const Job& job : a.jobs) {
    CANDOR_ASSIGN_OR_RETURN(fs::StagedFile f,
                            fs::StagedFile::Write(job.out, job.result.bundle_text, options));
    staged.push_back(std::move(f));
    dirs.insert(fs::ParentDirectory(job.out));
    if (!job.consistency_out.empty() && job.result.companion) {
      CANDOR_ASSIGN_OR_RETURN(
          fs::StagedFile c,
          fs::StagedFile::Write(job.consistency_out,
                                FormatConsistencyProofFile(*job.result.companion), options));
      staged.push_back(std::move(c));
      dirs.insert(fs::ParentDirectory(job.consistency_out));
    }
  }
  for (fs::StagedFile& f : staged) {
    Status s = f.Commit();
    if (s.code() == Code::kConflict) {
      return Status::Conflict(f.path() + " already exists (use --force to replace it)");
    }
    CANDOR_RETURN_IF_ERROR(s);
  }
  for (const std::string& d : dirs) CANDOR_RETURN_IF_ERROR(fs::SyncDirectory(d));
  // A replaced bundle that needs no companion must not keep the one of an
  // earlier run beside it: the agent reads NAME.bundle.consistency by default
  // and would be given proofs for another checkpoint. (Without --force an
  // existing companion path was refused before anything was written.)
  for (const Job& job : a.jobs) {
    if (a.force && !job.consistency_out.empty() && !job.result.companion) {
      CANDOR_RETURN_IF_ERROR(fs::RemoveFile(job.consistency_out));
    }
  }
  return Status::Ok();
}

// A fork's error, and its evidence file with --evidence-dir; the path is
// named in the one error line.
Status WithForkEvidence(const RefreshArgs& a, const Job& job, const RefreshCheckpoint& target,
                        const TileFetcher& fetch, const audit::LogSource& source,
                        const Status& fork) {
  Status error = fork.WithContext(job.in);
  if (a.evidence_dir.empty()) return error;
  const auto now = static_cast<int64_t>(std::time(nullptr));
  std::optional<audit::Evidence> ev =
      ForkEvidence(job.old, target, fetch, "bundle " + job.in, source.Describe(), now);
  if (!ev) return error;
  Result<std::string> path = audit::WriteEvidence(a.evidence_dir, *ev);
  if (!path.ok()) {
    return Status(error.code(), fmt::format("{} (could not write evidence: {})", error.message(),
                                            path.status().message()));
  }
  return Status(error.code(), fmt::format("{} (evidence: {})", error.message(), *path));
}

void Report(const RefreshArgs& a, const RefreshCheckpoint& target, Context& ctx) {
  for (const Job& job : a.jobs) {
    const bool companion = !job.consistency_out.empty() && job.result.companion;
    if (a.json) {
      JsonWriter json(JsonWriter::Style::kCompact);
      json.BeginObject();
      json.Key("in");
      json.String(job.in);
      json.Key("out");
      json.String(job.out);
      json.Key("origin");
      json.String(target.checkpoint.origin);
      json.Key("index");
      json.Uint(job.old.bundle.index);
      json.Key("old_size");
      json.Uint(job.old.checkpoint.size);
      json.Key("new_size");
      json.Uint(target.checkpoint.size);
      json.Key("consistency");
      if (companion) {
        json.String(job.consistency_out);
      } else {
        json.Null();
      }
      json.EndObject();
      ctx.out << json.Finish();
      continue;
    }
    ctx.out << fmt::format("refreshed: {} -> {}: entry {}, tree size {} -> {}\n", job.in, job.out,
                           job.old.bundle.index, job.old.checkpoint.size, target.checkpoint.size);
    if (companion) {
      std::string froms;
      for (const ConsistencyProofBlock& b : job.result.companion->blocks) {
        froms += (froms.empty() ? "" : ", ") + std::to_string(b.from);
      }
      ctx.out << fmt::format("  consistency proofs from tree size(s) {} written to {}\n", froms,
                             job.consistency_out);
    }
  }
}

}  // namespace

Outcome RunBundleRefresh(const Args& args, Context& ctx) {
  RefreshArgs a;
  if (auto stop = ParseRefreshArgs(args, ctx, a)) return *stop;
  CANDOR_ASSIGN_OR_RETURN(TrustPolicy policy, ReadTrustPolicyFile(a.policy_path, ctx.err));
  for (Job& job : a.jobs) {
    CANDOR_ASSIGN_OR_RETURN(job.old, LoadBundleCheckpoint(job.in, job.in, &policy, nullptr));
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<Checkpoint> previous,
                          LoadPreviousCheckpoints(a.previous, &policy, nullptr));
  HttpClientOptions http = audit::AuditHttpOptions();
  http.ca_file = a.ca_file;
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<audit::LogSource> source,
                          audit::OpenLogSource(a.log, http));
  const TileFetcher fetch =
      MakeCachingTileFetcher(audit::MakeSourceTileFetcher(source.get()), kTileCacheSize);
  const auto now = static_cast<uint64_t>(std::max<std::time_t>(0, std::time(nullptr)));
  CANDOR_ASSIGN_OR_RETURN(
      RefreshCheckpoint target,
      FetchRefreshCheckpoint(*source, fetch, a.jobs.front().old.checkpoint.origin, policy, now));
  {
    Progress progress(ctx.err, "refresh", a.jobs.size(), ctx.err_is_tty && a.jobs.size() > 1,
                      "bundles");
    for (Job& job : a.jobs) {
      Result<RefreshedBundle> r = RefreshBundle(job.old, previous, target, fetch, ctx.err);
      if (!r.ok()) {
        return r.status().code() == Code::kInconsistent
                   ? WithForkEvidence(a, job, target, fetch, *source, r.status())
                   : r.status().WithContext(job.in);
      }
      job.result = std::move(r).value();
      progress.Add(1);
    }
  }
  CANDOR_RETURN_IF_ERROR(WriteOutputs(a));
  Report(a, target, ctx);
  for (const Job& job : a.jobs) {
    if (job.consistency_out.empty() && job.result.companion) {
      ctx.err << fmt::format(
          "note: {} has a larger tree than {}: devices that last saw the old one need a "
          "consistency proof (--consistency-out)\n",
          job.out, job.in);
    }
  }
  return Status::Ok();
}

}  // namespace candor::cli
