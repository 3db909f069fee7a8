// Signed notes (c2sp.org/signed-note): ParseNote, FormatNote, VerifyNote.
// Properties: a parsed note formats back to the exact input bytes and
// re-parses to the same value; VerifyNote accepts only what ParseNote accepts,
// and then reports the same text; verified signers are known keys.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "candor/note.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& fx = fuzz::Fixture();
  const std::string_view text = fuzz::AsText(data, size);

  auto note = ParseNote(text);
  if (note.ok()) {
    CANDOR_FUZZ_CHECK(ValidateNoteText(note->text).ok());
    CANDOR_FUZZ_CHECK(!note->signatures.empty());
    for (const NoteSignature& sig : note->signatures) {
      CANDOR_FUZZ_CHECK(IsValidKeyName(sig.name));
      CANDOR_FUZZ_CHECK(!sig.signature.empty());
    }
    auto formatted = FormatNote(*note);
    CANDOR_FUZZ_CHECK(formatted.ok());
    CANDOR_FUZZ_CHECK(*formatted == text);
    auto again = ParseNote(*formatted);
    CANDOR_FUZZ_CHECK(again.ok());
    CANDOR_FUZZ_CHECK(again->text == note->text && again->signatures == note->signatures);
  }

  // Known keys: one of each supported type, as a verifier would hold them.
  const std::vector<VerifierKey> keys = {fx.log_key.verifier, fx.vendor_key.verifier,
                                         fx.witness1.verifier};
  auto verified = VerifyNote(text, keys);
  if (!note.ok()) {
    CANDOR_FUZZ_CHECK(!verified.ok());
    CANDOR_FUZZ_CHECK(verified.status().code() == note.status().code());
  } else if (verified.ok()) {
    CANDOR_FUZZ_CHECK(verified->text == note->text);
    CANDOR_FUZZ_CHECK(verified->signatures == note->signatures);
    CANDOR_FUZZ_CHECK(!verified->verified.empty());
    for (const VerifiedSigner& s : verified->verified) {
      CANDOR_FUZZ_CHECK(std::find(keys.begin(), keys.end(), s.key) != keys.end());
      CANDOR_FUZZ_CHECK(s.timestamp.has_value() == (s.key.type == kKeyTypeCosignatureV1));
    }
  } else {
    const Code c = verified.status().code();
    CANDOR_FUZZ_CHECK(c == Code::kBadSignature || c == Code::kUntrustedKey ||
                      c == Code::kMalformed);
  }
  return 0;
}
