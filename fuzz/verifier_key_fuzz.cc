// Verifier key text ("<name>+<hex id>+<base64(type || key)>"): ParseVerifierKey,
// FormatVerifierKey, IsValidKeyName, KeyId.
// Properties: format(parse(x)) == x byte for byte; the parsed key's ID is the
// derived one; the name is a valid key name.
#include <cstddef>
#include <cstdint>

#include "candor/note.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  (void)IsValidKeyName(text);

  auto key = ParseVerifierKey(text);
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
