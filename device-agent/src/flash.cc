#include "candor/agent/flash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "candor/agent/fs.h"
#include "candor/sha256.h"

namespace candor::agent {
namespace {

Status PreadFull(int fd, uint8_t* buf, size_t len, uint64_t off) {
  while (len > 0) {
    ssize_t n = ::pread(fd, buf, len, static_cast<off_t>(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Io(ErrnoMessage("reading staged image"));
    }
    if (n == 0) return Status::Mismatch("staged image shorter than the manifest's image size");
    buf += n;
    len -= static_cast<size_t>(n);
    off += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// Streams the staged copy (size and digest re-checked), calling `sink` per chunk.
template <typename Sink>
Status StreamChecked(const StagedImage& image, const Hash& expected_sha256, uint64_t expected_size,
                     Sink&& sink) {
  if (image.size() != expected_size) {
    return Status::Mismatch(
        fmt::format("staged image has {} bytes, manifest says {}", image.size(), expected_size));
  }
  auto buf = std::make_unique<uint8_t[]>(kImageChunkSize);
  Sha256 sha;
  for (uint64_t off = 0; off < expected_size;) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(kImageChunkSize, expected_size - off));
    CANDOR_RETURN_IF_ERROR(PreadFull(image.fd(), buf.get(), len, off));
    sha.Update(ByteView(buf.get(), len));
    CANDOR_RETURN_IF_ERROR(sink(ByteView(buf.get(), len)));
    off += len;
  }
  if (!HashEqual(sha.Final(), expected_sha256)) {
    return Status::Mismatch("staged image digest changed after verification");
  }
  return Status::Ok();
}

Status FlashTarget(const std::string& target, const StagedImage& image, const Hash& sha,
                   uint64_t size) {
  // Check the staged copy completely before touching the target.
  CANDOR_RETURN_IF_ERROR(StreamChecked(image, sha, size, [](ByteView) { return Status::Ok(); }));
  // No O_CREAT: a mistyped partition path must fail, not create a file that
  // would then be recorded as flashed.
  int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::Io(ErrnoMessage("flash target " + target));
  struct stat st;
  Status s;
  if (::fstat(fd, &st) != 0) {
    s = Status::Io(ErrnoMessage("flash target " + target));
  } else if (S_ISBLK(st.st_mode)) {
    off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < 0) {
      s = Status::Io(ErrnoMessage("flash target " + target));
    } else if (static_cast<uint64_t>(end) < size) {
      s = Status::Io(
          fmt::format("flash target {} holds {} bytes, image has {}", target, end, size));
    } else if (::lseek(fd, 0, SEEK_SET) != 0) {
      s = Status::Io(ErrnoMessage("flash target " + target));
    }
  } else if (!S_ISREG(st.st_mode)) {
    s = Status::Io(fmt::format("flash target {} is not a regular file or block device", target));
  }
  if (s.ok()) {
    s = StreamChecked(image, sha, size,
                      [&](ByteView chunk) { return WriteAll(fd, AsChars(chunk), target); });
  }
  if (s.ok() && S_ISREG(st.st_mode) && ::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    s = Status::Io(ErrnoMessage("truncating " + target));
  }
  if (s.ok() && ::fsync(fd) != 0) s = Status::Io(ErrnoMessage("fsync " + target));
  if (::close(fd) != 0 && s.ok()) s = Status::Io(ErrnoMessage("close " + target));
  return s;
}

Status FlashCommand(const std::vector<std::string>& command, const StagedImage& image,
                    const Hash& sha, uint64_t size) {
  CANDOR_RETURN_IF_ERROR(StreamChecked(image, sha, size, [](ByteView) { return Status::Ok(); }));
  std::vector<std::string> args = command;
  args.push_back(image.path());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Status::Io(ErrnoMessage("fork"));
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return Status::Io(ErrnoMessage("waitpid"));
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::Ok();
  if (WIFEXITED(wstatus)) {
    return Status::Io(
        fmt::format("flash command {} exited with status {}", command[0], WEXITSTATUS(wstatus)));
  }
  return Status::Io(fmt::format("flash command {} killed by signal {}", command[0],
                                WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0));
}

}  // namespace

Status Flash(const FlashBackend& backend, const StagedImage& image, const Hash& expected_sha256,
             uint64_t expected_size) {
  if (backend.command.empty() == backend.target.empty()) {
    return Status::InvalidArgument("exactly one of flash-command and flash-target is required");
  }
  if (!backend.target.empty())
    return FlashTarget(backend.target, image, expected_sha256, expected_size);
  return FlashCommand(backend.command, image, expected_sha256, expected_size);
}

}  // namespace candor::agent
