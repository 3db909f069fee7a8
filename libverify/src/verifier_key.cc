// Verifier keys ("vkeys") and key IDs (c2sp.org/signed-note §Signatures).
#include <sodium.h>

#include <algorithm>

#include "candor/note.h"
#include "candor/sha256.h"

namespace candor {

bool SamePublicKey(const VerifierKey& a, const VerifierKey& b) {
  return sodium_memcmp(a.public_key.data(), b.public_key.data(), a.public_key.size()) == 0;
}

uint32_t KeyId(std::string_view name, uint8_t type, ByteView pubkey) {
  Sha256 h;
  h.Update(name);
  h.Update(std::string_view("\n"));
  h.Update(ByteView(&type, 1));
  h.Update(pubkey);
  const Hash d = h.Final();
  return ReadU32BE(d.data());
}

Result<VerifierKey> ParseVerifierKey(std::string_view vkey) {
  // name can hold no '+', the hex ID neither; base64 may, so it is the rest.
  const size_t p1 = vkey.find('+');
  if (p1 == std::string_view::npos) return Status::Malformed("verifier key: missing '+'");
  const size_t p2 = vkey.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return Status::Malformed("verifier key: missing '+'");
  std::string_view name = vkey.substr(0, p1), id_hex = vkey.substr(p1 + 1, p2 - p1 - 1),
                   b64 = vkey.substr(p2 + 1);
  if (!IsValidKeyName(name)) return Status::Malformed("verifier key: invalid key name");
  if (id_hex.size() != 8) return Status::Malformed("verifier key: key ID is not 8 hex digits");
  auto id = HexDecode(id_hex);
  if (!id.ok()) return Status::Malformed("verifier key: key ID is not lower-case hex");
  if (b64.empty()) return Status::Malformed("verifier key: empty key");
  auto raw = Base64Decode(b64);
  if (!raw.ok()) return raw.status().WithContext("verifier key");
  VerifierKey key;
  key.name = std::string(name);
  key.key_id = ReadU32BE(id->data());
  key.type = (*raw)[0];
  if (key.type != kKeyTypeEd25519 && key.type != kKeyTypeCosignatureV1) {
    return Status::Malformed("verifier key: unsupported signature type");
  }
  if (raw->size() != 1 + key.public_key.size()) {
    return Status::Malformed("verifier key: public key is not 32 bytes");
  }
  std::copy(raw->begin() + 1, raw->end(), key.public_key.begin());
  if (KeyId(key.name, key.type, key.public_key) != key.key_id) {
    return Status::Malformed("verifier key: key ID does not match the key");
  }
  return key;
}

std::string FormatVerifierKey(const VerifierKey& key) {
  Bytes id, raw;
  for (int shift = 24; shift >= 0; shift -= 8)
    id.push_back(static_cast<uint8_t>(key.key_id >> shift));
  raw.push_back(key.type);
  raw.insert(raw.end(), key.public_key.begin(), key.public_key.end());
  return key.name + "+" + HexEncode(id) + "+" + Base64Encode(raw);
}

}  // namespace candor
