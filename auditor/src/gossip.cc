#include "candor/audit/gossip.h"

#include "candor/audit/evidence.h"
#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "prefix_check.h"

namespace candor::audit {

std::string_view ToString(GossipVerdict verdict) {
  switch (verdict) {
    case GossipVerdict::kConsistent:
      return "consistent";
    case GossipVerdict::kAhead:
      return "ahead";
    case GossipVerdict::kSplitView:
      return "split-view";
    case GossipVerdict::kBadSignature:
      return "bad-signature";
    case GossipVerdict::kMalformed:
      return "malformed";
    case GossipVerdict::kOtherLog:
      return "other-log";
    case GossipVerdict::kUnknownRelease:
      return "unknown-release";
    case GossipVerdict::kError:
      break;
  }
  return "error";
}

GossipResult CheckGossip(Mirror& mirror, const VerifierKey& log_key, const std::string& label,
                         std::string_view note, int64_t now) {
  GossipResult g;
  g.label = label;
  auto state = mirror.State();
  if (!state.ok() || state->checkpoint.empty()) {
    g.verdict = GossipVerdict::kError;
    g.detail = state.ok() ? "the mirror has no verified checkpoint (run sync first)"
                          : state.status().ToString();
    return g;
  }
  g.mirror_size = state->size;
  auto sc = VerifyCheckpoint(note, log_key);
  if (!sc.ok()) {
    g.verdict = sc.status().code() == Code::kMalformed ? GossipVerdict::kMalformed
                                                       : GossipVerdict::kBadSignature;
    g.detail = sc.status().ToString();
    return g;
  }
  const Checkpoint& cp = sc->checkpoint;
  g.origin = cp.origin;
  g.size = cp.size;
  Evidence ev;
  ev.kind = "split-view";
  ev.time = now;
  ev.origin = cp.origin;
  ev.source_a = "gossip " + label;
  ev.source_b = "mirror " + mirror.dir() + " (last verified checkpoint)";
  ev.checkpoint_a = std::string(note);
  ev.checkpoint_b = state->checkpoint;
  if (cp.size > state->size) {
    g.verdict = GossipVerdict::kAhead;
    g.detail = "ahead of mirror (size " + std::to_string(cp.size) + " > " +
               std::to_string(state->size) + "), sync first";
    return g;
  }
  auto pc = CheckPrefixOfMirror(mirror, *state, cp);
  if (!pc.ok()) {
    g.verdict = GossipVerdict::kError;
    g.detail = pc.status().ToString();
    return g;
  }
  if (pc->consistent) {
    g.verdict = GossipVerdict::kConsistent;
    g.detail = cp.size == state->size
                   ? "same tree as the mirror"
                   : "prefix of the mirror's tree (consistency proof " + std::to_string(cp.size) +
                         " -> " + std::to_string(state->size) + " verified)";
    return g;
  }
  if (cp.size == state->size) {
    ev.reason = "two checkpoints of size " + std::to_string(cp.size) + " with different roots";
  } else {
    ev.reason = "checkpoint of size " + std::to_string(cp.size) +
                " is not a prefix of the mirror's verified tree of size " +
                std::to_string(state->size) + ": " + pc->mismatch.message();
    ev.proof_from = cp.size;
    ev.proof_to = state->size;
    ev.proof = std::move(pc->proof);
    ev.details.push_back("proof computed from the mirror's verified tiles");
  }
  g.verdict = GossipVerdict::kSplitView;
  g.detail = ev.reason;
  auto path = WriteEvidence(mirror.private_dir(), ev);
  if (path.ok()) {
    g.evidence_path = *path;
  } else {
    g.detail += " (could not write evidence: " + path.status().ToString() + ")";
  }
  return g;
}

std::vector<GossipResult> CheckDeviceReport(Mirror& mirror, const VerifierKey& log_key,
                                            const std::string& label, const DeviceReport& report,
                                            int64_t now) {
  std::vector<GossipResult> results;
  for (const ReportCheckpoint& c : report.checkpoints) {
    GossipResult g;
    if (c.origin == log_key.name) {
      g = CheckGossip(mirror, log_key, "device report " + label, c.note, now);
    } else {
      g.verdict = GossipVerdict::kOtherLog;
      g.detail = "checkpoint of another log (this mirror follows " + log_key.name + ")";
    }
    g.label = label;
    g.origin = c.origin;
    results.push_back(std::move(g));
  }
  // The device records no log per release: only a report of one log says
  // which log its releases are entries of.
  if (report.checkpoints.size() != 1 || report.checkpoints[0].origin != log_key.name) {
    return results;
  }
  auto state = mirror.State();
  if (!state.ok()) return results;  // the checkpoint's result already says why
  for (const ReportRelease& rel : report.releases) {
    if (rel.log_index >= state->size) continue;  // not verified here yet: nothing to compare
    GossipResult g;
    g.label = label;
    g.origin = log_key.name;
    g.size = rel.log_index;
    g.mirror_size = state->size;
    auto row = mirror.index().ByIndex(rel.log_index, state->size);
    if (!row.ok()) {
      g.verdict = GossipVerdict::kError;
      g.detail = row.status().ToString();
    } else if (!*row) {
      g.verdict = GossipVerdict::kUnknownRelease;
      g.detail = "installed " + rel.product + " " + rel.version + " as log index " +
                 std::to_string(rel.log_index) + ", where the mirror holds no release";
    } else if ((*row)->leaf_hex != HexEncode(rel.leaf_hash)) {
      g.verdict = GossipVerdict::kUnknownRelease;
      g.detail = "installed " + rel.product + " " + rel.version + " as log index " +
                 std::to_string(rel.log_index) + ", where the mirror holds " + (*row)->vendor +
                 " " + (*row)->version + " (another leaf hash)";
    } else {
      continue;  // the same entry: nothing to report
    }
    results.push_back(std::move(g));
  }
  return results;
}

}  // namespace candor::audit
