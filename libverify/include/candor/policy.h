// Trust policy: which log, which witnesses (and what quorum of them), which
// vendor keys for which products, and how old a checkpoint may be.
//
// The file is the c2sp.org/tlog-policy format (`log`, `witness`, `group`,
// `quorum` lines, comments, whitespace rules, implementation limits of at
// least 32 logs/witnesses/groups) extended with two Candor lines:
//
//   vendor <vkey> <product> [<product>...]   this vendor key may sign releases
//                                            for these products
//   max-checkpoint-age <seconds>             the quorum's cosignatures must be
//                                            at most this old
//
// Unknown lines are an error. `max-checkpoint-age` together with
// `quorum none` is refused: a bare checkpoint carries no time.
//
// Thread-safety: a parsed TrustPolicy is an immutable value.
#ifndef CANDOR_POLICY_H_
#define CANDOR_POLICY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "candor/note.h"
#include "candor/status.h"

namespace candor {

// At most this many `log` lines (docs/FORMATS.md "Trust policy", limits): a
// device remembers one last-seen tree per trusted log, so this bounds its
// state too.
inline constexpr size_t kMaxPolicyLogs = 64;

struct PolicyLog {
  VerifierKey key;  // type 0x01; key name == the log's origin
  std::string url;  // may be empty
};

struct PolicyWitness {
  std::string name;
  VerifierKey key;  // type 0x04 (cosignature/v1)
  std::string url;  // the witness's submission prefix; may be empty
};

struct PolicyGroup {
  std::string name;
  size_t threshold = 0;              // 1 <= threshold <= members.size()
  std::vector<std::string> members;  // witness or earlier group names
};

struct PolicyVendorKey {
  std::string name;
  VerifierKey key;  // Ed25519
};

struct PolicyVendorGroup {
  std::string name;
  size_t threshold = 0;              // 1 <= threshold <= min(members, kMaxReleaseSigners)
  std::vector<std::string> members;  // vendor-key names, each once
};

struct VendorTrust {
  VerifierKey key;      // `vendor <vkey> ...`; unused when `signers` is set
  std::string signers;  // `vendor <name> ...`: a vendor-key or vendor-group name
  std::vector<std::string> products;
};

// What a release's valid signatures amount to for one product (Verify step 2).
struct VendorSignersResult {
  bool satisfied = false;
  // The best vendor line for the product (most distinct keys signed): how
  // many of its keys signed and how many it requires, and its description
  // (the vkey's name, or "vendor group <name>"). met == 0: no key trusted.
  size_t met = 0;
  size_t required = 0;
  std::string signers;
};

struct TrustPolicy {
  std::vector<PolicyLog> logs;
  std::vector<PolicyWitness> witnesses;
  std::vector<PolicyGroup> groups;
  std::string quorum;  // a witness or group name, or "none"
  std::vector<PolicyVendorKey> vendor_keys;
  std::vector<PolicyVendorGroup> vendor_groups;
  std::vector<VendorTrust> vendors;
  std::optional<uint64_t> max_checkpoint_age_seconds;

