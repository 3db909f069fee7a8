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
#include "candor/disclosure_state.h"
#include "candor/status.h"

namespace candor::audit {

struct DisclosureChange {
  // "added", "removed", "changed" (a state), "event" (the release's own
  // event) or "dropped" (a restrictive state the release silently stopped
  // restating: still in effect, docs/AUDIT.md "disclosure-dropped").
  std::string change;
  std::optional<Disclosure> from;  // removed / changed / dropped
  std::optional<Disclosure> to;    // added / changed / event
  std::string since;               // dropped: the version that last stated it
};

// The disclosure model of docs/FORMATS.md "State and event kinds"
// (candor/disclosure_state.h): the change from the effective state `from`
// (after an earlier release) to `to` (the transition of a later release):
// the states that differ (single-valued kinds matched by (kind, effective
// date), so a new value is "changed"; other kinds by the whole disclosure),
// then `to`'s events, then what `to` dropped. An event not repeated is never
// "removed".
std::vector<DisclosureChange> DiffDisclosures(const DisclosureState& from,
                                              const DisclosureTransition& to);

// The disclosure transitions of one product's releases, in the given order
// (SortByVersionOrder for a diff): element i is release i applied to the
// state after release i-1.
std::vector<DisclosureTransition> ProductTransitions(const std::vector<ReleaseRow>& rows);

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
  // `activation` flags: the day the disclosure takes effect (YYYY-MM-DD).
  // Empty otherwise.
  std::string date = {};
  // `disputed` (audit/observations.h): the log index of the observation that
  // raised it, which is when it arrived (`audit watch` reports it then).
  std::optional<uint64_t> observation = {};
};

// delayed-activation, one RestrictionFlag per restrictive disclosure,
// telemetry-expansion, rollback-decrease, rollback-reuse, first-vendor-key,
// new-vendor-key, signer-set-changed, equivocation, changelog-silent,
// disclosure-dropped, image-reuse, support-shortened, invalid-entry. Each
// product's disclosure state is carried in log order (the order the public
// saw the releases).
std::vector<Flag> ComputeFlags(const std::vector<ReleaseRow>& releases_in_log_order,
                               const std::vector<InvalidRow>& invalid);

// `activation` flags: one per delayed disclosure (effective date) of a
// release whose day lies in (after, through]; with `after` absent, every one
// up to `through`. A clock-dependent flag, so kept apart from ComputeFlags:
// `audit flags` shows those that arrived by today, `audit watch` fires each
// on its day (docs/AUDIT.md "activation").
std::vector<Flag> ActivationFlags(const std::vector<ReleaseRow>& releases_in_log_order,
                                  std::optional<Date> after, Date through);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_ANALYSIS_H_
