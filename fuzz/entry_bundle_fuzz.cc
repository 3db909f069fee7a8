// tlog-tiles entry bundles: ParseEntryBundle / SerializeEntryBundle. The first
// input byte chooses the expected entry count (1..256), the rest is the bundle.
// Properties: serialize(parse(x)) == x byte for byte; exactly the expected
// number of entries, each <= 65535 bytes.
#include <cstddef>
#include <cstdint>

#include "candor/entry_bundle.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t count = size_t{data[0]} + 1;
  const ByteView bundle(data + 1, size - 1);
  auto entries = ParseEntryBundle(bundle, count);
  if (!entries.ok()) {
    CANDOR_FUZZ_CHECK(entries.status().code() == Code::kMalformed);
    return 0;
  }
  CANDOR_FUZZ_CHECK(entries->size() == count);
  for (const Bytes& e : *entries) CANDOR_FUZZ_CHECK(e.size() <= kMaxEntrySize);
  auto serialized = SerializeEntryBundle(*entries);
  CANDOR_FUZZ_CHECK(serialized.ok());
  CANDOR_FUZZ_CHECK(*serialized == Bytes(bundle.begin(), bundle.end()));
  Bytes appended;
  for (const Bytes& e : *entries) CANDOR_FUZZ_CHECK(AppendToEntryBundle(appended, e).ok());
  CANDOR_FUZZ_CHECK(appended == *serialized);
  return 0;
}
