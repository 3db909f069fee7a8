// LogIndex on SQLite (see index.h).
#include "candor/log/index.h"

#include <sqlite3.h>

#include <cstring>

#include "candor/merkle.h"

namespace candor {
namespace {

Status SqlError(sqlite3* db, std::string_view what) {
  return Status::Io(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "no database"));
}

// Resets a statement when leaving scope.
struct Resetter {
  sqlite3_stmt* s;
  ~Resetter() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

}  // namespace

Result<std::unique_ptr<LogIndex>> LogIndex::Open(const std::string& path, bool auto_checkpoint) {
  std::unique_ptr<LogIndex> idx(new LogIndex());
  int rc =
      sqlite3_open_v2(path.c_str(), &idx->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return SqlError(idx->db_, "open " + path);
  sqlite3_busy_timeout(idx->db_, 10000);
  CANDOR_RETURN_IF_ERROR(idx->Exec("PRAGMA journal_mode=WAL"));
  CANDOR_RETURN_IF_ERROR(idx->Exec("PRAGMA synchronous=FULL"));
  CANDOR_RETURN_IF_ERROR(idx->Exec("PRAGMA cache_size=-65536"));  // 64 MiB, bounded
  // Fewer, larger WAL checkpoints: random-key inserts dirty scattered pages, and
  // a page dirtied by several batches is then copied back once (64 MiB WAL max).
  CANDOR_RETURN_IF_ERROR(idx->Exec(auto_checkpoint ? "PRAGMA wal_autocheckpoint=16384"
                                                   : "PRAGMA wal_autocheckpoint=0"));
  CANDOR_RETURN_IF_ERROR(
      idx->Exec("CREATE TABLE IF NOT EXISTS leaves (leaf BLOB PRIMARY KEY, idx INTEGER NOT NULL) "
                "WITHOUT ROWID;"
                "CREATE TABLE IF NOT EXISTS releases (rkey TEXT PRIMARY KEY, idx INTEGER NOT NULL, "
                "leaf BLOB NOT NULL) WITHOUT ROWID;"
                "CREATE TABLE IF NOT EXISTS head (id INTEGER PRIMARY KEY CHECK (id = 0), "
                "size INTEGER NOT NULL, root BLOB NOT NULL);"
                // Entries committed but not yet in tiles (see index.h).
                "CREATE TABLE IF NOT EXISTS pending (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL);"
                "CREATE TABLE IF NOT EXISTS flushed (id INTEGER PRIMARY KEY CHECK (id = 0), "
                "size INTEGER NOT NULL);"));
  CANDOR_RETURN_IF_ERROR(idx->Prepare());
  auto head = idx->Head();
  if (!head.ok() && head.status().code() == Code::kNotFound) {
    CANDOR_RETURN_IF_ERROR(idx->Commit({}, TreeHead{0, EmptyTreeHash()}));
  } else if (!head.ok()) {
    return head.status();
  }
  // A log created before tiles were flushed lazily had its tiles durable at
  // every commit: its flushed size is its committed size.
  CANDOR_RETURN_IF_ERROR(
      idx->Exec("INSERT OR IGNORE INTO flushed (id, size) SELECT 0, size FROM head WHERE id = 0"));
  return idx;
}

LogIndex::~LogIndex() {
  for (sqlite3_stmt* s : {find_leaf_, find_release_, insert_leaf_, insert_release_, set_head_,
                          get_head_, insert_pending_, get_pending_, get_flushed_}) {
    if (s) sqlite3_finalize(s);
  }
  if (db_) sqlite3_close(db_);
}

Status LogIndex::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return Status::Io("sqlite: " + msg);
  }
  return Status::Ok();
}

