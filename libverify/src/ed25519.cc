#include "candor/ed25519.h"

#include <sodium.h>

namespace candor {

bool Ed25519Verify(ByteView public_key, ByteView message, ByteView signature) {
  static_assert(kEd25519PublicKeySize == crypto_sign_PUBLICKEYBYTES);
  static_assert(kEd25519SignatureSize == crypto_sign_BYTES);
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  if (sodium_init() < 0) return false;  // fail closed
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

}  // namespace candor
