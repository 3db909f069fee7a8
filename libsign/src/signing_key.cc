// The Signer interface's checked Sign, the in-memory key backend, and note
// and cosignature signing through signers (see candor/signing_key.h). The
// SignerKey forms of candor/signer.h are the same functions over key signers.
#include "candor/signing_key.h"

#include <sodium.h>

#include <cstdlib>
#include <set>
#include <vector>

#include "candor/cosignature.h"

namespace candor {
namespace {

class KeySigner final : public Signer {
 public:
  explicit KeySigner(SignerKey key) : key_(std::move(key)), public_key_(PublicKeyOf(key_)) {}
  const VerifierKey& public_key() const override { return public_key_; }

 protected:
  Result<Bytes> SignUnverified(ByteView message) const override {
    return SignEd25519(key_, message);
  }

 private:
  SignerKey key_;
  VerifierKey public_key_;
};

Status CheckSigners(std::span<const Signer* const> signers) {
  if (signers.empty()) return Status::InvalidArgument("no signer");
  std::set<std::pair<std::string_view, uint32_t>> seen;
  for (const Signer* s : signers) {
    if (s == nullptr) return Status::InvalidArgument("null signer");
    const VerifierKey& k = s->public_key();
    if (k.type != kKeyTypeEd25519) {
      return Status::InvalidArgument("key " + k.name + " is not an Ed25519 (0x01) note key");
    }
    if (!IsValidKeyName(k.name)) return Status::InvalidArgument("invalid signer key name");
    if (!seen.emplace(k.name, k.key_id).second) {
      return Status::InvalidArgument("signer " + k.name + " listed twice");
    }
  }
  return Status::Ok();
}

Status AppendSignatures(Note& note, std::span<const Signer* const> signers) {
  for (const Signer* s : signers) {
    const VerifierKey& k = s->public_key();
    CANDOR_ASSIGN_OR_RETURN(Bytes sig, s->Sign(AsBytes(note.text)));
    note.signatures.push_back(NoteSignature{k.name, k.key_id, std::move(sig)});
  }
  return Status::Ok();
}

// Key signers for the SignerKey forms; a null key stays a null signer so that
// CheckSigners reports it.
struct KeySigners {
  std::vector<std::unique_ptr<Signer>> owned;
  std::vector<const Signer*> view;
  explicit KeySigners(std::span<const SignerKey* const> keys) {
    for (const SignerKey* k : keys) {
      owned.push_back(k == nullptr ? nullptr : MakeKeySigner(*k));
      view.push_back(owned.back().get());
    }
  }
};

}  // namespace

Result<Bytes> Signer::Sign(ByteView message) const {
  if (sodium_init() < 0) return Status::Internal("libsodium initialisation failed");
  CANDOR_ASSIGN_OR_RETURN(Bytes sig, SignUnverified(message));
  const VerifierKey& k = public_key();
  // The one check between a backend and anything written: a malformed,
  // foreign or wrong-message signature never leaves this function.
  if (sig.size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(sig.data(), message.data(), message.size(),
                                  k.public_key.data()) != 0) {
    return Status::BadSignature("the signer for key " + k.name +
                                " returned a signature that does not verify under its public key");
  }
  return sig;
}

VerifierKey MakeVerifierKey(std::string_view name, uint8_t type,
                            const std::array<uint8_t, 32>& public_key) {
  VerifierKey key;
  key.name = std::string(name);
  key.type = type;
  key.public_key = public_key;
  key.key_id = KeyId(key.name, key.type, key.public_key);
  return key;
}

std::unique_ptr<Signer> MakeKeySigner(SignerKey key) {
  return std::make_unique<KeySigner>(std::move(key));
}

Result<std::string> SignNote(std::string_view text, std::span<const Signer* const> signers) {
  CANDOR_RETURN_IF_ERROR(ValidateNoteText(text));
  CANDOR_RETURN_IF_ERROR(CheckSigners(signers));
  Note note;
  note.text = std::string(text);
  CANDOR_RETURN_IF_ERROR(AppendSignatures(note, signers));
  return FormatNote(note);
}

Result<std::string> AddSignatures(std::string_view signed_note,
                                  std::span<const Signer* const> signers) {
  CANDOR_ASSIGN_OR_RETURN(Note note, ParseNote(signed_note));
  CANDOR_RETURN_IF_ERROR(CheckSigners(signers));
  for (const Signer* s : signers) {
    for (const auto& existing : note.signatures) {
      if (existing.name == s->public_key().name && existing.key_id == s->public_key().key_id) {
        return Status::Conflict("note already signed by " + s->public_key().name);
      }
    }
  }
  CANDOR_RETURN_IF_ERROR(AppendSignatures(note, signers));
  return FormatNote(note);
}

Result<NoteSignature> Cosign(const Signer& witness, std::string_view checkpoint_body,
                             uint64_t timestamp) {
  const VerifierKey& k = witness.public_key();
  if (k.type != kKeyTypeCosignatureV1) {
    return Status::InvalidArgument("key " + k.name + " is not a cosignature/v1 key");
  }
  if (timestamp > kMaxCosignatureTimestamp) {
    return Status::InvalidArgument("cosignature timestamp exceeds 2^63-1");
  }
  if (!ValidateNoteText(checkpoint_body).ok()) {
    return Status::InvalidArgument("checkpoint body is not valid note text");
  }
  NoteSignature sig;
  sig.name = k.name;
  sig.key_id = k.key_id;
  AppendU64BE(sig.signature, timestamp);
  CANDOR_ASSIGN_OR_RETURN(Bytes ed,
                          witness.Sign(AsBytes(CosignedMessage(timestamp, checkpoint_body))));
  sig.signature.insert(sig.signature.end(), ed.begin(), ed.end());
  return sig;
}

// The SignerKey forms (candor/signer.h).

Result<std::string> SignNote(std::string_view text, std::span<const SignerKey* const> signers) {
  KeySigners s(signers);
  return SignNote(text, s.view);
}

Result<std::string> AddSignatures(std::string_view signed_note,
                                  std::span<const SignerKey* const> signers) {
  KeySigners s(signers);
  return AddSignatures(signed_note, s.view);
}

Result<NoteSignature> Cosign(const SignerKey& witness_key, std::string_view checkpoint_body,
                             uint64_t timestamp) {
  return Cosign(KeySigner(witness_key), checkpoint_body, timestamp);
}

}  // namespace candor
