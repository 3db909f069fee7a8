// Admission control for POST /add: what the log checks before it sequences a
// submission (docs/LOG.md "Accepting entries"), in this order, failing closed:
//   1. size: 1..max_entry_size bytes (kTooLarge);
//   2. ParseReleaseEntry (candor/release.h): framing, changelog and manifest
//      (kMalformed); then, on the manifest before its signature is checked:
//   3. the vendor key is registered in DATA/vendors (kUntrustedKey);
//   4. the vendor key's token bucket is not empty: a peek, no token taken
//      (kRateLimited, with a retry delay);
//   5. `issued` at most max_issued_ahead past the log's clock, and the
//      disclosures consistent at the log's date (CheckDisclosuresConsistentAt)
//      as well as at `issued` (kMalformed);
//   6. the vendor signature with the manifest's key (kBadSignature), the
//      changelog digest (kMismatch), canonical form (kMalformed);
//   7. only then a token is taken from the vendor key's bucket (kRateLimited
//      if a concurrent submission took the last one).
// So an unregistered or over-rate key never costs an Ed25519 verification,
// and only submissions the vendor signed spend the vendor's budget: a forger
// who names a registered key cannot drain it (the per-address refusal limit,
// log_routes.h, bounds what the forger's refusals cost).
// Dedup and equivocation need the index and are the sequencer's job.
//
// Trust roots (candor/trust_root.h), the second entry type, are told apart
// by IsTrustRootEntry and admitted in the same spirit:
//   1. size, as above;
//   2. ParseSignedTrustRoot: the note and its canonical text (kMalformed);
//   3. the registered root keys with a signature line are at least the
//      root's root-threshold (kUntrustedKey): root keys are registered in
//      DATA/vendors like vendor keys, and nothing is verified before this;
//   4. none of those keys' token buckets is empty: a peek (kRateLimited);
//   5. CountRootSignatures over those keys reaches the threshold
//      (kBadSignature);
//   6. a token is taken from each of those keys' buckets.
// Its equivocation key is "trust-root/<domain>/<version>"
// (TrustRootEquivocationKey), kept with the releases' keys: one root per
// domain and version, a replay answered with its index. A vendor is a DNS
// name with a dot, so no release key can take that form.
//
// Observations (candor/observation.h), the third entry type, are told apart
// by IsObservationEntry and admitted like releases, cheapest checks first:
//   1. size, as above;
//   2. ParseSignedObservation: the note, its canonical text and its one
//      signature line naming `observer-key` (kMalformed, kTooLarge);
//   2a. the identical entry already sequenced (LoggedReleases::find_leaf):
//      answered with its index, no signature check, no token (a replay);
//   3. `observer-key` is registered in DATA/vendors (kUntrustedKey): the
//      registry lists the keys allowed to submit, whatever they sign
//      (releases, roots, observations), so a researcher's or an owner's key
//      is registered with `candor-log vendors add` like a vendor's;
//   4. that key's token bucket is not empty: a peek (kRateLimited);
//   5. `observed` at most max_issued_ahead past the log's clock (kMalformed);
//   6. VerifyObservationSignature (kBadSignature);
//   7. CheckObservationTarget against the log's origin and the entry it
//      holds at release-index: kMismatch (another log, not a release, a
//      release not for the product), kNotFound (no entry there), kConflict
//      (another leaf hash there). Only entries covered by the latest
//      published checkpoint count (LoggedReleases::published_size): those
//      are the entries everyone else can see, in tiles, and an observer
//      knows of a release from a bundle whose checkpoint covers it; an index
//      merely sequenced is kNotFound like one beyond the log;
//   8. a token is taken from the observer key's bucket.
// An observation claims no equivocation key: two observers, or one observer
// twice, may say anything about a release; identical bytes are one entry
// (the sequencer's leaf-hash dedup).
//
// The vendors file lists one verifier key per line ("<name>+<id>+<base64>"),
// '#' comments and blank lines allowed; `candor-log vendors add/remove/list`
// edits it, and a running server reloads it when its mtime changes.
//
// Thread-safety: VendorRegistry and RateLimiter are internally synchronised.
#ifndef CANDOR_LOG_ADMISSION_H_
#define CANDOR_LOG_ADMISSION_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/log/index.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

