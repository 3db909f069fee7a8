// TileStorage: POSIX file I/O with explicit fsyncs (see storage.h).
#include "candor/log/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <set>

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

Status TileStorage::WriteFiles(const std::vector<StorageFile>& files) {
  std::set<std::string> dirs;
  std::set<std::string> known_dirs;
  for (const StorageFile& f : files) {
    std::string full = dir_ + "/" + f.path;
    std::string parent = ParentOf(full);
    if (known_dirs.insert(parent).second) CANDOR_RETURN_IF_ERROR(MakeDirectories(parent));
    CANDOR_RETURN_IF_ERROR(WriteSyncedTmp(full + ".tmp", f.data, 0644));
  }
  for (const StorageFile& f : files) {
    std::string full = dir_ + "/" + f.path;
    std::string tmp = full + ".tmp";
    if (::rename(tmp.c_str(), full.c_str()) != 0) return Status::Io(Errno("rename", tmp));
    dirs.insert(ParentOf(full));
  }
  for (const std::string& d : dirs) CANDOR_RETURN_IF_ERROR(SyncDirectory(d));
  return Status::Ok();
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

Result<Bytes> TileStorage::ReadTilePrefix(const TileId& tile) const {
  auto exact = ReadTile(tile);
  if (exact.ok() || exact.status().code() != Code::kNotFound) return exact;
  const size_t want = size_t{32} * tile.width;
  for (uint32_t w = tile.width + 1u; w <= kTileWidth; ++w) {
    TileId wider = tile;
    wider.width = static_cast<uint16_t>(w);
    auto r = ReadTile(wider);
    if (r.ok()) {
      if (r->size() < want) return Status::Malformed("stored tile is too short");
      r->resize(want);
      return r;
    }
    if (r.status().code() != Code::kNotFound) return r.status();
  }
  return Status::NotFound(TilePath(tile) + " not stored");
}

Status TileStorage::WriteCheckpoint(std::string_view note) {
  return AtomicWriteFile(dir_ + "/checkpoint", AsBytes(note));
}

Result<std::string> TileStorage::ReadCheckpoint() const {
  CANDOR_ASSIGN_OR_RETURN(Bytes b, ReadRelative("checkpoint"));
  return std::string(AsChars(b));
}

}  // namespace candor
