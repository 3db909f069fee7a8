// The witness's logs.conf (candor/witness/witness_store.h ParseWitnessLogs /
// FormatWitnessLogs).
// Properties: parse(format(v)) == v; every origin passes
// ValidateWitnessOrigin and every key is an Ed25519 key; no duplicate key
// under one origin.
#include <cstddef>
#include <cstdint>

#include "candor/witness/witness_store.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto logs = ParseWitnessLogs(fuzz::AsText(data, size));
  if (!logs.ok()) return 0;
  for (const WitnessedLog& log : *logs) {
    CANDOR_FUZZ_CHECK(ValidateWitnessOrigin(log.origin).ok());
    CANDOR_FUZZ_CHECK(!log.keys.empty());
    for (size_t i = 0; i < log.keys.size(); ++i) {
      CANDOR_FUZZ_CHECK(log.keys[i].type == kKeyTypeEd25519);
      for (size_t j = 0; j < i; ++j) CANDOR_FUZZ_CHECK(!(log.keys[i] == log.keys[j]));
    }
  }
  auto again = ParseWitnessLogs(FormatWitnessLogs(*logs));
  CANDOR_FUZZ_CHECK(again.ok() && again->size() == logs->size());
  for (size_t i = 0; i < logs->size(); ++i) {
    CANDOR_FUZZ_CHECK((*again)[i].origin == (*logs)[i].origin);
    CANDOR_FUZZ_CHECK((*again)[i].keys == (*logs)[i].keys);
  }
  return 0;
}
