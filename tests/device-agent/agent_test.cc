// Install, upgrade and state-handling behaviour of candor_agent (agent.h).
#include "candor/agent/agent.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "agent_fixture.h"
#include "candor/agent/private_dir.h"
#include "candor/sha256.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::kNow;
using testing::Release;
using testing::World;

Disclosure Disc(std::string_view arg) {
  auto d = ParseDisclosureArg(arg);
  REQUIRE(d.ok());
  return *d;
}

TEST_CASE("install: accept path flashes the image and records the release") {
  World w;
  Device d(w);
  Release r = w.MakeRelease("1.0.0", 5, 300000, nullptr, {testing::kProduct},
                            {Disc("consumables.third-party=blocked,effective=2026-09-13")});
  w.AppendFiller(2);
  uint64_t i = w.Append(r.entry);
  auto got = d.Install(r.image, w.GoodBundle(i));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  CHECK(got->log_index == 2);
  CHECK(d.TargetBytes() == r.image);

  auto state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  REQUIRE(state->products.size() == 1);
  const InstalledRelease& rel = state->products.at(testing::kProduct);
  CHECK(rel.rollback == 5);
  CHECK(rel.version == "1.0.0");
  CHECK(rel.log_index == 2);
  CHECK(rel.image_size == r.image.size());
  CHECK(rel.entry == r.entry);
  CHECK(rel.installed_at == kNow);
  REQUIRE(state->checkpoints.size() == 1);
  const SeenCheckpoint& seen = state->checkpoints.at(testing::kOrigin);
  CHECK(seen.size == 3);
  CHECK(seen.origin == testing::kOrigin);
  CHECK(seen.note == w.GoodCheckpoint(3));
  CHECK(seen.quorum_time == kNow - 60);

  std::string text = FormatStatusText(*state);
  CHECK(text.find("product printer-x1: version 1.0.0 (rollback 5), log index 2") !=
        std::string::npos);
  CHECK(text.find("disclosure (restrictive): ") != std::string::npos);
  CHECK(text.find("2026-09-13") != std::string::npos);
  std::string json = FormatStatusJson(*state);
  CHECK(json.find("\"kind\":\"consumables.third-party\"") != std::string::npos);
  CHECK(json.find("\"effective\":\"2026-09-13\"") != std::string::npos);
  CHECK(json.find("\"log_index\":2") != std::string::npos);
  CHECK(json.find("\"checkpoints\":[{\"origin\":\"log.candor.example/firmware\",\"size\":3") !=
        std::string::npos);
  CHECK(json.find(",\"quorum_time\":" + std::to_string(kNow - 60) + ",") != std::string::npos);
}

