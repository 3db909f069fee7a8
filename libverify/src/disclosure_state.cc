// The state/event model of disclosures (docs/FORMATS.md "State and event
// kinds"); see candor/disclosure_state.h.
#include "candor/disclosure_state.h"

#include <algorithm>
#include <set>

namespace candor {
namespace {

bool InEffectLess(const InEffect& a, const InEffect& b) {
  return DisclosureLess(a.disclosure, b.disclosure);
}

// Undated sorts before every date ("on install" is the earliest a device sees).
int64_t DayOf(const Disclosure& d) { return d.effective ? DaysSinceEpoch(*d.effective) : -1; }

}  // namespace

DisclosureTransition ApplyReleaseDisclosures(const DisclosureState& before,
                                             std::span<const Disclosure> release,
                                             std::string_view version) {
  DisclosureTransition t;
  std::set<std::string, std::less<>> restated;
  for (const Disclosure& d : release) {
    if (MeaningOf(d.kind) == DisclosureMeaning::kEvent) {
      t.events.push_back(d);
      continue;
    }
    restated.insert(d.kind);
    t.after.in_effect.push_back(InEffect{d, std::string(version)});
  }
  // Kinds the release does not state are carried; a restrictive one stated
  // by the release just before was dropped from this release's disclosures.
  std::set<std::string, std::less<>> dropped_kinds;
  for (const InEffect& e : before.in_effect) {
    if (restated.count(e.disclosure.kind)) continue;
    if (t.after.in_effect.size() < kMaxInEffect) t.after.in_effect.push_back(e);
    if (!before.last_version.empty() && e.version == before.last_version &&
        IsRestrictive(e.disclosure)) {
      dropped_kinds.insert(e.disclosure.kind);
    }
  }
  for (const InEffect& e : before.in_effect) {
    if (dropped_kinds.count(e.disclosure.kind)) t.dropped.push_back(e);
  }
  std::sort(t.after.in_effect.begin(), t.after.in_effect.end(), InEffectLess);
  t.after.last_version = std::string(version);
  return t;
}

std::vector<InEffect> HoldingOn(const DisclosureState& state, Date today) {
  const int64_t now = DaysSinceEpoch(today);
  std::vector<InEffect> out;
  for (const InEffect& e : state.in_effect) {
    const int64_t day = DayOf(e.disclosure);
    if (day > now) continue;
    const DisclosureKindInfo* info = FindDisclosureKind(e.disclosure.kind);
    const bool replaceable =
        info != nullptr && (info->single_valued || e.disclosure.value == info->neutral_value);
    bool superseded = false;
    for (const InEffect& o : state.in_effect) {
      const int64_t other = DayOf(o.disclosure);
      superseded |=
          replaceable && o.disclosure.kind == e.disclosure.kind && other > day && other <= now;
    }
    if (!superseded) out.push_back(e);
  }
  return out;
}

std::vector<InEffect> PendingAfter(const DisclosureState& state, Date today) {
  const int64_t now = DaysSinceEpoch(today);
  std::vector<InEffect> out;
  for (const InEffect& e : state.in_effect) {
    if (DayOf(e.disclosure) > now) out.push_back(e);
  }
  std::stable_sort(out.begin(), out.end(), [](const InEffect& a, const InEffect& b) {
    return DayOf(a.disclosure) < DayOf(b.disclosure);
  });
  return out;
}

}  // namespace candor
