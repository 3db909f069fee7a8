// PKCS#11 signers: an Ed25519 key that never leaves a token (HSM, smart card,
// SoftHSM), named by an RFC 7512 URI, signing with CKM_EDDSA (PKCS#11 3.0
// §2.3.14, pure Ed25519 without parameters). URIs and modules are handled by
// p11-kit (p11_kit_uri_parse, p11_kit_module_load); docs/SIGNING.md has the
// URI forms and a SoftHSM walk-through.
//
//   pkcs11:token=candor;object=example.com%2Fvendor?module-path=/usr/lib/softhsm/libsofthsm2.so
//
// The module is the URI's module-path, else p11-kit's configured modules.
// The PIN is read from the URI's pin-source (a file: URI or a path) or from
// the environment variable CANDOR_PKCS11_PIN; a pin-value in the URI is
// refused (it would sit in shell history and in process listings). The
// object's label is the signed-note key name: keygen labels both halves with
// the name.
//
// Thread-safety: a PKCS#11 Signer holds one logged-in session; Sign calls
// are serialised on it by a mutex. Several signers of one module in one
// process share the module (p11-kit reference counts it).
#ifndef CANDOR_PKCS11_SIGNER_H_
#define CANDOR_PKCS11_SIGNER_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "candor/signing_key.h"

namespace candor {

// The environment variable that holds a token's user PIN when the URI has no
// pin-source.
inline constexpr const char* kPkcs11PinEnv = "CANDOR_PKCS11_PIN";

// The key spec prefix that selects this backend in OpenSigner.
inline constexpr std::string_view kPkcs11Scheme = "pkcs11:";

// Opens the one Ed25519 private key the URI matches, logs in, and reads its
// public half (the public key object with the same label and CKA_ID). The
// signer's key has name = label and type `key_type`. Errors (docs/SIGNING.md
// "Errors"): kMalformed for a URI p11-kit cannot parse; kInvalidArgument for
// a pin-value, a missing or wrong PIN, a key that is not Ed25519, a URI that
// matches several keys or a label that is not a key name; kNotFound for a
// missing module, token or key; kIo for other token failures.
Result<std::unique_ptr<Signer>> OpenPkcs11Signer(std::string_view uri, uint8_t key_type);

// Generates an Ed25519 key pair ON the token the URI names
// (C_GenerateKeyPair, CKM_EC_EDWARDS_KEY_PAIR_GEN): the private key is a
// token object with CKA_SENSITIVE true and CKA_EXTRACTABLE false; both halves
// are labelled `name` and share a random CKA_ID. Returns the verifier key.
// kInvalidArgument when the URI's object= differs from `name` or the name is
// not a key name; kConflict when the token already holds a key so labelled.
Result<VerifierKey> GeneratePkcs11Key(std::string_view uri, std::string_view name,
                                      uint8_t key_type);

}  // namespace candor

#endif  // CANDOR_PKCS11_SIGNER_H_
