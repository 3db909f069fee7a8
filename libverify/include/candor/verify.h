// The one verification entry point, shared by candor-agent and `candor verify`.
//
// Verify() decides whether a firmware image may be flashed, in the order of
// docs/ARCHITECTURE.md "Verification order", failing closed: the verdict starts as a
// refusal and only the last step turns it into acceptance. Each refusal is a
// Status whose code names the reason class and whose message is the one-line
// reason shown to people (e.g. "rollback 16 < 17", "witness quorum not met
// (1 of 2)").
//
//   0. With a trust root (candor/trust_root.h) instead of a bare policy: the
//      root has not expired (kExpired) at the device clock, nor at any
//      last-seen quorum time (a clock set back cannot revive it); its policy
//      is the policy below.
//   1. Parse the bundle strictly (tlog-proof with the entry in `extra`).
//   2. The manifest's vendor key is trusted by the policy for this product,
//      and the manifest signature verifies.
//   3. The product matches the device; rollback counter >= the stored one.
//   4. Streaming SHA-256 of the image equals the manifest (constant memory),
//      as does its size; the changelog hash equals the manifest.
//   5. The checkpoint is signed by a log of the policy; witness cosignatures
//      satisfy the quorum; it is not older than max-checkpoint-age; not smaller
//      than the device's last-seen tree of the same log (origin), equal to it
//      at equal size, and, when larger, proven to extend it by a consistency
//      proof from the last-seen size (mandatory: without one the verdict is
//      kConsistencyRequired, so a log cannot walk a device onto a private
//      branch that some colluding witnesses cosigned).
//   6. The inclusion proof of the entry's leaf hash verifies.
//   7. The owner's choices: no disclosure of the release, delayed ones
//      included, matches a rule of `refused_disclosures`
//      (candor/disclosure_rule.h; kOwnerRefused). Last, so that a refusal
//      names a genuine, logged release: what the owner refuses is public.
//
// Fetching is passed in as a function, so libverify does no I/O of its own.
//
// Thread-safety: Verify is reentrant; the request's callables are invoked on
// the calling thread only.
#ifndef CANDOR_VERIFY_H_
#define CANDOR_VERIFY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "candor/bundle.h"
#include "candor/bytes.h"
#include "candor/checkpoint.h"
#include "candor/checkpoint_trust.h"  // kMaxClockSkewSeconds
#include "candor/consistency_proof.h"
#include "candor/disclosure_rule.h"
#include "candor/policy.h"
#include "candor/release.h"
#include "candor/status.h"
#include "candor/trust_root.h"

namespace candor {

// Reads up to buf.size() bytes of the image into buf; returns the number read,
// 0 at end of image, or an error (kIo).
using ImageReader = std::function<Result<size_t>(std::span<uint8_t> buf)>;

// What the device remembers of one log from its last successful install
// from that log (one per origin).
struct LastSeenTree {
  std::string origin;
  uint64_t size = 0;
  Hash root_hash{};
  // The quorum time of that checkpoint (when its witnesses vouched for it), if
  // the policy had a quorum. The device clock can never honestly be behind it.
  std::optional<uint64_t> quorum_time;
};

struct VerifyRequest {
  std::string_view product;  // the device's product id
  std::string_view bundle;   // the bundle file contents
  // Exactly one of the two: a bare policy (a device without a root), or the
  // trust root the device holds, whose policy is used and whose expiry is
  // checked first.
  const TrustPolicy* policy = nullptr;
  const TrustRoot* trust_root = nullptr;
  uint64_t now_unix = 0;      // the device's clock, for max-checkpoint-age
  uint64_t min_rollback = 0;  // the stored rollback counter for `product`
  // Every log's last-seen tree, at most one per origin (kInvalidArgument
  // otherwise). Only the entry of the checkpoint's origin is compared with it;
  // the quorum times of all of them bound the device clock from below.
  std::vector<LastSeenTree> last_seen;
  // Consistency proofs from one or more earlier sizes to the bundle's
  // checkpoint (candor/consistency_proof.h). Required when last_seen has a
  // tree of the checkpoint's origin smaller than the checkpoint.
  std::optional<ConsistencyProofFile> consistency_proofs;
  ImageReader read_image;  // REQUIRES: non-null
  // The owner's refusals (agent configuration `refuse-disclosure`); empty:
  // none. Lifetime: borrowed for the call.
  std::span<const DisclosureRule> refused_disclosures;
};

struct VerifiedRelease {
  ReleaseEntry release;
  uint64_t log_index = 0;
  Hash leaf_hash{};
  Checkpoint checkpoint;
  std::string checkpoint_note;  // the signed checkpoint, to store as last seen
  std::optional<uint64_t> quorum_time;
  std::vector<std::string> cosigned_by;  // witness names whose cosignatures verified
};

Result<VerifiedRelease> Verify(const VerifyRequest& request);

// The quorum time (candor/policy.h EvaluateQuorum) of a signed checkpoint
// note from a log of `policy`, counting only cosignatures that verify under
// the policy's witness keys; nullopt if the quorum is not met or has no time.
// For a device state written before quorum times were stored.
std::optional<uint64_t> WitnessedQuorumTime(const TrustPolicy& policy,
                                            std::string_view checkpoint_note);

}  // namespace candor

#endif  // CANDOR_VERIFY_H_
