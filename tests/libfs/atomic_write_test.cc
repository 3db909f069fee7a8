// WriteFileAtomically and StagedFile: content replaced whole, no temporaries
// left behind, no-clobber refusal, exact modes whatever the umask.
#include "candor/fs/atomic_write.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>

#include "candor/fs/directory.h"
#include "fs_test_util.h"

namespace candor::fs {
namespace {

using testing::ModeOf;
using testing::Names;
using testing::ScopedUmask;
using testing::Slurp;
using testing::Spit;
using testing::TempDir;

TEST_CASE("WriteFileAtomically: replaces content and leaves no temporary file") {
  struct Case {
    const char* name;
    const char* before;  // nullptr: no file yet
    std::string data;
    WriteOptions options;
  };
  const Case cases[] = {
      {"new file", nullptr, "hello\n", {}},
      {"replace", "old contents, longer than the new\n", "new\n", {}},
      {"empty", "x", "", {}},
      {"large", nullptr, std::string(1 << 20, 'z'), {}},
      {"unique temp", "old", "new", {.unique_temp = true}},
      {"not durable", "old", "new", {.durable = false}},
      {"no-clobber, new file", nullptr, "fresh", {.no_clobber = true}},
      {"leftover temp from a crash is reused", "old", "new", {}},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    TempDir dir;
    const std::string path = dir / "file";
    if (c.before != nullptr) Spit(path, c.before);
    if (std::string(c.name).starts_with("leftover")) Spit(path + ".tmp", "half a fi");
    Status s = WriteFileAtomically(path, c.data, c.options);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(Slurp(path) == c.data);
    CHECK(Names(dir.path()) == std::vector<std::string>{"file"});
  }
}

TEST_CASE("WriteFileAtomically: bytes overload writes the same bytes") {
  TempDir dir;
  const std::vector<uint8_t> data = {0, 1, 2, 255, '\n'};
  REQUIRE(WriteFileAtomically(dir / "b", std::span<const uint8_t>(data)).ok());
  CHECK(Slurp(dir / "b") == std::string("\0\1\2\377\n", 5));
}

TEST_CASE("WriteFileAtomically: no-clobber refuses an existing path and leaves it intact") {
  struct Case {
    const char* name;
    bool unique_temp;
    bool symlink;  // the existing entry is a dangling symlink
  };
  const Case cases[] = {
      {"fixed temp", false, false},
      {"unique temp", true, false},
      {"dangling symlink", false, true},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    TempDir dir;
    const std::string path = dir / "out";
    if (c.symlink) {
      REQUIRE(::symlink((dir / "nowhere").c_str(), path.c_str()) == 0);
    } else {
      Spit(path, "precious\n");
    }
    Status s = WriteFileAtomically(path, "intruder\n",
                                   {.no_clobber = true, .unique_temp = c.unique_temp});
    CHECK(s.code() == Code::kConflict);
    CHECK(s.message().find(path) != std::string::npos);
    CHECK(Names(dir.path()) == std::vector<std::string>{"out"});
    if (!c.symlink) CHECK(Slurp(path) == "precious\n");
    CHECK(Slurp(dir / "nowhere") == "<absent>");
  }
}

TEST_CASE("WriteFileAtomically: the mode is exact whatever the umask") {
  struct Case {
    unsigned mode;
    mode_t umask;
  };
  const Case cases[] = {
      {0644, 022}, {0644, 077}, {0600, 0}, {0600, 077}, {0666, 022}, {0400, 0}, {0755, 027},
  };
  for (const Case& c : cases) {
    CAPTURE(c.mode);
    CAPTURE(c.umask);
    for (bool unique : {false, true}) {
      for (bool existed : {false, true}) {
        TempDir dir;
        const std::string path = dir / "f";
        if (existed) Spit(path, "old");
        ScopedUmask mask(c.umask);
        REQUIRE(WriteFileAtomically(path, "x", {.mode = c.mode, .unique_temp = unique}).ok());
        CHECK(ModeOf(path) == c.mode);
      }
    }
  }
}

TEST_CASE("WriteFileAtomically: errors name the path and leave nothing behind") {
  TempDir dir;
  struct Case {
    const char* name;
    std::string path;
    Code code;
  };
  Spit(dir / "plain", "x");
  const Case cases[] = {
      {"missing directory", dir / "no/such/dir/f", Code::kIo},
      {"parent is a file", dir / "plain/f", Code::kIo},
      {"target is a directory", dir.path(), Code::kIo},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    Status s = WriteFileAtomically(c.path, "data");
    CHECK(s.code() == c.code);
    CHECK(s.message().find(c.path) != std::string::npos);
  }
  CHECK(Names(dir.path()) == std::vector<std::string>{"plain"});
}

TEST_CASE("StagedFile: nothing visible until Commit; dropped uncommitted, nothing left") {
  TempDir dir;
  const std::string a = dir / "a", b = dir / "b";
  Spit(a, "old a");
  {
    auto sa = StagedFile::Write(a, std::string_view("new a"));
    auto sb = StagedFile::Write(b, std::string_view("new b"));
    REQUIRE(sa.ok());
    REQUIRE(sb.ok());
    CHECK(Slurp(a) == "old a");
    CHECK(Slurp(b) == "<absent>");
    REQUIRE(sa->Commit().ok());
    CHECK(Slurp(a) == "new a");
    CHECK(sa->Commit().code() == Code::kInternal);  // once only
  }  // sb dropped
  CHECK(Slurp(b) == "<absent>");
  CHECK(Names(dir.path()) == std::vector<std::string>{"a"});
  REQUIRE(SyncDirectory(dir.path()).ok());
}

TEST_CASE("StagedFile: a no-clobber commit that loses the race leaves the winner") {
  TempDir dir;
  const std::string path = dir / "x";
  auto staged = StagedFile::Write(path, std::string_view("loser"), {.no_clobber = true});
  REQUIRE(staged.ok());
  Spit(path, "winner");  // created after staging, before commit
  Status s = staged->Commit();
  CHECK(s.code() == Code::kConflict);
  CHECK(s.message().find(path) != std::string::npos);
  CHECK(Slurp(path) == "winner");
  { StagedFile drop = std::move(staged).value(); }  // removes the temporary
  CHECK(Names(dir.path()) == std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace candor::fs
