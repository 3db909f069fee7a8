// Release manifests: ParseManifestText / FormatManifestText (the note text)
// and ParseSignedManifest (the vendor-signed note).
// Properties: format(parse(x)) == x byte for byte; parse(format(v)) == v; a
// parsed manifest passes ValidateManifest; a signed manifest's text is a
// manifest signed by the key it names first, and by keys of its signer list
// only.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "candor/manifest.h"
#include "candor/note.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto manifest = ParseManifestText(text);
  if (manifest.ok()) {
    CANDOR_FUZZ_CHECK(ValidateManifest(*manifest).ok());
    auto formatted = FormatManifestText(*manifest);
    CANDOR_FUZZ_CHECK(formatted.ok() && *formatted == text);
    auto again = ParseManifestText(*formatted);
    CANDOR_FUZZ_CHECK(again.ok() && *again == *manifest);
  }

  std::vector<VerifierKey> signed_by;
  auto signed_manifest = ParseSignedManifest(text, nullptr, nullptr, &signed_by);
  if (signed_manifest.ok()) {
    CANDOR_FUZZ_CHECK(size <= kMaxManifestNoteSize);
    // Every line is by a key of the signer list (k-of-n, docs/FORMATS.md
    // "Signer list"), the vendor key's first, and all of them verify.
    const std::vector<VerifierKey> keys = SignerList(*signed_manifest);
    auto note = VerifyNote(text, keys);
    CANDOR_FUZZ_CHECK(note.ok() && note->signatures.size() == signed_by.size());
    CANDOR_FUZZ_CHECK(!signed_by.empty() && signed_by.front() == signed_manifest->vendor_key);
    CANDOR_FUZZ_CHECK(signed_by.size() <= keys.size());
    auto body = ParseManifestText(note->text);
    CANDOR_FUZZ_CHECK(body.ok() && *body == *signed_manifest);
  }
  return 0;
}
