// The attack matrix: every threat of docs/SECURITY.md "Who we defend against" that a device
// can check, one case each. Each attempt must be refused with the right reason
// class (Code) and one-line reason, by both the dry run and install, and must
// leave the flash target and the device state byte-for-byte unchanged.
#include <doctest/doctest.h>

#include <dirent.h>

#include <functional>

#include "agent_fixture.h"
#include "candor/agent/cli.h"
#include "candor/note.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::Keys;
using testing::kNow;
using testing::kOrigin;
using testing::Release;
using testing::World;

struct Attempt {
  Attempt(std::string i, std::string b, std::optional<std::string> p = std::nullopt)
      : image(std::move(i)), bundle(std::move(b)), proof(std::move(p)) {}
  std::string image;
  std::string bundle;
  std::optional<std::string> proof;
  uint64_t now = kNow;
};

struct Attack {
  const char* name;
  Code code;
  const char* reason;  // substring of the one-line reason
  std::function<Attempt(World&, Device&)> setup;
};

// Installs `r` (appended at the end of the log) as the device's baseline.
void InstallBaseline(World& w, Device& d, const Release& r) {
  uint64_t i = w.Append(r.entry);
  auto ok = d.Install(r.image, w.GoodBundle(i));
  REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
}

Attempt Good(World& w, const Release& r) {
  uint64_t i = w.Append(r.entry);
  return Attempt{r.image, w.GoodBundle(i)};
}

// Replaces `from` by `to` once in the signed manifest of `entry` (so the
// vendor signature no longer covers the text).
Bytes TamperManifest(const Bytes& entry, std::string_view from, std::string_view to) {
  auto e = ParseReleaseEntry(entry);
  REQUIRE(e.ok());
  std::string note = e->signed_manifest_note;
  size_t at = note.find(from);
  REQUIRE(at != std::string::npos);
  note.replace(at, from.size(), to);
  return EncodeReleaseEntry(note, e->changelog);
}

Disclosure Blocked() {
  auto d = ParseDisclosureArg("consumables.third-party=blocked,effective=2026-09-13");
  REQUIRE(d.ok());
  return *d;
}

std::string WithSignatures(std::string_view body, const std::vector<NoteSignature>& sigs) {
  Note n{std::string(body), sigs};
  auto text = FormatNote(n);
  REQUIRE(text.ok());
  return *text;
}

// A split view: the log's key signs two different trees. Branch A (size 2) is
// shown to witnesses w1 and w2; the device installs from it. Branch B (size 3,
// entry 1 rewritten, a silent release appended) is shown to w3 and cosigned by
// w2, who colludes: B meets the 2-of-3 quorum too. Only a consistency proof
// from the device's size 2 can tell them apart, and B has none that verifies
// against A's root.
Attempt SplitView(World& w, Device& d, bool with_branch_b_proof) {
  Release base = w.MakeRelease("1.0.0", 5);
  w.Append(base.entry);
  w.AppendFiller(1);
  auto ok = d.Install(base.image, w.BundleText(0, 2, w.CheckpointNote(2, {&w.w1, &w.w2})));
  REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  World b = w;
  b.entries.resize(1);
  b.tree.leaves.resize(1);
  b.Append(Bytes{'b', 'r', 'a', 'n', 'c', 'h', ' ', 'B'});
  Release silent = w.MakeRelease("1.1.0", 6);
  uint64_t i = b.Append(silent.entry);
  Attempt a{silent.image, b.BundleText(i, 3, b.CheckpointNote(3, {&w.w2, &w.w3}))};
  if (with_branch_b_proof) a.proof = testing::ProofFile(b, {2}, 3);
  return a;
}

