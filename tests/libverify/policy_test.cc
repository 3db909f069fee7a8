#include "candor/policy.h"

#include <doctest/doctest.h>

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
      "",                                                    // no quorum
      log,                                                   // no quorum
      log + "quorum none\nquorum none\n",                    // two quorums
      log + "quorum A\n",                                    // undefined name
      log + "quorum none\nfrobnicate 1\n",                   // unknown keyword
      log + log + "quorum none\n",                           // duplicate log key
      ok_witness + ok_witness + "quorum A\n",                // duplicate witness
      ok_witness + W("B", 1) + "quorum A\n",                 // same key, other name
      ok_witness + "group A any A\nquorum A\n",              // name reuse
      ok_witness + "group g 2 A\nquorum g\n",                // k > n
      ok_witness + "group g 0 A\nquorum g\n",                // k = 0
      ok_witness + "group g 01 A\nquorum g\n",               // non-canonical k
      ok_witness + "group g any A A\nquorum g\n",            // member twice
      ok_witness + "group g any B\nquorum g\n",              // undefined member
      ok_witness + "group g any\nquorum g\n",                // no members
      "quorum g\n" + ok_witness + "group g any A\n",         // quorum before definition
      W("none", 1) + "quorum none\n",                        // reserved name
      "witness A " + LogKey() + "\nquorum A\n",              // Ed25519 key as witness
      "log " + Vkey("l", kKeyTypeCosignatureV1, 1) + "\nquorum none\n",  // cosig key as log
      log + "quorum none\nmax-checkpoint-age 60\n",          // age with no witnesses
      ok_witness + "quorum A\nmax-checkpoint-age 0\n",       // zero age
      ok_witness + "quorum A\nmax-checkpoint-age 60\nmax-checkpoint-age 60\n",
      log + "vendor " + LogKey() + "\nquorum none\n",        // vendor without product
      log + "vendor " + LogKey() + " p p\nquorum none\n",    // product twice
      log + "quorum none\r\n",                               // CR is a control character
      log + "log\nquorum none\n",                            // missing key
      log + "log " + LogKey() + " url extra\nquorum none\n", // too many fields
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

}  // namespace
}  // namespace candor
