// The consistency proof file devices receive beside a bundle, and the hash
// lines of the log's GET /candor/v1/consistency (candor/consistency_proof.h).
// Properties: only kMalformed/kTooLarge refusals; an accepted file is exactly
// its canonical form (format(parse(x)) == x), at most 32 blocks in ascending
// `from` with one `to`, each with RFC 9162's number of hashes for its sizes;
// accepted hash lines are canonical too and at most 128.
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/consistency_proof.h"
#include "candor/layout.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto file = ParseConsistencyProofFile(text);
  if (file.ok()) {
    CANDOR_FUZZ_CHECK(FormatConsistencyProofFile(*file) == text);
    CANDOR_FUZZ_CHECK(!file->blocks.empty() && file->blocks.size() <= kMaxConsistencyProofBlocks);
    for (size_t i = 0; i < file->blocks.size(); ++i) {
      const ConsistencyProofBlock& b = file->blocks[i];
      CANDOR_FUZZ_CHECK(b.from > 0 && b.from < b.to && b.to == file->blocks[0].to);
      CANDOR_FUZZ_CHECK(i == 0 || file->blocks[i - 1].from < b.from);
      CANDOR_FUZZ_CHECK(b.hashes.size() == ConsistencyProofLength(b.from, b.to));
      CANDOR_FUZZ_CHECK(file->Find(b.from) == &b);
    }
  } else {
    CANDOR_FUZZ_CHECK(file.status().code() == Code::kMalformed ||
                      file.status().code() == Code::kTooLarge);
  }
  auto lines = ParseProofHashLines(text);
  if (lines.ok()) {
    CANDOR_FUZZ_CHECK(lines->size() <= kMaxConsistencyProofHashes);
    CANDOR_FUZZ_CHECK(FormatProofHashLines(*lines) == text);
  } else {
    CANDOR_FUZZ_CHECK(lines.status().code() == Code::kMalformed);
  }
  return 0;
}
