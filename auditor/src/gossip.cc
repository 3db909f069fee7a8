#include "candor/audit/gossip.h"

#include "candor/audit/evidence.h"
#include "candor/checkpoint.h"
#include "candor/merkle.h"

namespace candor::audit {

GossipResult CheckGossip(Mirror& mirror, const VerifierKey& log_key, const std::string& label,
                         std::string_view note, int64_t now) {
  GossipResult g;
  g.label = label;
  auto state = mirror.State();
  if (!state.ok() || state->checkpoint.empty()) {
    g.verdict = "error";
    g.detail = state.ok() ? "the mirror has no verified checkpoint (run sync first)"
                          : state.status().ToString();
    return g;
  }
  g.mirror_size = state->size;
  auto sc = VerifyCheckpoint(note, log_key);
  if (!sc.ok()) {
    g.verdict = sc.status().code() == Code::kMalformed ? "malformed" : "bad-signature";
    g.detail = sc.status().ToString();
    return g;
  }
  const Checkpoint& cp = sc->checkpoint;
  g.size = cp.size;
  Evidence ev;
  ev.kind = "split-view";
  ev.time = now;
  ev.origin = cp.origin;
  ev.source_a = "gossip " + label;
  ev.source_b = "mirror " + mirror.dir() + " (last verified checkpoint)";
  ev.checkpoint_a = std::string(note);
  ev.checkpoint_b = state->checkpoint;
  Status verdict;
  if (cp.size > state->size) {
    g.verdict = "ahead";
    g.detail = "ahead of mirror (size " + std::to_string(cp.size) + " > " +
               std::to_string(state->size) + "), sync first";
    return g;
  }
  if (cp.size == state->size) {
    if (HashEqual(cp.root_hash, state->root)) {
      g.verdict = "consistent";
      g.detail = "same tree as the mirror";
      return g;
    }
    ev.reason = "two checkpoints of size " + std::to_string(cp.size) + " with different roots";
  } else {
    auto proof = ProveConsistency(cp.size, state->size, mirror.Reader(state->size));
    if (!proof.ok()) {
      g.verdict = "error";
      g.detail = proof.status().ToString();
      return g;
    }
    Status st = VerifyConsistency(cp.size, state->size, *proof, cp.root_hash, state->root);
    if (st.ok()) {
      g.verdict = "consistent";
      g.detail = "prefix of the mirror's tree (consistency proof " + std::to_string(cp.size) +
                 " -> " + std::to_string(state->size) + " verified)";
      return g;
    }
    ev.reason = "checkpoint of size " + std::to_string(cp.size) +
                " is not a prefix of the mirror's verified tree of size " +
                std::to_string(state->size) + ": " + st.message();
    ev.proof_from = cp.size;
    ev.proof_to = state->size;
    ev.proof = *proof;
    ev.details.push_back("proof computed from the mirror's verified tiles");
  }
  g.verdict = "split-view";
  g.detail = ev.reason;
  auto path = WriteEvidence(mirror.private_dir(), ev);
  if (path.ok()) {
    g.evidence_path = *path;
  } else {
    g.detail += " (could not write evidence: " + path.status().ToString() + ")";
  }
  return g;
}

}  // namespace candor::audit
