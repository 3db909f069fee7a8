#include "prefix_check.h"

namespace candor::audit {

Result<PrefixCheck> CheckPrefixOfMirror(Mirror& mirror, const MirrorState& state,
                                        const Checkpoint& cp) {
  PrefixCheck pc;
  if (cp.size == state.size) {
    pc.consistent = HashEqual(cp.root_hash, state.root);
    return pc;
  }
  CANDOR_ASSIGN_OR_RETURN(pc.proof,
                          ProveConsistency(cp.size, state.size, mirror.Reader(state.size)));
  pc.mismatch = VerifyConsistency(cp.size, state.size, pc.proof, cp.root_hash, state.root);
  pc.consistent = pc.mismatch.ok();
  return pc;
}

}  // namespace candor::audit
