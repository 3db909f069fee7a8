// Trust roots (candor/trust_root.h): ParseSignedTrustRoot and
// ParseTrustRootText on arbitrary bytes, then the rotation rule and the
// self-signature check on what parsed.
// Properties: a parsed root is canonical (FormatTrustRootText reproduces its
// text byte for byte) and keeps the documented invariants (version >= 1,
// 1 <= threshold <= root keys <= kMaxRootKeys, sorted distinct Ed25519 root
// keys, policy text canonical); the rotation rule never accepts a root
// against itself (same version) and never crashes on any pair.
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/trust_root.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

void CheckInvariants(const TrustRoot& r, std::string_view text) {
  CANDOR_FUZZ_CHECK(r.version >= 1);
  CANDOR_FUZZ_CHECK(r.root_threshold >= 1 && r.root_threshold <= r.root_keys.size());
  CANDOR_FUZZ_CHECK(r.root_keys.size() <= kMaxRootKeys);
  for (size_t i = 0; i < r.root_keys.size(); ++i) {
    CANDOR_FUZZ_CHECK(r.root_keys[i].type == kKeyTypeEd25519);
    if (i > 0) {
      CANDOR_FUZZ_CHECK(FormatVerifierKey(r.root_keys[i - 1]) < FormatVerifierKey(r.root_keys[i]));
    }
  }
  CANDOR_FUZZ_CHECK(FormatTrustPolicy(r.policy) == r.policy_text);
  CANDOR_FUZZ_CHECK(FormatTrustRootText(r) == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = fuzz::AsText(data, size);
  if (auto text = ParseTrustRootText(input); text.ok()) CheckInvariants(*text, input);
  auto root = ParseSignedTrustRoot(input);
  if (!root.ok()) return 0;
  auto note = ParseNote(root->note);
  CANDOR_FUZZ_CHECK(note.ok());
  CheckInvariants(root->root, note->text);
  (void)CheckRootSelfSigned(*root);
  // Against itself: never a successor (its version is not newer).
  CANDOR_FUZZ_CHECK(!CheckRootSuccessor(root->root, *root).ok());
  // As the successor of a version-1 root of its own keys.
  TrustRoot previous = root->root;
  previous.version = root->root.version - 1;
  Status s = CheckRootSuccessor(previous, *root);
  if (s.ok()) CANDOR_FUZZ_CHECK(CheckRootSelfSigned(*root).ok());
  return 0;
}
