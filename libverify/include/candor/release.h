// The release entry: one transparency-log entry = one release (Candor's own
// format, docs/FORMATS.md "Release entry"). It holds the vendor-signed manifest
// (candor/manifest.h) and the full changelog text, so the log alone is enough
// to audit a release.
//
// Byte layout (all lengths big-endian u16):
//
//   "candor.dev/release-entry/v1\n"      28 bytes, kReleaseEntryMagic
//   u16 manifest_len  || signed manifest note   (1..kMaxManifestNoteSize)
//   u16 changelog_len || changelog              (1..kMaxChangelogSize)
//
// and nothing after. The whole entry is below 64 KiB, as tlog-tiles entry
// bundles require (u16 length prefixes).
//
// ParseReleaseEntry checks, in this order and failing closed: size limits
// (kTooLarge), framing (kMalformed), changelog text rules (kMalformed), the
// manifest note and text (kMalformed), the vendor signature with the key the
// manifest names (kBadSignature), and the changelog digest (kMismatch). It does
// NOT decide whether the vendor key is trusted: that is the device policy's job.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_RELEASE_H_
#define CANDOR_RELEASE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/manifest.h"
#include "candor/status.h"
#include "candor/verifier_key_cache.h"

namespace candor {

inline constexpr std::string_view kReleaseEntryMagic = "candor.dev/release-entry/v1\n";
inline constexpr size_t kMaxChangelogSize = 48 * 1024;  // bytes
inline constexpr size_t kMaxReleaseEntrySize = 65535;   // tlog-tiles u16 entry length

struct ReleaseEntry {
  Manifest manifest;                 // parsed from signed_manifest_note
  std::string signed_manifest_note;  // the exact signed note bytes
  std::string changelog;             // valid UTF-8, hashed into the manifest
  // The keys of the manifest's signer list whose signatures are on the note
  // and verified, in note order: manifest.vendor_key first (ParseSignedManifest).
  std::vector<VerifierKey> signed_by;

  friend bool operator==(const ReleaseEntry&, const ReleaseEntry&) = default;
};

// Changelog rules: 1..kMaxChangelogSize bytes (kTooLarge above), valid UTF-8,
// no control characters other than "\n" and "\t" (so no "\r": one line ending),
// and the visible-text class of disclosure values (docs/FORMATS.md): no
// formatting, default-ignorable or non-ASCII space code point, and at least
// one visible character.
Status ValidateChangelog(std::string_view changelog);

// Strict parse and self-consistency check of an entry (see the header comment).
// `keys`, when given, memoises the parsing of vendor keys across calls (same
// results; verifier_key_cache.h). REQUIRES: `keys` is used by this thread only.
// `gate`: see ParseSignedManifest (called before the vendor signature is
// verified).
Result<ReleaseEntry> ParseReleaseEntry(ByteView entry, VerifierKeyCache* keys = nullptr,
                                       const ManifestGate* gate = nullptr);

// Frames a signed manifest note and a changelog. Does not sign or validate
// contents. REQUIRES: 1 <= sizes <= the limits above; returns an empty Bytes
// (which ParseReleaseEntry rejects) if violated.
Bytes EncodeReleaseEntry(std::string_view signed_manifest_note, std::string_view changelog);
// Same, from a parsed entry: ParseReleaseEntry(EncodeReleaseEntry(e)) == e.
Bytes EncodeReleaseEntry(const ReleaseEntry& entry);

}  // namespace candor

#endif  // CANDOR_RELEASE_H_
