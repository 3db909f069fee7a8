// PgLogStore (see pg_store.h).
#include "candor/log/pg_store.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "candor/merkle.h"

namespace candor {
namespace {

// The schema. Text keys compare bytewise (COLLATE "C"): they are paths and
// release keys, never sorted for people. Tiles and entries are hashes and
// signatures, which do not compress: STORAGE EXTERNAL spares PostgreSQL the
// attempt.
constexpr const char* kSchema = R"sql(
CREATE TABLE candor_meta (origin text NOT NULL, schema_version bigint NOT NULL);
CREATE TABLE candor_head (id int PRIMARY KEY CHECK (id = 1), size bigint NOT NULL,
                          root bytea NOT NULL, flushed bigint NOT NULL,
                          reserved_by text NOT NULL DEFAULT '',
                          reserved_until timestamptz NOT NULL DEFAULT '-infinity');
CREATE TABLE candor_pending (idx bigint PRIMARY KEY, entry bytea NOT NULL);
ALTER TABLE candor_pending ALTER COLUMN entry SET STORAGE EXTERNAL;
CREATE TABLE candor_leaves (leaf bytea PRIMARY KEY, idx bigint NOT NULL);
CREATE TABLE candor_releases (key text COLLATE "C" PRIMARY KEY, idx bigint NOT NULL,
                              leaf bytea NOT NULL);
CREATE TABLE candor_tiles (path text COLLATE "C" PRIMARY KEY, data bytea NOT NULL);
ALTER TABLE candor_tiles ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE TABLE candor_checkpoint (id int PRIMARY KEY CHECK (id = 1), note text);
CREATE TABLE candor_lease (id int PRIMARY KEY CHECK (id = 1), holder text NOT NULL,
                           epoch bigint NOT NULL, expires timestamptz NOT NULL);
INSERT INTO candor_checkpoint VALUES (1, NULL);
INSERT INTO candor_lease VALUES (1, '', 0, '-infinity');

-- The commit point (log_store.h Commit): one statement, so one transaction
-- that never waits on the client. FOR UPDATE serializes committers; one that
-- waited re-reads the head its predecessor committed and finds it stale.
-- Another front-end's unexpired reservation (candor_reserve) makes it stale
-- too: that front-end lost before and commits next.
CREATE FUNCTION candor_commit(p_holder text, base_size bigint, base_root bytea, new_size bigint,
                              new_root bytea, idxs bigint[], entries bytea[], leaves bytea[],
                              rkeys text[], ridxs bigint[], rleaves bytea[])
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  cur_size bigint;
  cur_root bytea;
  cur_by text;
  cur_until timestamptz;
BEGIN
  SELECT size, root, reserved_by, reserved_until INTO cur_size, cur_root, cur_by, cur_until
    FROM candor_head WHERE id = 1 FOR UPDATE;
  -- Already the new head: this very batch was committed (the root commits to
  -- every entry) by a call whose answer the connection lost. Saying so makes
  -- the commit safe to send again.
  IF cur_size = new_size AND cur_root = new_root AND new_size > base_size THEN
    RETURN true;
  END IF;
  IF cur_size <> base_size OR cur_root <> base_root THEN
    RETURN false;
  END IF;
  IF cur_by <> '' AND cur_by <> p_holder AND cur_until > clock_timestamp() THEN
    RETURN false;
  END IF;
  IF new_size <> base_size + coalesce(array_length(idxs, 1), 0) THEN
    RAISE EXCEPTION 'a batch of % entries cannot take the tree from % to %',
      coalesce(array_length(idxs, 1), 0), base_size, new_size;
  END IF;
  INSERT INTO candor_pending (idx, entry) SELECT * FROM unnest(idxs, entries);
  INSERT INTO candor_leaves (leaf, idx) SELECT * FROM unnest(leaves, idxs);
  INSERT INTO candor_releases (key, idx, leaf) SELECT * FROM unnest(rkeys, ridxs, rleaves);
  UPDATE candor_head SET size = new_size, root = new_root,
    reserved_by = CASE WHEN reserved_by = p_holder THEN '' ELSE reserved_by END WHERE id = 1;
  RETURN true;
END $$;

-- A front-end that lost a commit reserves the next one (log_store.h
-- ReserveNextCommit), unless another holds an unexpired reservation. The
-- UPDATE waits for a commit in flight, so once it returns nobody else can
-- move the head until the reserver commits or the reservation lapses.
CREATE FUNCTION candor_reserve(p_holder text, p_ttl_ms bigint)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  UPDATE candor_head
     SET reserved_by = p_holder,
         reserved_until = clock_timestamp() + make_interval(secs => p_ttl_ms::float8 / 1000)
   WHERE id = 1
     AND (reserved_by = '' OR reserved_by = p_holder OR reserved_until <= clock_timestamp());
  RETURN FOUND;
END $$;

-- The fence of the integrator's writes: extends the caller's lease if it is
-- still the caller's (holder and epoch) and unexpired, by the database's
-- clock. False: another front-end integrates; the caller writes nothing.
CREATE FUNCTION candor_fence(p_holder text, p_epoch bigint, p_ttl_ms bigint)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  UPDATE candor_lease SET expires = now() + make_interval(secs => p_ttl_ms::float8 / 1000)
   WHERE id = 1 AND holder = p_holder AND epoch = p_epoch AND expires > now();
  RETURN FOUND;
END $$;

CREATE FUNCTION candor_write_tiles(p_holder text, p_epoch bigint, p_ttl_ms bigint,
                                   paths text[], datas bytea[], p_size bigint)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  cur_size bigint;
  cur_flushed bigint;
BEGIN
  IF NOT candor_fence(p_holder, p_epoch, p_ttl_ms) THEN
    RETURN false;
  END IF;
  SELECT size, flushed INTO cur_size, cur_flushed FROM candor_head WHERE id = 1 FOR UPDATE;
  IF p_size > cur_size THEN
    RAISE EXCEPTION 'tiles for size % beyond the committed size %', p_size, cur_size;
  END IF;
  INSERT INTO candor_tiles (path, data) SELECT * FROM unnest(paths, datas)
    ON CONFLICT (path) DO UPDATE SET data = EXCLUDED.data;
  IF p_size > cur_flushed THEN
    UPDATE candor_head SET flushed = p_size WHERE id = 1;
    DELETE FROM candor_pending WHERE idx < p_size;
  END IF;
  RETURN true;
END $$;

CREATE FUNCTION candor_write_checkpoint(p_holder text, p_epoch bigint, p_ttl_ms bigint,
                                        p_note text)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF NOT candor_fence(p_holder, p_epoch, p_ttl_ms) THEN
    RETURN false;
  END IF;
  UPDATE candor_checkpoint SET note = p_note WHERE id = 1;
  RETURN true;
END $$;
)sql";

std::string DefaultHolder() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  std::random_device rd;
  char tail[32];
  std::snprintf(tail, sizeof tail, ":%ld:%08x", static_cast<long>(::getpid()),
                static_cast<unsigned>(rd()));
  return std::string(host) + tail;
}

