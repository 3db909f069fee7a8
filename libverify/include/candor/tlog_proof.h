// c2sp.org/tlog-proof@v1: an offline-verifiable proof that an entry is in a
// log, made of the entry's index, its RFC 6962 inclusion proof and the log's
// checkpoint (with witness cosignatures), plus optional unauthenticated extra
// data.
//
// Candor ships a release to devices as a tlog-proof whose `extra` line holds
// the release entry itself (see docs/FORMATS.md, "Bundle"): the entry is never
// trusted because it is there; it is hashed into the leaf that the inclusion
// proof must connect to the signed checkpoint.
//
// Parsing is strict: every line is checked, nothing trailing is accepted after
// the checkpoint's signatures, numbers and base64 must be canonical.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_TLOG_PROOF_H_
#define CANDOR_TLOG_PROOF_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

namespace candor {

inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";

// A tree of at most 2^63 leaves has inclusion proofs of at most 63 hashes.
inline constexpr size_t kMaxProofHashes = 63;

struct TlogProof {
  std::optional<Bytes> extra;       // unauthenticated; empty optional = no extra line
  uint64_t index = 0;               // zero-based index of the entry
  std::vector<Hash> inclusion_proof;  // leaf's sibling first, root's child last
  std::string checkpoint;           // the signed checkpoint note, verbatim

  bool operator==(const TlogProof&) const = default;
};

// REQUIRES: `text` is the complete file contents. The checkpoint part is only
// split off here; its signatures are checked by VerifyCheckpoint.
Result<TlogProof> ParseTlogProof(std::string_view text);

std::string FormatTlogProof(const TlogProof& proof);

}  // namespace candor

#endif  // CANDOR_TLOG_PROOF_H_
