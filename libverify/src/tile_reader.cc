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

namespace {

// Fetches and parses one tile; a missing partial tile falls back to the
// full tile's prefix (c2sp.org/tlog-tiles, "Partial Tiles").
Result<std::vector<Hash>> FetchTile(const TileFetcher& fetch, const TileId& tile) {
  Result<Bytes> data = fetch(tile);
  if (data.ok()) {
    Result<std::vector<Hash>> hashes = ParseTile(*data, tile.width);
    if (!hashes.ok()) return hashes.status().WithContext(TilePath(tile));
    return hashes;
  }
  if (data.status().code() != Code::kNotFound || tile.width == kTileWidth) {
    return data.status().WithContext(TilePath(tile));
  }
  TileId full = tile;
  full.width = kTileWidth;
  Result<Bytes> full_data = fetch(full);
  if (!full_data.ok()) return data.status().WithContext(TilePath(tile));
  Result<std::vector<Hash>> hashes = ParseTile(*full_data, kTileWidth);
  if (!hashes.ok()) return hashes.status().WithContext(TilePath(full));
  hashes->resize(tile.width);
  return hashes;
}

}  // namespace

NodeReader MakeTileNodeReader(TileFetcher fetch, uint64_t tree_size) {
  return [fetch = std::move(fetch),
          tree_size](std::span<const NodeId> nodes) -> Result<std::vector<Hash>> {
    std::map<TileId, std::vector<Hash>> tiles;  // each tile fetched once per batch
    std::vector<Hash> out;
    out.reserve(nodes.size());
    for (const NodeId& node : nodes) {
      CANDOR_ASSIGN_OR_RETURN(NodeLocation loc, LocateNode(node, tree_size));
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

}  // namespace candor
