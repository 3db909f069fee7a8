// Release manifests: ParseManifestText / FormatManifestText (the note text)
// and ParseSignedManifest (the vendor-signed note).
// Properties: format(parse(x)) == x byte for byte; parse(format(v)) == v; a
// parsed manifest passes ValidateManifest; a signed manifest's text is a
// manifest that is signed by the key it names.
#include <cstddef>
#include <cstdint>

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

  auto signed_manifest = ParseSignedManifest(text);
  if (signed_manifest.ok()) {
    CANDOR_FUZZ_CHECK(size <= kMaxManifestNoteSize);
    const VerifierKey keys[] = {signed_manifest->vendor_key};
    auto note = VerifyNote(text, keys);
    CANDOR_FUZZ_CHECK(note.ok() && note->signatures.size() == 1);
    auto body = ParseManifestText(note->text);
    CANDOR_FUZZ_CHECK(body.ok() && *body == *signed_manifest);
  }
  return 0;
}
