#include "candor/merkle.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/sha256.h"
#include "libverify/memory_tree.h"

namespace candor {
namespace {

using testing::MemoryTree;

Hash H(std::string_view hex) {
  auto b = HexDecode(hex);
  REQUIRE(b.ok());
  REQUIRE(b->size() == 32);
  Hash h;
  std::copy(b->begin(), b->end(), h.begin());
  return h;
}

std::vector<Hash> Hs(std::initializer_list<std::string_view> hexes) {
  std::vector<Hash> out;
  for (auto x : hexes) out.push_back(H(x));
  return out;
}

// RFC 6962 test data used by the Certificate Transparency implementations
// (merkle_tree_test): 8 leaves and the roots of their prefixes.
const char* const kCtLeavesHex[] = {"",
                                    "00",
                                    "10",
                                    "2021",
                                    "3031",
                                    "40414243",
                                    "5051525354555657",
                                    "606162636465666768696a6b6c6d6e6f"};
const char* const kCtRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash> CtLeafHashes() {
  std::vector<Hash> out;
  for (const char* hex : kCtLeavesHex) {
    auto b = HexDecode(hex);
    REQUIRE(b.ok());
    out.push_back(LeafHash(*b));
  }
  return out;
}

// A reader over the complete subtrees of an arbitrary list of leaf hashes.
NodeReader LeafReader(std::vector<Hash> leaves) {
  return [leaves = std::move(leaves)](std::span<const NodeId> nodes) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    for (const NodeId& n : nodes) {
      uint64_t begin = n.index << n.level, end = (n.index + 1) << n.level;
      if (end > leaves.size()) return Status::NotFound("node outside tree");
      out.push_back(RootFromLeafHashes(std::span<const Hash>(leaves).subspan(begin, end - begin)));
    }
    return out;
  };
}

TEST_CASE("merkle: known hashes") {
  CHECK(HexEncode(EmptyTreeHash()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(HexEncode(RootFromLeafHashes({})) == HexEncode(EmptyTreeHash()));
  CHECK(HexEncode(LeafHash({})) ==
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  // Leaf hashes of entries longer than the small-buffer path.
  std::string big(100000, 'a');
  Bytes prefixed = {0x00};
  prefixed.insert(prefixed.end(), big.begin(), big.end());
  CHECK(LeafHash(AsBytes(big)) == Sha256Digest(prefixed));
  std::string edge(512, 'b');  // exactly at the small-buffer boundary
  Bytes prefixed2 = {0x00};
  prefixed2.insert(prefixed2.end(), edge.begin(), edge.end());
  CHECK(LeafHash(AsBytes(edge)) == Sha256Digest(prefixed2));
  Hash l = LeafHash(AsBytes("l")), r = LeafHash(AsBytes("r"));
  Bytes node = {0x01};
  node.insert(node.end(), l.begin(), l.end());
  node.insert(node.end(), r.begin(), r.end());
  CHECK(NodeHash(l, r) == Sha256Digest(node));
}

TEST_CASE("merkle: RFC 6962 test vector roots") {
  std::vector<Hash> leaves = CtLeafHashes();
  for (size_t n = 1; n <= 8; ++n) {
    CAPTURE(n);
    Hash root = RootFromLeafHashes(std::span<const Hash>(leaves).first(n));
    CHECK(HexEncode(root) == kCtRoots[n - 1]);
    auto th = TreeHash(n, LeafReader(leaves));
    REQUIRE(th.ok());
    CHECK(*th == root);
  }
}

TEST_CASE("merkle: RFC 6962 test vector proofs") {
  std::vector<Hash> leaves = CtLeafHashes();
  NodeReader reader = LeafReader(leaves);
  struct Incl {
    uint64_t index, size;
    std::vector<Hash> path;
  };
  const std::vector<Incl> incl = {
      {0, 1, {}},
      {0, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, Hs({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const auto& t : incl) {
    CAPTURE(t.index);
    CAPTURE(t.size);
    auto proof = ProveInclusion(t.index, t.size, reader);
    REQUIRE(proof.ok());
    CHECK(*proof == t.path);
    CHECK(VerifyInclusion(t.index, t.size, leaves[t.index], t.path, H(kCtRoots[t.size - 1])).ok());
  }
  struct Cons {
    uint64_t old_size, new_size;
    std::vector<Hash> path;
  };
  const std::vector<Cons> cons = {
      {1, 1, {}},
      {1, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const auto& t : cons) {
    CAPTURE(t.old_size);
    CAPTURE(t.new_size);
    auto proof = ProveConsistency(t.old_size, t.new_size, reader);
    REQUIRE(proof.ok());
    CHECK(*proof == t.path);
    CHECK(VerifyConsistency(t.old_size, t.new_size, t.path, H(kCtRoots[t.old_size - 1]),
                            H(kCtRoots[t.new_size - 1]))
              .ok());
  }
}

Hash Flip(Hash h, int bit) {
  h[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return h;
}

TEST_CASE("merkle: inclusion proofs of every leaf of trees 1..70, and tampering") {
  MemoryTree tree(70);
  NodeReader reader = tree.Reader();
  for (uint64_t n = 1; n <= 70; ++n) {
    Hash root = RootFromLeafHashes(std::span<const Hash>(tree.leaves()).first(n));
    for (uint64_t i = 0; i < n; ++i) {
      CAPTURE(n);
      CAPTURE(i);
      const Hash& leaf = tree.leaves()[i];
      auto proof = ProveInclusion(i, n, reader);
      REQUIRE(proof.ok());
      REQUIRE(proof->size() == InclusionProofLength(i, n));
      REQUIRE(VerifyInclusion(i, n, leaf, *proof, root).ok());

      // Wrong leaf, wrong root.
      CHECK(VerifyInclusion(i, n, Flip(leaf, 0), *proof, root).code() == Code::kNotIncluded);
      CHECK(VerifyInclusion(i, n, leaf, *proof, Flip(root, 255)).code() == Code::kNotIncluded);
      // Every flipped proof hash.
      for (size_t k = 0; k < proof->size(); ++k) {
        std::vector<Hash> bad = *proof;
        bad[k] = Flip(bad[k], static_cast<int>((k * 37 + i) % 256));
        CHECK(VerifyInclusion(i, n, leaf, bad, root).code() == Code::kNotIncluded);
      }
      // Truncated and extended proofs: length is checked first.
      if (!proof->empty()) {
        std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
        CHECK(VerifyInclusion(i, n, leaf, shorter, root).code() == Code::kMalformed);
      }
      std::vector<Hash> longer = *proof;
      longer.push_back(root);
      CHECK(VerifyInclusion(i, n, leaf, longer, root).code() == Code::kMalformed);
      // Same proof claimed for another index of the same tree: never accepted.
      // (Not checked for other sizes: e.g. (0, 3) and (0, 4) share a shape,
      // which is harmless since the root binds the tree.)
      if (i + 1 < n) CHECK_FALSE(VerifyInclusion(i + 1, n, leaf, *proof, root).ok());
      if (i > 0) CHECK_FALSE(VerifyInclusion(i - 1, n, leaf, *proof, root).ok());
    }
  }
}

TEST_CASE("merkle: inclusion input checks") {
  Hash h = LeafHash(AsBytes("x"));
  CHECK(VerifyInclusion(0, 0, h, {}, EmptyTreeHash()).code() == Code::kMalformed);
  CHECK(VerifyInclusion(5, 5, h, {}, h).code() == Code::kMalformed);
  CHECK(VerifyInclusion(UINT64_MAX, UINT64_MAX, h, {}, h).code() == Code::kMalformed);
  CHECK(VerifyInclusion(0, 1, h, {}, h).ok());
  CHECK(VerifyInclusion(0, 1, h, {}, Flip(h, 3)).code() == Code::kNotIncluded);
  std::vector<Hash> one = {h};
  CHECK(VerifyInclusion(0, 1, h, one, h).code() == Code::kMalformed);
  // Huge trees: lengths are computed, not iterated.
  std::vector<Hash> p63(63, h);
  CHECK(InclusionProofLength(0, UINT64_MAX) == 64);
  CHECK(VerifyInclusion(0, UINT64_MAX, h, p63, h).code() == Code::kMalformed);
  std::vector<Hash> p64(64, h);
  CHECK(VerifyInclusion(0, UINT64_MAX, h, p64, h).code() == Code::kNotIncluded);
}

TEST_CASE("merkle: consistency proofs of every pair of sizes <= 70, and tampering") {
  MemoryTree tree(70);
  NodeReader reader = tree.Reader();
  std::vector<Hash> roots;
  for (uint64_t n = 0; n <= 70; ++n) {
    roots.push_back(RootFromLeafHashes(std::span<const Hash>(tree.leaves()).first(n)));
  }
  for (uint64_t n = 0; n <= 70; ++n) {
    for (uint64_t m = 0; m <= n; ++m) {
      CAPTURE(m);
      CAPTURE(n);
      auto proof = ProveConsistency(m, n, reader);
      REQUIRE(proof.ok());
      REQUIRE(proof->size() == ConsistencyProofLength(m, n));
      REQUIRE(VerifyConsistency(m, n, *proof, roots[m], roots[n]).ok());

      if (m != n || m != 0) {
        // Either root wrong (for m == 0 only the new root is unconstrained).
        if (m > 0) {
          CHECK(VerifyConsistency(m, n, *proof, Flip(roots[m], 7), roots[n]).code() ==
                Code::kInconsistent);
          CHECK(VerifyConsistency(m, n, *proof, roots[m], Flip(roots[n], 100)).code() ==
                Code::kInconsistent);
        } else {
          CHECK(VerifyConsistency(0, n, *proof, Flip(roots[0], 7), roots[n]).code() ==
                Code::kInconsistent);
        }
      }
      for (size_t k = 0; k < proof->size(); ++k) {
        std::vector<Hash> bad = *proof;
        bad[k] = Flip(bad[k], static_cast<int>((k * 11 + m) % 256));
        CHECK(VerifyConsistency(m, n, bad, roots[m], roots[n]).code() == Code::kInconsistent);
      }
      if (!proof->empty()) {
        std::vector<Hash> shorter(proof->begin() + 1, proof->end());
        CHECK(VerifyConsistency(m, n, shorter, roots[m], roots[n]).code() == Code::kMalformed);
      }
      std::vector<Hash> longer = *proof;
      longer.push_back(roots[n]);
      CHECK(VerifyConsistency(m, n, longer, roots[m], roots[n]).code() == Code::kMalformed);
      // The proof does not prove anything about other sizes.
      if (m > 0 && m < n) {
        CHECK_FALSE(VerifyConsistency(m - 1, n, *proof, roots[m - 1], roots[n]).ok());
        CHECK_FALSE(VerifyConsistency(m, n - 1, *proof, roots[m], roots[n - 1]).ok());
      }
      // Swapped direction.
      if (m < n) {
        CHECK(VerifyConsistency(n, m, *proof, roots[n], roots[m]).code() == Code::kMalformed);
      }
    }
  }
}

TEST_CASE("merkle: consistency edge cases") {
  Hash a = LeafHash(AsBytes("a")), b = LeafHash(AsBytes("b"));
  CHECK(VerifyConsistency(0, 0, {}, EmptyTreeHash(), EmptyTreeHash()).ok());
  CHECK(VerifyConsistency(0, 0, {}, EmptyTreeHash(), a).code() == Code::kInconsistent);
  CHECK(VerifyConsistency(0, 5, {}, EmptyTreeHash(), a).ok());
  CHECK(VerifyConsistency(0, 5, {}, a, a).code() == Code::kInconsistent);
  std::vector<Hash> one = {a};
  CHECK(VerifyConsistency(0, 5, one, EmptyTreeHash(), a).code() == Code::kMalformed);
  CHECK(VerifyConsistency(3, 3, {}, a, a).ok());
  CHECK(VerifyConsistency(3, 3, {}, a, b).code() == Code::kInconsistent);
  CHECK(VerifyConsistency(3, 3, one, a, a).code() == Code::kMalformed);
  CHECK(VerifyConsistency(4, 3, {}, a, a).code() == Code::kMalformed);
  CHECK(VerifyConsistency(1, 2, {}, a, b).code() == Code::kMalformed);
  CHECK(VerifyConsistency(1, 2, one, a, NodeHash(a, a)).ok());
  CHECK(VerifyConsistency(1, 2, one, a, NodeHash(a, b)).code() == Code::kInconsistent);
}

TEST_CASE("merkle: tree hash and proof generation via a reader") {
  MemoryTree tree(300);
  int calls = 0;
  NodeReader reader = tree.Reader(&calls);
  for (uint64_t n = 0; n <= 300; ++n) {
    CAPTURE(n);
    calls = 0;
    auto th = TreeHash(n, reader);
    REQUIRE(th.ok());
    CHECK(*th == RootFromLeafHashes(std::span<const Hash>(tree.leaves()).first(n)));
    CHECK(calls == (n == 0 ? 0 : 1));  // one batched read
  }
  calls = 0;
  auto proof = ProveInclusion(123, 300, reader);
  REQUIRE(proof.ok());
  CHECK(calls == 1);
  // Errors from the reader propagate; a reader returning the wrong count is a bug.
  NodeReader failing = [](std::span<const NodeId>) -> Result<std::vector<Hash>> {
    return Status::Io("disk on fire");
  };
  CHECK(TreeHash(5, failing).status().code() == Code::kIo);
  CHECK(ProveInclusion(1, 5, failing).status().code() == Code::kIo);
  CHECK(ProveConsistency(2, 5, failing).status().code() == Code::kIo);
  NodeReader short_reader = [](std::span<const NodeId>) -> Result<std::vector<Hash>> {
    return std::vector<Hash>{};
  };
  CHECK(TreeHash(5, short_reader).status().code() == Code::kInternal);
  CHECK(ProveInclusion(1, 5, short_reader).status().code() == Code::kInternal);
  // Bad arguments are refused before the reader is called.
  CHECK(ProveInclusion(5, 5, failing).status().code() == Code::kInvalidArgument);
  CHECK(ProveConsistency(6, 5, failing).status().code() == Code::kInvalidArgument);
  // Empty proofs need no reads.
  auto empty = ProveConsistency(5, 5, failing);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

}  // namespace
}  // namespace candor
