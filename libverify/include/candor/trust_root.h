// Trust roots: a device's trust policy as a signed, versioned, expiring,
// logged document (docs/FORMATS.md "Trust root", docs/TRUST.md).
//
// A trust root is a c2sp.org/signed-note whose text is
//
//   candor.dev/trust-root/v1
//   domain <domain>                  which devices it is for (product line)
//   version <n>                      1, 2, 3, ... (no gaps)
//   expires <YYYY-MM-DDTHH:MM:SSZ>   after this, no firmware is installed under it
//   root-threshold <k>               how many root keys must sign a version
//   root <vkey>                      1..kMaxRootKeys lines, sorted, distinct keys
//   <policy lines>                   the canonical trust policy (policy.h,
//                                    FormatTrustPolicy): log, witness, group,
//                                    quorum, vendor, max-checkpoint-age
//
// signed by root keys. The same bytes are its transparency-log entry (a second
// entry type beside the release entry: it starts with kTrustRootMagic).
//
// Rotation rule (TUF's root chain, tightened): version n+1 is accepted from a
// device that trusts version n only if it names the same domain, its version
// is exactly n+1, and it carries valid signatures from root-threshold(n) of
// version n's root keys AND root-threshold(n+1) of its own root keys, each
// key counted once. A root given to a device at manufacture must carry its
// own threshold of its own keys. The log proof of a new root is checked under
// the policy of the root the device already trusts (VerifyTrustRootUpdate):
// no new root takes effect without being public first.
//
// Expiry: a root whose `expires` has passed refuses firmware (kExpired, its
// own exit code) but still accepts its successor, so an expired device can be
// recovered by the next root.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_TRUST_ROOT_H_
#define CANDOR_TRUST_ROOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/checkpoint.h"
#include "candor/consistency_proof.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/status.h"

namespace candor {

inline constexpr std::string_view kTrustRootMagic = "candor.dev/trust-root/v1\n";
// A trust root is a log entry: below the tlog-tiles entry limit.
inline constexpr size_t kMaxTrustRootSize = 65535;
inline constexpr size_t kMaxRootKeys = 32;
inline constexpr size_t kMaxDomainSize = 128;

struct TrustRoot {
  std::string domain;
  uint64_t version = 0;                // >= 1
  int64_t expires_unix = 0;            // Unix seconds
  size_t root_threshold = 0;           // 1..root_keys.size()
  std::vector<VerifierKey> root_keys;  // Ed25519, sorted by vkey text, distinct
  TrustPolicy policy;
  std::string policy_text;  // the canonical policy lines, verbatim

  // True once `now_unix` has reached `expires` (expires is the first second
  // at which the root no longer allows installs).
  bool ExpiredAt(uint64_t now_unix) const;
};

// Canonical text of a root (what a signer signs). REQUIRES: `root.policy`
// holds a valid policy; `policy_text` is ignored and recomputed.
std::string FormatTrustRootText(const TrustRoot& root);

// Strict parse of the note text, failing closed in this order: size
// (kTooLarge), header line, then each header field in its fixed order with its
// canonical spelling, root keys (Ed25519, sorted, distinct, at most
// kMaxRootKeys, threshold 1..count), the policy lines (ParseTrustPolicy) and
// their canonical form (FormatTrustPolicy of the parse equals them): kMalformed
// with the line number.
Result<TrustRoot> ParseTrustRootText(std::string_view text);

// A root as it travels: the signed note bytes and what they say. The
// signatures are NOT verified by ParseSignedTrustRoot.
struct SignedTrustRoot {
  TrustRoot root;
  std::string note;  // the exact signed note (= the log entry bytes)
};

// Size, then ParseNote, then ParseTrustRootText of its text. kMalformed for
// anything that is not a trust root (including a note that is not canonical).
Result<SignedTrustRoot> ParseSignedTrustRoot(std::string_view note);

// True when `entry` starts with kTrustRootMagic (the log's and the auditor's
// dispatch between the two entry types; nothing is validated).
bool IsTrustRootEntry(ByteView entry);

// Counts the distinct keys of `keys` with a valid signature on `note`.
// kBadSignature if any signature line of one of `keys` does not verify (fail
// closed, as VerifyNote). Signatures of other keys are ignored.
Result<size_t> CountRootSignatures(std::string_view note, const std::vector<VerifierKey>& keys);

// A root that a device or verifier takes as its anchor (manufacture,
// `candor verify --trust-root`): at least root-threshold of its own root keys
// signed it. kBadSignature "... (M of K)" otherwise.
Status CheckRootSelfSigned(const SignedTrustRoot& root);

// A root taken as an anchor (a device's provisioned root, `candor verify
// --trust-root`, a root about to be published): ParseSignedTrustRoot, then
// CheckRootSelfSigned.
Result<SignedTrustRoot> ParseTrustAnchor(std::string_view note);

// The rotation rule (header comment): `next` may follow `current`.
// kMismatch for another domain, kRollback for a version <= current's,
// kPolicyUnsatisfied "skips version" for > current+1, kBadSignature for a missing
// threshold (naming which: the previous root's keys or its own).
Status CheckRootSuccessor(const TrustRoot& current, const SignedTrustRoot& next);

// Firmware may be installed under `root` at `now_unix`: kExpired otherwise.
Status CheckRootCurrent(const TrustRoot& root, uint64_t now_unix);

// What a device knows when it is given a new root (mirrors VerifyRequest).
struct LastSeenTree;
struct TrustRootUpdateRequest {
  const TrustRoot* current = nullptr;  // the root the device trusts now
  std::string_view root_note;          // the new root's signed note (the file)
  std::string_view bundle;             // its log bundle (tlog-proof, extra = entry)
  uint64_t now_unix = 0;
  const std::vector<LastSeenTree>* last_seen = nullptr;  // may be null: none
  const ConsistencyProofFile* consistency_proofs = nullptr;
};

struct VerifiedTrustRoot {
  SignedTrustRoot root;
  uint64_t log_index = 0;
  Checkpoint checkpoint;
  std::string checkpoint_note;
  std::optional<uint64_t> quorum_time;
  std::vector<std::string> cosigned_by;
};

// One step of a device's root chain: the bundle parses and carries exactly
// `root_note` (kMismatch otherwise: a bundle for another entry), the root
// parses, the checkpoint is trusted under `current`'s policy exactly as for
// firmware (log key, witness quorum, freshness, consistency with the last
// seen tree: the same code as Verify), the inclusion proof verifies, and
// CheckRootSuccessor holds. `current` may be expired.
Result<VerifiedTrustRoot> VerifyTrustRootUpdate(const TrustRootUpdateRequest& request);

}  // namespace candor

#endif  // CANDOR_TRUST_ROOT_H_
