// DirectoryLock: exclusive (even within one process), released on
// destruction and on move-assignment, errors name the lock path.
#include "candor/fs/lock.h"

#include <doctest/doctest.h>

#include "fs_test_util.h"

namespace candor::fs {
namespace {

using testing::ModeOf;
using testing::TempDir;

TEST_CASE("DirectoryLock: a second Acquire fails until the first is released") {
  TempDir dir;
  auto first = DirectoryLock::Acquire(dir.path());
  REQUIRE(first.ok());
  CHECK(first->held());
  CHECK(first->path() == dir / "lock");
  CHECK(ModeOf(dir / "lock") == 0600);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto second = DirectoryLock::Acquire(dir.path());
    CHECK(second.status().code() == Code::kConflict);
    CHECK(second.status().message().find(dir / "lock") != std::string::npos);
  }
  DirectoryLock moved = std::move(first).value();
  CHECK(moved.held());
  CHECK(DirectoryLock::Acquire(dir.path()).status().code() == Code::kConflict);
  moved = DirectoryLock();  // releases
  CHECK_FALSE(moved.held());
  auto again = DirectoryLock::Acquire(dir.path());
  CHECK(again.ok());
}

TEST_CASE("DirectoryLock: failures other than contention are kIo naming the path") {
  TempDir dir;
  struct Case {
    const char* name;
    std::string dir;
  };
  const Case cases[] = {
      {"missing directory", dir / "missing"},
      {"not a directory", dir / "lock-file-dir"},
  };
  testing::Spit(dir / "lock-file-dir", "x");
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    auto lock = DirectoryLock::Acquire(c.dir);
    CHECK(lock.status().code() == Code::kIo);
    CHECK(lock.status().message().find(c.dir + "/lock") != std::string::npos);
  }
}

TEST_CASE("DirectoryLock: the lock file's mode is the requested one") {
  TempDir dir;
  testing::ScopedUmask mask(0);
  auto lock = DirectoryLock::Acquire(dir.path(), 0644);
  REQUIRE(lock.ok());
  CHECK(ModeOf(dir / "lock") == 0644);
}

}  // namespace
}  // namespace candor::fs