Status Fence(const Result<PgResult>& r) {
  if (!r.ok()) return r.status();
  CANDOR_ASSIGN_OR_RETURN(bool done, r->Bool(0, 0));
  if (!done) return Status::Conflict("fenced: another candor-log integrates");
  return Status::Ok();
}

}  // namespace

PgLogStore::PgLogStore(std::string conninfo, PgStoreOptions options)
    : conninfo_(std::move(conninfo)),
      described_(RedactConninfo(conninfo_)),
      options_(std::move(options)) {
  if (options_.holder.empty()) options_.holder = DefaultHolder();
  options_.read_connections = std::max<size_t>(options_.read_connections, 1);
}

PgLogStore::~PgLogStore() = default;

Status PgLogStore::Init(const std::string& conninfo, const std::string& origin) {
  PgStoreOptions defaults;
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                          PgConnection::Connect(conninfo, defaults.connect_timeout_s,
                                                defaults.statement_timeout.count()));
  CANDOR_ASSIGN_OR_RETURN(PgResult exists,
                          conn->Exec("SELECT to_regclass('candor_meta') IS NOT NULL"));
  CANDOR_ASSIGN_OR_RETURN(bool present, exists.Bool(0, 0));
  const std::string where = RedactConninfo(conninfo);
  if (present) return Status::Conflict("postgres: " + where + " already holds a candor log");
  // One transaction: a crash (ours or the server's) leaves no half schema.
  // Dropping the connection on an error rolls it back.
  Status s = conn->ExecScript(std::string("BEGIN;") + kSchema);
  if (!s.ok()) {
    // Another Init created the tables between our check and ours.
    if (conn->last_sqlstate() == "42P07" || conn->last_sqlstate() == "42723") {
      return Status::Conflict("postgres: " + where + " already holds a candor log");
    }
    return s;
  }
  const Hash empty = EmptyTreeHash();
  CANDOR_RETURN_IF_ERROR(conn->Exec("INSERT INTO candor_meta VALUES ($1, $2)",
                                    {PgParam::Text(origin), PgParam::Int8(kSchemaVersion)})
                             .status());
  CANDOR_RETURN_IF_ERROR(
      conn->Exec("INSERT INTO candor_head VALUES (1, 0, $1, 0)", {PgParam::Bytea(empty)}).status());
  return conn->ExecScript("COMMIT");
}

