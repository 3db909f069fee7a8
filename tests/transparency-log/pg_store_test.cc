// LogStore's contract (log_store.h), written once and run against both
// engines: PosixLogStore (a temporary directory and LevelDB) and PgLogStore
// (a real PostgreSQL server, tests/support/postgres_cluster.h). Then what
// only PostgreSQL does: several front-ends on one database (one integrator,
// fencing, takeover), one-line connection errors, reconnection after the
// server restarts, and Health's synchronous standby check.
//
// The PostgreSQL cases share one cluster (each its own database), except the
// one that kills its server. Skips without a PostgreSQL server unless
// CANDOR_REQUIRE_POSTGRES=1.
#include "candor/log/pg_store.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "candor/layout.h"
#include "candor/log/pg_connection.h"
#include "candor/log/posix_store.h"
#include "candor/merkle.h"
#include "support/postgres_cluster.h"
#include "support/temp_dir.h"

namespace candor {
namespace {

using testing::PostgresCluster;
using testing::TempDir;

// The value of a result that must be OK; the test stops with its status
// otherwise.
template <typename T>
T Ok(Result<T> r) {
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// A batch of entries on top of a tree, with the leaves of the whole tree so
// far (to compute the new root as the sequencer would).
struct Batch {
  std::vector<Bytes> entries;
  std::vector<IndexRow> rows;
  TreeHead head;
};

// `n` entries tagged `tag` after `leaves` (which it extends); entry i claims
// the release key "<tag>/<i>", and every third entry a second key too.
Batch MakeBatch(std::vector<Hash>& leaves, uint64_t n, const std::string& tag,
                size_t entry_size = 0) {
  Batch b;
  const uint64_t base = leaves.size();
  b.entries.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string text = tag + " entry " + std::to_string(base + i);
    if (text.size() < entry_size) text.resize(entry_size, '.');
    b.entries.push_back(ToBytes(text));
  }
  for (uint64_t i = 0; i < n; ++i) {
    IndexRow row;
    row.index = base + i;
    row.leaf = LeafHash(b.entries[i]);
    row.release_keys.push_back(tag + "/" + std::to_string(base + i));
    if (i % 3 == 0) row.release_keys.push_back(tag + "/alias/" + std::to_string(base + i));
    row.entry = b.entries[i];
    leaves.push_back(row.leaf);
    b.rows.push_back(std::move(row));
  }
  b.head.size = leaves.size();
  b.head.root = RootFromLeafHashes(leaves);
  return b;
}

// One engine under the contract: opens the store (again, on the same
// storage, after the previous one is destroyed).
struct Engine {
  std::string name;
  // PosixLogStore is the only writer of its directory: a stale base there is
  // a bug (kInternal), not a race (kStale). Either way nothing is written.
  bool single_writer = false;
  std::function<std::unique_ptr<LogStore>()> open;
};

void RunContract(const Engine& engine) {
  INFO(engine.name);
  std::unique_ptr<LogStore> store = engine.open();
  REQUIRE(store != nullptr);

  // A new store: the empty tree, nothing flushed, pending, published or
  // indexed.
  Result<TreeHead> head = store->Head();
  REQUIRE(head.ok());
  CHECK(head->size == 0);
  CHECK(HashEqual(head->root, EmptyTreeHash()));
  Result<CommittedState> state = store->ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->head.size == 0);
  CHECK(state->flushed == 0);
  CHECK(state->pending.empty());
  CHECK(store->ReadCheckpoint().status().code() == Code::kNotFound);
  CHECK(store->ReadTile(TileId{0, 0, 256}).status().code() == Code::kNotFound);
  CHECK(store->ReadEntryBundle(EntryBundleId{0, 256}).status().code() == Code::kNotFound);
  CHECK(Ok(store->FindLeaf(LeafHash(ToBytes("absent")))) == std::nullopt);
  CHECK(Ok(store->FindRelease("absent/1")) == std::nullopt);
  CHECK(store->FreeBytes().ok());
  REQUIRE(Ok(store->RenewIntegratorLease()));

