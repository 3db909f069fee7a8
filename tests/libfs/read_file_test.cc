// ReadFile / ReadFileBytes / SequentialFile: bounded reads with errors that
// name the path.
#include "candor/fs/read_file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_test_util.h"

namespace candor::fs {
namespace {

using testing::Spit;
using testing::TempDir;

TEST_CASE("ReadFile: bounded, refuses oversize files, names the path") {
  TempDir dir;
  Spit(dir / "small", "abc");
  Spit(dir / "empty", "");
  Spit(dir / "big", std::string(1000, 'b'));
  REQUIRE(::mkdir((dir / "sub").c_str(), 0700) == 0);
  REQUIRE(::symlink((dir / "small").c_str(), (dir / "link").c_str()) == 0);
  struct Case {
    const char* name;
    std::string path;
    size_t max;
    OpenOptions options;
    Code code;
    const char* contents;  // when OK
  };
  const Case cases[] = {
      {"fits", dir / "small", 3, {}, Code::kOk, "abc"},
      {"empty", dir / "empty", 0, {}, Code::kOk, ""},
      {"one over the limit", dir / "small", 2, {}, Code::kTooLarge, nullptr},
      {"far over the limit", dir / "big", 10, {}, Code::kTooLarge, nullptr},
      {"exactly the limit", dir / "big", 1000, {}, Code::kOk, nullptr},
      {"missing", dir / "missing", 10, {}, Code::kNotFound, nullptr},
      {"through a file", dir / "small/x", 10, {}, Code::kNotFound, nullptr},
      {"directory", dir / "sub", 10, {}, Code::kIo, nullptr},
      {"directory as not found", dir / "sub", 10, {.not_regular = Code::kNotFound},
       Code::kNotFound, nullptr},
      {"symlink followed", dir / "link", 10, {}, Code::kOk, "abc"},
      {"symlink refused", dir / "link", 10, {.follow_symlinks = false}, Code::kIo, nullptr},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    auto text = ReadFile(c.path, c.max, c.options);
    auto bytes = ReadFileBytes(c.path, c.max, c.options);
    CHECK(text.status().code() == c.code);
    CHECK(bytes.status().code() == c.code);
    if (c.code != Code::kOk) {
      CHECK(text.status().message().find(c.path) != std::string::npos);
      continue;
    }
    REQUIRE(text.ok());
    REQUIRE(bytes.ok());
    CHECK(std::string(bytes->begin(), bytes->end()) == *text);
    if (c.contents != nullptr) CHECK(*text == c.contents);
  }
}

TEST_CASE("SequentialFile: chunked reads, ReadFull, size and mode at open") {
  TempDir dir;
  const std::string data = "0123456789abcdef";
  Spit(dir / "f", data);
  REQUIRE(::chmod((dir / "f").c_str(), 0640) == 0);
  struct Case {
    size_t chunk;
  };
  const Case cases[] = {{1}, {3}, {16}, {100}};
  for (const Case& c : cases) {
    CAPTURE(c.chunk);
    auto file = SequentialFile::Open(dir / "f", {.sequential_hint = true});
    REQUIRE(file.ok());
    CHECK(file->size() == data.size());
    CHECK((file->mode() & 07777) == 0640);
    std::string got;
    std::vector<uint8_t> buf(c.chunk);
    for (;;) {
      auto n = file->Read(std::span<uint8_t>(buf));
      REQUIRE(n.ok());
      if (*n == 0) break;
      got.append(buf.begin(), buf.begin() + static_cast<long>(*n));
    }
    CHECK(got == data);
  }
  auto file = SequentialFile::Open(dir / "f");
  REQUIRE(file.ok());
  std::string buf(40, '\0');
  auto n = file->ReadFull(std::span<char>(buf));
  REQUIRE(n.ok());
  CHECK(buf.substr(0, *n) == data);
}

}  // namespace
}  // namespace candor::fs