Result<std::unique_ptr<PgLogStore>> PgLogStore::Open(const std::string& conninfo,
                                                     PgStoreOptions options) {
  std::unique_ptr<PgLogStore> store(new PgLogStore(conninfo, std::move(options)));
  const std::string& where = store->described_;
  CANDOR_ASSIGN_OR_RETURN(
      PgResult exists,
      store->OnRole(store->sequencer_, "SELECT to_regclass('candor_meta') IS NOT NULL", {}));
  CANDOR_ASSIGN_OR_RETURN(bool present, exists.Bool(0, 0));
  if (!present) {
    return Status::NotFound("postgres: " + where + " holds no candor log (init it first)");
  }
  CANDOR_ASSIGN_OR_RETURN(
      PgResult meta,
      store->OnRole(store->sequencer_, "SELECT origin, schema_version FROM candor_meta", {}));
  if (meta.rows() != 1) return Status::Inconsistent("postgres: candor_meta must hold one row");
  CANDOR_ASSIGN_OR_RETURN(int64_t version, meta.Int8(0, 1));
  if (version != kSchemaVersion) {
    return Status::Mismatch("postgres: " + where + " has schema version " +
                            std::to_string(version) + ", this candor-log reads " +
                            std::to_string(kSchemaVersion));
  }
  const std::string origin(meta.Text(0, 0));
  const std::string& expected = store->options_.origin;
  if (!expected.empty() && origin != expected) {
    return Status::Mismatch("postgres: " + where + " holds the log \"" + origin + "\", not \"" +
                            expected + "\"");
  }
  return store;
}

Result<PgConnection*> PgLogStore::Connected(Role& role) {
  if (role.conn == nullptr) {
    CANDOR_ASSIGN_OR_RETURN(role.conn, PgConnection::Connect(conninfo_, options_.connect_timeout_s,
                                                             options_.statement_timeout.count()));
  }
  return role.conn.get();
}

Result<PgResult> PgLogStore::OnRole(Role& role, const std::string& sql,
                                    const std::vector<PgParam>& params) {
  std::lock_guard<std::mutex> lock(role.mu);
  for (int attempt = 0;; ++attempt) {
    const bool reused = role.conn != nullptr;
    CANDOR_ASSIGN_OR_RETURN(PgConnection * conn, Connected(role));
    Result<PgResult> r = conn->Exec(sql, params);
    if (!conn->broken()) return r;
    role.conn.reset();
    // A connection that sat idle may have died with a server restart or a
    // failover since its last use: once more on a fresh one. Every statement
    // of the store is safe to repeat (reads, the fenced upserts, and
    // candor_commit, which answers true for the batch it already committed).
    if (!reused || attempt > 0) return r;
  }
}

Result<PgResult> PgLogStore::Read(const std::string& sql,
                                  const std::vector<PgParam>& params) const {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<PgConnection> conn;
    {
      std::unique_lock<std::mutex> lock(pool_mu_);
      pool_cv_.wait(lock,
                    [&] { return !idle_.empty() || open_reads_ < options_.read_connections; });
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_reads_;
      }
    }
    const bool reused = conn != nullptr;
    if (!reused) {
      Result<std::unique_ptr<PgConnection>> made = PgConnection::Connect(
          conninfo_, options_.connect_timeout_s, options_.statement_timeout.count());
      if (!made.ok()) {
        {
          std::lock_guard<std::mutex> lock(pool_mu_);
          --open_reads_;
        }
        pool_cv_.notify_one();
        return made.status();
      }
      conn = std::move(*made);
    }
    Result<PgResult> r = conn->Exec(sql, params);
    const bool broken = conn->broken();
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      if (broken) {
        --open_reads_;
      } else {
        idle_.push_back(std::move(conn));
      }
    }
    pool_cv_.notify_one();
    if (broken && reused && attempt == 0) continue;
    return r;
  }
}

