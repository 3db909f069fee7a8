// `candor publish --previous-bundle FILE... --consistency-out FILE`: the
// consistency proof file shipped beside a new bundle (docs/CLI.md "publish",
// docs/FORMATS.md "Consistency proof file").
//
// A device refuses a checkpoint larger than its last-seen tree of that log
// unless a consistency proof from its last-seen size comes with it. A device's
// last-seen checkpoint came from an earlier bundle, so the update server knows
// the few sizes it handed out: it names those bundles, and publish fetches a
// proof from each of their tree sizes to the new checkpoint (candor-log's GET
// /candor/v1/consistency) and verifies every proof against both signed roots
// before writing, so a vendor never ships a proof devices would refuse, and a
// log that forked away from what it showed earlier is caught here first.
//
// Thread-safety: functions are reentrant; the fetcher is called on the calling
// thread only.
#ifndef CANDOR_CLI_PUBLISH_CONSISTENCY_H_
#define CANDOR_CLI_PUBLISH_CONSISTENCY_H_

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/status.h"
#include "options.h"

namespace candor::cli {

// The checkpoints of earlier bundles, each verified under its log's key: the
// policy's key for its origin (when `policy` is given) or `log_key`. Bundles
// whose checkpoint does not verify are refused (a device could not hold them).
// REQUIRES: policy or log_key non-null.
Result<std::vector<Checkpoint>> LoadPreviousCheckpoints(const std::vector<std::string>& paths,
                                                        const TrustPolicy* policy,
                                                        const VerifierKey* log_key);

// GET `path` on the log; returns the body of a 200 answer, else an error.
using LogFetcher = std::function<Result<std::string>(const std::string& path)>;

// Fetches and verifies a consistency proof from each previous checkpoint of
// `target`'s log smaller than `target` (duplicates once). A previous checkpoint
// of another log is skipped with a note on `err`; one larger than the target,
// or of equal size and another root, is refused (kInconsistent: devices that
// hold it would refuse the new bundle). nullopt when no proof is needed.
Result<std::optional<ConsistencyProofFile>> FetchConsistencyProofs(
    const std::vector<Checkpoint>& previous, const Checkpoint& target, const LogFetcher& fetch,
    std::ostream& err);

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

// Writes the file FetchConsistencyProofs made for `target` (the bundle's
// checkpoint), or nothing if it made none; says which on `out`.
Status WriteConsistencyCompanion(const CompanionPlan& plan, const Checkpoint& target,
                                 const std::optional<ConsistencyProofFile>& file, bool force,
                                 std::ostream& out);

}  // namespace candor::cli

#endif  // CANDOR_CLI_PUBLISH_CONSISTENCY_H_
