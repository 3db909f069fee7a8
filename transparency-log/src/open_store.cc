// OpenLogStore and InitLogStore (see open_store.h).
#include "candor/log/open_store.h"

#include "candor/fs/directory.h"
#include "candor/log/posix_store.h"

namespace candor {

bool IsPostgresStorage(const std::string& storage) {
  return storage.rfind("postgres://", 0) == 0 || storage.rfind("postgresql://", 0) == 0;
}

namespace {

Status UnknownStorage(const std::string& storage) {
  // Never echo the setting: it may hold a password.
  (void)storage;
  return Status::InvalidArgument(
      "--storage must be empty (the data directory) or a postgres:// URI");
}

}  // namespace

Result<OpenedStore> OpenLogStore(const std::string& dir, const std::string& storage) {
  OpenedStore opened;
  if (!storage.empty()) return UnknownStorage(storage);
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
  (void)origin;
  if (!storage.empty()) return UnknownStorage(storage);
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(dir + "/state"));
  // Opening creates the index with the empty tree's head.
  CANDOR_ASSIGN_OR_RETURN(auto store, PosixLogStore::Open(dir));
  return Status::Ok();
}

}  // namespace candor
