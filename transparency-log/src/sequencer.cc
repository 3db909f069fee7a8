// Sequencer: group commit of admitted entries (see sequencer.h).
#include "candor/log/sequencer.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

#include "candor/merkle.h"

namespace candor {
namespace {

struct HashKey {
  size_t operator()(const Hash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof(v));
    return v;
  }
};

}  // namespace

Result<RightEdge> Sequencer::Rebuild(const TileStorage& storage, LogIndex& index, uint64_t flushed,
                                     const TreeHead& head) {
  if (flushed > head.size) {
    return Status::Inconsistent("tiles flushed to " + std::to_string(flushed) +
                                " beyond the committed size " + std::to_string(head.size));
  }
  auto edge = RightEdge::Load(storage, flushed);
  if (!edge.ok()) {
    return edge.status().WithContext("rebuilding the right edge at flushed size " +
                                     std::to_string(flushed));
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<Bytes> pending, index.PendingEntries(flushed));
  if (flushed + pending.size() != head.size) {
    return Status::Inconsistent("committed size " + std::to_string(head.size) + " but tiles hold " +
                                std::to_string(flushed) + " entries and the index " +
                                std::to_string(pending.size()) + " more");
  }
  for (const Bytes& e : pending) edge->Append(e, LeafHash(e));
  if (!HashEqual(edge->Root(), head.root)) {
    return Status::Inconsistent("tiles and committed entries at size " + std::to_string(head.size) +
                                " do not hash to the committed root");
  }
  return edge;
}

Result<std::unique_ptr<Sequencer>> Sequencer::Open(TileStorage* storage, LogIndex* index,
                                                   SequencerOptions options) {
  CANDOR_ASSIGN_OR_RETURN(TreeHead head, index->Head());
  CANDOR_ASSIGN_OR_RETURN(uint64_t flushed, index->FlushedSize());
  CANDOR_ASSIGN_OR_RETURN(RightEdge edge, Rebuild(*storage, *index, flushed, head));
  return std::unique_ptr<Sequencer>(
      new Sequencer(storage, index, options, std::move(edge), head, flushed));
}

Sequencer::Sequencer(TileStorage* storage, LogIndex* index, SequencerOptions options,
                     RightEdge edge, TreeHead head, uint64_t flushed)
    : storage_(storage),
      index_(index),
      options_(options),
      edge_(std::move(edge)),
      flushed_(flushed),
      recent_floor_(head.size),
      head_(head) {
  thread_ = std::thread([this] { Run(); });
}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::unique_lock<std::mutex> lock(mu_);
  std::deque<Pending> rest = std::move(queue_);
  queue_.clear();
  flush_cv_.notify_all();  // Flush() callers: the thread is gone
  lock.unlock();
  for (auto& p : rest) p.done(Status::Unavailable("log is shutting down"));
}

void Sequencer::Add(AdmittedEntry entry, AddCallback done) {
  std::optional<Status> refusal;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refusal = Status::Unavailable("log is shutting down");
    } else if (queue_.size() >= options_.max_queue) {
      refusal = Status::Unavailable("log is overloaded, retry later");
    } else {
      queue_.push_back(Pending{std::move(entry), std::move(done)});
    }
  }
  if (refusal) return done(*refusal);  // outside the lock: done may do anything
  cv_.notify_one();
}

std::future<Result<AddOutcome>> Sequencer::Add(AdmittedEntry entry) {
  auto promise = std::make_shared<std::promise<Result<AddOutcome>>>();
  auto fut = promise->get_future();
  Add(std::move(entry), [promise](Result<AddOutcome> r) { promise->set_value(std::move(r)); });
  return fut;
}

TreeHead Sequencer::Head() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_;
}

Status Sequencer::WriteHealth() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!commit_health_.ok()) return commit_health_.WithContext("group commit");
  if (!flush_health_.ok()) return flush_health_.WithContext("writing tiles");
  return Status::Ok();
}

Result<TreeHead> Sequencer::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return Status::Unavailable("log is shutting down");
  const uint64_t ticket = ++flush_requested_;
  cv_.notify_all();
  flush_cv_.wait(lock, [&] { return flush_done_ >= ticket || !thread_running_; });
  if (flush_done_ < ticket) return Status::Unavailable("log is shutting down");
  if (!flush_status_.ok()) return flush_status_;
  return flushed_head_;
}

