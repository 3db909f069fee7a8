// WriteAll and the errno text every file error is spelled with.
#include "candor/fs/write_all.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "candor/fs/errno_text.h"
#include "fs_test_util.h"

namespace candor::fs {
namespace {

TEST_CASE("WriteAll: writes everything; a bad fd is kIo naming the path") {
  testing::TempDir dir;
  const std::string path = dir / "f";
  struct Case {
    std::string data;
  };
  const Case cases[] = {{""}, {"x"}, {std::string(1 << 20, 'q')}};
  for (const Case& c : cases) {
    CAPTURE(c.data.size());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    CHECK(WriteAll(fd, c.data, path).ok());
    ::close(fd);
    CHECK(testing::Slurp(path) == c.data);
  }
  Status s = WriteAll(-1, std::string_view("x"), path);
  CHECK(s.code() == Code::kIo);
  CHECK(s.message() == "write " + path + ": " + ErrnoText(EBADF));
}

TEST_CASE("ErrnoMessage / IoError spell '<what> <path>: <error>'") {
  struct Case {
    const char* what;
    const char* path;
    int err;
    std::string want;
  };
  const Case cases[] = {
      {"open", "/a/b", ENOENT, "open /a/b: " + ErrnoText(ENOENT)},
      {"syncfs", "", EIO, "syncfs: " + ErrnoText(EIO)},
  };
  for (const Case& c : cases) {
    CAPTURE(c.want);
    CHECK(ErrnoMessage(c.what, c.path, c.err) == c.want);
    Status s = IoError(c.what, c.path, c.err);
    CHECK(s.code() == Code::kIo);
    CHECK(s.message() == c.want);
  }
}

}  // namespace
}  // namespace candor::fs
