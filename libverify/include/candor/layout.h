// Layout arithmetic of an RFC 6962 Merkle tree stored as C2SP tlog-tiles: the
// one I/O-free module shared by the log server, the auditor and the device.
//
// Vocabulary:
// - Node (level L, index N): the hash of the complete subtree covering leaves
//   [N * 2^L, (N + 1) * 2^L). Level 0 nodes are leaf hashes. A node "exists"
//   in a tree of size n iff (N + 1) * 2^L <= n.
// - Tile (tile level TL, index TN, width W): per c2sp.org/tlog-tiles, the W
//   consecutive node hashes at tree level 8*TL with indices
//   [TN * 256, TN * 256 + W). Width 256 is a full tile, 1..255 a partial one.
// - Entry bundle (index N, width W): the W entries [N * 256, N * 256 + W).
// - Proof plan: for each element of an RFC 9162 proof, the complete-subtree
//   nodes whose right fold (see ProofPlan) gives that element's hash. Ranges at
//   the right edge of a non-power-of-two tree are not complete subtrees, which
//   is why an element may need several nodes.
//
// Paths are relative to the log prefix and have no leading slash:
// "tile/0/x001/x234/067", "tile/1/000.p/17", "tile/entries/x002/000".
// The parsers are strict: they take untrusted URL paths on the server and accept
// exactly the canonical path of some tile (anything else is kMalformed).
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_LAYOUT_H_
#define CANDOR_LAYOUT_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "candor/status.h"

