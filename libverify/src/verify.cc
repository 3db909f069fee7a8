// The verification entry point; see candor/verify.h for the order of checks.
// Structure follows MCUboot's image_validate.c: every step either returns a
// refusal or falls through to the next; the only acceptance is the final
// return, reached after all six steps.
#include "candor/verify.h"

#include <array>
#include <map>

#include "candor/cosignature.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/sha256.h"

namespace candor {
namespace {

constexpr size_t kImageChunk = 64 * 1024;

std::string Num(uint64_t v) { return std::to_string(v); }

// Prefixes "checkpoint: " unless the checkpoint module already said so.
Status CheckpointContext(const Status& s) {
  return s.message().starts_with("checkpoint") ? s : s.WithContext("checkpoint");
}

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
struct CheckedCheckpoint {
  SignedCheckpoint signed_checkpoint;
  QuorumResult quorum;
  std::vector<std::string> cosigned_by;
};

Result<CheckedCheckpoint> CheckCheckpoint(const VerifyRequest& request,
                                          std::string_view checkpoint_note) {
  const TrustPolicy& policy = *request.policy;
  auto unverified = ParseSignedCheckpointUnverified(checkpoint_note);
  if (!unverified.ok()) return CheckpointContext(unverified.status());
  const PolicyLog* log = policy.FindLog(unverified->checkpoint.origin);
  if (log == nullptr) {
    return Status::UntrustedKey("checkpoint from unknown log \"" + unverified->checkpoint.origin +
                                "\"");
  }
  auto verified = VerifyCheckpoint(checkpoint_note, log->key);
  if (!verified.ok()) return CheckpointContext(verified.status());

  CheckedCheckpoint out;
  out.signed_checkpoint = std::move(verified).value();

  std::vector<VerifierKey> witness_keys;
  witness_keys.reserve(policy.witnesses.size());
  for (const PolicyWitness& w : policy.witnesses) witness_keys.push_back(w.key);
  auto cosignatures = VerifyCosignatures(out.signed_checkpoint, witness_keys);
  if (!cosignatures.ok()) return cosignatures.status().WithContext("witness cosignature");
  std::map<std::string, uint64_t> cosigned;
  for (const Cosignature& c : *cosignatures) {
    for (const PolicyWitness& w : policy.witnesses) {
      if (w.key == c.witness) {
        cosigned[w.name] = c.timestamp;
        out.cosigned_by.push_back(w.name);
      }
    }
  }
  out.quorum = EvaluateQuorum(policy, cosigned);
  if (!out.quorum.satisfied) {
    return Status::PolicyUnsatisfied("witness quorum not met (" + Num(out.quorum.met) + " of " +
                                     Num(out.quorum.required) + ")");
  }
  if (policy.max_checkpoint_age_seconds) {
    // The parser refuses max-checkpoint-age with quorum none, so a satisfied
    // quorum here always has a time.
    if (!out.quorum.quorum_time) return Status::Internal("quorum without a time");
    const uint64_t t = *out.quorum.quorum_time;
    const uint64_t max_age = *policy.max_checkpoint_age_seconds;
    if (request.now_unix > t && request.now_unix - t > max_age) {
      return Status::PolicyUnsatisfied("checkpoint too old (cosigned " +
                                       Num(request.now_unix - t) + " s ago, maximum " +
                                       Num(max_age) + " s)");
    }
  }

  // Freshness and consistency compare trees of the same log only; a device
  // whose policy trusts several logs remembers the one it last installed from.
  const Checkpoint& cp = out.signed_checkpoint.checkpoint;
  if (request.last_seen && request.last_seen->origin == cp.origin) {
    const LastSeenTree& seen = *request.last_seen;
    if (cp.size < seen.size) {
      return Status::PolicyUnsatisfied("stale checkpoint: tree size " + Num(cp.size) +
                                       " < last seen " + Num(seen.size));
    }
    if (cp.size == seen.size && !HashEqual(cp.root_hash, seen.root_hash)) {
      return Status::Inconsistent("fork: same tree size " + Num(cp.size) +
                                  " as last seen, different root");
    }
    if (cp.size > seen.size && request.consistency_proof) {
      Status consistent = VerifyConsistency(seen.size, cp.size, *request.consistency_proof,
                                            seen.root_hash, cp.root_hash);
      if (!consistent.ok()) {
        return Status::Inconsistent("checkpoint is not consistent with the last seen tree (" +
                                    consistent.message() + ")");
      }
    }
  }
  return out;
}

}  // namespace

Result<VerifiedRelease> Verify(const VerifyRequest& request) {
  if (request.policy == nullptr || !request.read_image) {
    return Status::InvalidArgument("Verify: policy and image reader are required");
  }
  const TrustPolicy& policy = *request.policy;

  // 1. Parse the bundle strictly; the entry inside it too.
  auto bundle = ParseBundle(request.bundle);
  if (!bundle.ok()) return bundle.status();
  // ParseReleaseEntry also checks the manifest signature against the key the
  // manifest names (kBadSignature) and the changelog digest (kMismatch): an
  // entry is only ever handled whole and self-consistent.
  auto entry = ParseReleaseEntry(bundle->entry);
  if (!entry.ok()) return entry.status().WithContext("release entry");
  const Manifest& manifest = entry->manifest;

  // 2. The key that signed the manifest is trusted by the policy for this product.
  if (!policy.VendorTrustedFor(manifest.vendor_key, request.product)) {
    return Status::UntrustedKey("vendor key " + manifest.vendor_key.name +
                                " is not trusted for product " + std::string(request.product));
  }

  // 3. Product and rollback.
  bool for_this_product = false;
  for (const std::string& p : manifest.products) for_this_product |= (p == request.product);
  if (!for_this_product) {
    return Status::Mismatch("product mismatch: release is not for " +
                            std::string(request.product));
  }
  if (manifest.rollback < request.min_rollback) {
    return Status::Rollback("rollback " + Num(manifest.rollback) + " < " +
                            Num(request.min_rollback));
  }

  // 4. Image digest and size (the changelog digest was checked in step 1).
  CANDOR_RETURN_IF_ERROR(CheckImage(request, manifest));

  // 5. Checkpoint, witnesses, freshness, consistency with the last seen tree.
  auto checked = CheckCheckpoint(request, bundle->checkpoint_note);
  if (!checked.ok()) return checked.status();
  const Checkpoint& cp = checked->signed_checkpoint.checkpoint;

  // 6. The entry is in the log.
  const Hash leaf = LeafHash(bundle->entry);
  if (bundle->index >= cp.size) {
    return Status::NotIncluded("not logged: index " + Num(bundle->index) +
                               " is outside the tree of size " + Num(cp.size));
  }
  Status included =
      VerifyInclusion(bundle->index, cp.size, leaf, bundle->inclusion_proof, cp.root_hash);
  if (!included.ok()) {
    return Status::NotIncluded("not logged: inclusion proof does not verify (" +
                               included.message() + ")");
  }

  VerifiedRelease verdict;
  verdict.release = std::move(entry).value();
  verdict.log_index = bundle->index;
  verdict.leaf_hash = leaf;
  verdict.checkpoint = cp;
  verdict.checkpoint_note = checked->signed_checkpoint.note;
  verdict.quorum_time = checked->quorum.quorum_time;
  verdict.cosigned_by = std::move(checked->cosigned_by);
  return verdict;
}

}  // namespace candor
