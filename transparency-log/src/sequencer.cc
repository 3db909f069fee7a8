// Sequencer: group commit of admitted entries (see sequencer.h).
#include "candor/log/sequencer.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
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

Result<RightEdge> Sequencer::Rebuild(const LogStore& store, const CommittedState& state) {
  if (state.pending_from != state.flushed) {
    return Status::Internal("rebuilding needs the pending entries from the flushed size");
  }
  if (state.flushed > state.head.size) {
    return Status::Inconsistent("tiles flushed to " + std::to_string(state.flushed) +
                                " beyond the committed size " + std::to_string(state.head.size));
  }
  auto edge = RightEdge::Load(store, state.flushed);
  if (!edge.ok()) {
    return edge.status().WithContext("rebuilding the right edge at flushed size " +
                                     std::to_string(state.flushed));
  }
  if (state.flushed + state.pending.size() != state.head.size) {
    return Status::Inconsistent("committed size " + std::to_string(state.head.size) +
                                " but tiles hold " + std::to_string(state.flushed) +
                                " entries and the index " + std::to_string(state.pending.size()) +
                                " more");
  }
  for (const Bytes& e : state.pending) edge->Append(e, LeafHash(e));
  if (!HashEqual(edge->Root(), state.head.root)) {
    return Status::Inconsistent("tiles and committed entries at size " +
                                std::to_string(state.head.size) +
                                " do not hash to the committed root");
  }
  return edge;
}

Result<std::unique_ptr<Sequencer>> Sequencer::Open(LogStore* store, SequencerOptions options) {
  CANDOR_ASSIGN_OR_RETURN(CommittedState state, store->ReadCommitted());
  CANDOR_ASSIGN_OR_RETURN(RightEdge edge, Rebuild(*store, state));
  return std::unique_ptr<Sequencer>(
      new Sequencer(store, options, std::move(edge), state.head, state.flushed));
}

Sequencer::Sequencer(LogStore* store, SequencerOptions options, RightEdge edge, TreeHead head,
                     uint64_t flushed)
    : store_(store),
      options_(options),
      edge_(std::move(edge)),
      flushed_(flushed),
      recent_floor_(head.size),
      head_(head) {
  thread_ = std::thread([this] { Run(); });
}

Status Sequencer::Resync() {
  CANDOR_ASSIGN_OR_RETURN(CommittedState state, store_->ReadCommitted());
  CANDOR_ASSIGN_OR_RETURN(RightEdge edge, Rebuild(*store_, state));
  edge_ = std::move(edge);
  flushed_ = state.flushed;
  unwritten_.clear();  // the rebuilt edge emits everything since the flushed size again
  unflushed_bytes_ = 0;
  for (const Bytes& e : state.pending) unflushed_bytes_ += e.size();
  // Entries committed by another process are not in recent_releases_:
  // anything admitted before this head looks in the store again.
  recent_releases_.clear();
  recent_floor_ = state.head.size;
  resync_needed_ = false;
  std::lock_guard<std::mutex> lock(mu_);
  head_ = state.head;
  return Status::Ok();
}

Status Sequencer::CatchUp() {
  if (resync_needed_) return Resync();
  CANDOR_ASSIGN_OR_RETURN(TreeHead stored, store_->Head());
  if (stored.size == edge_.size() && HashEqual(stored.root, head_.root)) return Status::Ok();
  return Advance();
}

Status Sequencer::Advance() {
  CANDOR_ASSIGN_OR_RETURN(CommittedState state, store_->ReadCommittedFrom(edge_.size()));
  // Already flushed past this edge (it lagged long): rebuild from the tiles.
  if (state.pending_from != edge_.size() || state.head.size < edge_.size()) return Resync();
  size_t bytes = 0;
  for (const Bytes& e : state.pending) {
    edge_.Append(e, LeafHash(e));
    bytes += e.size();
  }
  if (!HashEqual(edge_.Root(), state.head.root)) return Resync();
  unflushed_bytes_ += bytes;
  // The others' release keys are not in recent_releases_: entries admitted
  // before this head look in the store.
  recent_releases_.clear();
  recent_floor_ = state.head.size;
  std::lock_guard<std::mutex> lock(mu_);
  head_ = state.head;
  return Status::Ok();
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
        // Not under mu_: FlushTiles may Resync, which takes it (a follower
        // whose last flush was fenced, a batch that lost its commit). Nothing
        // is queued or requested meanwhile: Add and Flush refuse once stopping.
        lock.unlock();
        (void)FlushTiles();  // best effort: a restart redoes it from the index
        lock.lock();
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
      // A checkpoint covers what every process sharing the store committed.
      Status st = flush_ticket > flush_done_ ? CatchUp() : Status::Ok();
      if (st.ok()) st = FlushTiles();
      if (!st.ok() && st.code() != Code::kConflict) {
        std::fprintf(stderr, "candor-log: writing tiles failed (will retry): %s\n",
                     st.ToString().c_str());
        if (options_.on_commit) options_.on_commit(0, std::chrono::nanoseconds(0), st);
      }
      std::lock_guard<std::mutex> lock(mu_);
      // Fenced (kConflict) is not a failure of this process: another one
      // integrates.
      flush_health_ = st.code() == Code::kConflict ? Status::Ok() : st;
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
  // The edge may hold entries of a batch that was not committed.
  if (resync_needed_) CANDOR_RETURN_IF_ERROR(Resync());
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
  Status st = store_->WriteTiles(unwritten_, edge_.size());
  if (st.code() == Code::kConflict) {
    // Fenced: another process integrates and writes these tiles. Drop them
    // (memory stays bounded) and re-read the store before the next commit,
    // which also brings back the files to write should this process become
    // the integrator.
    unwritten_.clear();
    unflushed_bytes_ = 0;
    flushed_ = edge_.size();
    resync_needed_ = true;
    return st;
  }
  CANDOR_RETURN_IF_ERROR(st);
  unwritten_.clear();
  unflushed_bytes_ = 0;
  flushed_ = edge_.size();
  return Status::Ok();
}

