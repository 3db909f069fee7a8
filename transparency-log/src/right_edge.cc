// RightEdge (see right_edge.h).
#include "candor/log/right_edge.h"

#include "candor/entry_bundle.h"
#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"

namespace candor {

Result<RightEdge> RightEdge::Load(const LogStore& storage, uint64_t size) {
  RightEdge edge;
  edge.size_ = size;
  TileFetcher fetch_tile = [&storage](const TileId& t) { return storage.ReadTile(t); };
  for (size_t k = 0; k < 8 && (size >> (8 * k)) > 0; ++k) {
    uint64_t count = size >> (8 * k);  // complete nodes at tree level 8k
    auto width = static_cast<uint16_t>(count % kTileWidth);
    edge.levels_.emplace_back();
    edge.dirty_.push_back(false);
    if (width == 0) continue;
    TileId id{static_cast<uint8_t>(k), count / kTileWidth, width};
    CANDOR_ASSIGN_OR_RETURN(edge.levels_[k], FetchTile(fetch_tile, id));
  }
  auto bwidth = static_cast<uint16_t>(size % kTileWidth);
  if (bwidth > 0) {
    const uint64_t bindex = size / kTileWidth;
    CANDOR_ASSIGN_OR_RETURN(
        PartialOrFull data, FetchPartialOrFull(
                                [&storage, bindex](uint16_t w) {
                                  return storage.ReadEntryBundle(EntryBundleId{bindex, w});
                                },
                                bwidth));
    CANDOR_ASSIGN_OR_RETURN(edge.bundle_, ParseEntryBundle(data.data, data.width));
    edge.bundle_.resize(bwidth);  // the prefix, when the full bundle was read
    // The bundle must hash to the level-0 edge tile: catches mixed-up files.
    for (size_t i = 0; i < edge.bundle_.size(); ++i) {
      if (!HashEqual(LeafHash(edge.bundle_[i]), edge.levels_[0][i])) {
        return Status::Inconsistent("entry bundle does not match level-0 tile at size " +
                                    std::to_string(size));
      }
    }
  }
  return edge;
}

Hash RightEdge::Root() const {
  if (size_ == 0) return EmptyTreeHash();
  TileFetcher fetch = [this](const TileId& t) -> Result<Bytes> {
    if (t.level >= levels_.size() || t.width != levels_[t.level].size()) {
      return Status::Internal("node outside the right edge");
    }
    return FormatTile(levels_[t.level]);
  };
  auto root = TreeHash(size_, MakeTileNodeReader(fetch, size_));
  // The right edge holds every node RangeNodes(0, size) names (each lies in the
  // incomplete tile of its level), so this cannot fail unless memory is corrupt.
  if (!root.ok()) std::abort();
  return *root;
}

void RightEdge::PushHash(size_t level, const Hash& h) {
  if (levels_.size() <= level) {
    levels_.resize(level + 1);
    dirty_.resize(level + 1, false);
  }
  auto& tile = levels_[level];
  tile.push_back(h);
  dirty_[level] = true;
  if (tile.size() == kTileWidth) {
    // Tile index: nodes at tree level 8*level completed so far, minus this tile, / 256.
    uint64_t count = size_ >> (8 * level);
    TileId id{static_cast<uint8_t>(level), count / kTileWidth - 1, kTileWidth};
    pending_.push_back({TilePath(id), FormatTile(tile)});
    Hash up = PerfectSubtreeHash(tile);
    tile.clear();
    PushHash(level + 1, up);
  }
}

void RightEdge::Append(ByteView entry, const Hash& leaf) {
  ++size_;
  bundle_.emplace_back(entry.begin(), entry.end());
  bundle_dirty_ = true;
  if (bundle_.size() == kTileWidth) {
    auto data = SerializeEntryBundle(bundle_);
    pending_.push_back({EntryBundlePath(size_ / kTileWidth - 1, kTileWidth), std::move(*data)});
    bundle_.clear();
  }
  PushHash(0, leaf);
}

std::vector<StorageFile> RightEdge::TakeFiles() {
  std::vector<StorageFile> out = std::move(pending_);
  pending_.clear();
  for (size_t k = 0; k < levels_.size(); ++k) {
    if (!dirty_[k]) continue;
    dirty_[k] = false;
    if (levels_[k].empty()) continue;
    uint64_t count = size_ >> (8 * k);
    TileId id{static_cast<uint8_t>(k), count / kTileWidth,
              static_cast<uint16_t>(levels_[k].size())};
    out.push_back({TilePath(id), FormatTile(levels_[k])});
  }
  if (bundle_dirty_ && !bundle_.empty()) {
    auto data = SerializeEntryBundle(bundle_);
    out.push_back({EntryBundlePath(size_ / kTileWidth, static_cast<uint16_t>(bundle_.size())),
                   std::move(*data)});
  }
  bundle_dirty_ = false;
  return out;
}

}  // namespace candor
