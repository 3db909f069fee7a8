#include "candor/agent/flash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "candor/fs/errno_text.h"
#include "candor/fs/write_all.h"
#include "candor/sha256.h"

namespace candor::agent {
namespace {

Status PreadFull(int fd, uint8_t* buf, size_t len, uint64_t off) {
  while (len > 0) {
    ssize_t n = ::pread(fd, buf, len, static_cast<off_t>(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fs::IoError("reading staged image", "", errno);
    }
    if (n == 0) return Status::Mismatch("staged image shorter than the manifest's image size");
    buf += n;
    len -= static_cast<size_t>(n);
    off += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// Streams the staged copy from `fd` (size and digest re-checked), calling
// `sink` per chunk.
template <typename Sink>
Status StreamChecked(const StagedImage& image, int fd, const Hash& expected_sha256,
                     uint64_t expected_size, Sink&& sink) {
  if (image.size() != expected_size) {
    return Status::Mismatch(
        fmt::format("staged image has {} bytes, manifest says {}", image.size(), expected_size));
  }
  auto buf = std::make_unique<uint8_t[]>(kImageChunkSize);
  Sha256 sha;
  for (uint64_t off = 0; off < expected_size;) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(kImageChunkSize, expected_size - off));
    CANDOR_RETURN_IF_ERROR(PreadFull(fd, buf.get(), len, off));
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
  CANDOR_RETURN_IF_ERROR(
      StreamChecked(image, image.fd(), sha, size, [](ByteView) { return Status::Ok(); }));
  // No O_CREAT: a mistyped partition path must fail, not create a file that
  // would then be recorded as flashed.
  int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fs::IoError("flash target " + target, "", errno);
  struct stat st;
  Status s;
  if (::fstat(fd, &st) != 0) {
    s = fs::IoError("flash target " + target, "", errno);
  } else if (S_ISBLK(st.st_mode)) {
    off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < 0) {
      s = fs::IoError("flash target " + target, "", errno);
    } else if (static_cast<uint64_t>(end) < size) {
      s = Status::Io(
          fmt::format("flash target {} holds {} bytes, image has {}", target, end, size));
    } else if (::lseek(fd, 0, SEEK_SET) != 0) {
      s = fs::IoError("flash target " + target, "", errno);
    }
  } else if (!S_ISREG(st.st_mode)) {
    s = Status::Io(fmt::format("flash target {} is not a regular file or block device", target));
  }
  if (s.ok()) {
    s = StreamChecked(image, image.fd(), sha, size,
                      [&](ByteView chunk) { return fs::WriteAll(fd, AsChars(chunk), target); });
  }
  if (s.ok() && S_ISREG(st.st_mode) && ::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    s = fs::IoError("truncating " + target, "", errno);
  }
  if (s.ok() && ::fsync(fd) != 0) s = fs::IoError("fsync " + target, "", errno);
  if (::close(fd) != 0 && s.ok()) s = fs::IoError("close " + target, "", errno);
  return s;
}

// A read-only fd on the staged file: opened by path (O_NOFOLLOW), then
// checked with fstat to be the very inode we staged and hashed, so a file
// renamed over the path in between is refused rather than flashed.
Result<int> OpenStagedReadOnly(const StagedImage& image) {
  int fd = ::open(image.path().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fs::IoError("reopening staged image " + image.path(), "", errno);
  struct stat got, staged;
  if (::fstat(fd, &got) != 0 || ::fstat(image.fd(), &staged) != 0) {
    Status s = fs::IoError("fstat staged image", "", errno);
    ::close(fd);
    return s;
  }
  if (got.st_dev != staged.st_dev || got.st_ino != staged.st_ino || !S_ISREG(got.st_mode)) {
    ::close(fd);
    return Status::Mismatch("staged image " + image.path() + " was replaced after staging");
  }
  return fd;
}

Status RunCommand(const std::vector<std::string>& command, int fd) {
  // The command gets the open fd, not the staged file's path: whatever is
  // renamed over that path later, /proc/self/fd/N is the inode hashed below.
  std::vector<std::string> args = command;
  args.push_back("/proc/self/fd/" + std::to_string(fd));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return fs::IoError("fork", "", errno);
  if (pid == 0) {
    // Only the child's copy of the fd survives exec; the parent's stays
    // close-on-exec. Rewind it: the command reads from the start.
    if (::fcntl(fd, F_SETFD, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) ::_exit(127);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return fs::IoError("waitpid", "", errno);
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::Ok();
  if (WIFEXITED(wstatus)) {
    return Status::Io(
        fmt::format("flash command {} exited with status {}", command[0], WEXITSTATUS(wstatus)));
  }
  return Status::Io(fmt::format("flash command {} killed by signal {}", command[0],
                                WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0));
}

Status FlashCommand(const std::vector<std::string>& command, const StagedImage& image,
                    const Hash& sha, uint64_t size) {
  CANDOR_ASSIGN_OR_RETURN(int fd, OpenStagedReadOnly(image));
  // The final hash reads the fd the command will get.
  Status s = StreamChecked(image, fd, sha, size, [](ByteView) { return Status::Ok(); });
  if (s.ok()) s = RunCommand(command, fd);
  ::close(fd);
  return s;
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
