// Sequencer: a log process's writer. Admitted entries are queued; one thread
// takes everything queued (up to max_batch) as one batch ("group commit"),
// assigns indices and commits the batch's entries, index rows and the new tree
// head in one atomic, durable LogStore::Commit (log_store.h): on the POSIX
// store one synced LevelDB write batch (index.h), one fsync per batch. Only
// then are the batch's callers answered, so an index handed out is a promise
// that survives a crash.
//
// Several processes may share one store (PostgreSQL): each runs a sequencer,
// and Commit succeeds only on the head it was decided against. A sequencer
// whose head is stale (another process committed) returns to the edge it had
// before the batch, appends the entries the others committed (only those:
// LogStore::ReadCommittedFrom) and decides the batch again, so duplicates and
// equivocations are judged against everything committed, by anyone, and a
// lost race costs one read of the others' entries, not a rebuild. A
// sequencer that lost reserves the next commit (LogStore::ReserveNextCommit)
// before it re-reads, so one that keeps committing cannot starve it.
//
// Tiles and entry bundles are written from the in-memory right edge later,
// between batches (FlushTiles): when a checkpoint is about to be published
// (Flush(), called by the publisher, so a published checkpoint always has its
// tiles durable), and whenever flush_entries / flush_bytes have accumulated
// (so memory stays bounded). Writing tiles once per checkpoint instead of once
// per batch takes the tile and directory fsyncs off the commit path. Only the
// integrator writes tiles (log_store.h); another process's sequencer drops the
// files its edge emits and re-reads the store before it next commits.
//
// A failed commit: on a store where it is fatal (LevelDB, the batch may be
// durable), the process stops before answering anyone; the restart recovers
// from disk. Otherwise (PostgreSQL) the batch is answered kUnavailable and the
// next batch first re-reads the store: a retry then finds its entry logged (the
// same index) or logs it once.
//
// Per entry, in the batch, against the index and earlier entries of the batch:
//   - same leaf hash already logged/queued: the existing index (duplicate);
//   - same "vendor/product/version" (or "trust-root/domain/version") with
//     another leaf: kConflict naming the existing index (equivocation);
//   - otherwise a new index.
//
// Restart: Open() reads the committed tree head and the flushed size from the
// store, rebuilds the right edge from the tiles at the flushed size
// (RightEdge::Load) plus the committed entries not yet in tiles, and checks
// that the recomputed root equals the committed one. Tiles or bundles on disk
// beyond the flushed size are not trusted; they are rewritten by the next
// flush.
//
// Thread-safety: Add, Head and Stop may be called from any thread.
#ifndef CANDOR_LOG_SEQUENCER_H_
#define CANDOR_LOG_SEQUENCER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "candor/log/admission.h"
#include "candor/log/index.h"
#include "candor/log/log_store.h"
#include "candor/log/right_edge.h"
#include "candor/status.h"

namespace candor {

struct SequencerOptions {
  size_t max_batch = 8192;    // entries per group commit
  size_t max_queue = 200000;  // queued entries before Add answers kUnavailable
  // Write tiles once this many entries (or bytes of entries) are committed
  // but not yet in tiles, even if no checkpoint is due.
  size_t flush_entries = 4096;
  size_t flush_bytes = size_t{16} << 20;
  // Batches are refused (kIo) while the data directory's file system has less
  // free space than this, so a full disk never half-writes a commit.
  uint64_t min_free_bytes = uint64_t{64} << 20;
  // Release keys of recent commits kept in memory for the entries admission
  // already looked up (AdmittedEntry::keys_absent_below); ~100 bytes a key.
  size_t max_recent_releases = size_t{1} << 15;
  // A batch that keeps losing its commit to other processes sharing the
  // store (LogStore::ReserveNextCommit makes that rare) is answered
  // kUnavailable after this long.
  std::chrono::milliseconds max_commit_wait{5000};
  // Metrics (log_metrics.h): called on the sequencer thread after each group
  // commit with the entries it logged (duplicates not counted), the time the
  // commit took and its outcome, and after each failed tile flush (entries 0).
  // Must be quick. Empty: nothing is reported.
  std::function<void(size_t entries, std::chrono::nanoseconds elapsed, const Status& outcome)>
      on_commit;
};

struct AddOutcome {
  uint64_t index = 0;
  bool duplicate = false;  // the identical entry was already logged
};

class Sequencer {
 public:
  // REQUIRES: store outlives the sequencer. Starts the thread.
  static Result<std::unique_ptr<Sequencer>> Open(LogStore* store, SequencerOptions options = {});
  ~Sequencer();  // Stop()

