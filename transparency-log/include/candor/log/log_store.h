// LogStore: everything a log commits, behind one interface, so that the
// sequencer, the publisher and the routes are the same code whichever engine
// keeps it (docs/LOG.md "Storage"):
//   - PosixLogStore (posix_store.h): a data directory, the embedded default.
//     Tiles and the checkpoint are files in the tlog-tiles layout (storage.h)
//     and the index is LevelDB (index.h). One process at a time (the
//     directory lock).
//   - PgLogStore (pg_store.h): a PostgreSQL database that any number of
//     candor-log processes share.
//
// The model both implement (what the sequencer relies on):
//   - The commit point is the committed tree head. Commit() stores a batch of
//     entries with their index rows and the new head atomically and durably,
//     but only if the committed head is still `base`: several processes may
//     commit to one store, and the one whose base is stale gets kStale back
//     with nothing written, re-reads the store (ReadCommitted) and decides its
//     batch again. So an index is never handed out twice.
//   - A writer that lost is not starved by one that keeps committing: it
//     reserves the next commit (ReserveNextCommit), which holds every other
//     writer's Commit (kStale, nothing written) until the reserver commits or
//     the reservation lapses, then re-reads and commits on a head nobody else
//     can move.
//   - Committed entries stay "pending" in the store until tiles covering them
//     are written (WriteTiles raises the flushed size and drops them), so the
//     right edge can always be rebuilt: tiles at the flushed size plus the
//     pending entries (Sequencer::Rebuild).
//   - Integration, writing tiles and publishing checkpoints, is one process's
//     job at a time: the integrator. RenewIntegratorLease() takes or renews
//     that role; WriteTiles and WriteCheckpoint are fenced, refused with
//     kConflict when the caller's lease has passed to another process, in the
//     same transaction as the write (a process that wakes from a pause cannot
//     write).
//
// Thread-safety: reads (ReadTile, ReadEntryBundle, ReadCheckpoint, FindLeaf,
// FindRelease, Head) from any thread; the sequencer's calls (ReadCommitted,
// Commit, WriteTiles) from one thread; the publisher's (RenewIntegratorLease,
// WriteCheckpoint) from one thread.
#ifndef CANDOR_LOG_LOG_STORE_H_
#define CANDOR_LOG_LOG_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/layout.h"
#include "candor/log/index.h"
#include "candor/log/storage.h"
#include "candor/status.h"

namespace candor {

// The committed state at one instant: what the right edge is rebuilt from
// (pending_from == flushed) or caught up with (pending_from == the size a
// process already has).
struct CommittedState {
  TreeHead head;
  uint64_t flushed = 0;        // tiles and bundles are durable up to here
  uint64_t pending_from = 0;   // the index of pending[0]: max(flushed, what was asked)
  std::vector<Bytes> pending;  // the committed entries [pending_from, head.size)
};

enum class CommitOutcome {
  kCommitted,  // durable (on a synchronous standby too, when one is configured)
  kStale,      // the committed head is not `base`: nothing was written
};

class LogStore {
 public:
  virtual ~LogStore() = default;

  // What the store is, for messages and /healthz: a directory, or a
  // PostgreSQL connection string without its password.
  virtual std::string Describe() const = 0;

  // ---- The served tree (any thread) ----
  // A tile / entry bundle of exactly this width; kNotFound if absent.
  virtual Result<Bytes> ReadTile(const TileId& tile) const = 0;
  virtual Result<Bytes> ReadEntryBundle(const EntryBundleId& bundle) const = 0;
  // The published checkpoint; kNotFound if none was published yet.
  virtual Result<std::string> ReadCheckpoint() const = 0;
  // The directory that holds the served tree as files, so that the routes
  // send them with sendfile() and nginx can serve it unchanged; empty when
  // the tree lives in a database (the routes then send ReadTile's bytes).
  virtual std::string ServedDirectory() const = 0;

