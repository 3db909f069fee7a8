// Sync and gossip over log directories built with the log's storage API:
// full and incremental sync, resume after interruption, tampered tiles and
// bundles, a forked log with the same key (sync and gossip evidence).
#include <doctest/doctest.h>

#include <filesystem>

#include "audit_test_util.h"
#include "candor/audit/evidence.h"
#include "candor/audit/gossip.h"
#include "candor/audit/mirror.h"
#include "candor/audit/sync.h"
#include "candor/checkpoint.h"
#include "candor/checkpoint_trust.h"
#include "candor/cosignature.h"
#include "candor/device_report.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/merkle.h"
#include "candor/policy.h"
#include "candor/signer.h"
#include "candor/trust_root.h"
#include "support/hostile_server.h"

namespace candor {
namespace {

using namespace audittest;
using audit::Mirror;
using audit::SyncOptions;
using audit::SyncOutcome;
using audit::SyncResult;

// The words `audit sync --json` prints (docs/AUDIT.md), one per outcome.
TEST_CASE("sync: ToString(SyncOutcome) gives the documented words") {
  const std::pair<SyncOutcome, std::string_view> cases[] = {
      {SyncOutcome::kFailed, "error"},
      {SyncOutcome::kSynced, "synced"},
      {SyncOutcome::kUpToDate, "up-to-date"},
      {SyncOutcome::kEvidence, "evidence"},
  };
  for (const auto& c : cases) {
    CHECK(audit::ToString(c.first) == c.second);
  }
}

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
  CHECK(r.outcome == SyncOutcome::kSynced);
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
  CHECK(r.outcome == SyncOutcome::kUpToDate);
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

// Trust roots are the log's second entry type (docs/FORMATS.md "Trust root"):
// indexed with their chain check, a malformed one recorded as an invalid
// entry, never counted as a bad release; across bundles and a resumed sync.
TEST_CASE("sync: a log of release entries and trust roots") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  const SignerKey ra = TestKey("root-a.acme.example", 21);
  const SignerKey rb = TestKey("root-b.acme.example", 22);
  auto root = [&](uint64_t version, std::vector<const SignerKey*> signers) {
    RootSpec s;
    s.version = version;
    s.threshold = 2;
    s.keys = {&ra, &rb};
    s.signers = std::move(signers);
    s.policy = "log " + FormatVerifierKey(PublicKeyOf(LogKey())) + "\nquorum none\nvendor " +
               FormatVerifierKey(PublicKeyOf(Vendor())) + " p1\n";
    const std::string note = MakeTrustRoot(s);
    return Bytes(note.begin(), note.end());
  };
  const std::string bad = std::string(kTrustRootMagic) + "domain x\n";
  std::vector<Bytes> entries = Releases(0, 3);
  entries.push_back(root(1, {&ra, &rb}));            // 3: follows (self-signed)
  entries.push_back(Releases(3, 1)[0]);              // 4
  entries.push_back(Bytes(bad.begin(), bad.end()));  // 5: malformed
  entries.push_back(root(2, {&ra}));                 // 6: threshold unmet
  entries.push_back(root(2, {&ra, &rb}));            // 7: follows version 1
  entries.push_back(root(2, {&rb, &ra}));            // 8: the same version again
  for (Bytes& e : Releases(4, 300)) entries.push_back(std::move(e));
  entries.push_back(root(4, {&ra, &rb}));  // 309: skips version 3
  log.Append(entries);
  // Interrupted after one bundle, then resumed: the chain continues from the
  // rows committed before.
  SyncResult r = SyncOnce(log.dir(), t / "mirror", 1);
  CHECK(r.status.code() == Code::kUnavailable);
  r = SyncOnce(log.dir(), t / "mirror");
  REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(VerifiedSize(t / "mirror") == 310);
  CHECK(r.trust_roots == 1);  // 309; the resumed sync indexes bundle 1 only
  auto m = Mirror::Open(t / "mirror", false, false);
  REQUIRE(m.ok());
  auto invalid = (*m)->index().Invalid(310);
  REQUIRE(invalid.ok());
  REQUIRE(invalid->size() == 1);
  CHECK(invalid->front().log_index == 5);
  CHECK(invalid->front().reason.find("trust root") != std::string::npos);
  auto releases = (*m)->index().Releases({}, 310);
  REQUIRE(releases.ok());
  CHECK(releases->size() == 304);
  auto roots = (*m)->index().TrustRoots(310);
  REQUIRE(roots.ok());
  std::vector<std::string> got;
  for (const auto& row : *roots) {
    got.push_back(std::to_string(row.log_index) + " v" + std::to_string(row.version) + " " +
                  (row.follows ? "follows" : row.chain_flag));
  }
  CHECK(got == std::vector<std::string>{"3 v1 follows", "6 v2 root-threshold-unmet", "7 v2 follows",
                                        "8 v2 root-version-duplicate", "309 v4 root-version-gap"});
  const audit::TrustRootRow& v1 = roots->front();
  CHECK(v1.domain == "acme.example/printers");
  CHECK(v1.root_threshold == 2);
  CHECK(v1.root_keys.size() == 2);
  CHECK(v1.policy.rfind("log ", 0) == 0);
  CHECK(v1.expires == ParseUtcTime("2027-01-01T00:00:00Z").value());
  CHECK(Bytes(v1.note.begin(), v1.note.end()) == entries[3]);
  CHECK(v1.leaf_hex == HexEncode(LeafHash(entries[3])));
  auto by_index = (*m)->index().TrustRootByIndex(7, 310);
  REQUIRE(by_index.ok());
  REQUIRE(by_index->has_value());
  CHECK((*by_index)->version == 2);
  CHECK(!(*m)->index().TrustRootByIndex(4, 310)->has_value());
  CHECK((*m)->index().TrustRoots(310, "other.example/x")->empty());
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
    Bytes b = fs::ReadFileBytes(p, size_t{64} << 20).value();
    b[40] ^= 1;
    REQUIRE(fs::WriteFileAtomically(p, b).ok());
    SyncResult r = SyncOnce(log.dir(), t / "mirror");
    CHECK(r.status.code() == Code::kMismatch);
    CHECK(r.outcome == SyncOutcome::kEvidence);
    auto ev = audit::ParseEvidence(ReadText(r.evidence_path));
    REQUIRE(ev.ok());
    CHECK(ev->kind == "tile-mismatch");
    CHECK(ev->checkpoint_a == log.checkpoint());
  }
  SUBCASE("entry in a bundle (the vendor signature breaks and the tree no longer matches)") {
    std::string p = t / "log/tile/entries/001";
    Bytes b = fs::ReadFileBytes(p, size_t{64} << 20).value();
    b[100] ^= 1;
    REQUIRE(fs::WriteFileAtomically(p, b).ok());
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
  SUBCASE("smaller and a prefix: refused as stale, with both views as evidence") {
    DirectLog old(t / "old", LogKey());
    old.Append(Releases(0, 10));
    SyncResult r4 = SyncOnce(old.dir(), t / "mirror");
    CHECK(r4.status.code() == Code::kPolicyUnsatisfied);
    CHECK(r4.outcome == SyncOutcome::kEvidence);
    REQUIRE(!r4.evidence_path.empty());
    auto ev4 = audit::ParseEvidence(ReadText(r4.evidence_path));
    REQUIRE(ev4.ok());
    CHECK(ev4->kind == "stale-view");
    CHECK(ev4->checkpoint_a == old.checkpoint());  // the smaller view served now
    CHECK(ev4->checkpoint_b == first_checkpoint);  // the mirror's verified view
    CHECK(*ev4->proof_from == 10);
    CHECK(*ev4->proof_to == 20);
    CHECK(VerifyConsistency(
              10, 20, ev4->proof,
              VerifyCheckpoint(ev4->checkpoint_a, PublicKeyOf(LogKey()))->checkpoint.root_hash,
              VerifyCheckpoint(ev4->checkpoint_b, PublicKeyOf(LogKey()))->checkpoint.root_hash)
              .ok());
  }
}

TEST_CASE("sync: a hostile log server fails the sync in bounded time and memory") {
  using testing::HostileServer;
  const HostileServer::Behaviour behaviours[] = {
      HostileServer::kEndlessHeader,  HostileServer::kManyHeaders, HostileServer::kTrickle,
      HostileServer::kTrickleHeaders, HostileServer::kHugeBody,    HostileServer::kHugeChunked,
      HostileServer::kSilent};
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
  CHECK(audit::CheckGossip(**m, key, "a", cp7, 0).verdict == audit::GossipVerdict::kConsistent);
  CHECK(audit::CheckGossip(**m, key, "b", cp307, 0).verdict == audit::GossipVerdict::kConsistent);
  auto ahead = audit::CheckGossip(**m, key, "c", cp312, 0);
  CHECK(ahead.verdict == audit::GossipVerdict::kAhead);
  CHECK(ahead.detail.find("sync first") != std::string::npos);
  CHECK(audit::CheckGossip(**m, key, "d", other.checkpoint(), 0).verdict ==
        audit::GossipVerdict::kBadSignature);
  auto split = audit::CheckGossip(**m, key, "e", fork.checkpoint(), 0);
  CHECK(split.verdict == audit::GossipVerdict::kSplitView);
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

TEST_CASE("gossip: device reports, other logs and the installed releases cross-check") {
  TempDir t;
  DirectLog log(t / "log", LogKey());
  const std::vector<Bytes> first = Releases(0, 3);
  log.Append(first);
  const std::string junk = "not a release entry";
  log.Append({Bytes(junk.begin(), junk.end())});
  const std::vector<Bytes> last = Releases(3, 2);
  log.Append(last);
  REQUIRE(SyncOnce(log.dir(), t / "mirror").status.ok());
  DirectLog other(t / "other", TestKey("other.example/log", 98));
  other.Append(Releases(0, 2));
  auto m = Mirror::Open(t / "mirror", false, true);
  REQUIRE(m.ok());
  VerifierKey key = PublicKeyOf(LogKey());

  DeviceReport one_log;
  one_log.checkpoints = {{key.name, log.checkpoint()}};
  Hash wrong = LeafHash(first[0]);
  one_log.releases = {
      {"a-same", "1.1", 2, 1, LeafHash(first[1])},    // what the log holds at 1: no row
      {"b-invalid", "1.0", 1, 3, LeafHash(last[0])},  // the log holds no release at 3
      {"c-other", "1.0", 1, 4, wrong},                // another leaf at 4
      {"d-beyond", "1.0", 1, 6, wrong},               // beyond the mirror: not compared
  };
  auto results = audit::CheckDeviceReport(**m, key, "dev-1", one_log, 0);
  REQUIRE(results.size() == 3);
  CHECK(results[0].verdict == audit::GossipVerdict::kConsistent);
  CHECK(results[0].label == "dev-1");
  CHECK(results[0].origin == key.name);
  CHECK(results[1].verdict == audit::GossipVerdict::kUnknownRelease);
  CHECK(results[1].size == 3);
  CHECK(results[1].detail ==
        "installed b-invalid 1.0 as log index 3, where the mirror holds no release");
  CHECK(results[2].verdict == audit::GossipVerdict::kUnknownRelease);
  CHECK(results[2].size == 4);
  CHECK(results[2].detail.ends_with("(another leaf hash)"));
  CHECK(audit::ToString(results[2].verdict) == "unknown-release");

  // Two logs: the other one is named, not judged; the releases cannot be
  // attributed to a log, so they are not compared.
  DeviceReport two_logs = one_log;
  two_logs.checkpoints.push_back({"other.example/log", other.checkpoint()});
  results = audit::CheckDeviceReport(**m, key, "dev-2", two_logs, 0);
  REQUIRE(results.size() == 2);
  CHECK(results[0].verdict == audit::GossipVerdict::kConsistent);
  CHECK(results[1].verdict == audit::GossipVerdict::kOtherLog);
  CHECK(results[1].origin == "other.example/log");
  CHECK(audit::ToString(results[1].verdict) == "other-log");

  // A report of the other log alone: its releases are not this log's either.
  DeviceReport other_only;
  other_only.checkpoints = {{"other.example/log", other.checkpoint()}};
  other_only.releases = one_log.releases;
  results = audit::CheckDeviceReport(**m, key, "dev-3", other_only, 0);
  REQUIRE(results.size() == 1);
  CHECK(results[0].verdict == audit::GossipVerdict::kOtherLog);
  // A checkpoint under this log's origin that is not its note is judged, not
  // trusted for its label.
  DeviceReport forged;
  forged.checkpoints = {{key.name, other.checkpoint()}};
  results = audit::CheckDeviceReport(**m, key, "dev-4", forged, 0);
  REQUIRE(results.size() == 1);
  CHECK(results[0].verdict == audit::GossipVerdict::kBadSignature);
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

namespace candor {
namespace {

using namespace audittest;

// A log whose checkpoints the test cosigns with chosen timestamps, synced
// under a policy with max-checkpoint-age and a clock the test sets
// (SyncOptions::now).
struct WitnessedLog {
  static constexpr int64_t kNow = 1790000000;  // 2026-09-21
  static constexpr uint64_t kMaxAge = 3600;
  TempDir t;
  SignerKey log_key = TestKey("log.example/audit-test", 7);
  DirectLog log{t / "log", log_key};
  std::pair<SignerKey, VerifierKey> w1 = GenerateKey("w1.example", kKeyTypeCosignatureV1).value();
  std::pair<SignerKey, VerifierKey> w2 = GenerateKey("w2.example", kKeyTypeCosignatureV1).value();
  TrustPolicy policy;
  explicit WitnessedLog(const std::string& quorum_lines) {
    std::string text = "log " + FormatVerifierKey(PublicKeyOf(log_key)) + "\nwitness w1 " +
                       FormatVerifierKey(w1.second) + "\nwitness w2 " +
                       FormatVerifierKey(w2.second) + "\n" + quorum_lines + "max-checkpoint-age " +
                       std::to_string(kMaxAge) + "\n";
    auto p = ParseTrustPolicy(text);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    policy = *p;
  }
  // Publishes the log's current checkpoint with cosignatures at these times
  // (nullopt: that witness did not cosign).
  std::string Cosigned(std::optional<int64_t> t1, std::optional<int64_t> t2) {
    auto body = ParseSignedCheckpointUnverified(log.checkpoint());
    REQUIRE(body.ok());
    std::string note = log.checkpoint();
    for (auto [w, ts] : {std::pair{&w1, t1}, std::pair{&w2, t2}}) {
      if (!ts) continue;
      auto c = Cosign(w->first, body->body, static_cast<uint64_t>(*ts));
      REQUIRE(c.ok());
      note += FormatSignatureLine(*c);
    }
    WriteText(log.dir() + "/checkpoint", note);
    return note;
  }
  SyncResult Sync(const std::string& mirror, int64_t now = kNow) {
    auto m = audit::Mirror::Open(mirror, true, true);
    REQUIRE(m.ok());
    SyncOptions o;
    o.log = log.dir();
    o.log_key = PublicKeyOf(log_key);
    o.policy = policy;
    o.now = [now] { return now; };
    return audit::Sync(**m, o);
  }
};

TEST_CASE("sync --policy: max-checkpoint-age as devices (quorum time, future skew)") {
  constexpr int64_t kNow = WitnessedLog::kNow;
  constexpr int64_t kAge = static_cast<int64_t>(WitnessedLog::kMaxAge);
  constexpr int64_t kSkew = static_cast<int64_t>(kMaxClockSkewSeconds);
  struct Case {
    const char* name;
    const char* quorum;  // policy lines
    std::optional<int64_t> w1, w2;
    Code want;
    const char* message;  // in the error
  };
  const Case cases[] = {
      {"fresh", "quorum w1\n", kNow - 60, std::nullopt, Code::kOk, ""},
      {"exactly the maximum age", "quorum w1\n", kNow - kAge, std::nullopt, Code::kOk, ""},
      {"old but validly signed and witnessed", "quorum w1\n", kNow - kAge - 1, std::nullopt,
       Code::kPolicyUnsatisfied, "checkpoint too old"},
      {"a year old", "quorum w1\n", kNow - 365 * 86400, std::nullopt, Code::kPolicyUnsatisfied,
       "checkpoint too old"},
      {"within the clock skew ahead", "quorum w1\n", kNow + kSkew, std::nullopt, Code::kOk, ""},
      {"far in the future does not count", "quorum w1\n", kNow + kSkew + 1, std::nullopt,
       Code::kPolicyUnsatisfied, "ahead of this clock ignored"},
      // With `any`, an old cosignature plus a far-future one: the future one
      // must not make the checkpoint fresh.
      {"any: old plus far future", "group g any w1 w2\nquorum g\n", kNow - 2 * kAge,
       kNow + 10 * 365 * 86400, Code::kPolicyUnsatisfied, "checkpoint too old"},
      {"any: old plus fresh", "group g any w1 w2\nquorum g\n", kNow - 2 * kAge, kNow - 10,
       Code::kOk, ""},
      // 2 of 2: the quorum time is the older cosignature.
      {"all: fresh plus old", "group g all w1 w2\nquorum g\n", kNow - 10, kNow - 2 * kAge,
       Code::kPolicyUnsatisfied, "checkpoint too old"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    WitnessedLog wl(c.quorum);
    wl.log.Append(Releases(0, 3));
    wl.Cosigned(c.w1, c.w2);
    SyncResult r = wl.Sync(wl.t / "mirror");
    CHECK_MESSAGE(r.status.code() == c.want, r.status.ToString());
    CHECK(r.status.message().find(c.message) != std::string::npos);
    CHECK(VerifiedSize(wl.t / "mirror") == (c.want == Code::kOk ? 3u : 0u));
  }
}

TEST_CASE("sync --policy: a log frozen on one checkpoint is refused once it is too old") {
  constexpr int64_t kNow = WitnessedLog::kNow;
  WitnessedLog wl("quorum w1\n");
  wl.log.Append(Releases(0, 3));
  const std::string first = wl.Cosigned(kNow - 10, std::nullopt);
  REQUIRE(wl.Sync(wl.t / "mirror").status.ok());
  // Same checkpoint, an hour later: still within the maximum age.
  SyncResult r = wl.Sync(wl.t / "mirror", kNow + 3000);
  CHECK_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(r.outcome == SyncOutcome::kUpToDate);
  // The log keeps serving it (newer entries hidden): refused, never
  // "up-to-date".
  wl.log.Append(Releases(3, 5));  // entries the auditor is not shown
  WriteText(wl.log.dir() + "/checkpoint", ReadText(wl.t / "mirror/checkpoint"));
  r = wl.Sync(wl.t / "mirror", kNow + 7200);
  CHECK(r.status.code() == Code::kPolicyUnsatisfied);
  CHECK(r.status.message().find("checkpoint too old") != std::string::npos);
  CHECK(r.outcome != SyncOutcome::kUpToDate);
  // A fresh, larger checkpoint is accepted again.
  wl.Cosigned(kNow + 7100, std::nullopt);
  r = wl.Sync(wl.t / "mirror", kNow + 7200);
  CHECK_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(r.new_size == 8);
  // The first (smaller, now also too old) checkpoint again: the older view is
  // what is reported, with both signed views as evidence.
  WriteText(wl.log.dir() + "/checkpoint", first);
  r = wl.Sync(wl.t / "mirror", kNow + 7200);
  CHECK(r.status.code() == Code::kPolicyUnsatisfied);
  REQUIRE(!r.evidence_path.empty());
  auto ev = audit::ParseEvidence(ReadText(r.evidence_path));
  REQUIRE(ev.ok());
  CHECK(ev->kind == "stale-view");
  CHECK(ev->checkpoint_a == first);
  CHECK(ev->checkpoint_b == ReadText(wl.t / "mirror/checkpoint"));
  // A clock set back behind the witness time the mirror already accepted
  // cannot judge freshness: a backdated cosignature that looks fresh to it is
  // refused.
  wl.log.Append(Releases(8, 1));
  wl.Cosigned(kNow - 10, std::nullopt);
  r = wl.Sync(wl.t / "mirror", kNow);
  CHECK(r.status.code() == Code::kPolicyUnsatisfied);
  CHECK(r.status.message().find("is behind the witness time") != std::string::npos);
  CHECK(VerifiedSize(wl.t / "mirror") == 8);
}

TEST_CASE("sync --policy: a far-future cosignature ignored at acceptance is no clock floor") {
  // Under `any`, one witness dating its cosignature in the year 3000 is
  // rightly ignored when the checkpoint is accepted. The clock floor for the
  // next sync must be the time accepted then, not a recomputation that counts
  // it: that would refuse every later sync ("clock behind"), freezing the
  // auditor on this view for ever.
  constexpr int64_t kNow = WitnessedLog::kNow;
  constexpr int64_t kYear3000 = 32503680000;
  WitnessedLog wl("group g any w1 w2\nquorum g\n");
  wl.log.Append(Releases(0, 3));
  wl.Cosigned(kNow - 10, kYear3000);
  SyncResult r = wl.Sync(wl.t / "mirror", kNow);
  REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
  wl.log.Append(Releases(3, 2));
  wl.Cosigned(kNow + 50, kYear3000);
  r = wl.Sync(wl.t / "mirror", kNow + 60);
  CHECK_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(VerifiedSize(wl.t / "mirror") == 5);
}

TEST_CASE("sync: the index records when each entry was first seen logged") {
  constexpr int64_t kNow = WitnessedLog::kNow;
  struct Case {
    const char* name;
    std::optional<int64_t> w1;  // the cosignature time; nullopt: sync without a policy
    int64_t want;
  };
  const Case cases[] = {
      {"the quorum time, earlier than the auditor's clock", kNow - 600, kNow - 600},
      {"the auditor's clock when a witness dates slightly ahead", kNow + 60, kNow},
      {"the auditor's clock without a policy", std::nullopt, kNow},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    WitnessedLog wl("quorum w1\n");
    wl.log.Append(Releases(0, 2));
    if (c.w1) {
      wl.Cosigned(c.w1, std::nullopt);
      REQUIRE(wl.Sync(wl.t / "mirror").status.ok());
    } else {
      auto m = audit::Mirror::Open(wl.t / "mirror", true, true);
      REQUIRE(m.ok());
      SyncOptions o;
      o.log = wl.log.dir();
      o.log_key = PublicKeyOf(wl.log_key);
      o.now = [] { return kNow; };
      REQUIRE(audit::Sync(**m, o).status.ok());
    }
    auto m = audit::Mirror::Open(wl.t / "mirror", false, false);
    REQUIRE(m.ok());
    auto rows = (*m)->index().Releases({}, 2);
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 2);
    for (const auto& row : *rows) CHECK(row.logged == c.want);
  }
  // Entries keep the time of the first checkpoint that included them.
  WitnessedLog wl("quorum w1\n");
  wl.log.Append(Releases(0, 2));
  wl.Cosigned(kNow - 600, std::nullopt);
  REQUIRE(wl.Sync(wl.t / "mirror").status.ok());
  wl.log.Append(Releases(2, 1));
  wl.Cosigned(kNow + 400, std::nullopt);
  REQUIRE(wl.Sync(wl.t / "mirror", kNow + 500).status.ok());
  auto m = audit::Mirror::Open(wl.t / "mirror", false, false);
  REQUIRE(m.ok());
  auto rows = (*m)->index().Releases({}, 3).value();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].logged == kNow - 600);
  CHECK(rows[2].logged == kNow + 400);
}

}  // namespace
}  // namespace candor
