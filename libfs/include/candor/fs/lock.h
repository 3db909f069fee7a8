// DirectoryLock: the single-writer lock of a data directory, an exclusive,
// non-blocking flock(2) on "<dir>/lock". Released on destruction, and by the
// kernel when the process dies (no stale lock files to clean up).
//
// flock locks belong to the open file description, so a second Acquire of the
// same directory fails even within one process.
//
// Thread-safety: move-only owner of a file descriptor.
#ifndef CANDOR_FS_LOCK_H_
#define CANDOR_FS_LOCK_H_

#include <string>

#include "candor/status.h"

namespace candor::fs {

class DirectoryLock {
 public:
  // Creates "<dir>/lock" (with `mode`, if absent) and locks it.
  // kConflict ("<dir>/lock is held by another process") if someone holds it,
  // kIo naming the path on other failures. REQUIRES: `dir` exists.
  static Result<DirectoryLock> Acquire(const std::string& dir, unsigned mode = 0600);

  DirectoryLock() = default;  // holds nothing
  DirectoryLock(DirectoryLock&& other) noexcept;
  DirectoryLock& operator=(DirectoryLock&& other) noexcept;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();

  bool held() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }  // "<dir>/lock"

 private:
  DirectoryLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace candor::fs

#endif  // CANDOR_FS_LOCK_H_
