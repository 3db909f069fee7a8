// Trust roots (candor/trust_root.h): the strict canonical parse, the rotation
// rule, expiry, and the log proof of a new root under the current root's
// policy. Every attack of docs/TRUST.md "Attacks" is a row that names its
// refusal. Signed with the libsodium test signer (note_test_util.h).
#include "candor/trust_root.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/date.h"
#include "candor/merkle.h"
#include "candor/verify.h"
#include "libverify/note_test_util.h"
#include "libverify/release_test_util.h"

namespace candor {
namespace {

using testutil::TestKey;

constexpr uint64_t kNow = 1790000000;  // 2026-09-21
constexpr const char* kLog = "log.example/firmware";
constexpr const char* kDomain = "acme.example/printers";

struct Fixture {
  TestKey r1 = TestKey::Make("root1.acme.example", 11);
  TestKey r2 = TestKey::Make("root2.acme.example", 12);
  TestKey r3 = TestKey::Make("root3.acme.example", 13);
  TestKey outsider = TestKey::Make("root9.evil.example", 19);
  TestKey vendor = TestKey::Make("acme.example/firmware", 1);
  TestKey log = TestKey::Make(kLog, 2);
  TestKey other_log = TestKey::Make(kLog, 9);  // same origin, another key
  TestKey w1 = TestKey::Make("w1.example", 3, kKeyTypeCosignatureV1);
  TestKey w2 = TestKey::Make("w2.example", 4, kKeyTypeCosignatureV1);
  TestKey w3 = TestKey::Make("w3.example", 5, kKeyTypeCosignatureV1);
  TrustPolicy policy;
  TrustRoot v1;  // root keys r1, r2, threshold 2

  Fixture() {
    auto p = ParseTrustPolicy(
        "log " + FormatVerifierKey(log.vkey) + "\nwitness w1 " + FormatVerifierKey(w1.vkey) +
        "\nwitness w2 " + FormatVerifierKey(w2.vkey) + "\nwitness w3 " +
        FormatVerifierKey(w3.vkey) + "\ngroup g 2 w1 w2 w3\nquorum g\nvendor " +
        FormatVerifierKey(vendor.vkey) + " p1\nmax-checkpoint-age 86400\n");
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    policy = *p;
    v1 = Root(1, {&r1, &r2}, 2);
  }

  TrustRoot Root(uint64_t version, std::vector<const TestKey*> keys, size_t threshold,
                 std::string domain = kDomain, int64_t expires = kNow + 86400 * 365) const {
    TrustRoot r;
    r.domain = std::move(domain);
    r.version = version;
    r.expires_unix = expires;
    r.root_threshold = threshold;
    for (const TestKey* k : keys) r.root_keys.push_back(k->vkey);
    r.policy = policy;
    r.policy_text = FormatTrustPolicy(policy);
    return r;
  }
  static std::string Sign(const std::string& text, std::vector<const TestKey*> signers) {
    std::string note = text + "\n";
    for (const TestKey* k : signers) note += k->SigLine(text);
    return note;
  }
  std::string Signed(const TrustRoot& r, std::vector<const TestKey*> signers) const {
    return Sign(FormatTrustRootText(r), std::move(signers));
  }
  SignedTrustRoot Parsed(const std::string& note) const {
    auto s = ParseSignedTrustRoot(note);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return *s;
  }

