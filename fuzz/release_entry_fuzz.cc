// Release entries (docs/FORMATS.md "Release entry"): ParseReleaseEntry,
// EncodeReleaseEntry, ParseSignedManifest.
// Properties: encode(parse(x)) == x byte for byte (both encoder overloads);
// the embedded manifest parses on its own to the same value and its changelog
// digest binds the changelog.
#include <cstddef>
#include <cstdint>

#include "candor/manifest.h"
#include "candor/release.h"
#include "candor/sha256.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  auto entry = ParseReleaseEntry(input);
  if (!entry.ok()) return 0;
  CANDOR_FUZZ_CHECK(size <= kMaxReleaseEntrySize);
  const Bytes encoded = EncodeReleaseEntry(*entry);
  CANDOR_FUZZ_CHECK(encoded == Bytes(data, data + size));
  CANDOR_FUZZ_CHECK(EncodeReleaseEntry(entry->signed_manifest_note, entry->changelog) == encoded);
  CANDOR_FUZZ_CHECK(ValidateChangelog(entry->changelog).ok());
  CANDOR_FUZZ_CHECK(HashEqual(Sha256Digest(entry->changelog), entry->manifest.changelog_sha256));
  auto manifest = ParseSignedManifest(entry->signed_manifest_note);
  CANDOR_FUZZ_CHECK(manifest.ok() && *manifest == entry->manifest);
  auto again = ParseReleaseEntry(encoded);
  CANDOR_FUZZ_CHECK(again.ok() && *again == *entry);
  return 0;
}
