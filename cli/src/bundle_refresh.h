// `candor bundle refresh`: a bundle's proofs renewed against a newer
// checkpoint, computed from the log's tiles alone (docs/CLI.md "bundle
// refresh").
//
// A device that was offline past `max-checkpoint-age` holds a bundle it must
// refuse; the release is still in the log, only the proof is stale. Every
// proof a device needs (inclusion under the new root, consistency from the old
// bundle's tree) is a function of the tiles (c2sp.org/tlog-tiles), so any copy
// of them serves: candor-log, nginx, a CDN, a directory, an auditor's mirror.
// The tiles are untrusted: the new checkpoint must satisfy the policy through
// the one checkpoint-trust check (candor/checkpoint_trust.h), and every proof
// computed from the tiles is verified against the signed roots
// (candor/merkle.h) before anything is written.
//
// Thread-safety: functions are reentrant; the TileFetcher is called on the
// calling thread only.
#ifndef CANDOR_CLI_BUNDLE_REFRESH_H_
#define CANDOR_CLI_BUNDLE_REFRESH_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "candor/audit/evidence.h"
#include "candor/audit/source.h"
#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/policy.h"
#include "candor/status.h"
#include "candor/tile_reader.h"
#include "publish_consistency.h"

namespace candor::cli {

// A TileFetcher that keeps up to `max_tiles` tiles it fetched (successes only)
// so that refreshing many bundles reads each shared tile once; the cache is
// emptied when full, bounding memory at max_tiles * 8 KiB.
TileFetcher MakeCachingTileFetcher(TileFetcher inner, size_t max_tiles);

// The log's newest checkpoint, trusted under the policy.
struct RefreshCheckpoint {
  std::string note;  // verbatim, with its cosignatures
  Checkpoint checkpoint;
  std::vector<std::string> cosigned_by;
};

// Fetches `source`'s checkpoint and checks, in order: it names `origin` (the
// bundles' log; kMismatch otherwise, before any signature work);
// VerifyTrustedCheckpoint under the policy's key for that origin (log
// signature, witness quorum, max-checkpoint-age at `now_unix`); the tiles
// hash to its root (TreeHash; kMismatch "tiles do not hash to the
// checkpoint's root"). Errors of fetching as they come (kNotFound for a
// missing checkpoint or tile).
Result<RefreshCheckpoint> FetchRefreshCheckpoint(audit::LogSource& source, const TileFetcher& fetch,
                                                 const std::string& origin,
                                                 const TrustPolicy& policy, uint64_t now_unix);

// A refreshed bundle and its consistency companion (nullopt when the new
// checkpoint has the old bundle's size and every previous size's).
struct RefreshedBundle {
  std::string bundle_text;
  std::optional<ConsistencyProofFile> companion;
};

// Refreshes `old` (LoadBundleCheckpoint: its log signature verified) to
// `target`, reading tiles through `fetch`:
//   - the old bundle's inclusion proof verifies under its own checkpoint
//     (kNotIncluded otherwise: it never was a bundle a device accepts);
//   - same origin (kMismatch), not smaller (kPolicyUnsatisfied: the log, or
//     the copy of it, is behind the bundle);
//   - MakeConsistencyProofFile from the old size and each of `previous`
//     (kInconsistent, naming both checkpoints, when the log forked);
//   - the inclusion proof of the same entry at the same index under the new
//     root (kMismatch: the tiles do not hash to the checkpoint).
// The new bundle carries the old bundle's entry byte for byte.
Result<RefreshedBundle> RefreshBundle(const LoadedBundle& old,
                                      const std::vector<Checkpoint>& previous,
                                      const RefreshCheckpoint& target, const TileFetcher& fetch,
                                      std::ostream& err);

// When the log's checkpoint does not extend the old bundle's (RefreshBundle
// failed with kInconsistent because of it, not of a --previous-bundle): the
// evidence of it (docs/AUDIT.md "Evidence files"): kind "split-view" for two
// roots at one size, else "inconsistent" with the consistency proof the tiles
// give, which does not verify. Both checkpoints are the signed notes, so the
// file alone shows the log signed two histories. nullopt when the old
// bundle's checkpoint is consistent with the log's.
std::optional<audit::Evidence> ForkEvidence(const LoadedBundle& old,
                                            const RefreshCheckpoint& target,
                                            const TileFetcher& fetch, std::string source_a,
                                            std::string source_b, int64_t now_unix);

}  // namespace candor::cli

#endif  // CANDOR_CLI_BUNDLE_REFRESH_H_
