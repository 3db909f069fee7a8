// Signed notes (c2sp.org/signed-note): verifier keys, parsing, formatting and
// verification of a text signed by one or more keys.
//
// A signed note is a UTF-8 text ending in "\n", a blank line, then one or more
// signature lines "— <key name> <base64(4-byte BE key ID || signature)>\n"
// (U+2014 em dash). The text is separated from the signatures by the LAST blank
// line. This header is the verification side only (libverify); signing lives in
// libsign (candor/signer.h).
//
// Supported signature types: 0x01 (Ed25519 over the note text, §"Ed25519
// signatures") and 0x04 (timestamped Ed25519 witness cosignatures,
// c2sp.org/tlog-cosignature; see candor/cosignature.h). Other types are refused
// by ParseVerifierKey; signature lines from unknown keys are ignored, as the
// spec requires, whatever their type.
//
// Parsing is strict (fail closed, Status::Malformed unless said otherwise):
//   - the whole message is valid UTF-8 with no ASCII control character other
//     than "\n";
//   - the text is non-empty and ends in "\n"; at least one signature line;
//   - each signature line is exactly "— " name " " base64 "\n", the name is a
//     valid key name (IsValidKeyName) and the base64 is canonical (RFC 4648 §4,
//     padded) and decodes to at least 5 bytes (4-byte key ID + signature);
//   - no two signature lines share the same (name, key ID): a duplicate is
//     refused, not silently dropped (Go's note.Open drops it; we are stricter);
//   - limits: kMaxNoteSize bytes overall (kTooLarge), kMaxNoteSignatures
//     signature lines (kTooLarge). The spec requires accepting at least 16.
//
// Thread-safety: pure functions over values; safe to call concurrently.
#ifndef CANDOR_NOTE_H_
#define CANDOR_NOTE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

namespace candor {

// Signature type identifier bytes (c2sp.org/signed-note §"Signature types").
inline constexpr uint8_t kKeyTypeEd25519 = 0x01;
inline constexpr uint8_t kKeyTypeCosignatureV1 = 0x04;

// Limits (signed-note §Format: verifiers SHOULD bound the number of signatures,
// MUST accept at least 16). 100 matches Go's golang.org/x/mod/sumdb/note.
inline constexpr size_t kMaxNoteSignatures = 100;
inline constexpr size_t kMaxNoteSize = 1 << 20;  // 1 MiB, text + signatures

// A public key a verifier trusts, with its note identity (name, key ID).
// Text form ("vkey"): "<name>+<8 lower-case hex digits key ID>+<base64(type || public key)>".
struct VerifierKey {
  std::string name;
  uint32_t key_id = 0;
  uint8_t type = kKeyTypeEd25519;  // kKeyTypeEd25519 or kKeyTypeCosignatureV1
  std::array<uint8_t, 32> public_key{};

  friend bool operator==(const VerifierKey&, const VerifierKey&) = default;
};

// Key names MUST be non-empty, valid UTF-8, and contain no Unicode space
// (Go's unicode.IsSpace set, which includes U+0085 and U+00A0) and no '+'.
bool IsValidKeyName(std::string_view name);

// key ID = SHA-256(name || 0x0A || type || pubkey)[:4], read big-endian.
uint32_t KeyId(std::string_view name, uint8_t type, ByteView pubkey);

// Strict parse of a vkey. kMalformed on: bad name, key ID not exactly 8
// lower-case hex digits, non-canonical base64, unsupported type (only 0x01 and
// 0x04), public key not 32 bytes, or a key ID that does not match KeyId().
Result<VerifierKey> ParseVerifierKey(std::string_view vkey);

// What a reader of a file holding one vkey line (log.pub, witness.pub, a
// --log-key file) reads at most.
inline constexpr size_t kMaxVerifierKeyFileSize = 4096;
// REQUIRES: key is valid (as ParseVerifierKey would accept its output).
std::string FormatVerifierKey(const VerifierKey& key);

// True when both name the same public key bytes, whatever their names, key
// IDs or types: "the same key" for duplicate checks and signer counting.
bool SamePublicKey(const VerifierKey& a, const VerifierKey& b);

// One signature line of a note, decoded.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;  // the bytes after the 4-byte key ID (>= 1 byte)

  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

// A parsed but NOT verified note. Its text MUST be ignored until verified.
struct Note {
  std::string text;  // includes the final "\n", excludes the blank separator line
  std::vector<NoteSignature> signatures;  // in message order
};

// Strict parse of a signed note, no signature checked (see the header comment).
Result<Note> ParseNote(std::string_view message);

// Checks that `text` is acceptable as note text: non-empty, ends in "\n", valid
// UTF-8, no control characters other than "\n", at most kMaxNoteSize bytes.
Status ValidateNoteText(std::string_view text);

// Serialises text, blank line, signature lines in order. Returns kMalformed /
// kTooLarge if the result would not be accepted by ParseNote (bad text, bad
// name, empty signature list, duplicate (name, key ID), too many signatures).
Result<std::string> FormatNote(const Note& note);

// The "— <name> <base64>\n" line for one signature.
// REQUIRES: IsValidKeyName(sig.name).
std::string FormatSignatureLine(const NoteSignature& sig);

// A known key whose signature on the note verified.
struct VerifiedSigner {
  VerifierKey key;
  // For kKeyTypeCosignatureV1 keys: the cosignature's timestamp (POSIX seconds).
  std::optional<uint64_t> timestamp;
};

struct VerifiedNote {
  std::string text;                       // the note text, now authenticated
  std::vector<VerifiedSigner> verified;   // in message order, one per known key
  std::vector<NoteSignature> signatures;  // every parsed signature line, in order
};

// Parses `message` strictly and verifies signatures from `known_keys`.
// A signature line matches a known key when both name and key ID are equal
// (signed-note §Signatures); unmatched lines are ignored. Ed25519 (0x01) keys
// verify over the text; cosignature/v1 (0x04) keys over
// CosignedMessage(timestamp, text) (c2sp.org/tlog-cosignature).
// Errors: parse errors as ParseNote; kBadSignature if any signature from a known
// key fails (the whole note is rejected, fail closed); kUntrustedKey if no
// signature line is from a known key; kInvalidArgument if two different
// known keys share a (name, key ID) that signed, or a known key's type is
// unsupported. On success at least one known key verified.
Result<VerifiedNote> VerifyNote(std::string_view message, std::span<const VerifierKey> known_keys);

}  // namespace candor

#endif  // CANDOR_NOTE_H_