namespace candor {

// Tile height (tlog-tiles fixes it to 8: 256 hashes per full tile).
inline constexpr int kTileHeight = 8;
inline constexpr uint16_t kTileWidth = 256;
// Largest tile level the path grammar allows (tlog-tiles: "between 0 and 63").
inline constexpr uint8_t kMaxTileLevel = 63;

struct NodeId {
  uint8_t level = 0;  // 0..63
  uint64_t index = 0;
  friend auto operator<=>(const NodeId&, const NodeId&) = default;
};

struct TileId {
  uint8_t level = 0;  // tile level; its hashes are tree level 8*level
  uint64_t index = 0;
  uint16_t width = kTileWidth;  // 1..256; 256 = full tile
  friend auto operator<=>(const TileId&, const TileId&) = default;
};

struct EntryBundleId {
  uint64_t index = 0;
  uint16_t width = kTileWidth;  // 1..256; 256 = full bundle
  friend auto operator<=>(const EntryBundleId&, const EntryBundleId&) = default;
};

// ---------------------------------------------------------------------------
// Paths (c2sp.org/tlog-tiles "Merkle Tree" and "Log entries").

// "x001/x234/067" for 1234067; "000" for 0. Every uint64 is encodable.
std::string EncodeTileIndex(uint64_t index);

// "tile/<L>/<N>[.p/<W>]". REQUIRES: 1 <= width <= 256, level <= 63.
std::string TilePath(const TileId& tile);
// "tile/entries/<N>[.p/<W>]". REQUIRES: 1 <= width <= 256.
std::string EntryBundlePath(uint64_t index, uint16_t width);
inline std::string EntryBundlePath(const EntryBundleId& b) {
  return EntryBundlePath(b.index, b.width);
}

// Strict inverses of TilePath / EntryBundlePath: ParseX(p) succeeds iff
// p == XPath(result). No leading or trailing slash, no "..", no leading zeros,
// no empty or extra elements, width 1..255 after ".p/", level 0..63, index fits
// in uint64. kMalformed otherwise. ParseTilePath rejects "tile/entries/...".
Result<TileId> ParseTilePath(std::string_view path);
Result<EntryBundleId> ParseEntryBundlePath(std::string_view path);

// ---------------------------------------------------------------------------
// Tiles of a tree.

// Width of the tile (tile_level, tile_index) in a tree of `tree_size` leaves:
// 256 if the tile is full, 1..255 if it is the partial right-edge tile, and 0
// if the tile does not exist (yet) in that tree.
uint16_t TileWidthInTree(uint8_t tile_level, uint64_t tile_index, uint64_t tree_size);
// Same for entry bundles (equal to TileWidthInTree(0, index, tree_size)).
uint16_t EntryBundleWidthInTree(uint64_t bundle_index, uint64_t tree_size);

// The node whose hash is at position `i` of `tile` (level 8*TL, index TN*256+i).
// REQUIRES: i < 256, tile.level <= 7.
NodeId TileHashNode(const TileId& tile, uint16_t i);

// The tiles that a log of size `new_size` must serve that a log of size
// `old_size` did not: every tile whose content differs (new full tiles and the
// new partial right-edge tile of each level), ordered by level then index. This
// is what the log server writes when it grows the tree (c2sp.org/tlog-tiles:
// partial tiles are served for checkpointed sizes). REQUIRES: old_size <=
// new_size. O(log n + (new_size - old_size) / 256) elements.
// Differs from Go's tlog.NewTiles(8, old, new), which (for sumdb clients that
// may ask for any width) also lists every intermediate partial width and
// re-lists the current partial tile when nothing changed at a level; ours is
// the subset of Go's list that C2SP needs (checked in tests/interop).
std::vector<TileId> NewTiles(uint64_t old_size, uint64_t new_size);
// The entry bundles that change from old_size to new_size (same rule, level 0).
std::vector<EntryBundleId> NewEntryBundles(uint64_t old_size, uint64_t new_size);
// All tiles of a tree of `tree_size` leaves (= NewTiles(0, tree_size)).
// O(tree_size / 256) elements: for small trees and tests.
inline std::vector<TileId> TilesForSize(uint64_t tree_size) { return NewTiles(0, tree_size); }

// Where the data to compute a node lives: the node's hash is the Merkle tree
// hash of the `count` consecutive hashes [first, first + count) of `tile`
// (count is a power of two <= 256, so the fold is a perfect binary tree; count 1
// means the hash is stored as is). The tile is at tile level node.level / 8 and
// has the width it has in the tree of `tree_size` (full, or the partial
// right-edge tile).
struct NodeLocation {
  TileId tile;
  uint16_t first = 0;
  uint16_t count = 1;
};
// kInvalidArgument if the node does not exist in a tree of `tree_size`.
Result<NodeLocation> LocateNode(const NodeId& node, uint64_t tree_size);

// ---------------------------------------------------------------------------
// Subtree decomposition and proof plans.

// Splits [begin, end) into maximal aligned complete subtrees, left to right
// (greedy: at each position the largest aligned power of two that fits).
// REQUIRES: begin <= end. For the ranges RFC 6962 hashes as one MTH (begin a
// multiple of a power of two >= end - begin; e.g. [0, n) or the right-edge
// sibling ranges of proofs), the subtree sizes strictly decrease and
//   MTH(D[begin:end]) = NodeHash(h0, NodeHash(h1, ... NodeHash(hk-1, hk)))
// (the "right fold" of the node hashes).
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);

// One element per proof hash, in proof order; each element lists the nodes
// (left to right, never empty) whose right fold is the element's hash:
//   h = hash(nodes.back()); for j = size-2 .. 0: h = NodeHash(hash(nodes[j]), h)
struct ProofPlan {
  std::vector<std::vector<NodeId>> elements;
  // All nodes of all elements, in order (for one batched read).
  std::vector<NodeId> AllNodes() const;
};

// RFC 9162 §2.1.3.1 PATH(index, D[0:size]). kInvalidArgument unless
// index < size.
Result<ProofPlan> InclusionProofPlan(uint64_t index, uint64_t size);
// RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]). Empty for old_size == 0 or
// old_size == new_size. kInvalidArgument if old_size > new_size.
Result<ProofPlan> ConsistencyProofPlan(uint64_t old_size, uint64_t new_size);

// Expected proof lengths (what the verifiers check before hashing).
// REQUIRES: index < size / old_size <= new_size.
size_t InclusionProofLength(uint64_t index, uint64_t size);
size_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size);

}  // namespace candor

#endif  // CANDOR_LAYOUT_H_