  // ---- The index (any thread) ----
  virtual Result<std::optional<uint64_t>> FindLeaf(const Hash& leaf) = 0;
  virtual Result<std::optional<ReleaseRecord>> FindRelease(const std::string& release_key) = 0;
  // The records of many release keys at once, in the order asked (nullopt:
  // not logged): the sequencer's lookups for a whole batch, one round trip on
  // a database. By default one FindRelease per key.
  virtual Result<std::vector<std::optional<ReleaseRecord>>> FindReleases(
      const std::vector<std::string>& release_keys) {
    std::vector<std::optional<ReleaseRecord>> out;
    out.reserve(release_keys.size());
    for (const std::string& key : release_keys) {
      Result<std::optional<ReleaseRecord>> rec = FindRelease(key);
      if (!rec.ok()) return rec.status();
      out.push_back(*rec);
    }
    return out;
  }
  // Whether one FindRelease / FindLeaf is cheap enough to make per
  // submission, on the event loop: an in-process index (LevelDB's Bloom
  // filters answer absent keys from memory), not a network round trip.
  // Admission looks releases up before the signature check only then
  // (log_routes.h); otherwise the sequencer does, once per batch.
  virtual bool PointLookupsAreCheap() const = 0;
  // The committed head (cheap): lets a process see that another committed.
  virtual Result<TreeHead> Head() = 0;

  // ---- The sequencer (one thread) ----
  // The committed state, with the pending entries from max(flushed, `from`)
  // on: from 0 to rebuild the right edge, from the size a sequencer already
  // has to catch up with what other processes committed (cheap: only theirs).
  virtual Result<CommittedState> ReadCommittedFrom(uint64_t from) = 0;
  Result<CommittedState> ReadCommitted() { return ReadCommittedFrom(0); }
  // Atomically: if the committed head is `base`, stores the rows (entries
  // pending, leaf and release keys indexed) and sets the head to `head`.
  // REQUIRES: rows are indices base.size .. head.size-1 in order, and their
  // leaves and release keys were not found in this store at `base`.
  // An error leaves it unknown whether the batch is durable.
  virtual Result<CommitOutcome> Commit(const TreeHead& base, const std::vector<IndexRow>& rows,
                                       const TreeHead& head) = 0;
  // Reserves the next commit for this process: until it commits, or for the
  // store's reservation time (a reserver that died or paused must not stop
  // the log), every other process's Commit answers kStale and writes nothing.
  // False when another process holds a reservation. A store with one writer
  // has nobody to hold off (true).
  virtual Result<bool> ReserveNextCommit() = 0;
  // Gives this process's reservation up (if it holds one) without
  // committing: the batch it was for needed no commit after all, or its
  // sequencer gave up.
  virtual Status ReleaseReservation() = 0;
  // True when a failed Commit leaves this process unable to go on (LevelDB
  // refuses every later write, and the batch may be durable: only a restart
  // recovers). False when the store can simply be read again (PostgreSQL: the
  // transaction committed or it did not, and ReadCommitted tells which).
  virtual bool CommitFailureIsFatal() const = 0;
  // Durably writes the tiles and bundles of the tree of `size` and raises the
  // flushed size to `size` (never lowers it), dropping pending entries below.
  // Fenced (kConflict) when this process is not the integrator.
  // REQUIRES: size <= the committed size; `files` hold every tile and bundle
  // of the tree of `size` not yet written at the flushed size.
  virtual Status WriteTiles(const std::vector<StorageFile>& files, uint64_t size) = 0;
  // Bytes free for commits; commits are refused (kIo) below the sequencer's
  // minimum. A store that cannot tell answers UINT64_MAX.
  virtual Result<uint64_t> FreeBytes() const = 0;

  // ---- The integrator (the publisher's thread) ----
  // Takes the integrator's role if it is free, or renews it; true while this
  // process holds it. An error (the store is unreachable) means "not held".
  virtual Result<bool> RenewIntegratorLease() = 0;
  // Replaces the published checkpoint. Fenced (kConflict) when this process
  // is not the integrator.
  virtual Status WriteCheckpoint(std::string_view note) = 0;

  // ---- Health (any thread) ----
  // OK, or why the store cannot be relied on now (database unreachable, the
  // synchronous standby missing or lagging). /healthz.
  virtual Status Health() = 0;
};

}  // namespace candor

#endif  // CANDOR_LOG_LOG_STORE_H_
