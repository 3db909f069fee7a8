#include "candor/fs/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "candor/fs/directory.h"
#include "candor/fs/errno_text.h"
#include "candor/fs/write_all.h"

namespace candor::fs {
namespace {

std::string_view AsText(std::span<const uint8_t> data) {
  return std::string_view(reinterpret_cast<const char*>(data.data()), data.size());
}

Status ConflictAt(const std::string& path) {
  return Status::Conflict(path + " already exists");
}

}  // namespace

Result<StagedFile> StagedFile::Write(const std::string& path, std::string_view data,
                                     const WriteOptions& options) {
  std::string temp;
  int fd;
  if (options.unique_temp) {
    temp = path + ".tmp.XXXXXX";
    fd = ::mkostemp(temp.data(), O_CLOEXEC);
  } else {
    // O_TRUNC: a leftover temporary from a crash was never committed.
    temp = path + ".tmp";
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  }
  if (fd < 0) return IoError("create", temp, errno);
  // The staged file owns the temporary from here: any failure below removes it.
  StagedFile staged(path, temp, options.no_clobber);
  Status s;
  if (::fchmod(fd, static_cast<mode_t>(options.mode)) != 0) s = IoError("chmod", temp, errno);
  if (s.ok()) s = WriteAll(fd, data, temp);
  if (s.ok() && options.durable && ::fsync(fd) != 0) s = IoError("fsync", temp, errno);
  if (::close(fd) != 0 && s.ok()) s = IoError("close", temp, errno);
  if (!s.ok()) return s;
  return staged;
}

Result<StagedFile> StagedFile::Write(const std::string& path, std::span<const uint8_t> data,
                                     const WriteOptions& options) {
  return Write(path, AsText(data), options);
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), no_clobber_(other.no_clobber_) {
  other.temp_.clear();
}

StagedFile& StagedFile::operator=(StagedFile&& other) noexcept {
  if (this != &other) {
    if (!temp_.empty()) ::unlink(temp_.c_str());
    path_ = std::move(other.path_);
    temp_ = std::move(other.temp_);
    no_clobber_ = other.no_clobber_;
    other.temp_.clear();
  }
  return *this;
}

StagedFile::~StagedFile() {
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

Status StagedFile::Commit() {
  if (temp_.empty()) return Status::Internal("StagedFile::Commit called twice for " + path_);
  if (no_clobber_) {
    // link(2) refuses an existing destination (even a dangling symlink): no
    // window in which a file created meanwhile would be clobbered.
    if (::link(temp_.c_str(), path_.c_str()) != 0) {
      int err = errno;
      if (err == EEXIST) return ConflictAt(path_);  // the destructor removes temp_
      return IoError("link", path_, err);
    }
    ::unlink(temp_.c_str());
  } else if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    return IoError("rename " + temp_ + " to", path_, errno);
  }
  temp_.clear();
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view data,
                           const WriteOptions& options) {
  CANDOR_ASSIGN_OR_RETURN(StagedFile staged, StagedFile::Write(path, data, options));
  CANDOR_RETURN_IF_ERROR(staged.Commit());
  // Without this the new name itself may be lost in a power failure.
  if (options.durable) return SyncDirectory(ParentDirectory(path));
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::span<const uint8_t> data,
                           const WriteOptions& options) {
  return WriteFileAtomically(path, AsText(data), options);
}

}  // namespace candor::fs
