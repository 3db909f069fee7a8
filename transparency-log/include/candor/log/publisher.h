// Publisher: signs checkpoints over the sequencer's committed tree head at an
// interval, has them cosigned by witnesses when a policy asks for it, and
// publishes them: the store's checkpoint (DATA/checkpoint on the POSIX store)
// is replaced atomically and only with cosignatures satisfying the quorum.
//
// One process publishes: the integrator (log_store.h). Each tick the
// publisher takes or renews the store's integrator lease; while another
// process holds it, this one follows: it adopts the checkpoint that process
// published (verified with the log key, never smaller than the one it has),
// so its proof routes and long-polls answer as the integrator's do.
//
// Never two inconsistent checkpoints: a checkpoint is only ever signed over a
// committed head (tiles durable, index committed), and at start the published
// checkpoint is checked against the committed tree (its size must not exceed
// the committed size, and the root the tiles give at its size must equal its
// root); otherwise Start() fails and the server refuses to run.
//
// Thread-safety: all public methods are thread-safe.
#ifndef CANDOR_LOG_PUBLISHER_H_
#define CANDOR_LOG_PUBLISHER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/log/index.h"
#include "candor/log/sequencer.h"
#include "candor/log/log_store.h"
#include "candor/merkle.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/signer.h"
#include "candor/signing_key.h"
#include "candor/status.h"

namespace candor {

// Collects witness cosignatures on `signed_checkpoint` (log-signed) and returns
// the note with enough cosignature lines to satisfy the policy's quorum, or an
// error (kPolicyUnsatisfied, kUnavailable, ...). `prove` (candor/merkle.h)
// answers for any new_size up to the checkpoint's size. Wraps
// candor/log/witness_client.h.
using Cosigner = std::function<Result<std::string>(const std::string& signed_checkpoint,
                                                   const ConsistencyProofFn& prove)>;

struct PublishedCheckpoint {
  uint64_t size = 0;
  Hash root{};
  std::string note;  // exactly the bytes of DATA/checkpoint
  std::chrono::system_clock::time_point published_at;
  // Cosigned by a witness quorum in this process (or no quorum is required).
  // False for a checkpoint read from disk at Start() when witnesses are
  // required: the publisher then has it cosigned afresh at the next tick.
  bool witnessed = false;
};

struct PublisherOptions {
  std::chrono::milliseconds interval{1000};
  // With witnesses: re-publish (fresh cosignatures) this often even if the tree
  // did not grow, so checkpoints do not age out of devices' max age. 0 = never.
  std::chrono::seconds republish{0};
  // Metrics (log_metrics.h): the outcome of every publication attempt, on
  // the publishing thread. Empty: nothing is reported.
  std::function<void(const Status&)> on_publish;
};

class Publisher {
 public:
  // REQUIRES: pointers outlive the publisher. `cosigner` may be empty iff no
  // witnessing is required (policy absent or `quorum none`).
  // `key` signs the checkpoints (the log's key; candor/signing_key.h: a key
  // file, a PKCS#11 token or an ssh-agent). REQUIRES: key non-null.
  Publisher(LogStore* store, Sequencer* sequencer, std::unique_ptr<Signer> key,
            Cosigner cosigner, PublisherOptions options);
  Publisher(LogStore* store, Sequencer* sequencer, SignerKey key, Cosigner cosigner,
            PublisherOptions options);
  ~Publisher();

  // Checks the published checkpoint against the committed tree (see above),
  // publishes an initial checkpoint if there is none and starts the thread.
  Status Start();
  void Stop();

  // Signs and publishes a checkpoint of the current committed head now
  // (outside the timer). Used by `init`, tests and the timer itself.
  // kConflict when another process is the integrator.
  Status PublishNow();
  // Whether this process held the integrator's lease at its last tick.
  bool integrator() const;

  // Why the last publication attempt failed (e.g. kPolicyUnsatisfied: the
  // witness quorum was not met), or OK if it succeeded. The proof route
  // states it to clients waiting for an entry to be covered.
  Status LastError() const;

  std::shared_ptr<const PublishedCheckpoint> Latest() const;
  // Waits until the published size is > `index` or `deadline`; returns the
  // latest checkpoint either way (check its size).
  std::shared_ptr<const PublishedCheckpoint> WaitCovering(
      uint64_t index, std::chrono::steady_clock::time_point deadline);

  // Signs a bare checkpoint (no cosignatures) over `head` with `key`.
  static Result<std::string> SignCheckpoint(const Signer& key, const TreeHead& head);
  static Result<std::string> SignCheckpoint(const SignerKey& key, const TreeHead& head);

 private:
  void Run();
  Status PublishOnce();  // PublishNow without recording LastError
  // Follower: adopts the checkpoint the integrator published, if newer.
  Status AdoptPublished();
  // Sets latest_ to the stored checkpoint `note`, whose verified body is `c`
  // (Start, AdoptPublished); never to one smaller than latest_.
  Status AdoptStored(const std::string& note, const Checkpoint& c, bool witnessed);

  LogStore* store_;
  Sequencer* sequencer_;
  std::unique_ptr<Signer> key_;
  VerifierKey verifier_;
  Cosigner cosigner_;
  PublisherOptions options_;

  std::mutex publish_mu_;  // one publication at a time
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::shared_ptr<const PublishedCheckpoint> latest_;
  Status last_error_;  // guarded by mu_
  bool integrator_ = false;  // guarded by mu_
  std::thread thread_;
};

// A NodeReader over the log's own tiles for the tree of `size`, read from the
// tiles stored for the tree of `tiles_size` (candor/tile_reader.h: the one
// partial-tile rule applies). The log writes tiles only at the sizes it
// flushes, and keeps every partial tile, so `tiles_size` must be a flushed
// size: a published checkpoint's, or the sequencer's flushed head.
// REQUIRES: size <= tiles_size.
NodeReader StorageNodeReader(const LogStore* storage, uint64_t size, uint64_t tiles_size);
inline NodeReader StorageNodeReader(const LogStore* storage, uint64_t size) {
  return StorageNodeReader(storage, size, size);
}

}  // namespace candor

#endif  // CANDOR_LOG_PUBLISHER_H_