Result<Bytes> PgLogStore::ReadPath(const std::string& path) const {
  CANDOR_ASSIGN_OR_RETURN(
      PgResult r, Read("SELECT data FROM candor_tiles WHERE path = $1", {PgParam::Text(path)}));
  if (r.rows() == 0) return Status::NotFound(path + " not found");
  ByteView data = r.Bytes(0, 0);
  return Bytes(data.begin(), data.end());
}

Result<Bytes> PgLogStore::ReadTile(const TileId& tile) const { return ReadPath(TilePath(tile)); }

Result<Bytes> PgLogStore::ReadEntryBundle(const EntryBundleId& bundle) const {
  return ReadPath(EntryBundlePath(bundle));
}

Result<std::string> PgLogStore::ReadCheckpoint() const {
  CANDOR_ASSIGN_OR_RETURN(PgResult r, Read("SELECT note FROM candor_checkpoint WHERE id = 1", {}));
  if (r.rows() == 0 || r.IsNull(0, 0)) return Status::NotFound("no checkpoint published yet");
  return std::string(r.Text(0, 0));
}

Result<std::optional<uint64_t>> PgLogStore::FindLeaf(const Hash& leaf) {
  CANDOR_ASSIGN_OR_RETURN(
      PgResult r, Read("SELECT idx FROM candor_leaves WHERE leaf = $1", {PgParam::Bytea(leaf)}));
  if (r.rows() == 0) return std::optional<uint64_t>();
  CANDOR_ASSIGN_OR_RETURN(int64_t idx, r.Int8(0, 0));
  return std::optional<uint64_t>(static_cast<uint64_t>(idx));
}

Result<std::optional<ReleaseRecord>> PgLogStore::FindRelease(const std::string& release_key) {
  CANDOR_ASSIGN_OR_RETURN(PgResult r, Read("SELECT idx, leaf FROM candor_releases WHERE key = $1",
                                           {PgParam::Text(release_key)}));
  if (r.rows() == 0) return std::optional<ReleaseRecord>();
  ReleaseRecord rec;
  CANDOR_ASSIGN_OR_RETURN(int64_t idx, r.Int8(0, 0));
  rec.index = static_cast<uint64_t>(idx);
  CANDOR_ASSIGN_OR_RETURN(rec.leaf, r.HashAt(0, 1));
  return std::optional<ReleaseRecord>(rec);
}

Result<std::vector<std::optional<ReleaseRecord>>> PgLogStore::FindReleases(
    const std::vector<std::string>& release_keys) {
  std::vector<std::optional<ReleaseRecord>> out(release_keys.size());
  if (release_keys.empty()) return out;
  std::vector<std::string_view> keys(release_keys.begin(), release_keys.end());
  // One statement for the batch; each found key comes back with its
  // position in the array, so duplicates in the request are answered too.
  CANDOR_ASSIGN_OR_RETURN(PgResult r,
                          Read("SELECT k.n, r.idx, r.leaf FROM unnest($1::text[]) WITH ORDINALITY "
                               "AS k(key, n) JOIN candor_releases r ON r.key = k.key",
                               {PgParam::TextArray(keys)}));
  for (int row = 0; row < r.rows(); ++row) {
    CANDOR_ASSIGN_OR_RETURN(int64_t n, r.Int8(row, 0));
    if (n < 1 || static_cast<size_t>(n) > out.size()) {
      return Status::Internal("postgres: a release lookup answered position " + std::to_string(n));
    }
    ReleaseRecord rec;
    CANDOR_ASSIGN_OR_RETURN(int64_t idx, r.Int8(row, 1));
    rec.index = static_cast<uint64_t>(idx);
    CANDOR_ASSIGN_OR_RETURN(rec.leaf, r.HashAt(row, 2));
    out[static_cast<size_t>(n - 1)] = rec;
  }
  return out;
}

Result<TreeHead> PgLogStore::Head() {
  CANDOR_ASSIGN_OR_RETURN(PgResult r, Read("SELECT size, root FROM candor_head WHERE id = 1", {}));
  if (r.rows() != 1) return Status::Inconsistent("postgres: candor_head has no row");
  TreeHead head;
  CANDOR_ASSIGN_OR_RETURN(int64_t size, r.Int8(0, 0));
  head.size = static_cast<uint64_t>(size);
  CANDOR_ASSIGN_OR_RETURN(head.root, r.HashAt(0, 1));
  return head;
}