TEST_CASE("status --json escapes control characters and replaces invalid UTF-8") {
  // Stored state is normally validated, but status must print valid JSON
  // whatever the state file holds (candor/json_string.h).
  DeviceState state;
  InstalledRelease rel;
  rel.version = "1.0\r\b\f\x01\"\\\xff\xc3\xa9";
  rel.entry = Bytes{0x00, 0xff};  // unparsable: the entry error goes to JSON too
  state.products["p\xc0\xaf"] = rel;
  state.checkpoints["origin\n\xed\xa0\x80"] =
      SeenCheckpoint{"origin\n\xed\xa0\x80", 1, Hash{}, "note\t\x7f", std::nullopt};
  std::string json = FormatStatusJson(state);
  CAPTURE(json);
  CHECK(json.find("\"product\":\"p\xef\xbf\xbd\xef\xbf\xbd\"") != std::string::npos);
  CHECK(json.find("\"version\":\"1.0\\r\\b\\f\\u0001\\\"\\\\\xef\xbf\xbd\xc3\xa9\"") !=
        std::string::npos);
  CHECK(json.find("\"entry_error\":\"") != std::string::npos);
  CHECK(json.find("\"origin\":\"origin\\n\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"") !=
        std::string::npos);
  CHECK(json.find("\"note\":\"note\\t\\u007f\"") != std::string::npos);
  for (char c : json.substr(0, json.size() - 1)) {  // the trailing newline is the only raw control
    CHECK(static_cast<unsigned char>(c) >= 0x20);
  }
}

TEST_CASE("install: upgrade sequence across several releases") {
  World w;
  Device d(w);
  std::vector<Release> rel;
  for (uint64_t k = 1; k <= 4; ++k)
    rel.push_back(w.MakeRelease("1." + std::to_string(k) + ".0", k));

  // v1 at index 0, tree size 1.
  uint64_t i0 = w.Append(rel[0].entry);
  REQUIRE(d.Install(rel[0].image, w.GoodBundle(i0)).ok());
  // v2 at index 2 (tree 3), with a consistency proof from the last seen tree.
  w.AppendFiller(1);
  uint64_t i1 = w.Append(rel[1].entry);
  auto v2 =
      d.Install(rel[1].image, w.GoodBundle(i1), testing::ProofFile(w, {1}, 3));
  REQUIRE_MESSAGE(v2.ok(), v2.status().ToString());
  CHECK(d.TargetBytes() == rel[1].image);
  // v3 at index 5 (tree 6), with a file that carries proofs from several sizes
  // the update server handed out (the device picks 3).
  w.AppendFiller(2);
  uint64_t i2 = w.Append(rel[2].entry);
  auto v3 = d.Install(rel[2].image, w.GoodBundle(i2), testing::ProofFile(w, {1, 2, 3, 5}, 6));
  REQUIRE_MESSAGE(v3.ok(), v3.status().ToString());
  CHECK(d.TargetBytes() == rel[2].image);
  // Re-installing the same release (equal counter) is allowed, at a newer checkpoint.
  w.AppendFiller(1);
  REQUIRE(d.Install(rel[2].image, w.GoodBundle(i2), testing::ProofFile(w, {6}, 7)).ok());
  // A wrong consistency proof for the next one is refused...
  uint64_t i3 = w.Append(rel[3].entry);
  std::vector<Hash> wrong = w.tree.Consistency(7, 8);
  wrong.back()[0] ^= 1;
  auto bad = d.Install(rel[3].image, w.GoodBundle(i3), testing::ProofFileText(7, 8, wrong));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInconsistent);
  // ...so is a file without a proof from the device's size 7 ...
  auto other = d.Install(rel[3].image, w.GoodBundle(i3), testing::ProofFile(w, {6}, 8));
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().code() == Code::kConsistencyRequired);
  // ...and none at all...
  auto none = d.Install(rel[3].image, w.GoodBundle(i3));
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == Code::kConsistencyRequired);
  CHECK(none.status().message() ==
        "consistency proof required: last seen log.candor.example/firmware at size 7, checkpoint "
        "is size 8; none given");
  // ...the right one (7 -> 8) is accepted.
  auto v4 = d.Install(rel[3].image, w.GoodBundle(i3), testing::ProofFile(w, {7}, 8));
  REQUIRE_MESSAGE(v4.ok(), v4.status().ToString());
  // Going back to v2 is a rollback, even with a fresh checkpoint.
  auto back = d.Install(rel[1].image, w.GoodBundle(i1));
  REQUIRE_FALSE(back.ok());
  CHECK(back.status().code() == Code::kRollback);
  CHECK(back.status().message() == "rollback 2 < 4");

  auto state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  CHECK(state->RollbackFor(testing::kProduct) == 4);
  CHECK(state->products.at(testing::kProduct).version == "1.4.0");
  CHECK(state->checkpoints.at(testing::kOrigin).size == 8);
  CHECK(d.TargetBytes() == rel[3].image);
}

TEST_CASE("verify: the dry run changes neither the target nor the state") {
  World w;
  Device d(w);
  Release r = w.MakeRelease("1.0.0", 5);
  uint64_t i = w.Append(r.entry);
  auto got = VerifyImage(d.ctx, d.Request(r.image, w.GoodBundle(i)));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  CHECK(got->release.manifest.version == "1.0.0");
  CHECK(d.TargetBytes() == "OLD FIRMWARE\n");
  CHECK(d.StateBytes() == "<absent>");
}

