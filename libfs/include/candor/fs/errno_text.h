// Error text for failed system calls: one spelling for every file error.
//
// Messages read "<what> <path>: <strerror>", e.g. "rename /d/state.tmp: No
// space left on device", so that every error names the operation and the path.
//
// Thread-safety: thread-safe (glibc strerror uses a static table for known
// error numbers).
#ifndef CANDOR_FS_ERRNO_TEXT_H_
#define CANDOR_FS_ERRNO_TEXT_H_

#include <string>
#include <string_view>

#include "candor/status.h"

namespace candor::fs {

// strerror(err) as a std::string.
std::string ErrnoText(int err);

// "<what> <path>: <strerror(err)>" (without the path part if `path` is empty).
std::string ErrnoMessage(std::string_view what, std::string_view path, int err);

// Status::Io(ErrnoMessage(what, path, err)).
Status IoError(std::string_view what, std::string_view path, int err);

}  // namespace candor::fs

#endif  // CANDOR_FS_ERRNO_TEXT_H_
