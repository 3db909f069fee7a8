// The device agent's consistency proof file (candor/agent/agent.h
// ParseConsistencyProofFile): one canonical base64 hash per line.
// Properties: at most 63 hashes; the file is exactly the hashes' canonical
// lines (format(parse(x)) == x).
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/agent/agent.h"
#include "candor/tlog_proof.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto proof = agent::ParseConsistencyProofFile(text);
  if (!proof.ok()) return 0;
  CANDOR_FUZZ_CHECK(proof->size() <= kMaxProofHashes);
  std::string formatted;
  for (const Hash& h : *proof) formatted += Base64Encode(h) + "\n";
  CANDOR_FUZZ_CHECK(formatted == text);
  return 0;
}
