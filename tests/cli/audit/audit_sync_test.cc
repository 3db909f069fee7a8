// Sync and gossip over log directories built with the log's storage API:
// full and incremental sync, resume after interruption, tampered tiles and
// bundles, a forked log with the same key (sync and gossip evidence).
#include <doctest/doctest.h>

#include <filesystem>

#include "audit_test_util.h"
#include "support/hostile_server.h"
#include "candor/audit/evidence.h"
#include "candor/audit/gossip.h"
#include "candor/audit/mirror.h"
#include "candor/audit/sync.h"
#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "candor/policy.h"
#include "candor/signer.h"

namespace candor {
namespace {

using namespace audittest;
using audit::Mirror;
using audit::SyncOptions;
using audit::SyncResult;

const SignerKey& LogKey() {
  static const SignerKey k = TestKey("log.example/audit-test", 7);
  return k;
}
const SignerKey& Vendor() {
  static const SignerKey k = TestKey("acme.example", 40);
  return k;
}

std::vector<Bytes> Releases(size_t first, size_t count, const std::string& product = "p1") {
  std::vector<Bytes> out;
  for (size_t i = first; i < first + count; ++i) {
    ReleaseSpec s;
    s.product = product;
    s.version = "1." + std::to_string(i);
    s.rollback = i + 1;
    out.push_back(MakeRelease(Vendor(), s));
  }
  return out;
}

SyncResult SyncOnce(const std::string& log, const std::string& mirror_dir, size_t stop_after = 0) {
  auto m = Mirror::Open(mirror_dir, true, true);
  REQUIRE(m.ok());
  SyncOptions o;
  o.log = log;
  o.log_key = PublicKeyOf(LogKey());
  o.commit_bundles = 2;
  o.stop_after_bundles = stop_after;
  return audit::Sync(**m, o);
}

uint64_t VerifiedSize(const std::string& mirror_dir) {
  auto m = Mirror::Open(mirror_dir, false, false);
  REQUIRE(m.ok());
  return (*m)->State()->size;
}

TEST_CASE("sync: full, incremental, up to date; the mirror is itself a servable log") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  log.Append(Releases(0, 300));
  SyncResult r = SyncOnce(log.dir(), t / "mirror");
  REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(r.outcome == "synced");
  CHECK(r.entries_verified == 300);
  CHECK(r.invalid_entries == 0);
  CHECK(VerifiedSize(t / "mirror") == 300);
  // Incremental: only the 217 new entries are verified.
  log.Append(Releases(300, 217));
  r = SyncOnce(log.dir(), t / "mirror");
  REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(r.entries_verified == 217);
  CHECK(r.old_size == 300);
  CHECK(r.new_size == 517);
  r = SyncOnce(log.dir(), t / "mirror");
  CHECK(r.status.ok());
  CHECK(r.outcome == "up-to-date");
  CHECK(r.entries_verified == 0);
  // A second mirror syncs from the first one (same layout, same checkpoint).
  r = SyncOnce(t / "mirror", t / "mirror2");
  REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(r.new_size == 517);
  CHECK(ReadText(t / "mirror2/checkpoint") == log.checkpoint());
  // The index holds every release.
  auto m = Mirror::Open(t / "mirror", false, false);
  REQUIRE(m.ok());
  auto rows = (*m)->index().Releases({}, 517);
  REQUIRE(rows.ok());
  CHECK(rows->size() == 517);
  CHECK((*rows)[516].version == "1.516");
}

TEST_CASE("sync: resumes after an interruption without re-verifying") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  log.Append(Releases(0, 256 * 5 + 3));
  SyncResult r = SyncOnce(log.dir(), t / "mirror", /*stop_after=*/3);
  CHECK(r.status.code() == Code::kUnavailable);
  CHECK(VerifiedSize(t / "mirror") == 0);  // not verified until the whole checkpoint is
  log.Append(Releases(256 * 5 + 3, 10));   // the log moved on meanwhile
  r = SyncOnce(log.dir(), t / "mirror");
  REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(r.resumed_from == 256 * 3);
  CHECK(r.entries_verified == 256 * 5 + 13 - 256 * 3);
  CHECK(VerifiedSize(t / "mirror") == 256 * 5 + 13);
}

TEST_CASE("sync: a tampered tile or bundle is refused, with evidence for tiles") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  log.Append(Releases(0, 600));
  SUBCASE("level-0 tile") {
    std::string p = t / "log/tile/0/001";
    Bytes b = ReadWholeFile(p).value();
    b[40] ^= 1;
    REQUIRE(AtomicWriteFile(p, b).ok());
    SyncResult r = SyncOnce(log.dir(), t / "mirror");
    CHECK(r.status.code() == Code::kMismatch);
    CHECK(r.outcome == "evidence");
    auto ev = audit::ParseEvidence(ReadText(r.evidence_path));
    REQUIRE(ev.ok());
    CHECK(ev->kind == "tile-mismatch");
    CHECK(ev->checkpoint_a == log.checkpoint());
  }
  SUBCASE("entry in a bundle (the vendor signature breaks and the tree no longer matches)") {
    std::string p = t / "log/tile/entries/001";
    Bytes b = ReadWholeFile(p).value();
    b[100] ^= 1;
    REQUIRE(AtomicWriteFile(p, b).ok());
    SyncResult r = SyncOnce(log.dir(), t / "mirror");
    CHECK(r.status.code() == Code::kMismatch);
  }
  CHECK(VerifiedSize(t / "mirror") == 0);
}

