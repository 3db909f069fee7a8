// LogIndex: the log's durable, on-disk lookup structures, in SQLite
// (DATA/state/index.db, WAL mode, synchronous=FULL):
//   - leaf hash -> index (identical resubmissions, proofs by leaf hash);
//   - "vendor/product/version" -> (index, leaf hash) (equivocation);
//   - the committed tree head (size, root): the log's commit point. A batch is
//     committed (and only then acknowledged) in one transaction that also
//     holds its entries' bytes (`pending`), so one WAL fsync makes it durable;
//   - the flushed size: tiles and bundles on disk are complete and durable up
//     to it (docs/LOG.md). The sequencer writes tiles for the entries in
//     `pending` in the background (before each checkpoint is published, and
//     whenever enough accumulate), then MarkFlushed() drops those rows.
//     After a crash the right edge is rebuilt from the tiles at the flushed
//     size plus the pending entries; anything on disk beyond was never
//     acknowledged or is rewritten.
// Memory use is SQLite's page cache (bounded), not proportional to the log.
//
// Thread-safety: one LogIndex = one SQLite connection guarded by a mutex; the
// sequencer owns a writer instance, request handlers share a reader instance.
#ifndef CANDOR_LOG_INDEX_H_
#define CANDOR_LOG_INDEX_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace candor {

struct TreeHead {
  uint64_t size = 0;
  Hash root{};
};

struct ReleaseRecord {
  uint64_t index = 0;
  Hash leaf{};
};

// One new entry of a batch: its bytes, leaf and the release keys it claims.
struct IndexRow {
  uint64_t index = 0;
  Hash leaf{};
  std::vector<std::string> release_keys;
  ByteView entry;  // lifetime: until Commit returns
};

class LogIndex {
 public:
  // Opens (creating if needed) the database at `path`. A new database has
  // tree head (0, EmptyTreeHash()).
  // With auto_checkpoint false, SQLite never copies the WAL back into the
  // database on commit; the owner must call Checkpoint() periodically (from
  // another connection), which keeps those copies off the commit path.
  static Result<std::unique_ptr<LogIndex>> Open(const std::string& path,
                                                bool auto_checkpoint = true);
  // PRAGMA wal_checkpoint(PASSIVE): copies committed WAL pages into the
  // database without blocking the writer.
  Status Checkpoint();
  ~LogIndex();
  LogIndex(const LogIndex&) = delete;
  LogIndex& operator=(const LogIndex&) = delete;

  Result<TreeHead> Head();
  Result<std::optional<uint64_t>> FindLeaf(const Hash& leaf);
  Result<std::optional<ReleaseRecord>> FindRelease(const std::string& release_key);

  // Atomically inserts the rows (with their entries, as pending) and sets the
  // tree head (one durable transaction). kConflict if a leaf or release key
  // already exists; kTooLarge if the disk is full (certainly rolled back);
  // other errors leave it unknown whether the transaction is durable.
  Status Commit(const std::vector<IndexRow>& rows, const TreeHead& head);

  // The size up to which tiles are durable (<= Head().size).
  Result<uint64_t> FlushedSize();
  // Committed entries from index `from` on (pending: not yet flushed), in
  // order. REQUIRES: from >= FlushedSize().
  Result<std::vector<Bytes>> PendingEntries(uint64_t from);
  // Records that tiles are durable up to `size` and drops the pending entries
  // below it. REQUIRES: the tiles for `size` are fsynced.
  Status MarkFlushed(uint64_t size);

 private:
  LogIndex() = default;
  Status Exec(const char* sql);
  Status Prepare();

  std::mutex mu_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* find_leaf_ = nullptr;
  sqlite3_stmt* find_release_ = nullptr;
  sqlite3_stmt* insert_leaf_ = nullptr;
  sqlite3_stmt* insert_release_ = nullptr;
  sqlite3_stmt* set_head_ = nullptr;
  sqlite3_stmt* get_head_ = nullptr;
  sqlite3_stmt* insert_pending_ = nullptr;
  sqlite3_stmt* get_pending_ = nullptr;
  sqlite3_stmt* get_flushed_ = nullptr;
};

}  // namespace candor

#endif  // CANDOR_LOG_INDEX_H_
