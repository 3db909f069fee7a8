// RFC 6962 / 9162 proof verification (VerifyInclusion, VerifyConsistency) and
// generation (ProveInclusion, ProveConsistency, proof plans).
// Two modes, chosen by the first input byte:
//  - raw: sizes, index, leaf, roots and proof hashes straight from the input
//    (any uint64, up to 70 hashes). Properties: no crash; only the documented
//    codes; a wrong proof length is kMalformed before any hashing.
//  - tree: a real tree of 1..2048 leaves; a proof generated for it verifies,
//    and flipping one bit of the proof, the leaf or a root makes it fail.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "candor/layout.h"
#include "candor/merkle.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

Hash ConsumeHash(FuzzedDataProvider& in) {
  Hash h{};
  const std::vector<uint8_t> b = in.ConsumeBytes<uint8_t>(32);
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

void Raw(FuzzedDataProvider& in) {
  const uint64_t index = in.ConsumeIntegral<uint64_t>();
  const uint64_t size = in.ConsumeIntegral<uint64_t>();
  const uint64_t old_size = in.ConsumeIntegral<uint64_t>();
  const size_t n = in.ConsumeIntegralInRange<size_t>(0, 70);
  const Hash leaf = ConsumeHash(in);
  const Hash root1 = ConsumeHash(in);
  const Hash root2 = ConsumeHash(in);
  std::vector<Hash> proof;
  for (size_t i = 0; i < n; ++i) proof.push_back(ConsumeHash(in));

  const Status inc = VerifyInclusion(index, size, leaf, proof, root1);
  if (index >= size || proof.size() != InclusionProofLength(index, size)) {
    CANDOR_FUZZ_CHECK(inc.code() == Code::kMalformed);
  } else {
    CANDOR_FUZZ_CHECK(inc.ok() || inc.code() == Code::kNotIncluded);
  }
  const Status con = VerifyConsistency(old_size, size, proof, root1, root2);
  if (old_size > size || proof.size() != ConsistencyProofLength(old_size, size)) {
    CANDOR_FUZZ_CHECK(con.code() == Code::kMalformed);
  } else {
    CANDOR_FUZZ_CHECK(con.ok() || con.code() == Code::kInconsistent);
  }
  if (index < size) {
    auto plan = InclusionProofPlan(index, size);
    CANDOR_FUZZ_CHECK(plan.ok() && plan->elements.size() == InclusionProofLength(index, size));
  }
  if (old_size <= size) {
    auto plan = ConsistencyProofPlan(old_size, size);
    CANDOR_FUZZ_CHECK(plan.ok() && plan->elements.size() == ConsistencyProofLength(old_size, size));
  }
}

void FlipBit(Hash& h, uint16_t bit) { h[(bit / 8) % 32] ^= static_cast<uint8_t>(1u << (bit % 8)); }

void Tree(FuzzedDataProvider& in) {
  const size_t n = in.ConsumeIntegralInRange<size_t>(1, 2048);
  const uint8_t salt = in.ConsumeIntegral<uint8_t>();
  std::vector<Hash> leaves;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t e[3] = {salt, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    leaves.push_back(LeafHash(ByteView(e, sizeof(e))));
  }
  NodeReader reader = fuzz::MemoryNodeReader(&leaves);
  const Hash root = RootFromLeafHashes(leaves);
  auto tree_hash = TreeHash(n, reader);
  CANDOR_FUZZ_CHECK(tree_hash.ok() && HashEqual(*tree_hash, root));

  const uint64_t index = in.ConsumeIntegralInRange<uint64_t>(0, n - 1);
  const uint64_t m = in.ConsumeIntegralInRange<uint64_t>(0, n);
  const uint16_t bit = in.ConsumeIntegral<uint16_t>();
  const uint8_t what = in.ConsumeIntegral<uint8_t>();

  auto inclusion = ProveInclusion(index, n, reader);
  CANDOR_FUZZ_CHECK(inclusion.ok() && inclusion->size() == InclusionProofLength(index, n));
  CANDOR_FUZZ_CHECK(VerifyInclusion(index, n, leaves[index], *inclusion, root).ok());
  {
    std::vector<Hash> proof = *inclusion;
    Hash leaf = leaves[index];
    Hash r = root;
    if (!proof.empty() && what % 3 == 0) {
      FlipBit(proof[(bit >> 8) % proof.size()], bit);
    } else if (what % 3 == 1) {
      FlipBit(leaf, bit);
    } else {
      FlipBit(r, bit);
    }
    const Status bad = VerifyInclusion(index, n, leaf, proof, r);
    CANDOR_FUZZ_CHECK(bad.code() == Code::kNotIncluded);
  }

  const std::span<const Hash> old_leaves(leaves.data(), m);
  const Hash old_root = RootFromLeafHashes(old_leaves);
  auto consistency = ProveConsistency(m, n, reader);
  CANDOR_FUZZ_CHECK(consistency.ok() && consistency->size() == ConsistencyProofLength(m, n));
  CANDOR_FUZZ_CHECK(VerifyConsistency(m, n, *consistency, old_root, root).ok());
  if (m > 0 && m < n) {
    std::vector<Hash> proof = *consistency;
    Hash o = old_root;
    Hash r = root;
    if (what % 3 == 0) {
      FlipBit(proof[(bit >> 8) % proof.size()], bit);
    } else if (what % 3 == 1) {
      FlipBit(o, bit);
    } else {
      FlipBit(r, bit);
    }
    const Status bad = VerifyConsistency(m, n, proof, o, r);
    CANDOR_FUZZ_CHECK(bad.code() == Code::kInconsistent);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeBool()) {
    Tree(in);
  } else {
    Raw(in);
  }
  return 0;
}
