// Whether a signed checkpoint no larger than the mirror's verified tree is
// that tree or a prefix of it: the step `audit sync` (a log serving a view no
// newer than the mirror's) and `audit gossip` (a checkpoint seen elsewhere)
// share. Private to candor_audit; callers word their own evidence.
//
// Thread-safety: reads the mirror's tiles; the caller holds the mirror.
#ifndef CANDOR_AUDIT_SRC_PREFIX_CHECK_H_
#define CANDOR_AUDIT_SRC_PREFIX_CHECK_H_

#include <vector>

#include "candor/audit/mirror.h"
#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "candor/status.h"

namespace candor::audit {

struct PrefixCheck {
  bool consistent = false;  // same root at the same size, or the proof verifies
  std::vector<Hash> proof;  // when cp is smaller: from cp.size to the mirror's size
  Status mismatch;          // when cp is smaller and the proof does not verify: why
};

// REQUIRES: cp.size <= state.size and `state` is the mirror's verified state.
// An error only when the consistency proof cannot be built from the mirror.
Result<PrefixCheck> CheckPrefixOfMirror(Mirror& mirror, const MirrorState& state,
                                        const Checkpoint& cp);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_SRC_PREFIX_CHECK_H_
