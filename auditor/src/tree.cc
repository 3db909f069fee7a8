#include "candor/audit/tree.h"

#include "candor/merkle.h"
#include "candor/tile_reader.h"

namespace candor::audit {

Result<TreeBuilder> TreeBuilder::FromEdge(uint64_t size, std::vector<std::vector<Hash>> levels) {
  for (size_t k = 0; k < 8; ++k) {
    size_t want = static_cast<size_t>((size >> (8 * k)) & 0xff);
    size_t have = k < levels.size() ? levels[k].size() : 0;
    if (want != have)
      return Status::Malformed("tree edge does not match size " + std::to_string(size));
  }
  TreeBuilder b;
  b.size_ = size;
  b.levels_ = std::move(levels);
  return b;
}

Status TreeBuilder::Append(const Hash& leaf, const FullTileFn& on_full) {
  Status first;
  Hash carry = leaf;
  uint64_t pos = size_;  // index of the new node at the current level
  for (size_t k = 0;; ++k) {
    if (levels_.size() <= k) levels_.emplace_back();
    levels_[k].push_back(carry);
    if (levels_[k].size() < kTileWidth) break;
    TileId t{static_cast<uint8_t>(k), pos >> 8, kTileWidth};
    if (on_full) {
      Status st = on_full(t, levels_[k]);
      if (first.ok() && !st.ok()) first = st;
    }
    carry = PerfectSubtreeHash(levels_[k]);
    levels_[k].clear();
    pos >>= 8;
  }
  ++size_;
  return first;
}

Hash TreeBuilder::Root() const {
  if (size_ == 0) return EmptyTreeHash();
  // Complete subtrees left to right: highest tile level first; within a
  // level, the partial tile's hashes split into descending powers of two.
  std::vector<Hash> nodes;
  for (size_t k = levels_.size(); k-- > 0;) {
    std::span<const Hash> h = levels_[k];
    size_t off = 0;
    for (size_t p = 128; p >= 1; p >>= 1) {
      if (h.size() - off >= p) {
        nodes.push_back(PerfectSubtreeHash(h.subspan(off, p)));
        off += p;
      }
    }
  }
  Hash root = nodes.back();
  for (size_t j = nodes.size() - 1; j-- > 0;) root = NodeHash(nodes[j], root);
  return root;
}

std::vector<TreeBuilder::Partial> TreeBuilder::Partials() const {
  std::vector<Partial> out;
  for (size_t k = 0; k < levels_.size(); ++k) {
    if (levels_[k].empty()) continue;
    uint64_t nodes = size_ >> (8 * k);
    out.push_back(
        {TileId{static_cast<uint8_t>(k), nodes >> 8, static_cast<uint16_t>(levels_[k].size())},
         levels_[k]});
  }
  return out;
}

std::span<const Hash> TreeBuilder::LevelHashes(size_t k) const {
  if (k >= levels_.size()) return {};
  return levels_[k];
}

}  // namespace candor::audit
