#include "files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <string>

#include <fmt/format.h>

namespace candor::cli {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Io(fmt::format("cannot write {}: {}", what, ErrnoText(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

void FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Result<std::string> ReadFileLimited(const std::string& path, size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(fmt::format("{}: no such file", path));
    return Status::Io(fmt::format("cannot open {}: {}", path, ErrnoText(err)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Io(fmt::format("{}: not a regular file", path));
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    return Status::TooLarge(
        fmt::format("{}: {} bytes exceeds the limit of {} bytes", path, st.st_size, max_size));
  }
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::Io(fmt::format("cannot read {}: {}", path, ErrnoText(err)));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size) {
      ::close(fd);
      return Status::TooLarge(fmt::format("{}: exceeds the limit of {} bytes", path, max_size));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status WriteFileAtomic(const std::string& path, std::string_view contents, bool force,
                       unsigned mode) {
  if (!force && PathExists(path)) {
    return Status::Conflict(fmt::format("{} already exists (use --force to replace it)", path));
  }
  std::string dir = DirName(path);
  std::string tmpl = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    return Status::Io(
        fmt::format("cannot create a temporary file beside {}: {}", path, ErrnoText(errno)));
  }
  auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    return s;
  };
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    return fail(Status::Io(fmt::format("cannot chmod {}: {}", tmpl, ErrnoText(errno))));
  }
  Status w = WriteAll(fd, contents, tmpl);
  if (!w.ok()) return fail(w);
  if (::fsync(fd) != 0) {
    return fail(Status::Io(fmt::format("cannot fsync {}: {}", tmpl, ErrnoText(errno))));
  }
  ::close(fd);
  if (force) {
    if (::rename(tmpl.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmpl.c_str());
      return Status::Io(fmt::format("cannot rename into {}: {}", path, ErrnoText(err)));
    }
  } else {
    // link(2) refuses an existing destination: no window where another file
    // created meanwhile would be clobbered.
    if (::link(tmpl.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmpl.c_str());
      if (err == EEXIST) {
        return Status::Conflict(fmt::format("{} already exists (use --force to replace it)", path));
      }
      return Status::Io(fmt::format("cannot create {}: {}", path, ErrnoText(err)));
    }
    ::unlink(tmpl.c_str());
  }
  FsyncDir(dir);
  return Status::Ok();
}

Result<ImageFile> ImageFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(fmt::format("{}: no such file", path));
    return Status::Io(fmt::format("cannot open {}: {}", path, ErrnoText(err)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Io(fmt::format("{}: not a regular file", path));
  }
#ifdef POSIX_FADV_SEQUENTIAL
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  return ImageFile(fd, static_cast<uint64_t>(st.st_size), path);
}

ImageFile::ImageFile(ImageFile&& other) noexcept
    : fd_(other.fd_), size_(other.size_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

ImageFile& ImageFile::operator=(ImageFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    size_ = other.size_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

ImageFile::~ImageFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> ImageFile::Read(std::span<uint8_t> buf) {
  for (;;) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return Status::Io(fmt::format("cannot read {}: {}", path_, ErrnoText(errno)));
  }
}

Progress::Progress(std::ostream& err, std::string label, uint64_t total, bool enabled)
    : err_(err), label_(std::move(label)), total_(total), enabled_(enabled && total > 0) {}

Progress::~Progress() {
  if (enabled_ && last_percent_ >= 0) {
    err_ << "\n";
    err_.flush();
  }
}

void Progress::Add(uint64_t n) {
  done_ += n;
  if (enabled_) Draw();
}

void Progress::Draw() {
  uint64_t shown = done_ > total_ ? total_ : done_;
  int percent = static_cast<int>(shown * 100 / total_);
  if (percent == last_percent_) return;  // redraw at most 101 times
  last_percent_ = percent;
  constexpr int kWidth = 30;
  int filled = percent * kWidth / 100;
  err_ << fmt::format("\r{} [{}{}] {:3d}% {}/{} MiB", label_, std::string(filled, '#'),
                      std::string(kWidth - filled, ' '), percent, shown >> 20, total_ >> 20);
  err_.flush();
}

}  // namespace candor::cli
