// Trust policy (c2sp.org/tlog-policy + Candor's vendor, vendor-key,
// vendor-group and max-checkpoint-age lines): ParseTrustPolicy, then EvaluateQuorum, FindLog,
// VendorTrustedFor on what parsed. Properties: parsed policies keep the documented invariants (key
// types, 1 <= threshold <= members, quorum names something, no max age with quorum none); the
// quorum is never met by nobody (unless "none") and always met by every witness; quorum evaluation
// is monotone in the set of cosigners.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "candor/policy.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto policy = ParseTrustPolicy(fuzz::AsText(data, size));
  if (!policy.ok()) return 0;
  const TrustPolicy& p = *policy;

  for (const PolicyLog& log : p.logs) {
    CANDOR_FUZZ_CHECK(log.key.type == kKeyTypeEd25519);
    CANDOR_FUZZ_CHECK(p.FindLog(log.key.name) != nullptr);
  }
  for (const PolicyWitness& w : p.witnesses) CANDOR_FUZZ_CHECK(w.key.type == kKeyTypeCosignatureV1);
  for (const PolicyGroup& g : p.groups) {
    CANDOR_FUZZ_CHECK(g.threshold >= 1 && g.threshold <= g.members.size());
  }
  for (const PolicyVendorGroup& g : p.vendor_groups) {
    CANDOR_FUZZ_CHECK(g.threshold >= 1 && g.threshold <= g.members.size() && g.threshold <= 16);
  }
  for (const VendorTrust& v : p.vendors) {
    // A vendor line is met by all its keys, and by nothing else.
    const auto [threshold, keys] = p.VendorSigners(v);
    CANDOR_FUZZ_CHECK(threshold >= 1 && threshold <= keys.size());
    for (const std::string& product : v.products) {
      if (v.signers.empty()) CANDOR_FUZZ_CHECK(p.VendorTrustedFor(v.key, product));
      const VendorSignersResult all = p.EvaluateVendorSigners(keys, product);
      CANDOR_FUZZ_CHECK(all.satisfied);
      CANDOR_FUZZ_CHECK(!p.EvaluateVendorSigners({}, product).satisfied);
    }
  }
  // The canonical text describes the same policy and is a fixed point.
  const std::string canonical = FormatTrustPolicy(p);
  auto again = ParseTrustPolicy(canonical);
  CANDOR_FUZZ_CHECK(again.ok() && FormatTrustPolicy(*again) == canonical);
  CANDOR_FUZZ_CHECK(!p.quorum.empty());
  if (p.quorum == "none") CANDOR_FUZZ_CHECK(!p.max_checkpoint_age_seconds.has_value());

  std::map<std::string, uint64_t> nobody, everybody, some;
  for (size_t i = 0; i < p.witnesses.size(); ++i) {
    everybody[p.witnesses[i].name] = 1000 + i;
    if ((size + i) % 3 != 0) some[p.witnesses[i].name] = 2000 + 7 * i;
  }
  const QuorumResult none_q = EvaluateQuorum(p, nobody);
  const QuorumResult all_q = EvaluateQuorum(p, everybody);
  const QuorumResult some_q = EvaluateQuorum(p, some);
  CANDOR_FUZZ_CHECK(none_q.satisfied == (p.quorum == "none"));
  CANDOR_FUZZ_CHECK(all_q.satisfied);
  if (some_q.satisfied) CANDOR_FUZZ_CHECK(all_q.satisfied);
  for (const QuorumResult* q : {&none_q, &all_q, &some_q}) {
    CANDOR_FUZZ_CHECK(q->met <= q->required || q->satisfied);
    if (q->satisfied && p.quorum != "none") CANDOR_FUZZ_CHECK(q->quorum_time.has_value());
    if (p.quorum == "none") CANDOR_FUZZ_CHECK(!q->quorum_time.has_value());
  }
  if (all_q.quorum_time) {
    CANDOR_FUZZ_CHECK(*all_q.quorum_time >= 1000 && *all_q.quorum_time < 1000 + p.witnesses.size());
  }

  // Evaluation is one bottom-up pass: never more work than the policy's size.
  size_t edges = 0;
  for (const PolicyGroup& g : p.groups) edges += g.members.size();
  const size_t linear = p.witnesses.size() + p.groups.size() + edges;
  for (const QuorumResult* q : {&none_q, &all_q, &some_q})
    CANDOR_FUZZ_CHECK(q->evaluations <= linear);

  // The split-view bound: linear too; 0 for `quorum none`; never more than
  // the witnesses; and the two witness sets {everybody} satisfy the quorum
  // with |A ∩ B| = all witnesses, an upper bound on the minimum.
  const SplitViewBound b = QuorumSplitViewBound(p);
  CANDOR_FUZZ_CHECK(b.evaluations <= linear);
  if (p.quorum == "none") CANDOR_FUZZ_CHECK(b.min_colluders == 0);
  CANDOR_FUZZ_CHECK(b.min_colluders <= p.witnesses.size());
  // When `some` satisfies it, some ∩ some = some bounds the minimum as well.
  if (some_q.satisfied && p.quorum != "none") CANDOR_FUZZ_CHECK(b.min_colluders <= some.size());
  CANDOR_FUZZ_CHECK(QuorumSplitViewWarning(p).empty() == (b.min_colluders >= 2));
  return 0;
}
