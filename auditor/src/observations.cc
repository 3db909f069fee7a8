#include "candor/audit/observations.h"

#include <map>
#include <utility>

#include "candor/date.h"
#include "candor/disclosure_state.h"
#include "candor/observation.h"

namespace candor::audit {
namespace {

std::string FindingText(const Disclosure& d) { return d.kind + " " + d.value; }

}  // namespace

std::vector<FindingMark> MarkFindings(const ObservationRow& o,
                                      const std::vector<ReleaseRow>& product_rows) {
  // The product's state after the release, carried in log order (the order
  // the public saw the releases, as ComputeFlags carries it), and the
  // release's own events: what the device was told of then.
  std::vector<Disclosure> disclosed;
  DisclosureState state;
  for (const ReleaseRow& r : product_rows) {
    if (r.log_index > o.release_index) break;
    DisclosureTransition t = ApplyReleaseDisclosures(state, r.disclosures, r.version);
    if (r.log_index == o.release_index) {
      for (const InEffect& e : t.after.in_effect) disclosed.push_back(e.disclosure);
      for (const Disclosure& d : t.events) disclosed.push_back(d);
    }
    state = std::move(t.after);
  }
  Observation judged;
  judged.observed = o.observed;
  judged.findings = o.findings;
  std::vector<FindingContradiction> contradictions = ObservationContradictions(judged, disclosed);
  std::vector<FindingMark> out;
  for (const Disclosure& f : o.findings) {
    FindingMark m;
    m.finding = f;
    for (FindingContradiction& c : contradictions) {
      if (c.finding == f) {
        m.contradicted = true;
        m.disclosed = std::move(c.disclosed);
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<Flag> ObservationFlags(const std::vector<ObservationRow>& observations,
                                   const std::vector<ReleaseRow>& releases) {
  std::vector<Flag> flags;
  if (observations.empty()) return flags;
  std::map<uint64_t, const ReleaseRow*> by_index;
  for (const ReleaseRow& r : releases) by_index[r.log_index] = &r;
  // Each (vendor, product)'s releases in log order, built once when asked.
  std::map<std::pair<std::string, std::string>, std::vector<ReleaseRow>> products;
  for (const ObservationRow& o : observations) {
    const std::string about = "observation #" + std::to_string(o.log_index) + " by " + o.observer;
    auto it = by_index.find(o.release_index);
    if (!o.target_error.empty() || it == by_index.end()) {
      Flag f;
      f.kind = "observation-target-invalid";
      f.log_index = o.log_index;
      f.product = o.product;
      f.message = about + " names release #" + std::to_string(o.release_index) +
                  ", which this mirror does not hold: " +
                  (o.target_error.empty() ? "no release indexed there" : o.target_error);
      flags.push_back(std::move(f));
      continue;
    }
    const ReleaseRow& release = *it->second;
    auto key = std::make_pair(release.vendor, o.product);
    auto [pit, fresh] = products.try_emplace(key);
    if (fresh) {
      for (const ReleaseRow& r : releases) {
        if (r.vendor != release.vendor) continue;
        for (const std::string& p : r.products) {
          if (p == o.product) {
            pit->second.push_back(r);
            break;
          }
        }
      }
    }
    std::string contradicted;
    for (const FindingMark& m : MarkFindings(o, pit->second)) {
      if (!m.contradicted) continue;
      std::string stated;
      for (const Disclosure& d : m.disclosed)
        stated += (stated.empty() ? "" : ", ") + FindingText(d);
      contradicted += (contradicted.empty() ? "" : "; ") + FindingText(m.finding) +
                      " (disclosed: " + (stated.empty() ? "nothing" : stated) + ")";
    }
    if (contradicted.empty()) continue;
    Flag f;
    f.kind = "disputed";
    f.log_index = release.log_index;
    f.vendor = release.vendor;
    f.product = o.product;
    f.version = release.version;
    f.message =
        about + ", observed " + FormatUtcTime(o.observed).substr(0, 10) + ": " + contradicted;
    f.observation = o.log_index;
    flags.push_back(std::move(f));
  }
  return flags;
}

}  // namespace candor::audit
