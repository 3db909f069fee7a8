#include "candor/fs/write_all.h"

#include <unistd.h>

#include <cerrno>

#include "candor/fs/errno_text.h"

namespace candor::fs {

Status WriteAll(int fd, std::string_view data, std::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status WriteAll(int fd, std::span<const uint8_t> data, std::string_view path) {
  return WriteAll(fd, std::string_view(reinterpret_cast<const char*>(data.data()), data.size()),
                  path);
}

}  // namespace candor::fs
