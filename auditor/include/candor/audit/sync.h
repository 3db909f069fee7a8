// `candor audit sync`: mirror a log and verify everything downloaded
// (docs/AUDIT.md "sync"). In order, failing closed:
//   1. the log's checkpoint: log signature (candor/checkpoint.h) and, with a
//      trust policy, the witness quorum with cosignatures not dated in the
//      future (candor/checkpoint_trust.h, as devices);
//   2. against the mirror's last verified checkpoint: same size => same root;
//      larger => an RFC 9162 consistency proof built from the log's tiles
//      verifies; smaller => refused with evidence either way: kPolicyUnsatisfied
//      ("stale-view", an older view than the log already showed: the
//      consistency proof from the mirror's own tiles verifies) or
//      kInconsistent ("split-view", it does not);
//   2b. with a policy's max-checkpoint-age: the quorum time is at most that old
//      (CheckCheckpointAge, as devices), also when the checkpoint is the one
//      the mirror already has (a frozen log);
//   3. every new entry bundle is downloaded, every entry parsed and its vendor
//      signature checked (ParseReleaseEntry; a bad entry is recorded, not
//      fatal), its leaf hash computed, and the tree recomputed with
//      TreeBuilder: every full tile completed and every partial tile at the
//      new size must equal the downloaded tile byte for byte, and the
//      recomputed root must equal the checkpoint's.
// On a contradiction between signed checkpoints (or between a checkpoint and
// the tiles it signs) an evidence file is written (candor/audit/evidence.h)
// and the sync stops with kInconsistent (or kMismatch).
//
// Incremental and resumable: tiles and bundles are written to the mirror as
// they are verified; every `commit_bundles` bundles the mirror is synced
// (syncfs) and the index rows plus the tree's right edge are committed as
// "progress"; the verified state advances only when the whole checkpoint is
// verified. Memory is O(log n) tree state plus a bounded prefetch window.
//
// Thread-safety: Sync runs on the calling thread and uses helper threads
// internally (candor/audit/bundle_pipeline.h: one downloads, a pool parses
// and verifies whole bundles); the tree, the index and the mirror's files are
// written by the calling thread, in log order.
#ifndef CANDOR_AUDIT_SYNC_H_
#define CANDOR_AUDIT_SYNC_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "candor/audit/mirror.h"
#include "candor/audit/source.h"
#include "candor/checkpoint.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/status.h"

namespace candor::audit {

struct SyncOptions {
  std::string log;  // URL or directory (candor/audit/source.h)
  VerifierKey log_key;
  std::optional<TrustPolicy> policy;
  size_t commit_bundles = 64;   // bundles per durable progress commit
  size_t prefetch = 16;         // bundles in flight: downloaded or verified ahead
  unsigned verify_threads = 0;  // verifying workers (bundle_pipeline.h); 0: one per core
  // Called after each bundle with (verified entries, entries to verify).
  std::function<void(uint64_t done, uint64_t total)> on_progress;
  // For tests: stop (as if killed) after this many bundles; 0 = never.
  size_t stop_after_bundles = 0;
  // Unix seconds, for max-checkpoint-age, cosignature skew, the time entries
  // were first seen logged and evidence times; default: the system clock.
  std::function<int64_t()> now;
  HttpClientOptions http = AuditHttpOptions();  // for an http:// log
};

// How a sync ended.
enum class SyncOutcome {
  kFailed,    // failed without evidence: `status` says why
  kSynced,    // the mirror advanced to the log's checkpoint
  kUpToDate,  // the mirror already had it
  kEvidence,  // a contradiction, written to `evidence_path`
};

// The word `audit sync --json` prints as "outcome" (docs/AUDIT.md): "error",
// "synced", "up-to-date" or "evidence".
std::string_view ToString(SyncOutcome outcome);

struct SyncResult {
  SyncOutcome outcome = SyncOutcome::kFailed;
  uint64_t old_size = 0;
  uint64_t new_size = 0;  // the verified size after the sync
  uint64_t checkpoint_size = 0;
  uint64_t entries_verified = 0;
  uint64_t invalid_entries = 0;
  uint64_t trust_roots = 0;  // valid trust root entries indexed (of entries_verified)
  uint64_t bytes_downloaded = 0;
  uint64_t resumed_from = 0;  // > old_size when an interrupted sync was resumed
  double seconds = 0;
  std::string evidence_path;  // when outcome == kEvidence
  Status status;              // OK unless the sync failed
};

// Runs one sync into `mirror` (which must be locked by the caller).
SyncResult Sync(Mirror& mirror, const SyncOptions& options);

struct LogCheckpoint {
  SignedCheckpoint signed_checkpoint;
  std::optional<QuorumResult> quorum;  // with a policy
};

// Verifies a signed checkpoint with the log key and, if a policy is given,
// its witness quorum (VerifyCheckpointQuorum at `now_unix`; the age is left to
// CheckCheckpointAge).
Result<LogCheckpoint> VerifyLogCheckpoint(std::string_view note, const VerifierKey& log_key,
                                          const TrustPolicy* policy, uint64_t now_unix);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_SYNC_H_