Status LogIndex::Prepare() {
  struct {
    sqlite3_stmt** stmt;
    const char* sql;
  } stmts[] = {
      {&find_leaf_, "SELECT idx FROM leaves WHERE leaf = ?1"},
      {&find_release_, "SELECT idx, leaf FROM releases WHERE rkey = ?1"},
      {&insert_leaf_, "INSERT INTO leaves (leaf, idx) VALUES (?1, ?2)"},
      {&insert_release_, "INSERT INTO releases (rkey, idx, leaf) VALUES (?1, ?2, ?3)"},
      {&set_head_, "INSERT OR REPLACE INTO head (id, size, root) VALUES (0, ?1, ?2)"},
      {&get_head_, "SELECT size, root FROM head WHERE id = 0"},
      {&insert_pending_, "INSERT INTO pending (idx, entry) VALUES (?1, ?2)"},
      {&get_pending_, "SELECT idx, entry FROM pending WHERE idx >= ?1 ORDER BY idx"},
      {&get_flushed_, "SELECT size FROM flushed WHERE id = 0"},
  };
  for (auto& s : stmts) {
    if (sqlite3_prepare_v3(db_, s.sql, -1, SQLITE_PREPARE_PERSISTENT, s.stmt, nullptr) !=
        SQLITE_OK) {
      return SqlError(db_, "prepare");
    }
  }
  return Status::Ok();
}

Status LogIndex::Checkpoint() {
  std::lock_guard<std::mutex> lock(mu_);
  int log_frames = 0, done = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &done);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return SqlError(db_, "wal checkpoint");
  return Status::Ok();
}

Result<TreeHead> LogIndex::Head() {
  std::lock_guard<std::mutex> lock(mu_);
  Resetter r{get_head_};
  int rc = sqlite3_step(get_head_);
  if (rc == SQLITE_DONE) return Status::NotFound("no tree head");
  if (rc != SQLITE_ROW) return SqlError(db_, "read head");
  TreeHead head;
  head.size = static_cast<uint64_t>(sqlite3_column_int64(get_head_, 0));
  if (sqlite3_column_bytes(get_head_, 1) != 32) return Status::Internal("bad stored root");
  std::memcpy(head.root.data(), sqlite3_column_blob(get_head_, 1), 32);
  return head;
}

Result<std::optional<uint64_t>> LogIndex::FindLeaf(const Hash& leaf) {
  std::lock_guard<std::mutex> lock(mu_);
  Resetter r{find_leaf_};
  sqlite3_bind_blob(find_leaf_, 1, leaf.data(), 32, SQLITE_STATIC);
  int rc = sqlite3_step(find_leaf_);
  if (rc == SQLITE_DONE) return std::optional<uint64_t>();
  if (rc != SQLITE_ROW) return SqlError(db_, "find leaf");
  return std::optional<uint64_t>(static_cast<uint64_t>(sqlite3_column_int64(find_leaf_, 0)));
}

Result<std::optional<ReleaseRecord>> LogIndex::FindRelease(const std::string& release_key) {
  std::lock_guard<std::mutex> lock(mu_);
  Resetter r{find_release_};
  sqlite3_bind_text(find_release_, 1, release_key.data(), static_cast<int>(release_key.size()),
                    SQLITE_STATIC);
  int rc = sqlite3_step(find_release_);
  if (rc == SQLITE_DONE) return std::optional<ReleaseRecord>();
  if (rc != SQLITE_ROW) return SqlError(db_, "find release");
  ReleaseRecord rec;
  rec.index = static_cast<uint64_t>(sqlite3_column_int64(find_release_, 0));
  if (sqlite3_column_bytes(find_release_, 1) != 32) return Status::Internal("bad stored leaf");
  std::memcpy(rec.leaf.data(), sqlite3_column_blob(find_release_, 1), 32);
  return std::optional<ReleaseRecord>(rec);
}