TEST_CASE("install: a corrupt state file is refused, not reset") {
  World w;
  Device d(w);
  Release v1 = w.MakeRelease("1.0.0", 5);
  REQUIRE(d.Install(v1.image, w.GoodBundle(w.Append(v1.entry))).ok());
  Release v2 = w.MakeRelease("1.1.0", 6);
  uint64_t i2 = w.Append(v2.entry);

  std::string state = d.StateBytes();
  size_t at = state.find("rollback 5");
  REQUIRE(at != std::string::npos);
  state[at + 9] = '0';  // "rollback 0": would allow any downgrade if accepted
  testing::WriteFile(d.state_dir + "/state", state);
  const std::string target = d.TargetBytes();

  auto got = d.Install(v2.image, w.GoodBundle(i2));
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kMalformed);
  CHECK(got.status().message().find("corrupt state file") != std::string::npos);
  CHECK(d.TargetBytes() == target);
  CHECK(d.StateBytes() == state);
  CHECK_FALSE(VerifyImage(d.ctx, d.Request(v2.image, w.GoodBundle(i2))).ok());
  CHECK_FALSE(ReadStatus(d.state_dir).ok());
}

TEST_CASE("install: leftovers of a crash (state.tmp, staging files) are not committed") {
  World w;
  Device d(w);
  Release v1 = w.MakeRelease("1.0.0", 5);
  REQUIRE(d.Install(v1.image, w.GoodBundle(w.Append(v1.entry))).ok());
  const std::string committed = d.StateBytes();
  testing::WriteFile(d.state_dir + "/state.tmp", "candor-agent-state v1\nhalf a fi");
  testing::WriteFile(d.state_dir + "/image.abcdef.stage", "half an image");
  auto state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  CHECK(state->RollbackFor(testing::kProduct) == 5);

  Release v2 = w.MakeRelease("1.1.0", 6);
  uint64_t i2 = w.Append(v2.entry);
  REQUIRE(d.Install(v2.image, w.GoodBundle(i2), testing::ProofFile(w, {i2}, i2 + 1)).ok());
  CHECK(testing::ReadFileOr(d.state_dir + "/image.abcdef.stage") == "<absent>");
  CHECK(testing::ReadFileOr(d.state_dir + "/state.tmp") == "<absent>");
  CHECK(d.StateBytes() != committed);
}

TEST_CASE("install: one agent at a time per state dir") {
  World w;
  Device d(w);
  REQUIRE(EnsurePrivateDir(d.state_dir).ok());
  auto lock = AcquireStateLock(d.state_dir);
  REQUIRE(lock.ok());
  Release v1 = w.MakeRelease("1.0.0", 5);
  auto got = d.Install(v1.image, w.GoodBundle(w.Append(v1.entry)));
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kConflict);
  CHECK(d.TargetBytes() == "OLD FIRMWARE\n");
}

TEST_CASE("install: a missing flash target is an error, never created") {
  World w;
  Device d(w);
  d.ctx.flash.target = d.Path("no-such-partition");
  Release v1 = w.MakeRelease("1.0.0", 5);
  auto got = d.Install(v1.image, w.GoodBundle(w.Append(v1.entry)));
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kIo);
  CHECK(testing::ReadFileOr(d.ctx.flash.target) == "<absent>");
  CHECK(d.StateBytes() == "<absent>");
}

