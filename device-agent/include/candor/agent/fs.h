// Small POSIX file helpers for the device agent: bounded whole-file reads,
// crash-safe atomic replacement of a file, and an advisory lock.
//
// Atomic replacement follows the classic recipe (write a temporary file in the
// same directory, fsync it, rename it over the target, fsync the directory),
// so that after a crash at any instant the target holds either its old or its
// new contents, never a mix (POSIX rename(2) atomicity; the directory fsync
// makes the rename itself durable).
//
// Thread-safety: functions are reentrant; FileLock is a move-only owner of an fd.
#ifndef CANDOR_AGENT_FS_H_
#define CANDOR_AGENT_FS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "candor/status.h"

namespace candor::agent {

// Reads a whole regular file of at most `max_size` bytes.
// kNotFound if it does not exist, kTooLarge if bigger, kIo otherwise.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_size);

// Writes all of `data` to `fd`, retrying on EINTR and short writes. kIo on failure.
Status WriteAll(int fd, std::string_view data, std::string_view what);

// Replaces `dir`/`name` atomically and durably by `contents` (mode 0600):
// writes `dir`/`name`.tmp, fsyncs, renames, fsyncs `dir`. kIo on failure (the
// target is then unchanged).
Status ReplaceFileAtomically(const std::string& dir, const std::string& name,
                             std::string_view contents);

// Creates `dir` with mode 0700 if it does not exist; kIo if it cannot, if
// the path exists and is not a directory, or if CheckPrivateDir refuses it.
Status EnsurePrivateDir(const std::string& dir);

// kIo unless `dir` (symlinks resolved) is a directory owned by the effective
// uid that neither group nor others may write, and every directory above it
// is owned by root or the effective uid and is not writable by group or
// others unless sticky. Otherwise another user could rename the state file or
// the staged image under the agent. Read access for others is allowed: the
// state holds nothing secret, the staged image is mode 0600 itself.
Status CheckPrivateDir(const std::string& dir);

// An exclusive, non-blocking flock(2) on `dir`/lock, released on destruction
// (or by the kernel when the process dies).
class FileLock {
 public:
  // kConflict if another process holds the lock, kIo on other failures.
  static Result<FileLock> Acquire(const std::string& dir);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// strerror(errno) with a prefix: "<what>: <error>".
std::string ErrnoMessage(std::string_view what);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_FS_H_
