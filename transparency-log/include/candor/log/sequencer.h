// Sequencer: the log's single writer. Admitted entries are queued; one thread
// takes everything queued (up to max_batch) as one batch ("group commit"),
// assigns indices, writes the new tiles and entry bundles (fsynced, see
// storage.h), then commits the batch's index rows and the new tree head in one
// SQLite transaction (index.h). Only then are the batch's callers answered, so
// an index handed out is a promise that survives a crash.
//
// Per entry, in the batch, against the index and earlier entries of the batch:
//   - same leaf hash already logged/queued: the existing index (duplicate);
//   - same "vendor/product/version" with another leaf: kConflict naming the
//     existing index (equivocation);
//   - otherwise a new index.
//
// Restart: Open() reads the committed tree head from the index and rebuilds the
// right edge from tiles at that size (RightEdge::Load), checking that the
// recomputed root equals the committed one. Tiles or bundles beyond the
// committed size (written by a batch that crashed before its commit) were never
// acknowledged; they are overwritten by the next batches.
//
// Thread-safety: Add, Head and Stop may be called from any thread.
#ifndef CANDOR_LOG_SEQUENCER_H_
#define CANDOR_LOG_SEQUENCER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "candor/log/admission.h"
#include "candor/log/index.h"
#include "candor/log/right_edge.h"
#include "candor/log/storage.h"
#include "candor/status.h"

namespace candor {

struct SequencerOptions {
  size_t max_batch = 8192;    // entries per group commit
  size_t max_queue = 200000;  // queued entries before Add answers kUnavailable
};

struct AddOutcome {
  uint64_t index = 0;
  bool duplicate = false;  // the identical entry was already logged
};

class Sequencer {
 public:
  // REQUIRES: storage and index outlive the sequencer. Starts the thread.
  static Result<std::unique_ptr<Sequencer>> Open(TileStorage* storage, LogIndex* index,
                                                 SequencerOptions options = {});
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

  // The committed (durable) tree head.
  TreeHead Head() const;
  // Called (on the sequencer thread) after each committed batch.
  void SetOnCommit(std::function<void(const TreeHead&)> fn);

  // Finishes queued work, answers everything still queued with kUnavailable,
  // joins the thread. Idempotent.
  void Stop();

 private:
  struct Pending {
    AdmittedEntry entry;
    AddCallback done;
  };
  Sequencer(TileStorage* storage, LogIndex* index, SequencerOptions options, RightEdge edge,
            TreeHead head);
  void Run();
  void ProcessBatch(std::deque<Pending>& batch);

  TileStorage* storage_;
  LogIndex* index_;
  SequencerOptions options_;
  RightEdge edge_;  // sequencer thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  TreeHead head_;
  std::function<void(const TreeHead&)> on_commit_;
  std::thread thread_;
};

}  // namespace candor

#endif  // CANDOR_LOG_SEQUENCER_H_
