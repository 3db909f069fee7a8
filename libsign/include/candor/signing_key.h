// The signer interface: one Ed25519 key, wherever its secret lives (a key
// file, a PKCS#11 token, an ssh-agent), and the note and cosignature signing
// that goes through it. docs/SIGNING.md describes the backends.
//
// Every signature a backend returns is verified with libsodium against the
// signer's public key (Signer::Sign) before a caller sees it: a token, agent
// or module that answers with garbage, another key's signature or a
// signature over other bytes is caught here (kBadSignature), so nothing
// built from it is ever written.
//
// Backends (OpenSigner chooses by what the key spec names):
//   PATH                      a private key file (candor/signer.h)
//   pkcs11:...                an RFC 7512 PKCS#11 URI (candor/pkcs11_signer.h)
//   ssh-agent:VKEY-FILE       an Ed25519 key held by ssh-agent (candor/ssh_agent.h)
//   ssh-agent:SHA256:<fp>     the same, chosen by its OpenSSH fingerprint, named by its comment
//
// Thread-safety: Signer::Sign and public_key() may be called from several
// threads at once on one Signer (backends serialise their own device access).
#ifndef CANDOR_SIGNING_KEY_H_
#define CANDOR_SIGNING_KEY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "candor/bytes.h"
#include "candor/note.h"
#include "candor/signer.h"
#include "candor/status.h"

namespace candor {

class Signer {
 public:
  virtual ~Signer() = default;

  // Name, key ID, type (0x01 note key or 0x04 cosignature/v1) and Ed25519
  // public key. Constant for the signer's lifetime.
  virtual const VerifierKey& public_key() const = 0;

  // A raw RFC 8032 Ed25519 signature (64 bytes) over `message`, verified
  // against public_key() before it is returned: kBadSignature if the backend
  // produced anything else. Domain separation is the caller's (SignNote,
  // Cosign below). Backend errors keep their codes (docs/SIGNING.md "Errors").
  Result<Bytes> Sign(ByteView message) const;

 protected:
  // The backend's signature, unchecked. Called by Sign only.
  virtual Result<Bytes> SignUnverified(ByteView message) const = 0;
};

// The verifier key (key ID derived) for an Ed25519 public key held outside
// Candor (a token's, an SSH key's). REQUIRES: IsValidKeyName(name).
VerifierKey MakeVerifierKey(std::string_view name, uint8_t type,
                            const std::array<uint8_t, 32>& public_key);

// A signer over a key held in memory (a key file's key).
std::unique_ptr<Signer> MakeKeySigner(SignerKey key);

// What OpenSigner expects of the key.
struct OpenSignerOptions {
  // The key type the caller signs with: kKeyTypeEd25519 (notes: releases,
  // trust roots, checkpoints) or kKeyTypeCosignatureV1 (a witness). A key file
  // of the other type is refused (kInvalidArgument); a PKCS#11 key takes this
  // type (a token holds no signed-note type); an ssh-agent key's vkey names it
  // and must match (a key chosen by fingerprint takes this type).
  uint8_t key_type = kKeyTypeEd25519;
  // What the key is for, in error messages ("... is a witness (cosignature)
  // key, not a vendor key").
  std::string role = "note key";
};

// Opens the signer a `--key` option names (see the header comment). Errors:
// the file key's (kNotFound, kPolicyUnsatisfied for a readable key file, ...)
// and the backends' (docs/SIGNING.md "Errors"). Messages never carry a PIN or
// key material.
Result<std::unique_ptr<Signer>> OpenSigner(std::string_view key_spec,
                                           const OpenSignerOptions& options = {});

// A key spec as it may appear in messages and logs: a pkcs11: URI without its
// query (module-path, pin-source, and a pin-value OpenSigner refuses), other
// specs as given.
std::string DescribeKeySpec(std::string_view key_spec);

// Signs `text` (which must pass ValidateNoteText) with each signer.
// REQUIRES: signers non-empty, non-null, type 0x01, pairwise distinct
// (name, key ID) (else kInvalidArgument). Any signer's error is returned.
Result<std::string> SignNote(std::string_view text, std::span<const Signer* const> signers);

// As the SignerKey form in candor/signer.h: appends one signature per signer
// to a parsed note; kConflict if a signer already signed it.
Result<std::string> AddSignatures(std::string_view signed_note,
                                  std::span<const Signer* const> signers);

// A cosignature/v1 line over a checkpoint body (candor/cosignature.h).
// REQUIRES: witness.public_key().type == kKeyTypeCosignatureV1,
// timestamp <= 2^63-1, checkpoint_body passes ValidateNoteText.
Result<NoteSignature> Cosign(const Signer& witness, std::string_view checkpoint_body,
                             uint64_t timestamp);

}  // namespace candor

#endif  // CANDOR_SIGNING_KEY_H_
