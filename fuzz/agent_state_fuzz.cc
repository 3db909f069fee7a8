// The device agent's state file (candor/agent/state.h ParseState /
// FormatState): read back after every boot, so a corrupt file must be refused,
// never crash the agent or reset the rollback counters.
// Properties: format(parse(x)) == x byte for byte; parse(format(v)) == v.
#include <cstddef>
#include <cstdint>

#include "candor/agent/state.h"
#include "fuzz_util.h"

using namespace candor;
using namespace candor::agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto state = ParseState(text);
  if (!state.ok()) {
    CANDOR_FUZZ_CHECK(state.status().code() == Code::kMalformed ||
                      state.status().code() == Code::kTooLarge);
    return 0;
  }
  const std::string formatted = FormatState(*state);
  CANDOR_FUZZ_CHECK(formatted == text);
  auto again = ParseState(formatted);
  CANDOR_FUZZ_CHECK(again.ok() && *again == *state);
  for (const auto& [product, installed] : state->products) {
    CANDOR_FUZZ_CHECK(state->RollbackFor(product) == installed.rollback);
  }
  return 0;
}
