// TileStorage: the tile layout on disk, written through candor_fs (see storage.h).
#include "candor/log/storage.h"

#include <sys/statvfs.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <optional>
#include <set>
#include <thread>

#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/errno_text.h"
#include "candor/fs/read_file.h"

namespace candor {

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
    std::string parent = fs::ParentDirectory(full[i]);
    if (known_dirs.insert(parent).second) CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(parent));
  }
  // 1. Every file's contents durable under a temporary name.
  std::vector<std::optional<fs::StagedFile>> staged(files.size());
  CANDOR_RETURN_IF_ERROR(ParallelFor(files.size(), [&](size_t i) {
    auto s = fs::StagedFile::Write(full[i], files[i].data);
    if (!s.ok()) return s.status();
    staged[i].emplace(std::move(s).value());
    return Status::Ok();
  }));
  // 2. Atomic replacement: readers see the old or the new complete file.
  for (auto& s : staged) CANDOR_RETURN_IF_ERROR(s->Commit());
  // 3. The renames durable.
  std::vector<std::string> dirs(known_dirs.begin(), known_dirs.end());
  return ParallelFor(dirs.size(), [&](size_t i) { return fs::SyncDirectory(dirs[i]); });
}

Result<Bytes> TileStorage::ReadRelative(const std::string& relative_path) const {
  // A directory or other non-file is "not found": the routes answer 404 for
  // anything that is not a file the log serves.
  return fs::ReadFileBytes(dir_ + "/" + relative_path, kMaxServedFileSize,
                           {.not_regular = Code::kNotFound});
}

Result<Bytes> TileStorage::ReadTile(const TileId& tile) const {
  return ReadRelative(TilePath(tile));
}

Result<Bytes> TileStorage::ReadEntryBundle(const EntryBundleId& bundle) const {
  return ReadRelative(EntryBundlePath(bundle));
}

Status TileStorage::WriteCheckpoint(std::string_view note) {
  return fs::WriteFileAtomically(dir_ + "/checkpoint", note);
}

Result<uint64_t> TileStorage::FreeBytes() const {
  struct statvfs st {};
  if (::statvfs(dir_.c_str(), &st) != 0) return fs::IoError("statvfs", dir_, errno);
  return uint64_t{st.f_bavail} * st.f_frsize;
}

Result<std::string> TileStorage::ReadCheckpoint() const {
  CANDOR_ASSIGN_OR_RETURN(Bytes b, ReadRelative("checkpoint"));
  return std::string(AsChars(b));
}

}  // namespace candor
