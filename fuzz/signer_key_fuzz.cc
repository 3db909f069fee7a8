// Private key text ("PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>", as
// Go's sumdb/note reads it): ParseSignerKey, FormatSignerKey, PublicKeyOf.
// Properties: format(parse(x)) == x byte for byte; the key ID matches the
// derived public key; an Ed25519 key's note signature verifies with its
// public key; error messages never contain the input's key material.
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/note.h"
#include "candor/signer.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto key = ParseSignerKey(text);
  if (!key.ok()) {
    CANDOR_FUZZ_CHECK(key.status().code() == Code::kMalformed);
    // The base64 part (after the last '+') must not be echoed back.
    const size_t plus = text.rfind('+');
    if (plus != std::string_view::npos) {
      const std::string_view secret = text.substr(plus + 1);
      auto raw = Base64Decode(secret);
      if (raw.ok() && raw->size() >= 33) {
        CANDOR_FUZZ_CHECK(key.status().message().find(secret) == std::string::npos);
      }
    }
    return 0;
  }
  CANDOR_FUZZ_CHECK(IsValidKeyName(key->name));
  const std::string formatted = FormatSignerKey(*key);
  CANDOR_FUZZ_CHECK(formatted == text);
  auto again = ParseSignerKey(formatted);
  CANDOR_FUZZ_CHECK(again.ok());
  CANDOR_FUZZ_CHECK(again->name == key->name && again->key_id == key->key_id &&
                    again->type == key->type && again->seed == key->seed);

  const VerifierKey pub = PublicKeyOf(*key);
  CANDOR_FUZZ_CHECK(KeyId(pub.name, pub.type, pub.public_key) == key->key_id);
  auto vkey = ParseVerifierKey(FormatVerifierKey(pub));
  CANDOR_FUZZ_CHECK(vkey.ok() && *vkey == pub);
  if (key->type == kKeyTypeEd25519) {
    const SignerKey* signers[] = {&*key};
    auto note = SignNote("fuzz\n", signers);
    CANDOR_FUZZ_CHECK(note.ok());
    const VerifierKey known[] = {pub};
    CANDOR_FUZZ_CHECK(VerifyNote(*note, known).ok());
  }
  return 0;
}
