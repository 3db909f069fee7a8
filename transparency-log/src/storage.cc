// TileStorage: POSIX file I/O with explicit fsyncs (see storage.h).
#include "candor/log/storage.h"

#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <set>
#include <thread>

namespace candor {
namespace {

std::string Errno(std::string_view what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, ByteView data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Io(Errno("write", path));
    }
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Writes `path`.tmp and fdatasyncs it (no rename).
Status WriteSyncedTmp(const std::string& tmp, ByteView data, int mode) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Status::Io(Errno("open", tmp));
  Status st = WriteAll(fd, data, tmp);
  if (st.ok() && ::fdatasync(fd) != 0) st = Status::Io(Errno("fdatasync", tmp));
  if (::close(fd) != 0 && st.ok()) st = Status::Io(Errno("close", tmp));
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

}  // namespace

Result<Bytes> ReadWholeFile(const std::string& path, size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(path + " does not exist");
    return Status::Io(Errno("open", path));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::NotFound(path + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    return Status::TooLarge(path + " is too large");
  }
  Bytes out(static_cast<size_t>(st.st_size));
  size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::read(fd, out.data() + off, out.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::Io(Errno("read", path));
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

Status SyncDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Io(Errno("open dir", path));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::Io(Errno("fsync dir", path));
  return Status::Ok();
}

Status MakeDirectories(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    return S_ISDIR(st.st_mode) ? Status::Ok() : Status::Io(path + " is not a directory");
  }
  std::string parent = ParentOf(path);
  if (parent != path) CANDOR_RETURN_IF_ERROR(MakeDirectories(parent));
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::Io(Errno("mkdir", path));
  }
  return SyncDirectory(parent);
}

Status AtomicWriteFile(const std::string& path, ByteView data, int mode) {
  std::string tmp = path + ".tmp";
  CANDOR_RETURN_IF_ERROR(WriteSyncedTmp(tmp, data, mode));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = Status::Io(Errno("rename", tmp));
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDirectory(ParentOf(path));
}

TileStorage::TileStorage(std::string dir) : dir_(std::move(dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

namespace {

// Runs fn(i) for i in [0, n) on up to kSyncParallelism threads and returns the
// first error. fsyncs of different files overlap on the device (measured: 8
// fdatasyncs take ~1 fsync latency in parallel, ~8 sequentially), which is what
// makes a durable group commit cheap.
constexpr size_t kSyncParallelism = 8;

Status ParallelFor(size_t n, const std::function<Status(size_t)>& fn) {
  if (n <= 1) return n == 1 ? fn(0) : Status::Ok();
  std::vector<Status> results(n);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) results[i] = fn(i);
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < std::min(n, kSyncParallelism); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (Status& st : results) {
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace

Status TileStorage::WriteFiles(const std::vector<StorageFile>& files) {
  std::set<std::string> known_dirs;
  std::vector<std::string> full(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    full[i] = dir_ + "/" + files[i].path;
    std::string parent = ParentOf(full[i]);
    if (known_dirs.insert(parent).second) CANDOR_RETURN_IF_ERROR(MakeDirectories(parent));
  }
  // 1. Every file's contents durable under a temporary name.
  CANDOR_RETURN_IF_ERROR(ParallelFor(files.size(), [&](size_t i) {
    return WriteSyncedTmp(full[i] + ".tmp", files[i].data, 0644);
  }));
  // 2. Atomic replacement: readers see the old or the new complete file.
  for (size_t i = 0; i < files.size(); ++i) {
    std::string tmp = full[i] + ".tmp";
    if (::rename(tmp.c_str(), full[i].c_str()) != 0) return Status::Io(Errno("rename", tmp));
  }
  // 3. The renames durable.
  std::vector<std::string> dirs(known_dirs.begin(), known_dirs.end());
  return ParallelFor(dirs.size(), [&](size_t i) { return SyncDirectory(dirs[i]); });
}

Result<Bytes> TileStorage::ReadRelative(const std::string& relative_path) const {
  return ReadWholeFile(dir_ + "/" + relative_path, size_t{64} << 20);
}

Result<Bytes> TileStorage::ReadTile(const TileId& tile) const {
  return ReadRelative(TilePath(tile));
}

Result<Bytes> TileStorage::ReadEntryBundle(const EntryBundleId& bundle) const {
  return ReadRelative(EntryBundlePath(bundle));
}

Status TileStorage::WriteCheckpoint(std::string_view note) {
  return AtomicWriteFile(dir_ + "/checkpoint", AsBytes(note));
}

Result<uint64_t> TileStorage::FreeBytes() const {
  struct statvfs st {};
  if (::statvfs(dir_.c_str(), &st) != 0) return Status::Io(Errno("statvfs", dir_));
  return uint64_t{st.f_bavail} * st.f_frsize;
}

Result<std::string> TileStorage::ReadCheckpoint() const {
  CANDOR_ASSIGN_OR_RETURN(Bytes b, ReadRelative("checkpoint"));
  return std::string(AsChars(b));
}

}  // namespace candor
