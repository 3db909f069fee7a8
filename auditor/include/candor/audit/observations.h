// Observations in the mirror (docs/AUDIT.md "Observations"): each finding of
// an observation set against the disclosures of the release it is about, and
// the flags observations raise. The target check itself is libverify's
// CheckObservationTarget, made once at sync (ObservationRow::target_error);
// the findings are judged with libverify's ObservationContradictions.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_AUDIT_OBSERVATIONS_H_
#define CANDOR_AUDIT_OBSERVATIONS_H_

#include <vector>

#include "candor/audit/analysis.h"
#include "candor/audit/index.h"
#include "candor/disclosure.h"

namespace candor::audit {

// One finding and whether the product's disclosures confirm it.
struct FindingMark {
  Disclosure finding;
  // ObservationContradictions: the disclosures of the kind that hold on the
  // observed day state another value, or none does and the finding is
  // restrictive (an undisclosed restriction).
  bool contradicted = false;
  std::vector<Disclosure> disclosed;  // contradicted: what holds that day
};

// The findings of `o` set against what the product disclosed in effect after
// the release it is about: the states of the product's disclosure model
// (candor/disclosure_state.h) after that release, carried in log order as
// ComputeFlags carries them, plus the release's own events. `product_rows`:
// the releases of o's product by the release's vendor, in log order, up to at
// least the release (later ones are ignored). No release at o.release_index
// among them (a target that failed its check): every finding is judged
// against nothing.
std::vector<FindingMark> MarkFindings(const ObservationRow& o,
                                      const std::vector<ReleaseRow>& product_rows);

// The flags observations raise (docs/AUDIT.md "Observations"), in
// observation order:
//   - observation-target-invalid at the observation's index: the target check
//     failed in this mirror (ObservationRow::target_error);
//   - disputed at the release's index (Flag::observation the observation's):
//     an observation whose target holds contradicts at least one disclosure.
// `releases`: every release of the tree, in log order.
std::vector<Flag> ObservationFlags(const std::vector<ObservationRow>& observations,
                                   const std::vector<ReleaseRow>& releases);

}  // namespace candor::audit

#endif  // CANDOR_AUDIT_OBSERVATIONS_H_
