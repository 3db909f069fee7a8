// CheckPrivateDir / EnsurePrivateDir: a state dir that another user could
// rename entries in (so swap the state or the staged image) is refused, and so
// is an install into one.
#include "candor/agent/private_dir.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_fixture.h"
#include "candor/agent/agent.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::World;

TEST_CASE("CheckPrivateDir: owner and write bits of the dir and its parents") {
  // Runs as any user; chown cases need root (skipped otherwise).
  const bool root = ::geteuid() == 0;
  struct Case {
    const char* name;
    mode_t dir_mode;
    mode_t parent_mode;
    uid_t dir_owner;  // 0: the test's euid
    bool ok;
  };
  const Case cases[] = {
      {"0700", 0700, 0700, 0, true},
      {"0755: others may read, not write", 0755, 0700, 0, true},
      {"0750", 0750, 0700, 0, true},
      {"group writable", 0770, 0700, 0, false},
      {"others writable", 0703, 0700, 0, false},
      {"world writable", 0777, 0700, 0, false},
      {"world writable and sticky", 01777, 0700, 0, false},
      {"parent group writable", 0700, 0770, 0, false},
      {"parent world writable", 0700, 0777, 0, false},
      {"parent world writable but sticky, like /tmp", 0700, 01777, 0, true},
      {"owned by another user", 0700, 0700, 4242, false},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    if (c.dir_owner != 0 && !root) continue;
    World w;
    Device d(w);
    const std::string parent = d.Path("parent"), dir = parent + "/state";
    REQUIRE(::mkdir(parent.c_str(), 0700) == 0);
    REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
    REQUIRE(::chmod(dir.c_str(), c.dir_mode) == 0);
    REQUIRE(::chmod(parent.c_str(), c.parent_mode) == 0);
    if (c.dir_owner != 0) REQUIRE(::chown(dir.c_str(), c.dir_owner, static_cast<gid_t>(-1)) == 0);
    const Status s = CheckPrivateDir(dir);
    CHECK_MESSAGE(s.ok() == c.ok, s.ToString());
    CHECK(EnsurePrivateDir(dir).ok() == c.ok);
    if (!c.ok) {
      CHECK(s.code() == Code::kIo);
      CHECK(s.message().find(dir) != std::string::npos);
    }
    // Through a symlink, the real directory is what counts.
    const std::string link = d.Path("link");
    REQUIRE(::symlink(dir.c_str(), link.c_str()) == 0);
    CHECK(CheckPrivateDir(link).ok() == c.ok);
  }
}

TEST_CASE("install refuses an existing state dir with loose permissions") {
  World w;
  Device d(w);
  REQUIRE(::mkdir(d.state_dir.c_str(), 0700) == 0);
  REQUIRE(::chmod(d.state_dir.c_str(), 0777) == 0);
  testing::Release v1 = w.MakeRelease("1.0.0", 5);
  auto got = d.Install(v1.image, w.GoodBundle(w.Append(v1.entry)));
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kIo);
  CHECK(got.status().message().find("group or others may write") != std::string::npos);
  CHECK(d.TargetBytes() == "OLD FIRMWARE\n");
  CHECK(d.StateBytes() == "<absent>");
  // Once private, the same install goes through.
  REQUIRE(::chmod(d.state_dir.c_str(), 0700) == 0);
  got = d.Install(v1.image, w.GoodBundle(0));
  CHECK_MESSAGE(got.ok(), got.status().ToString());
}

}  // namespace
}  // namespace candor::agent
