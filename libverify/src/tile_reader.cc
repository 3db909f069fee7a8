#include "candor/tile_reader.h"

#include <array>
#include <cassert>
#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace candor {

Hash PerfectSubtreeHash(std::span<const Hash> hashes) {
  assert(!hashes.empty() && hashes.size() <= kTileWidth &&
         (hashes.size() & (hashes.size() - 1)) == 0);
  std::array<Hash, kTileWidth> buf;
  size_t n = hashes.size();
  std::copy(hashes.begin(), hashes.end(), buf.begin());
  while (n > 1) {
    for (size_t i = 0; i < n / 2; ++i) buf[i] = NodeHash(buf[2 * i], buf[2 * i + 1]);
    n /= 2;
  }
  return buf[0];
}

Result<std::vector<Hash>> ParseTile(ByteView data, uint16_t width) {
  if (width < 1 || width > kTileWidth) {
    return Status::InvalidArgument("tile width " + std::to_string(width) + " not in 1..256");
  }
  if (data.size() != size_t{32} * width) {
    return Status::Malformed("tile is " + std::to_string(data.size()) + " bytes, want " +
                             std::to_string(size_t{32} * width));
  }
  std::vector<Hash> hashes(width);
  for (size_t i = 0; i < width; ++i) std::memcpy(hashes[i].data(), data.data() + 32 * i, 32);
  return hashes;
}

Bytes FormatTile(std::span<const Hash> hashes) {
  Bytes out;
  out.reserve(hashes.size() * 32);
  for (const Hash& h : hashes) out.insert(out.end(), h.begin(), h.end());
  return out;
}

Result<PartialOrFull> FetchPartialOrFull(const WidthFetcher& fetch, uint16_t width) {
  assert(width >= 1 && width <= kTileWidth);
  Result<Bytes> data = fetch(width);
  if (data.ok()) return PartialOrFull{std::move(data).value(), width};
  // Only a missing partial falls back; a missing full resource, or any other
  // error (I/O, a refused request), is the answer.
  if (data.status().code() != Code::kNotFound || width == kTileWidth) return data.status();
  Result<Bytes> full = fetch(kTileWidth);
  if (!full.ok()) return full.status();
  return PartialOrFull{std::move(full).value(), kTileWidth};
}

Result<std::vector<Hash>> FetchTile(const TileFetcher& fetch, const TileId& tile) {
  if (tile.width < 1 || tile.width > kTileWidth) {
    return Status::InvalidArgument("tile width " + std::to_string(tile.width) + " not in 1..256");
  }
  auto at_width = [&fetch, &tile](uint16_t width) {
    TileId t = tile;
    t.width = width;
    return fetch(t);
  };
  Result<PartialOrFull> got = FetchPartialOrFull(at_width, tile.width);
  if (!got.ok()) return got.status().WithContext(TilePath(tile));
  TileId fetched = tile;
  fetched.width = got->width;
  Result<std::vector<Hash>> hashes = ParseTile(got->data, got->width);
  if (!hashes.ok()) return hashes.status().WithContext(TilePath(fetched));
  hashes->resize(tile.width);  // the prefix, when the full tile served a partial request
  return hashes;
}

namespace {

NodeReader TileNodeReader(TileFetcher fetch, uint64_t tree_size, uint64_t tiles_size) {
  return [fetch = std::move(fetch), tree_size,
          tiles_size](std::span<const NodeId> nodes) -> Result<std::vector<Hash>> {
    if (tree_size > tiles_size) {
      return Status::InvalidArgument("tiles of a smaller tree cannot serve a larger one");
    }
    std::map<TileId, std::vector<Hash>> tiles;  // each tile fetched once per batch
    std::vector<Hash> out;
    out.reserve(nodes.size());
    for (const NodeId& node : nodes) {
      // The node must exist in the tree of tree_size; it then lies in the same
      // tile of the tree of tiles_size, at the width that tree gives the tile.
      CANDOR_ASSIGN_OR_RETURN(NodeLocation loc, LocateNode(node, tree_size));
      loc.tile.width = TileWidthInTree(loc.tile.level, loc.tile.index, tiles_size);
      auto it = tiles.find(loc.tile);
      if (it == tiles.end()) {
        CANDOR_ASSIGN_OR_RETURN(std::vector<Hash> hashes, FetchTile(fetch, loc.tile));
        it = tiles.emplace(loc.tile, std::move(hashes)).first;
      }
      out.push_back(
          PerfectSubtreeHash(std::span<const Hash>(it->second).subspan(loc.first, loc.count)));
    }
    return out;
  };
}

}  // namespace

NodeReader MakeTileNodeReader(TileFetcher fetch, uint64_t tree_size) {
  return TileNodeReader(std::move(fetch), tree_size, tree_size);
}

NodeReader MakeTileNodeReader(TileFetcher fetch, uint64_t tree_size, uint64_t tiles_size) {
  return TileNodeReader(std::move(fetch), tree_size, tiles_size);
}

}  // namespace candor
