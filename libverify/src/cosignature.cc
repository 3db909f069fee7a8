// Ed25519 witness cosignatures (c2sp.org/tlog-cosignature §Format and
// §"Ed25519 signed message").
#include "candor/cosignature.h"

#include "candor/ed25519.h"

namespace candor {

std::string CosignedMessage(uint64_t timestamp, std::string_view checkpoint_body) {
  std::string msg = "cosignature/v1\ntime ";
  msg += std::to_string(timestamp);
  msg += '\n';
  msg += checkpoint_body;
  return msg;
}

Result<uint64_t> VerifyCosignature(const VerifierKey& key, std::string_view checkpoint_body,
                                   const NoteSignature& sig) {
  if (key.type != kKeyTypeCosignatureV1) {
    return Status::InvalidArgument("cosignature: witness key is not a cosignature/v1 (0x04) key");
  }
  if (sig.name != key.name || sig.key_id != key.key_id) {
    return Status::Mismatch("cosignature: signature is not by witness " + key.name);
  }
  if (sig.signature.size() != kCosignatureV1Size) {
    return Status::Malformed("cosignature: timestamped signature is not 72 bytes");
  }
  const uint64_t timestamp = ReadU64BE(sig.signature.data());
  if (timestamp > kMaxCosignatureTimestamp) {
    return Status::Malformed("cosignature: timestamp exceeds 2^63-1");
  }
  const std::string msg = CosignedMessage(timestamp, checkpoint_body);
  if (!Ed25519Verify(key.public_key, AsBytes(msg), ByteView(sig.signature).subspan(8))) {
    return Status::BadSignature("cosignature by " + key.name + " does not verify");
  }
  return timestamp;
}

Result<std::vector<Cosignature>> VerifyCosignatures(const SignedCheckpoint& checkpoint,
                                                    std::span<const VerifierKey> witness_keys) {
  std::vector<Cosignature> out;
  for (size_t i = 0; i < witness_keys.size(); ++i) {
    const VerifierKey& key = witness_keys[i];
    if (key.type != kKeyTypeCosignatureV1) {
      return Status::InvalidArgument("witness key " + key.name + " is not a cosignature/v1 key");
    }
    bool listed_before = false;
    for (size_t j = 0; j < i; ++j) listed_before |= witness_keys[j] == key;
    if (listed_before) continue;
    const NoteSignature* found = nullptr;
    for (const auto& sig : checkpoint.signatures) {
      if (sig.name != key.name || sig.key_id != key.key_id) continue;
      if (found != nullptr) return Status::Malformed("witness " + key.name + " cosigned twice");
      found = &sig;
    }
    if (found == nullptr) continue;
    CANDOR_ASSIGN_OR_RETURN(uint64_t ts, VerifyCosignature(key, checkpoint.body, *found));
    out.push_back(Cosignature{key, ts});
  }
  return out;
}

}  // namespace candor
