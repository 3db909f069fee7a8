// `candor audit gossip`: checks checkpoints obtained elsewhere (from a device,
// a witness, another auditor) against the mirror's verified tree, with
// consistency proofs computed from the mirror's own tiles:
//   - the checkpoint must verify with the log key ("bad-signature" otherwise);
//   - smaller than the mirror: an RFC 9162 consistency proof from its size to
//     the mirror's must verify ("consistent");
//   - same size: same root ("consistent");
//   - larger: "ahead" (sync the mirror first);
//   - anything else is a split view: an evidence file with both signed
//     checkpoints and the failing proof (candor/audit/evidence.h).
//
// Thread-safety: uses the mirror from the calling thread.
#ifndef CANDOR_AUDIT_GOSSIP_H_
#define CANDOR_AUDIT_GOSSIP_H_

#include <string>
#include <string_view>

#include "candor/audit/mirror.h"
#include "candor/note.h"

namespace candor::audit {

// What a gossiped checkpoint turned out to be.
enum class GossipVerdict {
  kError,         // not checked (no verified mirror, unreadable file, I/O): `detail` says why
  kConsistent,    // the mirror's tree or a verified prefix of it
  kAhead,         // larger than the mirror: sync first
  kSplitView,     // contradicts the mirror: evidence written
  kBadSignature,  // not signed by the log key
  kMalformed,     // not a checkpoint note
};

// The word `audit gossip --json` prints as "verdict" (docs/AUDIT.md):
// "error", "consistent", "ahead", "split-view", "bad-signature", "malformed".
std::string_view ToString(GossipVerdict verdict);

struct GossipResult {
  std::string label;  // where the checkpoint came from (file name)
  GossipVerdict verdict = GossipVerdict::kError;
  uint64_t size = 0;
  uint64_t mirror_size = 0;
  std::string detail;
  std::string evidence_path;
};

GossipResult CheckGossip(Mirror& mirror, const VerifierKey& log_key, const std::string& label,
                         std::string_view note, int64_t now);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_GOSSIP_H_
