// Several processes' sequencers on one shared store (log_store.h,
// sequencer.h): two Sequencers, each on its own PgLogStore connection to one
// PostgreSQL database, as two candor-log front-ends run. Concurrent adds
// through both, with every entry submitted to both and some twice, must give
// one contiguous log: each entry once, every caller of one entry the same
// index, an equivocation refused whichever front-end saw the first version,
// and a root that the committed entries hash to.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "candor/log/pg_store.h"
#include "candor/log/sequencer.h"
#include "candor/merkle.h"
#include "support/postgres_cluster.h"

namespace candor {
namespace {

using testing::PostgresCluster;

AdmittedEntry Raw(const std::string& text, std::vector<std::string> keys = {}) {
  AdmittedEntry e;
  e.entry.assign(text.begin(), text.end());
  e.leaf = LeafHash(e.entry);
  e.release_keys = std::move(keys);
  return e;
}

// A PgLogStore on `conninfo` as the front-end named `holder`.
std::unique_ptr<PgLogStore> OpenAs(const std::string& conninfo, const std::string& holder) {
  PgStoreOptions o;
  o.holder = holder;
  auto s = PgLogStore::Open(conninfo, o);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(*s);
}

TEST_CASE("two sequencers on one PostgreSQL store never hand out an index twice") {
  auto cluster = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*cluster);
  const std::string conninfo = cluster->ConnectionString();
  REQUIRE(PgLogStore::Init(conninfo, "example.com/shared").ok());
  std::unique_ptr<PgLogStore> stores[2];
  std::unique_ptr<Sequencer> seqs[2];
  for (int i = 0; i < 2; ++i) {
    stores[i] = OpenAs(conninfo, "front-end-" + std::to_string(i));
    SequencerOptions so;
    so.max_batch = 64;  // many small batches: many races between the two
    auto q = Sequencer::Open(stores[i].get(), so);
    REQUIRE(q.ok());
    seqs[i] = std::move(*q);
  }
  // Each entry goes to both sequencers (a client retrying on the other
  // front-end), release keys on half of them; one release key is claimed by
  // two different entries, one through each front-end (an equivocation).
  constexpr int kEntries = 1500;
  std::vector<std::future<Result<AddOutcome>>> futs[2];
  std::thread feeders[2];
  for (int f = 0; f < 2; ++f) {
    feeders[f] = std::thread([&, f] {
      for (int i = 0; i < kEntries; ++i) {
        const int n = f == 0 ? i : kEntries - 1 - i;  // opposite orders: real races
        std::vector<std::string> keys;
        if (n % 2 == 0) keys.push_back("acme.example/p/" + std::to_string(n));
        futs[f].push_back(seqs[f]->Add(Raw("entry " + std::to_string(n), keys)));
      }
      futs[f].push_back(
          seqs[f]->Add(Raw("equivocation " + std::to_string(f), {"acme.example/p/equivocal"})));
    });
  }
  for (auto& t : feeders) t.join();
  std::map<int, uint64_t> index_of;
  int equivocations_refused = 0, equivocations_logged = 0;
  for (int f = 0; f < 2; ++f) {
    for (int i = 0; i < kEntries; ++i) {
      const int n = f == 0 ? i : kEntries - 1 - i;
      Result<AddOutcome> r = futs[f][i].get();
      REQUIRE_MESSAGE(r.ok(), r.status().ToString());
      auto [it, fresh] = index_of.emplace(n, r->index);
      CHECK(it->second == r->index);  // both callers of one entry: one index
    }
    Result<AddOutcome> eq = futs[f][kEntries].get();
    if (eq.ok()) {
      ++equivocations_logged;
    } else {
      CHECK(eq.status().code() == Code::kConflict);
      ++equivocations_refused;
    }
  }
  CHECK(equivocations_logged == 1);
  CHECK(equivocations_refused == 1);
  // One contiguous log of kEntries + 1 entries, each once.
  std::set<uint64_t> indices;
  for (const auto& [n, idx] : index_of) indices.insert(idx);
  CHECK(indices.size() == kEntries);
  Result<CommittedState> state = stores[0]->ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->head.size == kEntries + 1);
  CHECK(*indices.rbegin() <= kEntries);
  // The committed root is the root of the committed entries, in index order.
  std::vector<Hash> leaves;
  REQUIRE(state->flushed == 0);  // nobody integrated: every entry is pending
  for (const Bytes& e : state->pending) leaves.push_back(LeafHash(e));
  CHECK(HashEqual(state->head.root, RootFromLeafHashes(leaves)));
  for (const auto& [n, idx] : index_of) {
    CHECK(std::string(AsChars(state->pending[idx])) == "entry " + std::to_string(n));
  }
  for (auto& s : seqs) s->Stop();
}

