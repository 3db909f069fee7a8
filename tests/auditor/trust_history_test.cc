// Trust history (auditor/src/trust_history.cc): the rotation chain of a
// domain, the changes and flags between two versions, far expiry, and the
// timeline built from index rows. Pure functions: no log, no I/O.
#include "candor/audit/trust_history.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "audit_test_util.h"
#include "candor/date.h"

namespace candor {
namespace {

using namespace audittest;

// The policy of the trust root test vector v1 (docs/FORMATS.md "Trust root").
const std::string kLog1 =
    "log.candor.example/firmware+847dd1af+AUgHWll+choVbi4Hmd5cwMUyTcbn6vHN1GJQho7FMhXd";
const std::string kKey2 =
    "acme.example/firmware-2026+a2dacb56+AcBQxWN6RPqGKf/zzMziMAyzYqY9mdlfxUFFJm9DMkRa";
const std::string kVendor1 =
    "acme.example/firmware+c0cf6168+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";
const std::string kWitness1 =
    "witness witness1 witness1.example+cead2b10+BNuZX+JRadFByrm7upK6oB+fLh7OffTLKsBRkPN/zB+d "
    "https://witness1.example\n";
const std::string kWitness2 =
    "witness witness2 witness2.example+398a9d29+BCFS+NGbeR0kRTJC4V8uq2y3z/p7al7TAJeWDgaYgdsS "
    "https://witness2.example\n";

struct PolicyParts {
  std::string log = "log " + kLog1 + " https://log.candor.example/firmware\n";
  std::string witnesses = kWitness1 + kWitness2;
  std::string group = "group witnesses 2 witness1 witness2\n";
  std::string quorum = "quorum witnesses\n";
  std::string vendor = "vendor " + kVendor1 + " printer-x1 printer-x2\n";
  std::string age = "max-checkpoint-age 604800\n";
  std::string Text() const { return log + witnesses + group + quorum + vendor + age; }
};

const SignerKey& RootA() {
  static const SignerKey k = TestKey("root-a.acme.example", 21);
  return k;
}
const SignerKey& RootB() {
  static const SignerKey k = TestKey("root-b.acme.example", 22);
  return k;
}
const SignerKey& RootC() {
  static const SignerKey k = TestKey("root-c.acme.example", 23);
  return k;
}

RootSpec BaseSpec() {
  RootSpec s;
  s.threshold = 2;
  s.keys = {&RootA(), &RootB()};
  s.signers = {&RootA(), &RootB()};
  s.policy = PolicyParts().Text();
  return s;
}

std::vector<std::string> Kinds(const std::vector<audit::TrustChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.kind + (c.flag ? "!" : ""));
  return out;
}

TEST_CASE("trust history: every change and flag between two versions") {
  struct Case {
    const char* name;
    void (*edit)(RootSpec&, PolicyParts&);
    std::vector<std::string> kinds;  // "!" marks a flag
  };
  const Case cases[] = {
      {"nothing changed", [](RootSpec&, PolicyParts&) {}, {}},
      {"vendor key added",
       [](RootSpec&, PolicyParts& p) { p.vendor += "vendor " + kKey2 + " printer-x3\n"; },
       {"vendor-key-added!"}},
      {"vendor key replaced",
       [](RootSpec&, PolicyParts& p) { p.vendor = "vendor " + kKey2 + " printer-x1 printer-x2\n"; },
       {"vendor-key-added!", "vendor-key-removed!"}},
      {"products added to a key",
       [](RootSpec&, PolicyParts& p) {
         p.vendor = "vendor " + kVendor1 + " printer-x1 printer-x2 printer-x3\n";
       },
       {"vendor-products-added!"}},
      {"products removed from a key",
       [](RootSpec&, PolicyParts& p) { p.vendor = "vendor " + kVendor1 + " printer-x1\n"; },
       {"vendor-products-removed!"}},
      {"log url changed",
       [](RootSpec&, PolicyParts& p) { p.log = "log " + kLog1 + " https://elsewhere.example\n"; },
       {"log-changed!"}},
      {"log added",
       [](RootSpec&, PolicyParts& p) { p.log += "log " + kKey2 + "\n"; },
       {"log-changed!"}},
      {"log replaced",
       [](RootSpec&, PolicyParts& p) { p.log = "log " + kKey2 + "\n"; },
       {"log-changed!", "log-changed!"}},
      {"group threshold lowered",
       [](RootSpec&, PolicyParts& p) { p.group = "group witnesses 1 witness1 witness2\n"; },
       {"witnesses-changed", "witness-quorum-weakened!"}},
      {"quorum of one witness",
       [](RootSpec&, PolicyParts& p) {
         p.group = "";
         p.quorum = "quorum witness1\n";
       },
       {"witnesses-changed", "witnesses-changed", "witness-quorum-weakened!"}},
      {"fewer witnesses",
       [](RootSpec&, PolicyParts& p) {
         p.witnesses = kWitness1;
         p.group = "group witnesses 1 witness1\n";
       },
       {"witnesses-changed", "witnesses-changed", "witness-quorum-weakened!"}},
      {"witness url changed, quorum as strong",
       [](RootSpec&, PolicyParts& p) {
         p.witnesses = kWitness1 + kWitness2.substr(0, kWitness2.size() - 1) + "/v2\n";
       },
       {"witnesses-changed"}},
      {"checkpoint age raised",
       [](RootSpec&, PolicyParts& p) { p.age = "max-checkpoint-age 1209600\n"; },
       {"checkpoint-age-relaxed!"}},
      {"checkpoint age removed",
       [](RootSpec&, PolicyParts& p) { p.age = ""; },
       {"checkpoint-age-relaxed!"}},
      {"checkpoint age lowered",
       [](RootSpec&, PolicyParts& p) { p.age = "max-checkpoint-age 3600\n"; },
       {"checkpoint-age-tightened"}},
      {"root threshold lowered",
       [](RootSpec& s, PolicyParts&) { s.threshold = 1; },
       {"root-threshold-lowered!"}},
      {"root threshold raised",
       [](RootSpec& s, PolicyParts&) {
         s.keys = {&RootA(), &RootB(), &RootC()};
         s.threshold = 3;
       },
       {"root-keys-changed!", "root-threshold-raised"}},
      {"root key rotated",
       [](RootSpec& s, PolicyParts&) {
         s.keys = {&RootB(), &RootC()};
       },
       {"root-keys-changed!", "root-keys-changed!"}},
      {"expiry moved",
       [](RootSpec& s, PolicyParts&) { s.expires = "2027-06-01T00:00:00Z"; },
       {"expires-changed"}},
  };
  const TrustRoot prev = MakeTrustRootValue(BaseSpec());
  for (const Case& c : cases) {
    CAPTURE(c.name);
    RootSpec s = BaseSpec();
    PolicyParts p;
    c.edit(s, p);
    s.policy = p.Text();
    s.version = 2;
    const auto changes = audit::DiffTrustRoots(prev, MakeTrustRootValue(s));
    CHECK(Kinds(changes) == c.kinds);
    for (const auto& ch : changes) CHECK(!ch.detail.empty());
  }
}

TEST_CASE("trust history: the change details name what changed") {
  const TrustRoot prev = MakeTrustRootValue(BaseSpec());
  RootSpec s = BaseSpec();
  PolicyParts p;
  p.vendor = "vendor " + kKey2 + " printer-x1 printer-x2\n";
  p.group = "group witnesses 1 witness1 witness2\n";
  s.policy = p.Text();
  const auto changes = audit::DiffTrustRoots(prev, MakeTrustRootValue(s));
  REQUIRE(changes.size() == 4);
  CHECK(changes[0].detail ==
        "group witnesses 2 witness1 witness2 -> witnesses 1 witness1 witness2");
  CHECK(changes[1].detail ==
        "quorum met by 1 witness(es) (was 2); a split view needs 0 colluding witness(es) (was 2)");
  CHECK(changes[2].detail == "vendor key added: " + kKey2 + " for printer-x1 printer-x2");
  CHECK(changes[3].detail ==
        "vendor key removed: " + kVendor1 + " (was for printer-x1 printer-x2)");
}

TEST_CASE("trust history: expiry-pushed-far is more than two years after logging") {
  struct Case {
    const char* expires;
    bool flag;
  };
  const int64_t logged = ParseUtcTime("2026-01-01T00:00:00Z").value();
  const Case cases[] = {
      {"2027-01-01T00:00:00Z", false}, {"2027-12-31T23:59:59Z", false},
      {"2028-01-01T00:00:00Z", false},  // exactly 730 days
      {"2028-01-01T00:00:01Z", true},  {"2036-01-01T00:00:00Z", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.expires);
    RootSpec s = BaseSpec();
    s.expires = c.expires;
    auto f = audit::ExpiryFlag(MakeTrustRootValue(s), logged);
    CHECK(f.has_value() == c.flag);
    if (f) CHECK(f->kind == "expiry-pushed-far");
  }
}

TEST_CASE("trust history: CheckRootChain against the chain's head") {
  const TrustRoot v1 = MakeTrustRootValue(BaseSpec());
  auto signed_root = [](uint64_t version, std::vector<const SignerKey*> signers) {
    RootSpec s = BaseSpec();
    s.version = version;
    s.signers = std::move(signers);
    return ParseSignedTrustRoot(MakeTrustRoot(s)).value();
  };
  struct Case {
    const char* name;
    bool head;
    uint64_t version;
    std::vector<const SignerKey*> signers;
    std::string flag;  // "" when it follows
  };
  const Case cases[] = {
      {"version 1 self-signed", false, 1, {&RootA(), &RootB()}, ""},
      {"version 1 short of its threshold", false, 1, {&RootA()}, "root-threshold-unmet"},
      {"version 2 without version 1", false, 2, {&RootA(), &RootB()}, "root-version-gap"},
      {"version 2 after 1", true, 2, {&RootA(), &RootB()}, ""},
      {"version 2 short of the threshold", true, 2, {&RootB()}, "root-threshold-unmet"},
      {"version 1 twice", true, 1, {&RootA(), &RootB()}, "root-version-duplicate"},
      {"version 3 after 1", true, 3, {&RootA(), &RootB()}, "root-version-gap"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const audit::ChainCheck r =
        audit::CheckRootChain(c.head ? &v1 : nullptr, signed_root(c.version, c.signers));
    CHECK(r.follows == c.flag.empty());
    CHECK(r.flag == c.flag);
    CHECK(r.message.empty() == c.flag.empty());
  }
}

audit::TrustRootRow Row(uint64_t index, const RootSpec& s, bool follows, std::string flag = "") {
  audit::TrustRootRow r;
  r.log_index = index;
  r.domain = s.domain;
  r.version = s.version;
  r.note = MakeTrustRoot(s);
  r.logged = ParseUtcTime("2026-01-01T00:00:00Z").value();
  r.follows = follows;
  r.chain_flag = flag;
  r.chain_error = flag.empty() ? "" : "why";
  return r;
}

TEST_CASE("trust history: timelines per domain; a root that does not follow is no head") {
  RootSpec v1 = BaseSpec();
  RootSpec v2 = BaseSpec();
  v2.version = 2;
  PolicyParts p;
  p.age = "";
  v2.policy = p.Text();
  RootSpec other = BaseSpec();
  other.domain = "globex.example/thermostats";
  other.expires = "2030-01-01T00:00:00Z";
  const std::vector<audit::TrustRootRow> rows = {Row(3, v1, true), Row(5, other, true),
                                                 Row(8, v2, false, "root-threshold-unmet"),
                                                 Row(9, v2, true)};
  auto h = audit::BuildTrustHistory(rows);
  REQUIRE(h.ok());
  REQUIRE(h->size() == 2);
  const audit::TrustDomainHistory& acme = (*h)[0];
  CHECK(acme.domain == "acme.example/printers");
  REQUIRE(acme.versions.size() == 3);
  CHECK(Kinds(acme.versions[0].changes) == std::vector<std::string>{"first-trust-root!"});
  CHECK(!acme.versions[0].previous_version);
  CHECK(Kinds(acme.versions[1].changes) ==
        std::vector<std::string>{"root-threshold-unmet!", "checkpoint-age-relaxed!"});
  // Compared with version 1, the head, not with the root that did not follow.
  CHECK(acme.versions[2].previous_log_index == 3u);
  CHECK(acme.versions[2].previous_version == 1u);
  CHECK(Kinds(acme.versions[2].changes) == std::vector<std::string>{"checkpoint-age-relaxed!"});
  CHECK(Kinds((*h)[1].versions[0].changes) ==
        std::vector<std::string>{"first-trust-root!", "expiry-pushed-far!"});

  const std::vector<audit::Flag> flags = audit::TrustFlags(*h);
  std::vector<std::string> got;
  for (const auto& f : flags) got.push_back(std::to_string(f.log_index) + " " + f.kind);
  CHECK(got == std::vector<std::string>{"3 first-trust-root", "5 first-trust-root",
                                        "5 expiry-pushed-far", "8 root-threshold-unmet",
                                        "8 checkpoint-age-relaxed", "9 checkpoint-age-relaxed"});
  CHECK(flags[0].domain == "acme.example/printers");
  CHECK(flags[0].version == "1");
  CHECK(flags[0].vendor.empty());

  // A row whose note does not parse is an index fault.
  std::vector<audit::TrustRootRow> bad = rows;
  bad[1].note = "garbage";
  CHECK(audit::BuildTrustHistory(bad).status().code() == Code::kMalformed);
}

}  // namespace
}  // namespace candor
