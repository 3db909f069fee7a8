// WriteFileAtomically and StagedFile: replacing or creating a file so that a
// reader, and the file system after a crash, sees either no file / the old
// file or the complete new one, never a partial write.
//
// The recipe (LevelDB's Env, Tessera's storage/posix): write a temporary file
// in the destination directory, fsync it, put it in place with rename(2) (or
// link(2) when the target must not exist), then fsync the directory so that
// the new name itself survives a power failure.
//
// Temporary names: "<path>.tmp" by default (REQUIRES: one writer per path at a
// time, e.g. under a DirectoryLock; a crash's leftover is truncated and reused
// by the next write); with `unique_temp`, "<path>.tmp.XXXXXX" (mkstemp), for
// writers that may race (two CLI runs writing one output file).
//
// Thread-safety: reentrant; see the temporary-name REQUIRES above.
#ifndef CANDOR_FS_ATOMIC_WRITE_H_
#define CANDOR_FS_ATOMIC_WRITE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "candor/status.h"

namespace candor::fs {

struct WriteOptions {
  // The file's permission bits, exactly: applied with fchmod, so the umask
  // neither widens nor narrows them.
  unsigned mode = 0644;
  // Create only: kConflict if something exists at the path (link(2), so a
  // file created meanwhile by someone else is never clobbered).
  bool no_clobber = false;
  // fsync the file before it gets its name and the directory afterwards.
  // false for bulk writers that make a whole tree durable at once (syncfs).
  bool durable = true;
  // mkstemp a unique temporary name instead of "<path>.tmp".
  bool unique_temp = false;
};

// Writes `data` to `path` atomically (see the header comment). kConflict if
// `no_clobber` and `path` exists; kIo otherwise on failure, naming the path.
// On failure the temporary file is removed and `path` is unchanged.
Status WriteFileAtomically(const std::string& path, std::string_view data,
                           const WriteOptions& options = {});
Status WriteFileAtomically(const std::string& path, std::span<const uint8_t> data,
                           const WriteOptions& options = {});

// One file of a batch, written (and fsynced if durable) under its temporary
// name; Commit() puts it in place. A batch writer stages every file (the
// fsyncs may overlap on several threads), commits them all, then syncs each
// directory once. Destroying an uncommitted StagedFile removes the temporary.
class StagedFile {
 public:
  static Result<StagedFile> Write(const std::string& path, std::string_view data,
                                  const WriteOptions& options = {});
  static Result<StagedFile> Write(const std::string& path, std::span<const uint8_t> data,
                                  const WriteOptions& options = {});

  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  const std::string& path() const { return path_; }

  // Renames (or, with no_clobber, links) the temporary file to path(). Does
  // NOT fsync the directory: the caller does (SyncDirectory), once per
  // directory. kConflict / kIo as WriteFileAtomically. REQUIRES: called once.
  Status Commit();

 private:
  StagedFile(std::string path, std::string temp, bool no_clobber)
      : path_(std::move(path)), temp_(std::move(temp)), no_clobber_(no_clobber) {}
  std::string path_;
  std::string temp_;  // empty once committed or moved from
  bool no_clobber_ = false;
};

}  // namespace candor::fs

#endif  // CANDOR_FS_ATOMIC_WRITE_H_