TEST_CASE("sync: a forked log with the same key is detected, with evidence") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  log.Append(Releases(0, 20));
  REQUIRE(SyncOnce(log.dir(), t / "mirror").status.ok());
  std::string first_checkpoint = log.checkpoint();
  // The fork shares the first 10 entries, then diverges.
  DirectLog fork(t / "fork", LogKey());
  fork.Append(Releases(0, 10));
  fork.Append(Releases(100, 30, "p2"));
  SyncResult r = SyncOnce(fork.dir(), t / "mirror");
  CHECK(r.status.code() == Code::kInconsistent);
  REQUIRE(!r.evidence_path.empty());
  auto ev = audit::ParseEvidence(ReadText(r.evidence_path));
  REQUIRE(ev.ok());
  CHECK(ev->kind == "inconsistent");
  CHECK(ev->checkpoint_a == first_checkpoint);
  CHECK(ev->checkpoint_b == fork.checkpoint());
  REQUIRE(ev->proof_from.has_value());
  CHECK(*ev->proof_from == 20);
  CHECK(*ev->proof_to == 40);
  // A third party re-checks the evidence: both checkpoints verify with the
  // log key, and the included proof does not connect them.
  auto a = VerifyCheckpoint(ev->checkpoint_a, PublicKeyOf(LogKey()));
  auto b = VerifyCheckpoint(ev->checkpoint_b, PublicKeyOf(LogKey()));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(VerifyConsistency(a->checkpoint.size, b->checkpoint.size, ev->proof,
                          a->checkpoint.root_hash, b->checkpoint.root_hash)
            .code() == Code::kInconsistent);
  CHECK(VerifiedSize(t / "mirror") == 20);  // the mirror did not move

  SUBCASE("same size, different root") {
    DirectLog fork2(t / "fork2", LogKey());
    fork2.Append(Releases(50, 20));
    SyncResult r2 = SyncOnce(fork2.dir(), t / "mirror");
    CHECK(r2.status.code() == Code::kInconsistent);
    CHECK(audit::ParseEvidence(ReadText(r2.evidence_path))->kind == "split-view");
  }
  SUBCASE("smaller and not a prefix") {
    DirectLog fork3(t / "fork3", LogKey());
    fork3.Append(Releases(60, 5));
    SyncResult r3 = SyncOnce(fork3.dir(), t / "mirror");
    CHECK(r3.status.code() == Code::kInconsistent);
  }
  SUBCASE("smaller and a prefix: stale, not evidence") {
    DirectLog old(t / "old", LogKey());
    old.Append(Releases(0, 10));
    SyncResult r4 = SyncOnce(old.dir(), t / "mirror");
    CHECK(r4.status.ok());
    CHECK(r4.outcome == "stale");
  }
}

TEST_CASE("sync: a hostile log server fails the sync in bounded time and memory") {
  using testing::HostileServer;
  const HostileServer::Behaviour behaviours[] = {
      HostileServer::kEndlessHeader, HostileServer::kManyHeaders, HostileServer::kTrickle,
      HostileServer::kTrickleHeaders,
      HostileServer::kHugeBody, HostileServer::kHugeChunked, HostileServer::kSilent};
  for (auto b : behaviours) {
    CAPTURE(HostileServer::Name(b));
    TempDir t;
    HostileServer server(b, std::chrono::milliseconds(200));  // a trickle takes > 200 s
    auto m = Mirror::Open(t / "mirror", true, true);
    REQUIRE(m.ok());
    SyncOptions o;
    o.log = server.url();
    o.log_key = PublicKeyOf(LogKey());
    o.http.deadline = std::chrono::milliseconds(1500);  // the default limits otherwise
    o.http.read_timeout = std::chrono::milliseconds(5000);
    const uint64_t rss_before = testing::ResidentBytes();
    const auto start = std::chrono::steady_clock::now();
    SyncResult r = audit::Sync(**m, o);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
    REQUIRE(!r.status.ok());
    const Code code = r.status.code();
    CHECK_MESSAGE((code == Code::kTooLarge || code == Code::kUnavailable), r.status.ToString());
    // At most the 16 MiB body limit was held, far from an unbounded reader.
    CHECK(testing::ResidentBytes() < rss_before + (uint64_t{96} << 20));
    CHECK(server.bytes_sent() < (uint64_t{256} << 20));
    CHECK(VerifiedSize(t / "mirror") == 0);
  }
}

TEST_CASE("sync: a checkpoint signed by another key is refused") {
  TempDir t;
  DirectLog log(t / "log", TestKey("log.example/audit-test", 99));
  log.Append(Releases(0, 3));
  SyncResult r = SyncOnce(log.dir(), t / "mirror");
  CHECK(!r.status.ok());
  CHECK(VerifiedSize(t / "mirror") == 0);
}

