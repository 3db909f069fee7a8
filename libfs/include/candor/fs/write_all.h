// WriteAll: the write(2) loop (short writes, EINTR) every writer needs.
//
// Thread-safety: reentrant; the caller owns `fd`.
#ifndef CANDOR_FS_WRITE_ALL_H_
#define CANDOR_FS_WRITE_ALL_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "candor/status.h"

namespace candor::fs {

// Writes all of `data` to `fd`, retrying on EINTR and short writes. kIo on
// failure, naming `path` (what the fd refers to, for the message).
Status WriteAll(int fd, std::string_view data, std::string_view path);
Status WriteAll(int fd, std::span<const uint8_t> data, std::string_view path);

}  // namespace candor::fs

#endif  // CANDOR_FS_WRITE_ALL_H_