// Parses a vendors file (strict: every non-comment line must be a valid
// Ed25519 verifier key; duplicates refused).
// The vendors file's size bound: about 160,000 registered keys, far beyond any
// log's need, so a corrupt or hostile file cannot make the log read gigabytes.
inline constexpr size_t kMaxVendorsFileSize = size_t{16} << 20;

Result<std::vector<VerifierKey>> ParseVendorsFile(std::string_view text);
std::string FormatVendorsFile(const std::vector<VerifierKey>& keys);

class VendorRegistry {
 public:
  explicit VendorRegistry(std::string path) : path_(std::move(path)) {}
  // (Re)loads the file if its mtime changed; a missing file means no vendors.
  // On a parse error the previous list is kept and the error returned.
  // Looks at the file at most every 500 ms unless `force`: IsRegistered
  // forces a look when a key is not (yet) known, so `vendors add` takes
  // effect for the next submission; a removal within 500 ms.
  Status Refresh(bool force = false);
  bool IsRegistered(const VerifierKey& key);
  size_t size();

 private:
  std::string path_;
  std::mutex mu_;
  std::vector<VerifierKey> keys_;
  int64_t mtime_ns_ = -1;
  uint64_t ino_ = 0;
  std::chrono::steady_clock::time_point last_check_{};
};

// Token bucket per key: `rate` tokens per second, at most `burst` stored.
// rate <= 0 disables limiting. Memory: one bucket per key seen (bounded).
class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // nullopt if allowed (a token is taken), else whole seconds to wait (>= 1).
  std::optional<uint64_t> Take(const std::string& key);
  // Like Take, without taking a token: would `key` be refused now?
  std::optional<uint64_t> Blocked(const std::string& key);
  // Gives back a token Take took for a submission that turned out to log
  // nothing (the sequencer found it already logged: a replay), so that
  // replaying a vendor's public entries cannot spend its budget.
  void Refund(const std::string& key);
  // Takes a token for a submission already decided (logged, or refused as an
  // equivocation), even from an empty bucket: the balance may go down to
  // -burst, and the key then waits until it is positive again. Used where
  // admission only peeked (LoggedReleases::lookup_releases false), so that
  // only what the log decided on is paid for: submissions in flight at once
  // may overdraw, the average rate holds.
  void Charge(const std::string& key);

  // At most this many keys are tracked; beyond, buckets that have refilled
  // are forgotten, and if none has, new keys are refused (fail closed).
  static constexpr size_t kMaxKeys = 65536;

 private:
  enum class Mode { kPeek, kTake, kCharge };
  std::optional<uint64_t> Update(const std::string& key, Mode mode);

  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  double rate_;
  double burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

// The prefix of trust roots' equivocation keys, and the key of one root.
inline constexpr std::string_view kTrustRootKeyPrefix = "trust-root/";
std::string TrustRootEquivocationKey(std::string_view domain, uint64_t version);

// An entry that passed admission.
struct AdmittedEntry {
  Bytes entry;
  Hash leaf{};
  std::string vendor;  // a trust root's domain
  // "<vendor>/<product>/<version>" for each product, or a trust root's
  // TrustRootEquivocationKey: the equivocation keys.
  std::vector<std::string> release_keys;
  // Set when admission looked the release keys up (LoggedReleases): none of
  // them names an entry below this index. The sequencer then checks only what
  // it committed since, in memory, instead of the index again.
  std::optional<uint64_t> keys_absent_below;
  // Set instead when this exact entry is already logged, at this index (a
  // replay): admission stopped before the signature check and the rate limit.
  std::optional<uint64_t> logged_index;
  // The rate limiter's keys of this submission. `charged`: a token was
  // taken from each (RateLimiter::Refund gives it back when the sequencer
  // answers "already logged"). Not charged: a release admitted without
  // admission's lookup (LoggedReleases::lookup_releases false), which the
  // caller charges (RateLimiter::Charge) once the sequencer has logged it
  // or refused it as an equivocation, and never for a replay.
  std::vector<std::string> rate_keys;
  bool charged = false;
};

