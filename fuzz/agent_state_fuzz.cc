// The device agent's state file (candor/agent/state.h ParseState /
// FormatState): read back after every boot, so a corrupt file must be refused,
// never crash the agent or reset the rollback counters.
// Each input is tried as is and with its checksum line recomputed (so that
// mutations reach the field parser instead of stopping at the checksum).
// Properties: format(parse(x)) == x byte for byte for v2 and v3 files (v3:
// v2 plus the trust-root line); a v1 file is
// migrated (formatted as v2, same products and checkpoint); parse(format(v)) == v.
#include <cstddef>
#include <cstdint>
#include <string>

#include "candor/agent/state.h"
#include "candor/sha256.h"
#include "fuzz_util.h"

using namespace candor;
using namespace candor::agent;

namespace {

void Check(std::string_view text) {
  auto state = ParseState(text);
  if (!state.ok()) {
    CANDOR_FUZZ_CHECK(state.status().code() == Code::kMalformed ||
                      state.status().code() == Code::kTooLarge);
    return;
  }
  const std::string formatted = FormatState(*state);
  if (text.starts_with(kStateHeaderV1)) {
    CANDOR_FUZZ_CHECK(formatted.starts_with(kStateHeader));
    CANDOR_FUZZ_CHECK(state->checkpoints.size() <= 1);
  } else {
    CANDOR_FUZZ_CHECK(formatted == text);
  }
  auto again = ParseState(formatted);
  CANDOR_FUZZ_CHECK(again.ok() && *again == *state);
  for (const auto& [product, installed] : state->products) {
    CANDOR_FUZZ_CHECK(state->RollbackFor(product) == installed.rollback);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  Check(text);
  // The body: everything up to a final "checksum ..." line, if any.
  std::string body(text);
  if (!body.empty() && body.back() == '\n') {
    const size_t start = body.rfind('\n', body.size() - 2);
    const size_t line = start == std::string::npos ? 0 : start + 1;
    if (body.compare(line, 9, "checksum ") == 0) body.resize(line);
  }
  if (body.empty() || body.back() != '\n') return 0;
  Check(body + "checksum " + HexEncode(Sha256Digest(body)) + "\n");
  return 0;
}