  // A commit: the head moves, the rows are indexed, the entries pending.
  std::vector<Hash> leaves;
  const TreeHead empty = *head;
  Batch first = MakeBatch(leaves, 3, "first");
  Result<CommitOutcome> outcome = store->Commit(empty, first.rows, first.head);
  REQUIRE_MESSAGE(outcome.ok(), outcome.status().ToString());
  CHECK(*outcome == CommitOutcome::kCommitted);
  head = store->Head();
  REQUIRE(head.ok());
  CHECK(head->size == 3);
  CHECK(HashEqual(head->root, first.head.root));
  for (const IndexRow& row : first.rows) {
    CHECK(Ok(store->FindLeaf(row.leaf)) == std::optional<uint64_t>(row.index));
    for (const std::string& key : row.release_keys) {
      Result<std::optional<ReleaseRecord>> rec = store->FindRelease(key);
      REQUIRE(rec.ok());
      REQUIRE(rec->has_value());
      CHECK((*rec)->index == row.index);
      CHECK(HashEqual((*rec)->leaf, row.leaf));
    }
  }
  // Many keys at once, in the order asked: found, absent, asked twice.
  {
    const std::vector<std::string> keys = {first.rows[2].release_keys[0], "absent/1",
                                           first.rows[0].release_keys[0],
                                           first.rows[2].release_keys[0]};
    std::vector<std::optional<ReleaseRecord>> recs = Ok(store->FindReleases(keys));
    REQUIRE(recs.size() == 4);
    REQUIRE(recs[0].has_value());
    CHECK(recs[0]->index == 2);
    CHECK(HashEqual(recs[0]->leaf, first.rows[2].leaf));
    CHECK(!recs[1].has_value());
    REQUIRE(recs[2].has_value());
    CHECK(recs[2]->index == 0);
    REQUIRE(recs[3].has_value());
    CHECK(recs[3]->index == 2);
    CHECK(Ok(store->FindReleases({})).empty());
  }
  state = store->ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->head.size == 3);
  CHECK(state->flushed == 0);
  CHECK(state->pending == first.entries);

  // A commit on a stale base (the empty tree again) writes nothing.
  {
    std::vector<Hash> other;
    Batch stale = MakeBatch(other, 2, "stale");
    Result<CommitOutcome> r = store->Commit(empty, stale.rows, stale.head);
    if (engine.single_writer) {
      CHECK(r.status().code() == Code::kInternal);
    } else {
      REQUIRE(r.ok());
      CHECK(*r == CommitOutcome::kStale);
    }
    CHECK(Ok(store->Head()).size == 3);
    CHECK(Ok(store->FindLeaf(stale.rows[0].leaf)) == std::nullopt);
    CHECK(Ok(store->FindRelease("stale/0")) == std::nullopt);
  }

  Batch second = MakeBatch(leaves, 2, "second");
  outcome = store->Commit(first.head, second.rows, second.head);
  REQUIRE(outcome.ok());
  CHECK(*outcome == CommitOutcome::kCommitted);

  // Tiles for size 3: flushed rises, the entries below drop out of pending.
  const TileId tile{0, 0, 3};
  const EntryBundleId bundle{0, 3};
  const Bytes tile_bytes = ToBytes(std::string(96, 't'));
  const Bytes bundle_bytes = ToBytes("three entries");
  REQUIRE(
      store->WriteTiles({{TilePath(tile), tile_bytes}, {EntryBundlePath(bundle), bundle_bytes}}, 3)
          .ok());
  state = store->ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->head.size == 5);
  CHECK(state->flushed == 3);
  CHECK(state->pending == second.entries);
  CHECK(Ok(store->ReadTile(tile)) == tile_bytes);
  CHECK(Ok(store->ReadEntryBundle(bundle)) == bundle_bytes);
  // Another width of the same tile is another file.
  CHECK(store->ReadTile(TileId{0, 0, 4}).status().code() == Code::kNotFound);
  // Never lowered; a rewritten tile replaces the old bytes.
  const Bytes tile_again = ToBytes(std::string(96, 'u'));
  REQUIRE(store->WriteTiles({{TilePath(tile), tile_again}}, 2).ok());
  state = store->ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->flushed == 3);
  CHECK(state->pending == second.entries);
  CHECK(Ok(store->ReadTile(tile)) == tile_again);

  // Catching up (ReadCommittedFrom): the pending entries from
  // max(flushed, from), never past the head.
  struct From {
    uint64_t from, pending_from;
  };
  for (const From& f : {From{0, 3}, From{2, 3}, From{3, 3}, From{4, 4}, From{5, 5}, From{9, 5}}) {
    CAPTURE(f.from);
    Result<CommittedState> since = store->ReadCommittedFrom(f.from);
    REQUIRE(since.ok());
    CHECK(since->head.size == 5);
    CHECK(since->flushed == 3);
    CHECK(since->pending_from == f.pending_from);
    const std::vector<Bytes> want(second.entries.begin() + (f.pending_from - 3),
                                  second.entries.end());
    CHECK(since->pending == want);
  }

  REQUIRE(store->WriteCheckpoint("origin\n5\nroot\n").ok());
  CHECK(Ok(store->ReadCheckpoint()) == "origin\n5\nroot\n");
  REQUIRE(store->WriteCheckpoint("origin\n5\nroot2\n").ok());
  CHECK(Ok(store->ReadCheckpoint()) == "origin\n5\nroot2\n");

  // Everything is still there when the store is opened again.
  store.reset();
  store = engine.open();
  REQUIRE(store != nullptr);
  state = store->ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->head.size == 5);
  CHECK(HashEqual(state->head.root, second.head.root));
  CHECK(state->flushed == 3);
  CHECK(state->pending == second.entries);
  CHECK(Ok(store->FindLeaf(second.rows[1].leaf)) == std::optional<uint64_t>(4));
  CHECK(Ok(store->ReadCheckpoint()) == "origin\n5\nroot2\n");
}