const std::vector<Attack>& Attacks() {
  static const auto* attacks = new std::vector<Attack>{
      {"tampered image", Code::kMismatch, "image SHA-256 does not match",
       [](World& w, Device&) {
         Attempt a = Good(w, w.MakeRelease("1.0.0", 5));
         a.image[777] ^= 0x01;
         return a;
       }},
      {"truncated image", Code::kMismatch, "manifest says",
       [](World& w, Device&) {
         Attempt a = Good(w, w.MakeRelease("1.0.0", 5));
         a.image.pop_back();
         return a;
       }},
      {"image with extra bytes", Code::kMismatch, "larger than the manifest",
       [](World& w, Device&) {
         Attempt a = Good(w, w.MakeRelease("1.0.0", 5));
         a.image += "X";
         return a;
       }},
      {"tampered manifest field (logged)", Code::kBadSignature, "release entry",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         r.entry = TamperManifest(r.entry, "rollback 5\n", "rollback 9\n");
         return Good(w, r);
       }},
      {"tampered changelog (logged)", Code::kMismatch, "release entry",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         auto e = ParseReleaseEntry(r.entry);
         REQUIRE(e.ok());
         r.entry = EncodeReleaseEntry(e->signed_manifest_note, e->changelog + "Nothing else.\n");
         return Good(w, r);
       }},
      {"tampered disclosure (logged)", Code::kBadSignature, "release entry",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5, 100000, nullptr, {testing::kProduct}, {Blocked()});
         r.entry = TamperManifest(r.entry, "consumables.third-party blocked",
                                  "consumables.third-party warned");
         return Good(w, r);
       }},
      {"removed disclosure (logged)", Code::kBadSignature, "release entry",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5, 100000, nullptr, {testing::kProduct}, {Blocked()});
         r.entry = TamperManifest(
             r.entry, "disclose consumables.third-party blocked effective=2026-09-13\n", "");
         return Good(w, r);
       }},
      {"untrusted vendor key", Code::kUntrustedKey, "is not trusted for product printer-x1",
       [](World& w, Device&) {
         return Good(w, w.MakeRelease("1.0.0", 5, 100000, &w.evil_vendor));
       }},
      {"vendor key trusted for another product only", Code::kUntrustedKey,
       "is not trusted for product printer-x1",
       [](World& w, Device&) {
         return Good(w, w.MakeRelease("1.0.0", 5, 100000, &w.other_vendor));
       }},
      {"product mismatch", Code::kMismatch, "product mismatch",
       [](World& w, Device&) {
         return Good(w, w.MakeRelease("1.0.0", 5, 100000, nullptr, {"printer-x2"}));
       }},
      {"rollback", Code::kRollback, "rollback 16 < 17",
       [](World& w, Device& d) {
         InstallBaseline(w, d, w.MakeRelease("2.0.0", 17));
         return Good(w, w.MakeRelease("1.9.0", 16));
       }},
      {"unlogged entry (no proof)", Code::kNotIncluded, "not logged",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         w.AppendFiller(1);
         Bundle b{r.entry, 0, {}, w.GoodCheckpoint(1)};
         return Attempt{r.image, FormatBundle(b)};
       }},
      {"unlogged entry (index beyond the tree)", Code::kNotIncluded, "not logged",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         w.AppendFiller(4);
         Bundle b{r.entry, 4, {}, w.GoodCheckpoint(4)};
         return Attempt{r.image, FormatBundle(b)};
       }},
      {"proof for another entry", Code::kNotIncluded, "not logged",
       [](World& w, Device&) {
         Release mine = w.MakeRelease("1.0.0", 5);
         w.AppendFiller(3);
         uint64_t other = w.Append(w.MakeRelease("0.9.0", 4).entry);
         Bundle b{mine.entry, other, w.tree.Inclusion(other, 4), w.GoodCheckpoint(4)};
         return Attempt{mine.image, FormatBundle(b)};
       }},
      {"proof against a forged checkpoint", Code::kBadSignature, "checkpoint",
       [](World& w, Device&) {
         w.AppendFiller(4);
         auto genuine = ParseNote(w.GoodCheckpoint(4));
         REQUIRE(genuine.ok());
         // The attacker adds the entry in a private tree and reuses the
         // genuine signatures on the forged body.
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         std::string forged = WithSignatures(w.Body(5), genuine->signatures);
         return Attempt{r.image, w.BundleText(i, 5, forged)};
       }},
      {"checkpoint signed by an impostor key with the log's name", Code::kUntrustedKey,
       "checkpoint",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         Keys impostor = testing::MakeKey(kOrigin);
         std::string body = w.Body(1);
         std::string note = World::SignBody(body, impostor);
         note = World::AddCosig(note, body, w.w1, kNow - 60);
         note = World::AddCosig(note, body, w.w2, kNow - 60);
         return Attempt{r.image, w.BundleText(i, 1, note)};
       }},
      {"checkpoint signed by an unknown log", Code::kUntrustedKey, "unknown log",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         Keys evil = testing::MakeKey("evil.example/log");
         std::string body =
             FormatCheckpointBody(Checkpoint{"evil.example/log", 1, w.tree.Root(1), {}});
         std::string note = World::SignBody(body, evil);
         note = World::AddCosig(note, body, w.w1, kNow - 60);
         note = World::AddCosig(note, body, w.w2, kNow - 60);
         return Attempt{r.image, w.BundleText(i, 1, note)};
       }},
      {"missing witness cosignatures", Code::kPolicyUnsatisfied, "witness quorum not met (0 of 2)",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         return Attempt{r.image, w.BundleText(i, 1, w.CheckpointNote(1, {}))};
       }},
      {"insufficient witness cosignatures", Code::kPolicyUnsatisfied,
       "witness quorum not met (1 of 2)",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         return Attempt{r.image, w.BundleText(i, 1, w.CheckpointNote(1, {&w.w3}))};
       }},
      {"forged witness cosignature", Code::kBadSignature, "witness cosignature",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         std::string body = w.Body(1);
         std::string note = World::AddCosig(World::SignBody(body, w.log), body, w.w1, kNow - 60);
         // A cosignature line under w2's name and key ID, made with another key.
         Keys fake = testing::MakeKey(w.w2.vk.name, kKeyTypeCosignatureV1);
         auto sig = Cosign(fake.sk, body, kNow - 60);
         REQUIRE(sig.ok());
         sig->key_id = w.w2.vk.key_id;
         note += FormatSignatureLine(*sig);
         return Attempt{r.image, w.BundleText(i, 1, note)};
       }},
      {"duplicated witness cosignature", Code::kMalformed, "checkpoint",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         std::string body = w.Body(1);
         std::string note = World::AddCosig(World::SignBody(body, w.log), body, w.w1, kNow - 60);
         note = World::AddCosig(note, body, w.w1, kNow - 30);
         return Attempt{r.image, w.BundleText(i, 1, note)};
       }},
      {"checkpoint older than the maximum age", Code::kPolicyUnsatisfied, "checkpoint too old",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         return Attempt{r.image,
                        w.BundleText(i, 1, w.CheckpointNote(1, {&w.w1, &w.w2}, kNow - 2 * 86400))};
       }},
      {"checkpoint smaller than the last seen one", Code::kPolicyUnsatisfied,
       "stale checkpoint: tree size 2 < last seen 6",
       [](World& w, Device& d) {
         Release base = w.MakeRelease("1.0.0", 5);
         Release next = w.MakeRelease("1.1.0", 6);
         w.Append(base.entry);
         uint64_t i = w.Append(next.entry);
         w.AppendFiller(4);
         auto ok = d.Install(base.image, w.BundleText(0, 6, w.GoodCheckpoint(6)));
         REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
         return Attempt{next.image, w.BundleText(i, 2, w.GoodCheckpoint(2))};
       }},
      {"inconsistent fork (consistency proof)", Code::kInconsistent, "not consistent",
       [](World& w, Device& d) {
         Release base = w.MakeRelease("1.0.0", 5);
         InstallBaseline(w, d, base);
         w.AppendFiller(2);
         auto seen = ReadStatus(d.state_dir);
         REQUIRE(seen.ok());
         REQUIRE(seen->checkpoints.at(kOrigin).size == 1);
         // The (compromised) log shows this device a fork that rewrote entry 0.
         World fork = w;
         fork.entries.clear();
         fork.tree.leaves.clear();
         fork.AppendFiller(2);
         Release next = w.MakeRelease("1.1.0", 6);
         uint64_t i = fork.Append(next.entry);
         std::string proof = testing::ProofFileText(1, 3, fork.tree.Consistency(1, 3));
         return Attempt{next.image, fork.GoodBundle(i), proof};
       }},
      {"split view (colluding witness), larger checkpoint without a consistency proof",
       Code::kConsistencyRequired,
       "consistency proof required: last seen log.candor.example/firmware at size 2, checkpoint "
       "is size 3; none given",
       [](World& w, Device& d) { return SplitView(w, d, false); }},
      {"split view (colluding witness), with the other branch's consistency proof",
       Code::kInconsistent, "checkpoint is not consistent with the last seen tree",
       [](World& w, Device& d) { return SplitView(w, d, true); }},
      {"larger checkpoint, proof file only from other sizes", Code::kConsistencyRequired,
       "the proof file has no proof from size 2",
       [](World& w, Device& d) {
         Attempt a = SplitView(w, d, false);
         w.AppendFiller(2);
         a.proof = testing::ProofFile(w, {1, 3}, 4);
         return a;
       }},
      {"larger checkpoint, proof file for another log", Code::kConsistencyRequired,
       "the proof file is for log \"other.example/log\"",
       [](World& w, Device& d) {
         Attempt a = SplitView(w, d, false);
         World other = w.SecondLog("other.example/log");
         other.AppendFiller(3);
         a.proof = testing::ProofFile(other, {2}, 3);
         return a;
       }},
      {"larger checkpoint, proof to another tree size", Code::kConsistencyRequired,
       "the proof file proves to size 4",
       [](World& w, Device& d) {
         Attempt a = SplitView(w, d, false);
         w.AppendFiller(2);
         a.proof = testing::ProofFile(w, {2}, 4);
         return a;
       }},
      {"cosignatures dated far in the future (fresh for ever)", Code::kPolicyUnsatisfied,
       "witness quorum not met (0 of 2; 2 cosignature(s) dated more than 300 s ahead of this clock "
       "ignored)",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         const uint64_t ten_years = 10ull * 365 * 86400;
         return Attempt{r.image,
                        w.BundleText(i, 1, w.CheckpointNote(1, {&w.w1, &w.w2}, kNow + ten_years))};
       }},
      {"future cosignatures lift an old checkpoint's quorum time", Code::kPolicyUnsatisfied,
       "witness quorum not met (1 of 2; 2 cosignature(s) dated more than 300 s ahead",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         uint64_t i = w.Append(r.entry);
         // w1 cosigned two days ago (too old alone); w2 and w3 are dated in
         // ten years, which would make the quorum time "fresh" for ever.
         std::string body = w.Body(1);
         std::string note = World::SignBody(body, w.log);
         note = World::AddCosig(note, body, w.w1, kNow - 2 * 86400);
         note = World::AddCosig(note, body, w.w2, kNow + 3650ull * 86400);
         note = World::AddCosig(note, body, w.w3, kNow + 3650ull * 86400);
         return Attempt{r.image, w.BundleText(i, 1, note)};
       }},
      {"device clock set back behind the last seen quorum time", Code::kPolicyUnsatisfied,
       "is behind the witness time",
       [](World& w, Device& d) {
         Release base = w.MakeRelease("1.0.0", 5);
         InstallBaseline(w, d, base);  // cosigned at kNow - 60
         // A week-old checkpoint looks fresh to a clock set back by a week.
         Release next = w.MakeRelease("1.1.0", 6);
         uint64_t i = w.Append(next.entry);
         const uint64_t week = 7 * 86400;
         Attempt a{next.image,
                   w.BundleText(i, 2, w.CheckpointNote(2, {&w.w1, &w.w2}, kNow - week))};
         a.proof = testing::ProofFile(w, {1}, 2);
         a.now = kNow - week + 60;
         return a;
       }},
      {"fork at the same tree size", Code::kInconsistent, "fork: same tree size",
       [](World& w, Device& d) {
         Release base = w.MakeRelease("1.0.0", 5);
         w.Append(base.entry);
         w.AppendFiller(1);
         auto ok = d.Install(base.image, w.GoodBundle(0));
         REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
         World fork = w;
         fork.entries.clear();
         fork.tree.leaves.clear();
         Release next = w.MakeRelease("1.1.0", 6);
         uint64_t i = fork.Append(next.entry);
         fork.AppendFiller(1);
         return Attempt{next.image, fork.GoodBundle(i)};
       }},
      {"malformed bundle", Code::kMalformed, "",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         return Attempt{r.image, "this is not a bundle\n"};
       }},
      {"bundle whose entry is not a release entry", Code::kMalformed, "release entry",
       [](World& w, Device&) {
         Release r = w.MakeRelease("1.0.0", 5);
         w.AppendFiller(1);
         return Attempt{r.image, w.GoodBundle(0)};
       }},
      {"trailing garbage after the bundle", Code::kMalformed, "",
       [](World& w, Device&) {
         Attempt a = Good(w, w.MakeRelease("1.0.0", 5));
         a.bundle += "garbage\n";
         return a;
       }},
      {"truncated bundle", Code::kMalformed, "",
       [](World& w, Device&) {
         Attempt a = Good(w, w.MakeRelease("1.0.0", 5));
         a.bundle.resize(a.bundle.size() - 20);
         return a;
       }},
  };
  return *attacks;
}

