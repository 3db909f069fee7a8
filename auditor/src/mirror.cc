#include "candor/audit/mirror.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "candor/audit/source.h"
#include "candor/entry_bundle.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/errno_text.h"
#include "candor/fs/lock.h"
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
    CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(priv));
  }
  if (lock) {
    auto held = fs::DirectoryLock::Acquire(priv, 0644);
    if (!held.ok()) {
      if (held.status().code() != Code::kConflict) return held.status();
      return Status::Conflict("mirror " + m->dir_ + " is in use by another candor audit process");
    }
    m->lock_ = std::move(held).value();
  }
  m->dir_fd_ = ::open(m->dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (m->dir_fd_ < 0) return fs::IoError("open", m->dir_, errno);
  CANDOR_ASSIGN_OR_RETURN(m->index_, AuditIndex::Open(priv + "/index.db"));
  return m;
}

Mirror::~Mirror() {
  index_.reset();
  if (dir_fd_ >= 0) ::close(dir_fd_);
  lock_ = fs::DirectoryLock();  // released last
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
    CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(parent));
    last_dir_ = parent;
  }
  // Not durable one by one: SyncAll() makes the whole mirror durable at once.
  return fs::WriteFileAtomically(path, data, {.durable = false});
}

Status Mirror::SyncAll() {
  if (::syncfs(dir_fd_) != 0) return fs::IoError("syncfs", dir_, errno);
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
