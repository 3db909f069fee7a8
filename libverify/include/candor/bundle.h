// The bundle a device receives beside the image: a c2sp.org/tlog-proof@v1
// whose `extra` line carries the release entry (base64). Being a standard
// tlog-proof, it can be checked by any tlog-proof verifier given the entry.
// The entry is authenticated only by what Verify() checks: the vendor
// signature, and the inclusion of LeafHash(entry) under a trusted checkpoint.
// See docs/FORMATS.md, "Bundle".
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_BUNDLE_H_
#define CANDOR_BUNDLE_H_

#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

namespace candor {

struct Bundle {
  Bytes entry;
  uint64_t index = 0;
  std::vector<Hash> inclusion_proof;
  std::string checkpoint_note;  // verbatim signed checkpoint (with cosignatures)

  bool operator==(const Bundle&) const = default;
};

// Strict: a tlog-proof with a non-empty extra line; anything else is kMalformed.
// Entries are at most 64 KiB (entry bundles use u16 lengths), and a checkpoint
// note with its cosignatures is bounded by kMaxNoteSize; this bound rejects a
// hostile multi-gigabyte "bundle" before any parsing work, and is what every
// reader of a bundle file reads at most.
inline constexpr size_t kMaxBundleSize = size_t{2} << 20;

Result<Bundle> ParseBundle(std::string_view text);
std::string FormatBundle(const Bundle& bundle);

}  // namespace candor

#endif  // CANDOR_BUNDLE_H_
