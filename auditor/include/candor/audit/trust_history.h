// Trust history: the trust roots of a log (docs/FORMATS.md "Trust root"), per
// domain, as a timeline of versions with what changed between consecutive
// versions and the flags `candor audit trust` and `candor audit flags` raise
// (docs/AUDIT.md "Trust roots").
//
// A domain's chain is what a device can follow: each root is checked against
// the chain's head when it was logged, the latest earlier root of its domain
// that itself followed the rotation rule (CheckRootSuccessor; version 1,
// with no head, against CheckRootSelfSigned). A root that does not follow is
// listed and flagged but never becomes the head, so one bad root does not
// make every later one look wrong. Changes are computed against the same head.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_AUDIT_TRUST_HISTORY_H_
#define CANDOR_AUDIT_TRUST_HISTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "candor/audit/analysis.h"
#include "candor/audit/index.h"
#include "candor/status.h"
#include "candor/trust_root.h"

namespace candor::audit {

// `expiry-pushed-far` is raised when a root expires more than this long after
// it was logged: two years of 365 days.
inline constexpr int64_t kFarExpirySeconds = int64_t{2} * 365 * 24 * 3600;

// Whether a root follows its domain's chain.
struct ChainCheck {
  bool follows = false;
  std::string flag;     // when not: root-version-gap, root-version-duplicate,
                        // root-threshold-unmet
  std::string message;  // when not: why
};

// The head of a domain's chain among `earlier` (rows of that domain, in log
// order): the last one that follows. Null when none does.
const TrustRootRow* ChainHead(const std::vector<TrustRootRow>& earlier);

// Checks `next` against the head of `earlier` (the roots of its domain logged
// before it, in log order, with their own checks). `head_root` is the parse
// of the head's note; REQUIRES: it is given when ChainHead(earlier) is not
// null.
ChainCheck CheckRootChain(const TrustRoot* head_root, const SignedTrustRoot& next);

// One change between two versions (or of one version on its own).
struct TrustChange {
  std::string kind;    // a flag name, or a change that is not a flag (below)
  std::string detail;  // one line for people
  bool flag = false;   // raises a flag
};

// What changed from `prev` to `next` (same domain), in this order:
// root-keys-changed, root-threshold-lowered (flag) / root-threshold-raised,
// expires-changed, log-changed, witnesses-changed (not a flag: witness lines,
// groups or quorum differ), witness-quorum-weakened, vendor-key-added,
// vendor-key-removed, vendor-products-added, vendor-products-removed,
// checkpoint-age-relaxed (flag) / checkpoint-age-tightened. Empty when the
// two say the same. Every kind is a flag except root-threshold-raised,
// expires-changed, witnesses-changed and checkpoint-age-tightened.
std::vector<TrustChange> DiffTrustRoots(const TrustRoot& prev, const TrustRoot& next);

// expiry-pushed-far when `root` expires more than kFarExpirySeconds after
// `logged` (when the auditor saw it logged); nullopt otherwise.
std::optional<TrustChange> ExpiryFlag(const TrustRoot& root, int64_t logged);

// One version in a domain's timeline.
struct TrustVersion {
  TrustRootRow row;
  std::optional<uint64_t> previous_log_index;  // the head it was compared with
  std::optional<uint64_t> previous_version;
  std::vector<TrustChange> changes;  // chain flag first, then the diff, then expiry
};

struct TrustDomainHistory {
  std::string domain;
  std::vector<TrustVersion> versions;  // log order
};

// Every domain's history, domains sorted by name. A row whose note no longer
// parses is an index fault (kMalformed).
Result<std::vector<TrustDomainHistory>> BuildTrustHistory(
    const std::vector<TrustRootRow>& rows_in_log_order);

// The flags of the histories as Flag values (domain set, vendor empty,
// version the root's version), in log order.
std::vector<Flag> TrustFlags(const std::vector<TrustDomainHistory>& histories);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_TRUST_HISTORY_H_
