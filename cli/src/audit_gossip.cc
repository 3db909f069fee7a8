// `candor audit gossip` (docs/AUDIT.md "gossip"): checkpoints obtained
// elsewhere, checked against the mirror's verified tree. An input is a signed
// checkpoint note, a device report (candor/device_report.h, told apart by its
// header line), or a directory of either (its regular files, in name order).
#include <algorithm>
#include <ostream>

#include "audit.h"
#include "candor/audit/gossip.h"
#include "candor/device_report.h"
#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"
#include "files.h"

namespace candor::cli {
namespace {

void WriteGossipJson(const audit::GossipResult& g, JsonWriter& json) {
  json.BeginObject();
  json.Key("file");
  json.String(g.label);
  json.Key("origin");
  if (g.origin.empty()) {
    json.Null();
  } else {
    json.String(g.origin);
  }
  json.Key("verdict");
  json.String(audit::ToString(g.verdict));
  json.Key("size");
  json.Uint(g.size);
  json.Key("mirror_size");
  json.Uint(g.mirror_size);
  json.Key("detail");
  json.String(g.detail);
  json.Key("evidence");
  if (g.evidence_path.empty()) {
    json.Null();
  } else {
    json.String(g.evidence_path);
  }
  json.EndObject();
}

// The worst verdict so far decides the exit code: a split view (8) over a
// device's release the mirror does not hold (6) over a bad signature or
// malformed checkpoint or report (4) over a file that could not be read; a
// checkpoint of another log changes nothing.
void Worsen(Status& worst, const std::string& file, const audit::GossipResult& g) {
  if (g.verdict == audit::GossipVerdict::kSplitView && worst.code() != Code::kInconsistent) {
    worst = Status::Inconsistent("split view: " + g.detail);
  } else if (g.verdict == audit::GossipVerdict::kUnknownRelease &&
             worst.code() != Code::kInconsistent && worst.code() != Code::kMismatch) {
    worst = Status::Mismatch(file + ": " + g.detail);
  } else if ((g.verdict == audit::GossipVerdict::kBadSignature ||
              g.verdict == audit::GossipVerdict::kMalformed) &&
             worst.ok()) {
    worst = Status::BadSignature(file + ": " + g.detail);
  } else if (g.verdict == audit::GossipVerdict::kError && worst.ok()) {
    worst = Status::Io(file + ": " + g.detail);
  }
}

// One input: a file to read, or a directory argument that could not be
// listed (its row says why).
struct Input {
  std::string path;
  Status error;
};

// The input files: each argument, or the files of each directory argument.
// A missing path is left to the read, so it is one `error` row like any
// unreadable file, and never stops the other inputs.
std::vector<Input> ExpandInputs(const std::vector<std::string>& args) {
  std::vector<Input> inputs;
  for (const std::string& arg : args) {
    Result<std::vector<std::string>> names = fs::ListFiles(arg);
    if (names.ok()) {
      for (const std::string& name : *names) inputs.push_back({arg + "/" + name, Status::Ok()});
    } else if (names.status().code() == Code::kInvalidArgument ||
               names.status().code() == Code::kNotFound) {
      inputs.push_back({arg, Status::Ok()});  // not a directory: a file (or an error when read)
    } else {
      inputs.push_back({arg, names.status()});
    }
  }
  return inputs;
}

// The results of one input file: one per checkpoint it holds.
std::vector<audit::GossipResult> CheckFile(audit::Mirror& mirror, const VerifierKey& key,
                                           const Input& input) {
  const std::string& file = input.path;
  auto error = [&file](audit::GossipVerdict verdict, const Status& s) {
    audit::GossipResult g;
    g.label = file;
    g.verdict = verdict;
    g.detail = s.ToString();
    return std::vector<audit::GossipResult>{g};
  };
  if (!input.error.ok()) return error(audit::GossipVerdict::kError, input.error);
  // A report is larger than a note may be; the note's own limit applies to
  // what is not a report.
  Result<std::string> data = fs::ReadFile(file, std::max(kMaxDeviceReportSize, kMaxNoteSize));
  if (!data.ok()) return error(audit::GossipVerdict::kError, data.status());
  if (data->starts_with('{')) {
    // `candor-agent report --json` is for scripts; say so rather than
    // "malformed note".
    return error(audit::GossipVerdict::kMalformed,
                 Status::Malformed(file + ": a JSON report; gossip reads the text form "
                                          "(candor-agent report without --json)"));
  }
  if (!IsDeviceReport(*data)) {
    if (data->size() > kMaxNoteSize) {
      return error(audit::GossipVerdict::kError,
                   Status::TooLarge(file + ": larger than " + std::to_string(kMaxNoteSize) +
                                    " bytes, the limit of a checkpoint note"));
    }
    return {audit::CheckGossip(mirror, key, file, *data, NowSeconds())};
  }
  Result<DeviceReport> report = ParseDeviceReport(*data);
  if (!report.ok()) return error(audit::GossipVerdict::kMalformed, report.status());
  // A device that installed nothing yet reports no checkpoint: no result.
  return audit::CheckDeviceReport(mirror, key, file, *report, NowSeconds());
}

}  // namespace

Outcome RunAuditGossip(const Args& args, Context& ctx) {
  std::string dir, key_path;
  std::vector<std::string> files;
  bool json = false;
  po::options_description desc("options");
  AddHelpOption(desc);
  AddDirOption(desc, &dir);
  desc.add_options()("log-key", po::value(&key_path),
                     "log key (default: the one the mirror was synced with)");
  AddJsonOption(desc, &json);
  desc.add_options()("file", po::value(&files),
                     "checkpoint files, device reports, or directories of them");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  if (auto early = ParseAuditArgs(args, desc, &pos,
                                  "gossip --dir MIRROR [--log-key LOG.pub] "
                                  "CHECKPOINT|REPORT|DIR... [--json]",
                                  ctx, vm)) {
    return *early;
  }
  if (dir.empty() || files.empty()) {
    return UsageError(Status::InvalidArgument(
        "gossip needs --dir and at least one checkpoint file, report or directory"));
  }
  // No lock: gossip only reads the verified tree (immutable files below the
  // verified size) and writes evidence, so it runs beside a `watch`.
  CANDOR_ASSIGN_OR_RETURN(auto mirror, audit::Mirror::Open(dir, false, false));
  if (key_path.empty()) key_path = mirror->private_dir() + "/log.pub";
  CANDOR_ASSIGN_OR_RETURN(VerifierKey key, ReadLogKey(key_path));
  const std::vector<Input> inputs = ExpandInputs(files);
  Status worst;
  JsonWriter w(JsonWriter::Style::kCompact);
  w.BeginObject();
  w.Key("results");
  w.BeginArray();
  std::vector<std::vector<std::string>> t = {{"FILE", "ORIGIN", "SIZE", "VERDICT", "DETAIL"}};
  {
    Progress progress(ctx.err, "gossip", inputs.size(), ctx.err_is_tty && inputs.size() > 1,
                      "files");
    for (const Input& input : inputs) {
      const std::string& file = input.path;
      for (const audit::GossipResult& g : CheckFile(*mirror, key, input)) {
        Worsen(worst, file, g);
        WriteGossipJson(g, w);
        t.push_back(
            {file, g.origin.empty() ? "-" : g.origin, std::to_string(g.size),
             std::string(audit::ToString(g.verdict)),
             g.detail + (g.evidence_path.empty() ? "" : " (evidence: " + g.evidence_path + ")")});
      }
      progress.Add(1);
    }
  }
  w.EndArray();
  w.EndObject();
  if (json) {
    ctx.out << w.Finish();
  } else {
    PrintTable(ctx.out, t);
  }
  Outcome out(worst);
  out.prefix = "error: audit gossip";
  return out;
}

}  // namespace candor::cli
