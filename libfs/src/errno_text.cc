#include "candor/fs/errno_text.h"

#include <cstring>

namespace candor::fs {

std::string ErrnoText(int err) { return std::strerror(err); }

std::string ErrnoMessage(std::string_view what, std::string_view path, int err) {
  std::string out(what);
  if (!path.empty()) {
    out += ' ';
    out += path;
  }
  out += ": ";
  out += ErrnoText(err);
  return out;
}

Status IoError(std::string_view what, std::string_view path, int err) {
  return Status::Io(ErrnoMessage(what, path, err));
}

}  // namespace candor::fs
