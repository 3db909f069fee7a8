// Signer keys and signing of notes and cosignatures (c2sp.org/signed-note,
// c2sp.org/tlog-cosignature). Private key text form as Go's sumdb/note.
#include "candor/signer.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

namespace candor {
namespace {

constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";
constexpr size_t kSeedBase64Size = 44;  // base64 of type byte + 32-byte seed

bool SupportedType(uint8_t type) {
  return type == kKeyTypeEd25519 || type == kKeyTypeCosignatureV1;
}

// Holds an expanded libsodium key pair; zeroes the secret half on scope exit.
struct KeyPair {
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  explicit KeyPair(const std::array<uint8_t, 32>& seed) {
    if (sodium_init() < 0) abort();  // idempotent; cannot fail on a sane system
    crypto_sign_seed_keypair(pk, sk, seed.data());
  }
  ~KeyPair() { sodium_memzero(sk, sizeof sk); }
  KeyPair(const KeyPair&) = delete;
  KeyPair& operator=(const KeyPair&) = delete;
};

}  // namespace

Bytes SignEd25519(const SignerKey& key, ByteView message) {
  KeyPair kp(key.seed);
  Bytes sig(crypto_sign_BYTES);
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), kp.sk);
  return sig;
}

SignerKey::~SignerKey() { sodium_memzero(seed.data(), seed.size()); }

VerifierKey PublicKeyOf(const SignerKey& key) {
  KeyPair kp(key.seed);
  VerifierKey vk;
  vk.name = key.name;
  vk.key_id = key.key_id;
  vk.type = key.type;
  std::copy(std::begin(kp.pk), std::end(kp.pk), vk.public_key.begin());
  return vk;
}

Result<SignerKey> ParseSignerKey(std::string_view text) {
  if (sodium_init() < 0) return Status::Internal("libsodium initialisation failed");
  if (text.substr(0, kPrivatePrefix.size()) != kPrivatePrefix) {
    return Status::Malformed("private key: missing PRIVATE+KEY+ prefix");
  }
  text.remove_prefix(kPrivatePrefix.size());
  const size_t p1 = text.find('+');
  if (p1 == std::string_view::npos) return Status::Malformed("private key: missing '+'");
  const size_t p2 = text.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return Status::Malformed("private key: missing '+'");
  std::string_view name = text.substr(0, p1), id_hex = text.substr(p1 + 1, p2 - p1 - 1),
                   b64 = text.substr(p2 + 1);
  if (!IsValidKeyName(name)) return Status::Malformed("private key: invalid key name");
  if (id_hex.size() != 8) return Status::Malformed("private key: key ID is not 8 hex digits");
  auto id = HexDecode(id_hex);
  if (!id.ok()) return Status::Malformed("private key: key ID is not lower-case hex");
  if (b64.empty()) return Status::Malformed("private key: empty key");
  // Decoded into stack buffers that are zeroed on every path: the generic
  // Base64Decode would leave copies of the seed in freed heap memory (its
  // canonical-form check re-encodes into a temporary string).
  if (b64.size() != kSeedBase64Size) return Status::Malformed("private key: seed is not 32 bytes");
  uint8_t raw[33 + 3];
  char again[kSeedBase64Size + 1];
  size_t raw_len = 0;
  const char* end = nullptr;
  SignerKey key;
  Status st;
  if (sodium_base642bin(raw, sizeof raw, b64.data(), b64.size(), nullptr, &raw_len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != b64.data() + b64.size()) {
    st = Status::Malformed("private key: invalid base64");
  } else if (raw_len != 33) {
    st = Status::Malformed("private key: seed is not 32 bytes");
  } else if (sodium_bin2base64(again, sizeof again, raw, raw_len, sodium_base64_VARIANT_ORIGINAL) ==
                 nullptr ||
             sodium_memcmp(again, b64.data(), kSeedBase64Size) != 0) {
    st = Status::Malformed("private key: invalid base64");  // non-canonical
  } else if (!SupportedType(raw[0])) {
    st = Status::Malformed("private key: unsupported signature type");
  } else {
    key.name = std::string(name);
    key.key_id = ReadU32BE(id->data());
    key.type = raw[0];
    std::copy(raw + 1, raw + 33, key.seed.begin());
    const VerifierKey vk = PublicKeyOf(key);
    if (KeyId(key.name, key.type, vk.public_key) != key.key_id) {
      st = Status::Malformed("private key: key ID does not match the key");
    }
  }
  sodium_memzero(raw, sizeof raw);
  sodium_memzero(again, sizeof again);
  if (!st.ok()) return st;
  return key;
}

std::string FormatSignerKey(const SignerKey& key) {
  uint8_t raw[33];
  raw[0] = key.type;
  std::copy(key.seed.begin(), key.seed.end(), raw + 1);
  char b64[kSeedBase64Size + 1];
  sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  Bytes id;  // the key ID is public; only the seed needs the care below
  AppendU32BE(id, key.key_id);
  // Reserved up front (plus one byte for a caller's "\n") so that no append
  // reallocates and leaves a copy of the secret in freed memory.
  const std::string id_hex = HexEncode(id);
  std::string out;
  out.reserve(kPrivatePrefix.size() + key.name.size() + 1 + id_hex.size() + 1 + kSeedBase64Size +
              1);
  out.append(kPrivatePrefix).append(key.name).append("+").append(id_hex).append("+");
  out.append(b64, kSeedBase64Size);
  sodium_memzero(raw, sizeof raw);
  sodium_memzero(b64, sizeof b64);
  return out;
}

Result<std::pair<SignerKey, VerifierKey>> GenerateKey(std::string_view name, uint8_t type) {
  if (sodium_init() < 0) return Status::Internal("libsodium initialisation failed");
  if (!IsValidKeyName(name)) return Status::InvalidArgument("invalid key name");
  if (!SupportedType(type)) return Status::InvalidArgument("unsupported key type");
  SignerKey sk;
  sk.name = std::string(name);
  sk.type = type;
  randombytes_buf(sk.seed.data(), sk.seed.size());
  VerifierKey vk = PublicKeyOf(sk);
  sk.key_id = KeyId(sk.name, type, vk.public_key);
  vk.key_id = sk.key_id;
  return std::pair<SignerKey, VerifierKey>(std::move(sk), std::move(vk));
}

}  // namespace candor
