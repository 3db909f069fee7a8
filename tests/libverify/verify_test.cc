// Verify() (candor/verify.h) step 5 against a device's history: last-seen
// trees per origin, the mandatory consistency proof, and fail-closed
// freshness. Signed with the libsodium test signer (note_test_util.h), so this
// binary needs no libsign.
#include "candor/verify.h"

#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "candor/bundle.h"
#include "candor/consistency_proof.h"
#include "candor/manifest.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/sha256.h"
#include "libverify/note_test_util.h"

namespace candor {
namespace {

using testutil::TestKey;

constexpr uint64_t kNow = 1790000000;
constexpr const char* kLog = "log.example/firmware";

struct Fixture {
  TestKey vendor = TestKey::Make("acme.example/firmware", 1);
  TestKey log = TestKey::Make(kLog, 2);
  TestKey w1 = TestKey::Make("w1.example", 3, kKeyTypeCosignatureV1);
  TestKey w2 = TestKey::Make("w2.example", 4, kKeyTypeCosignatureV1);
  TestKey w3 = TestKey::Make("w3.example", 5, kKeyTypeCosignatureV1);
  std::string image = "IMAGE BYTES";
  std::vector<Hash> leaves;
  Bytes entry;
  TrustPolicy policy;

  Fixture() {
    const std::string changelog = "changes\n";
    Manifest m;
    m.vendor = "acme.example";
    m.vendor_key = vendor.vkey;
    m.products = {"p1"};
    m.version = "1.0";
    m.rollback = 1;
    m.image_sha256 = Sha256Digest(image);
    m.image_size = image.size();
    m.changelog_sha256 = Sha256Digest(changelog);
    m.issued = kNow - 3600;
    auto text = FormatManifestText(m);
    REQUIRE(text.ok());
    entry = EncodeReleaseEntry(*text + "\n" + vendor.SigLine(*text), changelog);
    REQUIRE(ParseReleaseEntry(entry).ok());
    leaves.push_back(LeafHash(entry));
    for (int i = 1; i < 8; ++i) {
      const std::string filler = "filler " + std::to_string(i);
      leaves.push_back(LeafHash(AsBytes(filler)));
    }
    auto p = ParseTrustPolicy(
        "log " + FormatVerifierKey(log.vkey) + "\nwitness w1 " + FormatVerifierKey(w1.vkey) +
        "\nwitness w2 " + FormatVerifierKey(w2.vkey) + "\nwitness w3 " +
        FormatVerifierKey(w3.vkey) + "\ngroup g 2 w1 w2 w3\nquorum g\nvendor " +
        FormatVerifierKey(vendor.vkey) + " p1\nmax-checkpoint-age 86400\n");
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    policy = *p;
  }
  Hash Root(uint64_t n) const { return RootFromLeafHashes(std::span<const Hash>(leaves).first(n)); }
  std::vector<Hash> Consistency(uint64_t m, uint64_t n) const {
    auto proof = ProveConsistency(m, n, [this](std::span<const NodeId> ids) {
      std::vector<Hash> out;
      for (const NodeId& id : ids) {
        out.push_back(RootFromLeafHashes(
            std::span<const Hash>(leaves).subspan(id.index << id.level, uint64_t{1} << id.level)));
      }
      return Result<std::vector<Hash>>(out);
    });
    REQUIRE(proof.ok());
    return *proof;
  }
  // The bundle of entry 0 at tree size `n`, cosigned by w1 and w2 at `time`.
  std::string BundleAt(uint64_t n, uint64_t time = kNow - 60) const {
    const std::string body = FormatCheckpointBody(Checkpoint{kLog, n, Root(n), {}});
    std::string note = body + "\n" + log.SigLine(body);
    for (const TestKey* w : {&w1, &w2}) note += FormatSignatureLine(w->Cosig(body, time));
    auto proof = ProveInclusion(0, n, [this](std::span<const NodeId> ids) {
      std::vector<Hash> out;
      for (const NodeId& id : ids) {
        out.push_back(RootFromLeafHashes(
            std::span<const Hash>(leaves).subspan(id.index << id.level, uint64_t{1} << id.level)));
      }
      return Result<std::vector<Hash>>(out);
    });
    REQUIRE(proof.ok());
    return FormatBundle(Bundle{entry, 0, *proof, note});
  }
  Result<VerifiedRelease> Run(const std::string& bundle, std::vector<LastSeenTree> seen,
                              std::optional<ConsistencyProofFile> proofs = std::nullopt,
                              uint64_t now = kNow) const {
    size_t offset = 0;
    VerifyRequest req;
    req.product = "p1";
    req.bundle = bundle;
    req.policy = &policy;
    req.now_unix = now;
    req.last_seen = std::move(seen);
    req.consistency_proofs = std::move(proofs);
    req.read_image = [&](std::span<uint8_t> buf) -> Result<size_t> {
      const size_t n = std::min(buf.size(), image.size() - offset);
      std::memcpy(buf.data(), image.data() + offset, n);
      offset += n;
      return n;
    };
    return Verify(req);
  }
  ConsistencyProofFile File(std::vector<uint64_t> froms, uint64_t to,
                            std::string origin = kLog) const {
    ConsistencyProofFile f;
    f.origin = std::move(origin);
    for (uint64_t m : froms) f.blocks.push_back(ConsistencyProofBlock{m, to, Consistency(m, to)});
    return f;
  }
};

TEST_CASE("Verify: a larger checkpoint of a seen log needs a consistency proof from its size") {
  Fixture fx;
  const std::string bundle = fx.BundleAt(5);
  const LastSeenTree at3{kLog, 3, fx.Root(3), std::nullopt};
  ConsistencyProofFile wrong = fx.File({3}, 5);
  wrong.blocks[0].hashes[0][0] ^= 1;
  LastSeenTree forked = at3;
  forked.root_hash[0] ^= 1;
  struct Case {
    const char* name;
    std::vector<LastSeenTree> seen;
    std::optional<ConsistencyProofFile> proofs;
    Code want;
  } cases[] = {
      {"nothing seen", {}, std::nullopt, Code::kOk},
      {"same tree", {LastSeenTree{kLog, 5, fx.Root(5), std::nullopt}}, std::nullopt, Code::kOk},
      {"larger, no proof", {at3}, std::nullopt, Code::kConsistencyRequired},
      {"larger, proof from 3", {at3}, fx.File({3}, 5), Code::kOk},
      {"larger, file with several sizes", {at3}, fx.File({1, 2, 3, 4}, 5), Code::kOk},
      {"larger, no block from 3", {at3}, fx.File({1, 2, 4}, 5), Code::kConsistencyRequired},
      {"larger, file for another log",
       {at3},
       fx.File({3}, 5, "other.example/log"),
       Code::kConsistencyRequired},
      {"larger, file to another size", {at3}, fx.File({3}, 6), Code::kConsistencyRequired},
      {"larger, bad proof", {at3}, wrong, Code::kInconsistent},
      {"larger, from a forked tree", {forked}, fx.File({3}, 5), Code::kInconsistent},
      {"smaller",
       {LastSeenTree{kLog, 6, fx.Root(6), std::nullopt}},
       std::nullopt,
       Code::kPolicyUnsatisfied},
      {"another log's tree is not compared",
       {LastSeenTree{"other.example/log", 7, Hash{}, std::nullopt}},
       std::nullopt,
       Code::kOk},
      {"another log's tree beside this one's",
       {LastSeenTree{"other.example/log", 7, Hash{}, std::nullopt}, at3},
       fx.File({3}, 5),
       Code::kOk},
      {"two trees for one log", {at3, at3}, fx.File({3}, 5), Code::kInvalidArgument},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto got = fx.Run(bundle, c.seen, c.proofs);
    CHECK_MESSAGE(got.status().code() == c.want, got.status().ToString());
  }
}

TEST_CASE("Verify: cosignatures from the future do not count; a clock behind fails closed") {
  Fixture fx;
  const uint64_t skew = kMaxClockSkewSeconds;
  struct Case {
    const char* name;
    uint64_t cosigned_at;
    std::optional<uint64_t> last_quorum_time;
    Code want;
  } cases[] = {
      {"a minute ago", kNow - 60, std::nullopt, Code::kOk},
      {"at the skew limit ahead", kNow + skew, std::nullopt, Code::kOk},
      {"just beyond the skew", kNow + skew + 1, std::nullopt, Code::kPolicyUnsatisfied},
      {"in ten years", kNow + 3650ull * 86400, std::nullopt, Code::kPolicyUnsatisfied},
      {"clock behind the last quorum time by the skew", kNow - 60, kNow + skew, Code::kOk},
      {"clock behind the last quorum time beyond the skew", kNow - 60, kNow + skew + 1,
       Code::kPolicyUnsatisfied},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::vector<LastSeenTree> seen;
    if (c.last_quorum_time) seen.push_back(LastSeenTree{kLog, 5, fx.Root(5), c.last_quorum_time});
    auto got = fx.Run(fx.BundleAt(5, c.cosigned_at), seen);
    CHECK_MESSAGE(got.status().code() == c.want, got.status().ToString());
  }
}

TEST_CASE("WitnessedQuorumTime recomputes a stored note's quorum time") {
  Fixture fx;
  auto bundle = ParseBundle(fx.BundleAt(5, kNow - 77));
  REQUIRE(bundle.ok());
  CHECK(WitnessedQuorumTime(fx.policy, bundle->checkpoint_note) == kNow - 77);
  CHECK(WitnessedQuorumTime(fx.policy, "not a note") == std::nullopt);
}

// Step 2 with a vendor group (docs/FORMATS.md "Signer list"): the device
// counts distinct verified signatures of the group's keys.
TEST_CASE("Verify: a 2-of-3 vendor group accepts 2 or 3 signatures and refuses 1") {
  Fixture fx;
  const TestKey b = TestKey::Make("acme.example/release-b", 11);
  const TestKey c = TestKey::Make("acme.example/release-c", 12);
  auto parsed = ParseReleaseEntry(fx.entry);
  REQUIRE(parsed.ok());
  Manifest m = parsed->manifest;
  m.cosigners = {b.vkey, c.vkey};
  if (FormatVerifierKey(c.vkey) < FormatVerifierKey(b.vkey))
    std::swap(m.cosigners[0], m.cosigners[1]);
  const TestKey* second = m.cosigners[0] == b.vkey ? &b : &c;
  const TestKey* third = second == &b ? &c : &b;
  auto text = FormatManifestText(m);
  REQUIRE(text.ok());
  auto policy = ParseTrustPolicy(
      FormatTrustPolicy(fx.policy).substr(0, FormatTrustPolicy(fx.policy).find("vendor ")) +
      "vendor-key k1 " + FormatVerifierKey(fx.vendor.vkey) + "\nvendor-key k2 " +
      FormatVerifierKey(b.vkey) + "\nvendor-key k3 " + FormatVerifierKey(c.vkey) +
      "\nvendor-group release-signers 2 k1 k2 k3\nvendor release-signers p1\n" +
      "max-checkpoint-age 86400\n");
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  fx.policy = *policy;
  struct Case {
    const char* what;
    std::vector<const TestKey*> signers;
    Code code;
  };
  const std::vector<Case> cases = {
      {"creating key alone: 1 of 2", {&fx.vendor}, Code::kPolicyUnsatisfied},
      {"creating key and the second", {&fx.vendor, second}, Code::kOk},
      {"creating key and the third", {&fx.vendor, third}, Code::kOk},
      {"all three", {&fx.vendor, second, third}, Code::kOk},
  };
  for (const Case& tc : cases) {
    CAPTURE(tc.what);
    std::string note = *text + "\n";
    for (const TestKey* k : tc.signers) note += k->SigLine(*text);
    fx.entry = EncodeReleaseEntry(note, parsed->changelog);
    fx.leaves[0] = LeafHash(fx.entry);
    auto v = fx.Run(fx.BundleAt(4), {});
    CHECK_MESSAGE(v.status().code() == tc.code, v.status().ToString());
    if (tc.code == Code::kPolicyUnsatisfied) {
      CHECK(v.status().message().find("1 of the 2 required by vendor group release-signers") !=
            std::string::npos);
    }
    if (v.ok()) CHECK(v->release.signed_by.size() == tc.signers.size());
  }
  // A key outside the group, even one of the vendor's: still untrusted.
  fx.policy = *ParseTrustPolicy(
      FormatTrustPolicy(*policy).substr(0, FormatTrustPolicy(*policy).find("vendor-key")) +
      "vendor-key k2 " + FormatVerifierKey(b.vkey) + "\nvendor k2 p1\nmax-checkpoint-age 86400\n");
  std::string note = *text + "\n" + fx.vendor.SigLine(*text);
  fx.entry = EncodeReleaseEntry(note, parsed->changelog);
  fx.leaves[0] = LeafHash(fx.entry);
  CHECK(fx.Run(fx.BundleAt(4), {}).status().code() == Code::kUntrustedKey);
}

}  // namespace
}  // namespace candor
