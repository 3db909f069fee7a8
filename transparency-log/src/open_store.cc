// OpenLogStore and InitLogStore (see open_store.h).
#include "candor/log/open_store.h"

#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"
#include "candor/log/pg_store.h"
#include "candor/log/posix_store.h"
#include "candor/signer.h"

namespace candor {

bool IsPostgresStorage(const std::string& storage) {
  return storage.rfind("postgres://", 0) == 0 || storage.rfind("postgresql://", 0) == 0;
}

namespace {

Status UnknownStorage() {
  // Never echo the setting: it may hold a password.
  return Status::InvalidArgument(
      "--storage must be empty (the data directory) or a postgres:// URI");
}

// The origin of the log configured in `dir` (its log.pub names it), so that a
// front-end never serves another log's database; "" without a directory
// (export, which checks the checkpoints it copies).
Result<std::string> ConfiguredOrigin(const std::string& dir) {
  if (dir.empty()) return std::string();
  CANDOR_ASSIGN_OR_RETURN(VerifierKey key, ReadVerifierKeyFile(dir + "/log.pub", "log key"));
  return key.name;
}

}  // namespace

Result<bool> ConfiguredForPostgres(const std::string& dir) {
  auto config = fs::ReadFileBytes(dir + "/config", size_t{64} << 10);
  if (!config.ok()) {
    if (config.status().code() == Code::kNotFound) return false;
    return config.status();
  }
  std::string_view text = AsChars(*config);
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    // An editor's trailing blanks or CRLF must not switch the guard off.
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line == kPostgresConfigLine) return true;
    at = end + 1;
  }
  return false;
}

Result<OpenedStore> OpenLogStore(const std::string& dir, const std::string& storage) {
  OpenedStore opened;
  if (IsPostgresStorage(storage)) {
    PgStoreOptions options;
    CANDOR_ASSIGN_OR_RETURN(options.origin, ConfiguredOrigin(dir));
    CANDOR_ASSIGN_OR_RETURN(opened.store, PgLogStore::Open(storage, options));
    return opened;
  }
  if (!storage.empty()) return UnknownStorage();
  // A front-end's directory of a log on PostgreSQL holds its key but not its
  // tree: opened as a data directory it would start an empty tree signed
  // with the same key, a second log that contradicts the real one.
  CANDOR_ASSIGN_OR_RETURN(bool postgres, ConfiguredForPostgres(dir));
  if (postgres) {
    return Status::InvalidArgument("the log configured in " + dir +
                                   " lives in PostgreSQL (its config says \"" +
                                   kPostgresConfigLine + "\"): give --storage postgres://...");
  }
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(dir + "/state"));
  auto lock = fs::DirectoryLock::Acquire(dir + "/state");
  if (!lock.ok()) {
    if (lock.status().code() != Code::kConflict) return lock.status();
    return Status::Conflict("another candor-log process holds " + dir + "/state/lock");
  }
  opened.lock = std::move(lock).value();
  CANDOR_ASSIGN_OR_RETURN(opened.store, PosixLogStore::Open(dir));
  return opened;
}

Status InitLogStore(const std::string& dir, const std::string& storage,
                    const std::string& origin) {
  if (IsPostgresStorage(storage)) return PgLogStore::Init(storage, origin);
  if (!storage.empty()) return UnknownStorage();
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(dir + "/state"));
  // Opening creates the index with the empty tree's head.
  CANDOR_ASSIGN_OR_RETURN(auto store, PosixLogStore::Open(dir));
  return Status::Ok();
}

}  // namespace candor