TEST_CASE("gossip: consistent, same, ahead, bad signature, split view") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  log.Append(Releases(0, 7));
  std::string cp7 = log.checkpoint();
  log.Append(Releases(7, 300));
  std::string cp307 = log.checkpoint();
  REQUIRE(SyncOnce(log.dir(), t / "mirror").status.ok());
  log.Append(Releases(307, 5));
  std::string cp312 = log.checkpoint();
  DirectLog fork(t / "fork", LogKey());
  fork.Append(Releases(0, 5));
  fork.Append(Releases(500, 40));
  DirectLog other(t / "other", TestKey("log.example/audit-test", 98));
  other.Append(Releases(0, 2));

  auto m = Mirror::Open(t / "mirror", false, true);
  REQUIRE(m.ok());
  VerifierKey key = PublicKeyOf(LogKey());
  CHECK(audit::CheckGossip(**m, key, "a", cp7, 0).verdict == "consistent");
  CHECK(audit::CheckGossip(**m, key, "b", cp307, 0).verdict == "consistent");
  auto ahead = audit::CheckGossip(**m, key, "c", cp312, 0);
  CHECK(ahead.verdict == "ahead");
  CHECK(ahead.detail.find("sync first") != std::string::npos);
  CHECK(audit::CheckGossip(**m, key, "d", other.checkpoint(), 0).verdict == "bad-signature");
  auto split = audit::CheckGossip(**m, key, "e", fork.checkpoint(), 0);
  CHECK(split.verdict == "split-view");
  REQUIRE(!split.evidence_path.empty());
  auto ev = audit::ParseEvidence(ReadText(split.evidence_path));
  REQUIRE(ev.ok());
  CHECK(ev->checkpoint_a == fork.checkpoint());
  CHECK(ev->checkpoint_b == cp307);
  CHECK(*ev->proof_from == 45);
  CHECK(*ev->proof_to == 307);
  CHECK(VerifyConsistency(45, 307, ev->proof,
                          VerifyCheckpoint(ev->checkpoint_a, key)->checkpoint.root_hash,
                          VerifyCheckpoint(ev->checkpoint_b, key)->checkpoint.root_hash)
            .code() == Code::kInconsistent);
}

TEST_CASE("evidence: format round trip and strictness") {
  audit::Evidence e;
  e.kind = "split-view";
  e.time = 1764115200;
  e.origin = "log.example";
  e.reason = "two\nlines";
  e.proof_from = 3;
  e.proof_to = 9;
  e.proof = {Hash{}, Hash{1}};
  e.checkpoint_a = "a\n1\nAAAA\n\n— x y\n";
  e.checkpoint_b = "b\n";
  auto p = audit::ParseEvidence(audit::FormatEvidence(e));
  REQUIRE(p.ok());
  CHECK(p->reason == "two lines");
  CHECK(p->proof.size() == 2);
  CHECK(p->checkpoint_a == e.checkpoint_a);
  CHECK(p->checkpoint_b == e.checkpoint_b);
  CHECK(!audit::ParseEvidence("nope\n").ok());
  CHECK(!audit::ParseEvidence(audit::FormatEvidence(e) + "x").ok());
}

}  // namespace
}  // namespace candor

namespace candor {
namespace {

TEST_CASE("sync --policy: the witness quorum is required") {
  using namespace audittest;
  TempDir t;
  SignerKey log_key = TestKey("log.example/audit-test", 7);
  DirectLog log(t / "log", log_key);
  log.Append({MakeRelease(TestKey("acme.example", 40), ReleaseSpec{})});
  auto w = GenerateKey("witness.example/w1", kKeyTypeCosignatureV1);
  REQUIRE(w.ok());
  std::string policy_text = "log " + FormatVerifierKey(PublicKeyOf(log_key)) + "\nwitness w1 " +
                            FormatVerifierKey(w->second) + "\nquorum w1\n";
  auto policy = ParseTrustPolicy(policy_text);
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  auto sync = [&](const std::string& mirror) {
    auto m = audit::Mirror::Open(mirror, true, true);
    REQUIRE(m.ok());
    audit::SyncOptions o;
    o.log = log.dir();
    o.log_key = PublicKeyOf(log_key);
    o.policy = *policy;
    return audit::Sync(**m, o);
  };
  CHECK(sync(t / "m1").status.code() == Code::kPolicyUnsatisfied);
  // Cosign the checkpoint and publish it with the cosignature.
  auto body = ParseSignedCheckpointUnverified(log.checkpoint());
  REQUIRE(body.ok());
  auto cosig = Cosign(w->first, body->body, 1764115200);
  REQUIRE(cosig.ok());
  WriteText(t / "log/checkpoint", log.checkpoint() + FormatSignatureLine(*cosig));
  audit::SyncResult r = sync(t / "m2");
  CHECK_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(r.new_size == 1);
}

}  // namespace
}  // namespace candor
