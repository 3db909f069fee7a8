// ExportTiles: `candor-log export`, the tlog-tiles tree of any LogStore
// (log_store.h) written as files into a directory that nginx or a CDN serves
// unchanged (docs/LOG.md "Serving a database-backed log as static files").
//
// Incremental: the directory's own checkpoint (of size M, from the previous
// export) says what is there; an export to the store's checkpoint of size N
// writes exactly the tiles and bundles that change from M to N (layout.h
// NewTiles / NewEntryBundles: new full ones and the partial ones at N), then
// the checkpoint, last, so a reader of the directory never sees a checkpoint
// whose tiles are missing. What is written is checked first: every bundle
// against its level-0 tile, every full tile against its parent node, and the
// store's tiles at N must hash to the new checkpoint's root and,
// at M, to the directory's checkpoint's root (the export extends what was
// served, never forks it); otherwise kInconsistent and the directory keeps
// its checkpoint. An interrupted export leaves the old checkpoint in place
// and is simply run again.
//
// Thread-safety: one export per directory at a time (the caller's job).
#ifndef CANDOR_LOG_EXPORT_H_
#define CANDOR_LOG_EXPORT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "candor/log/log_store.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

struct ExportOptions {
  // When set, both checkpoints must verify with this key (VerifyCheckpoint);
  // otherwise only their origins must agree and the Merkle checks above hold.
  std::optional<VerifierKey> log_key;
  // Called after each chunk of files is durable: (files written, files to write).
  std::function<void(uint64_t, uint64_t)> progress;
  // Files per durable write (bounds memory: a full bundle is up to 16 MiB).
  size_t chunk_files = 256;
};

struct ExportOutcome {
  uint64_t from_size = 0;  // the directory's tree size before
  uint64_t to_size = 0;    // and after
  uint64_t files = 0;      // tiles and bundles written (the checkpoint not counted)
  uint64_t bytes = 0;
};

// REQUIRES: `dir` exists or can be created.
Result<ExportOutcome> ExportTiles(const LogStore& store, const std::string& dir,
                                  const ExportOptions& options = {});

}  // namespace candor

#endif  // CANDOR_LOG_EXPORT_H_
