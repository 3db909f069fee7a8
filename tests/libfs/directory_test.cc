// MakeDirectory / MakeDirectories / ParentDirectory / SyncDirectory / ListFiles.
#include "candor/fs/directory.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_test_util.h"

namespace candor::fs {
namespace {

using testing::ModeOf;
using testing::ScopedUmask;
using testing::Spit;
using testing::TempDir;

TEST_CASE("ParentDirectory") {
  struct Case {
    const char* path;
    const char* parent;
  };
  const Case cases[] = {
      {"a/b", "a"}, {"a/b/c", "a/b"}, {"b", "."}, {"/b", "/"}, {"/", "/"}, {"/a/b", "/a"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.path));
    CHECK(ParentDirectory(c.path) == c.parent);
  }
}

TEST_CASE("MakeDirectories: creates every level, is idempotent, refuses a file") {
  TempDir dir;
  Spit(dir / "file", "x");
  struct Case {
    const char* name;
    std::string path;
    bool ok;
  };
  const Case cases[] = {
      {"one level", dir / "a", true},
      {"several levels", dir / "b/c/d/e", true},
      {"existing", dir.path(), true},
      {"trailing slash", dir / "f/g/", true},
      {"a file in the way", dir / "file/x", false},
      {"is a file", dir / "file", false},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    for (int round = 0; round < 2; ++round) {  // the second round must change nothing
      Status s = MakeDirectories(c.path);
      CHECK_MESSAGE(s.ok() == c.ok, s.ToString());
      if (!c.ok) {
        CHECK(s.code() == Code::kIo);
        CHECK(s.message().find(dir / "file") != std::string::npos);
        continue;
      }
      struct stat st {};
      REQUIRE(::stat(c.path.c_str(), &st) == 0);
      CHECK(S_ISDIR(st.st_mode));
    }
  }
}

TEST_CASE("MakeDirectory: one level with the given mode under the umask") {
  TempDir dir;
  ScopedUmask mask(022);
  REQUIRE(MakeDirectory(dir / "private", 0700).ok());
  CHECK(ModeOf(dir / "private") == 0700);
  REQUIRE(MakeDirectory(dir / "private", 0700).ok());  // idempotent
  Status missing = MakeDirectory(dir / "no/parent", 0700);
  CHECK(missing.code() == Code::kIo);
  CHECK(missing.message().find(dir / "no/parent") != std::string::npos);
}

TEST_CASE("SyncDirectory: a directory syncs, a missing one is kIo naming it") {
  TempDir dir;
  CHECK(SyncDirectory(dir.path()).ok());
  Status s = SyncDirectory(dir / "missing");
  CHECK(s.code() == Code::kIo);
  CHECK(s.message().find(dir / "missing") != std::string::npos);
}

TEST_CASE("ListFiles: regular files (links followed) sorted, no hidden files or directories") {
  TempDir dir;
  Spit(dir / "b.report", "b");
  Spit(dir / "a.report", "a");
  Spit(dir / "B", "upper case sorts first");
  Spit(dir / ".a.report.tmp", "an rsync temporary");
  REQUIRE(MakeDirectory(dir / "sub").ok());
  Spit(dir / "sub/deeper", "not listed");
  REQUIRE(::symlink((dir / "a.report").c_str(), (dir / "link").c_str()) == 0);
  REQUIRE(::symlink((dir / "sub").c_str(), (dir / "dirlink").c_str()) == 0);
  REQUIRE(::symlink((dir / "absent").c_str(), (dir / "dangling").c_str()) == 0);
  auto names = ListFiles(dir.path());
  REQUIRE_MESSAGE(names.ok(), names.status().ToString());
  CHECK(*names == std::vector<std::string>{"B", "a.report", "b.report", "link"});

  auto empty = ListFiles(dir / "sub/");
  REQUIRE(empty.ok());
  CHECK(*empty == std::vector<std::string>{"deeper"});
  CHECK(ListFiles(dir / "absent").status().code() == Code::kNotFound);
  auto file = ListFiles(dir / "a.report");
  CHECK(file.status().code() == Code::kInvalidArgument);
  CHECK(file.status().message() == dir / "a.report" + ": not a directory");
}

}  // namespace
}  // namespace candor::fs
