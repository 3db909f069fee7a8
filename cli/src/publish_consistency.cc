// Consistency proofs for the bundles `candor publish` writes; see
// publish_consistency.h.
#include "publish_consistency.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "candor/bundle.h"
#include "candor/checkpoint_trust.h"
#include "candor/merkle.h"
#include "files.h"

namespace candor::cli {

Result<LoadedBundle> LoadBundleCheckpoint(const std::string& path, const std::string& what,
                                          const TrustPolicy* policy, const VerifierKey* log_key) {
  auto context = [&](const Status& s) { return s.WithContext(what); };
  Result<std::string> text = fs::ReadFile(path, kMaxBundleSize);
  if (!text.ok()) return context(text.status());
  Result<Bundle> bundle = ParseBundle(*text);
  if (!bundle.ok()) return context(bundle.status());
  // The log key by origin from the policy (the one lookup, checkpoint_trust.h),
  // or the bare --log-key.
  const VerifierKey* key = log_key;
  if (policy != nullptr) {
    Result<const PolicyLog*> log = PolicyLogFor(bundle->checkpoint_note, *policy);
    if (!log.ok()) return context(log.status());
    key = &(*log)->key;
  }
  Result<SignedCheckpoint> verified = VerifyCheckpoint(bundle->checkpoint_note, *key);
  if (!verified.ok()) return context(verified.status().WithContext("checkpoint"));
  return LoadedBundle{std::move(bundle).value(), verified->checkpoint};
}

Result<std::vector<Checkpoint>> LoadPreviousCheckpoints(const std::vector<std::string>& paths,
                                                        const TrustPolicy* policy,
                                                        const VerifierKey* log_key) {
  std::vector<Checkpoint> out;
  for (const std::string& path : paths) {
    CANDOR_ASSIGN_OR_RETURN(
        LoadedBundle loaded,
        LoadBundleCheckpoint(path, "--previous-bundle " + path, policy, log_key));
    out.push_back(std::move(loaded.checkpoint));
  }
  return out;
}

Result<std::optional<ConsistencyProofFile>> MakeConsistencyProofFile(
    const std::vector<Checkpoint>& previous, const Checkpoint& target,
    const ConsistencyProofFn& prove, std::ostream& err) {
  std::set<uint64_t> done;
  ConsistencyProofFile file;
  file.origin = target.origin;
  std::vector<const Checkpoint*> sorted;
  for (const Checkpoint& cp : previous) sorted.push_back(&cp);
  std::sort(sorted.begin(), sorted.end(),
            [](const Checkpoint* a, const Checkpoint* b) { return a->size < b->size; });
  for (const Checkpoint* cp : sorted) {
    if (cp->origin != target.origin) {
      err << fmt::format(
          "note: previous checkpoint of log {} skipped (the new bundle is from {})\n", cp->origin,
          target.origin);
      continue;
    }
    if (cp->size > target.size) {
      return Status::Inconsistent(fmt::format(
          "a previous bundle has tree size {}, larger than the new checkpoint's {}: devices that "
          "installed it would refuse the new bundle as stale",
          cp->size, target.size));
    }
    if (cp->size == target.size) {
      if (!HashEqual(cp->root_hash, target.root_hash)) {
        return Status::Inconsistent(fmt::format(
            "the log forked: a previous bundle has tree size {} with another root", cp->size));
      }
      continue;  // a device at this size needs no proof
    }
    if (cp->size == 0) continue;  // never a device's last-seen size (no entry is included)
    if (done.contains(cp->size)) {
      // Two previous bundles at one size must agree on its root.
      for (const Checkpoint* other : sorted) {
        if (other->origin == cp->origin && other->size == cp->size &&
            !HashEqual(other->root_hash, cp->root_hash)) {
          return Status::Inconsistent(fmt::format(
              "the log forked: two previous bundles have tree size {} and different roots",
              cp->size));
        }
      }
      continue;
    }
    done.insert(cp->size);
    Result<std::vector<Hash>> hashes = prove(cp->size, target.size);
    if (!hashes.ok()) return hashes.status().WithContext("consistency proof");
    Status st = VerifyConsistency(cp->size, target.size, *hashes, cp->root_hash, target.root_hash);
    if (!st.ok()) {
      return Status::Inconsistent(fmt::format(
          "the consistency proof from size {} (root {}) to {} (root {}) does not verify against "
          "the signed roots ({}): the log is not append-only towards devices that hold the "
          "earlier bundle",
          cp->size, Base64Encode(cp->root_hash), target.size, Base64Encode(target.root_hash),
          st.message()));
    }
    file.blocks.push_back(ConsistencyProofBlock{cp->size, target.size, std::move(hashes).value()});
  }
  if (file.blocks.empty()) return std::optional<ConsistencyProofFile>();
  if (file.blocks.size() > kMaxConsistencyProofBlocks) {
    return Status::TooLarge(
        fmt::format("more than {} previous tree sizes; devices accept at most {}",
                    kMaxConsistencyProofBlocks, kMaxConsistencyProofBlocks));
  }
  // What devices will parse: refuse to write anything they would not.
  const std::string text = FormatConsistencyProofFile(file);
  Result<ConsistencyProofFile> back = ParseConsistencyProofFile(text);
  if (!back.ok()) return back.status().WithContext("formatted consistency proof file");
  return std::optional<ConsistencyProofFile>(std::move(file));
}

void AddConsistencyOptions(po::options_description& desc) {
  desc.add_options()(
      "previous-bundle", po::value<std::vector<std::string>>()->composing(),
      "an earlier bundle devices may have installed (repeatable): --consistency-out gets a "
      "consistency proof from its tree size")(
      "consistency-out", po::value<std::string>(),
      "write the consistency proof file to ship beside the bundle (devices read "
      "<bundle>.consistency by default)");
}

Result<std::optional<CompanionPlan>> PlanConsistencyCompanion(const po::variables_map& vm,
                                                              const TrustPolicy* policy,
                                                              const VerifierKey* log_key,
                                                              bool force) {
  const bool out = vm.count("consistency-out") > 0;
  const bool prev = vm.count("previous-bundle") > 0;
  if (out != prev) {
    return Status::InvalidArgument("--consistency-out and --previous-bundle go together");
  }
  if (!out) return std::optional<CompanionPlan>();
  CompanionPlan plan;
  plan.out_path = vm["consistency-out"].as<std::string>();
  if (!force && PathExists(plan.out_path)) {
    return Status::Conflict(plan.out_path + " already exists (use --force to replace it)");
  }
  CANDOR_ASSIGN_OR_RETURN(
      plan.previous, LoadPreviousCheckpoints(vm["previous-bundle"].as<std::vector<std::string>>(),
                                             policy, log_key));
  return std::optional<CompanionPlan>(std::move(plan));
}

Status WriteConsistencyCompanion(const CompanionPlan& plan, const Checkpoint& target,
                                 const std::optional<ConsistencyProofFile>& file, bool force,
                                 std::ostream& out) {
  if (!file) {
    out << fmt::format(
        "  no consistency proof needed (no previous bundle of {} is smaller); {} "
        "not written\n",
        target.origin, plan.out_path);
    return Status::Ok();
  }
  CANDOR_RETURN_IF_ERROR(WriteFileAtomic(plan.out_path, FormatConsistencyProofFile(*file), force));
  std::string froms;
  for (const ConsistencyProofBlock& b : file->blocks) {
    froms += (froms.empty() ? "" : ", ") + std::to_string(b.from);
  }
  out << fmt::format("  consistency proofs from tree size(s) {} written to {}\n", froms,
                     plan.out_path);
  return Status::Ok();
}

}  // namespace candor::cli
