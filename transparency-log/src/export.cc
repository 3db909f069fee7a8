// ExportTiles (see export.h).
#include "candor/log/export.h"

#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/entry_bundle.h"
#include "candor/fs/directory.h"
#include "candor/layout.h"
#include "candor/log/publisher.h"
#include "candor/log/storage.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"

namespace candor {
namespace {

Result<Checkpoint> ReadCheckpointNote(std::string_view note, const ExportOptions& options) {
  if (options.log_key) {
    CANDOR_ASSIGN_OR_RETURN(SignedCheckpoint cp, VerifyCheckpoint(note, *options.log_key));
    return cp.checkpoint;
  }
  CANDOR_ASSIGN_OR_RETURN(SignedCheckpoint cp, ParseSignedCheckpointUnverified(note));
  return cp.checkpoint;
}

// The store's tiles, remembering the last one read at each level: the
// export reads level-0 tiles in index order, each followed by its bundle
// (checked against that tile) and checked against its parent, which 256
// consecutive tiles share. So each tile is read from the store once, not
// once more per check.
class RecentTiles {
 public:
  explicit RecentTiles(const LogStore& store) : store_(store) {}
  Result<Bytes> Read(const TileId& t) {
    if (t.level >= last_.size()) return store_.ReadTile(t);
    std::optional<std::pair<TileId, Bytes>>& slot = last_[t.level];
    if (slot && slot->first == t) return slot->second;
    CANDOR_ASSIGN_OR_RETURN(Bytes data, store_.ReadTile(t));
    slot.emplace(t, data);
    return data;
  }

 private:
  const LogStore& store_;
  std::array<std::optional<std::pair<TileId, Bytes>>, 9> last_;  // levels 0..8
};

// Checks one file read from the store against the level above it, so that a
// damaged tile or bundle is refused rather than served (export.h): a bundle's
// entries must hash to the level-0 tile of its index and width; a full tile's
// hashes to its parent node, read through `parents` (the tree of size N).
Status CheckAgainstParent(RecentTiles& tiles, const std::string& path, ByteView data,
                          const NodeReader& parents) {
  if (auto bundle = ParseEntryBundlePath(path); bundle.ok()) {
    CANDOR_ASSIGN_OR_RETURN(std::vector<Bytes> entries, ParseEntryBundle(data, bundle->width));
    CANDOR_ASSIGN_OR_RETURN(Bytes tile_bytes,
                            tiles.Read(TileId{0, bundle->index, bundle->width}));
    CANDOR_ASSIGN_OR_RETURN(std::vector<Hash> leaves, ParseTile(tile_bytes, bundle->width));
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!HashEqual(LeafHash(entries[i]), leaves[i])) {
        return Status::Inconsistent(path + ": entry " + std::to_string(i) +
                                    " does not hash to its level-0 tile");
      }
    }
    return Status::Ok();
  }
  CANDOR_ASSIGN_OR_RETURN(TileId tile, ParseTilePath(path));
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash> hashes, ParseTile(data, tile.width));
  if (tile.width != kTileWidth) return Status::Ok();  // checked from below and by the root
  const NodeId parent{static_cast<uint8_t>(8 * (tile.level + 1)), tile.index};
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash> stored, parents(std::span<const NodeId>(&parent, 1)));
  if (stored.size() != 1 || !HashEqual(PerfectSubtreeHash(hashes), stored[0])) {
    return Status::Inconsistent(path + " does not hash to its parent node");
  }
  return Status::Ok();
}

}  // namespace