void Sequencer::Run() {
  while (true) {
    std::deque<Pending> batch;
    uint64_t flush_ticket = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock,
               [&] { return stopping_ || !queue_.empty() || flush_requested_ > flush_done_; });
      if (queue_.empty() && flush_requested_ == flush_done_) {  // stopping and drained
        (void)FlushTiles();  // best effort: a restart redoes it from the index
        thread_running_ = false;
        flush_cv_.notify_all();
        return;
      }
      size_t n = std::min(queue_.size(), options_.max_batch);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      flush_ticket = flush_requested_;
    }
    if (!batch.empty()) ProcessBatch(batch);
    // Flush after the batch, so that a checkpoint asked for now includes it.
    const bool due = edge_.size() - flushed_ >= options_.flush_entries ||
                     unflushed_bytes_ >= options_.flush_bytes;
    if (flush_ticket > flush_done_ || due) {
      Status st = FlushTiles();
      if (!st.ok()) {
        std::fprintf(stderr, "candor-log: writing tiles failed (will retry): %s\n",
                     st.ToString().c_str());
        if (options_.on_commit) options_.on_commit(0, std::chrono::nanoseconds(0), st);
      }
      std::lock_guard<std::mutex> lock(mu_);
      flush_health_ = st;
      if (flush_ticket > flush_done_) {
        flush_done_ = flush_ticket;
        flush_status_ = st;
        flushed_head_ = head_;
        flush_cv_.notify_all();
      }
    }
  }
}

Status Sequencer::FlushTiles() {
  if (edge_.size() == flushed_ && unwritten_.empty()) return Status::Ok();
  for (StorageFile& f : edge_.TakeFiles()) unwritten_.push_back(std::move(f));
  // A retry after a failure may hold a path twice: write its latest version once.
  std::unordered_map<std::string, size_t> last;
  for (size_t i = 0; i < unwritten_.size(); ++i) last[unwritten_[i].path] = i;
  if (last.size() != unwritten_.size()) {
    std::vector<StorageFile> unique;
    for (size_t i = 0; i < unwritten_.size(); ++i) {
      if (last[unwritten_[i].path] == i) unique.push_back(std::move(unwritten_[i]));
    }
    unwritten_ = std::move(unique);
  }
  CANDOR_RETURN_IF_ERROR(storage_->WriteFiles(unwritten_));
  unwritten_.clear();
  unflushed_bytes_ = 0;
  // The tiles are durable: the pending copies in the index can go.
  CANDOR_RETURN_IF_ERROR(index_->MarkFlushed(edge_.size()));
  flushed_ = edge_.size();
  return Status::Ok();
}

