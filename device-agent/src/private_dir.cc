#include "candor/agent/private_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "candor/fs/directory.h"
#include "candor/fs/errno_text.h"

namespace candor::agent {
namespace {

// "<what>: <error>" for the errno of the call that just failed.
std::string ErrnoMessage(const std::string& what) { return fs::ErrnoMessage(what, "", errno); }

}  // namespace

Status EnsurePrivateDir(const std::string& dir) {
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectory(dir, 0700));
  return CheckPrivateDir(dir);
}

namespace {

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

Status CheckPrivateDir(const std::string& dir) {
  // Resolve symlinks once, then check the directory that is really used and
  // every directory above it: whoever can rename an entry on that path can
  // swap the state or the staged image under the agent.
  char* resolved = ::realpath(dir.c_str(), nullptr);
  if (resolved == nullptr) return Status::Io(ErrnoMessage(dir));
  std::string path(resolved);
  std::free(resolved);
  const uid_t euid = ::geteuid();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::Io(ErrnoMessage(path));
  if (!S_ISDIR(st.st_mode)) return Status::Io(dir + ": not a directory");
  if (st.st_uid != euid) {
    return Status::Io(dir + ": state dir is owned by uid " + std::to_string(st.st_uid) +
                      ", not by the agent's uid " + std::to_string(euid) +
                      " (chown it, or remove it and let the agent create it)");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Status::Io(dir + ": state dir has mode " + Octal(st.st_mode) +
                      ": group or others may write it (chmod go-w, 0700 recommended)");
  }
  while (path.size() > 1) {
    const size_t slash = path.rfind('/');
    path.resize(slash == 0 ? 1 : slash);
    if (::stat(path.c_str(), &st) != 0) return Status::Io(ErrnoMessage(path));
    if (st.st_uid != 0 && st.st_uid != euid) {
      return Status::Io(dir + ": parent directory " + path + " is owned by uid " +
                        std::to_string(st.st_uid) + ", neither root nor the agent");
    }
    // A sticky directory (/tmp) lets others add entries but not rename ours.
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
      return Status::Io(dir + ": parent directory " + path + " has mode " + Octal(st.st_mode) +
                        ": group or others may rename the state dir");
    }
  }
  return Status::Ok();
}

Result<fs::DirectoryLock> AcquireStateLock(const std::string& dir) {
  auto lock = fs::DirectoryLock::Acquire(dir);
  if (lock.status().code() == Code::kConflict) {
    return Status::Conflict("another candor-agent holds " + dir + "/lock");
  }
  return lock;
}

}  // namespace candor::agent
