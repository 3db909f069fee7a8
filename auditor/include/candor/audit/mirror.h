// The mirror directory: a verified copy of a log in the same c2sp.org/tlog-tiles
// layout (so any static file server can serve it), plus the auditor's private
// state beside it (docs/AUDIT.md "Mirror layout"):
//
//   MIRROR/checkpoint                 the last verified checkpoint (verbatim)
//   MIRROR/tile/<L>/<N>[.p/<W>]       verified tiles
//   MIRROR/tile/entries/<N>[.p/<W>]   verified entry bundles
//   MIRROR/.candor-audit/index.db     state (commit point) and release index
//   MIRROR/.candor-audit/checkpoint   copy of the verified checkpoint
//   MIRROR/.candor-audit/lock         held (flock) while a command writes
//   MIRROR/.candor-audit/evidence-*.txt
//
// Thread-safety: a Mirror is used by one thread.
#ifndef CANDOR_AUDIT_MIRROR_H_
#define CANDOR_AUDIT_MIRROR_H_

#include <memory>
#include <optional>
#include <string>

#include "candor/audit/index.h"
#include "candor/bytes.h"
#include "candor/fs/lock.h"
#include "candor/merkle.h"
#include "candor/status.h"

namespace candor::audit {

class Mirror {
 public:
  // Creates the directories if `create`; else kNotFound when there is no
  // mirror. Takes the lock when `lock` (kConflict if another process has it).
  static Result<std::unique_ptr<Mirror>> Open(const std::string& dir, bool create, bool lock);
  ~Mirror();

  const std::string& dir() const { return dir_; }
  std::string private_dir() const { return dir_ + "/.candor-audit"; }
  AuditIndex& index() { return *index_; }
  // The verified state (size 0 and no checkpoint for a new mirror).
  Result<MirrorState> State();

  // Writes MIRROR/<rel> via a temporary file and rename, WITHOUT fsync: call
  // SyncAll() before recording anything that depends on it.
  Status WriteFile(const std::string& rel, ByteView data);
  // syncfs(2) of the mirror's file system: every file written so far is durable.
  Status SyncAll();
  // NodeReader over the mirror's own tiles for the tree of `size`.
  NodeReader Reader(uint64_t size);
  // The raw entry at `index` of the mirror's tree of `size` (read from its
  // entry bundle). kNotFound if index >= size or the bundle is absent.
  Result<Bytes> ReadEntry(uint64_t index, uint64_t size);

 private:
  Mirror() = default;
  std::string dir_;
  fs::DirectoryLock lock_;  // held while a command writes (Open with lock)
  int dir_fd_ = -1;
  std::string last_dir_;
  std::unique_ptr<AuditIndex> index_;
};

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_MIRROR_H_