// Commits `batches` batches of `n` entries on top of the store's tree (whose
// leaves are `leaves`), printing the rate (a figure, not an assertion: wall
// times vary).
void CommitBatches(LogStore& store, const std::string& name, std::vector<Hash>& leaves, uint64_t n,
                   int batches) {
  TreeHead base = Ok(store.Head());
  REQUIRE(base.size == leaves.size());
  std::chrono::steady_clock::duration spent{};
  for (int b = 0; b < batches; ++b) {
    Batch batch = MakeBatch(leaves, n, "bulk", 600);
    const auto start = std::chrono::steady_clock::now();
    Result<CommitOutcome> r = store.Commit(base, batch.rows, batch.head);
    spent += std::chrono::steady_clock::now() - start;
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    REQUIRE(*r == CommitOutcome::kCommitted);
    base = batch.head;
  }
  const double seconds = std::chrono::duration<double>(spent).count();
  MESSAGE(name << ": " << batches << " commits of " << n << " entries of 600 bytes in " << seconds
               << " s (" << seconds * 1000 / batches
               << " ms each): " << static_cast<uint64_t>(static_cast<double>(n) * batches / seconds)
               << " entries/s");
  Result<CommittedState> state = store.ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->pending.size() == leaves.size());
}

std::unique_ptr<LogStore> OpenPosix(const std::string& dir) {
  const bool made = ::mkdir((dir + "/state").c_str(), 0700) == 0 || errno == EEXIST;
  REQUIRE(made);
  Result<std::unique_ptr<PosixLogStore>> store = PosixLogStore::Open(dir);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(*store);
}

// The cluster the PostgreSQL cases share; each makes its own database.
PostgresCluster& SharedCluster() {
  static std::unique_ptr<PostgresCluster> cluster = PostgresCluster::Primary();
  return *cluster;
}

// A new, empty database on `cluster`; its connection string.
std::string NewDatabase(PostgresCluster& cluster) {
  static int n = 0;
  const std::string name = "store_" + std::to_string(++n);
  bool ok = false;
  cluster.Sql("CREATE DATABASE " + name, &ok);
  REQUIRE_MESSAGE(ok, cluster.Log());
  return cluster.ConnectionString() + " dbname=" + name;
}

// A database holding a log of origin "example.com/log".
std::string NewLog(PostgresCluster& cluster) {
  const std::string conninfo = NewDatabase(cluster);
  Status s = PgLogStore::Init(conninfo, "example.com/log");
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return conninfo;
}

// The options of a front-end named `holder` (in the lease and reservation
// columns), with `set` applied.
PgStoreOptions FrontEnd(const std::string& holder,
                        const std::function<void(PgStoreOptions&)>& set = {}) {
  PgStoreOptions o;
  o.holder = holder;
  if (set) set(o);
  return o;
}

std::unique_ptr<PgLogStore> OpenPg(const std::string& conninfo, PgStoreOptions options = {}) {
  Result<std::unique_ptr<PgLogStore>> store = PgLogStore::Open(conninfo, std::move(options));
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(*store);
}

// One SQL statement on its own connection (psql reaches only `candor`).
std::string Query(const std::string& conninfo, const std::string& sql) {
  Result<std::unique_ptr<PgConnection>> c = PgConnection::Connect(conninfo, 5, 0);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  Result<PgResult> r = (*c)->Exec(sql);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->rows() == 1);
  return std::string(r->Text(0, 0));
}

bool OneLine(const Status& s) { return s.message().find('\n') == std::string::npos; }

TEST_CASE("log store contract: PosixLogStore") {
  TempDir dir;
  RunContract(Engine{"posix", true, [&] { return OpenPosix(dir.path()); }});
}

