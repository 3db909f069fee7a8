// RightEdge: the in-memory state the sequencer needs to grow a tiled Merkle
// tree: the rightmost, incomplete tile of every tile level (< 256 hashes each)
// and the incomplete entry bundle. Everything to the left is immutable on disk
// and never read again while appending, so an append costs O(log n) and memory
// is bounded by (levels * 255 hashes + 255 entries) whatever the log size.
//
// Appending buffers the entry; full tiles and bundles are emitted as soon as
// they fill, and TakeFiles() returns them together with the new partial
// (".p/<W>") tile of every level that changed and the partial bundle: exactly
// the tiles layout.h's NewTiles/NewEntryBundles name between the previous
// TakeFiles() size and size().
//
// Restart: Load() rebuilds the edge of a tree of `size` from O(log n) stored
// tiles and one bundle (tlog-tiles paths at that size's widths).
//
// Thread-safety: not thread-safe; owned by the sequencer thread.
#ifndef CANDOR_LOG_RIGHT_EDGE_H_
#define CANDOR_LOG_RIGHT_EDGE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "candor/bytes.h"
#include "candor/log/log_store.h"
#include "candor/status.h"

namespace candor {

class RightEdge {
 public:
  RightEdge() = default;  // the empty tree

  // Rebuilds the edge of the tree of `size` leaves from storage. kNotFound /
  // kMalformed if a needed tile or bundle is absent or has the wrong length.
  static Result<RightEdge> Load(const LogStore& storage, uint64_t size);

  uint64_t size() const { return size_; }
  // Root hash of the current tree (EmptyTreeHash() for 0). O(log n).
  Hash Root() const;

  // REQUIRES: entry.size() <= 65535, leaf == LeafHash(entry).
  void Append(ByteView entry, const Hash& leaf);

  // Files to write for everything appended since the last TakeFiles() (or
  // Load()): new full tiles/bundles and the new partial ones.
  std::vector<StorageFile> TakeFiles();
  // Only the full tiles and bundles emitted so far; the partial ones stay for
  // the next TakeFiles(). Leaves the edge cheap to copy (O(levels * 255)
  // hashes and < 256 entries), which the sequencer does before deciding a
  // batch on a store shared with other processes, to return to when its
  // commit turns out stale (log_store.h).
  std::vector<StorageFile> TakeFullFiles() { return std::exchange(pending_, {}); }

 private:
  void PushHash(size_t level, const Hash& h);

  uint64_t size_ = 0;
  // levels_[k]: hashes of tree level 8k in the rightmost incomplete tile.
  std::vector<std::vector<Hash>> levels_;
  std::vector<bool> dirty_;
  std::vector<Bytes> bundle_;  // entries of the incomplete bundle
  bool bundle_dirty_ = false;
  std::vector<StorageFile> pending_;  // full tiles/bundles emitted since TakeFiles
};

}  // namespace candor

#endif  // CANDOR_LOG_RIGHT_EDGE_H_