Result<ExportOutcome> ExportTiles(const LogStore& store, const std::string& dir,
                                  const ExportOptions& options) {
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(dir));
  TileStorage out(dir);
  CANDOR_ASSIGN_OR_RETURN(std::string note, store.ReadCheckpoint());
  auto next = ReadCheckpointNote(note, options);
  if (!next.ok()) return next.status().WithContext("the store's checkpoint");
  ExportOutcome outcome;
  outcome.to_size = next->size;
  std::optional<Checkpoint> prev;
  auto old_note = out.ReadCheckpoint();
  if (old_note.ok()) {
    auto parsed = ReadCheckpointNote(*old_note, options);
    if (!parsed.ok()) return parsed.status().WithContext(dir + "/checkpoint");
    if (parsed->origin != next->origin) {
      return Status::Mismatch(dir + " holds an export of " + parsed->origin + ", not " +
                              next->origin);
    }
    if (parsed->size > next->size) {
      return Status::Inconsistent(dir + " holds a tree of size " + std::to_string(parsed->size) +
                                  " but the store's checkpoint has size " +
                                  std::to_string(next->size) + ": refusing to go back");
    }
    prev = *parsed;
    outcome.from_size = parsed->size;
  } else if (old_note.status().code() != Code::kNotFound) {
    return old_note.status();
  }
  // The store's tiles must be the tree both checkpoints describe (export.h).
  CANDOR_ASSIGN_OR_RETURN(Hash root, TreeHash(next->size, StorageNodeReader(&store, next->size)));
  if (!HashEqual(root, next->root_hash)) {
    return Status::Inconsistent("the store's tiles do not hash to its checkpoint's root at size " +
                                std::to_string(next->size));
  }
  if (prev) {
    CANDOR_ASSIGN_OR_RETURN(Hash old_root,
                            TreeHash(prev->size, StorageNodeReader(&store, prev->size, next->size)));
    if (!HashEqual(old_root, prev->root_hash)) {
      return Status::Inconsistent("the store's tree at size " + std::to_string(prev->size) +
                                  " differs from the one exported to " + dir +
                                  ": refusing to fork it");
    }
    if (prev->size == next->size && *old_note == note) return outcome;  // nothing new
  }
  // Each level-0 tile, then its bundle (the same index and width), then the
  // higher levels: the order RecentTiles serves from memory.
  const std::vector<EntryBundleId> bundles = NewEntryBundles(outcome.from_size, outcome.to_size);
  std::vector<std::string> paths;
  size_t next_bundle = 0;
  for (const TileId& t : NewTiles(outcome.from_size, outcome.to_size)) {
    paths.push_back(TilePath(t));
    if (t.level != 0) continue;
    if (next_bundle == bundles.size() || bundles[next_bundle].index != t.index ||
        bundles[next_bundle].width != t.width) {
      return Status::Internal("the new entry bundles do not match the new level-0 tiles");
    }
    paths.push_back(EntryBundlePath(bundles[next_bundle++]));
  }
  if (next_bundle != bundles.size()) {
    return Status::Internal("the new entry bundles do not match the new level-0 tiles");
  }
  RecentTiles tiles(store);
  const NodeReader parents =
      MakeTileNodeReader([&tiles](const TileId& t) { return tiles.Read(t); }, outcome.to_size);
  const size_t chunk = std::max<size_t>(options.chunk_files, 1);
  std::vector<StorageFile> files;
  for (size_t i = 0; i < paths.size(); ++i) {
    Result<Bytes> data = Status::Internal("unreachable");
    if (auto tile = ParseTilePath(paths[i]); tile.ok()) {
      data = tiles.Read(*tile);
    } else {
      data = store.ReadEntryBundle(*ParseEntryBundlePath(paths[i]));
    }
    if (!data.ok()) return data.status().WithContext("reading " + paths[i] + " from the store");
    CANDOR_RETURN_IF_ERROR(CheckAgainstParent(tiles, paths[i], *data, parents));
    outcome.bytes += data->size();
    files.push_back(StorageFile{paths[i], std::move(*data)});
    if (files.size() == chunk || i + 1 == paths.size()) {
      CANDOR_RETURN_IF_ERROR(out.WriteFiles(files));
      outcome.files += files.size();
      files.clear();
      if (options.progress) options.progress(outcome.files, paths.size());
    }
  }
  // Last: the checkpoint, once every tile it needs is durable.
  CANDOR_RETURN_IF_ERROR(out.WriteCheckpoint(note));
  return outcome;
}

}  // namespace candor