TEST_CASE("install: state dir is created private") {
  World w;
  Device d(w);
  Release v1 = w.MakeRelease("1.0.0", 5);
  REQUIRE(d.Install(v1.image, w.GoodBundle(w.Append(v1.entry))).ok());
  struct stat st;
  REQUIRE(::stat(d.state_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(::stat((d.state_dir + "/state").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

// A flash command that copies its last argument to $root/flashed, or fails.
std::string WriteScript(const Device& d, std::string_view body) {
  std::string path = d.Path("flash.sh");
  testing::WriteFile(path, "#!/bin/sh\n" + std::string(body));
  REQUIRE(::chmod(path.c_str(), 0700) == 0);
  return path;
}

TEST_CASE("install: flash-command backend") {
  World w;
  Device d(w);
  d.ctx.flash.target.clear();
  Release v1 = w.MakeRelease("1.0.0", 5);
  uint64_t i = w.Append(v1.entry);

  SUBCASE("exit 0 commits the state") {
    d.ctx.flash.command = {WriteScript(d, "cp \"$2\" \"$1\"\n"), d.Path("flashed")};
    auto got = d.Install(v1.image, w.GoodBundle(i));
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    CHECK(testing::ReadFileOr(d.Path("flashed")) == v1.image);
    CHECK(ReadStatus(d.state_dir)->RollbackFor(testing::kProduct) == 5);
  }
  SUBCASE("a failing command leaves the state unchanged") {
    d.ctx.flash.command = {WriteScript(d, "exit 3\n")};
    auto got = d.Install(v1.image, w.GoodBundle(i));
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == Code::kIo);
    CHECK(got.status().message().find("flash failed") != std::string::npos);
    CHECK(got.status().message().find("status 3") != std::string::npos);
    CHECK(d.StateBytes() == "<absent>");
  }
  SUBCASE("a command killed by a signal is a failure") {
    d.ctx.flash.command = {WriteScript(d, "kill -9 $$\n")};
    auto got = d.Install(v1.image, w.GoodBundle(i));
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == Code::kIo);
    CHECK(d.StateBytes() == "<absent>");
  }
}

TEST_CASE("install: the flashed bytes are the verified bytes even if the file changes later") {
  // The agent stages what it hashes; rewriting the caller's file after the
  // agent opened it cannot change what is flashed. Simulated by a flash
  // command that overwrites the original image path before copying its argument.
  World w;
  Device d(w);
  d.ctx.flash.target.clear();
  Release v1 = w.MakeRelease("1.0.0", 5);
  uint64_t i = w.Append(v1.entry);
  ImageRequest req = d.Request(v1.image, w.GoodBundle(i));
  d.ctx.flash.command = {WriteScript(d, "echo EVIL > \"$1\"\ncp \"$3\" \"$2\"\n"), req.image_path,
                         d.Path("flashed")};
  auto got = InstallImage(d.ctx, req);
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  CHECK(testing::ReadFileOr(req.image_path) == "EVIL\n");
  CHECK(testing::ReadFileOr(d.Path("flashed")) == v1.image);
}

TEST_CASE("install: two logs keep separate last-seen trees (no false fork alarm, history kept)") {
  World a;
  World b = a.SecondLog("second.example/log");
  Device d(a);
  auto policy = ParseTrustPolicy(a.PolicyWithLog(b));
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  d.ctx.policy = *policy;

  // Log A at size 3.
  Release r1 = a.MakeRelease("1.0.0", 1);
  a.AppendFiller(2);
  uint64_t ia = a.Append(r1.entry);
  auto got = d.Install(r1.image, a.GoodBundle(ia));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  // Log B at size 1: smaller than A's tree, but another log (no fork alarm).
  Release r2 = a.MakeRelease("1.1.0", 2);
  uint64_t ib = b.Append(r2.entry);
  got = d.Install(r2.image, b.GoodBundle(ib));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  auto state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  REQUIRE(state->checkpoints.size() == 2);
  CHECK(state->checkpoints.at(a.origin).size == 3);
  CHECK(state->checkpoints.at(b.origin).size == 1);

  // Back to A at size 5: A's history was kept, so a proof from 3 is required...
  Release r3 = a.MakeRelease("1.2.0", 3);
  a.AppendFiller(1);
  uint64_t ia2 = a.Append(r3.entry);
  auto unproven = d.Install(r3.image, a.GoodBundle(ia2));
  REQUIRE_FALSE(unproven.ok());
  CHECK(unproven.status().code() == Code::kConsistencyRequired);
  CHECK(unproven.status().message().find("last seen log.candor.example/firmware at size 3") !=
        std::string::npos);
  // ...a proof from B's size does not do...
  auto wrong = d.Install(r3.image, a.GoodBundle(ia2), testing::ProofFile(a, {1}, 5));
  CHECK(wrong.status().code() == Code::kConsistencyRequired);
  // ...and one from 3 is accepted.
  got = d.Install(r3.image, a.GoodBundle(ia2), testing::ProofFile(a, {3}, 5));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  CHECK(state->checkpoints.at(a.origin).size == 5);
  CHECK(state->checkpoints.at(b.origin).size == 1);
  std::string text = FormatStatusText(*state);
  CHECK(text.find("last checkpoint: log.candor.example/firmware size 5") != std::string::npos);
  CHECK(text.find("last checkpoint: second.example/log size 1") != std::string::npos);
  std::string json = FormatStatusJson(*state);
  CHECK(json.find("\"checkpoints\":[{\"origin\":\"log.candor.example/firmware\",\"size\":5") !=
        std::string::npos);
  CHECK(json.find("{\"origin\":\"second.example/log\",\"size\":1") != std::string::npos);
}

TEST_CASE("install: rollback counters at the u64 edges reach the state and status, and back") {
  // Manifest -> agent state -> status JSON -> next install: one u64 range. A
  // counter of 2^63 used to make the agent unable to read its own state.
  struct Edge {
    uint64_t first, second;
  } edges[] = {
      {0, 0},
      {uint64_t{INT64_MAX}, uint64_t{INT64_MAX} + 1},
      {uint64_t{1} << 63, UINT64_MAX},
      {UINT64_MAX, UINT64_MAX},
  };
  for (const Edge& e : edges) {
    CAPTURE(e.first);
    World w;
    Device d(w);
    Release r1 = w.MakeRelease("1.0.0", e.first);
    uint64_t i1 = w.Append(r1.entry);
    auto got = d.Install(r1.image, w.GoodBundle(i1));
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    auto state = ReadStatus(d.state_dir);
    REQUIRE_MESSAGE(state.ok(), state.status().ToString());
    CHECK(state->RollbackFor(testing::kProduct) == e.first);
    CHECK(FormatStatusJson(*state).find("\"rollback\":" + std::to_string(e.first) + ",") !=
          std::string::npos);
    // The next install reads that state back and moves on.
    Release r2 = w.MakeRelease("2.0.0", e.second);
    uint64_t i2 = w.Append(r2.entry);
    got = d.Install(r2.image, w.GoodBundle(i2), testing::ProofFile(w, {1}, 2));
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    state = ReadStatus(d.state_dir);
    REQUIRE(state.ok());
    CHECK(state->RollbackFor(testing::kProduct) == e.second);
    if (e.second > 0) {
      Release older = w.MakeRelease("0.9.0", e.second - 1);
      uint64_t i3 = w.Append(older.entry);
      auto back = d.Install(older.image, w.GoodBundle(i3), testing::ProofFile(w, {2}, 3));
      CHECK(back.status().code() == Code::kRollback);
    }
  }
}

TEST_CASE("install: a v1 state file is migrated to v2 on the next commit, counters kept") {
  World w;
  Device d(w);
  Release r1 = w.MakeRelease("1.0.0", uint64_t{1} << 63);
  uint64_t i1 = w.Append(r1.entry);
  REQUIRE(d.Install(r1.image, w.GoodBundle(i1)).ok());
  // Rewrite the committed state as the previous agent version wrote it.
  auto state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  state->checkpoints.begin()->second.quorum_time.reset();
  std::string text = FormatState(*state);
  std::string body = text.substr(0, text.rfind("checksum "));
  body.replace(0, 21, "candor-agent-state v1");
  testing::WriteFile(d.state_dir + "/state",
                     body + "checksum " + HexEncode(Sha256Digest(body)) + "\n");
  auto v1 = ReadStatus(d.state_dir);
  REQUIRE_MESSAGE(v1.ok(), v1.status().ToString());
  CHECK(v1->RollbackFor(testing::kProduct) == uint64_t{1} << 63);

  // The v1 history still binds: a larger checkpoint needs a proof from 1.
  Release r2 = w.MakeRelease("1.1.0", (uint64_t{1} << 63) + 1);
  uint64_t i2 = w.Append(r2.entry);
  CHECK(d.Install(r2.image, w.GoodBundle(i2)).status().code() == Code::kConsistencyRequired);
  auto got = d.Install(r2.image, w.GoodBundle(i2), testing::ProofFile(w, {1}, 2));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  CHECK(d.StateBytes().starts_with("candor-agent-state v2\n"));
  auto v2 = ReadStatus(d.state_dir);
  REQUIRE(v2.ok());
  CHECK(v2->RollbackFor(testing::kProduct) == (uint64_t{1} << 63) + 1);
  CHECK(v2->checkpoints.at(testing::kOrigin).quorum_time == kNow - 60);
}

TEST_CASE("install: cosignatures a little ahead of the device clock still count") {
  // The skew allowance (kMaxClockSkewSeconds): witness and device clocks are
  // only roughly synchronised.
  World w;
  Device d(w);
  Release r = w.MakeRelease("1.0.0", 5);
  uint64_t i = w.Append(r.entry);
  auto got = d.Install(r.image,
                       w.BundleText(i, 1, w.CheckpointNote(1, {&w.w1, &w.w2}, kNow + kMaxClockSkewSeconds)));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  // The device clock may then be behind that quorum time by the skew, no more.
  Release r2 = w.MakeRelease("1.1.0", 6);
  uint64_t i2 = w.Append(r2.entry);
  const std::string bundle = w.BundleText(i2, 2, w.CheckpointNote(2, {&w.w1, &w.w2}, kNow - 60));
  auto behind = d.Install(r2.image, bundle, testing::ProofFile(w, {1}, 2), kNow - 1);
  CHECK(behind.status().code() == Code::kPolicyUnsatisfied);
  CHECK(behind.status().message().find("is behind the witness time") != std::string::npos);
  got = d.Install(r2.image, bundle, testing::ProofFile(w, {1}, 2), kNow);
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
}

TEST_CASE("install: a far-future cosignature that counted without max-checkpoint-age is no clock floor") {
  // Without max-checkpoint-age, times are not used and a cosignature dated in
  // the year 3000 counts. Stored as the clock floor unchanged, it would refuse
  // every install once a later policy sets a maximum age (a bricked update
  // path whose only "recovery" resets rollback protection).
  World w;
  Device d(w);
  std::string text = w.PolicyText();
  const std::string age = "max-checkpoint-age 86400\n";
  REQUIRE(text.find(age) != std::string::npos);
  auto no_age = ParseTrustPolicy(text.substr(0, text.find(age)));
  REQUIRE(no_age.ok());
  d.ctx.policy = *no_age;
  constexpr uint64_t kYear3000 = 32503680000;
  Release r = w.MakeRelease("1.0.0", 5);
  uint64_t i = w.Append(r.entry);
  auto got = d.Install(r.image, w.BundleText(i, 1, w.CheckpointNote(1, {&w.w1, &w.w2}, kYear3000)));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  auto state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  REQUIRE(state->checkpoints.at(w.origin).quorum_time.has_value());
  CHECK(*state->checkpoints.at(w.origin).quorum_time <= kNow + kMaxClockSkewSeconds);

  // The policy now sets a maximum age: an honest, fresh checkpoint installs.
  d.ctx.policy = w.Policy();
  Release r2 = w.MakeRelease("1.1.0", 6);
  uint64_t i2 = w.Append(r2.entry);
  got = d.Install(r2.image, w.BundleText(i2, 2, w.CheckpointNote(2, {&w.w1, &w.w2})),
                  testing::ProofFile(w, {1}, 2));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
}

TEST_CASE("install: last-seen trees of logs the policy no longer trusts are dropped") {
  // The state holds at most kMaxSeenLogs trees and LoadState refuses more: a
  // device that kept every log it ever saw across policy changes would brick.
  // One tree per log of the current policy (at most kMaxPolicyLogs) is kept.
  static_assert(kMaxSeenLogs == kMaxPolicyLogs);
  World a;
  World b = a.SecondLog("second.example/log");
  Device d(a);
  auto both = ParseTrustPolicy(a.PolicyWithLog(b));
  REQUIRE(both.ok());
  d.ctx.policy = *both;
  Release r1 = a.MakeRelease("1.0.0", 1);
  uint64_t ia = a.Append(r1.entry);
  REQUIRE(d.Install(r1.image, a.GoodBundle(ia)).ok());
  Release r2 = a.MakeRelease("1.1.0", 2);
  uint64_t ib = b.Append(r2.entry);
  REQUIRE(d.Install(r2.image, b.GoodBundle(ib)).ok());
  auto state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  CHECK(state->checkpoints.size() == 2);

  // The vendor's new policy trusts the second log only.
  std::string text = a.PolicyWithLog(b);
  const std::string first_log = "log " + FormatVerifierKey(a.log.vk) + "\n";
  text.erase(text.find(first_log), first_log.size());
  auto only_b = ParseTrustPolicy(text);
  REQUIRE_MESSAGE(only_b.ok(), only_b.status().ToString());
  d.ctx.policy = *only_b;
  Release r3 = a.MakeRelease("1.2.0", 3);
  uint64_t ib2 = b.Append(r3.entry);
  auto got = d.Install(r3.image, b.GoodBundle(ib2), testing::ProofFile(b, {1}, 2));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  state = ReadStatus(d.state_dir);
  REQUIRE(state.ok());
  CHECK(state->checkpoints.size() == 1);
  CHECK(state->checkpoints.contains(b.origin));
}

}  // namespace
}  // namespace candor::agent
