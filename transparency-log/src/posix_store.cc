// PosixLogStore (see posix_store.h).
#include "candor/log/posix_store.h"

#include <algorithm>

namespace candor {

Result<std::unique_ptr<PosixLogStore>> PosixLogStore::Open(const std::string& dir,
                                                           const std::string& index_path) {
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<LogIndex> index,
                          LogIndex::Open(index_path.empty() ? dir + "/state/index" : index_path));
  return std::unique_ptr<PosixLogStore>(new PosixLogStore(dir, std::move(index)));
}

Result<CommittedState> PosixLogStore::ReadCommittedFrom(uint64_t from) {
  // One writer (this process, on its sequencer thread): the three reads see
  // one state.
  CommittedState state;
  CANDOR_ASSIGN_OR_RETURN(state.head, index_->Head());
  CANDOR_ASSIGN_OR_RETURN(state.flushed, index_->FlushedSize());
  if (state.flushed > state.head.size) {
    return Status::Inconsistent("tiles flushed to " + std::to_string(state.flushed) +
                                " beyond the committed size " + std::to_string(state.head.size));
  }
  state.pending_from = std::max(state.flushed, std::min(from, state.head.size));
  CANDOR_ASSIGN_OR_RETURN(state.pending, index_->PendingEntries(state.pending_from));
  return state;
}

Result<CommitOutcome> PosixLogStore::Commit(const TreeHead& base, const std::vector<IndexRow>& rows,
                                            const TreeHead& head) {
  // The directory lock makes this process the only writer, so the committed
  // head is the one the sequencer holds; a different one is a bug, not a race.
  CANDOR_ASSIGN_OR_RETURN(TreeHead current, index_->Head());
  if (current.size != base.size || !HashEqual(current.root, base.root)) {
    return Status::Internal("the committed head moved under the only writer");
  }
  CANDOR_RETURN_IF_ERROR(index_->Commit(rows, head));
  return CommitOutcome::kCommitted;
}

Status PosixLogStore::WriteTiles(const std::vector<StorageFile>& files, uint64_t size) {
  CANDOR_RETURN_IF_ERROR(tiles_.WriteFiles(files));
  // The tiles are durable: the pending copies in the index can go.
  CANDOR_ASSIGN_OR_RETURN(uint64_t flushed, index_->FlushedSize());
  if (size <= flushed) return Status::Ok();
  return index_->MarkFlushed(size);
}

}  // namespace candor
