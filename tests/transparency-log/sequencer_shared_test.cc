// Several processes' sequencers on one shared store (log_store.h,
// sequencer.h): two Sequencers, each on its own PgLogStore connection to one
// PostgreSQL database, as two candor-log front-ends run. Concurrent adds
// through both, with every entry submitted to both and some twice, must give
// one contiguous log: each entry once, every caller of one entry the same
// index, an equivocation refused whichever front-end saw the first version,
// and a root that the committed entries hash to.
#include <doctest/doctest.h>

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

TEST_CASE("two sequencers on one PostgreSQL store never hand out an index twice") {
  auto cluster = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*cluster);
  const std::string conninfo = cluster->ConnectionString();
  REQUIRE(PgLogStore::Init(conninfo, "example.com/shared").ok());
  std::unique_ptr<PgLogStore> stores[2];
  std::unique_ptr<Sequencer> seqs[2];
  for (int i = 0; i < 2; ++i) {
    PgStoreOptions o;
    o.holder = "front-end-" + std::to_string(i);
    auto s = PgLogStore::Open(conninfo, o);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    stores[i] = std::move(*s);
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

}  // namespace
}  // namespace candor