TEST_CASE("log store contract: PgLogStore") {
  PostgresCluster& cluster = SharedCluster();
  CANDOR_SKIP_UNLESS_POSTGRES(cluster);
  const std::string conninfo = NewLog(cluster);
  RunContract(Engine{"postgres", false, [&]() -> std::unique_ptr<LogStore> {
                       PgStoreOptions options;
                       options.origin = "example.com/log";
                       return OpenPg(conninfo, options);
                     }});
}

TEST_CASE("log store: commits of 8192 and of 16 entries (figures)") {
  TempDir dir;
  {
    std::unique_ptr<LogStore> posix = OpenPosix(dir.path());
    std::vector<Hash> leaves;
    CommitBatches(*posix, "posix", leaves, 8192, 4);
    CommitBatches(*posix, "posix", leaves, 16, 20);
  }
  PostgresCluster& cluster = SharedCluster();
  CANDOR_SKIP_UNLESS_POSTGRES(cluster);
  std::unique_ptr<PgLogStore> pg = OpenPg(NewLog(cluster));
  std::vector<Hash> leaves;
  CommitBatches(*pg, "postgres", leaves, 8192, 4);
  CommitBatches(*pg, "postgres", leaves, 16, 20);
}

TEST_CASE("pg store: Init and Open check what the database holds") {
  PostgresCluster& cluster = SharedCluster();
  CANDOR_SKIP_UNLESS_POSTGRES(cluster);
  const std::string empty = NewDatabase(cluster);
  Result<std::unique_ptr<PgLogStore>> opened = PgLogStore::Open(empty);
  CHECK(opened.status().code() == Code::kNotFound);

  REQUIRE(PgLogStore::Init(empty, "example.com/log").ok());
  Status again = PgLogStore::Init(empty, "example.com/log");
  CHECK(again.code() == Code::kConflict);
  CHECK(Query(empty, "SELECT count(*)::text FROM candor_meta") == "1");

  PgStoreOptions other;
  other.origin = "example.com/other";
  opened = PgLogStore::Open(empty, other);
  CHECK(opened.status().code() == Code::kMismatch);
  other.origin = "example.com/log";
  opened = PgLogStore::Open(empty, other);
  CHECK(opened.ok());
  opened = PgLogStore::Open(empty);  // no origin expected: any
  CHECK(opened.ok());
}