// Runs `candor-agent install` in-process; returns {exit code, stderr}.
std::pair<int, std::string> CliInstall(const Device& d, const ImageRequest& req) {
  const std::string config = d.Path("agent.conf");
  testing::WriteFile(config, "policy " + d.Path("policy") + "\nproduct printer-x1\nstate-dir " +
                                 d.state_dir + "\nflash-target " + d.target + "\n");
  std::vector<std::string> args = {
      "--config",     config,    "--now",        std::to_string(req.now_unix),
      "install",      "--image", req.image_path, "--bundle",
      req.bundle_path};
  if (req.consistency_proof_path) {
    args.push_back("--consistency-proof");
    args.push_back(*req.consistency_proof_path);
  }
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE((out && err));
  int code = RunAgentCli(args, out, err);
  std::string text(4096, '\0');
  std::rewind(err);
  text.resize(std::fread(text.data(), 1, text.size(), err));
  std::fclose(out);
  std::fclose(err);
  return {code, text};
}

size_t CountStagingFiles(const std::string& dir) {
  size_t n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (struct dirent* e = readdir(d)) n += std::string_view(e->d_name).ends_with(".stage");
    closedir(d);
  }
  return n;
}

TEST_CASE("attack matrix: every attack is refused, nothing flashed, state unchanged") {
  for (const Attack& attack : Attacks()) {
    const std::string name = attack.name;
    CAPTURE(name);
    World w;
    Device d(w);
    Attempt a = attack.setup(w, d);
    const std::string target_before = d.TargetBytes();
    const std::string state_before = d.StateBytes();

    ImageRequest req = d.Request(a.image, a.bundle, a.proof, a.now);
    auto dry = VerifyImage(d.ctx, req);
    REQUIRE_FALSE(dry.ok());
    CHECK(dry.status().code() == attack.code);
    CHECK_MESSAGE(dry.status().message().find(attack.reason) != std::string::npos,
                  dry.status().ToString());

    auto got = InstallImage(d.ctx, req);
    REQUIRE_FALSE(got.ok());
    CHECK_MESSAGE(got.status().code() == attack.code, got.status().ToString());
    CHECK_MESSAGE(got.status().message().find(attack.reason) != std::string::npos,
                  got.status().ToString());
    CHECK(got.status().message().find('\n') == std::string::npos);
    CHECK(ExitCodeFor(got.status().code()) == ExitCodeFor(attack.code));
    CHECK(ExitCodeFor(got.status().code()) != 0);
    CHECK(d.TargetBytes() == target_before);
    CHECK(d.StateBytes() == state_before);
    CHECK(CountStagingFiles(d.state_dir) == 0);

    // The command line: one line naming the reason, the class's exit code.
    auto [code, err] = CliInstall(d, req);
    CHECK(code == ExitCodeFor(attack.code));
    // After the fixture policy's split-view warning (2 of 3 witnesses).
    CHECK(err ==
          QuorumSplitViewWarning(d.ctx.policy) + "\nrefused: " + got.status().message() + "\n");
    CHECK(d.TargetBytes() == target_before);
    CHECK(d.StateBytes() == state_before);
  }
}

TEST_CASE("attack matrix: the untampered control of each fixture is accepted") {
  // Guards against a matrix that passes because the fixtures are broken.
  World w;
  Device d(w);
  Release r = w.MakeRelease("1.0.0", 5, 100000, nullptr, {testing::kProduct}, {Blocked()});
  Attempt a = Good(w, r);
  auto got = d.Install(a.image, a.bundle);
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  CHECK(d.TargetBytes() == r.image);
}

}  // namespace
}  // namespace candor::agent
