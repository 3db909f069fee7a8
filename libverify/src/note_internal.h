// Internal: signed-note verification from an already parsed note, so callers
// that must look at the note before verifying it (ParseSignedManifest reads the
// manifest to learn its key) parse it once. Not a public header; tests include
// it by relative path.
//
// Thread-safety: pure function.
#ifndef CANDOR_SRC_NOTE_INTERNAL_H_
#define CANDOR_SRC_NOTE_INTERNAL_H_

#include <span>

#include "candor/note.h"
#include "candor/status.h"

namespace candor {
namespace internal {

// VerifyNote's verification step: VerifyNote(m, keys) is exactly
// VerifyParsedNote(ParseNote(m), keys) (same result, same error codes).
// REQUIRES: `note` came from ParseNote (its checks are not repeated).
Result<VerifiedNote> VerifyParsedNote(Note note, std::span<const VerifierKey> known_keys);

}  // namespace internal
}  // namespace candor

#endif  // CANDOR_SRC_NOTE_INTERNAL_H_