  // Queues an admitted entry; `done` is called once, when the entry is durable
  // (or refused: kConflict for equivocation, kUnavailable when overloaded or
  // stopping, kIo when the batch could not be written). It runs on the
  // sequencer thread after the batch's commit (or on the calling thread for an
  // immediate refusal), so it must be quick: it answers an HTTP request.
  using AddCallback = std::function<void(Result<AddOutcome>)>;
  void Add(AdmittedEntry entry, AddCallback done);
  // The same, as a future.
  std::future<Result<AddOutcome>> Add(AdmittedEntry entry);

  // The committed (durable) tree head, as this process last saw it (another
  // process sharing the store may have committed more: LogStore::Head).
  TreeHead Head() const;
  // Whether the log can commit: OK, or the error of the last group commit or
  // tile flush when it failed (a later success clears it). /healthz.
  Status WriteHealth() const;
  // Catches up with the store's committed head, writes tiles and bundles for
  // everything committed and returns the head they describe: the head to sign
  // a checkpoint for. Blocks until the sequencer thread has done it (after the
  // batch in progress). kConflict when another process is the integrator.
  Result<TreeHead> Flush();

  // Finishes queued work, answers everything still queued with kUnavailable,
  // joins the thread. Idempotent.
  void Stop();

 private:
  struct Pending {
    AdmittedEntry entry;
    AddCallback done;
  };
  // A decided batch: the rows to commit and every caller's answer.
  struct Decision;
  Sequencer(LogStore* store, SequencerOptions options, RightEdge edge, TreeHead head,
            uint64_t flushed);
  // The right edge of the committed state: tiles at its flushed size plus its
  // pending entries, checked against its root.
  static Result<RightEdge> Rebuild(const LogStore& store, const CommittedState& state);
  void Run();
  void ProcessBatch(std::deque<Pending>& batch);
  // Sequencer thread: decides every entry of the batch against edge_, the
  // store and the batch itself, appending the new ones to edge_.
  Decision Decide(const std::deque<Pending>& batch);
  // Sequencer thread: re-reads the store and rebuilds edge_ and the caches
  // from it (another process committed, or a commit failed).
  Status Resync();
  // Sequencer thread: catches up with the store's head if it moved.
  Status CatchUp();
  // Sequencer thread: appends to edge_ (which holds only committed entries)
  // the entries other processes committed since; Resync when those are no
  // longer pending or do not hash to the committed root.
  Status Advance();
  // Sequencer thread: writes the tiles for edge_.size() and marks them flushed.
  Status FlushTiles();

  LogStore* store_;
  SequencerOptions options_;
  // Sequencer thread only:
  RightEdge edge_;
  bool resync_needed_ = false;          // edge_ may differ from the store
  uint64_t flushed_ = 0;                // tiles durable up to here
  size_t unflushed_bytes_ = 0;          // entry bytes committed since
  std::vector<StorageFile> unwritten_;  // taken from the edge, not yet written
  // The release keys committed at index >= recent_floor_ (at most
  // options_.max_recent_releases, then forgotten and the floor raised): what an entry
  // admitted with keys_absent_below >= recent_floor_ is checked against
  // instead of the index, so an entry costs one index lookup, not two.
  std::unordered_map<std::string, ReleaseRecord> recent_releases_;
  uint64_t recent_floor_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  TreeHead head_;
  Status commit_health_;  // the last group commit's outcome (WriteHealth)
  Status flush_health_;   // the last tile flush's outcome (WriteHealth)
  // Flush() handshake.
  std::condition_variable flush_cv_;
  uint64_t flush_requested_ = 0;
  uint64_t flush_done_ = 0;
  Status flush_status_;
  TreeHead flushed_head_;
  bool thread_running_ = true;
  std::thread thread_;
};

}  // namespace candor

#endif  // CANDOR_LOG_SEQUENCER_H_
