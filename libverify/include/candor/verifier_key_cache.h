// VerifierKeyCache: a memo of ParseVerifierKey for code that parses many
// signed statements naming the same few keys, such as an auditor verifying
// every release in a log (a log's releases come from few vendors, and parsing
// a key costs a base64 decode and the key-ID SHA-256, about 1% of verifying a
// release). A hit returns the key parsed earlier from byte-identical text;
// ParseVerifierKey is a pure function of the text, so results are exactly the
// same as without the cache. Only keys that parsed are remembered: a bad text
// is parsed (and refused) every time.
//
// Thread-safety: none. Give each thread its own cache.
#ifndef CANDOR_VERIFIER_KEY_CACHE_H_
#define CANDOR_VERIFIER_KEY_CACHE_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "candor/note.h"
#include "candor/status.h"

namespace candor {

class VerifierKeyCache {
 public:
  // ParseVerifierKey(vkey), remembered.
  Result<VerifierKey> Parse(std::string_view vkey);

  // Number of entries (at most kCapacity); for tests.
  size_t size() const { return used_; }

  static constexpr size_t kCapacity = 8;

 private:
  struct Slot {
    std::string text;
    VerifierKey key;
  };
  std::array<Slot, kCapacity> slots_;
  size_t used_ = 0;
  size_t next_ = 0;  // the slot a miss replaces once full (round robin)
};

}  // namespace candor

#endif  // CANDOR_VERIFIER_KEY_CACHE_H_