// The real store with a slower commit: a front-end on a loaded machine or
// farther from the database, whose read-decide-commit round takes longer
// than the other front-end's commits.
class SlowCommits final : public LogStore {
 public:
  SlowCommits(LogStore* store, std::chrono::milliseconds delay) : s_(store), delay_(delay) {}
  std::string Describe() const override { return s_->Describe(); }
  Result<Bytes> ReadTile(const TileId& t) const override { return s_->ReadTile(t); }
  Result<Bytes> ReadEntryBundle(const EntryBundleId& b) const override {
    return s_->ReadEntryBundle(b);
  }
  Result<std::string> ReadCheckpoint() const override { return s_->ReadCheckpoint(); }
  std::string ServedDirectory() const override { return s_->ServedDirectory(); }
  Result<std::optional<uint64_t>> FindLeaf(const Hash& leaf) override { return s_->FindLeaf(leaf); }
  Result<std::optional<ReleaseRecord>> FindRelease(const std::string& key) override {
    return s_->FindRelease(key);
  }
  Result<std::vector<std::optional<ReleaseRecord>>> FindReleases(
      const std::vector<std::string>& keys) override {
    return s_->FindReleases(keys);
  }
  bool PointLookupsAreCheap() const override { return s_->PointLookupsAreCheap(); }
  Result<TreeHead> Head() override { return s_->Head(); }
  Result<CommittedState> ReadCommittedFrom(uint64_t from) override {
    return s_->ReadCommittedFrom(from);
  }
  Result<CommitOutcome> Commit(const TreeHead& base, const std::vector<IndexRow>& rows,
                               const TreeHead& head) override {
    std::this_thread::sleep_for(delay_);
    return s_->Commit(base, rows, head);
  }
  Result<bool> ReserveNextCommit() override { return s_->ReserveNextCommit(); }
  Status ReleaseReservation() override { return s_->ReleaseReservation(); }
  bool CommitFailureIsFatal() const override { return s_->CommitFailureIsFatal(); }
  Status WriteTiles(const std::vector<StorageFile>& f, uint64_t size) override {
    return s_->WriteTiles(f, size);
  }
  Result<uint64_t> FreeBytes() const override { return s_->FreeBytes(); }
  Result<bool> RenewIntegratorLease() override { return s_->RenewIntegratorLease(); }
  Status WriteCheckpoint(std::string_view note) override { return s_->WriteCheckpoint(note); }
  Status Health() override { return s_->Health(); }

 private:
  LogStore* s_;
  std::chrono::milliseconds delay_;
};

// A front-end whose commits are slower than another's, which commits without
// pause, must still commit: without the reservation (log_store.h) every one
// of its commits finds the head moved, and after max_commit_wait its batch
// is answered 503.
TEST_CASE("a slow front-end is not starved by one that keeps committing") {
  auto cluster = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*cluster);
  const std::string conninfo = cluster->ConnectionString();
  REQUIRE(PgLogStore::Init(conninfo, "example.com/shared").ok());
  std::unique_ptr<PgLogStore> fast_store = OpenAs(conninfo, "fast");
  std::unique_ptr<PgLogStore> slow_pg = OpenAs(conninfo, "slow");
  SlowCommits slow_store(slow_pg.get(), std::chrono::milliseconds(40));
  SequencerOptions so;
  so.max_commit_wait = std::chrono::milliseconds(4000);
  auto fast = Sequencer::Open(fast_store.get(), so);
  auto slow = Sequencer::Open(&slow_store, so);
  REQUIRE(fast.ok());
  REQUIRE(slow.ok());
  // The fast front-end commits one entry after another, as fast as it can.
  std::atomic<bool> stop{false};
  std::atomic<int> fast_logged{0}, fast_refused{0};
  std::thread busy([&] {
    for (int i = 0; !stop; ++i) {
      Result<AddOutcome> r = (*fast)->Add(Raw("fast " + std::to_string(i))).get();
      (r.ok() ? fast_logged : fast_refused)++;
    }
  });
  while (fast_logged < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<Result<AddOutcome>> slow_outcomes;
  for (int i = 0; i < 5; ++i) {
    slow_outcomes.push_back((*slow)->Add(Raw("slow " + std::to_string(i))).get());
  }
  const int logged_while_slow = fast_logged;
  stop = true;
  busy.join();
  for (const Result<AddOutcome>& r : slow_outcomes) {
    CHECK_MESSAGE(r.ok(), r.status().ToString());
  }
  CHECK(fast_refused == 0);
  MESSAGE("the fast front-end logged " << logged_while_slow << " entries meanwhile");
  // One log: the slow entries at distinct indices among the fast ones.
  Result<CommittedState> state = fast_store->ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->head.size == static_cast<uint64_t>(fast_logged) + 5);
  (*fast)->Stop();
  (*slow)->Stop();
}

// A follower's flush is fenced (another front-end integrates), which leaves
// its sequencer to re-read the store before its next commit. Stopping it
// then must not deadlock: the last flush at shutdown used to run under the
// sequencer's mutex, and the re-read takes it too.
TEST_CASE("a follower whose flush was fenced stops") {
  auto cluster = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*cluster);
  const std::string conninfo = cluster->ConnectionString();
  REQUIRE(PgLogStore::Init(conninfo, "example.com/shared").ok());
  std::unique_ptr<PgLogStore> a = OpenAs(conninfo, "integrator");
  std::unique_ptr<PgLogStore> b = OpenAs(conninfo, "follower");
  Result<bool> lease = a->RenewIntegratorLease();
  REQUIRE(lease.ok());
  REQUIRE(*lease);
  auto seq = Sequencer::Open(b.get());
  REQUIRE(seq.ok());
  REQUIRE((*seq)->Add(Raw("an entry")).get().ok());
  CHECK((*seq)->Flush().status().code() == Code::kConflict);  // fenced
  REQUIRE((*seq)->Add(Raw("another entry")).get().ok());
  CHECK((*seq)->Flush().status().code() == Code::kConflict);
  // Stop, bounded: a deadlock fails the run instead of hanging it.
  std::promise<void> stopped;
  std::future<void> done = stopped.get_future();
  std::thread stopper([&] {
    (*seq)->Stop();
    stopped.set_value();
  });
  if (done.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    std::fprintf(stderr, "Sequencer::Stop deadlocked after a fenced flush\n");
    std::_Exit(1);
  }
  stopper.join();
  Result<TreeHead> head = a->Head();
  REQUIRE(head.ok());
  CHECK(head->size == 2);
}

}  // namespace
}  // namespace candor