struct Sequencer::Decision {
  std::vector<IndexRow> rows;
  std::vector<std::pair<size_t, Result<AddOutcome>>> answers;  // answered after commit
  uint64_t start = 0;                                          // the first new index
};

// Decides each entry: new, duplicate (of logged or in-batch) or equivocation.
Sequencer::Decision Sequencer::Decide(const std::deque<Pending>& batch) {
  Decision d;
  std::unordered_map<Hash, uint64_t, HashKey> batch_leaves;
  std::unordered_map<std::string, ReleaseRecord> batch_releases;
  d.start = edge_.size();
  // The release keys recent_releases_ cannot answer, looked up in the store
  // all at once (one round trip on a database, LogStore::FindReleases):
  // entries admission did not look up (a store whose point lookups are not
  // cheap, log_routes.cc) or looked up before another process committed.
  // The store cannot move under this batch without its commit being stale.
  auto from_store = [&](const AdmittedEntry& e) {
    return !e.release_keys.empty() &&
           !(e.keys_absent_below && *e.keys_absent_below >= recent_floor_);
  };
  std::unordered_map<std::string, std::optional<ReleaseRecord>> stored;
  Status lookup = Status::Ok();
  {
    std::vector<std::string> keys;
    for (const Pending& p : batch) {
      if (!from_store(p.entry)) continue;
      for (const std::string& key : p.entry.release_keys) {
        if (stored.emplace(key, std::nullopt).second) keys.push_back(key);
      }
    }
    if (!keys.empty()) {
      Result<std::vector<std::optional<ReleaseRecord>>> found = store_->FindReleases(keys);
      if (!found.ok()) {
        lookup = found.status();
      } else if (found->size() != keys.size()) {
        lookup = Status::Internal("a release lookup answered " + std::to_string(found->size()) +
                                  " of " + std::to_string(keys.size()) + " keys");
      } else {
        for (size_t k = 0; k < keys.size(); ++k) stored[keys[k]] = (*found)[k];
      }
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const AdmittedEntry& e = batch[i].entry;
    std::optional<uint64_t> existing;
    std::optional<Status> refusal;
    if (auto it = batch_leaves.find(e.leaf); it != batch_leaves.end()) {
      existing = it->second;
    } else if (e.release_keys.empty()) {  // observations, raw entries (tests, benchmarks)
      auto found = store_->FindLeaf(e.leaf);
      if (!found.ok()) {
        d.answers.emplace_back(i, found.status());
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
        } else if (!from_store(e)) {
          // Admission found none below keys_absent_below; everything since is
          // in recent_releases_.
          if (auto r = recent_releases_.find(key); r != recent_releases_.end()) rec = r->second;
        } else if (!lookup.ok()) {
          refusal = lookup;
          break;
        } else {
          rec = stored.at(key);  // every such key was asked for above
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
      d.answers.emplace_back(i, *refusal);
      continue;
    }
    if (existing) {
      d.answers.emplace_back(i, AddOutcome{*existing, true});
      continue;
    }
    uint64_t idx = edge_.size();
    edge_.Append(e.entry, e.leaf);
    batch_leaves.emplace(e.leaf, idx);
    for (const std::string& key : e.release_keys) batch_releases[key] = ReleaseRecord{idx, e.leaf};
    d.rows.push_back(IndexRow{idx, e.leaf, e.release_keys, e.entry});
    d.answers.emplace_back(i, AddOutcome{idx, false});
  }
  return d;
}

// Decide every entry, commit once, then answer. Why no one is answered
// before the commit, and why a failed commit aborts rather than rolls back
// (no fork) on a store where it is fatal, only holds read as one sequence.
void Sequencer::ProcessBatch(std::deque<Pending>& batch) {
  // A commit that lost the race to another process sharing the store is
  // decided again on the state it lost to, after reserving the next commit;
  // 503 only when that has not succeeded within max_commit_wait.
  // A store shared with other processes: keep the edge before the batch, to
  // return to when the commit is stale (RightEdge::TakeFullFiles).
  const bool shared = !store_->CommitFailureIsFatal();
  Status commit = Status::Ok();
  Decision d;
  TreeHead head = head_;
  const auto commit_start = std::chrono::steady_clock::now();
  // Whether this batch reserved the store's next commit, and committed: a
  // reservation left behind (the batch turned out to need no commit, or
  // gave up) would hold the other processes off until it lapses.
  bool reserved = false, committed = false;
  for (int round = 0;; ++round) {
    if (resync_needed_) {
      commit = Resync();
      if (!commit.ok()) {
        commit =
            Status::Unavailable("the log cannot read its store (" + commit.message() + "); retry");
        d = Decision{};
        for (size_t i = 0; i < batch.size(); ++i) d.answers.emplace_back(i, commit);
        break;
      }
    }
    std::optional<RightEdge> before;
    if (shared) {
      for (StorageFile& f : edge_.TakeFullFiles()) unwritten_.push_back(std::move(f));
      before = edge_;
    }
    const TreeHead base = head_;
    d = Decide(batch);
    head = TreeHead{edge_.size(), base.root};
    if (d.rows.empty()) break;
    head.root = edge_.Root();
    // Refuse while the disk is nearly full, before writing anything: a write
    // that fails half-way cannot be told apart from a durable one (below).
    auto free = store_->FreeBytes();
    if (free.ok() && *free < options_.min_free_bytes) {
      commit = Status::Io("the log's disk is full (" + std::to_string(*free >> 20) +
                          " MiB free); retry later");
      resync_needed_ = true;  // the edge holds the refused entries
      break;
    }
    // One atomic, durable write: the batch's entries, index rows and the new
    // head. Tiles are written later (FlushTiles), from the edge.
    auto outcome = store_->Commit(base, d.rows, head);
    if (!outcome.ok()) {
      if (store_->CommitFailureIsFatal()) {
        // A failed commit is ambiguous: the write may be durable although it
        // reported an error (an fsync that failed after the data reached the
        // disk), and the restart would then adopt it. Rolling back in memory
        // and going on would hand these indices to other entries: a fork
        // (tests/faults/log_faults_test.cc). So, as PostgreSQL does on a
        // failed fsync: stop before answering anyone; the restart recovers.
        std::fprintf(stderr, "candor-log: fatal: committing a batch failed: %s\n",
                     outcome.status().ToString().c_str());
        std::abort();
      }
      // The store decides whether the batch is durable: nobody is told an
      // index, and the next batch reads the store again. A retry then finds
      // its entry logged (its index) or logs it once.
      commit = Status::Unavailable("committing to the log's store failed (" +
                                   outcome.status().message() + "); retry");
      resync_needed_ = true;
      break;
    }
    if (*outcome == CommitOutcome::kCommitted) {
      committed = true;  // which also released this process's reservation
      break;
    }
    // kStale: another process committed first, or holds the next commit.
    // Nothing was written: back to the edge before the batch.
    if (before) {
      edge_ = std::move(*before);
    } else {
      resync_needed_ = true;
    }
    if (std::chrono::steady_clock::now() - commit_start >= options_.max_commit_wait) {
      commit = Status::Unavailable("the log's store is busy with other writers; retry");
      break;
    }
    // A front-end that keeps committing would otherwise win every race
    // against one whose read-decide-commit round is slower (a loaded
    // machine): the loser reserves the next commit, which holds the others
    // off until it has committed (log_store.h), so every batch commits
    // within a round or two of losing. When another loser holds the
    // reservation, a random pause, growing with the rounds (up to ~6 ms),
    // waits for it to commit.
    Result<bool> reservation = store_->ReserveNextCommit();
    if (reservation.ok() && *reservation) reserved = true;
    if (!reservation.ok() || !*reservation) {
      thread_local std::minstd_rand jitter(std::random_device{}());
      const int cap_us = 100 << std::min(round, 6);
      std::this_thread::sleep_for(std::chrono::microseconds(jitter() % cap_us));
    }
    // Then what the others committed, read after the reservation: the head
    // the next round decides on is one nobody else can move.
    if (before && !Advance().ok()) resync_needed_ = true;
  }
  if (reserved && !committed) (void)store_->ReleaseReservation();  // it lapses anyway
  if (commit.ok()) {
    for (const IndexRow& row : d.rows) unflushed_bytes_ += row.entry.size();
  }
  if (!d.rows.empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      commit_health_ = commit;
    }
    if (options_.on_commit) {
      options_.on_commit(commit.ok() ? d.rows.size() : 0,
                         std::chrono::steady_clock::now() - commit_start, commit);
    }
  }
  if (commit.ok() && !d.rows.empty()) {
    if (recent_releases_.size() + d.rows.size() > options_.max_recent_releases) {
      // Forget: entries admitted before this point look in the index again.
      recent_releases_.clear();
      recent_floor_ = head.size;
    } else {
      for (const IndexRow& row : d.rows) {
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
  for (auto& [i, outcome] : d.answers) {
    if (!commit.ok() && outcome.ok() && !outcome->duplicate) {
      batch[i].done(commit);
    } else if (!commit.ok() && outcome.ok() && outcome->index >= d.start) {
      batch[i].done(commit);  // an in-batch duplicate of a failed entry
    } else {
      batch[i].done(std::move(outcome));
    }
  }
}

}  // namespace candor
