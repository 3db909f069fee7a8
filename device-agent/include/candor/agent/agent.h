// The device agent's operations, as a library so tests can drive them:
// verify (dry run), install (verify, flash, commit state), trust-update
// (rotate the device's trust root) and status.
//
// Install, in order (docs/ARCHITECTURE.md "Verification order"; docs/AGENT.md):
//   1. lock the state dir (one agent at a time), load the state (a corrupt
//      state file is refused, never reset);
//   2. open the image once and stage it while Verify() streams it
//      (candor/agent/image.h explains the TOCTOU choice);
//   3. Verify() with the stored rollback counter, every log's last-seen
//      checkpoint, the consistency proof file, if any, and the owner's
//      `refuse-disclosure` rules (its last step: kOwnerRefused);
//   4. flash the staged copy (candor/agent/flash.h);
//   5. only then commit the new state atomically, with the product's
//      disclosures in effect after this release (candor/disclosure_state.h).
// A refusal at steps 1-3 flashes nothing and changes no state; a failure at
// step 4 leaves the state unchanged.
//
// Trust roots (candor/trust_root.h, docs/AGENT.md "Trust roots"): a device
// configured with `trust-root` verifies under the root in effect (RootInEffect)
// instead of a bare policy; an expired root refuses installs (kExpired) but
// still accepts its successor through UpdateTrustRoot.
//
// Thread-safety: functions are reentrant; concurrent installs on one state
// dir are serialised by the state-dir lock (the loser gets kConflict).
#ifndef CANDOR_AGENT_AGENT_H_
#define CANDOR_AGENT_AGENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "candor/agent/config.h"
#include "candor/agent/flash.h"
#include "candor/agent/state.h"
#include "candor/policy.h"
#include "candor/status.h"
#include "candor/trust_root.h"
#include "candor/verify.h"

namespace candor::agent {

// File size limits are the formats' own: kMaxBundleSize (candor/bundle.h),
// kMaxPolicySize (candor/policy.h).

// Resolved settings: the parsed trust policy and where things are.
struct AgentContext {
  // The configured bare policy; empty for a device with a trust root, whose
  // policy is the root in effect's (RootInEffect, PolicyOf).
  TrustPolicy policy;
  // The root provisioned at manufacture (config `trust-root`), self-signed;
  // nullopt for a device configured with a bare policy.
  std::optional<SignedTrustRoot> trust_root;
  std::string product;
  std::string state_dir;
  FlashBackend flash;
  // The owner's refusals (config `refuse-disclosure`), applied by Verify().
  std::vector<DisclosureRule> refused_disclosures;
};

// The policy the device verifies under: the root in effect's, else the bare
// policy. Lifetime: the reference is into `root` or `ctx`.
const TrustPolicy& PolicyOf(const AgentContext& ctx, const std::optional<SignedTrustRoot>& root);

// Reads the policy or the trust root named by `config`. REQUIRES:
// CheckComplete(config, ...) ok.
Result<AgentContext> LoadContext(const AgentConfig& config);

// Reads a provisioned trust root: it parses (at most kMaxTrustRootSize bytes)
// and carries its own root-threshold of its own keys (CheckRootSelfSigned).
Result<SignedTrustRoot> LoadProvisionedRoot(const std::string& path);

// The trust root in effect: the state's (the last one trust-update accepted)
// if it holds one, else the provisioned one; nullopt for a bare policy. The
// provisioned root is only the starting point, so a state root must be of
// its domain (kMismatch) and at least its version (kRollback); a state root
// on a device configured without one is refused (kInvalidArgument) rather
// than ignored.
Result<std::optional<SignedTrustRoot>> RootInEffect(
    const std::optional<SignedTrustRoot>& provisioned, const DeviceState& state);

struct ImageRequest {
  std::string image_path;
  std::string bundle_path;
  // candor/consistency_proof.h file; default `<bundle_path>.consistency` if present.
  std::optional<std::string> consistency_proof_path;
  uint64_t now_unix = 0;
};

// Where the agent looks for the consistency proof file when no
// --consistency-proof is given: beside the bundle, `<bundle>.consistency`.
inline constexpr std::string_view kConsistencyProofSuffix = ".consistency";

// Dry run: everything install checks, against the current state; writes nothing.
Result<VerifiedRelease> VerifyImage(const AgentContext& ctx, const ImageRequest& req);

// Verify, flash, commit. Returns the verified release that was installed.
// Refusals carry Verify()'s code and message; kIo etc. for flash/state failures.
Result<VerifiedRelease> InstallImage(const AgentContext& ctx, const ImageRequest& req);

// One version of a root chain: the root file, its bundle, and the
// consistency proof file (default `<bundle_path>.consistency` if present).
struct TrustRootStep {
  std::string root_path;
  std::string bundle_path;
  std::optional<std::string> consistency_proof_path;
};

struct TrustUpdateRequest {
  std::vector<TrustRootStep> steps;  // in version order: n+1, n+2, ...
  uint64_t now_unix = 0;
};

// Under the state-dir lock, walks `steps` from the root in effect, each step
// VerifyTrustRootUpdate against the previous root (its log proof under the
// previous root's policy and against the last seen trees, as updated by the
// steps before it). Then ONE atomic commit of the last root and the last seen
// checkpoint of each log a step verified. Any failure commits nothing. Works
// on an expired root (that is how an expired device recovers). Returns the
// applied versions in order. kInvalidArgument without a configured trust-root.
Result<std::vector<VerifiedTrustRoot>> UpdateTrustRoot(const AgentContext& ctx,
                                                       const TrustUpdateRequest& req);

// The state to show, read-only (kMalformed if corrupt).
Result<DeviceState> ReadStatus(const std::string& state_dir);

// Human text and JSON renderings of a state (stable keys, documented in
// docs/AGENT.md "status"), with the trust root in effect (nullptr: none) and
// whether it has expired at `now_unix`.
std::string FormatStatusText(const DeviceState& state, const TrustRoot* root = nullptr,
                             uint64_t now_unix = 0);
std::string FormatStatusJson(const DeviceState& state, const TrustRoot* root = nullptr,
                             uint64_t now_unix = 0);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_AGENT_H_
