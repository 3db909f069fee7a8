// The verification entry point; see candor/verify.h for the order of checks.
// Structure follows MCUboot's image_validate.c: every step either returns a
// refusal or falls through to the next; the only acceptance is the final
// return, reached after all six steps.
#include "candor/verify.h"

#include <algorithm>
#include <array>
#include <vector>

#include "candor/checkpoint_trust.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/sha256.h"
#include "log_proof_internal.h"

namespace candor {
namespace {

constexpr size_t kImageChunk = 64 * 1024;

std::string Num(uint64_t v) { return std::to_string(v); }

// Step 4: streams the image through SHA-256 in fixed-size chunks, so memory is
// constant in the image size. Stops as soon as the image is longer than the
// manifest says (an attacker's endless stream is not read to its end).
Status CheckImage(const VerifyRequest& request, const Manifest& manifest) {
  std::array<uint8_t, kImageChunk> buf;
  Sha256 hasher;
  uint64_t total = 0;
  for (;;) {
    auto n = request.read_image(std::span<uint8_t>(buf));
    if (!n.ok()) return n.status().WithContext("reading image");
    if (*n == 0) break;
    if (*n > buf.size()) return Status::Internal("image reader overran its buffer");
    total += *n;
    if (total > manifest.image_size) {
      return Status::Mismatch("image is larger than the manifest's " + Num(manifest.image_size) +
                              " bytes");
    }
    hasher.Update(ByteView(buf.data(), *n));
  }
  if (total != manifest.image_size) {
    return Status::Mismatch("image is " + Num(total) + " bytes, manifest says " +
                            Num(manifest.image_size));
  }
  if (!HashEqual(hasher.Final(), manifest.image_sha256)) {
    return Status::Mismatch("image SHA-256 does not match the manifest");
  }
  return Status::Ok();
}

// Step 5: the checkpoint, its witnesses, its age, and its relation to what the
// device saw before. Returns the verified checkpoint and the quorum outcome.
// The device clock must not be behind any quorum time it has already
// accepted (beyond the skew): a clock that was set back would otherwise make
// every old checkpoint look fresh. Only when freshness is checked at all.
Status CheckClockFloor(const internal::LogProofRequest& request) {
  for (const LastSeenTree& seen : request.last_seen) {
    if (!seen.quorum_time) continue;
    Status s = CheckClockNotBehind(*seen.quorum_time, request.now_unix);
    if (!s.ok()) return s.WithContext("last seen checkpoint of " + seen.origin);
  }
  return Status::Ok();
}

// The last-seen tree of `origin`, or nullptr. kInvalidArgument for two.
Result<const LastSeenTree*> FindLastSeen(const internal::LogProofRequest& request,
                                         std::string_view origin) {
  const LastSeenTree* found = nullptr;
  for (const LastSeenTree& seen : request.last_seen) {
    if (seen.origin != origin) continue;
    if (found != nullptr) {
      return Status::InvalidArgument("two last-seen trees for log \"" + std::string(origin) + "\"");
    }
    found = &seen;
  }
  return found;
}

// A checkpoint larger than the last-seen tree of its log must come with a
// proof that it extends that tree. Without it a log that shows different
// branches to different witnesses (a split view a colluding witness helps
// cosign) could move the device onto a branch the rest of the world never sees.
Status CheckExtendsLastSeen(const internal::LogProofRequest& request, const LastSeenTree& seen,
                            const Checkpoint& cp) {
  if (cp.size < seen.size) {
    return Status::PolicyUnsatisfied("stale checkpoint: tree size " + Num(cp.size) +
                                     " < last seen " + Num(seen.size));
  }
  if (cp.size == seen.size) {
    if (!HashEqual(cp.root_hash, seen.root_hash)) {
      return Status::Inconsistent("fork: same tree size " + Num(cp.size) +
                                  " as last seen, different root");
    }
    return Status::Ok();
  }
  const std::string need = "consistency proof required: last seen " + seen.origin + " at size " +
                           Num(seen.size) + ", checkpoint is size " + Num(cp.size);
  if (!request.consistency_proofs) return Status::ConsistencyRequired(need + "; none given");
  const ConsistencyProofFile& file = *request.consistency_proofs;
  if (file.origin != cp.origin) {
    return Status::ConsistencyRequired(need + "; the proof file is for log \"" + file.origin +
                                       "\"");
  }
  const ConsistencyProofBlock* block = file.Find(seen.size);
  if (block == nullptr) {
    return Status::ConsistencyRequired(need + "; the proof file has no proof from size " +
                                       Num(seen.size));
  }
  if (block->to != cp.size) {
    return Status::ConsistencyRequired(need + "; the proof file proves to size " + Num(block->to));
  }
  Status consistent =
      VerifyConsistency(seen.size, cp.size, block->hashes, seen.root_hash, cp.root_hash);
  if (!consistent.ok()) {
    return Status::Inconsistent("checkpoint is not consistent with the last seen tree (" +
                                consistent.message() + ")");
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

Result<CheckedLogProof> CheckLogProof(const LogProofRequest& request, const Bundle& bundle) {
  const TrustPolicy& policy = *request.policy;
  const std::string_view checkpoint_note = bundle.checkpoint_note;
  // Log signature by the policy's key for the note's origin, witness
  // cosignatures (future-dated ones not counted), quorum, age: the one
  // implementation in candor/checkpoint_trust.h, shared with the auditor.
  CANDOR_ASSIGN_OR_RETURN(const PolicyLog* log, PolicyLogFor(checkpoint_note, policy));
  if (policy.max_checkpoint_age_seconds) CANDOR_RETURN_IF_ERROR(CheckClockFloor(request));
  CANDOR_ASSIGN_OR_RETURN(
      TrustedCheckpoint trusted,
      VerifyTrustedCheckpoint(checkpoint_note, log->key, policy, request.now_unix));
  CheckedLogProof out;
  out.signed_checkpoint = std::move(trusted.signed_checkpoint);
  out.quorum = trusted.quorum;
  out.cosigned_by = std::move(trusted.cosigned_by);

  // Freshness and consistency compare trees of the same log only: a device
  // whose policy trusts several logs remembers each one's tree separately.
  const Checkpoint& cp = out.signed_checkpoint.checkpoint;
  auto seen = FindLastSeen(request, cp.origin);
  if (!seen.ok()) return seen.status();
  if (*seen != nullptr) CANDOR_RETURN_IF_ERROR(CheckExtendsLastSeen(request, **seen, cp));

  // The entry is in the log.
  out.leaf = LeafHash(bundle.entry);
  if (bundle.index >= cp.size) {
    return Status::NotIncluded("not logged: index " + Num(bundle.index) +
                               " is outside the tree of size " + Num(cp.size));
  }
  Status included =
      VerifyInclusion(bundle.index, cp.size, out.leaf, bundle.inclusion_proof, cp.root_hash);
  if (!included.ok()) {
    return Status::NotIncluded("not logged: inclusion proof does not verify (" +
                               included.message() + ")");
  }
  return out;
}

}  // namespace internal

Result<VerifiedRelease> Verify(const VerifyRequest& request) {
  if ((request.policy == nullptr) == (request.trust_root == nullptr) || !request.read_image) {
    return Status::InvalidArgument(
        "Verify: a policy or a trust root (not both), and an image reader, are required");
  }
  // 0. A trust root past its expiry allows no install (it still accepts its
  // successor: trust_root.h).
  if (request.trust_root != nullptr) {
    // The device has seen witnesses vouch for times up to its last-seen
    // quorum times: a clock set back behind them does not revive a root that
    // expired before them.
    uint64_t seen_now = request.now_unix;
    for (const LastSeenTree& seen : request.last_seen) {
      if (seen.quorum_time) seen_now = std::max(seen_now, *seen.quorum_time);
    }
    CANDOR_RETURN_IF_ERROR(CheckRootCurrent(*request.trust_root, seen_now));
  }
  const TrustPolicy& policy =
      request.trust_root != nullptr ? request.trust_root->policy : *request.policy;

  // 1. Parse the bundle strictly; the entry inside it too.
  auto bundle = ParseBundle(request.bundle);
  if (!bundle.ok()) return bundle.status();
  // ParseReleaseEntry also checks the manifest signature against the key the
  // manifest names (kBadSignature) and the changelog digest (kMismatch): an
  // entry is only ever handled whole and self-consistent.
  auto entry = ParseReleaseEntry(bundle->entry);
  if (!entry.ok()) return entry.status().WithContext("release entry");
  const Manifest& manifest = entry->manifest;

  // 2. The keys that signed the manifest (all verified in step 1) satisfy the
  // policy for this product: a trusted key, or k distinct keys of a trusted
  // vendor group (docs/FORMATS.md "Signer list").
  const VendorSignersResult vendor =
      policy.EvaluateVendorSigners(entry->signed_by, request.product);
  if (!vendor.satisfied) {
    if (vendor.met == 0) {
      return Status::UntrustedKey("vendor key " + manifest.vendor_key.name +
                                  " is not trusted for product " + std::string(request.product));
    }
    return Status::PolicyUnsatisfied("vendor signatures: " + Num(vendor.met) + " of the " +
                                     Num(vendor.required) + " required by " + vendor.signers +
                                     " for product " + std::string(request.product));
  }

  // 3. Product and rollback.
  bool for_this_product = false;
  for (const std::string& p : manifest.products) for_this_product |= (p == request.product);
  if (!for_this_product) {
    return Status::Mismatch("product mismatch: release is not for " + std::string(request.product));
  }
  if (manifest.rollback < request.min_rollback) {
    return Status::Rollback("rollback " + Num(manifest.rollback) + " < " +
                            Num(request.min_rollback));
  }

  // 4. Image digest and size (the changelog digest was checked in step 1).
  CANDOR_RETURN_IF_ERROR(CheckImage(request, manifest));

  // 5. Checkpoint, witnesses, freshness, consistency with the last seen tree;
  // 6. the entry is in the log.
  internal::LogProofRequest log_request;
  log_request.policy = &policy;
  log_request.now_unix = request.now_unix;
  log_request.last_seen = request.last_seen;
  log_request.consistency_proofs =
      request.consistency_proofs ? &*request.consistency_proofs : nullptr;
  auto checked = internal::CheckLogProof(log_request, *bundle);
  if (!checked.ok()) return checked.status();
  const Checkpoint& cp = checked->signed_checkpoint.checkpoint;

  // 7. The owner's refusals, over every disclosure (delayed ones included).
  CANDOR_RETURN_IF_ERROR(
      CheckOwnerRules(request.refused_disclosures, manifest.disclosures, manifest.version));

  VerifiedRelease verdict;
  verdict.release = std::move(entry).value();
  verdict.log_index = bundle->index;
  verdict.leaf_hash = checked->leaf;
  verdict.checkpoint = cp;
  verdict.checkpoint_note = checked->signed_checkpoint.note;
  verdict.quorum_time = checked->quorum.quorum_time;
  verdict.cosigned_by = std::move(checked->cosigned_by);
  return verdict;
}

std::optional<uint64_t> WitnessedQuorumTime(const TrustPolicy& policy,
                                            std::string_view checkpoint_note) {
  auto log = PolicyLogFor(checkpoint_note, policy);
  if (!log.ok()) return std::nullopt;
  // The checkpoint was accepted before: every valid cosignature counts, future
  // or not (a clock at the end of time sees none as future).
  auto trusted = VerifyCheckpointQuorum(checkpoint_note, (*log)->key, policy, UINT64_MAX);
  if (!trusted.ok()) return std::nullopt;
  return trusted->quorum.quorum_time;
}

}  // namespace candor
