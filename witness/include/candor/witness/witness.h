// The witness: the logic of c2sp.org/tlog-witness add-checkpoint, independent
// of HTTP (candor/witness/witness_routes.h puts it on a server).
//
// For each configured log (origin + trusted Ed25519 log keys) the witness
// keeps the latest checkpoint it cosigned (candor/witness/witness_store.h) and
// cosigns a new checkpoint only if it is provably an extension of it:
//
//   1. the request framing parses                                  else 400
//   2. the checkpoint parses as a signed note with a checkpoint body else 400
//   3. its origin is configured                                     else 404
//   4. VerifyCheckpoint (candor/checkpoint.h) with all keys trusted for
//      that origin: at least one signs (else 403 untrusted-key) and every
//      signature line by any of them verifies (else 403 bad-signature, even
//      when another trusted key's signature verifies); lines by other keys
//      are ignored                                                  else 403
//   5. old size <= checkpoint size                                  else 400
//   -- from here on, under the log's mutex (check and persist are atomic) --
//   6. old size == size of the latest cosigned checkpoint (0 if none)
//                                     else 409 text/x.tlog.size "<stored>\n"
//   7. if old size == checkpoint size: proof empty (else 422) and root equal
//      to the stored root (else 409, text/plain)
//      otherwise: the RFC 6962 consistency proof from (stored size, STORED
//      root) to (size, root) verifies (VerifyConsistency)         else 422
//      (old size 0: the proof must be empty, and a size-0 checkpoint must
//      have the empty-tree root)
//   8. the new state is persisted durably (fsync), THEN the cosignature
//      (cosignature/v1, timestamp = now) is returned                  200
//
// Because step 7 uses the root the witness itself stored, and step 8 persists
// before answering, the witness never returns cosignatures for two
// checkpoints of one origin that are inconsistent with each other, and the
// stored size never decreases, across crashes and restarts.
//
// kUnavailable (503) after Drain() was called (shutdown).
//
// If persisting fails the in-memory copy is dropped and reloaded from disk on
// the next request (the disk is the truth), and the request fails with 500.
//
// Reloading (ReloadLogs, Reload; `candor-witness serve` on SIGHUP) replaces
// the list of logs and their keys atomically: a request sees the old list or
// the new one, never a mix. A log's state (and its mutex) belongs to its
// origin for the witness's lifetime, so a reload neither forgets nor
// duplicates what was cosigned; a removed origin is answered 404 and keeps its
// state on disk.
//
// Thread-safety: AddCheckpoint may be called concurrently from any number of
// threads; requests for one origin are serialised by a per-log mutex, requests
// for different origins run in parallel. ReloadLogs/Reload/logs() from any
// thread. A Witness opened with Open() also
// holds an exclusive flock on DIR/lock, so two processes cannot serve one DIR.
#ifndef CANDOR_WITNESS_WITNESS_H_
#define CANDOR_WITNESS_WITNESS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/fs/lock.h"
#include "candor/note.h"
#include "candor/signer.h"
#include "candor/signing_key.h"
#include "candor/status.h"
#include "candor/witness/witness_store.h"
#include "candor/witness_protocol.h"

namespace candor {

struct WitnessOptions {
  // POSIX seconds used as cosignature timestamps. Default: the system clock.
  std::function<uint64_t()> clock;
  // Open(): the witness key (an OpenSigner spec, candor/signing_key.h: a key
  // file, pkcs11: URI or ssh-agent: vkey); empty = DIR/witness.key.
  std::string key;
};

// Outcome of one add-checkpoint request. `status` carries the spec's verdict
// as a Code: kOk (200), kMalformed (400), kTooLarge (413), kNotFound (404),
// kBadSignature / kUntrustedKey (403), kConflict (409), kInconsistent (422),
// kIo / kInternal (500).
struct AddCheckpointResult {
  Status status;
  // With kConflict for an old-size mismatch: the size of the latest cosigned
  // checkpoint (answered as text/x.tlog.size). Unset for the same-size,
  // different-root conflict.
  std::optional<uint64_t> stored_size;
  // With kOk: the response body, cosignature line(s) "— <name> <base64>\n".
  std::string cosignatures;
  // The configured origin the checkpoint named, once its signature verified
  // (metrics: cosignatures per log; a bounded set); empty before.
  std::string origin;
};

// How an AddCheckpointResult is answered over HTTP (pure mapping, see the
// header comment). Error bodies are one line "<reason>\n", text/plain.
struct WitnessHttpReply {
  int status = 500;
  std::string content_type;
  std::string body;
  // For an error: CodeName of its Code, sent as the Candor-Error header (a
  // tlog-witness client ignores it; Candor's witness client reads it).
  std::string candor_error;
};
WitnessHttpReply ToHttpReply(const AddCheckpointResult& result);

class Witness {
 public:
  // Opens a witness directory (see witness_store.h): reads witness.key (must
  // be type 0x04) and logs.conf, takes the flock on DIR/lock (kConflict if
  // another process holds it). Log state is loaded lazily.
  static Result<std::unique_ptr<Witness>> Open(const std::string& dir, WitnessOptions options = {});

