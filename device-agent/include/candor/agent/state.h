// The device's persistent state: what it last installed (per product, with
// the rollback counter), per log origin, the last checkpoint it accepted from
// that log, and the trust root it holds (candor/trust_root.h), if any.
//
// Stored as one strict text file `<state-dir>/state` (docs/AGENT.md "State
// file"), replaced atomically after each successful flash (candor/fs/atomic_write.h),
// so that a crash at any point leaves the old or the new state. The file ends
// with a SHA-256 of everything before it, which detects torn or corrupted
// files (not tampering: whoever can write the state dir owns the device).
// A state file that does not parse is refused (kMalformed), never reset: a
// reset would lower the rollback counter. A missing file is the empty state of
// a device that never installed anything.
//
// Versions: v2 keeps one last-seen checkpoint per origin (a device trusting two
// logs must not compare one log's tree with another's) and its quorum time.
// A v1 file (at most one checkpoint, no quorum time) is still read, and
// rewritten as v2 by the next commit; its rollback counters carry over as is.
// v3 is v2 with one more line, the device's current trust root (the signed
// note, as accepted at manufacture or by the last trust-update). It is written
// only when the state holds a root, so a device without one keeps writing v2,
// which older agents read.
// v4 is v3 with the trust-root line optional and, per product, the
// disclosures in effect after its installed release (`in-effect` lines,
// candor/disclosure_state.h): states the device carries from earlier releases
// that the installed one did not restate. It is written only when some
// product carries such a state, so other devices keep writing v2/v3. An older
// state has none; its product's disclosures in effect are then those of the
// installed release (EffectiveDisclosures).
//
// Thread-safety: values and pure functions; LoadState/CommitState do file I/O
// and callers serialise them with the state dir's lock (AcquireStateLock).
#ifndef CANDOR_AGENT_STATE_H_
#define CANDOR_AGENT_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "candor/bytes.h"
#include "candor/disclosure_state.h"
#include "candor/policy.h"
#include "candor/status.h"

namespace candor::agent {

inline constexpr std::string_view kStateHeaderV4 = "candor-agent-state v4";
inline constexpr std::string_view kStateHeaderV3 = "candor-agent-state v3";
inline constexpr std::string_view kStateHeader = "candor-agent-state v2";
inline constexpr std::string_view kStateHeaderV1 = "candor-agent-state v1";
// One last-seen tree per log the policy trusts: install keeps only the logs
// of the current policy (agent.cc), so a state never outgrows what it may read.
inline constexpr size_t kMaxSeenLogs = kMaxPolicyLogs;
inline constexpr std::string_view kStateFileName = "state";
inline constexpr size_t kMaxStateSize = 4 * 1024 * 1024;

// The release installed for one product.
struct InstalledRelease {
  uint64_t rollback = 0;  // the product's rollback counter
  std::string version;
  uint64_t log_index = 0;
  Hash leaf_hash{};
  Hash image_sha256{};
  uint64_t image_size = 0;
  uint64_t installed_at = 0;  // unix seconds, device clock
  Bytes entry;                // the verified release entry, verbatim (for status/audit)
  // The product's state disclosures in effect after this release, each with
  // the version that stated it (at most kMaxInEffect); empty in states older
  // than v4 (see EffectiveDisclosures).
  std::vector<InEffect> in_effect;

  friend bool operator==(const InstalledRelease&, const InstalledRelease&) = default;
};

// The last checkpoint of one log accepted with an install.
struct SeenCheckpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root_hash{};
  std::string note;  // the signed checkpoint with its cosignatures, verbatim
  // Its witness quorum time as verified at install (absent for `quorum none`
  // and for checkpoints migrated from a v1 state).
  std::optional<uint64_t> quorum_time;

  friend bool operator==(const SeenCheckpoint&, const SeenCheckpoint&) = default;
};

struct DeviceState {
  std::map<std::string, SeenCheckpoint> checkpoints;  // origin -> last seen checkpoint
  std::map<std::string, InstalledRelease> products;   // product id -> installed release
  // The signed note of the trust root in effect, verbatim; empty: the device
  // holds none (a bare policy, or the provisioned root not yet replaced).
  std::string trust_root;

  friend bool operator==(const DeviceState&, const DeviceState&) = default;
  // The stored rollback counter of `product` (0 if nothing installed).
  uint64_t RollbackFor(std::string_view product) const;
};

// The product's disclosures in effect after `rel`: its stored `in_effect`,
// or, when empty (a state older than v4, or nothing stated), the states of the
// stored entry itself; last_version is rel.version.
DisclosureState EffectiveDisclosures(const InstalledRelease& rel);

// Canonical text, v4 when a product carries in-effect disclosures, else v3 when `trust_root` is
// set, else v2; ParseState(FormatState(s)) == s. REQUIRES: product ids and versions contain no
// whitespace or control characters, the origin no control characters (ParseState would refuse
// them).
std::string FormatState(const DeviceState& state);
// Strict parse of v3, v2 or v1; kMalformed on any deviation, checksum included,
// and for a stored trust root that does not parse (its signatures are checked
// when it is accepted, not here: the checksum does not stop tampering anyway).
Result<DeviceState> ParseState(std::string_view text);

// Reads `<dir>/state`: the empty state if absent, kMalformed if corrupt, kIo.
Result<DeviceState> LoadState(const std::string& dir);
// Atomically replaces `<dir>/state` with FormatState(state).
Status CommitState(const std::string& dir, const DeviceState& state);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_STATE_H_
