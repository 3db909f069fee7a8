// Creating release entries: the vendor side of docs/FORMATS.md "Release entry".
//
// CreateReleaseEntry fills in what is derived (the vendor key from the signer,
// the changelog digest, the vendor from the key name when left empty),
// canonicalises (sorts products and disclosures), validates every rule the
// parser enforces, signs the manifest text as a C2SP signed note with the
// vendor key, frames it with the changelog, and re-parses the result, so it
// never returns an entry that ParseReleaseEntry would refuse.
//
// A k-of-n release names several keys (its signer list); the creating key
// signs at creation and each other key adds its signature with
// AddReleaseSignature, offline, on the entry bytes alone.
//
// The image itself is not read here: callers hash it (streaming, candor/sha256.h)
// and pass the digest and size.
//
// Thread-safety: pure functions; safe to call concurrently.
#ifndef CANDOR_RELEASE_SIGNER_H_
#define CANDOR_RELEASE_SIGNER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/disclosure.h"
#include "candor/manifest.h"
#include "candor/release.h"
#include "candor/signer.h"
#include "candor/signing_key.h"
#include "candor/status.h"

namespace candor {

// What the vendor states about a release; everything else is derived.
struct ManifestFields {
  // Vendor domain. Empty: the vendor key's name up to its first '/'.
  std::string vendor;
  std::vector<std::string> products;  // any order; duplicates are refused
  std::string version;
  uint64_t rollback = 0;
  Hash image_sha256{};
  uint64_t image_size = 0;
  int64_t issued = 0;                   // Unix seconds (second precision)
  std::vector<Disclosure> disclosures;  // any order; duplicates are refused
};

// Builds the canonical manifest for `fields` and `changelog`, signed by
// `vendor_key` (REQUIRES type 0x01). Errors: kInvalidArgument for a bad key or
// duplicate products/disclosures; kMalformed for a field, disclosure or
// changelog that breaks the format's rules; kTooLarge for size limits.
Result<Manifest> BuildManifest(const ManifestFields& fields, std::string_view changelog,
                               const SignerKey& vendor_key);

// The signed manifest note for a manifest whose vendor_key is PublicKeyOf(vendor_key).
Result<std::string> SignManifest(const Manifest& manifest, const SignerKey& vendor_key);

// BuildManifest + SignManifest + EncodeReleaseEntry, checked by ParseReleaseEntry.
Result<Bytes> CreateReleaseEntry(const ManifestFields& fields, std::string_view changelog,
                                 const SignerKey& vendor_key);

// The same three through any signer (candor/signing_key.h: a key file, a
// PKCS#11 token, an ssh-agent); the vendor key is vendor.public_key().
Result<Manifest> BuildManifest(const ManifestFields& fields, std::string_view changelog,
                               const Signer& vendor);
Result<std::string> SignManifest(const Manifest& manifest, const Signer& vendor);
Result<Bytes> CreateReleaseEntry(const ManifestFields& fields, std::string_view changelog,
                                 const Signer& vendor);

// A k-of-n release (docs/FORMATS.md "Signer list"): as above, but the manifest
// names `signers` (any order) as its signer list, and only `creating_key`
// signs now; the others add their signatures later with AddReleaseSignature.
// REQUIRES: `signers` contains creating_key's public key (kInvalidArgument
// otherwise), no key twice (kInvalidArgument), at most kMaxReleaseSigners
// (kMalformed); every key named like the vendor (kMalformed). An empty
// `signers` is the creating key alone: the same bytes as the overloads above.
Result<Bytes> CreateReleaseEntry(const ManifestFields& fields, std::string_view changelog,
                                 std::span<const VerifierKey> signers, const Signer& creating_key);
Result<Bytes> CreateReleaseEntry(const ManifestFields& fields, std::string_view changelog,
                                 std::span<const VerifierKey> signers,
                                 const SignerKey& creating_key);

// Adds `key`'s signature to a release entry (parsed and verified whole first),
// in canonical position (signer-list order), and returns the new entry, which
// ParseReleaseEntry accepts. Errors: the input's own parse error;
// kUntrustedKey if `key` is not in the entry's signer list; kConflict if it
// has already signed; kInvalidArgument for a key that is not type 0x01;
// kTooLarge if the note would exceed kMaxManifestNoteSize; the signer's own
// errors (a token or agent, docs/SIGNING.md).
Result<Bytes> AddReleaseSignature(ByteView entry, const Signer& key);
Result<Bytes> AddReleaseSignature(ByteView entry, const SignerKey& key);

}  // namespace candor

#endif  // CANDOR_RELEASE_SIGNER_H_
