// LogIndex: the log's durable, on-disk state besides its tiles, in LevelDB
// (DATA/state/index/, a directory):
//   - leaf hash -> index (identical resubmissions, proofs by leaf hash);
//   - "vendor/product/version", or a trust root's "trust-root/domain/version",
//     -> (index, leaf hash) (equivocation);
//   - the committed tree head (size, root): the log's commit point. A batch is
//     committed (and only then acknowledged) in one synced write batch that
//     also holds its entries' bytes (`pending`), so one fsync of LevelDB's
//     log makes it durable;
//   - the flushed size: tiles and bundles on disk are complete and durable up
//     to it (docs/LOG.md). The sequencer writes tiles for the pending entries
//     later (before each checkpoint is published, and whenever enough
//     accumulate), then MarkFlushed() drops those entries. After a crash the
//     right edge is rebuilt from the tiles at the flushed size plus the
//     pending entries; anything on disk beyond was never acknowledged or is
//     rewritten.
// Why LevelDB and not a B-tree (SQLite, as before): the keys are random
// hashes, so at 10^7 entries every B-tree insert dirtied its own page and
// every lookup of a new (absent) key walked to a leaf page outside the cache;
// appends slowed by half. An LSM tree appends sequentially and answers most
// lookups of absent keys from Bloom filters. Memory stays bounded: a 32 MiB
// block cache, a 16 MiB memtable and at most 512 open tables (their filters).
//
// Thread-safety: thread-safe (LevelDB is); Commit and MarkFlushed are called
// by the sequencer only (one writer), lookups from any thread.
#ifndef CANDOR_LOG_INDEX_H_
#define CANDOR_LOG_INDEX_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

namespace leveldb {
class Cache;
class DB;
class FilterPolicy;
}  // namespace leveldb

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
  // Opens (creating if needed) the database directory `path`. A new database
  // has tree head (0, EmptyTreeHash()) and flushed size 0. One process at a
  // time (LevelDB locks the directory).
  static Result<std::unique_ptr<LogIndex>> Open(const std::string& path);
  ~LogIndex();
  LogIndex(const LogIndex&) = delete;
  LogIndex& operator=(const LogIndex&) = delete;

  Result<TreeHead> Head();
  Result<std::optional<uint64_t>> FindLeaf(const Hash& leaf);
  Result<std::optional<ReleaseRecord>> FindRelease(const std::string& release_key);

  // Atomically inserts the rows (with their entries, as pending) and sets the
  // tree head, durably (synced). REQUIRES: the rows' leaves and release keys
  // are not stored yet (the sequencer checks). An error leaves it unknown
  // whether the batch is durable (LevelDB then refuses every later write).
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

  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<leveldb::DB> db_;  // declared last: destroyed first
};

}  // namespace candor

#endif  // CANDOR_LOG_INDEX_H_