Result<CommittedState> PgLogStore::ReadCommittedFrom(uint64_t from) {
  // One statement sees one snapshot, which is what a REPEATABLE READ
  // transaction of three statements would give, in one round trip.
  CANDOR_ASSIGN_OR_RETURN(
      PgResult r,
      OnRole(sequencer_,
             "SELECT h.size, h.root, h.flushed, p.idx, p.entry FROM candor_head h "
             "LEFT JOIN candor_pending p ON p.idx >= GREATEST(h.flushed, $1) AND p.idx < h.size "
             "WHERE h.id = 1 ORDER BY p.idx",
             {PgParam::Int8(static_cast<int64_t>(from))}));
  if (r.rows() < 1) return Status::Inconsistent("postgres: candor_head has no row");
  CommittedState state;
  CANDOR_ASSIGN_OR_RETURN(int64_t size, r.Int8(0, 0));
  CANDOR_ASSIGN_OR_RETURN(state.head.root, r.HashAt(0, 1));
  CANDOR_ASSIGN_OR_RETURN(int64_t flushed, r.Int8(0, 2));
  state.head.size = static_cast<uint64_t>(size);
  state.flushed = static_cast<uint64_t>(flushed);
  if (state.flushed > state.head.size) {
    return Status::Inconsistent("tiles flushed to " + std::to_string(state.flushed) +
                                " beyond the committed size " + std::to_string(state.head.size));
  }
  state.pending_from = std::max(state.flushed, std::min(from, state.head.size));
  if (!r.IsNull(0, 3)) {
    state.pending.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      CANDOR_ASSIGN_OR_RETURN(int64_t idx, r.Int8(i, 3));
      if (static_cast<uint64_t>(idx) != state.pending_from + static_cast<uint64_t>(i)) break;
      ByteView entry = r.Bytes(i, 4);
      state.pending.emplace_back(entry.begin(), entry.end());
    }
  }
  if (state.pending.size() != state.head.size - state.pending_from) {
    return Status::Inconsistent("postgres: " + std::to_string(state.pending.size()) +
                                " pending entries from " + std::to_string(state.pending_from) +
                                ", the committed size is " + std::to_string(state.head.size));
  }
  return state;
}

Result<CommitOutcome> PgLogStore::Commit(const TreeHead& base, const std::vector<IndexRow>& rows,
                                         const TreeHead& head) {
  if (head.size != base.size + rows.size()) {
    return Status::Internal("a batch of " + std::to_string(rows.size()) +
                            " entries cannot take the tree from " + std::to_string(base.size) +
                            " to " + std::to_string(head.size));
  }
  std::vector<int64_t> idxs;
  std::vector<ByteView> entries, leaves, release_leaves;
  std::vector<std::string_view> release_keys;
  std::vector<int64_t> release_idxs;
  idxs.reserve(rows.size());
  entries.reserve(rows.size());
  leaves.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const IndexRow& row = rows[i];
    if (row.index != base.size + i) {
      return Status::Internal("row " + std::to_string(row.index) +
                              " out of order in a batch from " + std::to_string(base.size));
    }
    idxs.push_back(static_cast<int64_t>(row.index));
    entries.push_back(row.entry);
    leaves.push_back(row.leaf);
    // An entry may claim several release keys: flattened into parallel
    // arrays, one element per key.
    for (const std::string& key : row.release_keys) {
      release_keys.push_back(key);
      release_idxs.push_back(static_cast<int64_t>(row.index));
      release_leaves.push_back(row.leaf);
    }
  }
  CANDOR_ASSIGN_OR_RETURN(
      PgResult r,
      OnRole(sequencer_, "SELECT candor_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
             {PgParam::Text(options_.holder), PgParam::Int8(static_cast<int64_t>(base.size)),
              PgParam::Bytea(base.root), PgParam::Int8(static_cast<int64_t>(head.size)),
              PgParam::Bytea(head.root), PgParam::Int8Array(idxs), PgParam::ByteaArray(entries),
              PgParam::ByteaArray(leaves), PgParam::TextArray(release_keys),
              PgParam::Int8Array(release_idxs), PgParam::ByteaArray(release_leaves)}));
  CANDOR_ASSIGN_OR_RETURN(bool committed, r.Bool(0, 0));
  return committed ? CommitOutcome::kCommitted : CommitOutcome::kStale;
}

