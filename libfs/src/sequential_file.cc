#include "candor/fs/sequential_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "candor/fs/errno_text.h"

namespace candor::fs {

Result<SequentialFile> SequentialFile::Open(const std::string& path, const OpenOptions& options) {
  int flags = O_RDONLY | O_CLOEXEC | (options.follow_symlinks ? 0 : O_NOFOLLOW);
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return Status::NotFound(path + ": no such file");
    return IoError("open", path, err);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = IoError("stat", path, errno);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status(options.not_regular, path + ": not a regular file");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  if (options.sequential_hint) (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  return SequentialFile(fd, static_cast<uint64_t>(st.st_size), static_cast<unsigned>(st.st_mode),
                        path);
}

SequentialFile::SequentialFile(SequentialFile&& other) noexcept
    : fd_(other.fd_), size_(other.size_), mode_(other.mode_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

SequentialFile& SequentialFile::operator=(SequentialFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    size_ = other.size_;
    mode_ = other.mode_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

SequentialFile::~SequentialFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> SequentialFile::Read(std::span<char> buf) {
  for (;;) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return IoError("read", path_, errno);
  }
}

Result<size_t> SequentialFile::Read(std::span<uint8_t> buf) {
  return Read(std::span<char>(reinterpret_cast<char*>(buf.data()), buf.size()));
}

Result<size_t> SequentialFile::ReadFull(std::span<char> buf) {
  size_t done = 0;
  while (done < buf.size()) {
    CANDOR_ASSIGN_OR_RETURN(size_t n, Read(buf.subspan(done)));
    if (n == 0) break;
    done += n;
  }
  return done;
}

}  // namespace candor::fs
