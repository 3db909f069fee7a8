// ImageSource staging: the staged copy is exactly the bytes the reader handed
// to the verifier, even when the source file is rewritten in place meanwhile.
#include "candor/agent/image.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_fixture.h"

namespace candor::agent {
namespace {

std::string ReadFd(int fd, uint64_t size) {
  std::string out(size, '\0');
  REQUIRE(::pread(fd, out.data(), size, 0) == static_cast<ssize_t>(size));
  return out;
}

TEST_CASE("ImageSource: staged copy == bytes returned, despite in-place rewrites") {
  testing::World w;
  testing::Device d(w);
  REQUIRE(::mkdir(d.state_dir.c_str(), 0700) == 0);
  const std::string path = d.Path("img");
  const std::string original = testing::World::Image(1, 3 * kImageChunkSize + 123);
  testing::WriteFile(path, original);

  auto src = ImageSource::Open(path);
  REQUIRE(src.ok());
  REQUIRE(src->StageInto(d.state_dir).ok());
  ImageReader reader = src->Reader();
  std::string seen;
  std::vector<uint8_t> buf(kImageChunkSize);
  bool rewritten = false;
  for (;;) {
    auto n = reader(buf);
    REQUIRE(n.ok());
    if (*n == 0) break;
    seen.append(reinterpret_cast<const char*>(buf.data()), *n);
    if (!rewritten) {
      // Another process rewrites the same inode after the first chunk.
      int fd = ::open(path.c_str(), O_WRONLY);
      REQUIRE(fd >= 0);
      std::string evil(original.size(), 'E');
      REQUIRE(::pwrite(fd, evil.data(), evil.size(), 0) == static_cast<ssize_t>(evil.size()));
      ::close(fd);
      rewritten = true;
    }
  }
  auto staged = src->TakeStaged();
  REQUIRE(staged.ok());
  CHECK(staged->size() == seen.size());
  CHECK(ReadFd(staged->fd(), staged->size()) == seen);
  CHECK(seen != original);  // the rewrite was observed by the reader...
  CHECK(seen.substr(0, kImageChunkSize) == original.substr(0, kImageChunkSize));
  const std::string staged_path = staged->path();
  CHECK(testing::ReadFileOr(staged_path) == seen);  // ...and staged identically
  { StagedImage gone = std::move(staged).value(); }
  CHECK(testing::ReadFileOr(staged_path) == "<absent>");  // unlinked when done
}

TEST_CASE("ImageSource: refusals") {
  CHECK(ImageSource::Open("/nonexistent/image").status().code() == Code::kNotFound);
  CHECK(ImageSource::Open("/tmp").status().code() == Code::kIo);
}

}  // namespace
}  // namespace candor::agent
