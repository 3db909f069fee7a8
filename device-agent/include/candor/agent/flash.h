// Flash backends: hand a staged, verified image to the device's updater.
//
//   flash-target <path>: the image is copied into the existing file or block
//     device (never created: a mistyped path fails) in
//     kImageChunkSize chunks from offset 0, then fsync'ed. A regular file is
//     truncated to the image size; a block device must be at least that large
//     (checked before the first write).
//   flash-command <argv...>: the program is run (fork + execv, no shell) with
//     "/proc/self/fd/<N>" appended as the last argument, where N is a
//     read-only fd on the staged image that the command inherits; exit
//     status 0 means flashed, anything else (or a signal) is a failure. The
//     fd is opened O_NOFOLLOW on the staged file and checked (fstat) to be
//     the inode staged; the final hash reads that same fd. So nothing renamed
//     over the staged file's path after the hash can reach the command.
//
// Both first re-hash the whole staged copy (flash-target: from the staging
// fd itself) and compare its digest and size with the verified manifest
// before anything is written or run, as defence in depth against storage
// faults (flash-target hashes again while writing).
//
// Thread-safety: reentrant; flash-command forks.
#ifndef CANDOR_AGENT_FLASH_H_
#define CANDOR_AGENT_FLASH_H_

#include <string>
#include <vector>

#include "candor/agent/image.h"
#include "candor/bytes.h"
#include "candor/status.h"

namespace candor::agent {

struct FlashBackend {
  std::vector<std::string> command;  // non-empty: flash-command
  std::string target;                // non-empty: flash-target
};

// REQUIRES: exactly one of backend.command / backend.target is set.
// kMismatch if the staged copy does not hash to `expected_sha256` /
// `expected_size` (detected before anything is written or run); kIo on I/O or
// command failures (the target may then be partially written).
Status Flash(const FlashBackend& backend, const StagedImage& image, const Hash& expected_sha256,
             uint64_t expected_size);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_FLASH_H_
