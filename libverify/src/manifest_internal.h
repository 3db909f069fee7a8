// Internal: the pieces of manifest parsing that ParseSignedManifest uses to
// skip work already done (text checks done by ParseNote, the key ID checked by
// ParseVerifierKey, the key's text already canonical). Not a public header;
// tests include it by relative path.
//
// Thread-safety: pure functions.
#ifndef CANDOR_SRC_MANIFEST_INTERNAL_H_
#define CANDOR_SRC_MANIFEST_INTERNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "candor/manifest.h"
#include "candor/status.h"

namespace candor {
namespace internal {

// ValidateManifest; with key_from_parse, skips the vendor key's name and key-ID
// checks. REQUIRES (key_from_parse): m.vendor_key came from ParseVerifierKey,
// which refuses a bad name or a mismatched key ID.
Status ValidateManifest(const Manifest& m, bool key_from_parse);

// ParseManifestText without its first two checks (size, ValidateNoteText).
// REQUIRES: text.size() <= kMaxManifestNoteSize and ValidateNoteText(text).ok().
// `keys` (optional) memoises ParseVerifierKey.
Result<Manifest> ParseCheckedManifestText(std::string_view text, VerifierKeyCache* keys = nullptr);

// Appends FormatManifestText's output for `m`, with `vendor_key_text` as the
// vendor-key value, without validating. FormatManifestText(m) is
// ValidateManifest(m) then this with FormatVerifierKey(m.vendor_key).
void AppendManifestText(const Manifest& m, std::string_view vendor_key_text, std::string& out);

// Matches a manifest note's signature lines to its signer list (SignerList):
// some line must be by list[0] (kBadSignature otherwise) and the lines must
// be a subsequence of the list in its order, so list[0]'s first (kMalformed
// otherwise). Returns the matched keys in
// line order. Verifies nothing. REQUIRES: list non-empty.
Result<std::vector<VerifierKey>> MatchManifestSignatures(const std::vector<NoteSignature>& sigs,
                                                         const std::vector<VerifierKey>& list);

}  // namespace internal
}  // namespace candor

#endif  // CANDOR_SRC_MANIFEST_INTERNAL_H_
