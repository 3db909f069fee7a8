// Shards: rotating a log by starting a new origin and freezing the old one
// (docs/LOG.md "Rotating the log key with shards").
//
// A frozen log directory holds DATA/frozen: the final checkpoint note (the
// log-signed, witness-cosigned checkpoint `candor-log shard freeze` published
// over every committed entry), written atomically after DATA/checkpoint. Its
// presence is the durable frozen state; its content ties that state to one
// tree (size and root), which the server checks against its committed head
// at every start; its mtime is when the log was frozen. No new format: it is
// a checkpoint note (docs/FORMATS.md "Checkpoints"), verified with the log key.
//
// A frozen log refuses POST /add with kConflict (HTTP 409, exit 11: not worth
// retrying; publish to the successor shard) and serves everything else
// (checkpoint, tiles, entry bundles, proofs) as before.
//
// Thread-safety: free functions; FreezeLog takes the data directory's lock
// (DATA/state/lock), so it refuses while `candor-log serve` runs on DATA.
#ifndef CANDOR_LOG_SHARD_H_
#define CANDOR_LOG_SHARD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "candor/log/index.h"
#include "candor/merkle.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

inline constexpr const char* kFrozenFileName = "frozen";

struct FrozenShard {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::string note;            // DATA/frozen: the final checkpoint, cosignatures included
  int64_t frozen_at_unix = 0;  // DATA/frozen's mtime
};

// DATA/frozen verified as a checkpoint of `log_key` (nullopt if the file does
// not exist). A file that does not verify is an error (context "DATA/frozen"),
// never "not frozen": fail closed.
Result<std::optional<FrozenShard>> ReadFrozenShard(const std::string& dir,
                                                   const VerifierKey& log_key);

// kInconsistent unless the committed head is exactly the frozen tree: a log
// that grew after its final checkpoint (or lost entries) must not run.
Status CheckFrozenHead(const FrozenShard& frozen, const TreeHead& head);

struct FreezeOptions {
  std::string dir;
  std::string key;          // OpenLogKey spec; empty = DATA/log.key
  std::string policy_path;  // the tlog-policy `serve --policy` uses (required)
  std::string witness_ca_file;
};

struct FreezeOutcome {
  FrozenShard shard;
  bool already_frozen = false;
};

// `candor-log shard freeze`: under the data directory's lock (kConflict while
// a server runs on it), writes tiles for every committed entry, publishes a
// final checkpoint over them cosigned as the policy requires (an unmet quorum
// fails with its reason and freezes nothing), then writes DATA/frozen.
// Idempotent: an already frozen log (its head checked) is returned as is.
Result<FreezeOutcome> FreezeLog(const FreezeOptions& options);

}  // namespace candor

#endif  // CANDOR_LOG_SHARD_H_
