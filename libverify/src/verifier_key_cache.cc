#include "candor/verifier_key_cache.h"

namespace candor {

Result<VerifierKey> VerifierKeyCache::Parse(std::string_view vkey) {
  for (size_t i = 0; i < used_; ++i) {
    if (slots_[i].text == vkey) return slots_[i].key;
  }
  CANDOR_ASSIGN_OR_RETURN(VerifierKey key, ParseVerifierKey(vkey));
  Slot* slot;
  if (used_ < kCapacity) {
    slot = &slots_[used_++];
  } else {
    slot = &slots_[next_];
    next_ = (next_ + 1) % kCapacity;
  }
  slot->text.assign(vkey);
  slot->key = key;
  return key;
}

}  // namespace candor
