// `candor audit gossip` (docs/AUDIT.md "gossip"): checkpoints obtained
// elsewhere, checked against the mirror's verified tree.
#include <ostream>

#include "audit.h"
#include "candor/audit/gossip.h"
#include "candor/fs/read_file.h"

namespace candor::cli {
namespace {

void WriteGossipJson(const std::string& file, const audit::GossipResult& g, JsonWriter& json) {
  json.BeginObject();
  json.Key("file");
  json.String(file);
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

// The worst verdict so far decides the exit code: a split view (8) over a bad
// signature or malformed checkpoint (4) over a file that could not be read.
void Worsen(Status& worst, const std::string& file, const audit::GossipResult& g) {
  if (g.verdict == audit::GossipVerdict::kSplitView && worst.code() != Code::kInconsistent) {
    worst = Status::Inconsistent("split view: " + g.detail);
  } else if ((g.verdict == audit::GossipVerdict::kBadSignature ||
              g.verdict == audit::GossipVerdict::kMalformed) &&
             worst.ok()) {
    worst = Status::BadSignature(file + ": " + g.detail);
  } else if (g.verdict == audit::GossipVerdict::kError && worst.ok()) {
    worst = Status::Io(file + ": " + g.detail);
  }
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
  desc.add_options()("file", po::value(&files), "checkpoint files");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  if (auto early = ParseAuditArgs(args, desc, &pos,
                                  "gossip --dir MIRROR [--log-key LOG.pub] CHECKPOINT_FILE... "
                                  "[--json]",
                                  ctx, vm)) {
    return *early;
  }
  if (dir.empty() || files.empty()) {
    return UsageError(
        Status::InvalidArgument("gossip needs --dir and at least one checkpoint file"));
  }
  // No lock: gossip only reads the verified tree (immutable files below the
  // verified size) and writes evidence, so it runs beside a `watch`.
  CANDOR_ASSIGN_OR_RETURN(auto mirror, audit::Mirror::Open(dir, false, false));
  if (key_path.empty()) key_path = mirror->private_dir() + "/log.pub";
  CANDOR_ASSIGN_OR_RETURN(VerifierKey key, ReadLogKey(key_path));
  Status worst;
  JsonWriter w(JsonWriter::Style::kCompact);
  w.BeginObject();
  w.Key("results");
  w.BeginArray();
  std::vector<std::vector<std::string>> t = {{"FILE", "SIZE", "VERDICT", "DETAIL"}};
  for (const std::string& file : files) {
    auto data = fs::ReadFileBytes(file, kMaxNoteSize);
    audit::GossipResult g;
    if (!data.ok()) {
      g.label = file;
      g.verdict = audit::GossipVerdict::kError;
      g.detail = data.status().ToString();
    } else {
      g = audit::CheckGossip(*mirror, key, file, AsChars(*data), NowSeconds());
    }
    Worsen(worst, file, g);
    WriteGossipJson(file, g, w);
    t.push_back(
        {file, std::to_string(g.size), std::string(audit::ToString(g.verdict)),
         g.detail + (g.evidence_path.empty() ? "" : " (evidence: " + g.evidence_path + ")")});
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
