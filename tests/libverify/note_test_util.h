// Test-only signing for libverify tests, straight on libsodium (independent of
// libsign, so libverify's verifiers are checked against a second signer).
#ifndef CANDOR_TESTS_LIBVERIFY_NOTE_TEST_UTIL_H_
#define CANDOR_TESTS_LIBVERIFY_NOTE_TEST_UTIL_H_

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "candor/bytes.h"
#include "candor/note.h"

namespace candor {
namespace testutil {

struct TestKey {
  VerifierKey vkey;
  std::array<uint8_t, 64> sk{};

  // Deterministic key from a one-byte seed pattern.
  static TestKey Make(std::string_view name, uint8_t seed_byte, uint8_t type = kKeyTypeEd25519) {
    if (sodium_init() < 0) abort();
    TestKey k;
    std::array<uint8_t, 32> seed;
    seed.fill(seed_byte);
    crypto_sign_seed_keypair(k.vkey.public_key.data(), k.sk.data(), seed.data());
    k.vkey.name = std::string(name);
    k.vkey.type = type;
    k.vkey.key_id = KeyId(name, type, k.vkey.public_key);
    return k;
  }

  Bytes SignRaw(std::string_view msg) const {
    Bytes sig(crypto_sign_BYTES);
    crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const uint8_t*>(msg.data()),
                         msg.size(), sk.data());
    return sig;
  }

  // "— name base64(id || sig)\n" over `text` (Ed25519 note signature).
  std::string SigLine(std::string_view text) const {
    return FormatSignatureLine(NoteSignature{vkey.name, vkey.key_id, SignRaw(text)});
  }

  // cosignature/v1 over `body` at `ts`, built by hand from the spec.
  NoteSignature Cosig(std::string_view body, uint64_t ts) const {
    std::string msg = "cosignature/v1\ntime " + std::to_string(ts) + "\n" + std::string(body);
    Bytes sig;
    AppendU64BE(sig, ts);
    Bytes ed = SignRaw(msg);
    sig.insert(sig.end(), ed.begin(), ed.end());
    return NoteSignature{vkey.name, vkey.key_id, sig};
  }
};

}  // namespace testutil
}  // namespace candor

#endif  // CANDOR_TESTS_LIBVERIFY_NOTE_TEST_UTIL_H_