// The log's view for admission's duplicate and equivocation check: `find`
// (LogIndex::FindRelease) sees every entry below `size` (read before any
// lookup: the sequencer publishes a size only after the entries below it are
// in the index).
struct LoggedReleases {
  uint64_t size = 0;
  std::function<Result<std::optional<ReleaseRecord>>(const std::string& release_key)> find;
  // Whether a release's keys are looked up (`find`) before its signature
  // check, for the replay answer and the early equivocation refusal. False
  // where a lookup is a network round trip (LogStore::PointLookupsAreCheap):
  // the sequencer then looks the whole batch up at once and answers a
  // replay with its index after the signature check, and admission only
  // peeks at the vendor's bucket: the token is charged when the sequencer
  // has decided (AdmittedEntry::charged). Trust roots and observations,
  // rare, are always looked up.
  bool lookup_releases = true;
  // The bytes of a logged entry (for a trust root above version 1: the
  // previous version, to check that the new one follows it).
  // kUnavailable while that entry is sequenced but not yet published.
  std::function<Result<Bytes>(uint64_t index)> read_entry;
  // The size of the latest published checkpoint (read before any lookup;
  // <= size): read_entry serves every index below it. An observation's
  // target must lie below it.
  uint64_t published_size = 0;
  // The index of an entry already sequenced with this leaf hash (an
  // observation's replay; LogIndex::FindLeaf).
  std::function<Result<std::optional<uint64_t>>(const Hash& leaf)> find_leaf;
};

struct AdmissionOptions {
  size_t max_entry_size = 65535;
  // The log's clock, Unix seconds (null: the system clock). Injectable so
  // tests can fix "now" against the manifest's dates.
  std::function<int64_t()> clock;
  // How far `issued` may lie past the log's clock (clock skew). A later
  // claimed issue date would hide how long a delayed activation waits.
  int64_t max_issued_ahead_seconds = 86400;
  // The log's origin (its checkpoints' first line): an observation must be
  // about this log. Empty: every observation is refused (kMismatch).
  std::string origin;
};

// The key the per-address refusal limit counts under: an IPv4 address (also
// when IPv4-mapped, "::ffff:a.b.c.d") as itself, an IPv6 address by its /64
// ("2001:db8:1:2::/64"), since one host is commonly given a whole /64 and
// could otherwise rotate addresses within it. Anything else unchanged.
std::string RefusalAddressKey(const std::string& remote_addr);

// Steps 1-7 (for a trust root, its steps 1-6; for an observation, its steps
// 1-8: without `logged` an observation is refused, kUnavailable, since its
// target cannot be read). `limiter` (may be null: no rate limit) is keyed by
// the vendor key; when it refuses, *retry_after_seconds (if given) is set.
//
// With `logged` (may be null), the release keys are looked up first, on the
// parsed but unauthenticated manifest: the identical entry already logged is a
// replay, answered with `logged_index` without a signature check, a rate-limit
// token or any other rule (it was admitted when logged, and re-admitting it
// would let anyone spend a vendor's tokens with its public entries); another
// entry under one of the keys is an equivocation, refused (kConflict) once the
// signature verified (so a forgery is never reported as one) and a token taken. One index lookup
// per release key serves both questions, here instead of in the sequencer.
Result<AdmittedEntry> AdmitEntry(ByteView body, VendorRegistry& vendors,
                                 const AdmissionOptions& options, RateLimiter* limiter = nullptr,
                                 uint64_t* retry_after_seconds = nullptr,
                                 const LoggedReleases* logged = nullptr);

}  // namespace candor

#endif  // CANDOR_LOG_ADMISSION_H_
