// Ed25519 signature verification (RFC 8032 §5.1.7), via libsodium's
// crypto_sign_verify_detached. The one place libverify checks a raw Ed25519
// signature; notes (candor/note.h) and cosignatures (candor/cosignature.h)
// add their framing on top.
//
// Thread-safety: thread-safe (libsodium is initialised once, idempotently).
#ifndef CANDOR_ED25519_H_
#define CANDOR_ED25519_H_

#include "candor/bytes.h"

namespace candor {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

// True iff `signature` is a valid Ed25519 signature of `message` by
// `public_key`. Wrong lengths yield false (checked before any crypto).
bool Ed25519Verify(ByteView public_key, ByteView message, ByteView signature);

}  // namespace candor

#endif  // CANDOR_ED25519_H_
