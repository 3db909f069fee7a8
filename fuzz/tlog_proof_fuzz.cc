// c2sp.org/tlog-proof@v1: ParseTlogProof / FormatTlogProof.
// Properties: format(parse(x)) == x byte for byte; parse(format(v)) == v;
// at most 63 proof hashes.
#include <cstddef>
#include <cstdint>

#include "candor/tlog_proof.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto proof = ParseTlogProof(text);
  if (!proof.ok()) return 0;
  CANDOR_FUZZ_CHECK(proof->inclusion_proof.size() <= kMaxProofHashes);
  CANDOR_FUZZ_CHECK(!proof->checkpoint.empty());
  const std::string formatted = FormatTlogProof(*proof);
  CANDOR_FUZZ_CHECK(formatted == text);
  auto again = ParseTlogProof(formatted);
  CANDOR_FUZZ_CHECK(again.ok() && *again == *proof);
  return 0;
}
