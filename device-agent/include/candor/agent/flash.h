// Flash backends: hand a staged, verified image to the device's updater.
//
//   flash-target <path>: the image is copied into the file or block device in
//     kImageChunkSize chunks from offset 0, then fsync'ed. A regular file is
//     truncated to the image size; a block device must be at least that large
//     (checked before the first write).
//   flash-command <argv...>: the program is run (fork + execv, no shell) with
//     the staged image's path appended as the last argument; exit status 0
//     means flashed, anything else (or a signal) is a failure.
//
// Both re-hash the staged copy while streaming it and compare the digest and
// size with the verified manifest before reporting success (flash-command:
// before running the command), as defence in depth against storage faults.
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
// kMismatch if the staged copy no longer hashes to `expected_sha256` /
// `expected_size` (nothing was flashed for flash-command; for flash-target the
// mismatch is detected before the final fsync, and the state is not updated);
// kIo on I/O or command failures.
Status Flash(const FlashBackend& backend, const StagedImage& image, const Hash& expected_sha256,
             uint64_t expected_size);

}  // namespace candor::agent

#endif  // CANDOR_AGENT_FLASH_H_
