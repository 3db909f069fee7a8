#include "candor/audit/mirror.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "candor/audit/source.h"
#include "candor/entry_bundle.h"
#include "candor/log/storage.h"
#include "candor/tile_reader.h"

namespace candor::audit {

Result<std::unique_ptr<Mirror>> Mirror::Open(const std::string& dir_in, bool create, bool lock) {
  std::unique_ptr<Mirror> m(new Mirror());
  m->dir_ = dir_in;
  while (m->dir_.size() > 1 && m->dir_.back() == '/') m->dir_.pop_back();
  std::string priv = m->private_dir();
  struct stat st;
  if (::stat((priv + "/index.db").c_str(), &st) != 0) {
    if (!create) return Status::NotFound("no mirror in " + m->dir_ + " (run 'candor audit sync')");
    CANDOR_RETURN_IF_ERROR(MakeDirectories(priv));
  }
  if (lock) {
    m->lock_fd_ = ::open((priv + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m->lock_fd_ < 0)
      return Status::Io("cannot open " + priv + "/lock: " + std::strerror(errno));
    if (::flock(m->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return Status::Conflict("mirror " + m->dir_ + " is in use by another candor audit process");
    }
  }
  m->dir_fd_ = ::open(m->dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (m->dir_fd_ < 0) return Status::Io("cannot open " + m->dir_ + ": " + std::strerror(errno));
  CANDOR_ASSIGN_OR_RETURN(m->index_, AuditIndex::Open(priv + "/index.db"));
  return m;
}

Mirror::~Mirror() {
  index_.reset();
  if (dir_fd_ >= 0) ::close(dir_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<MirrorState> Mirror::State() {
  CANDOR_ASSIGN_OR_RETURN(std::optional<MirrorState> s, index_->State());
  if (s) return *s;
  MirrorState empty;
  empty.root = EmptyTreeHash();
  empty.edge = EncodeEdge({});
  return empty;
}

Status Mirror::WriteFile(const std::string& rel, ByteView data) {
  std::string path = dir_ + "/" + rel;
  std::string parent = path.substr(0, path.rfind('/'));
  if (parent != last_dir_) {
    CANDOR_RETURN_IF_ERROR(MakeDirectories(parent));
    last_dir_ = parent;
  }
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io("cannot create " + tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ::close(fd);
      return Status::Io("cannot write " + tmp + ": " + std::strerror(errno));
    }
    off += static_cast<size_t>(w);
  }
  if (::close(fd) != 0) return Status::Io("cannot close " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Io("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status Mirror::SyncAll() {
  if (::syncfs(dir_fd_) != 0) return Status::Io(std::string("syncfs: ") + std::strerror(errno));
  return Status::Ok();
}

NodeReader Mirror::Reader(uint64_t size) {
  auto src = std::shared_ptr<LogSource>(OpenLogSource(dir_).value().release());
  TileFetcher fetch = MakeSourceTileFetcher(src.get());
  // The reader owns the source its fetcher reads.
  return MakeTileNodeReader([src, fetch](const TileId& t) { return fetch(t); }, size);
}

Result<Bytes> Mirror::ReadEntry(uint64_t index, uint64_t size) {
  if (index >= size) return Status::NotFound("index beyond the verified tree");
  uint64_t b = index / kTileWidth;
  uint16_t width = EntryBundleWidthInTree(b, size);
  CANDOR_ASSIGN_OR_RETURN(auto src, OpenLogSource(dir_));
  bool was_full = false;
  CANDOR_ASSIGN_OR_RETURN(Bytes data, src->FetchBundle(EntryBundleId{b, width}, &was_full));
  CANDOR_ASSIGN_OR_RETURN(std::vector<Bytes> entries,
                          ParseEntryBundle(data, was_full ? kTileWidth : width));
  return std::move(entries[index % kTileWidth]);
}

}  // namespace candor::audit