TEST_CASE("pg store: two front-ends on one database: one commits, one integrates at a time") {
  PostgresCluster& cluster = SharedCluster();
  CANDOR_SKIP_UNLESS_POSTGRES(cluster);
  const std::string conninfo = NewLog(cluster);
  std::unique_ptr<PgLogStore> a = OpenPg(conninfo, FrontEnd("front-end-a", [](auto& o) {
                                           o.lease_ttl = std::chrono::milliseconds(1000);
                                         }));
  // B's lease outlives the test once taken.
  std::unique_ptr<PgLogStore> b = OpenPg(conninfo, FrontEnd("front-end-b", [](auto& o) {
                                           o.lease_ttl = std::chrono::milliseconds(60000);
                                         }));

  // Both commit from the empty tree: the second is stale, and after reading
  // the store again it commits on top of the first.
  std::vector<Hash> leaves;
  const TreeHead empty = Ok(a->Head());
  Batch from_a = MakeBatch(leaves, 4, "a");
  REQUIRE(Ok(a->Commit(empty, from_a.rows, from_a.head)) == CommitOutcome::kCommitted);
  std::vector<Hash> b_leaves;
  Batch from_b = MakeBatch(b_leaves, 2, "b");
  CHECK(Ok(b->Commit(empty, from_b.rows, from_b.head)) == CommitOutcome::kStale);
  Result<CommittedState> seen = b->ReadCommitted();
  REQUIRE(seen.ok());
  CHECK(seen->head.size == 4);
  CHECK(seen->pending == from_a.entries);
  Batch after = MakeBatch(leaves, 2, "b");
  CHECK(Ok(b->Commit(seen->head, after.rows, after.head)) == CommitOutcome::kCommitted);
  CHECK(Ok(a->Head()).size == 6);
  // The same batch sent again (its first answer lost with a connection): the
  // store says it is committed, and nothing is doubled.
  CHECK(Ok(b->Commit(seen->head, after.rows, after.head)) == CommitOutcome::kCommitted);
  CHECK(Ok(a->ReadCommitted()).pending.size() == 6);
  // A batch on the old base that is not the committed one is stale.
  std::vector<Hash> alt(leaves.begin(), leaves.begin() + 4);
  Batch other = MakeBatch(alt, 2, "c");
  CHECK(Ok(b->Commit(seen->head, other.rows, other.head)) == CommitOutcome::kStale);

  // One integrator: A takes the lease; B is refused it and fenced.
  REQUIRE(Ok(a->RenewIntegratorLease()));
  CHECK_FALSE(Ok(b->RenewIntegratorLease()));
  Status fenced = b->WriteTiles({{TilePath(TileId{0, 0, 4}), Bytes(128, 1)}}, 4);
  CHECK(fenced.code() == Code::kConflict);
  CHECK(fenced.message().find("fenced") != std::string::npos);
  CHECK(b->WriteCheckpoint("from b\n").code() == Code::kConflict);
  CHECK(Ok(b->ReadCommitted()).flushed == 0);
  CHECK(b->ReadCheckpoint().status().code() == Code::kNotFound);
  REQUIRE(a->WriteTiles({{TilePath(TileId{0, 0, 4}), Bytes(128, 2)}}, 4).ok());
  REQUIRE(a->WriteCheckpoint("from a\n").ok());
  CHECK(Ok(b->ReadCheckpoint()) == "from a\n");
  CHECK(Query(conninfo, "SELECT holder || ' ' || epoch FROM candor_lease") == "front-end-a 1");

  // A stops renewing (paused, cut off); once its lease expires B takes the
  // role with the next epoch.
  bool taken = false;
  for (int i = 0; i < 100 && !taken; ++i) {
    Result<bool> r = b->RenewIntegratorLease();
    REQUIRE(r.ok());
    taken = *r;
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(taken);
  CHECK(Query(conninfo, "SELECT holder || ' ' || epoch FROM candor_lease") == "front-end-b 2");

  // A wakes up: every integrator write of it is fenced, and the role stays B's.
  CHECK(a->WriteTiles({{TilePath(TileId{0, 0, 6}), Bytes(192, 3)}}, 6).code() == Code::kConflict);
  CHECK(a->WriteCheckpoint("stale a\n").code() == Code::kConflict);
  CHECK_FALSE(Ok(a->RenewIntegratorLease()));
  CHECK(Ok(a->ReadCheckpoint()) == "from a\n");
  CHECK(Ok(a->ReadCommitted()).flushed == 4);
  CHECK(a->ReadTile(TileId{0, 0, 6}).status().code() == Code::kNotFound);
  REQUIRE(b->WriteTiles({{TilePath(TileId{0, 0, 6}), Bytes(192, 4)}}, 6).ok());
  REQUIRE(b->WriteCheckpoint("from b\n").ok());
  CHECK(Ok(a->ReadCheckpoint()) == "from b\n");
  CHECK(Ok(a->ReadCommitted()).pending.empty());
  // Tiles beyond the committed size are refused (a broken REQUIRES:).
  CHECK(b->WriteTiles({}, 7).code() == Code::kInternal);
}

// A front-end that lost a commit reserves the next one (log_store.h): the
// others' commits are stale until it has committed or the reservation
// lapsed, one reservation at a time, and its own commit clears it.
TEST_CASE("pg store: a reserved commit holds the other front-ends off until it commits or lapses") {
  PostgresCluster& cluster = SharedCluster();
  CANDOR_SKIP_UNLESS_POSTGRES(cluster);
  const std::string conninfo = NewLog(cluster);
  std::unique_ptr<PgLogStore> a = OpenPg(conninfo, FrontEnd("front-end-a", [](auto& o) {
                                           o.reservation_ttl = std::chrono::milliseconds(60000);
                                         }));
  std::unique_ptr<PgLogStore> b = OpenPg(conninfo, FrontEnd("front-end-b", [](auto& o) {
                                           o.reservation_ttl = std::chrono::milliseconds(300);
                                         }));
  std::vector<Hash> leaves;

  // B reserves; A's commit on the current head is stale and writes nothing,
  // and A cannot reserve over B.
  TreeHead head = Ok(a->Head());
  REQUIRE(Ok(b->ReserveNextCommit()));
  CHECK(Ok(b->ReserveNextCommit()));  // renewing one's own is fine
  std::vector<Hash> a_leaves = leaves;
  Batch from_a = MakeBatch(a_leaves, 3, "a");
  CHECK(Ok(a->Commit(head, from_a.rows, from_a.head)) == CommitOutcome::kStale);
  CHECK_FALSE(Ok(a->ReserveNextCommit()));
  CHECK(Ok(a->Head()).size == 0);
  CHECK(Ok(a->FindLeaf(from_a.rows[0].leaf)) == std::nullopt);
  // B commits on that head, and its commit clears the reservation.
  Batch from_b = MakeBatch(leaves, 2, "b");
  REQUIRE(Ok(b->Commit(head, from_b.rows, from_b.head)) == CommitOutcome::kCommitted);
  CHECK(Query(conninfo, "SELECT reserved_by FROM candor_head") == "");
  head = from_b.head;
  a_leaves = leaves;
  from_a = MakeBatch(a_leaves, 3, "a2");
  CHECK(Ok(a->Commit(head, from_a.rows, from_a.head)) == CommitOutcome::kCommitted);
  leaves = a_leaves;
  head = from_a.head;

  // B reserves and never commits (died, paused): its reservation lapses
  // after its 300 ms and A commits again.
  REQUIRE(Ok(b->ReserveNextCommit()));
  Batch late = MakeBatch(a_leaves, 1, "late");
  CHECK(Ok(a->Commit(head, late.rows, late.head)) == CommitOutcome::kStale);
  bool committed = false;
  for (int i = 0; i < 100 && !committed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    committed = Ok(a->Commit(head, late.rows, late.head)) == CommitOutcome::kCommitted;
  }
  CHECK(committed);
  CHECK(Ok(b->Head()).size == 6);
  // A reservation that lapsed can be taken by another.
  CHECK(Ok(a->ReserveNextCommit()));
  CHECK_FALSE(Ok(b->ReserveNextCommit()));
}

TEST_CASE("pg store: reads from many threads share the pool while the sequencer commits") {
  PostgresCluster& cluster = SharedCluster();
  CANDOR_SKIP_UNLESS_POSTGRES(cluster);
  PgStoreOptions options;
  options.read_connections = 2;  // fewer than the readers: they wait their turn
  std::unique_ptr<PgLogStore> store = OpenPg(NewLog(cluster), options);
  std::vector<Hash> leaves;
  Batch first = MakeBatch(leaves, 10, "r");
  REQUIRE(Ok(store->Commit(Ok(store->Head()), first.rows, first.head)) ==
          CommitOutcome::kCommitted);

  std::atomic<int> failures{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int i = 0; !stop.load() || i < 20; ++i) {
        const IndexRow& row = first.rows[static_cast<size_t>(i + t) % first.rows.size()];
        Result<std::optional<uint64_t>> found = store->FindLeaf(row.leaf);
        Result<TreeHead> head = store->Head();
        if (!found.ok() || *found != std::optional<uint64_t>(row.index) || !head.ok() ||
            head->size < 10) {
          failures.fetch_add(1);
        }
      }
    });
  }
  TreeHead base = first.head;
  for (int b = 0; b < 20; ++b) {
    Batch batch = MakeBatch(leaves, 50, "r" + std::to_string(b));
    REQUIRE(Ok(store->Commit(base, batch.rows, batch.head)) == CommitOutcome::kCommitted);
    base = batch.head;
  }
  stop.store(true);
  for (std::thread& t : readers) t.join();
  CHECK(failures.load() == 0);
  CHECK(Ok(store->Head()).size == 10 + 20 * 50);
}

