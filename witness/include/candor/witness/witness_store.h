// On-disk configuration and state of a candor-witness (see docs/WITNESS.md).
//
// A witness directory DIR holds:
//   DIR/witness.key   the cosignature/v1 private key (type 0x04), mode 0600,
//                     "PRIVATE+KEY+<name>+<id>+<base64>" (candor/signer.h)
//   DIR/witness.pub   its vkey + "\n" (what log operators put in their policy)
//   DIR/logs.conf     the logs it witnesses, one "log <origin> <vkey>" per line
//                     ("#" comments and blank lines allowed); several lines may
//                     name the same origin (several trusted keys, e.g. rotation)
//   DIR/state/<hex SHA-256(origin)>
//                     per log: the latest cosigned checkpoint, exactly the
//                     signed note the witness verified and cosigned
//   DIR/lock          flock(2)ed by the serving process (one server per DIR)
//
// Crash safety: every file is replaced atomically (write DIR/.../name.tmp,
// fsync, rename over the old file, fsync the directory), so after a crash a
// state file holds either the previous or the new checkpoint, never a torn
// one. A state file that cannot be read or parsed is an error (kIo /
// kMalformed), never "no state": a witness must not forget what it cosigned.
//
// Thread-safety: WitnessStateStore has no mutable members; concurrent Save
// calls for the SAME origin must be serialised by the caller (the Witness holds
// a per-log mutex), different origins may be saved concurrently.
#ifndef CANDOR_WITNESS_WITNESS_STORE_H_
#define CANDOR_WITNESS_WITNESS_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

// One log the witness cosigns for.
struct WitnessedLog {
  std::string origin;
  std::vector<VerifierKey> keys;  // Ed25519 (type 0x01) log keys trusted for `origin`
};

// An origin the witness accepts in its configuration: a valid checkpoint
// origin line (non-empty, valid UTF-8, no control characters) that also
// contains no space or tab (tlog-checkpoint: it SHOULD contain no Unicode
// spaces; we require it so that logs.conf stays a simple line format).
Status ValidateWitnessOrigin(std::string_view origin);

// Strict parse of logs.conf. Lines: "log <origin> <vkey>" separated by single
// spaces, "#..." comments, empty lines. The vkey must be an Ed25519 (0x01)
// key. Duplicate (origin, key) lines are refused. Lines with the same origin
// are merged, in file order.
Result<std::vector<WitnessedLog>> ParseWitnessLogs(std::string_view text);
// Inverse of ParseWitnessLogs (one line per key, with a header comment).
std::string FormatWitnessLogs(const std::vector<WitnessedLog>& logs);

// Paths inside a witness directory.
std::string WitnessKeyPath(const std::string& dir);
std::string WitnessPublicKeyPath(const std::string& dir);
std::string WitnessLogsPath(const std::string& dir);
std::string WitnessStateDir(const std::string& dir);
std::string WitnessLockPath(const std::string& dir);

// `candor-witness init`: creates DIR (0700) if needed, generates a
// cosignature/v1 key named `name`, writes witness.key (0600, O_EXCL) and
// witness.pub, an empty logs.conf and the state directory. Returns the vkey.
// kConflict if DIR/witness.key already exists (never overwrites a key).
// With `key_spec` (a pkcs11: URI or ssh-agent: vkey, candor/signing_key.h)
// no witness.key is made: that key, named `name`, is the witness's, and
// witness.pub is its public half; `serve` then needs the same --key.
Result<VerifierKey> InitWitnessDir(const std::string& dir, std::string_view name,
                                   const std::string& key_spec = "");

// Reads DIR/logs.conf (a missing file means no logs).
Result<std::vector<WitnessedLog>> ReadWitnessLogs(const std::string& dir);
// `candor-witness logs add`: adds (origin, key) to DIR/logs.conf, atomically.
// kInvalidArgument for a bad origin or a key that is not type 0x01; returns
// false (and changes nothing) if the pair is already configured.
Result<bool> AddWitnessLog(const std::string& dir, std::string_view origin, const VerifierKey& key);

// The latest checkpoint a witness cosigned for one log.
struct WitnessLogState {
  Checkpoint checkpoint;  // parsed body of `note`
  std::string note;       // the signed checkpoint note as verified and cosigned
};

class WitnessStateStore {
 public:
  // `state_dir` must exist (InitWitnessDir creates it).
  explicit WitnessStateStore(std::string state_dir);
  // OK when the state directory is a directory this process may write into
  // (kIo naming the reason otherwise).
  Status CheckWritable() const;

  // nullopt iff the log has no state file (the witness never cosigned for it).
  // kMalformed if the file does not parse or names another origin; kIo on
  // read errors other than "does not exist".
  Result<std::optional<WitnessLogState>> Load(std::string_view origin) const;

  // Atomically and durably replaces the state of state.checkpoint.origin.
  // REQUIRES: state.note parses as a signed checkpoint with that body.
  Status Save(const WitnessLogState& state) const;

  // "<state_dir>/<hex SHA-256(origin)>": origins are arbitrary UTF-8, so they
  // are hashed to get a safe, fixed-length file name.
  std::string PathFor(std::string_view origin) const;

 private:
  std::string state_dir_;
};

}  // namespace candor

#endif  // CANDOR_WITNESS_WITNESS_STORE_H_
