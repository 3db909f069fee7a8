// The device agent's operations, as a library so tests can drive them:
// verify (dry run), install (verify, flash, commit state) and status.
//
// Install, in order (docs/ARCHITECTURE.md "Verification order"; docs/AGENT.md):
//   1. lock the state dir (one agent at a time), load the state (a corrupt
//      state file is refused, never reset);
//   2. open the image once and stage it while Verify() streams it
//      (candor/agent/image.h explains the TOCTOU choice);
//   3. Verify() with the stored rollback counter, every log's last-seen
//      checkpoint and the consistency proof file, if any;
//   4. flash the staged copy (candor/agent/flash.h);
//   5. only then commit the new state atomically.
// A refusal at steps 1-3 flashes nothing and changes no state; a failure at
// step 4 leaves the state unchanged.
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
#include "candor/verify.h"

namespace candor::agent {

// File size limits are the formats' own: kMaxBundleSize (candor/bundle.h),
// kMaxPolicySize (candor/policy.h).

// Resolved settings: the parsed trust policy and where things are.
struct AgentContext {
  TrustPolicy policy;
  std::string product;
  std::string state_dir;
  FlashBackend flash;
};

// Reads the policy named by `config`. REQUIRES: CheckComplete(config, ...) ok.
Result<AgentContext> LoadContext(const AgentConfig& config);

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

// The state to show, read-only (kMalformed if corrupt).
Result<DeviceState> ReadStatus(const std::string& state_dir);

// Human text and JSON renderings of a state (stable keys, documented in
// docs/AGENT.md "status").
std::string FormatStatusText(const DeviceState& state);
std::string FormatStatusJson(const DeviceState& state);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_AGENT_H_