  // A log of `entries` followed by fillers up to 8 leaves; the bundle of
  // entry `index` at tree size `n`, signed by `log_key`, cosigned by w1 and
  // w2 at `time` (no cosignatures when `cosign` is false).
  struct Log {
    std::vector<Bytes> entries;
    std::vector<Hash> leaves;
    Hash Root(uint64_t n) const {
      return RootFromLeafHashes(std::span<const Hash>(leaves).first(n));
    }
    Result<std::vector<Hash>> Nodes(std::span<const NodeId> ids) const {
      std::vector<Hash> out;
      for (const NodeId& id : ids) {
        out.push_back(RootFromLeafHashes(
            std::span<const Hash>(leaves).subspan(id.index << id.level, uint64_t{1} << id.level)));
      }
      return out;
    }
  };
  static Log MakeLog(std::vector<std::string> entries) {
    Log l;
    for (const std::string& e : entries) l.entries.push_back(Bytes(e.begin(), e.end()));
    for (size_t i = l.entries.size(); i < 8; ++i) {
      const std::string filler = "filler " + std::to_string(i);
      l.entries.push_back(Bytes(filler.begin(), filler.end()));
    }
    for (const Bytes& e : l.entries) l.leaves.push_back(LeafHash(e));
    return l;
  }
  // VerifyTrustRootUpdate from `current` at kNow.
  static Result<VerifiedTrustRoot> Update(const TrustRoot& current, const std::string& note,
                                          const std::string& bundle,
                                          const std::vector<LastSeenTree>* seen = nullptr,
                                          const ConsistencyProofFile* proofs = nullptr) {
    TrustRootUpdateRequest up;
    up.current = &current;
    up.root_note = note;
    up.bundle = bundle;
    up.now_unix = kNow;
    up.last_seen = seen;
    up.consistency_proofs = proofs;
    return VerifyTrustRootUpdate(up);
  }
  std::string BundleOf(const Log& l, uint64_t index, uint64_t n, const TestKey* log_key,
                       bool cosign = true, uint64_t time = kNow - 60) const {
    const std::string body = FormatCheckpointBody(Checkpoint{kLog, n, l.Root(n), {}});
    std::string note = body + "\n" + log_key->SigLine(body);
    if (cosign) {
      for (const TestKey* w : {&w1, &w2}) note += FormatSignatureLine(w->Cosig(body, time));
    }
    auto proof =
        ProveInclusion(index, n, [&l](std::span<const NodeId> ids) { return l.Nodes(ids); });
    REQUIRE(proof.ok());
    return FormatBundle(Bundle{l.entries[index], index, *proof, note});
  }
};

TEST_CASE("trust root: canonical text round-trips and parses back to the same root") {
  Fixture fx;
  const TrustRoot v2 = fx.Root(2, {&fx.r3, &fx.r2}, 1);
  const std::string text = FormatTrustRootText(v2);
  CHECK(text.starts_with(kTrustRootMagic));
  auto parsed = ParseTrustRootText(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(parsed->domain == kDomain);
  CHECK(parsed->version == 2);
  CHECK(parsed->root_threshold == 1);
  REQUIRE(parsed->root_keys.size() == 2);
  // Sorted by vkey text, whatever order they were given in.
  CHECK(FormatVerifierKey(parsed->root_keys[0]) < FormatVerifierKey(parsed->root_keys[1]));
  CHECK(parsed->policy_text == FormatTrustPolicy(fx.policy));
  CHECK(FormatTrustRootText(*parsed) == text);
}

TEST_CASE("trust root: every deviation from the one spelling is refused") {
  Fixture fx;
  const std::string good = FormatTrustRootText(fx.v1);
  REQUIRE(ParseTrustRootText(good).ok());
  auto replace = [&](std::string from, std::string to) {
    std::string s = good;
    const size_t at = s.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    s.replace(at, from.size(), to);
    return s;
  };
  const std::string k1 = FormatVerifierKey(fx.r1.vkey), k2 = FormatVerifierKey(fx.r2.vkey);
  const std::string lo = std::min(k1, k2), hi = std::max(k1, k2);
  const std::string vendor_key = FormatVerifierKey(fx.vendor.vkey);
  const std::string witness_key = FormatVerifierKey(fx.w1.vkey);
  struct Case {
    std::string name;
    std::string text;
    Code want;
  } cases[] = {
      {"empty", "", Code::kMalformed},
      {"other header", replace("trust-root/v1", "trust-root/v2"), Code::kMalformed},
      {"header only", std::string(kTrustRootMagic), Code::kMalformed},
      {"truncated mid-line", good.substr(0, good.size() / 2), Code::kMalformed},
      {"no final newline", good.substr(0, good.size() - 1), Code::kMalformed},
      {"two spaces", replace("domain ", "domain  "), Code::kMalformed},
      {"tab", replace("domain ", "domain\t"), Code::kMalformed},
      {"domain with space", replace(kDomain, "acme example"), Code::kMalformed},
      {"domain too long", replace(kDomain, std::string(129, 'a')), Code::kMalformed},
      {"fields out of order",
       replace("domain " + std::string(kDomain) + "\nversion 1\n",
               "version 1\ndomain " + std::string(kDomain) + "\n"),
       Code::kMalformed},
      {"version 0", replace("version 1", "version 0"), Code::kMalformed},
      {"version leading zero", replace("version 1", "version 01"), Code::kMalformed},
      {"version sign", replace("version 1", "version +1"), Code::kMalformed},
      {"expires with offset", replace("Z\nroot-threshold", "+00:00\nroot-threshold"),
       Code::kMalformed},
      {"expires date only", replace("expires 2027-09-21T", "expires 2027-09-21 "),
       Code::kMalformed},
      {"threshold 0", replace("root-threshold 2", "root-threshold 0"), Code::kMalformed},
      {"threshold above keys", replace("root-threshold 2", "root-threshold 3"), Code::kMalformed},
      {"threshold above limit", replace("root-threshold 2", "root-threshold 33"), Code::kMalformed},
      {"roots unsorted", replace("root " + lo + "\nroot " + hi, "root " + hi + "\nroot " + lo),
       Code::kMalformed},
      {"root twice", replace("root " + hi + "\n", "root " + lo + "\n"), Code::kMalformed},
      {"no root line", replace("root " + lo + "\nroot " + hi + "\n", ""), Code::kMalformed},
      {"witness key as root", replace("root " + hi, "root " + witness_key), Code::kMalformed},
      {"comment in policy", replace("quorum g\n", "# c\nquorum g\n"), Code::kMalformed},
      {"blank line in policy", replace("quorum g\n", "\nquorum g\n"), Code::kMalformed},
      {"group spelled any/all", replace("group g 2 ", "group g all "), Code::kMalformed},
      {"policy sections reordered",
       replace("quorum g\nvendor " + vendor_key + " p1\n",
               "vendor " + vendor_key + " p1\nquorum g\n"),
       Code::kMalformed},
      {"unknown policy line", good + "foo bar\n", Code::kMalformed},
      {"no quorum", replace("quorum g\n", ""), Code::kMalformed},
      {"oversized", good + std::string(65536, 'x'), Code::kTooLarge},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto r = ParseTrustRootText(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == c.want);
  }
  // The same key twice under two names is the same key.
  TrustRoot twice = fx.v1;
  VerifierKey renamed = fx.r1.vkey;
  renamed.name = "zz.acme.example";
  renamed.key_id = KeyId(renamed.name, renamed.type, renamed.public_key);
  twice.root_keys.push_back(renamed);
  twice.root_threshold = 1;
  auto dup = ParseTrustRootText(FormatTrustRootText(twice));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().message().find("the same root key twice") != std::string::npos);
}

TEST_CASE("trust root: ParseSignedTrustRoot refuses what is not a signed root") {
  Fixture fx;
  const std::string note = fx.Signed(fx.v1, {&fx.r1, &fx.r2});
  CHECK(ParseSignedTrustRoot(note).ok());
  CHECK(IsTrustRootEntry(AsBytes(note)));
  CHECK_FALSE(IsTrustRootEntry(AsBytes("candor.dev/release-entry/v1\n")));
  CHECK(ParseSignedTrustRoot(FormatTrustRootText(fx.v1)).status().code() == Code::kMalformed);
  CHECK(ParseSignedTrustRoot("x" + note).status().code() == Code::kMalformed);
  CHECK(ParseSignedTrustRoot(note + std::string(70000, 'a')).status().code() == Code::kTooLarge);
}

TEST_CASE("trust root: a provisioned root needs its own threshold") {
  Fixture fx;
  CHECK(CheckRootSelfSigned(fx.Parsed(fx.Signed(fx.v1, {&fx.r1, &fx.r2}))).ok());
  auto one = CheckRootSelfSigned(fx.Parsed(fx.Signed(fx.v1, {&fx.r1})));
  CHECK(one.code() == Code::kBadSignature);
  CHECK(one.message().find("(1 of 2)") != std::string::npos);
  CHECK(CheckRootSelfSigned(fx.Parsed(fx.Signed(fx.v1, {&fx.outsider}))).code() ==
        Code::kBadSignature);
}

TEST_CASE("trust root: the rotation rule, one refusal per attack") {
  Fixture fx;
  // v2 rotates r1 out and r3 in: old threshold 2 of {r1, r2}, new 2 of {r2, r3}.
  const TrustRoot v2 = fx.Root(2, {&fx.r2, &fx.r3}, 2);
  const std::string v2_text = FormatTrustRootText(v2);
  std::string tampered = fx.Sign(v2_text, {&fx.r1, &fx.r2, &fx.r3});
  tampered.replace(tampered.rfind(' ') + 2, 1,
                   tampered[tampered.rfind(' ') + 2] == 'A' ? "B" : "A");
  // r2's signature twice under a second name: one key, counted once.
  TestKey alias = fx.r2;
  alias.vkey.name = "alias.acme.example";
  alias.vkey.key_id = KeyId(alias.vkey.name, alias.vkey.type, alias.vkey.public_key);
  // v2' lists r1 under a new name (same public key) beside r2: its holder may
  // sign under either name, and the key counts once for each threshold.
  TestKey r1_renamed = fx.r1;
  r1_renamed.vkey.name = "root1-2027.acme.example";
  r1_renamed.vkey.key_id =
      KeyId(r1_renamed.vkey.name, r1_renamed.vkey.type, r1_renamed.vkey.public_key);
  const std::string renamed_text = FormatTrustRootText(fx.Root(2, {&r1_renamed, &fx.r2}, 2));
  struct Case {
    std::string name;
    std::string note;
    Code want;
    const char* says;
  } cases[] = {
      {"valid", fx.Sign(v2_text, {&fx.r1, &fx.r2, &fx.r3}), Code::kOk, ""},
      {"old threshold missing", fx.Sign(v2_text, {&fx.r2, &fx.r3}), Code::kBadSignature,
       "of version 1"},
      {"new threshold missing", fx.Sign(v2_text, {&fx.r1, &fx.r2}), Code::kBadSignature,
       "of version 2 itself"},
      {"only a non-root key", fx.Sign(v2_text, {&fx.outsider}), Code::kBadSignature, "(0 of 2)"},
      {"same key twice under two names", fx.Sign(v2_text, {&fx.r1, &fx.r3, &alias}),
       Code::kBadSignature, "(1 of 2)"},
      {"a bad signature by a root key", tampered, Code::kBadSignature, ""},
      {"a renamed root key signs under its new name", fx.Sign(renamed_text, {&r1_renamed, &fx.r2}),
       Code::kOk, ""},
      {"a renamed root key signs under its old name", fx.Sign(renamed_text, {&fx.r1, &fx.r2}),
       Code::kOk, ""},
      {"a renamed root key under both names still counts once",
       fx.Sign(renamed_text, {&fx.r1, &r1_renamed}), Code::kBadSignature, "(1 of 2)"},
      {"rollback to the same version", fx.Signed(fx.Root(1, {&fx.r1, &fx.r2}, 2), {&fx.r1, &fx.r2}),
       Code::kRollback, "not newer"},
      {"skipping a version", fx.Signed(fx.Root(3, {&fx.r1, &fx.r2}, 2), {&fx.r1, &fx.r2}),
       Code::kPolicyUnsatisfied, "skips version 2"},
      {"another domain",
       fx.Signed(fx.Root(2, {&fx.r1, &fx.r2}, 2, "acme.example/scanners"), {&fx.r1, &fx.r2}),
       Code::kMismatch, "acme.example/scanners"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Status s = CheckRootSuccessor(fx.v1, fx.Parsed(c.note));
    CHECK(s.code() == c.want);
    CHECK_MESSAGE(s.message().find(c.says) != std::string::npos, s.message());
  }
  // The same signature line twice is not two signatures: the note is refused.
  const std::string doubled = fx.Sign(v2_text, {&fx.r1, &fx.r1, &fx.r2, &fx.r3});
  CHECK(ParseSignedTrustRoot(doubled).status().code() == Code::kMalformed);
}

TEST_CASE("trust root: expiry refuses installs, not the next root") {
  Fixture fx;
  const TrustRoot expired = fx.Root(1, {&fx.r1, &fx.r2}, 2, kDomain, kNow - 1);
  CHECK(CheckRootCurrent(fx.v1, kNow).ok());
  Status s = CheckRootCurrent(expired, kNow);
  CHECK(s.code() == Code::kExpired);
  CHECK(ExitCodeFor(s.code()) == 16);
  CHECK(CheckRootCurrent(fx.Root(1, {&fx.r1}, 1, kDomain, kNow), kNow).code() == Code::kExpired);
  CHECK(CheckRootCurrent(fx.Root(1, {&fx.r1}, 1, kDomain, kNow + 1), kNow).ok());

  // Verify() with an expired root refuses before reading anything.
  VerifyRequest req;
  req.product = "p1";
  req.bundle = "not even a bundle";
  req.trust_root = &expired;
  req.now_unix = kNow;
  bool read = false;
  req.read_image = [&](std::span<uint8_t>) -> Result<size_t> {
    read = true;
    return size_t{0};
  };
  auto v = Verify(req);
  CHECK(v.status().code() == Code::kExpired);
  CHECK_FALSE(read);
  // A clock set back behind a quorum time the device already accepted does
  // not revive a root that expired before it.
  const TrustRoot soon = fx.Root(1, {&fx.r1, &fx.r2}, 2, kDomain, kNow + 100);
  req.trust_root = &soon;
  req.last_seen = {LastSeenTree{kLog, 1, Hash{}, kNow + 200}};
  CHECK(Verify(req).status().code() == Code::kExpired);
  req.last_seen = {LastSeenTree{kLog, 1, Hash{}, kNow + 50}};
  CHECK(Verify(req).status().code() != Code::kExpired);
  req.last_seen.clear();
  req.trust_root = &expired;
  req.policy = &fx.policy;  // both: a usage error
  CHECK(Verify(req).status().code() == Code::kInvalidArgument);

  // The expired root still accepts its successor, logged under its policy.
  const std::string v2 = fx.Signed(fx.Root(2, {&fx.r1, &fx.r2}, 2), {&fx.r1, &fx.r2});
  const Fixture::Log l = Fixture::MakeLog({v2});
  const std::string bundle = fx.BundleOf(l, 0, 5, &fx.log);
  auto ok = Fixture::Update(expired, v2, bundle);
  REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  CHECK(ok->root.root.version == 2);
  CHECK(ok->log_index == 0);
  CHECK(ok->checkpoint.size == 5);
}

TEST_CASE("trust root: a new root counts only with a log proof under the current root") {
  Fixture fx;
  const std::string v2 = fx.Signed(fx.Root(2, {&fx.r1, &fx.r2}, 2), {&fx.r1, &fx.r2});
  const std::string v2b =
      fx.Signed(fx.Root(2, {&fx.r1, &fx.r2}, 1), {&fx.r1, &fx.r2});  // another v2
  const Fixture::Log l = Fixture::MakeLog({v2, v2b});
  const std::string good = fx.BundleOf(l, 0, 5, &fx.log);
  std::string bad_proof = good;
  {
    auto b = ParseBundle(good);
    REQUIRE(b.ok());
    b->inclusion_proof[0][0] ^= 1;
    bad_proof = FormatBundle(*b);
  }
  std::string outside;
  {
    auto b = ParseBundle(fx.BundleOf(l, 4, 5, &fx.log));
    REQUIRE(b.ok());
    b->entry = Bytes(v2.begin(), v2.end());  // a proof of another leaf
    outside = FormatBundle(*b);
  }
  const std::vector<LastSeenTree> seen_bigger{{kLog, 7, l.Root(7), std::nullopt}};
  const std::vector<LastSeenTree> seen_smaller{{kLog, 3, l.Root(3), std::nullopt}};
  struct Case {
    std::string name;
    std::string note;
    std::string bundle;
    const std::vector<LastSeenTree>* seen;
    Code want;
  } cases[] = {
      {"valid", v2, good, nullptr, Code::kOk},
      {"the bundle of a different entry", v2, fx.BundleOf(l, 1, 5, &fx.log), nullptr,
       Code::kMismatch},
      {"not in the log (bad inclusion proof)", v2, bad_proof, nullptr, Code::kNotIncluded},
      {"not in the log (proof of another leaf)", v2, outside, nullptr, Code::kNotIncluded},
      {"in an untrusted log", v2, fx.BundleOf(l, 0, 5, &fx.other_log), nullptr,
       Code::kUntrustedKey},
      {"unwitnessed checkpoint", v2, fx.BundleOf(l, 0, 5, &fx.log, false), nullptr,
       Code::kPolicyUnsatisfied},
      {"stale checkpoint (too old)", v2, fx.BundleOf(l, 0, 5, &fx.log, true, kNow - 90000), nullptr,
       Code::kPolicyUnsatisfied},
      {"stale checkpoint (older than last seen)", v2, good, &seen_bigger, Code::kPolicyUnsatisfied},
      {"larger than last seen without a consistency proof", v2, good, &seen_smaller,
       Code::kConsistencyRequired},
      {"truncated root", v2.substr(0, v2.size() - 3), good, nullptr, Code::kMismatch},
      {"not a bundle", v2, "garbage", nullptr, Code::kMalformed},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto r = Fixture::Update(fx.v1, c.note, c.bundle, c.seen);
    CHECK_MESSAGE(r.status().code() == c.want, r.status().ToString());
  }
  // With the consistency proof the larger checkpoint is accepted.
  ConsistencyProofFile proofs;
  proofs.origin = kLog;
  auto cons = ProveConsistency(3, 5, [&l](std::span<const NodeId> ids) { return l.Nodes(ids); });
  REQUIRE(cons.ok());
  proofs.blocks.push_back(ConsistencyProofBlock{3, 5, *cons});
  CHECK(Fixture::Update(fx.v1, v2, good, &seen_smaller, &proofs).ok());
}

TEST_CASE("trust root: a device given n+3 walks n+1, n+2, n+3 in order") {
  Fixture fx;
  const std::string v2 = fx.Signed(fx.Root(2, {&fx.r1, &fx.r2}, 2), {&fx.r1, &fx.r2});
  const std::string v3 = fx.Signed(fx.Root(3, {&fx.r2, &fx.r3}, 2), {&fx.r1, &fx.r2, &fx.r3});
  const std::string v4 = fx.Signed(fx.Root(4, {&fx.r3}, 1), {&fx.r2, &fx.r3});
  const Fixture::Log l = Fixture::MakeLog({v2, v3, v4});
  // v4 straight onto v1 is refused; in order, each step verifies.
  TrustRoot current = fx.v1;
  for (const auto& [note, index, want] :
       std::vector<std::tuple<std::string, uint64_t, Code>>{{v4, 2, Code::kPolicyUnsatisfied},
                                                            {v2, 0, Code::kOk},
                                                            {v3, 1, Code::kOk},
                                                            {v2, 0, Code::kRollback},
                                                            {v4, 2, Code::kOk}}) {
    auto r = Fixture::Update(current, note, fx.BundleOf(l, index, 5, &fx.log));
    CHECK_MESSAGE(r.status().code() == want, r.status().ToString());
    if (r.ok()) current = r->root.root;
  }
  CHECK(current.version == 4);
  CHECK(current.root_threshold == 1);
}

// The published vectors (signed by Go's note.Sign, tests/interop): they parse,
// are canonical, v1 is self-signed, v2 follows v1, and an independent signer
// (libsodium, deterministic Ed25519) reproduces every signature line.
TEST_CASE("trust root vectors: canonical, self-signed, v2 follows v1, signatures reproduce") {
  const std::string v1_note = testutil::TrustRootVector("v1.root"),
                    v2_note = testutil::TrustRootVector("v2.root");
  auto v1 = ParseSignedTrustRoot(v1_note);
  auto v2 = ParseSignedTrustRoot(v2_note);
  REQUIRE_MESSAGE(v1.ok(), v1.status().ToString());
  REQUIRE_MESSAGE(v2.ok(), v2.status().ToString());
  CHECK(CheckRootSelfSigned(*v1).ok());
  CHECK(CheckRootSuccessor(v1->root, *v2).ok());
  CHECK(v2->root.ExpiredAt(kNow) == false);
  CHECK(FormatUtcTime(v1->root.expires_unix) == "2028-01-01T00:00:00Z");
  const TestKey a = TestKey::Make("root-a.acme.example", 0x21);
  const TestKey b = TestKey::Make("root-b.acme.example", 0x22);
  const TestKey c = TestKey::Make("root-c.acme.example", 0x23);
  const std::string v1_text = FormatTrustRootText(v1->root);
  const std::string v2_text = FormatTrustRootText(v2->root);
  CHECK(Fixture::Sign(v1_text, {&a, &b}) == v1_note);
  CHECK(Fixture::Sign(v2_text, {&a, &b, &c}) == v2_note);
  // v2 rotated root-a out and the vendor key over to the 2026 key.
  CHECK(v2->root.policy.vendors.at(0).key.name == "acme.example/firmware-2026");
  CHECK(v1->root.policy.vendors.at(0).key.name == "acme.example/firmware");
}

TEST_CASE("docs/FORMATS.md quotes the trust root vectors verbatim") {
  bool ok = false;
  const std::string doc =
      testutil::ReadWholeFile(std::string(CANDOR_SOURCE_DIR) + "/docs/FORMATS.md", &ok);
  REQUIRE(ok);
  for (const char* file : {"keys.inputs", "v1.root", "v2.root"}) {
    CAPTURE(file);
    const std::string marker =
        "<!-- vector: tests/vectors/trust-root/" + std::string(file) + " -->\n```\n";
    const size_t start = doc.find(marker);
    REQUIRE_MESSAGE(start != std::string::npos, "marker missing in docs/FORMATS.md");
    const size_t body = start + marker.size();
    const size_t end = doc.find("\n```\n", body);
    REQUIRE(end != std::string::npos);
    CHECK(doc.substr(body, end + 1 - body) == testutil::TrustRootVector(file));
  }
}

}  // namespace
}  // namespace candor
