// Shards: DATA/frozen and `candor-log shard freeze` (see shard.h).
#include "candor/log/shard.h"

#include <sys/stat.h>

#include <chrono>

#include "candor/checkpoint.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/log/log_server.h"
#include "candor/log/publisher.h"
#include "candor/log/sequencer.h"
#include "candor/log/open_store.h"

namespace candor {

Result<std::optional<FrozenShard>> ReadFrozenShard(const std::string& dir,
                                                   const VerifierKey& log_key) {
  const std::string path = dir + "/" + kFrozenFileName;
  auto data = fs::ReadFileBytes(path, kMaxNoteSize);
  if (!data.ok()) {
    if (data.status().code() == Code::kNotFound) return std::optional<FrozenShard>();
    return data.status().WithContext(path);
  }
  auto verified = VerifyCheckpoint(AsChars(*data), log_key);
  if (!verified.ok()) return verified.status().WithContext(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::Io("cannot stat " + path);
  FrozenShard f;
  f.origin = verified->checkpoint.origin;
  f.size = verified->checkpoint.size;
  f.root = verified->checkpoint.root_hash;
  f.note = std::string(AsChars(*data));
  f.frozen_at_unix = static_cast<int64_t>(st.st_mtime);
  return std::optional<FrozenShard>(std::move(f));
}

Status CheckFrozenHead(const FrozenShard& frozen, const TreeHead& head) {
  if (head.size != frozen.size || !HashEqual(head.root, frozen.root)) {
    return Status::Inconsistent("the log is frozen at tree size " + std::to_string(frozen.size) +
                                " but its committed tree has size " + std::to_string(head.size) +
                                (head.size == frozen.size ? " with another root" : "") +
                                ": refusing to serve a frozen log that changed");
  }
  return Status::Ok();
}

Result<FreezeOutcome> FreezeLog(const FreezeOptions& options) {
  const std::string& dir = options.dir;
  // A frozen shard is a directory (DATA/frozen) over a tree in it. A log on
  // PostgreSQL keeps its tree in the database, and its front-ends run on: no
  // freeze (docs/LOG.md).
  CANDOR_ASSIGN_OR_RETURN(bool postgres, ConfiguredForPostgres(dir));
  if (postgres) {
    return Status::InvalidArgument("shard freeze works on a data-directory log; the log "
                                   "configured in " + dir + " lives in PostgreSQL");
  }
  // The data directory's own store.
  auto opened = OpenLogStore(dir, "");
  if (!opened.ok()) {
    if (opened.status().code() != Code::kConflict) return opened.status();
    return Status::Conflict("candor-log serve is running on " + dir +
                            " (it holds state/lock): stop it, freeze, then start it again");
  }
  LogStore* store = opened->store.get();
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Signer> key, OpenLogKey(dir, options.key));
  const VerifierKey log_key = key->public_key();
  CANDOR_ASSIGN_OR_RETURN(std::optional<FrozenShard> frozen, ReadFrozenShard(dir, log_key));
  if (frozen) {
    CANDOR_ASSIGN_OR_RETURN(TreeHead head, store->Head());
    CANDOR_RETURN_IF_ERROR(CheckFrozenHead(*frozen, head));
    return FreezeOutcome{std::move(*frozen), true};
  }
  CANDOR_ASSIGN_OR_RETURN(
      Cosigner cosigner, LoadPolicyCosigner(options.policy_path, log_key, options.witness_ca_file));
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Sequencer> sequencer,
                          Sequencer::Open(store));
  // No timer publication during the freeze: the one below is the final one.
  PublisherOptions publisher_options;
  publisher_options.interval = std::chrono::hours(24);
  Publisher publisher(store, sequencer.get(), std::move(key), std::move(cosigner),
                      publisher_options);
  // Start() checks the published checkpoint against the committed tree; then
  // the final checkpoint covers every committed entry (tiles flushed first).
  Status st = publisher.Start();
  if (st.ok()) st = publisher.PublishNow();
  publisher.Stop();
  sequencer->Stop();
  if (!st.ok()) return st.WithContext("final checkpoint not published, log not frozen");
  auto final_checkpoint = publisher.Latest();
  if (!final_checkpoint) return Status::Internal("no checkpoint after publishing");
  CANDOR_RETURN_IF_ERROR(
      fs::WriteFileAtomically(dir + "/" + kFrozenFileName, AsBytes(final_checkpoint->note)));
  CANDOR_ASSIGN_OR_RETURN(frozen, ReadFrozenShard(dir, log_key));
  if (!frozen) return Status::Internal(std::string(kFrozenFileName) + " vanished");
  return FreezeOutcome{std::move(*frozen), false};
}

}  // namespace candor
