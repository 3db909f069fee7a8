// VerifierKeyCache: the same answers as ParseVerifierKey, hit or miss, through
// evictions; refused texts are never remembered.
#include "candor/verifier_key_cache.h"

#include <doctest/doctest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace candor {
namespace {

std::string KeyText(const std::string& name, uint8_t seed_byte) {
  REQUIRE(sodium_init() >= 0);
  std::array<uint8_t, 32> seed;
  seed.fill(seed_byte);
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk;
  VerifierKey k;
  k.name = name;
  crypto_sign_seed_keypair(k.public_key.data(), sk.data(), seed.data());
  k.key_id = KeyId(k.name, k.type, k.public_key);
  return FormatVerifierKey(k);
}

// Same value, or the same refusal (code and message).
void CheckSameAsParse(VerifierKeyCache& cache, const std::string& text) {
  CAPTURE(text);
  auto want = ParseVerifierKey(text);
  auto got = cache.Parse(text);
  REQUIRE(got.ok() == want.ok());
  if (want.ok()) {
    CHECK(*got == *want);
  } else {
    CHECK(got.status().ToString() == want.status().ToString());
  }
}

TEST_CASE("VerifierKeyCache: hits and misses answer as ParseVerifierKey") {
  const std::string good = KeyText("acme.example", 1);
  std::string bad_id = good;
  bad_id[good.find('+') + 1] = bad_id[good.find('+') + 1] == '0' ? '1' : '0';
  std::string bad_b64 = good;
  bad_b64.back() = '!';
  const std::vector<std::string> texts = {
      good,
      KeyText("acme.example/firmware", 2),
      bad_id,                          // key ID does not match the key
      bad_b64,                         // not base64
      "acme.example",                  // no '+'
      good.substr(0, good.size() - 1)  // truncated key
  };
  VerifierKeyCache cache;
  for (int pass = 0; pass < 3; ++pass) {
    for (const std::string& t : texts) CheckSameAsParse(cache, t);
  }
  CHECK(cache.size() == 2);  // only the keys that parsed
}

TEST_CASE("VerifierKeyCache: more keys than it holds, cycled and interleaved") {
  std::vector<std::string> texts;
  for (uint8_t i = 0; i < VerifierKeyCache::kCapacity * 2 + 3; ++i) {
    texts.push_back(KeyText("vendor" + std::to_string(i) + ".example", i));
  }
  VerifierKeyCache cache;
  for (int pass = 0; pass < 3; ++pass) {
    for (size_t i = 0; i < texts.size(); ++i) {
      CheckSameAsParse(cache, texts[i]);
      CheckSameAsParse(cache, texts[0]);  // one key that keeps coming back
      CheckSameAsParse(cache, texts[(i * 7) % texts.size()]);
    }
  }
  CHECK(cache.size() == VerifierKeyCache::kCapacity);
}

}  // namespace
}  // namespace candor
