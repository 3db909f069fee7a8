// PosixLogStore: the embedded default LogStore (log_store.h), a data
// directory: the served tlog-tiles tree as files (storage.h) and the index in
// LevelDB under DATA/state/index (index.h). The caller holds DATA/state/lock
// for the store's life (candor/fs/lock.h), so this process is the only writer:
// Commit is never stale and the integrator's lease is always held.
//
// Thread-safety: as LogStore.
#ifndef CANDOR_LOG_POSIX_STORE_H_
#define CANDOR_LOG_POSIX_STORE_H_

#include <memory>
#include <string>

#include "candor/log/index.h"
#include "candor/log/log_store.h"
#include "candor/log/storage.h"

namespace candor {

class PosixLogStore final : public LogStore {
 public:
  // Opens the index at `index_path` (default DIR/state/index) over the tree in
  // `dir`. REQUIRES: `dir` exists and the caller holds its lock.
  static Result<std::unique_ptr<PosixLogStore>> Open(const std::string& dir,
                                                     const std::string& index_path = "");

  TileStorage& tiles() { return tiles_; }
  LogIndex& index() { return *index_; }

  std::string Describe() const override { return tiles_.dir(); }
  Result<Bytes> ReadTile(const TileId& tile) const override { return tiles_.ReadTile(tile); }
  Result<Bytes> ReadEntryBundle(const EntryBundleId& bundle) const override {
    return tiles_.ReadEntryBundle(bundle);
  }
  Result<std::string> ReadCheckpoint() const override { return tiles_.ReadCheckpoint(); }
  std::string ServedDirectory() const override { return tiles_.dir(); }
  Result<std::optional<uint64_t>> FindLeaf(const Hash& leaf) override {
    return index_->FindLeaf(leaf);
  }
  Result<std::optional<ReleaseRecord>> FindRelease(const std::string& key) override {
    return index_->FindRelease(key);
  }
  bool PointLookupsAreCheap() const override { return true; }
  Result<TreeHead> Head() override { return index_->Head(); }
  Result<CommittedState> ReadCommittedFrom(uint64_t from) override;
  Result<CommitOutcome> Commit(const TreeHead& base, const std::vector<IndexRow>& rows,
                               const TreeHead& head) override;
  Result<bool> ReserveNextCommit() override { return true; }  // the only writer
  Status ReleaseReservation() override { return Status::Ok(); }
  bool CommitFailureIsFatal() const override { return true; }
  Status WriteTiles(const std::vector<StorageFile>& files, uint64_t size) override;
  Result<uint64_t> FreeBytes() const override { return tiles_.FreeBytes(); }
  Result<bool> RenewIntegratorLease() override { return true; }
  Status WriteCheckpoint(std::string_view note) override { return tiles_.WriteCheckpoint(note); }
  Status Health() override { return Status::Ok(); }

 private:
  PosixLogStore(std::string dir, std::unique_ptr<LogIndex> index)
      : tiles_(std::move(dir)), index_(std::move(index)) {}

  TileStorage tiles_;
  std::unique_ptr<LogIndex> index_;
};

}  // namespace candor

#endif  // CANDOR_LOG_POSIX_STORE_H_