Result<bool> PgLogStore::ReserveNextCommit() {
  CANDOR_ASSIGN_OR_RETURN(PgResult r, OnRole(sequencer_, "SELECT candor_reserve($1, $2)",
                                             {PgParam::Text(options_.holder),
                                              PgParam::Int8(options_.reservation_ttl.count())}));
  return r.Bool(0, 0);
}

Status PgLogStore::ReleaseReservation() {
  return OnRole(sequencer_,
                "UPDATE candor_head SET reserved_by = '' WHERE id = 1 AND reserved_by = $1",
                {PgParam::Text(options_.holder)})
      .status();
}

Status PgLogStore::WriteTiles(const std::vector<StorageFile>& files, uint64_t size) {
  std::vector<std::string_view> paths;
  std::vector<ByteView> datas;
  paths.reserve(files.size());
  datas.reserve(files.size());
  for (const StorageFile& f : files) {
    paths.push_back(f.path);
    datas.push_back(f.data);
  }
  return Fence(OnRole(sequencer_, "SELECT candor_write_tiles($1, $2, $3, $4, $5, $6)",
                      {PgParam::Text(options_.holder), PgParam::Int8(epoch_.load()),
                       PgParam::Int8(options_.lease_ttl.count()), PgParam::TextArray(paths),
                       PgParam::ByteaArray(datas), PgParam::Int8(static_cast<int64_t>(size))}));
}

Result<bool> PgLogStore::RenewIntegratorLease() {
  // Ours and unexpired: extended, same epoch. Expired or free: taken, with
  // the next epoch, which fences whoever held it before.
  Result<PgResult> r = OnRole(
      integrator_,
      "UPDATE candor_lease SET "
      "epoch = CASE WHEN holder = $1 AND epoch = $2 AND expires > now() THEN epoch "
      "ELSE epoch + 1 END, "
      "holder = $1, expires = now() + make_interval(secs => $3::float8 / 1000) "
      "WHERE id = 1 AND ((holder = $1 AND epoch = $2 AND expires > now()) OR expires <= now()) "
      "RETURNING epoch",
      {PgParam::Text(options_.holder), PgParam::Int8(epoch_.load()),
       PgParam::Int8(options_.lease_ttl.count())});
  // An error keeps the epoch: if the database comes back before the lease
  // expires and nobody took it, the role is still ours (the fence decides).
  if (!r.ok()) return r.status();
  if (r->rows() == 0) {
    epoch_.store(0);
    return false;
  }
  CANDOR_ASSIGN_OR_RETURN(int64_t epoch, r->Int8(0, 0));
  epoch_.store(epoch);
  return true;
}

Status PgLogStore::WriteCheckpoint(std::string_view note) {
  return Fence(OnRole(integrator_, "SELECT candor_write_checkpoint($1, $2, $3, $4)",
                      {PgParam::Text(options_.holder), PgParam::Int8(epoch_.load()),
                       PgParam::Int8(options_.lease_ttl.count()), PgParam::Text(note)}));
}

Status PgLogStore::Health() {
  CANDOR_ASSIGN_OR_RETURN(
      PgResult r,
      Read("SELECT pg_is_in_recovery(), current_setting('synchronous_standby_names') <> '', "
           "count(*), coalesce((extract(epoch FROM min(coalesce(replay_lag, interval '0'))) "
           "* 1000)::bigint, -1) "
           "FROM pg_stat_replication "
           "WHERE sync_state IN ('sync', 'quorum') AND state = 'streaming'",
           {}));
  CANDOR_ASSIGN_OR_RETURN(bool standby, r.Bool(0, 0));
  if (standby)
    return Status::Unavailable("postgres: connected to a standby, which takes no writes");
  CANDOR_ASSIGN_OR_RETURN(bool wants_standby, r.Bool(0, 1));
  if (!wants_standby) return Status::Ok();
  CANDOR_ASSIGN_OR_RETURN(int64_t streaming, r.Int8(0, 2));
  if (streaming == 0) {
    return Status::Unavailable(
        "postgres: synchronous_standby_names is set but no synchronous standby streams "
        "(commits wait for one)");
  }
  CANDOR_ASSIGN_OR_RETURN(int64_t lag_ms, r.Int8(0, 3));
  if (lag_ms > options_.max_standby_lag.count()) {
    return Status::Unavailable("postgres: the synchronous standby lags by " +
                               std::to_string(lag_ms / 1000) + " s");
  }
  return Status::Ok();
}

}  // namespace candor
