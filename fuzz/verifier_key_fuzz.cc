// Verifier key text ("<name>+<hex id>+<base64(type || key)>"): ParseVerifierKey,
// FormatVerifierKey, IsValidKeyName, KeyId.
// Properties: format(parse(x)) == x byte for byte; the parsed key's ID is the
// derived one; the name is a valid key name; a VerifierKeyCache kept across
// inputs (so hits, misses and evictions mix texts) answers exactly as
// ParseVerifierKey.
#include <cstddef>
#include <cstdint>

#include "candor/note.h"
#include "candor/verifier_key_cache.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  (void)IsValidKeyName(text);

  auto key = ParseVerifierKey(text);
  static VerifierKeyCache cache;
  auto cached = cache.Parse(text);
  CANDOR_FUZZ_CHECK(cached.ok() == key.ok());
  CANDOR_FUZZ_CHECK(key.ok() ? *cached == *key
                             : cached.status().ToString() == key.status().ToString());
  if (!key.ok()) {
    CANDOR_FUZZ_CHECK(key.status().code() == Code::kMalformed);
    return 0;
  }
  CANDOR_FUZZ_CHECK(IsValidKeyName(key->name));
  CANDOR_FUZZ_CHECK(key->type == kKeyTypeEd25519 || key->type == kKeyTypeCosignatureV1);
  CANDOR_FUZZ_CHECK(KeyId(key->name, key->type, key->public_key) == key->key_id);
  const std::string formatted = FormatVerifierKey(*key);
  CANDOR_FUZZ_CHECK(formatted == text);
  auto again = ParseVerifierKey(formatted);
  CANDOR_FUZZ_CHECK(again.ok() && *again == *key);
  return 0;
}
