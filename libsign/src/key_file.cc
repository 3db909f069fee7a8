// Private key files: created 0600 with O_EXCL, fsync'ed; read only when not
// accessible to group or others.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "candor/signer.h"

namespace candor {
namespace {

constexpr size_t kMaxKeyFileSize = 4096;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Makes the new directory entry durable.
void SyncParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

Status WritePrivateKeyFile(const std::string& path, const SignerKey& key) {
  std::string text = FormatSignerKey(key);
  text.push_back('\n');  // fits the capacity FormatSignerKey reserved: no copy left behind
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    const bool exists = errno == EEXIST;
    sodium_memzero(text.data(), text.size());
    if (exists) return Status::Conflict("refusing to overwrite existing key file " + path);
    return Status::Io(Errno("cannot create", path));
  }
  Status st;
  if (::fchmod(fd, 0600) != 0) st = Status::Io(Errno("cannot chmod", path));
  size_t done = 0;
  while (st.ok() && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      st = Status::Io(Errno("cannot write", path));
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Status::Io(Errno("cannot fsync", path));
  if (::close(fd) != 0 && st.ok()) st = Status::Io(Errno("cannot close", path));
  sodium_memzero(text.data(), text.size());
  if (!st.ok()) {
    ::unlink(path.c_str());
    return st;
  }
  SyncParentDir(path);
  return Status::Ok();
}

Result<SignerKey> ReadPrivateKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no key file " + path);
    return Status::Io(Errno("cannot open", path));
  }
  struct stat sb;
  if (::fstat(fd, &sb) != 0) {
    Status st = Status::Io(Errno("cannot stat", path));
    ::close(fd);
    return st;
  }
  if (!S_ISREG(sb.st_mode)) {
    ::close(fd);
    return Status::Io("key file " + path + " is not a regular file");
  }
  if ((sb.st_mode & 077) != 0) {
    ::close(fd);
    return Status::PolicyUnsatisfied("key file " + path +
                                     " is accessible to group or others (chmod 600 it)");
  }
  if (static_cast<size_t>(sb.st_size) > kMaxKeyFileSize) {
    ::close(fd);
    return Status::TooLarge("key file " + path + " is too large");
  }
  std::string buf(kMaxKeyFileSize + 1, '\0');
  size_t len = 0;
  Status st;
  while (len < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + len, buf.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = Status::Io(Errno("cannot read", path));
      break;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  if (st.ok() && len > kMaxKeyFileSize) st = Status::TooLarge("key file " + path + " is too large");
  std::string_view text(buf.data(), len);
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  Result<SignerKey> key = st.ok() ? ParseSignerKey(text) : Result<SignerKey>(st);
  sodium_memzero(buf.data(), buf.size());
  if (!key.ok()) return key.status().WithContext("key file " + path);
  return key;
}

}  // namespace candor
