// Device bundles (a tlog-proof with the release entry in `extra`):
// ParseBundle / FormatBundle.
// Properties: format(parse(x)) == x byte for byte; parse(format(v)) == v; a
// bundle is a tlog-proof whose extra is the (non-empty) entry.
#include <cstddef>
#include <cstdint>

#include "candor/bundle.h"
#include "candor/tlog_proof.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto bundle = ParseBundle(text);
  if (!bundle.ok()) return 0;
  CANDOR_FUZZ_CHECK(!bundle->entry.empty());
  const std::string formatted = FormatBundle(*bundle);
  CANDOR_FUZZ_CHECK(formatted == text);
  auto again = ParseBundle(formatted);
  CANDOR_FUZZ_CHECK(again.ok() && *again == *bundle);
  auto proof = ParseTlogProof(text);
  CANDOR_FUZZ_CHECK(proof.ok() && proof->extra.has_value() && *proof->extra == bundle->entry);
  CANDOR_FUZZ_CHECK(proof->index == bundle->index &&
                    proof->inclusion_proof == bundle->inclusion_proof &&
                    proof->checkpoint == bundle->checkpoint_note);
  return 0;
}