TEST_CASE("pg store: connection failures are one line without the password") {
  PostgresCluster& cluster = SharedCluster();
  CANDOR_SKIP_UNLESS_POSTGRES(cluster);
  const std::string conninfo = NewLog(cluster);
  // The test cluster trusts every local connection; a password is asked of
  // one role only, by a pg_hba.conf line put before the others.
  bool ok = false;
  cluster.Sql("CREATE ROLE pwuser LOGIN PASSWORD 'right-horse-battery'", &ok);
  REQUIRE(ok);
  const std::string hba = cluster.dir() + "/data/pg_hba.conf";
  std::stringstream old;
  old << std::ifstream(hba).rdbuf();
  std::ofstream(hba, std::ios::trunc) << "host all pwuser 127.0.0.1/32 scram-sha-256\n"
                                      << old.str();
  cluster.Sql("SELECT pg_reload_conf()", &ok);
  REQUIRE(ok);

  const std::string port = std::to_string(cluster.port());
  const std::string wrong = "postgres://pwuser:wrong-horse-battery@127.0.0.1:" + port + "/candor";
  // pg_reload_conf() signals the postmaster: the new line applies shortly.
  Result<std::unique_ptr<PgLogStore>> opened = PgLogStore::Open(wrong);
  for (int i = 0; i < 50 && opened.status().code() != Code::kUnavailable; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    opened = PgLogStore::Open(wrong);
  }
  CHECK(opened.status().code() == Code::kUnavailable);
  CHECK(opened.status().message().find("password authentication failed") != std::string::npos);
  CHECK(OneLine(opened.status()));
  CHECK(opened.status().message().find("wrong-horse") == std::string::npos);
  // The right password gets through (to a database without a log).
  opened = PgLogStore::Open("postgres://pwuser:right-horse-battery@127.0.0.1:" + port + "/candor");
  CHECK(opened.status().code() == Code::kNotFound);
  CHECK(opened.status().message().find("right-horse") == std::string::npos);

  // Nobody listening; a database that does not exist.
  const std::string nobody = "host=127.0.0.1 port=1 dbname=x connect_timeout=2 password=s3cr3t";
  Status s = PgLogStore::Init(nobody, "o");
  CHECK(s.code() == Code::kUnavailable);
  CHECK(OneLine(s));
  CHECK(s.message().find("s3cr3t") == std::string::npos);
  opened = PgLogStore::Open(cluster.ConnectionString() + " dbname=no_such_db");
  CHECK(opened.status().code() == Code::kUnavailable);
  CHECK(opened.status().message().find("no_such_db") != std::string::npos);
  CHECK(OneLine(opened.status()));

  // A string that does not parse is refused without quoting it.
  s = PgLogStore::Init("postgres://u:pa%zzss@127.0.0.1/db", "o");
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("pa%zzss") == std::string::npos);
  CHECK(s.message().find("zz") == std::string::npos);

  // Describe() never shows the password, in either form.
  std::unique_ptr<PgLogStore> store = OpenPg(conninfo + " password=hunter2");
  CHECK(store->Describe().find("hunter2") == std::string::npos);
  CHECK(store->Describe().find("dbname=store_") != std::string::npos);
  CHECK(RedactConninfo("postgres://u:hunter2@h1:1,h2:2/db?target_session_attrs=read-write") ==
        "user=u dbname=db host=h1,h2 port=1,2 target_session_attrs=read-write");
}

