// Checkpoint trust under a policy (candor/checkpoint_trust.h): quorum with
// far-future cosignatures ignored, and max-checkpoint-age against the quorum
// time, at the edges.
#include "candor/checkpoint_trust.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "candor/cosignature.h"
#include "note_test_util.h"

namespace candor {
namespace {

using testutil::TestKey;

constexpr uint64_t kNow = 1790000000;
constexpr uint64_t kMaxAge = 3600;

struct Fixture {
  TestKey log = TestKey::Make("log.example", 1);
  TestKey w1 = TestKey::Make("w1.example", 2, kKeyTypeCosignatureV1);
  TestKey w2 = TestKey::Make("w2.example", 3, kKeyTypeCosignatureV1);
  std::string body = "log.example\n5\n" + Base64Encode(Hash{}) + "\n";

  TrustPolicy Policy(const std::string& quorum_lines, bool max_age = true) const {
    std::string text = "log " + FormatVerifierKey(log.vkey) + "\nwitness w1 " +
                       FormatVerifierKey(w1.vkey) + "\nwitness w2 " + FormatVerifierKey(w2.vkey) +
                       "\n" + quorum_lines;
    if (max_age) text += "max-checkpoint-age " + std::to_string(kMaxAge) + "\n";
    auto p = ParseTrustPolicy(text);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    return *p;
  }
  std::string Note(std::optional<uint64_t> t1, std::optional<uint64_t> t2) const {
    std::string note = body + "\n" + log.SigLine(body);
    if (t1) note += FormatSignatureLine(w1.Cosig(body, *t1));
    if (t2) note += FormatSignatureLine(w2.Cosig(body, *t2));
    return note;
  }
};

TEST_CASE("VerifyTrustedCheckpoint: quorum time, maximum age and future skew") {
  const uint64_t skew = kMaxClockSkewSeconds;
  struct Case {
    const char* name;
    const char* quorum;
    std::optional<uint64_t> t1, t2;
    uint64_t now;
    Code want;
    std::optional<uint64_t> quorum_time;
    bool max_age = true;  // the policy sets max-checkpoint-age
  };
  const Case cases[] = {
      {"fresh", "quorum w1\n", kNow - 10, std::nullopt, kNow, Code::kOk, kNow - 10},
      {"exactly the maximum age", "quorum w1\n", kNow - kMaxAge, std::nullopt, kNow, Code::kOk,
       kNow - kMaxAge},
      {"one second too old", "quorum w1\n", kNow - kMaxAge - 1, std::nullopt, kNow,
       Code::kPolicyUnsatisfied, std::nullopt},
      {"at the skew limit ahead", "quorum w1\n", kNow + skew, std::nullopt, kNow, Code::kOk,
       kNow + skew},
      {"beyond the skew: ignored, quorum missing", "quorum w1\n", kNow + skew + 1, std::nullopt,
       kNow, Code::kPolicyUnsatisfied, std::nullopt},
      {"the maximum timestamp", "quorum w1\n", kMaxCosignatureTimestamp, std::nullopt, kNow,
       Code::kPolicyUnsatisfied, std::nullopt},
      {"a clock far behind sees honest cosignatures as future", "quorum w1\n", kNow, std::nullopt,
       0, Code::kPolicyUnsatisfied, std::nullopt},
      {"a clock near 2^64 does not wrap the skew", "quorum w1\n", kNow, std::nullopt, UINT64_MAX,
       Code::kPolicyUnsatisfied, std::nullopt},
      {"any: a far-future one does not make an old one fresh", "group g any w1 w2\nquorum g\n",
       kNow - 2 * kMaxAge, kNow + 86400, kNow, Code::kPolicyUnsatisfied, std::nullopt},
      {"any: the freshest counts", "group g any w1 w2\nquorum g\n", kNow - 2 * kMaxAge, kNow - 5,
       kNow, Code::kOk, kNow - 5},
      {"all: the oldest counts", "group g all w1 w2\nquorum g\n", kNow - 5, kNow - 2 * kMaxAge,
       kNow, Code::kPolicyUnsatisfied, std::nullopt},
      // Without max-checkpoint-age times are not used (as on devices): a
      // verifier without a clock still works.
      {"no maximum age: any time counts", "quorum w1\n", kNow + 86400, std::nullopt, 0, Code::kOk,
       kNow + 86400, false},
  };
  Fixture fx;
  for (const Case& c : cases) {
    CAPTURE(c.name);
    TrustPolicy policy = fx.Policy(c.quorum, c.max_age);
    auto got = VerifyTrustedCheckpoint(fx.Note(c.t1, c.t2), fx.log.vkey, policy, c.now);
    CHECK_MESSAGE(got.status().code() == c.want, got.status().ToString());
    if (got.ok()) {
      CHECK(got->quorum.quorum_time == c.quorum_time);
      CHECK(got->signed_checkpoint.checkpoint.size == 5);
    }
  }
}

TEST_CASE("CheckClockNotBehind: a clock behind an accepted quorum time fails closed") {
  const uint64_t skew = kMaxClockSkewSeconds;
  CHECK(CheckClockNotBehind(kNow, kNow).ok());
  CHECK(CheckClockNotBehind(kNow, kNow + 86400).ok());
  CHECK(CheckClockNotBehind(kNow, kNow - skew).ok());
  CHECK(CheckClockNotBehind(kNow, kNow - skew - 1).code() == Code::kPolicyUnsatisfied);
  CHECK(CheckClockNotBehind(kNow, 0).code() == Code::kPolicyUnsatisfied);
}

TEST_CASE("VerifyCheckpointQuorum leaves the age to CheckCheckpointAge") {
  Fixture fx;
  TrustPolicy policy = fx.Policy("quorum w1\n");
  auto q = VerifyCheckpointQuorum(fx.Note(kNow - 10 * kMaxAge, std::nullopt), fx.log.vkey, policy,
                                  kNow);
  REQUIRE(q.ok());
  CHECK(q->cosigned_by == std::vector<std::string>{"w1"});
  Status age = CheckCheckpointAge(policy, q->quorum, kNow);
  CHECK(age.code() == Code::kPolicyUnsatisfied);
  CHECK(age.message().find("checkpoint too old") != std::string::npos);
  // Without max-checkpoint-age any age passes.
  CHECK(CheckCheckpointAge(fx.Policy("quorum w1\n", false), q->quorum, kNow).ok());
  // A future-dated cosignature is counted as ignored and named in the error.
  auto f = VerifyCheckpointQuorum(fx.Note(kNow + 86400, std::nullopt), fx.log.vkey, policy, kNow);
  CHECK(f.status().code() == Code::kPolicyUnsatisfied);
  CHECK(f.status().message().find("1 cosignature(s) dated more than") != std::string::npos);
  // The log signature is still required.
  TestKey other = TestKey::Make("log.example", 9);
  CHECK(VerifyCheckpointQuorum(fx.Note(kNow, std::nullopt), other.vkey, policy, kNow)
            .status()
            .code() == Code::kUntrustedKey);
}

}  // namespace
}  // namespace candor
