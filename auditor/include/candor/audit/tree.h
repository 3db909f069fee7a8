// TreeBuilder: the auditor's own, independent recomputation of a tiled RFC 6962
// Merkle tree from its leaf hashes (c2sp.org/tlog-tiles, RFC 9162 §2.1.1).
//
// It keeps only the right edge: for each tile level k, the hashes at tree
// level 8k of the rightmost incomplete tile (< 256 each), so memory is
// O(levels * 255 hashes) whatever the log size. When a tile fills up, its 256
// hashes are handed to a callback (so the caller can compare them with the
// downloaded tile) and its perfect-subtree hash moves up one tile level.
//
// Deliberately written apart from the log's own RightEdge so that the auditor
// does not share the log's bugs.
//
// Thread-safety: not thread-safe; one owner.
#ifndef CANDOR_AUDIT_TREE_H_
#define CANDOR_AUDIT_TREE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "candor/bytes.h"
#include "candor/layout.h"
#include "candor/status.h"

namespace candor::audit {

class TreeBuilder {
 public:
  // Called with every tile that becomes full (width 256) during Append.
  using FullTileFn = std::function<Status(const TileId& tile, std::span<const Hash> hashes)>;

  TreeBuilder() = default;  // the empty tree

  // Restores a builder from Edge() of a builder of `size` leaves. kMalformed
  // unless each level holds exactly the hashes a tree of `size` has there.
  static Result<TreeBuilder> FromEdge(uint64_t size, std::vector<std::vector<Hash>> levels);
  const std::vector<std::vector<Hash>>& Edge() const { return levels_; }

  uint64_t size() const { return size_; }
  // Appends one leaf hash. Returns the first error of `on_full` (the leaf is
  // appended anyway).
  Status Append(const Hash& leaf, const FullTileFn& on_full);
  // Root hash of the current tree (EmptyTreeHash() for 0). O(log n).
  Hash Root() const;
  // The partial (rightmost, width < 256) tile of each level that has one, with
  // its hashes: exactly the partial tiles a log of this size serves.
  struct Partial {
    TileId tile;
    std::vector<Hash> hashes;
  };
  std::vector<Partial> Partials() const;
  // Hashes of the rightmost incomplete tile at tile level k (may be empty).
  std::span<const Hash> LevelHashes(size_t k) const;

 private:
  uint64_t size_ = 0;
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_TREE_H_
