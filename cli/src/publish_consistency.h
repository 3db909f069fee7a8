// The consistency proof file shipped beside a new bundle (docs/FORMATS.md
// "Consistency proof file"), for `candor publish --previous-bundle FILE...
// --consistency-out FILE` (docs/CLI.md "publish") and `candor bundle refresh`
// (docs/CLI.md "bundle refresh").
//
// A device refuses a checkpoint larger than its last-seen tree of that log
// unless a consistency proof from its last-seen size comes with it. A device's
// last-seen checkpoint came from an earlier bundle, so the update server knows
// the few sizes it handed out: it names those bundles, and a proof from each
// of their tree sizes to the new checkpoint is obtained from a proof source
// passed in (publish: candor-log's GET /candor/v1/consistency; refresh: the
// log's tiles) and verified against both signed roots before anything is
// written, so a vendor never ships a proof devices would refuse, and a log
// that forked away from what it showed earlier is caught here first.
//
// Thread-safety: functions are reentrant; the proof source is called on the
// calling thread only.
#ifndef CANDOR_CLI_PUBLISH_CONSISTENCY_H_
#define CANDOR_CLI_PUBLISH_CONSISTENCY_H_

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/merkle.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/status.h"
#include "options.h"

namespace candor::cli {

// A bundle file and its checkpoint, verified under its log's key: the
// policy's key for its origin (when `policy` is given) or `log_key`. Only the
// log's signature is checked: a device already accepted this checkpoint (its
// witnesses and age were judged then); what is new is a proof from it.
// Errors carry `what` ("--previous-bundle PATH") as context.
// REQUIRES: policy or log_key non-null.
struct LoadedBundle {
  Bundle bundle;
  Checkpoint checkpoint;
};
Result<LoadedBundle> LoadBundleCheckpoint(const std::string& path, const std::string& what,
                                          const TrustPolicy* policy, const VerifierKey* log_key);

// The checkpoints of earlier bundles (LoadBundleCheckpoint of each). Bundles
// whose checkpoint does not verify are refused (a device could not hold them).
// REQUIRES: policy or log_key non-null.
Result<std::vector<Checkpoint>> LoadPreviousCheckpoints(const std::vector<std::string>& paths,
                                                        const TrustPolicy* policy,
                                                        const VerifierKey* log_key);

// Obtains and verifies a consistency proof (from `prove`, candor/merkle.h)
// from each previous checkpoint of `target`'s log smaller than `target`
// (duplicates once). A previous checkpoint of another log is skipped with a
// note on `err`; one larger than the target, or of equal size and another
// root, or whose proof does not verify against both signed roots, is refused
// (kInconsistent: devices that hold it would refuse the new bundle). nullopt
// when no proof is needed.
Result<std::optional<ConsistencyProofFile>> MakeConsistencyProofFile(
    const std::vector<Checkpoint>& previous, const Checkpoint& target,
    const ConsistencyProofFn& prove, std::ostream& err);

// The glue `candor publish` calls, so that its own code changes by a few lines.
// --previous-bundle FILE (repeatable) and --consistency-out FILE.
void AddConsistencyOptions(po::options_description& desc);

struct CompanionPlan {
  std::string out_path;
  std::vector<Checkpoint> previous;
};

// nullopt without --consistency-out; kInvalidArgument when only one of the two
// options is given; kConflict if the output exists and !force; errors of
// LoadPreviousCheckpoints. Runs before anything is submitted.
Result<std::optional<CompanionPlan>> PlanConsistencyCompanion(const po::variables_map& vm,
                                                              const TrustPolicy* policy,
                                                              const VerifierKey* log_key,
                                                              bool force);

// Writes the file MakeConsistencyProofFile made for `target` (the bundle's
// checkpoint), or nothing if it made none; says which on `out`.
Status WriteConsistencyCompanion(const CompanionPlan& plan, const Checkpoint& target,
                                 const std::optional<ConsistencyProofFile>& file, bool force,
                                 std::ostream& out);

}  // namespace candor::cli

#endif  // CANDOR_CLI_PUBLISH_CONSISTENCY_H_
