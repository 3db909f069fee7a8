// Checkpoint trust under a policy: the log's signature, the witness
// cosignatures and their quorum (EvaluateQuorum, the one quorum-time
// computation), and freshness (max-checkpoint-age). One implementation for
// every verifier that holds a trust policy: Verify() (devices, `candor
// verify`) and `candor audit sync`/`watch` all call it, so an auditor cannot be
// kept on an old view that a device would refuse, and the rules cannot drift.
//
// Freshness, when the policy sets max-checkpoint-age (otherwise times are not
// used, and a verifier without a clock still works), failing closed:
//   - A cosignature dated more than kMaxClockSkewSeconds after the
//     verifier's clock does not count towards the quorum: a witness's (or an
//     attacker's stolen witness key's) far-future timestamp would otherwise
//     satisfy max-checkpoint-age forever. A verifier whose clock is far behind
//     therefore sees every honest cosignature as future and refuses, rather
//     than accepting any age; CheckClockNotBehind also refuses a clock behind
//     the quorum time of a checkpoint the verifier already accepted.
//   - The quorum time (policy.h: the latest T such that the witnesses that
//     cosigned at or after T satisfy the quorum) must be at most that many
//     seconds before the verifier's clock.
//
// Thread-safety: pure functions over values; safe to call concurrently.
#ifndef CANDOR_CHECKPOINT_TRUST_H_
#define CANDOR_CHECKPOINT_TRUST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/status.h"

namespace candor {

// How far ahead of the verifier's clock a cosignature timestamp may be (clock
// skew between witness and verifier) and still count, and how far the clock
// may be behind a quorum time it already accepted. Small: witnesses, devices
// and auditors keep roughly synchronised clocks (docs/AGENT.md "Freshness").
inline constexpr uint64_t kMaxClockSkewSeconds = 300;

struct TrustedCheckpoint {
  SignedCheckpoint signed_checkpoint;
  QuorumResult quorum;
  std::vector<std::string> cosigned_by;  // policy witnesses whose cosignatures counted
  size_t future_cosignatures = 0;        // valid but dated too far ahead: not counted
};

// Verifies `note` with `log_key`, collects the valid cosignatures of the
// policy's witnesses (a bad one from a policy witness fails closed, as
// VerifyCosignatures), drops those dated more than
// kMaxClockSkewSeconds after `now_unix` if the policy sets
// max-checkpoint-age, and evaluates the quorum.
// Does not check the age (CheckCheckpointAge) so a caller can first compare
// the checkpoint with what it saw before.
// Errors: those of VerifyCheckpoint (context "checkpoint"), VerifyCosignatures
// (context "witness cosignature"); kPolicyUnsatisfied "witness quorum not met
// (M of N)" (naming ignored future-dated cosignatures, if any).
Result<TrustedCheckpoint> VerifyCheckpointQuorum(std::string_view note, const VerifierKey& log_key,
                                                 const TrustPolicy& policy, uint64_t now_unix);

// max-checkpoint-age: kPolicyUnsatisfied "checkpoint too old (cosigned S s
// ago, maximum M s)" when the policy has a maximum age and the quorum time is
// older than that at `now_unix`. OK when the policy has no maximum age.
// REQUIRES: quorum.satisfied.
Status CheckCheckpointAge(const TrustPolicy& policy, const QuorumResult& quorum,
                          uint64_t now_unix);

// kPolicyUnsatisfied when `now_unix` is more than
// kMaxClockSkewSeconds behind `seen_quorum_time`, the quorum time
// of a checkpoint the verifier accepted before: a clock set back would make
// every old checkpoint look fresh.
Status CheckClockNotBehind(uint64_t seen_quorum_time, uint64_t now_unix);

// The log of `policy` that the checkpoint note names by its origin (the
// note's first line; nothing is verified yet): kUntrustedKey "checkpoint from
// unknown log" when the policy has none, the checkpoint parser's error
// (context "checkpoint") when the note does not parse.
Result<const PolicyLog*> PolicyLogFor(std::string_view note, const TrustPolicy& policy);

// Both: VerifyCheckpointQuorum, then CheckCheckpointAge.
Result<TrustedCheckpoint> VerifyTrustedCheckpoint(std::string_view note,
                                                  const VerifierKey& log_key,
                                                  const TrustPolicy& policy, uint64_t now_unix);

}  // namespace candor

#endif  // CANDOR_CHECKPOINT_TRUST_H_
