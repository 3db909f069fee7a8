// Install, upgrade and state-handling behaviour of candor_agent (agent.h).
#include "candor/agent/agent.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "agent_fixture.h"
#include "candor/agent/fs.h"

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
  REQUIRE(state->checkpoint);
  CHECK(state->checkpoint->size == 3);
  CHECK(state->checkpoint->origin == testing::kOrigin);
  CHECK(state->checkpoint->note == w.GoodCheckpoint(3));

  std::string text = FormatStatusText(*state);
  CHECK(text.find("product printer-x1: version 1.0.0 (rollback 5), log index 2") !=
        std::string::npos);
  CHECK(text.find("disclosure (restrictive): ") != std::string::npos);
  CHECK(text.find("2026-09-13") != std::string::npos);
  std::string json = FormatStatusJson(*state);
  CHECK(json.find("\"kind\":\"consumables.third-party\"") != std::string::npos);
  CHECK(json.find("\"effective\":\"2026-09-13\"") != std::string::npos);
  CHECK(json.find("\"log_index\":2") != std::string::npos);
  CHECK(json.find("\"checkpoint\":{\"origin\":\"log.candor.example/firmware\",\"size\":3") !=
        std::string::npos);
}

TEST_CASE("status --json escapes control characters and replaces invalid UTF-8") {
  // Stored state is normally validated, but status must print valid JSON
  // whatever the state file holds (candor/json_string.h).
  DeviceState state;
  InstalledRelease rel;
  rel.version = "1.0\r\b\f\x01\"\\\xff\xc3\xa9";
  rel.entry = Bytes{0x00, 0xff};  // unparsable: the entry error goes to JSON too
  state.products["p\xc0\xaf"] = rel;
  state.checkpoint = SeenCheckpoint{"origin\n\xed\xa0\x80", 1, Hash{}, "note\t\x7f"};
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
      d.Install(rel[1].image, w.GoodBundle(i1), testing::ProofFileText(w.tree.Consistency(1, 3)));
  REQUIRE_MESSAGE(v2.ok(), v2.status().ToString());
  CHECK(d.TargetBytes() == rel[1].image);
  // v3 at index 5 (tree 6), without a consistency proof (size still checked).
  w.AppendFiller(2);
  uint64_t i2 = w.Append(rel[2].entry);
  REQUIRE(d.Install(rel[2].image, w.GoodBundle(i2)).ok());
  CHECK(d.TargetBytes() == rel[2].image);
  // Re-installing the same release (equal counter) is allowed, at a newer checkpoint.
  w.AppendFiller(1);
  REQUIRE(d.Install(rel[2].image, w.GoodBundle(i2)).ok());
  // A wrong consistency proof for the next one is refused...
  uint64_t i3 = w.Append(rel[3].entry);
  auto bad =
      d.Install(rel[3].image, w.GoodBundle(i3), testing::ProofFileText(w.tree.Consistency(6, 8)));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInconsistent);
  // ...the right one (7 -> 8) is accepted.
  auto v4 =
      d.Install(rel[3].image, w.GoodBundle(i3), testing::ProofFileText(w.tree.Consistency(7, 8)));
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
  CHECK(state->checkpoint->size == 8);
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
  REQUIRE(d.Install(v2.image, w.GoodBundle(w.Append(v2.entry))).ok());
  CHECK(testing::ReadFileOr(d.state_dir + "/image.abcdef.stage") == "<absent>");
  CHECK(testing::ReadFileOr(d.state_dir + "/state.tmp") == "<absent>");
  CHECK(d.StateBytes() != committed);
}

TEST_CASE("install: one agent at a time per state dir") {
  World w;
  Device d(w);
  REQUIRE(EnsurePrivateDir(d.state_dir).ok());
  auto lock = FileLock::Acquire(d.state_dir);
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

TEST_CASE("ParseConsistencyProofFile is strict") {
  Hash h{};
  h[0] = 7;
  std::string line = Base64Encode(h) + "\n";
  CHECK(ParseConsistencyProofFile("")->empty());
  CHECK(ParseConsistencyProofFile(line + line)->size() == 2);
  CHECK_FALSE(ParseConsistencyProofFile(line.substr(0, line.size() - 1)).ok());
  CHECK_FALSE(ParseConsistencyProofFile(line + "\n").ok());
  CHECK_FALSE(ParseConsistencyProofFile(" " + line).ok());
  CHECK_FALSE(ParseConsistencyProofFile("AAAA\n").ok());
  std::string many;
  for (int k = 0; k < 64; ++k) many += line;
  CHECK_FALSE(ParseConsistencyProofFile(many).ok());
}

}  // namespace
}  // namespace candor::agent
