#include "candor/fs/directory.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "candor/fs/errno_text.h"

namespace candor::fs {

std::string ParentDirectory(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status SyncDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync directory", path, err);
  return Status::Ok();
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("remove", path, errno);
  }
  return SyncDirectory(ParentDirectory(path));
}

namespace {

Status CheckIsDirectory(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return IoError("stat", path, errno);
  if (!S_ISDIR(st.st_mode)) return Status::Io(path + " exists and is not a directory");
  return Status::Ok();
}

}  // namespace

Status MakeDirectory(const std::string& path, unsigned mode) {
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    if (errno != EEXIST) return IoError("mkdir", path, errno);
    return CheckIsDirectory(path);
  }
  return SyncDirectory(ParentDirectory(path));
}

Status MakeDirectories(const std::string& path, unsigned mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    return S_ISDIR(st.st_mode) ? Status::Ok() : Status::Io(path + " exists and is not a directory");
  }
  std::string parent = ParentDirectory(path);
  if (parent != path) CANDOR_RETURN_IF_ERROR(MakeDirectories(parent, mode));
  return MakeDirectory(path, mode);
}

Result<std::vector<std::string>> ListFiles(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound(ErrnoMessage("open directory", path, err));
    if (err == ENOTDIR) return Status::InvalidArgument(path + ": not a directory");
    return IoError("open directory", path, err);
  }
  std::vector<std::string> names;
  int err = 0;
  while (true) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      err = errno;
      break;
    }
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    struct stat st;
    // stat, not the entry's d_type: it follows links, and some file systems
    // report DT_UNKNOWN. A file removed meanwhile is simply not listed.
    if (::stat((path + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    names.push_back(std::move(name));
  }
  ::closedir(d);
  if (err != 0) return IoError("read directory", path, err);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace candor::fs
