// Release entries (docs/FORMATS.md "Release entry"): ParseReleaseEntry,
// EncodeReleaseEntry, ParseSignedManifest.
// Properties: encode(parse(x)) == x byte for byte (both encoder overloads);
// the embedded manifest parses on its own to the same value and its changelog
// digest binds the changelog; the verified signers are a subsequence of the
// signer list.
#include <cstddef>
#include <cstdint>
#include <vector>

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
  std::vector<VerifierKey> signed_by;
  auto manifest = ParseSignedManifest(entry->signed_manifest_note, nullptr, nullptr, &signed_by);
  CANDOR_FUZZ_CHECK(manifest.ok() && *manifest == entry->manifest);
  CANDOR_FUZZ_CHECK(signed_by == entry->signed_by);
  // k-of-n (docs/FORMATS.md "Signer list"): the signers are a subsequence of
  // the signer list in its order, the creating key first.
  const std::vector<VerifierKey> list = SignerList(entry->manifest);
  CANDOR_FUZZ_CHECK(!signed_by.empty() && signed_by.front() == entry->manifest.vendor_key);
  CANDOR_FUZZ_CHECK(list.size() <= kMaxReleaseSigners);
  size_t next = 0;
  for (const VerifierKey& k : signed_by) {
    while (next < list.size() && !(list[next] == k)) ++next;
    CANDOR_FUZZ_CHECK(next < list.size());
    ++next;
  }
  auto again = ParseReleaseEntry(encoded);
  CANDOR_FUZZ_CHECK(again.ok() && *again == *entry);
  return 0;
}
