// Steps 5 and 6 of Verify (candor/verify.h): the bundle's checkpoint is
// trusted under a policy (log key, witness quorum, freshness, consistency with
// the last-seen tree of its log) and the entry is included under it. One
// implementation for every entry type a device accepts from the log:
// releases (Verify) and trust roots (VerifyTrustRootUpdate).
//
// Thread-safety: pure function over values.
#ifndef CANDOR_LOG_PROOF_INTERNAL_H_
#define CANDOR_LOG_PROOF_INTERNAL_H_

#include <span>
#include <string>
#include <vector>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/policy.h"
#include "candor/status.h"
#include "candor/verify.h"

namespace candor::internal {

struct LogProofRequest {
  const TrustPolicy* policy = nullptr;  // REQUIRES: non-null
  uint64_t now_unix = 0;
  std::span<const LastSeenTree> last_seen;
  const ConsistencyProofFile* consistency_proofs = nullptr;  // may be null
};

struct CheckedLogProof {
  SignedCheckpoint signed_checkpoint;
  QuorumResult quorum;
  std::vector<std::string> cosigned_by;
  Hash leaf{};
};

// Errors: those of Verify's steps 5 and 6 (kUntrustedKey, kBadSignature,
// kPolicyUnsatisfied, kInconsistent, kConsistencyRequired, kNotIncluded, ...).
Result<CheckedLogProof> CheckLogProof(const LogProofRequest& request, const Bundle& bundle);

}  // namespace candor::internal

#endif  // CANDOR_LOG_PROOF_INTERNAL_H_
