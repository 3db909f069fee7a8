// The release manifest: the text a vendor signs for one release (Candor's own
// format, docs/FORMATS.md "Release entry"). It is the text of a C2SP signed
// note (c2sp.org/signed-note) whose only signature is by the vendor key the
// manifest itself names (and, for a k-of-n release, by any of the other keys
// of its signer list, in canonical order: docs/FORMATS.md "Signer list").
// Layout, one field per line, fixed order:
//
//   candor.dev/release/v1
//   vendor <vendor-domain>
//   vendor-key <vkey>             (the creating key; it always signs)
//   signer <vkey>                 (0..kMaxReleaseSigners-1 lines, strictly ascending:
//                                  the other keys of a k-of-n signer list)
//   product <id>                  (1..kMaxProducts lines, strictly ascending)
//   version <version>
//   rollback <u64 decimal>
//   image-sha256 <64 lower-case hex>
//   image-size <u64 decimal, >= 1>
//   changelog-sha256 <64 lower-case hex>
//   issued <YYYY-MM-DDTHH:MM:SSZ>
//   disclose <kind> <value>[ effective=YYYY-MM-DD]   (0..kMaxDisclosures, canonical order)
//
// Every line ends in "\n" and fields are separated by exactly one space.
// Parsing rejects unknown, missing, duplicate or out-of-order lines and any
// non-canonical number, digest or time, so each manifest has one encoding.
//
// The embedded vendor key only lets anyone check the signature from the log
// alone. Whether that key is TRUSTED for a product is the device policy's
// decision (candor/policy.h), never the manifest's.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_MANIFEST_H_
#define CANDOR_MANIFEST_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/disclosure.h"
#include "candor/note.h"
#include "candor/status.h"
#include "candor/verifier_key_cache.h"

namespace candor {

// First line of the manifest text (without "\n"): the format and its version.
inline constexpr std::string_view kManifestHeader = "candor.dev/release/v1";
inline constexpr size_t kMaxProducts = 64;
inline constexpr size_t kMaxProductIdSize = 128;
inline constexpr size_t kMaxVersionSize = 64;
// A signer list (the vendor key plus its `signer` keys) has at most this many keys.
inline constexpr size_t kMaxReleaseSigners = 16;
// Bound on the whole signed manifest note (text + signature line), bytes.
inline constexpr size_t kMaxManifestNoteSize = 12 * 1024;

struct Manifest {
  // The vendor's DNS-like identifier (IsValidVendorDomain), e.g. "acme.example".
  std::string vendor;
  // The key that signs this manifest: Ed25519 (type 0x01), and its name is
  // `vendor` or starts with `vendor` + "/" (e.g. "acme.example/firmware").
  VerifierKey vendor_key;
  // The other keys of the signer list (k-of-n releases), `signer` lines:
  // strictly ascending by their vkey text, each (name, key ID) distinct from
  // vendor_key's and each other's, each named like vendor_key. Empty for a
  // release signed by the vendor key alone (the format of before k-of-n).
  std::vector<VerifierKey> cosigners;
  std::vector<std::string> products;  // strictly ascending (byte-wise), unique
  std::string version;
  uint64_t rollback = 0;  // monotonic anti-rollback counter
  Hash image_sha256{};
  uint64_t image_size = 0;              // bytes, >= 1
  Hash changelog_sha256{};              // SHA-256 of the exact changelog bytes
  int64_t issued = 0;                   // Unix seconds, 0..kMaxUnixSeconds (RFC 3339 in the text)
  std::vector<Disclosure> disclosures;  // canonical order (SortDisclosures)

  friend bool operator==(const Manifest&, const Manifest&) = default;
};

// The signer list in canonical signature order: vendor_key, then cosigners.
std::vector<VerifierKey> SignerList(const Manifest& m);

// 1..kMaxProductIdSize bytes of [A-Za-z0-9._/-], starting with [A-Za-z0-9].
bool IsValidProductId(std::string_view id);
// 1..kMaxVersionSize bytes of [A-Za-z0-9.+~_-], starting with [A-Za-z0-9].
bool IsValidVersion(std::string_view version);

// Checks every field rule above, including product order, the vendor/key-name
// binding and ValidateDisclosureList. kMalformed naming the first problem.
Status ValidateManifest(const Manifest& m);

// The canonical manifest text (the note text, ending in "\n"). Validates first.
Result<std::string> FormatManifestText(const Manifest& m);

// Strict parse of a manifest text (the note text, no signature lines).
Result<Manifest> ParseManifestText(std::string_view text);

// Parses a signed manifest note strictly (at most kMaxManifestNoteSize bytes,
// else kTooLarge) and authenticates it against the keys it embeds: the first
// signature line must be by the manifest's vendor key (same name and key ID,
// else kBadSignature); any further lines must be by keys of its signer list, in
// signer-list order, each at most once (a line by any other key, out of order
// or repeated is kMalformed: one encoding per release); EVERY signature present
// must verify (kBadSignature otherwise, even if enough others do). Says nothing
// about whether the keys are trusted. `keys`, when given, memoises vendor key
// parsing (as ParseReleaseEntry). `signed_by`, when given, receives the keys
// whose signatures are on the note, in note order (vendor_key first).
//
// `gate`, when given, is called with the parsed (not yet authenticated)
// manifest just before the signature is verified; an error it returns is
// returned as is, and no verification is done. A log uses it to refuse
// unregistered or rate-limited vendor keys without spending an Ed25519
// verification on them.
using ManifestGate = std::function<Status(const Manifest& unverified)>;
Result<Manifest> ParseSignedManifest(std::string_view signed_note, VerifierKeyCache* keys = nullptr,
                                     const ManifestGate* gate = nullptr,
                                     std::vector<VerifierKey>* signed_by = nullptr);

}  // namespace candor

#endif  // CANDOR_MANIFEST_H_
