// Transparency log checkpoints (c2sp.org/tlog-checkpoint): the signed tree head
// of a log, as the text of a signed note (candor/note.h).
//
// Body ("note text") format, §"Note text", parsed strictly (kMalformed):
//   <origin>\n            non-empty (any UTF-8 without control characters)
//   <tree size>\n         ASCII decimal, no leading zeroes ("0" for empty tree)
//   <base64 root hash>\n  canonical base64 of exactly 32 bytes
//   [<extension>\n]*      optional, opaque, each non-empty
// Plus the note-text rules of ValidateNoteText (UTF-8, no control characters).
// Tree sizes above 2^63-1 are refused (ParseDecimalU64).
//
// Origin vs key name: the spec says the log's key name SHOULD match the origin
// (§Signatures); it is not a MUST. VerifyCheckpoint(note, key) applies that
// recommended convention (origin == key.name); callers whose policy names a
// different origin use the three-argument form.
//
// Thread-safety: pure functions over values; safe to call concurrently.
#ifndef CANDOR_CHECKPOINT_H_
#define CANDOR_CHECKPOINT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root_hash{};
  std::vector<std::string> extensions;  // without their "\n"; each non-empty

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// Strict parse of a checkpoint body (the note text, ending in "\n").
Result<Checkpoint> ParseCheckpointBody(std::string_view note_text);

// "<origin>\n<size>\n<base64 root>\n" + "<ext>\n" per extension.
// REQUIRES: origin non-empty, no "\n" or control characters in origin and
// extensions, extensions non-empty (ParseCheckpointBody accepts the output).
std::string FormatCheckpointBody(const Checkpoint& checkpoint);

// A checkpoint whose log signature verified.
struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string body;  // the note text: exactly what the log signed and witnesses cosign
  std::string note;  // the whole signed note as received (text + signature lines)
  std::vector<NoteSignature> signatures;  // every signature line, incl. cosignatures
};

// Verifies a signed checkpoint note with the log's key and parses its body.
// REQUIRES: log_key.type == kKeyTypeEd25519 (else kInvalidArgument).
// Errors: kMalformed (note or body), kTooLarge, kBadSignature (the log key's
// signature fails, or any other known-key signature fails), kUntrustedKey (no
// signature by log_key), kMismatch (origin differs from the expected origin).
// The two-argument form expects origin == log_key.name.
Result<SignedCheckpoint> VerifyCheckpoint(std::string_view note, const VerifierKey& log_key);
Result<SignedCheckpoint> VerifyCheckpoint(std::string_view note, const VerifierKey& log_key,
                                          std::string_view expected_origin);

// The same with several trusted keys for one log (key rotation; a witness
// trusting "the public key(s) ... for the checkpoint origin", tlog-witness
// §add-checkpoint): at least one must sign, every signature by one of them must
// verify. The one rule for a bad signature by a second trusted key beside a
// good one by the first: the whole checkpoint is refused (kBadSignature),
// whatever the keys' order; callers holding several keys pass them all here
// rather than trying one key at a time (docs/SECURITY.md). REQUIRES: log_keys
// non-empty, all of type kKeyTypeEd25519 (else kInvalidArgument); two keys
// sharing a name and key ID that signed are kInvalidArgument (candor/note.h).
Result<SignedCheckpoint> VerifyCheckpoint(std::string_view note,
                                          std::span<const VerifierKey> log_keys,
                                          std::string_view expected_origin);

// Parses a signed checkpoint WITHOUT verifying any signature (for tools that
// display or forward one). Its contents MUST NOT be trusted.
Result<SignedCheckpoint> ParseSignedCheckpointUnverified(std::string_view note);

}  // namespace candor

#endif  // CANDOR_CHECKPOINT_H_
