// Test helper: an in-memory RFC 6962 tree of `size` leaves "entry <i>" that
// stores every complete-subtree hash (node (level, index)), serves them as a
// NodeReader and renders C2SP tiles. Independent of the layout module's node
// arithmetic on purpose: it is built bottom-up by pairing.
//
// Thread-safety: not thread-safe.
#ifndef CANDOR_TESTS_LIBVERIFY_MEMORY_TREE_H_
#define CANDOR_TESTS_LIBVERIFY_MEMORY_TREE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/layout.h"
#include "candor/merkle.h"

namespace candor {
namespace testing {

inline std::string EntryText(uint64_t i) { return "entry " + std::to_string(i); }

class MemoryTree {
 public:
  explicit MemoryTree(uint64_t size) {
    levels_.emplace_back();
    levels_[0].reserve(size);
    for (uint64_t i = 0; i < size; ++i) levels_[0].push_back(LeafHash(AsBytes(EntryText(i))));
    while (levels_.back().size() >= 2) {
      const std::vector<Hash>& below = levels_.back();
      std::vector<Hash> up;
      up.reserve(below.size() / 2);
      for (size_t i = 0; i + 1 < below.size(); i += 2)
        up.push_back(NodeHash(below[i], below[i + 1]));
      levels_.push_back(std::move(up));
    }
  }

  uint64_t size() const { return levels_[0].size(); }
  const std::vector<Hash>& leaves() const { return levels_[0]; }

  // REQUIRES: the node exists (checked with a NotFound status in Reader()).
  bool Has(const NodeId& n) const {
    return n.level < levels_.size() && n.index < levels_[n.level].size();
  }
  const Hash& Node(const NodeId& n) const { return levels_[n.level][n.index]; }

  // A reader that serves only nodes of this tree and counts calls.
  NodeReader Reader(int* calls = nullptr) const {
    return [this, calls](std::span<const NodeId> nodes) -> Result<std::vector<Hash>> {
      if (calls != nullptr) ++*calls;
      std::vector<Hash> out;
      for (const NodeId& n : nodes) {
        if (!Has(n)) return Status::NotFound("node not stored");
        out.push_back(Node(n));
      }
      return out;
    };
  }

  // Tile bytes: hashes (8*L, N*256 + i) for i < width. REQUIRES: they exist.
  Bytes TileBytes(const TileId& t) const {
    Bytes out;
    for (uint16_t i = 0; i < t.width; ++i) {
      const Hash& h = Node(TileHashNode(t, i));
      out.insert(out.end(), h.begin(), h.end());
    }
    return out;
  }

 private:
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace testing
}  // namespace candor

#endif  // CANDOR_TESTS_LIBVERIFY_MEMORY_TREE_H_
