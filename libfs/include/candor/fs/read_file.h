// ReadFile / ReadFileBytes: a whole file into memory, bounded.
//
// Every read of a file whose size someone else controls names its limit: a
// file above `max_size` is refused with kTooLarge before anything is
// allocated for it, and a file that grows past the limit while being read is
// refused too. The limits are named constants of the modules that own the
// formats (kMaxPolicySize, kMaxBundleSize, ...).
//
// Thread-safety: reentrant.
#ifndef CANDOR_FS_READ_FILE_H_
#define CANDOR_FS_READ_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "candor/fs/sequential_file.h"
#include "candor/status.h"

namespace candor::fs {

// Reads the whole regular file `path` of at most `max_size` bytes.
// kNotFound if it does not exist, kTooLarge if it is bigger than `max_size`,
// otherwise as SequentialFile::Open, or kIo. Every message names the path.
Result<std::string> ReadFile(const std::string& path, size_t max_size,
                             const OpenOptions& options = {});
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, size_t max_size,
                                           const OpenOptions& options = {});

}  // namespace candor::fs

#endif  // CANDOR_FS_READ_FILE_H_
