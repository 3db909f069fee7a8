// Witness cosignatures, Ed25519 flavour (c2sp.org/tlog-cosignature,
// "cosignature/v1", note signature type 0x04).
//
// A cosignature is a note signature line on a checkpoint whose signature bytes
// are the `timestamped_signature` structure: u64 big-endian POSIX timestamp ||
// 64-byte Ed25519 signature over
//   "cosignature/v1\ntime <timestamp>\n" || <checkpoint body>
// (§"Ed25519 signed message"). Key ID = SHA-256(name || "\n" || 0x04 || pubkey)[:4].
// Timestamps above 2^63-1 are refused (§Format: MUST NOT exceed 2^63 - 1).
// Whether a timestamp is too far in the future or too old is policy, not checked here.
// The ML-DSA-44 variant (type 0x06) is not supported.
//
// Thread-safety: pure functions over values; safe to call concurrently.
#ifndef CANDOR_COSIGNATURE_H_
#define CANDOR_COSIGNATURE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

inline constexpr uint64_t kMaxCosignatureTimestamp = (uint64_t{1} << 63) - 1;
inline constexpr size_t kCosignatureV1Size = 8 + 64;  // timestamp || Ed25519 signature

// The exact message a cosignature/v1 signs.
std::string CosignedMessage(uint64_t timestamp, std::string_view checkpoint_body);

// Verifies one cosignature line against a witness key and returns its timestamp.
// REQUIRES: key.type == kKeyTypeCosignatureV1 (else kInvalidArgument).
// Errors: kMismatch if sig's (name, key ID) are not key's; kMalformed if the
// signature is not 72 bytes or the timestamp exceeds 2^63-1; kBadSignature if
// the Ed25519 signature does not verify over CosignedMessage(ts, body).
Result<uint64_t> VerifyCosignature(const VerifierKey& key, std::string_view checkpoint_body,
                                   const NoteSignature& sig);

// A witness whose cosignature on a checkpoint verified.
struct Cosignature {
  VerifierKey witness;
  uint64_t timestamp = 0;
};

// Collects the valid cosignatures on `checkpoint` by keys in `witness_keys`
// (matched by name and key ID; other signature lines are ignored). Each witness
// appears at most once in the result, in witness_keys order; a key listed
// twice in witness_keys counts once.
// REQUIRES: every witness key has type kKeyTypeCosignatureV1 (else kInvalidArgument).
// Errors: kBadSignature if a line from a listed witness fails to verify (fail
// closed: a tampered checkpoint), kMalformed if a witness signed twice or a
// cosignature is malformed. An empty result is OK: quorum is the policy's job.
Result<std::vector<Cosignature>> VerifyCosignatures(const SignedCheckpoint& checkpoint,
                                                    std::span<const VerifierKey> witness_keys);

}  // namespace candor

#endif  // CANDOR_COSIGNATURE_H_