// One function (~120 lines) on purpose: decide every entry, commit once, then
// answer. Why no one is answered before the commit, and why a failed commit
// aborts rather than rolls back (no fork), only holds read as one sequence.
void Sequencer::ProcessBatch(std::deque<Pending>& batch) {
  // Decide each entry: new, duplicate (of logged or in-batch) or equivocation.
  std::unordered_map<Hash, uint64_t, HashKey> batch_leaves;
  std::unordered_map<std::string, ReleaseRecord> batch_releases;
  std::vector<IndexRow> rows;
  std::vector<std::pair<size_t, Result<AddOutcome>>> answers;  // answered after commit
  const uint64_t start = edge_.size();
  for (size_t i = 0; i < batch.size(); ++i) {
    const AdmittedEntry& e = batch[i].entry;
    std::optional<uint64_t> existing;
    std::optional<Status> refusal;
    if (auto it = batch_leaves.find(e.leaf); it != batch_leaves.end()) {
      existing = it->second;
    } else if (e.release_keys.empty()) {  // observations, raw entries (tests, benchmarks)
      auto found = index_->FindLeaf(e.leaf);
      if (!found.ok()) {
        answers.emplace_back(i, found.status());
        continue;
      }
      existing = *found;
    } else {
      // One lookup per release key answers both questions: an identical
      // entry has the same release keys, stored with its own leaf
      // (duplicate); another leaf under one of them is an equivocation. So
      // the leaf index is written but never read on this path.
      for (const std::string& key : e.release_keys) {
        std::optional<ReleaseRecord> rec;
        if (auto known = batch_releases.find(key); known != batch_releases.end()) {
          rec = known->second;
        } else if (e.keys_absent_below && *e.keys_absent_below >= recent_floor_) {
          // Admission found none below keys_absent_below; everything since is
          // in recent_releases_.
          if (auto r = recent_releases_.find(key); r != recent_releases_.end()) rec = r->second;
        } else {
          auto found = index_->FindRelease(key);
          if (!found.ok()) {
            refusal = found.status();
            break;
          }
          rec = *found;
        }
        if (!rec) continue;
        if (HashEqual(rec->leaf, e.leaf)) {
          existing = rec->index;
        } else {
          refusal = Status::Conflict("equivocation: " + key + " already logged at index " +
                                     std::to_string(rec->index));
        }
        break;
      }
    }
    if (refusal) {
      answers.emplace_back(i, *refusal);
      continue;
    }
    if (existing) {
      answers.emplace_back(i, AddOutcome{*existing, true});
      continue;
    }
    uint64_t idx = edge_.size();
    edge_.Append(e.entry, e.leaf);
    batch_leaves.emplace(e.leaf, idx);
    for (const std::string& key : e.release_keys) batch_releases[key] = ReleaseRecord{idx, e.leaf};
    rows.push_back(IndexRow{idx, e.leaf, e.release_keys, e.entry});
    answers.emplace_back(i, AddOutcome{idx, false});
  }

  Status commit = Status::Ok();
  TreeHead head{edge_.size(), {}};
  const auto commit_start = std::chrono::steady_clock::now();
  if (!rows.empty()) {
    head.root = edge_.Root();
    // Refuse while the disk is nearly full, before writing anything: a write
    // that fails half-way cannot be told apart from a durable one (below).
    auto free = storage_->FreeBytes();
    if (free.ok() && *free < options_.min_free_bytes) {
      commit = Status::Io("the log's disk is full (" + std::to_string(*free >> 20) +
                          " MiB free); retry later");
    } else {
      // One synced write: the batch's entries, index rows and the new head.
      // Tiles are written later (FlushTiles), from the edge.
      commit = index_->Commit(rows, head);
      if (!commit.ok()) {
        // A failed commit is ambiguous: the write may be durable although it
        // reported an error (an fsync that failed after the data reached the
        // disk), and the restart would then adopt it. Rolling back in memory
        // and going on would hand these indices to other entries: a fork
        // (tests/faults/log_faults_test.cc). So, as PostgreSQL does on a failed
        // fsync: stop before answering anyone; the restart recovers from disk.
        std::fprintf(stderr, "candor-log: fatal: committing a batch failed: %s\n",
                     commit.ToString().c_str());
        std::abort();
      }
      for (const IndexRow& row : rows) unflushed_bytes_ += row.entry.size();
    }
    if (!commit.ok()) {
      // Nothing of this batch was written: back to the committed state.
      std::lock_guard<std::mutex> lock(mu_);
      auto rebuilt = Rebuild(*storage_, *index_, flushed_, head_);
      if (!rebuilt.ok()) {
        std::fprintf(stderr, "candor-log: fatal: cannot rebuild the right edge: %s\n",
                     rebuilt.status().ToString().c_str());
        std::abort();
      }
      edge_ = std::move(*rebuilt);
      unwritten_.clear();  // the rebuilt edge emits everything since flushed_ again
    }
  }
  if (!rows.empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      commit_health_ = commit;
    }
    if (options_.on_commit) {
      options_.on_commit(commit.ok() ? rows.size() : 0,
                         std::chrono::steady_clock::now() - commit_start, commit);
    }
  }
  if (commit.ok() && !rows.empty()) {
    if (recent_releases_.size() + rows.size() > options_.max_recent_releases) {
      // Forget: entries admitted before this point look in the index again.
      recent_releases_.clear();
      recent_floor_ = head.size;
    } else {
      for (const IndexRow& row : rows) {
        for (const std::string& key : row.release_keys) {
          recent_releases_[key] = ReleaseRecord{row.index, row.leaf};
        }
      }
    }
    // Published only now: admission's lookups for sizes up to head.size
    // (LoggedReleases) find these rows in the index or in recent_releases_.
    std::lock_guard<std::mutex> lock(mu_);
    head_ = head;
  }
  for (auto& [i, outcome] : answers) {
    if (!commit.ok() && outcome.ok() && !outcome->duplicate) {
      batch[i].done(commit);
    } else if (!commit.ok() && outcome.ok() && outcome->index >= start) {
      batch[i].done(commit);  // an in-batch duplicate of a failed entry
    } else {
      batch[i].done(std::move(outcome));
    }
  }
}

}  // namespace candor
