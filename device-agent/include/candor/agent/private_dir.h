// The agent's private state directory: created 0700, and refused when
// another local user could rename entries in it (so swap the state or the
// staged image under the agent). File I/O itself (bounded reads, atomic
// replacement, the lock) is candor_fs's (candor/fs/*.h).
//
// Thread-safety: functions are reentrant.
#ifndef CANDOR_AGENT_PRIVATE_DIR_H_
#define CANDOR_AGENT_PRIVATE_DIR_H_

#include <string>

#include "candor/fs/lock.h"
#include "candor/status.h"

namespace candor::agent {

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

// The agent's single-writer lock, fs::DirectoryLock on `dir`/lock: kConflict
// ("another candor-agent holds <dir>/lock") if another process holds it.
Result<fs::DirectoryLock> AcquireStateLock(const std::string& dir);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_PRIVATE_DIR_H_
