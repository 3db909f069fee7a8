#include "candor/fs/directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
    return S_ISDIR(st.st_mode) ? Status::Ok()
                               : Status::Io(path + " exists and is not a directory");
  }
  std::string parent = ParentDirectory(path);
  if (parent != path) CANDOR_RETURN_IF_ERROR(MakeDirectories(parent, mode));
  return MakeDirectory(path, mode);
}

}  // namespace candor::fs