TEST_CASE("pg store: Health requires the synchronous standby the server waits for") {
  PostgresCluster& cluster = SharedCluster();
  CANDOR_SKIP_UNLESS_POSTGRES(cluster);
  std::unique_ptr<PgLogStore> store = OpenPg(NewLog(cluster));
  Status s = store->Health();
  CHECK_MESSAGE(s.ok(), s.ToString());

  // The server now waits for a standby named "nobody" (none streams).
  bool ok = false;
  cluster.Sql("ALTER SYSTEM SET synchronous_standby_names = 'nobody'", &ok);
  REQUIRE(ok);
  cluster.Sql("SELECT pg_reload_conf()", &ok);
  REQUIRE(ok);
  for (int i = 0; i < 50 && s.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s = store->Health();
  }
  CHECK(s.code() == Code::kUnavailable);
  CHECK(s.message().find("no synchronous standby") != std::string::npos);
  CHECK(OneLine(s));

  // A commit now waits for that standby. Cancelled by an administrator, the
  // wait ends and PostgreSQL reports success with a WARNING: the batch is on
  // the primary only. The store reports the failure it is for the log; the
  // store, read again, tells that the batch is there.
  std::vector<Hash> leaves;
  Batch batch = MakeBatch(leaves, 2, "w");
  Result<CommitOutcome> waited = Status::Internal("not run");
  std::thread committer([&] {
    waited = store->Commit(TreeHead{0, EmptyTreeHash()}, batch.rows, batch.head);
  });
  std::string cancelled;
  for (int i = 0; i < 100 && cancelled != "t\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancelled = cluster.Sql(
        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
  }
  committer.join();
  CHECK(cancelled == "t\n");
  CHECK(waited.status().code() == Code::kUnavailable);
  CHECK(waited.status().message().find("primary only") != std::string::npos);
  CHECK(OneLine(waited.status()));
  CHECK(Ok(store->Head()).size == 2);

  cluster.Sql("ALTER SYSTEM RESET synchronous_standby_names", &ok);
  REQUIRE(ok);
  cluster.Sql("SELECT pg_reload_conf()", &ok);
  REQUIRE(ok);
  for (int i = 0; i < 50 && !s.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s = store->Health();
  }
  CHECK(s.ok());
}