  // The log whose key name equals `origin`, if any.
  const PolicyLog* FindLog(std::string_view origin) const;
  // True when `key` (compared by public key bytes and type) may sign for
  // `product` alone (a vendor line of threshold 1 names it).
  bool VendorTrustedFor(const VerifierKey& key, std::string_view product) const;
  // Counts, for each vendor line naming `product`, the DISTINCT keys of the
  // line among `signed_by` (the verified signers of a release, as
  // ReleaseEntry::signed_by) and whether they reach the line's threshold.
  VendorSignersResult EvaluateVendorSigners(std::span<const VerifierKey> signed_by,
                                            std::string_view product) const;
  // The keys and threshold a vendor line stands for. REQUIRES: `v` is one of
  // `vendors` of this (valid) policy.
  std::pair<size_t, std::vector<VerifierKey>> VendorSigners(const VendorTrust& v) const;
};

// The largest policy text ParseTrustPolicy accepts, and so what every reader
// of a policy file reads at most.
inline constexpr size_t kMaxPolicySize = size_t{1} << 20;

Result<TrustPolicy> ParseTrustPolicy(std::string_view text);

// The canonical text of a policy (the one spelling a trust root carries,
// docs/FORMATS.md "Trust root"): no comments or blank lines, fields separated
// by one space, each line ending in "\n", sections in the order log, witness,
// group, quorum, vendor-key, vendor-group, vendor, max-checkpoint-age; logs
// sorted by vkey text, vendors by their first field (vkey text or name), a
// vendor's products sorted, witnesses, vendor keys and vendor groups sorted by
// name, groups in definition order (a group names only earlier names), every
// threshold in decimal. ParseTrustPolicy(FormatTrustPolicy(p)) describes the same policy.
// REQUIRES: `policy` is valid (as ParseTrustPolicy would return it).
std::string FormatTrustPolicy(const TrustPolicy& policy);

// Evaluates the quorum. `cosigned_by` maps witness name -> cosignature
// timestamp (unix seconds) of each witness that validly cosigned.
struct QuorumResult {
  bool satisfied = false;
  // When satisfied: the latest time T such that the witnesses that cosigned at
  // or after T still satisfy the quorum (so "age" is now - quorum_time). For
  // `quorum none` there is no time: nullopt.
  std::optional<uint64_t> quorum_time;
  size_t cosigners = 0;  // how many witnesses of the policy cosigned
  size_t required = 0;   // how many direct members the quorum group requires
  size_t met = 0;        // how many of them were met (for "1 of 2" messages)
  // Nodes and member edges visited: evaluation is one bottom-up pass, so this
  // is at most witnesses + groups + total group members (tests check it).
  size_t evaluations = 0;
};
QuorumResult EvaluateQuorum(const TrustPolicy& policy,
                            const std::map<std::string, uint64_t>& cosigned_by);

// How many witnesses a log must get to collude before it can make two
// conflicting checkpoints (a split view) both satisfy the quorum.
//
// Definition: min_colluders = min |A ∩ B| over pairs of witness sets A, B that
// each satisfy the quorum. An honest witness cosigns only one side of a
// split, so a split view needs every witness in A ∩ B to collude: the policy
// stops a split view by any c < min_colluders colluding witnesses and cannot
// stop one by min_colluders. For a k-of-n group of witnesses it is
// max(0, 2k - n); for nested groups it is computed bottom-up: a k-of-n group
// needs s = max(0, 2k - n) members satisfied by both A and B, and costs the
// sum of the s smallest member values when its members depend on disjoint
// witnesses (exact), else the s-th smallest (a lower bound, since one shared
// witness may count for several members: exact = false). A lower bound errs
// towards warning. `quorum none` is 0. Linear in the policy's size.
struct SplitViewBound {
  size_t min_colluders = 0;
  bool exact = true;       // false: min_colluders is a lower bound
  size_t evaluations = 0;  // nodes and member edges visited (for tests)
};
SplitViewBound QuorumSplitViewBound(const TrustPolicy& policy);

// The fewest witnesses whose cosignatures satisfy the quorum, computed
// bottom-up like the bound above: a k-of-n group costs the sum of its k
// cheapest members (exact when members depend on disjoint witnesses, else an
// upper bound, since one witness may count for several members). `quorum
// none` is 0. Auditors compare it across policy versions (a weakened quorum).
size_t QuorumMinWitnesses(const TrustPolicy& policy);

// "warning: ..." (one line, no newline) when QuorumSplitViewBound(policy) is
// at most 1, i.e. one colluding witness (or none) suffices for a split view;
// empty otherwise. CLIs and the agent print it to stderr when they load a
// policy; it is not an error.
std::string QuorumSplitViewWarning(const TrustPolicy& policy);

}  // namespace candor

#endif  // CANDOR_POLICY_H_
