// Helpers shared by the libFuzzer targets in fuzz/ and by the seed corpus
// generator (fuzz/make_corpus.cc).
//
// - CANDOR_FUZZ_CHECK(cond): a property the code under test must keep (a
//   round trip, an invariant). On violation it prints the condition and
//   aborts, which libFuzzer reports as a crash and saves the input.
// - The fixture: fixed, deterministic keys (Ed25519 signatures are
//   deterministic), a release entry, a 3-entry log with a signed and
//   cosigned checkpoint, a bundle for the release and a trust policy. The
//   Verify target checks mutated bundles against it; make_corpus writes it
//   out as seeds. Fixture keys are public test keys: never trust them.
//
// Thread-safety: Fixture() builds once (function-local static) and is then
// immutable; libFuzzer runs targets on one thread.
#ifndef CANDOR_FUZZ_FUZZ_UTIL_H_
#define CANDOR_FUZZ_FUZZ_UTIL_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/merkle.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/signer.h"

#define CANDOR_FUZZ_CHECK(cond)                                                          \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace candor {
namespace fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// A deterministic key: seed = 32 x seed_byte, key ID derived from the name.
struct FixedKey {
  SignerKey signer;
  VerifierKey verifier;
};
FixedKey MakeFixedKey(std::string_view name, uint8_t type, uint8_t seed_byte);

// A NodeReader over leaf hashes held in memory (complete subtrees are
// recomputed from the leaves: O(2^level) per node, for small trees only).
NodeReader MemoryNodeReader(const std::vector<Hash>* leaf_hashes);

// The fixture (see the header comment). Built on first use; aborts if any
// library call it relies on fails (that is a bug, not a fuzz finding).
struct FixtureData {
  FixedKey log_key;            // "log.fuzz.example", Ed25519
  FixedKey witness1;           // "w1.fuzz.example", cosignature/v1
  FixedKey witness2;           // "w2.fuzz.example", cosignature/v1
  FixedKey vendor_key;         // "acme.example/firmware", Ed25519
  std::string product;         // "acme-printer-x1"
  Bytes image;                 // the firmware image the release describes
  Bytes release_entry;         // ParseReleaseEntry accepts it
  std::vector<Bytes> entries;  // the log: entries[kReleaseIndex] == release_entry
  uint64_t release_index = 0;
  std::string checkpoint_body;
  std::string checkpoint_note;  // log-signed, cosigned by both witnesses
  uint64_t cosign_time = 0;
  std::string bundle;       // FormatBundle for the release
  std::string policy_text;  // log + 2 witnesses, quorum 1 of them, vendor, max age
  TrustPolicy policy;
  uint64_t now_unix = 0;  // inside max-checkpoint-age of cosign_time
};
const FixtureData& Fixture();

}  // namespace fuzz
}  // namespace candor

#endif  // CANDOR_FUZZ_FUZZ_UTIL_H_