Status LogIndex::Commit(const std::vector<IndexRow>& rows, const TreeHead& head) {
  std::lock_guard<std::mutex> lock(mu_);
  CANDOR_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto fail = [&](Status st) {
    (void)Exec("ROLLBACK");
    return st;
  };
  for (const IndexRow& row : rows) {
    {
      Resetter r{insert_leaf_};
      sqlite3_bind_blob(insert_leaf_, 1, row.leaf.data(), 32, SQLITE_STATIC);
      sqlite3_bind_int64(insert_leaf_, 2, static_cast<sqlite3_int64>(row.index));
      int rc = sqlite3_step(insert_leaf_);
      if (rc == SQLITE_CONSTRAINT) return fail(Status::Conflict("leaf already indexed"));
      if (rc != SQLITE_DONE) return fail(SqlError(db_, "insert leaf"));
    }
    for (const std::string& key : row.release_keys) {
      Resetter r{insert_release_};
      sqlite3_bind_text(insert_release_, 1, key.data(), static_cast<int>(key.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int64(insert_release_, 2, static_cast<sqlite3_int64>(row.index));
      sqlite3_bind_blob(insert_release_, 3, row.leaf.data(), 32, SQLITE_STATIC);
      int rc = sqlite3_step(insert_release_);
      if (rc == SQLITE_CONSTRAINT) return fail(Status::Conflict("release already indexed"));
      if (rc != SQLITE_DONE) return fail(SqlError(db_, "insert release"));
    }
    {
      Resetter r{insert_pending_};
      sqlite3_bind_int64(insert_pending_, 1, static_cast<sqlite3_int64>(row.index));
      sqlite3_bind_blob(insert_pending_, 2, row.entry.data(), static_cast<int>(row.entry.size()),
                        SQLITE_STATIC);
      if (sqlite3_step(insert_pending_) != SQLITE_DONE) return fail(SqlError(db_, "insert entry"));
    }
  }
  {
    Resetter r{set_head_};
    sqlite3_bind_int64(set_head_, 1, static_cast<sqlite3_int64>(head.size));
    sqlite3_bind_blob(set_head_, 2, head.root.data(), 32, SQLITE_STATIC);
    if (sqlite3_step(set_head_) != SQLITE_DONE) return fail(SqlError(db_, "set head"));
  }
  if (Status st = Exec("COMMIT"); !st.ok()) {
    // SQLITE_FULL: the WAL could not take the transaction, so no commit frame
    // reached the disk and the rollback is certain. Anything else (an fsync
    // that failed, say) leaves it unknown whether the commit is durable.
    bool full = sqlite3_extended_errcode(db_) == SQLITE_FULL;
    Status failed = fail(st);
    return full ? Status::TooLarge("disk full: " + st.message()) : failed;
  }
  return Status::Ok();
}

Result<uint64_t> LogIndex::FlushedSize() {
  std::lock_guard<std::mutex> lock(mu_);
  Resetter r{get_flushed_};
  if (sqlite3_step(get_flushed_) != SQLITE_ROW) return SqlError(db_, "read flushed size");
  return static_cast<uint64_t>(sqlite3_column_int64(get_flushed_, 0));
}

Result<std::vector<Bytes>> LogIndex::PendingEntries(uint64_t from) {
  std::lock_guard<std::mutex> lock(mu_);
  Resetter r{get_pending_};
  sqlite3_bind_int64(get_pending_, 1, static_cast<sqlite3_int64>(from));
  std::vector<Bytes> out;
  int rc;
  while ((rc = sqlite3_step(get_pending_)) == SQLITE_ROW) {
    if (static_cast<uint64_t>(sqlite3_column_int64(get_pending_, 0)) != from + out.size()) {
      return Status::Inconsistent("committed entries are not contiguous from " +
                                  std::to_string(from));
    }
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(get_pending_, 1));
    out.emplace_back(p, p + sqlite3_column_bytes(get_pending_, 1));
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "read committed entries");
  return out;
}

Status LogIndex::MarkFlushed(uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = "BEGIN IMMEDIATE; UPDATE flushed SET size = " + std::to_string(size) +
                    " WHERE id = 0; DELETE FROM pending WHERE idx < " + std::to_string(size) +
                    "; COMMIT;";
  Status st = Exec(sql.c_str());
  if (!st.ok()) (void)Exec("ROLLBACK");
  return st;
}

}  // namespace candor
