// Signing keys and signing of notes, checkpoints and witness cosignatures
// (c2sp.org/signed-note, c2sp.org/tlog-checkpoint, c2sp.org/tlog-cosignature).
//
// Private key text form, as read and written by Go's golang.org/x/mod/sumdb/note:
//   PRIVATE+KEY+<name>+<8 lower-case hex key ID>+<base64(type || 32-byte seed)>
// The seed is the RFC 8032 Ed25519 private key (libsodium's crypto_sign seed).
// Type 0x01 keys sign note text; type 0x04 (cosignature/v1) keys only produce
// cosignatures (Cosign) and are refused by SignNote.
//
// Secrets: SignerKey zeroes its seed (sodium_memzero) on destruction; expanded
// secret keys live on the stack only for the duration of one signature and are
// zeroed after use. Key files are created 0600 with O_EXCL and fsync'ed.
//
// Keys that live elsewhere (PKCS#11 tokens, ssh-agent) and signing through
// them: candor/signing_key.h. The SignNote, AddSignatures and Cosign forms
// below are those functions over an in-memory key's signer, so every
// signature is verified before it is used.
//
// Thread-safety: SignerKey is a value; const access from several threads is
// safe. The functions are thread-safe (GenerateKey uses libsodium's CSPRNG).
#ifndef CANDOR_SIGNER_H_
#define CANDOR_SIGNER_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "candor/bytes.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

struct SignerKey {
  std::string name;
  uint32_t key_id = 0;
  uint8_t type = kKeyTypeEd25519;  // kKeyTypeEd25519 or kKeyTypeCosignatureV1
  std::array<uint8_t, 32> seed{};  // secret

  SignerKey() = default;
  SignerKey(const SignerKey&) = default;
  SignerKey(SignerKey&&) = default;  // the moved-from copy is zeroed by its destructor
  SignerKey& operator=(const SignerKey&) = default;
  SignerKey& operator=(SignerKey&&) = default;
  ~SignerKey();  // sodium_memzero(seed)
};

// Strict parse of "PRIVATE+KEY+<name>+<hex id>+<base64(type||seed)>".
// kMalformed on any deviation, an unsupported type (only 0x01, 0x04), a seed
// that is not 32 bytes, or a key ID that does not match the derived public key.
// The error message never contains key material.
Result<SignerKey> ParseSignerKey(std::string_view text);
std::string FormatSignerKey(const SignerKey& key);

// Generates a fresh key pair from libsodium's CSPRNG.
// kInvalidArgument if the name is not a valid key name or the type unsupported.
Result<std::pair<SignerKey, VerifierKey>> GenerateKey(std::string_view name,
                                                      uint8_t type = kKeyTypeEd25519);

// The verifier key (same name, key ID and type) for a signer key.
VerifierKey PublicKeyOf(const SignerKey& key);

// Raw RFC 8032 Ed25519 signature (64 bytes) of `message` with the key's seed,
// whatever the key's type. Domain separation (note text vs cosigned message)
// is the caller's job: use SignNote / Cosign. Exposed for the RFC 8032 test
// vectors and the benchmarks.
Bytes SignEd25519(const SignerKey& key, ByteView message);

// Signs `text` (which must pass ValidateNoteText) with each signer and returns
// the signed note. REQUIRES: signers non-empty, non-null, type 0x01, pairwise
// distinct (name, key ID) (else kInvalidArgument).
Result<std::string> SignNote(std::string_view text, std::span<const SignerKey* const> signers);

// Parses `signed_note` strictly (no verification) and appends one signature per
// signer after the existing ones. kConflict if a signer's (name, key ID)
// already has a signature line on the note; other errors as SignNote.
Result<std::string> AddSignatures(std::string_view signed_note,
                                  std::span<const SignerKey* const> signers);

// A cosignature/v1 signature line over a checkpoint body (see candor/cosignature.h).
// REQUIRES: witness_key.type == kKeyTypeCosignatureV1, timestamp <= 2^63-1,
// checkpoint_body passes ValidateNoteText (else kInvalidArgument).
Result<NoteSignature> Cosign(const SignerKey& witness_key, std::string_view checkpoint_body,
                             uint64_t timestamp);

// A private key file holds one key line; anything larger is refused unread.
inline constexpr size_t kMaxKeyFileSize = 4096;

// Writes FormatSignerKey(key) + "\n" to a NEW file with mode exactly 0600,
// durably and without clobbering (candor/fs/atomic_write.h: a temporary file,
// fsync, link(2), directory fsync). kConflict if the path exists, kIo on other
// failures (nothing is left behind).
Status WritePrivateKeyFile(const std::string& path, const SignerKey& key);

// Reads a private key file (one key, optional single trailing "\n").
// Refuses files readable or writable by group or others (kPolicyUnsatisfied),
// symbolic links and non-regular files (kIo) and files over kMaxKeyFileSize
// (kTooLarge); kNotFound if absent.
Result<SignerKey> ReadPrivateKeyFile(const std::string& path);

// Reads a verifier key file (`name+id+base64`, trailing newlines or spaces
// allowed; at most kMaxVerifierKeyFileSize). Errors name `what` and the path;
// a key that is not Ed25519 is kInvalidArgument.
Result<VerifierKey> ReadVerifierKeyFile(const std::string& path,
                                        std::string_view what = "verifier key");

}  // namespace candor

#endif  // CANDOR_SIGNER_H_
