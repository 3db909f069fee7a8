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
// A device report (candor/device_report.h) is a set of such checkpoints, one
// per log the device trusts: CheckDeviceReport judges each checkpoint of the
// mirror's log with CheckGossip (the one check), says "other-log" for the
// others, and checks the device's installed releases against the mirror's
// index when the report names the log they came from.
//
// Thread-safety: uses the mirror from the calling thread.
#ifndef CANDOR_AUDIT_GOSSIP_H_
#define CANDOR_AUDIT_GOSSIP_H_

#include <string>
#include <string_view>
#include <vector>

#include "candor/audit/mirror.h"
#include "candor/device_report.h"
#include "candor/note.h"

namespace candor::audit {

// What a gossiped checkpoint turned out to be.
enum class GossipVerdict {
  kError,         // not checked (no verified mirror, unreadable file, I/O): `detail` says why
  kConsistent,    // the mirror's tree or a verified prefix of it
  kAhead,         // larger than the mirror: sync first
  kSplitView,     // contradicts the mirror: evidence written
  kBadSignature,  // not signed by the log key
  kMalformed,     // not a checkpoint note (or not a device report)
  kOtherLog,      // a device report's checkpoint of another log: not judged
  // A device report's release at log index N whose leaf the mirror's verified
  // entry N does not have (the device installed something this log does not
  // hold there).
  kUnknownRelease,
};

// The word `audit gossip --json` prints as "verdict" (docs/AUDIT.md):
// "error", "consistent", "ahead", "split-view", "bad-signature", "malformed",
// "other-log", "unknown-release".
std::string_view ToString(GossipVerdict verdict);

struct GossipResult {
  std::string label;   // where the checkpoint came from (file name)
  std::string origin;  // the checkpoint's origin, once known ("" before)
  GossipVerdict verdict = GossipVerdict::kError;
  uint64_t size = 0;  // the checkpoint's size (kUnknownRelease: the release's log index)
  uint64_t mirror_size = 0;
  std::string detail;
  std::string evidence_path;
};

GossipResult CheckGossip(Mirror& mirror, const VerifierKey& log_key, const std::string& label,
                         std::string_view note, int64_t now);

// One result per checkpoint of `report`, labelled `label` and its origin (the
// mirror follows the log named log_key.name; a checkpoint of another origin
// is kOtherLog, whatever it holds). Then, if the report's only checkpoint is
// of the mirror's log (so every release came from it: the device records no
// origin per release), one kUnknownRelease result per installed release
// below the mirror's size whose leaf hash differs from the mirror's verified
// entry at its index (or which is no release there). Evidence of a split view
// names the source "device report <label>".
std::vector<GossipResult> CheckDeviceReport(Mirror& mirror, const VerifierKey& log_key,
                                            const std::string& label, const DeviceReport& report,
                                            int64_t now);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_GOSSIP_H_
