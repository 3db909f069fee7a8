#include "candor/policy.h"

#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <string_view>

namespace candor {
namespace {

// A syntactically valid vkey; public keys need not be curve points to parse.
std::string Vkey(std::string name, uint8_t type, uint8_t fill) {
  VerifierKey k;
  k.name = std::move(name);
  k.type = type;
  k.public_key.fill(fill);
  k.key_id = KeyId(k.name, k.type, k.public_key);
  return FormatVerifierKey(k);
}

std::string LogKey() { return Vkey("log.example", kKeyTypeEd25519, 1); }
std::string W(std::string name, uint8_t fill) {
  return "witness " + name + " " + Vkey(name + ".example", kKeyTypeCosignatureV1, fill) + "\n";
}

TEST_CASE("Parses the tlog-policy spec example with two levels of groups") {
  std::string text = "log " + LogKey() + "\n\n" + W("X1", 11) + W("X2", 12) + W("X3", 13) +
                     "group X-witnesses 2 X1 X2 X3\n\n" + W("Y1", 21) + W("Y2", 22) + W("Y3", 23) +
                     "group Y-witnesses any Y1 Y2 Y3\n\n"
                     "group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n";
  auto policy = ParseTrustPolicy(text);
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  CHECK(policy->logs.size() == 1);
  CHECK(policy->witnesses.size() == 6);
  CHECK(policy->groups.size() == 3);
  CHECK(policy->groups[0].threshold == 2);
  CHECK(policy->groups[1].threshold == 1);
  CHECK(policy->groups[2].threshold == 2);
  CHECK(policy->quorum == "X-and-Y");
  CHECK(policy->FindLog("log.example") != nullptr);
  CHECK(policy->FindLog("other") == nullptr);

  struct Case {
    std::map<std::string, uint64_t> cosigned;
    bool satisfied;
    size_t met;
  };
  const Case cases[] = {
      {{}, false, 0},
      {{{"X1", 1}, {"X2", 1}}, false, 1},
      {{{"X1", 1}, {"Y1", 1}}, false, 1},
      {{{"X1", 1}, {"X2", 1}, {"Y3", 1}}, true, 2},
      {{{"X1", 1}, {"X2", 1}, {"X3", 1}, {"Y1", 1}, {"Y2", 1}}, true, 2},
      {{{"Y1", 1}, {"Y2", 1}, {"Y3", 1}}, false, 1},
      {{{"X1", 1}, {"unknown", 1}, {"Y2", 1}}, false, 1},
  };
  for (const Case& c : cases) {
    QuorumResult q = EvaluateQuorum(*policy, c.cosigned);
    CHECK(q.satisfied == c.satisfied);
    CHECK(q.required == 2);
    CHECK(q.met == c.met);
  }
}

TEST_CASE("Quorum time is the newest time at which a quorum still holds") {
  std::string text = "log " + LogKey() + "\n" + W("A", 1) + W("B", 2) + W("C", 3) +
                     "group g 2 A B C\nquorum g\nmax-checkpoint-age 600\n";
  auto policy = ParseTrustPolicy(text);
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  CHECK(*policy->max_checkpoint_age_seconds == 600);
  // A at 100, B at 500, C at 900: the two newest cosign at >= 500.
  QuorumResult q = EvaluateQuorum(*policy, {{"A", 100}, {"B", 500}, {"C", 900}});
  CHECK(q.satisfied);
  REQUIRE(q.quorum_time.has_value());
  CHECK(*q.quorum_time == 500);
  CHECK(q.cosigners == 3);
  q = EvaluateQuorum(*policy, {{"A", 100}, {"C", 900}});
  CHECK(*q.quorum_time == 100);
}

TEST_CASE("quorum none and single-witness quorums") {
  auto none = ParseTrustPolicy("log " + LogKey() + "\nquorum none\n");
  REQUIRE(none.ok());
  QuorumResult q = EvaluateQuorum(*none, {});
  CHECK(q.satisfied);
  CHECK(!q.quorum_time.has_value());

  auto single = ParseTrustPolicy(W("A", 1) + "quorum A\n");
  REQUIRE(single.ok());
  CHECK(!EvaluateQuorum(*single, {}).satisfied);
  CHECK(EvaluateQuorum(*single, {}).required == 1);
  CHECK(EvaluateQuorum(*single, {{"A", 7}}).satisfied);
  CHECK(EvaluateQuorum(*single, {{"A", 7}}).met == 1);
  CHECK(*EvaluateQuorum(*single, {{"A", 7}}).quorum_time == 7);
}

TEST_CASE("Candor vendor lines bind keys to products") {
  std::string vendor = Vkey("acme.example", kKeyTypeEd25519, 9);
  auto policy = ParseTrustPolicy("# devices of model P\n  log " + LogKey() +
                                 "  https://log.example/  \n\tvendor " + vendor +
                                 " printer-p1 printer-p2\nquorum none\n");
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  CHECK(policy->logs[0].url == "https://log.example/");
  auto key = ParseVerifierKey(vendor);
  REQUIRE(key.ok());
  CHECK(policy->VendorTrustedFor(*key, "printer-p1"));
  CHECK(policy->VendorTrustedFor(*key, "printer-p2"));
  CHECK(!policy->VendorTrustedFor(*key, "printer-p3"));
  VerifierKey other = *key;
  other.public_key[0] ^= 1;
  CHECK(!policy->VendorTrustedFor(other, "printer-p1"));
}

TEST_CASE("Malformed policies are refused") {
  const std::string log = "log " + LogKey() + "\n";
  const std::string ok_witness = W("A", 1);
  const std::string cases[] = {
      "",                                                                // no quorum
      log,                                                               // no quorum
      log + "quorum none\nquorum none\n",                                // two quorums
      log + "quorum A\n",                                                // undefined name
      log + "quorum none\nfrobnicate 1\n",                               // unknown keyword
      log + log + "quorum none\n",                                       // duplicate log key
      ok_witness + ok_witness + "quorum A\n",                            // duplicate witness
      ok_witness + W("B", 1) + "quorum A\n",                             // same key, other name
      ok_witness + "group A any A\nquorum A\n",                          // name reuse
      ok_witness + "group g 2 A\nquorum g\n",                            // k > n
      ok_witness + "group g 0 A\nquorum g\n",                            // k = 0
      ok_witness + "group g 01 A\nquorum g\n",                           // non-canonical k
      ok_witness + "group g any A A\nquorum g\n",                        // member twice
      ok_witness + "group g any B\nquorum g\n",                          // undefined member
      ok_witness + "group g any\nquorum g\n",                            // no members
      "quorum g\n" + ok_witness + "group g any A\n",                     // quorum before definition
      W("none", 1) + "quorum none\n",                                    // reserved name
      "witness A " + LogKey() + "\nquorum A\n",                          // Ed25519 key as witness
      "log " + Vkey("l", kKeyTypeCosignatureV1, 1) + "\nquorum none\n",  // cosig key as log
      log + "quorum none\nmax-checkpoint-age 60\n",                      // age with no witnesses
      ok_witness + "quorum A\nmax-checkpoint-age 0\n",                   // zero age
      ok_witness + "quorum A\nmax-checkpoint-age 60\nmax-checkpoint-age 60\n",
      log + "vendor " + LogKey() + "\nquorum none\n",         // vendor without product
      log + "vendor " + LogKey() + " p p\nquorum none\n",     // product twice
      log + "quorum none\r\n",                                // CR is a control character
      log + "log\nquorum none\n",                             // missing key
      log + "log " + LogKey() + " url extra\nquorum none\n",  // too many fields
  };
  for (const std::string& text : cases) {
    auto policy = ParseTrustPolicy(text);
    CHECK_MESSAGE(!policy.ok(), text);
    if (!policy.ok()) CHECK(policy.status().code() == Code::kMalformed);
  }
}

TEST_CASE("Policy accepts at least 32 witnesses and groups") {
  std::string text;
  std::string members;
  for (int i = 0; i < 40; i++) {
    text += W("w" + std::to_string(i), static_cast<uint8_t>(i + 1));
    text += "group g" + std::to_string(i) + " any w" + std::to_string(i) + "\n";
    members += " g" + std::to_string(i);
  }
  text += "group top 40" + members + "\nquorum top\n";
  auto policy = ParseTrustPolicy(text);
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  std::map<std::string, uint64_t> all;
  for (int i = 0; i < 40; i++) all["w" + std::to_string(i)] = 1;
  CHECK(EvaluateQuorum(*policy, all).satisfied);
  all.erase("w7");
  CHECK(!EvaluateQuorum(*policy, all).satisfied);
}

// The quorum semantics as first written (top-down recursion, exponential in
// chained groups), kept as the reference the bottom-up evaluation must equal.
QuorumResult ReferenceEvaluateQuorum(const TrustPolicy& policy,
                                     const std::map<std::string, uint64_t>& cosigned_by) {
  QuorumResult result;
  for (const PolicyWitness& w : policy.witnesses)
    if (cosigned_by.contains(w.name)) result.cosigners++;
  if (policy.quorum == "none") {
    result.satisfied = true;
    return result;
  }
  std::function<bool(std::string_view, uint64_t)> witnessed = [&](std::string_view name,
                                                                  uint64_t not_before) -> bool {
    auto it = cosigned_by.find(std::string(name));
    for (const PolicyWitness& w : policy.witnesses)
      if (w.name == name) return it != cosigned_by.end() && it->second >= not_before;
    for (const PolicyGroup& g : policy.groups) {
      if (g.name != name) continue;
      size_t met = 0;
      for (const std::string& m : g.members)
        if (witnessed(m, not_before)) met++;
      return met >= g.threshold;
    }
    return false;
  };
  const PolicyGroup* quorum_group = nullptr;
  for (const PolicyGroup& g : policy.groups)
    if (g.name == policy.quorum) quorum_group = &g;
  if (quorum_group != nullptr) {
    result.required = quorum_group->threshold;
    for (const std::string& m : quorum_group->members)
      if (witnessed(m, 0)) result.met++;
  } else {
    result.required = 1;
    result.met = witnessed(policy.quorum, 0) ? 1 : 0;
  }
  result.satisfied = witnessed(policy.quorum, 0);
  if (!result.satisfied) return result;
  std::set<uint64_t, std::greater<>> times;
  for (const auto& [name, ts] : cosigned_by) times.insert(ts);
  for (uint64_t t : times) {
    if (witnessed(policy.quorum, t)) {
      result.quorum_time = t;
      break;
    }
  }
  return result;
}

// Witnesses A..F (fills 1..6) followed by `rest`.
std::string SixWitnesses(const std::string& rest) {
  std::string text = "log " + LogKey() + "\n";
  for (char c = 'A'; c <= 'F'; c++) text += W(std::string(1, c), static_cast<uint8_t>(c - 'A' + 1));
  return text + rest;
}

struct PolicyCase {
  const char* rest;      // group and quorum lines over witnesses A..F
  size_t min_colluders;  // expected QuorumSplitViewBound
  bool exact;
};

const PolicyCase kPolicyCases[] = {
    {"quorum none\n", 0, true},
    {"quorum A\n", 1, true},
    {"group g any A B C\nquorum g\n", 0, true},
    {"group g any A\nquorum g\n", 1, true},
    {"group g 1 A B\nquorum g\n", 0, true},
    {"group g 2 A B C\nquorum g\n", 1, true},
    {"group g all A B\nquorum g\n", 2, true},
    {"group g 3 A B C D\nquorum g\n", 2, true},
    {"group g 3 A B C D E\nquorum g\n", 1, true},
    {"group g 4 A B C D E\nquorum g\n", 3, true},
    {"group g 5 A B C D E F\nquorum g\n", 4, true},
    {"group g all A B C D E F\nquorum g\n", 6, true},
    // The tlog-policy example: 2-of-3 X, any-of-3 Y, both: 1 + 0.
    {"group x 2 A B C\ngroup y any D E F\ngroup q all x y\nquorum q\n", 1, true},
    {"group x all A B C\ngroup y all D E\ngroup q all x y\nquorum q\n", 5, true},
    {"group x all A B\ngroup y all C D\ngroup z all E F\ngroup q 2 x y z\nquorum q\n", 2, true},
    {"group x 2 A B C\ngroup y 2 D E F\ngroup q 2 x y F\nquorum q\n", 1, false},
    {"group x 2 A B C\ngroup y 2 D E F\ngroup q all x y\nquorum q\n", 2, true},
    {"group x 2 A B\ngroup q any x C\nquorum q\n", 0, true},
    // Shared witnesses: lower bounds.
    {"group x 2 A B C\ngroup y 2 A B C\ngroup q all x y\nquorum q\n", 1, false},
    {"group x all A B\ngroup y all B C\ngroup q all x y\nquorum q\n", 2, false},
    {"group x all A B\ngroup y all B C\ngroup q any x y\nquorum q\n", 0, false},
    // Chained: each level names the previous two.
    {"group a any A B\ngroup b all C D\ngroup c 2 a b\ngroup d 2 a b c\ngroup q all c d\n"
     "quorum q\n",
     2, false},
};

// min |S ∩ T| over pairs of witness sets that satisfy the quorum, by brute
// force over A..F; SIZE_MAX if nothing satisfies it.
size_t BruteForceMinColluders(const TrustPolicy& policy) {
  std::vector<unsigned> satisfying;
  for (unsigned mask = 0; mask < 64; mask++) {
    std::map<std::string, uint64_t> cosigned;
    for (int i = 0; i < 6; i++)
      if (mask & (1u << i)) cosigned[std::string(1, static_cast<char>('A' + i))] = 1;
    if (EvaluateQuorum(policy, cosigned).satisfied) satisfying.push_back(mask);
  }
  size_t best = SIZE_MAX;
  for (unsigned a : satisfying)
    for (unsigned b : satisfying)
      best = std::min<size_t>(best, static_cast<size_t>(__builtin_popcount(a & b)));
  return best;
}

TEST_CASE("Bottom-up quorum evaluation equals the reference semantics") {
  for (const PolicyCase& c : kPolicyCases) {
    CAPTURE(std::string(c.rest));
    auto policy = ParseTrustPolicy(SixWitnesses(c.rest));
    REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
    // Every subset of A..F plus an unknown name, with distinct and with
    // colliding timestamps.
    for (unsigned mask = 0; mask < 128; mask++) {
      for (uint64_t spread : {uint64_t{0}, uint64_t{1}, uint64_t{100}}) {
        std::map<std::string, uint64_t> cosigned;
        for (int i = 0; i < 7; i++) {
          if (!(mask & (1u << i))) continue;
          const std::string name = i == 6 ? "unknown" : std::string(1, static_cast<char>('A' + i));
          cosigned[name] = 1000 + spread * static_cast<uint64_t>((i * 5) % 7);
        }
        CAPTURE(mask);
        CAPTURE(spread);
        const QuorumResult got = EvaluateQuorum(*policy, cosigned);
        const QuorumResult want = ReferenceEvaluateQuorum(*policy, cosigned);
        CHECK(got.satisfied == want.satisfied);
        CHECK(got.quorum_time == want.quorum_time);
        CHECK(got.cosigners == want.cosigners);
        CHECK(got.required == want.required);
        CHECK(got.met == want.met);
      }
    }
  }
}

TEST_CASE("Split-view bound: colluding witnesses a quorum stops") {
  for (const PolicyCase& c : kPolicyCases) {
    CAPTURE(std::string(c.rest));
    auto policy = ParseTrustPolicy(SixWitnesses(c.rest));
    REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
    const SplitViewBound b = QuorumSplitViewBound(*policy);
    CHECK(b.min_colluders == c.min_colluders);
    CHECK(b.exact == c.exact);
    // Sound: never more than the true minimum; equal to it when exact.
    const size_t truth = policy->quorum == "none" ? 0 : BruteForceMinColluders(*policy);
    CHECK(b.min_colluders <= truth);
    if (b.exact) CHECK(b.min_colluders == truth);
    // The warning is exactly "one colluding witness (or none) suffices".
    const std::string warning = QuorumSplitViewWarning(*policy);
    CHECK(warning.empty() == (c.min_colluders >= 2));
    if (!warning.empty()) {
      CHECK(warning.starts_with("warning: "));
      CHECK(warning.find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("QuorumMinWitnesses: the fewest witnesses that satisfy the quorum") {
  struct Case {
    const char* rest;  // group and quorum lines over witnesses A..F
    size_t want;
  } cases[] = {
      {"group g 2 A B\nquorum g\n", 2},
      {"group g 1 A B\nquorum g\n", 1},
      {"quorum B\n", 1},
      {"quorum none\n", 0},
      // Nested: an upper bound when members share a witness (B alone would do).
      {"group g 1 A B\ngroup h 2 g B\nquorum h\n", 2},
      {"group x 2 A B C\ngroup y all D E\ngroup q all x y\nquorum q\n", 4},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.rest));
    auto policy = ParseTrustPolicy(SixWitnesses(c.rest));
    REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
    CHECK(QuorumMinWitnesses(*policy) == c.want);
  }
}

TEST_CASE("Split-view bound of k-of-n is max(0, 2k - n)") {
  for (size_t n = 1; n <= 6; n++) {
    for (size_t k = 1; k <= n; k++) {
      std::string rest = "group g " + std::to_string(k);
      for (size_t i = 0; i < n; i++) rest += std::string(" ") + static_cast<char>('A' + i);
      auto policy = ParseTrustPolicy(SixWitnesses(rest + "\nquorum g\n"));
      REQUIRE(policy.ok());
      CAPTURE(n);
      CAPTURE(k);
      const SplitViewBound b = QuorumSplitViewBound(*policy);
      CHECK(b.min_colluders == (2 * k > n ? 2 * k - n : 0));
      CHECK(b.exact);
      CHECK(b.min_colluders == BruteForceMinColluders(*policy));
    }
  }
}

TEST_CASE("Chained groups at the maximum policy size evaluate in one linear pass") {
  // 256 witnesses, then 256 groups in 128 levels: a<i> and b<i> each name
  // both groups of the level before (so a top-down evaluation visits 2^128
  // paths) plus every witness, padded with comments to just under 1 MiB.
  std::string text = "log " + LogKey() + "\n";
  std::string all_witnesses;
  for (int i = 0; i < 256; i++) {
    text += W("w" + std::to_string(i), static_cast<uint8_t>(i));
    all_witnesses += " w" + std::to_string(i);
  }
  size_t edges = 0;
  for (int level = 0; level < 128; level++) {
    for (const char* side : {"a", "b"}) {
      std::string line = std::string("group ") + side + std::to_string(level) + " ";
      std::string members = all_witnesses;
      size_t count = 256;
      if (level > 0) {
        members += " a" + std::to_string(level - 1) + " b" + std::to_string(level - 1);
        count += 2;
      }
      // a: all members; b: 255 of them, so one missing witness still passes b.
      line += (side[0] == 'a' ? std::string("all") : std::to_string(count - 1)) + members + "\n";
      text += line;
      edges += count;
    }
  }
  text += "quorum a127\n";
  while (text.size() + 80 < (size_t{1} << 20)) text += "# " + std::string(76, 'p') + "\n";
  REQUIRE(text.size() <= (size_t{1} << 20));
  auto policy = ParseTrustPolicy(text);
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  REQUIRE(policy->groups.size() == 256);

  std::map<std::string, uint64_t> everyone;
  for (int i = 0; i < 256; i++) everyone["w" + std::to_string(i)] = 1000 + static_cast<uint64_t>(i);
  const size_t linear = 256 + 256 + edges;
  QuorumResult q = EvaluateQuorum(*policy, everyone);
  CHECK(q.satisfied);
  REQUIRE(q.quorum_time.has_value());
  CHECK(*q.quorum_time == 1000);  // `all` needs the oldest cosignature too
  CHECK(q.evaluations <= linear);
  everyone.erase("w0");
  q = EvaluateQuorum(*policy, everyone);
  CHECK(!q.satisfied);
  CHECK(q.evaluations <= linear);

  const SplitViewBound b = QuorumSplitViewBound(*policy);
  CHECK(b.evaluations <= linear);
  CHECK(b.min_colluders >= 2);
}

}  // namespace
}  // namespace candor
