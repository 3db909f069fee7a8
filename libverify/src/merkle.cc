#include "candor/merkle.h"

// The low-level SHA256_Init/Update/Final API is deprecated in OpenSSL 3.0 but
// still shipped, and it is the fast path for the tiny messages of Merkle
// hashing: OpenSSL 3's one-shot SHA256() and EVP_Digest() fetch the algorithm
// from the provider on every call, which costs more than hashing 65 bytes
// (measured in bench/merkle_bench.cc, docs/PERFORMANCE.md).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstring>
#include <string>

namespace candor {
namespace {

// Right fold of the hashes [begin, end): h = last; h = NodeHash(prev, h)...
// REQUIRES: begin < end.
Hash RightFold(const Hash* begin, const Hash* end) {
  Hash h = *(end - 1);
  for (const Hash* p = end - 1; p != begin;) {
    --p;
    h = NodeHash(*p, h);
  }
  return h;
}

Result<std::vector<Hash>> ReadNodes(const std::vector<NodeId>& nodes, const NodeReader& reader) {
  if (nodes.empty()) return std::vector<Hash>{};
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash> hashes, reader(nodes));
  if (hashes.size() != nodes.size()) {
    return Status::Internal("node reader returned " + std::to_string(hashes.size()) +
                            " hashes for " + std::to_string(nodes.size()) + " nodes");
  }
  return hashes;
}

}  // namespace

Hash LeafHash(ByteView entry) {
  const uint8_t prefix = 0x00;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, &prefix, 1);
  if (!entry.empty()) SHA256_Update(&ctx, entry.data(), entry.size());
  Hash out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Hash NodeHash(const Hash& l, const Hash& r) {
  uint8_t buf[1 + 32 + 32];
  buf[0] = 0x01;
  std::memcpy(buf + 1, l.data(), 32);
  std::memcpy(buf + 33, r.data(), 32);
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, buf, sizeof(buf));
  Hash out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Hash EmptyTreeHash() {
  // SHA-256(""), RFC 9162 §2.1.1.
  static constexpr Hash kEmpty = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                                  0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                                  0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
  return kEmpty;
}

Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyTreeHash();
  // A stack of perfect subtrees of strictly decreasing size (the binary
  // representation of the count so far); merge equal neighbours as we go.
  std::vector<std::pair<Hash, uint64_t>> stack;
  for (const Hash& h : leaf_hashes) {
    stack.emplace_back(h, 1);
    while (stack.size() >= 2 && stack[stack.size() - 2].second == stack.back().second) {
      auto right = stack.back();
      stack.pop_back();
      stack.back().first = NodeHash(stack.back().first, right.first);
      stack.back().second *= 2;
    }
  }
  Hash h = stack.back().first;
  for (size_t j = stack.size() - 1; j-- > 0;) h = NodeHash(stack[j].first, h);
  return h;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf, std::span<const Hash> proof,
                       const Hash& root) {
  if (index >= size) {
    return Status::Malformed("inclusion proof: index " + std::to_string(index) + " >= size " +
                             std::to_string(size));
  }
  size_t want = InclusionProofLength(index, size);
  if (proof.size() != want) {
    return Status::Malformed("inclusion proof: " + std::to_string(proof.size()) + " hashes, want " +
                             std::to_string(want));
  }
  // RFC 9162 §2.1.3.2.
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return Status::NotIncluded("inclusion proof: too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::NotIncluded("inclusion proof: too short");
  if (!HashEqual(r, root)) {
    return Status::NotIncluded("inclusion proof: computed root does not match");
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::span<const Hash> proof,
                         const Hash& old_root, const Hash& new_root) {
  if (old_size > new_size) {
    return Status::Malformed("consistency proof: old size " + std::to_string(old_size) +
                             " > new size " + std::to_string(new_size));
  }
  size_t want = ConsistencyProofLength(old_size, new_size);
  if (proof.size() != want) {
    return Status::Malformed("consistency proof: " + std::to_string(proof.size()) +
                             " hashes, want " + std::to_string(want));
  }
  if (old_size == 0) {
    bool new_ok = new_size != 0 || HashEqual(new_root, EmptyTreeHash());
    if (!HashEqual(old_root, EmptyTreeHash()) || !new_ok) {
      return Status::Inconsistent(
          "consistency proof: root of the empty tree is not the empty hash");
    }
    return Status::Ok();
  }
  if (old_size == new_size) {
    if (!HashEqual(old_root, new_root)) {
      return Status::Inconsistent("consistency proof: same size, different roots");
    }
    return Status::Ok();
  }
  // RFC 9162 §2.1.4.2. Step 2: a power-of-two old tree is itself a node of
  // the new tree, so its root seeds the path.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if ((old_size & (old_size - 1)) == 0) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  if (path.empty()) return Status::Inconsistent("consistency proof: empty");

  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Status::Inconsistent("consistency proof: too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Evaluate both comparisons (no early exit on the first).
  bool old_ok = HashEqual(fr, old_root);
  bool new_ok = HashEqual(sr, new_root);
  if (sn != 0) return Status::Inconsistent("consistency proof: too short");
  if (!old_ok) return Status::Inconsistent("consistency proof: old root does not match");
  if (!new_ok) return Status::Inconsistent("consistency proof: new root does not match");
  return Status::Ok();
}

Result<std::vector<Hash>> BuildProof(const ProofPlan& plan, const NodeReader& reader) {
  std::vector<NodeId> nodes = plan.AllNodes();
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash> hashes, ReadNodes(nodes, reader));
  std::vector<Hash> proof;
  proof.reserve(plan.elements.size());
  const Hash* p = hashes.data();
  for (const auto& element : plan.elements) {
    if (element.empty()) return Status::InvalidArgument("proof plan: empty element");
    proof.push_back(RightFold(p, p + element.size()));
    p += element.size();
  }
  return proof;
}

Result<Hash> TreeHash(uint64_t size, const NodeReader& reader) {
  if (size == 0) return EmptyTreeHash();
  std::vector<NodeId> nodes = RangeNodes(0, size);
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash> hashes, ReadNodes(nodes, reader));
  return RightFold(hashes.data(), hashes.data() + hashes.size());
}

Result<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t size, const NodeReader& reader) {
  CANDOR_ASSIGN_OR_RETURN(ProofPlan plan, InclusionProofPlan(index, size));
  return BuildProof(plan, reader);
}

Result<std::vector<Hash>> ProveConsistency(uint64_t old_size, uint64_t new_size,
                                           const NodeReader& reader) {
  CANDOR_ASSIGN_OR_RETURN(ProofPlan plan, ConsistencyProofPlan(old_size, new_size));
  return BuildProof(plan, reader);
}

}  // namespace candor
