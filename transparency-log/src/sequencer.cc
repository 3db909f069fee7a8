// Sequencer: group commit of admitted entries (see sequencer.h).
#include "candor/log/sequencer.h"

#include <cstdio>
#include <cstring>
#include <optional>
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

Result<std::unique_ptr<Sequencer>> Sequencer::Open(TileStorage* storage, LogIndex* index,
                                                   SequencerOptions options) {
  CANDOR_ASSIGN_OR_RETURN(TreeHead head, index->Head());
  auto edge = RightEdge::Load(*storage, head.size);
  if (!edge.ok()) {
    return edge.status().WithContext("rebuilding the right edge at committed size " +
                                     std::to_string(head.size));
  }
  if (!HashEqual(edge->Root(), head.root)) {
    return Status::Inconsistent("tiles at committed size " + std::to_string(head.size) +
                                " do not hash to the committed root");
  }
  return std::unique_ptr<Sequencer>(new Sequencer(storage, index, options, std::move(*edge), head));
}

Sequencer::Sequencer(TileStorage* storage, LogIndex* index, SequencerOptions options,
                     RightEdge edge, TreeHead head)
    : storage_(storage), index_(index), options_(options), edge_(std::move(edge)), head_(head) {
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
  std::lock_guard<std::mutex> lock(mu_);
  std::deque<Pending> rest = std::move(queue_);
  queue_.clear();
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

void Sequencer::SetOnCommit(std::function<void(const TreeHead&)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  on_commit_ = std::move(fn);
}

void Sequencer::Run() {
  while (true) {
    std::deque<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      size_t n = std::min(queue_.size(), options_.max_batch);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    ProcessBatch(batch);
  }
}

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
    if (auto it = batch_leaves.find(e.leaf); it != batch_leaves.end()) {
      existing = it->second;
    } else {
      auto found = index_->FindLeaf(e.leaf);
      if (!found.ok()) {
        answers.emplace_back(i, found.status());
        continue;
      }
      existing = *found;
    }
    if (existing) {
      answers.emplace_back(i, AddOutcome{*existing, true});
      continue;
    }
    std::optional<Status> refusal;
    for (const std::string& key : e.release_keys) {
      std::optional<ReleaseRecord> rec;
      if (auto it = batch_releases.find(key); it != batch_releases.end()) {
        rec = it->second;
      } else {
        auto found = index_->FindRelease(key);
        if (!found.ok()) {
          refusal = found.status();
          break;
        }
        rec = *found;
      }
      if (rec && !HashEqual(rec->leaf, e.leaf)) {
        refusal = Status::Conflict("equivocation: " + key + " already logged at index " +
                                   std::to_string(rec->index));
        break;
      }
    }
    if (refusal) {
      answers.emplace_back(i, *refusal);
      continue;
    }
    uint64_t idx = edge_.size();
    edge_.Append(e.entry, e.leaf);
    batch_leaves.emplace(e.leaf, idx);
    for (const std::string& key : e.release_keys) batch_releases[key] = ReleaseRecord{idx, e.leaf};
    rows.push_back(IndexRow{idx, e.leaf, e.release_keys});
    answers.emplace_back(i, AddOutcome{idx, false});
  }

  Status commit = Status::Ok();
  TreeHead head{edge_.size(), {}};
  if (!rows.empty()) {
    head.root = edge_.Root();
    commit = storage_->WriteFiles(edge_.TakeFiles());
    if (commit.ok()) {
      commit = index_->Commit(rows, head);
      if (!commit.ok()) {
        // A failed commit is ambiguous: when the WAL fsync fails, the WAL
        // may already hold the whole transaction, which SQLite then adopts
        // when it recovers the WAL at the next open, although it reported an
        // error (and hid the transaction) in this process. Rolling back in
        // memory and going on reused these indices and tile paths for other
        // entries, and the restart refused: "tiles at committed size do not
        // hash to the committed root" (tests/faults/log_faults_test.cc). So,
        // as PostgreSQL does on a failed fsync: stop before answering anyone;
        // the restart recovers from what is on disk, this batch's tiles intact.
        std::fprintf(stderr, "candor-log: fatal: committing the index failed: %s\n",
                     commit.ToString().c_str());
        std::abort();
      }
    }
    if (!commit.ok()) {
      // Nothing of this batch is committed: roll the in-memory edge back to the
      // committed state, which is still intact on disk.
      auto reloaded = RightEdge::Load(*storage_, start);
      if (reloaded.ok()) {
        edge_ = std::move(*reloaded);
      } else {
        std::fprintf(stderr, "candor-log: fatal: cannot reload right edge: %s\n",
                     reloaded.status().ToString().c_str());
        std::abort();
      }
    }
  }
  std::function<void(const TreeHead&)> on_commit;
  if (commit.ok() && !rows.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    head_ = head;
    on_commit = on_commit_;
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
  if (on_commit) on_commit(head);
}

}  // namespace candor
