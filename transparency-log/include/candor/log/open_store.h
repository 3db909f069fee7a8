// OpenLogStore: the one place a `--storage` setting becomes a LogStore
// (log_store.h), so that `candor-log init|serve|shard|export` agree on it:
//   ""                              the data directory itself (PosixLogStore)
//   postgres://... | postgresql://...   a PostgreSQL database (PgLogStore)
//
// Thread-safety: the functions are thread-safe; see LogStore for the result.
#ifndef CANDOR_LOG_OPEN_STORE_H_
#define CANDOR_LOG_OPEN_STORE_H_

#include <memory>
#include <string>

#include "candor/fs/lock.h"
#include "candor/log/log_store.h"

namespace candor {

// Whether `storage` names a PostgreSQL database.
bool IsPostgresStorage(const std::string& storage);

// The line InitLog writes to DIR/config for a log on PostgreSQL. OpenLogStore
// refuses to open such a directory as a data-directory log (no --storage).
inline constexpr const char* kPostgresConfigLine = "storage postgres";

// Whether DIR/config holds kPostgresConfigLine (blanks around it allowed): the
// directory is a front-end's of a log on PostgreSQL, holding no tree. A
// missing config is a data-directory log.
Result<bool> ConfiguredForPostgres(const std::string& dir);

// A store and what keeps it to this process: the POSIX store holds
// DIR/state/lock for its life (one process per directory); a database store
// needs no lock (the database coordinates its writers).
struct OpenedStore {
  fs::DirectoryLock lock;  // declared first: released after the store closes
  std::unique_ptr<LogStore> store;
};

// Opens the store of the log whose configuration is in `dir` (log.pub,
// config). kConflict when another process holds the POSIX store's lock;
// kInvalidArgument for a storage setting this build does not know, and
// without `storage` for a directory whose config says its log is on
// PostgreSQL.
Result<OpenedStore> OpenLogStore(const std::string& dir, const std::string& storage);

// Creates an empty store for a new log of `origin` (the POSIX store's index
// under DIR/state; a database's schema). kConflict if it already holds a log.
Status InitLogStore(const std::string& dir, const std::string& storage, const std::string& origin);

}  // namespace candor

#endif  // CANDOR_LOG_OPEN_STORE_H_
