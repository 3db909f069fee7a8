// Consistency proofs as files and HTTP bodies (docs/FORMATS.md "Consistency
// proof file").
//
// Two encodings, one codec:
//  - Hash lines: one canonical base64 hash per line, each ending in "\n" (the
//    body of candor-log's GET /candor/v1/consistency). The sizes are the
//    request's, not part of the body.
//  - The consistency proof file a device receives beside a bundle. An update
//    server knows the few tree sizes it handed out in earlier bundles, so one
//    file carries proofs from each of them to the new bundle's checkpoint;
//    the device picks the block whose `from` is its last-seen size:
//
//      candor-consistency-proof v1
//      origin <log origin>
//      from <m> to <n>
//      <ConsistencyProofLength(m, n) base64 hashes, one per line>
//      from <m'> to <n>
//      ...
//
//    Strict and canonical: the header line, one origin line, 1..32 blocks in
//    strictly ascending `from`, every block with the same `to`, 1 <= m < n <=
//    2^63-1, each block exactly as many hashes as RFC 9162 implies for (m, n),
//    canonical decimals and base64, "\n" line ends, nothing else. The whole
//    file is at most kMaxConsistencyProofFileSize bytes (kTooLarge beyond).
//    FormatConsistencyProofFile(ParseConsistencyProofFile(x)) == x.
//
// Parsing checks only the form; the hashes prove nothing until
// VerifyConsistency (candor/merkle.h) connects them to two roots, which
// Verify() (candor/verify.h) does for the block it picks.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_CONSISTENCY_PROOF_H_
#define CANDOR_CONSISTENCY_PROOF_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

namespace candor {

inline constexpr std::string_view kConsistencyProofHeader = "candor-consistency-proof v1";
// One size cap for every reader of the file (agent, `candor verify`).
inline constexpr size_t kMaxConsistencyProofFileSize = 64 * 1024;
inline constexpr size_t kMaxConsistencyProofBlocks = 32;
// A consistency proof between trees of at most 2^63-1 leaves has fewer hashes.
inline constexpr size_t kMaxConsistencyProofHashes = 128;

struct ConsistencyProofBlock {
  uint64_t from = 0;  // the older tree size (a device's last-seen size)
  uint64_t to = 0;    // the newer tree size (the bundle checkpoint's)
  std::vector<Hash> hashes;

  bool operator==(const ConsistencyProofBlock&) const = default;
};

struct ConsistencyProofFile {
  std::string origin;                         // the log's origin line
  std::vector<ConsistencyProofBlock> blocks;  // ascending `from`, one common `to`

  bool operator==(const ConsistencyProofFile&) const = default;
  // The block from tree size `from`, or nullptr.
  const ConsistencyProofBlock* Find(uint64_t from) const;
};

// Strict parse of a whole file; kMalformed on any deviation, kTooLarge above
// kMaxConsistencyProofFileSize.
Result<ConsistencyProofFile> ParseConsistencyProofFile(std::string_view text);
// REQUIRES: `file` satisfies the rules above (else the output does not parse).
std::string FormatConsistencyProofFile(const ConsistencyProofFile& file);

// Hash lines (the log endpoint's body): at most kMaxConsistencyProofHashes.
Result<std::vector<Hash>> ParseProofHashLines(std::string_view text);
std::string FormatProofHashLines(std::span<const Hash> hashes);

}  // namespace candor

#endif  // CANDOR_CONSISTENCY_PROOF_H_