  // A witness with explicit configuration and state directory (tests,
  // embedding). No lock file is taken. REQUIRES: key.type == 0x04 and
  // state_dir exists (else kInvalidArgument); origins valid and distinct.
  static Result<std::unique_ptr<Witness>> Create(SignerKey key, std::vector<WitnessedLog> logs,
                                                 std::string state_dir,
                                                 WitnessOptions options = {});
  // The same with any signer (REQUIRES non-null; its key type 0x04).
  static Result<std::unique_ptr<Witness>> Create(std::unique_ptr<Signer> key,
                                                 std::vector<WitnessedLog> logs,
                                                 std::string state_dir,
                                                 WitnessOptions options = {});

  ~Witness();
  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  // Parses a request body then runs AddCheckpoint(request).
  AddCheckpointResult AddCheckpoint(std::string_view request_body);
  AddCheckpointResult AddCheckpoint(const AddCheckpointRequest& request);

  // The witness's cosignature/v1 verifier key.
  const VerifierKey& public_key() const { return public_key_; }
  // The configured logs (a copy: a reload may replace them at any time).
  std::vector<WitnessedLog> logs() const;

  // Replaces the configured logs (validated as by Create; on error nothing
  // changes and the error is returned).
  Status ReloadLogs(std::vector<WitnessedLog> logs);
  // For a witness opened with Open(): re-reads DIR/logs.conf and ReloadLogs
  // it. A file that does not parse leaves the current list in place.
  Status Reload();

  // For shutdown: from now on every request is refused with kUnavailable
  // (503), and this waits until requests already holding a log's mutex have
  // finished persisting. After it returns the state on disk no longer changes,
  // so the process may exit at once even if HTTP connections linger.
  void Drain();

  // GET /healthz: OK while the state store is usable (its directory is
  // writable) and the witness is not shutting down.
  Status Health() const;

  // The latest cosigned checkpoint for `origin` (nullopt if none yet).
  // kNotFound for an unconfigured origin.
  Result<std::optional<WitnessLogState>> State(std::string_view origin);

 private:
  struct LogSlot;
  Witness(std::unique_ptr<Signer> key, std::vector<WitnessedLog> logs, std::string state_dir,
          WitnessOptions options);
  // REQUIRES: slot.mu held. Loads the state from disk if not cached.
  Status EnsureLoaded(LogSlot& slot);
  // The slot of `origin`, created on first use (config_mu_ held).
  LogSlot& SlotLocked(const std::string& origin);
  AddCheckpointResult AddLocked(LogSlot& slot, const AddCheckpointRequest& request,
                                const SignedCheckpoint& checkpoint);

  std::unique_ptr<Signer> key_;
  VerifierKey public_key_;
  WitnessStateStore store_;
  WitnessOptions options_;
  std::string dir_;  // set by Open(): where Reload() reads logs.conf
  // Guards logs_ and slots_ (never held while waiting for a slot's mutex,
  // except by Drain, which takes them in that order too).
  mutable std::mutex config_mu_;
  // The current configuration, replaced whole by ReloadLogs.
  std::shared_ptr<const std::vector<WitnessedLog>> logs_;
  // One slot per origin ever configured, never removed (a slot is addressed
  // by reference after config_mu_ is released).
  std::map<std::string, std::unique_ptr<LogSlot>, std::less<>> slots_;
  fs::DirectoryLock lock_;  // held by Open()ed witnesses
  std::atomic<bool> draining_{false};
};

}  // namespace candor

#endif  // CANDOR_WITNESS_WITNESS_H_
