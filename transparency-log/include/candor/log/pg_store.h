// PgLogStore: the LogStore (log_store.h) in a PostgreSQL database, which any
// number of candor-log front-ends share (docs/LOG.md "Storage: PostgreSQL").
// The database holds the tree (tiles and entry bundles by their tlog-tiles
// path), the index, the committed head, the published checkpoint and the
// integrator's lease; each front-end keeps its log key, vendors file and
// config in its own --dir.
//
// Tables (prefix candor_, in the connection's search_path): meta (origin,
// schema_version), head (size, root, flushed, reserved_by, reserved_until), pending (idx, entry), leaves
// (leaf -> idx), releases (key -> idx, leaf), tiles (path -> data),
// checkpoint (note), lease (holder, epoch, expires). Init creates them with
// the server-side functions below.
//
// Why server-side functions: Commit, WriteTiles and WriteCheckpoint are each
// ONE statement (candor_commit, candor_write_tiles, candor_write_checkpoint),
// so one round trip and one implicit transaction: a front-end paused or
// killed between its statements never sits idle holding the head's row lock.
// Commit compares the head under FOR UPDATE with the caller's base (stale ->
// false -> kStale), and refuses the same way while another front-end holds
// the head's reservation (candor_reserve; its holder and expiry are columns
// of the head row, so the check costs nothing). The two integrator writes are fenced in the same
// transaction: they extend the lease only where holder and epoch are still
// ours and unexpired, by the database's clock, and write nothing otherwise.
//
// Durability is the server's: a commit returns once PostgreSQL reports it
// durable under its synchronous_commit (with synchronous_standby_names, on a
// standby too). Failover: give a multi-host connection string, e.g.
//   postgres://db1:5432,db2:5432/candor?target_session_attrs=read-write
//   host=db1,db2 port=5432,5432 dbname=candor target_session_attrs=read-write
// libpq then connects to whichever host takes writes; after any connection
// error the store drops that connection and the next call connects again,
// so a promoted standby is found without a restart.
//
// Thread-safety: as LogStore. The sequencer's and the integrator's calls each
// use their own connection under their own mutex; reads (any thread) take one
// of a few pooled connections, opened lazily.
#ifndef CANDOR_LOG_PG_STORE_H_
#define CANDOR_LOG_PG_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "candor/log/log_store.h"
#include "candor/log/pg_connection.h"

namespace candor {

struct PgStoreOptions {
  // The log's origin line; Open refuses a database that holds another log
  // (kMismatch). Empty: any.
  std::string origin;
  // How long the integrator's role outlives its last renewal or write: a
  // front-end that stops renewing (crashed, paused, cut off) is replaced
  // after this long. The publisher renews well within it.
  std::chrono::milliseconds lease_ttl{5000};
  // How long a commit reservation (ReserveNextCommit) holds the other
  // writers off at most: a reserver commits within milliseconds; one that
  // died or was paused stops the others' commits for no longer than this.
  std::chrono::milliseconds reservation_ttl{1000};
  // Health() fails when the synchronous standby's replay lags more.
  std::chrono::milliseconds max_standby_lag{10000};
  // Bounds every statement (0: the server's default); commits of 8192
  // entries take well under a second.
  std::chrono::milliseconds statement_timeout{30000};
  // libpq's connect_timeout, unless the connection string sets its own.
  int connect_timeout_s = 5;
  // This process in the lease table; default "hostname:pid:random".
  std::string holder;
  // Connections for reads from other threads (the routes), at most.
  size_t read_connections = 4;
};

class PgLogStore final : public LogStore {
 public:
  // The schema's version, recorded in candor_meta by Init; Open refuses
  // another.
  static constexpr int64_t kSchemaVersion = 2;

  // Creates the tables and functions, an empty tree (size 0) and a free
  // lease, in one transaction. kConflict if the database already holds a
  // log; kUnavailable (one line) if it cannot be reached.
  static Status Init(const std::string& conninfo, const std::string& origin);
  // Connects and checks the schema: kNotFound if Init never ran there,
  // kMismatch for another origin or schema version.
  static Result<std::unique_ptr<PgLogStore>> Open(const std::string& conninfo,
                                                  PgStoreOptions options = {});
  ~PgLogStore() override;

  const std::string& holder() const { return options_.holder; }

  std::string Describe() const override { return described_; }
  Result<Bytes> ReadTile(const TileId& tile) const override;
  Result<Bytes> ReadEntryBundle(const EntryBundleId& bundle) const override;
  Result<std::string> ReadCheckpoint() const override;
  std::string ServedDirectory() const override { return ""; }
  Result<std::optional<uint64_t>> FindLeaf(const Hash& leaf) override;
  Result<std::optional<ReleaseRecord>> FindRelease(const std::string& release_key) override;
  Result<std::vector<std::optional<ReleaseRecord>>> FindReleases(
      const std::vector<std::string>& release_keys) override;
  bool PointLookupsAreCheap() const override { return false; }  // a round trip each
  Result<TreeHead> Head() override;
  Result<CommittedState> ReadCommittedFrom(uint64_t from) override;
  Result<CommitOutcome> Commit(const TreeHead& base, const std::vector<IndexRow>& rows,
                               const TreeHead& head) override;
  Result<bool> ReserveNextCommit() override;
  Status ReleaseReservation() override;
  bool CommitFailureIsFatal() const override { return false; }
  Status WriteTiles(const std::vector<StorageFile>& files, uint64_t size) override;
  Result<uint64_t> FreeBytes() const override { return UINT64_MAX; }
  Result<bool> RenewIntegratorLease() override;
  Status WriteCheckpoint(std::string_view note) override;
  Status Health() override;

 private:
  // One role's connection: connected on first use, dropped when broken.
  struct Role {
    std::mutex mu;
    std::unique_ptr<PgConnection> conn;
  };

  PgLogStore(std::string conninfo, PgStoreOptions options);
  // REQUIRES: role.mu held.
  Result<PgConnection*> Connected(Role& role);
  // One statement on the role's connection (under its mutex); drops the
  // connection when broken, so that the next call connects again, and tries
  // once more on a new one when the broken connection had been idle.
  Result<PgResult> OnRole(Role& role, const std::string& sql, const std::vector<PgParam>& params);
  // Runs a read on a pooled connection; once more on a fresh one when a
  // pooled connection turns out dead (the server restarted meanwhile): a
  // read is safe to repeat.
  Result<PgResult> Read(const std::string& sql, const std::vector<PgParam>& params) const;
  Result<Bytes> ReadPath(const std::string& path) const;

  const std::string conninfo_;
  const std::string described_;
  PgStoreOptions options_;

  Role sequencer_;
  Role integrator_;
  // The lease epoch we hold (0: none): set by the integrator's thread, read
  // by the sequencer's (WriteTiles is fenced by the same lease).
  std::atomic<int64_t> epoch_{0};

  mutable std::mutex pool_mu_;
  mutable std::condition_variable pool_cv_;
  mutable std::vector<std::unique_ptr<PgConnection>> idle_;
  mutable size_t open_reads_ = 0;  // connections in use or idle
};

}  // namespace candor

#endif  // CANDOR_LOG_PG_STORE_H_