TEST_CASE("pg store: a server killed mid-use is kUnavailable, and the store reconnects") {
  auto cluster = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*cluster);
  const std::string conninfo = NewLog(*cluster);
  std::unique_ptr<PgLogStore> store = OpenPg(conninfo);
  std::vector<Hash> leaves;
  Batch first = MakeBatch(leaves, 5, "x");
  REQUIRE(Ok(store->Commit(Ok(store->Head()), first.rows, first.head)) ==
          CommitOutcome::kCommitted);
  REQUIRE(Ok(store->RenewIntegratorLease()));

  cluster->Kill9();
  // Every role's connection (reads, sequencer, integrator) fails, one line.
  Result<TreeHead> head = store->Head();
  CHECK(head.status().code() == Code::kUnavailable);
  CHECK(OneLine(head.status()));
  Batch second = MakeBatch(leaves, 3, "x");
  Result<CommitOutcome> commit = store->Commit(first.head, second.rows, second.head);
  CHECK(commit.status().code() == Code::kUnavailable);
  CHECK(OneLine(commit.status()));
  CHECK(store->RenewIntegratorLease().status().code() == Code::kUnavailable);
  CHECK(store->WriteCheckpoint("x\n").code() == Code::kUnavailable);
  CHECK(store->Health().code() == Code::kUnavailable);

  REQUIRE_MESSAGE(cluster->Start(), cluster->Log());
  // The same store object, no reopening.
  head = store->Head();
  REQUIRE_MESSAGE(head.ok(), head.status().ToString());
  CHECK(head->size == 5);
  Result<CommittedState> state = store->ReadCommitted();
  REQUIRE(state.ok());
  CHECK(state->pending == first.entries);
  commit = store->Commit(first.head, second.rows, second.head);
  REQUIRE_MESSAGE(commit.ok(), commit.status().ToString());
  CHECK(*commit == CommitOutcome::kCommitted);
  CHECK(store->Health().ok());

  // Killed and restarted while the store is idle: its connections are dead
  // but it does not know yet. The next calls, a commit first, go through.
  cluster->Kill9();
  REQUIRE_MESSAGE(cluster->Start(), cluster->Log());
  Batch third = MakeBatch(leaves, 1, "x");
  commit = store->Commit(second.head, third.rows, third.head);
  REQUIRE_MESSAGE(commit.ok(), commit.status().ToString());
  CHECK(*commit == CommitOutcome::kCommitted);
  CHECK(Ok(store->Head()).size == 9);
  Result<bool> lease = store->RenewIntegratorLease();
  CHECK_MESSAGE(lease.ok(), lease.status().ToString());
}

TEST_CASE("pg store: a front-end with a multi-host string follows a promoted synchronous standby") {
  auto primary = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*primary);
  auto standby = primary->AddStandby(/*synchronous=*/true);
  REQUIRE_MESSAGE(standby->available(), standby->why() << "\n" << primary->Log());
  REQUIRE(PgLogStore::Init(primary->ConnectionString(), "example.com/log").ok());
  // Both servers; libpq keeps the first that takes writes.
  const std::string conninfo = "host=127.0.0.1,127.0.0.1 port=" + std::to_string(primary->port()) +
                               "," + std::to_string(standby->port()) +
                               " user=candor dbname=candor target_session_attrs=read-write";
  std::unique_ptr<PgLogStore> store = OpenPg(conninfo);
  // The synchronous standby streams: healthy.
  Status health = store->Health();
  CHECK_MESSAGE(health.ok(), health.ToString());

  std::vector<Hash> leaves;
  Batch first = MakeBatch(leaves, 6, "f");
  REQUIRE(Ok(store->Commit(Ok(store->Head()), first.rows, first.head)) ==
          CommitOutcome::kCommitted);
  REQUIRE(Ok(store->RenewIntegratorLease()));
  REQUIRE(store->WriteCheckpoint("before\n").ok());

  primary->Kill9();
  Batch second = MakeBatch(leaves, 2, "f");
  CHECK(store->Commit(first.head, second.rows, second.head).status().code() == Code::kUnavailable);
  REQUIRE(standby->Promote());

  // The same store object: its next calls reach the promoted standby, which
  // holds every acknowledged commit.
  Result<CommittedState> state = store->ReadCommitted();
  REQUIRE_MESSAGE(state.ok(), state.status().ToString());
  CHECK(state->head.size == 6);
  CHECK(state->pending == first.entries);
  CHECK(Ok(store->ReadCheckpoint()) == "before\n");
  Result<CommitOutcome> commit = store->Commit(first.head, second.rows, second.head);
  REQUIRE_MESSAGE(commit.ok(), commit.status().ToString());
  CHECK(*commit == CommitOutcome::kCommitted);
  REQUIRE(Ok(store->RenewIntegratorLease()));
  CHECK(store->WriteCheckpoint("after\n").ok());
  CHECK(store->Health().ok());
  CHECK(standby->Sql("SELECT size FROM candor_head") == "8\n");
}

}  // namespace
}  // namespace candor
