#include "candor/layout.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdio>

#include "candor/bytes.h"

namespace candor {
namespace {

constexpr std::string_view kTilePrefix = "tile/";
constexpr std::string_view kEntriesPrefix = "tile/entries/";

std::string ThreeDigits(uint64_t v) {
  char buf[4];
  std::snprintf(buf, sizeof(buf), "%03u", static_cast<unsigned>(v % 1000));
  return std::string(buf, 3);
}

// "<N>[.p/<W>]" for width 1..256.
std::string IndexAndWidth(uint64_t index, uint16_t width) {
  assert(width >= 1 && width <= kTileWidth);
  std::string s = EncodeTileIndex(index);
  if (width != kTileWidth) {
    s.append(".p/");
    s.append(std::to_string(width));
  }
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses the "<N>[.p/<W>]" tail loosely but safely (no overflow, bounded
// work); the callers then require the canonical round trip, so every
// non-canonical spelling is rejected.
Status ParseIndexAndWidth(std::string_view s, uint64_t& index, uint16_t& width) {
  width = kTileWidth;
  size_t p = s.find(".p/");
  if (p != std::string_view::npos) {
    std::string_view w = s.substr(p + 3);
    s = s.substr(0, p);
    if (w.empty() || w.size() > 3) return Status::Malformed("tile path: bad width");
    for (char c : w) {
      if (!IsDigit(c)) return Status::Malformed("tile path: bad width");
    }
    auto v = ParseDecimalU64(w);
    if (!v.ok() || *v < 1 || *v > 255) return Status::Malformed("tile path: width not in 1..255");
    width = static_cast<uint16_t>(*v);
  }
  // Groups "xDDD/" ... "DDD": at most 7 (ceil(20 digits / 3)).
  index = 0;
  size_t groups = 0;
  while (true) {
    bool last = s.size() == 3;
    if (last) {
      if (!IsDigit(s[0]) || !IsDigit(s[1]) || !IsDigit(s[2])) {
        return Status::Malformed("tile path: bad index element");
      }
    } else if (s.size() < 8 || s[0] != 'x' || !IsDigit(s[1]) || !IsDigit(s[2]) || !IsDigit(s[3]) ||
               s[4] != '/') {
      return Status::Malformed("tile path: bad index element");
    }
    size_t off = last ? 0 : 1;
    uint64_t g =
        static_cast<uint64_t>(s[off] - '0') * 100 + (s[off + 1] - '0') * 10 + (s[off + 2] - '0');
    if (++groups > 7 || index > (UINT64_MAX - g) / 1000) {
      return Status::Malformed("tile path: index out of range");
    }
    index = index * 1000 + g;
    if (last) break;
    s = s.substr(5);
  }
  return Status::Ok();
}

// floor(log2(x)) for x > 0.
int Log2Floor(uint64_t x) { return 63 - std::countl_zero(x); }

// Largest power of two strictly less than n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << Log2Floor(n - 1); }

// RFC 9162 §2.1.3.2 decomposition (as in the transparency-dev verifier):
// `inner` proof hashes inside the perfect subtree, `border` on the right edge.
void DecompInclusion(uint64_t index, uint64_t size, int& inner, int& border) {
  inner = 64 - std::countl_zero(index ^ (size - 1));
  border = std::popcount(inner >= 64 ? uint64_t{0} : index >> inner);
}

}  // namespace

// Built with append() only: GCC 12 at -O3 reports a false -Wrestrict for
// chains of std::string operator+ here.
std::string EncodeTileIndex(uint64_t index) {
  uint64_t groups[7];  // 2^64 has 20 digits: at most 7 groups
  int count = 0;
  do {
    groups[count++] = index % 1000;
    index /= 1000;
  } while (index > 0);
  std::string s;
  s.reserve(4 * count);
  for (int i = count - 1; i >= 0; --i) {
    if (i > 0) s.push_back('x');
    s.append(ThreeDigits(groups[i]));
    if (i > 0) s.push_back('/');
  }
  return s;
}

std::string TilePath(const TileId& tile) {
  assert(tile.level <= kMaxTileLevel);
  std::string s(kTilePrefix);
  s.append(std::to_string(tile.level));
  s.push_back('/');
  s.append(IndexAndWidth(tile.index, tile.width));
  return s;
}

std::string EntryBundlePath(uint64_t index, uint16_t width) {
  std::string s(kEntriesPrefix);
  s.append(IndexAndWidth(index, width));
  return s;
}

Result<TileId> ParseTilePath(std::string_view path) {
  if (path.size() > 64) return Status::Malformed("tile path: too long");
  if (!path.starts_with(kTilePrefix)) return Status::Malformed("tile path: missing tile/ prefix");
  std::string_view rest = path.substr(kTilePrefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash > 2) {
    return Status::Malformed("tile path: bad level");
  }
  std::string_view level_text = rest.substr(0, slash);
  for (char c : level_text) {
    if (!IsDigit(c)) return Status::Malformed("tile path: bad level");
  }
  auto level = ParseDecimalU64(level_text);
  if (!level.ok() || *level > kMaxTileLevel) return Status::Malformed("tile path: bad level");
  TileId tile;
  tile.level = static_cast<uint8_t>(*level);
  CANDOR_RETURN_IF_ERROR(ParseIndexAndWidth(rest.substr(slash + 1), tile.index, tile.width));
  if (TilePath(tile) != path) return Status::Malformed("tile path: not canonical");
  return tile;
}

Result<EntryBundleId> ParseEntryBundlePath(std::string_view path) {
  if (path.size() > 64) return Status::Malformed("entry bundle path: too long");
  if (!path.starts_with(kEntriesPrefix)) {
    return Status::Malformed("entry bundle path: missing tile/entries/ prefix");
  }
  EntryBundleId b;
  CANDOR_RETURN_IF_ERROR(ParseIndexAndWidth(path.substr(kEntriesPrefix.size()), b.index, b.width));
  if (EntryBundlePath(b) != path) return Status::Malformed("entry bundle path: not canonical");
  return b;
}

uint16_t TileWidthInTree(uint8_t tile_level, uint64_t tile_index, uint64_t tree_size) {
  // Tile level 8 and above would hold subtrees of >= 2^64 leaves.
  if (tile_level >= 8) return 0;
  uint64_t hashes = tree_size >> (kTileHeight * tile_level);  // hashes at row 8*TL
  uint64_t full = hashes >> kTileHeight;
  if (tile_index < full) return kTileWidth;
  if (tile_index == full) return static_cast<uint16_t>(hashes & 0xff);
  return 0;
}

uint16_t EntryBundleWidthInTree(uint64_t bundle_index, uint64_t tree_size) {
  return TileWidthInTree(0, bundle_index, tree_size);
}

NodeId TileHashNode(const TileId& tile, uint16_t i) {
  assert(tile.level < 8 && i < kTileWidth);
  return NodeId{static_cast<uint8_t>(kTileHeight * tile.level), tile.index * kTileWidth + i};
}

std::vector<TileId> NewTiles(uint64_t old_size, uint64_t new_size) {
  assert(old_size <= new_size);
  std::vector<TileId> tiles;
  for (int level = 0; level < 8 && (new_size >> (kTileHeight * level)) > 0; ++level) {
    uint64_t old_n = old_size >> (kTileHeight * level);
    uint64_t new_n = new_size >> (kTileHeight * level);
    if (old_n == new_n) continue;
    uint8_t l = static_cast<uint8_t>(level);
    for (uint64_t n = old_n >> kTileHeight; n < (new_n >> kTileHeight); ++n) {
      tiles.push_back(TileId{l, n, kTileWidth});
    }
    uint64_t n = new_n >> kTileHeight;
    uint16_t w = static_cast<uint16_t>(new_n & 0xff);
    if (w > 0) tiles.push_back(TileId{l, n, w});
  }
  return tiles;
}

std::vector<EntryBundleId> NewEntryBundles(uint64_t old_size, uint64_t new_size) {
  assert(old_size <= new_size);
  std::vector<EntryBundleId> bundles;
  if (old_size == new_size) return bundles;
  for (uint64_t n = old_size >> kTileHeight; n < (new_size >> kTileHeight); ++n) {
    bundles.push_back(EntryBundleId{n, kTileWidth});
  }
  uint16_t w = static_cast<uint16_t>(new_size & 0xff);
  if (w > 0) bundles.push_back(EntryBundleId{new_size >> kTileHeight, w});
  return bundles;
}

Result<NodeLocation> LocateNode(const NodeId& node, uint64_t tree_size) {
  if (node.level >= 64 || node.index >= (tree_size >> node.level)) {
    return Status::InvalidArgument("node " + std::to_string(node.level) + "/" +
                                   std::to_string(node.index) + " not in tree of size " +
                                   std::to_string(tree_size));
  }
  int tile_level = node.level / kTileHeight;
  int r = node.level % kTileHeight;
  uint64_t first = node.index << r;  // < tree_size >> (8 * tile_level): no overflow
  NodeLocation loc;
  loc.tile.level = static_cast<uint8_t>(tile_level);
  loc.tile.index = first >> kTileHeight;
  loc.tile.width = TileWidthInTree(loc.tile.level, loc.tile.index, tree_size);
  loc.first = static_cast<uint16_t>(first & 0xff);
  loc.count = static_cast<uint16_t>(1u << r);
  assert(loc.first + loc.count <= loc.tile.width);
  return loc;
}

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  assert(begin <= end);
  std::vector<NodeId> nodes;
  while (begin < end) {
    int align = begin == 0 ? 63 : std::countr_zero(begin);
    int level = std::min(align, Log2Floor(end - begin));
    nodes.push_back(NodeId{static_cast<uint8_t>(level), begin >> level});
    begin += uint64_t{1} << level;
  }
  return nodes;
}

std::vector<NodeId> ProofPlan::AllNodes() const {
  std::vector<NodeId> all;
  for (const auto& e : elements) all.insert(all.end(), e.begin(), e.end());
  return all;
}

Result<ProofPlan> InclusionProofPlan(uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("inclusion proof: index " + std::to_string(index) + " >= size " +
                                   std::to_string(size));
  }
  // Walk down from the root to the leaf, recording the sibling range at each
  // step (RFC 9162 §2.1.3.1), then emit them bottom-up.
  ProofPlan plan;
  uint64_t lo = 0, hi = size;
  while (hi - lo > 1) {
    uint64_t k = SplitPoint(hi - lo);
    if (index < lo + k) {
      plan.elements.push_back(RangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.elements.push_back(RangeNodes(lo, lo + k));
      lo += k;
    }
  }
  std::reverse(plan.elements.begin(), plan.elements.end());
  return plan;
}

Result<ProofPlan> ConsistencyProofPlan(uint64_t old_size, uint64_t new_size) {
  if (old_size > new_size) {
    return Status::InvalidArgument("consistency proof: old size " + std::to_string(old_size) +
                                   " > new size " + std::to_string(new_size));
  }
  ProofPlan plan;
  if (old_size == 0 || old_size == new_size) return plan;
  // RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b), unrolled; elements are
  // collected top-down and reversed at the end.
  uint64_t lo = 0, hi = new_size, m = old_size;
  bool b = true;
  while (true) {
    if (m == hi - lo) {
      if (!b) plan.elements.push_back(RangeNodes(lo, hi));
      break;
    }
    uint64_t k = SplitPoint(hi - lo);
    if (m <= k) {
      plan.elements.push_back(RangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.elements.push_back(RangeNodes(lo, lo + k));
      lo += k;
      m -= k;
      b = false;
    }
  }
  std::reverse(plan.elements.begin(), plan.elements.end());
  return plan;
}

size_t InclusionProofLength(uint64_t index, uint64_t size) {
  assert(index < size);
  int inner, border;
  DecompInclusion(index, size, inner, border);
  return static_cast<size_t>(inner + border);
}

size_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size) {
  assert(old_size <= new_size);
  if (old_size == 0 || old_size == new_size) return 0;
  int shift = std::countr_zero(old_size);
  int inner, border;
  DecompInclusion(old_size - 1, new_size, inner, border);
  inner -= shift;
  bool power_of_two = old_size == (uint64_t{1} << shift);
  return static_cast<size_t>(inner + border + (power_of_two ? 0 : 1));
}

}  // namespace candor
