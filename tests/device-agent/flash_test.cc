// Flash backends hand over the inode that was hashed, not a path: a file
// renamed over the staged image's path after the final hash (by another
// process) cannot change what is flashed.
#include "candor/agent/flash.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_fixture.h"
#include "candor/agent/agent.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::World;

std::string WriteScript(const Device& d, std::string_view body) {
  std::string path = d.Path("flash.sh");
  testing::WriteFile(path, "#!/bin/sh\n" + std::string(body));
  REQUIRE(::chmod(path.c_str(), 0700) == 0);
  return path;
}

TEST_CASE("flash-command: swapping the staged file after the hash changes nothing flashed") {
  World w;
  Device d(w);
  d.ctx.flash.target.clear();
  testing::Release v1 = w.MakeRelease("1.0.0", 5);
  const uint64_t i = w.Append(v1.entry);
  testing::WriteFile(d.Path("evil"), "EVIL FIRMWARE\n");
  // The "other process": the flash command itself, which runs after the
  // agent's final hash, renames a file of its own over every staged image in
  // the state dir and then copies what it was given ($4) to $3.
  d.ctx.flash.command = {WriteScript(d,
                                     "for f in \"$1\"/image.*.stage; do cp \"$2\" \"$f.new\" && "
                                     "mv -f \"$f.new\" \"$f\" || exit 9; done\n"
                                     "cp \"$4\" \"$3\"\n"
                                     "echo \"$4\" > \"$3.arg\"\n"),
                         d.state_dir, d.Path("evil"), d.Path("flashed")};
  auto got = d.Install(v1.image, w.GoodBundle(i));
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  CHECK(testing::ReadFileOr(d.Path("flashed")) == v1.image);
  CHECK(testing::ReadFileOr(d.Path("flashed.arg")).starts_with("/proc/self/fd/"));
}

TEST_CASE("flash-command: a staged file replaced before the final hash is refused") {
  // Replaced between staging and flashing (not through the state dir's
  // permissions, which the agent checks, but e.g. by the same user): the fd
  // opened for the command is not the inode staged, so nothing runs.
  World w;
  Device d(w);
  REQUIRE(::mkdir(d.state_dir.c_str(), 0700) == 0);
  testing::Release v1 = w.MakeRelease("1.0.0", 5);
  const std::string image_path = d.Path("img");
  testing::WriteFile(image_path, v1.image);
  auto src = ImageSource::Open(image_path);
  REQUIRE(src.ok());
  REQUIRE(src->StageInto(d.state_dir).ok());
  ImageReader reader = src->Reader();
  std::vector<uint8_t> buf(kImageChunkSize);
  Sha256 sha;
  for (;;) {
    auto n = reader(buf);
    REQUIRE(n.ok());
    if (*n == 0) break;
    sha.Update(ByteView(buf.data(), *n));
  }
  const Hash digest = sha.Final();
  auto staged = src->TakeStaged();
  REQUIRE(staged.ok());
  // The same bytes under a different inode: refused as a replacement.
  const std::string copy = staged->path() + ".copy";
  testing::WriteFile(copy, v1.image);
  REQUIRE(::rename(copy.c_str(), staged->path().c_str()) == 0);
  FlashBackend backend;
  backend.command = {WriteScript(d, "touch \"$0.ran\"\n")};
  const Status s = Flash(backend, *staged, digest, v1.image.size());
  CHECK(s.code() == Code::kMismatch);
  CHECK(testing::ReadFileOr(d.Path("flash.sh.ran")) == "<absent>");

  // flash-target reads the staging fd itself: the renamed path is irrelevant.
  FlashBackend target;
  target.target = d.target;
  REQUIRE(::unlink(staged->path().c_str()) == 0);
  testing::WriteFile(staged->path(), "EVIL FIRMWARE\n");
  CHECK(Flash(target, *staged, digest, v1.image.size()).ok());
  CHECK(d.TargetBytes() == v1.image);
}

}  // namespace
}  // namespace candor::agent
