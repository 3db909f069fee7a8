// Analyses over the release index: disclosure diffs between versions and the
// flags `candor audit flags` raises (docs/AUDIT.md "Flags").
//
// Versions of one vendor/product are ordered by rollback counter, then log
// index. Flags are recomputed from the index on every call (deterministic, no
// stored state), in log order.
//
// Thread-safety: pure functions over values (plus index reads).
#ifndef CANDOR_AUDIT_ANALYSIS_H_
#define CANDOR_AUDIT_ANALYSIS_H_

#include <optional>
#include <string>
#include <vector>

#include "candor/audit/index.h"
#include "candor/disclosure.h"
#include "candor/status.h"

namespace candor::audit {

struct DisclosureChange {
  std::string change;              // "added", "removed" or "changed"
  std::optional<Disclosure> from;  // removed / changed
  std::optional<Disclosure> to;    // added / changed
};

// Single-valued kinds are matched by (kind, effective date), so a new value is
// "changed"; other kinds by the whole disclosure (added / removed).
std::vector<DisclosureChange> DiffDisclosures(const std::vector<Disclosure>& from,
                                              const std::vector<Disclosure>& to);

// Sorts releases by (rollback, log_index): the version order of a product.
void SortByVersionOrder(std::vector<ReleaseRow>& rows);

// True if the changelog mentions the disclosure (docs/AUDIT.md "What counts as
// a changelog mention"): it contains, as a whole phrase, the full kind, the
// kind's title, the kind's short name (after `x-<vendor>/` or the last '.') if
// that has a significant word (4+ code points, not a stop word), a free-text
// value (vendor kinds, account-/subscription-required, feature-removal,
// performance-limit) of 2+ words with a significant word, the telemetry
// destination, or a fixed CVE id. Phrases match case-insensitively at word
// boundaries (UTF-8 aware), with any whitespace/hyphen run between words
// ("Third party" mentions "third-party"; "Clock" does not mention "lock"; a
// single word of a value never suffices).
bool ChangelogMentions(std::string_view changelog, const Disclosure& d);

// The flag a restrictive disclosure (IsRestrictive) of this kind raises: the
// kind itself, except consumables-restriction, repair-restriction and
// vendor-specific (any x-<vendor>/ kind).
std::string RestrictionFlag(std::string_view kind);

struct Flag {
  std::string kind;  // see ComputeFlags
  uint64_t log_index = 0;
  std::string vendor;
  std::string product;  // "" for release-wide flags of multi-product releases
  std::string version;
  std::string message;
  // Trust root flags (audit/trust_history.h): the root's domain, with `vendor`
  // and `product` empty and `version` the root's version. Empty otherwise.
  std::string domain;
};

// delayed-activation, one RestrictionFlag per restrictive disclosure,
// telemetry-expansion, rollback-decrease, rollback-reuse, first-vendor-key,
// new-vendor-key, signer-set-changed, equivocation, changelog-silent,
// invalid-entry.
std::vector<Flag> ComputeFlags(const std::vector<ReleaseRow>& releases_in_log_order,
                               const std::vector<InvalidRow>& invalid);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_ANALYSIS_H_
