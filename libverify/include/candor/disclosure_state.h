// The meaning of disclosures over a product's releases (docs/FORMATS.md
// "State and event kinds"): the one model that `candor audit` (diff, flags),
// the device agent (status) and the explorer's documentation share.
//
// Each kind is a state or an event (DisclosureMeaning, candor/disclosure.h).
// A state persists from release to release until a later release of the
// product restates its kind: the disclosures of a kind in the latest release
// that carries the kind are the kind's state ("restating replaces"), so
// lifting a restriction is an explicit value (`consumables.third-party
// allowed`). Events belong to their release only; a later release that does
// not repeat them removes nothing. A restrictive state that the release right
// after the one stating it silently stops restating is "dropped": still in
// effect by this model, and flagged by auditors (`disclosure-dropped`).
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_DISCLOSURE_STATE_H_
#define CANDOR_DISCLOSURE_STATE_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/date.h"
#include "candor/disclosure.h"

namespace candor {

// Bound on the states carried forward (a device stores them: the state file
// must stay bounded however many vendor kinds a vendor invents).
inline constexpr size_t kMaxInEffect = 4 * kMaxDisclosures;

// One state disclosure in effect, with the release that last stated its kind.
struct InEffect {
  Disclosure disclosure;
  std::string version;

  friend bool operator==(const InEffect&, const InEffect&) = default;
};

// The effective disclosures of a product after a sequence of releases.
struct DisclosureState {
  std::vector<InEffect> in_effect;  // states only, in canonical disclosure order
  std::string last_version;         // the release applied last ("" none)

  friend bool operator==(const DisclosureState&, const DisclosureState&) = default;
};

struct DisclosureTransition {
  DisclosureState after;
  std::vector<Disclosure> events;  // the release's own events
  // Restrictive states (IsRestrictive of any of the kind's disclosures,
  // delayed ones included) that `before.last_version` stated and this release
  // neither restates nor lifts. They stay in `after`.
  std::vector<InEffect> dropped;
};

// Applies one release's disclosures (each valid) to `before`: kinds the
// release states replace their carried disclosures, the others are carried.
// If more than kMaxInEffect entries would result, the release's own come
// first and carried ones are kept in canonical order up to the bound.
DisclosureTransition ApplyReleaseDisclosures(const DisclosureState& before,
                                             std::span<const Disclosure> release,
                                             std::string_view version);

// The entries that hold on day `today`: undated or effective on or before
// it, and not superseded by a later-dated entry of the same kind that also
// holds by then (for a single-valued kind, or when this entry is the kind's
// neutral value, e.g. `telemetry none` until a dated destination starts).
std::vector<InEffect> HoldingOn(const DisclosureState& state, Date today);
// The entries whose effective date is after `today` (pending activations),
// ascending by date.
std::vector<InEffect> PendingAfter(const DisclosureState& state, Date today);

}  // namespace candor

#endif  // CANDOR_DISCLOSURE_STATE_H_
