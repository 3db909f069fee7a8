#include "candor/agent/fs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace candor::agent {

std::string ErrnoMessage(std::string_view what) {
  std::string out(what);
  out += ": ";
  out += std::strerror(errno);
  return out;
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::Io(ErrnoMessage(path));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = Status::Io(ErrnoMessage(path));
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Io(path + ": not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    return Status::TooLarge(path + ": larger than " + std::to_string(max_size) + " bytes");
  }
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::Io(ErrnoMessage(path));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    // The file may grow between fstat and read: the limit holds regardless.
    if (out.size() + static_cast<size_t>(n) > max_size) {
      ::close(fd);
      return Status::TooLarge(path + ": larger than " + std::to_string(max_size) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status WriteAll(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Io(ErrnoMessage(what));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

namespace {

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Io(ErrnoMessage(dir));
  int rc = ::fsync(fd);
  Status s = rc == 0 ? Status::Ok() : Status::Io(ErrnoMessage("fsync " + dir));
  ::close(fd);
  return s;
}

}  // namespace

Status ReplaceFileAtomically(const std::string& dir, const std::string& name,
                             std::string_view contents) {
  const std::string target = dir + "/" + name;
  const std::string tmp = target + ".tmp";
  // O_TRUNC: a leftover .tmp from a crash is never committed, so overwriting it is safe.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Io(ErrnoMessage(tmp));
  Status s = WriteAll(fd, contents, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Status::Io(ErrnoMessage("fsync " + tmp));
  if (::close(fd) != 0 && s.ok()) s = Status::Io(ErrnoMessage("close " + tmp));
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    Status r = Status::Io(ErrnoMessage("rename " + tmp));
    ::unlink(tmp.c_str());
    return r;
  }
  return FsyncDir(dir);
}

Status EnsurePrivateDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Status::Io(ErrnoMessage(dir));
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Status::Io(ErrnoMessage(dir));
  if (!S_ISDIR(st.st_mode)) return Status::Io(dir + ": not a directory");
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

Result<FileLock> FileLock::Acquire(const std::string& dir) {
  const std::string path = dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Io(ErrnoMessage(path));
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    Status s = errno == EWOULDBLOCK ? Status::Conflict("another candor-agent holds " + path)
                                    : Status::Io(ErrnoMessage("flock " + path));
    ::close(fd);
    return s;
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace candor::agent
