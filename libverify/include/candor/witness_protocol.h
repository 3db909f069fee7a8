// Wire format of the c2sp.org/tlog-witness add-checkpoint call, shared by the
// witness server (candor/witness/witness.h) and the log's witness client
// (candor/log/witness_client.h).
//
// Request body (§add-checkpoint), every line terminated by "\n":
//   old <size>            canonical ASCII decimal ("0" for zero, no leading zeroes)
//   <base64 hash>         0..63 consistency proof lines, RFC 6962 §2.1.2
//   <empty line>
//   <signed checkpoint>   a c2sp.org/tlog-checkpoint signed note
// Response (200): one or more note signature lines "— <name> <base64>\n"
// (cosignatures). 409 for an old-size mismatch carries Content-Type
// text/x.tlog.size and the body "<stored size>\n".
//
// Parsing is strict (kMalformed): anything else, e.g. a missing final newline,
// "\r", a non-canonical decimal or base64, more than 63 proof lines, is refused.
//
// Thread-safety: pure functions over values.
#ifndef CANDOR_WITNESS_PROTOCOL_H_
#define CANDOR_WITNESS_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/note.h"
#include "candor/status.h"

namespace candor {

// "The client MUST NOT send more than 63 consistency proof lines."
inline constexpr size_t kMaxWitnessProofLines = 63;
// Largest request body the witness reads: the old line and 63 proof lines take
// < 3 KiB; the rest is the checkpoint with up to a few dozen signatures.
// Larger bodies are refused with 413 before parsing.
inline constexpr size_t kMaxAddCheckpointBodySize = 64 * 1024;
// Largest response body the client accepts (a handful of cosignature lines).
inline constexpr size_t kMaxAddCheckpointResponseSize = 16 * 1024;

inline constexpr std::string_view kAddCheckpointPath = "add-checkpoint";
inline constexpr std::string_view kTlogSizeContentType = "text/x.tlog.size";

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<Hash> proof;  // consistency proof from old_size to the checkpoint's size
  std::string checkpoint;   // the signed checkpoint note, as sent (unverified)
};

// Strict parse of a request body (see the header comment). Only the framing is
// checked here; the checkpoint itself is parsed and verified by the witness.
// kTooLarge above kMaxAddCheckpointBodySize, kMalformed otherwise.
Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body);

// The request body for `request`. REQUIRES: proof.size() <= 63 and checkpoint
// ends in "\n" (ParseAddCheckpointRequest accepts the output).
std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request);

// "<size>\n", the body of a 409 answered with text/x.tlog.size.
std::string FormatTlogSize(uint64_t size);
// Strict inverse of FormatTlogSize (kMalformed otherwise).
Result<uint64_t> ParseTlogSize(std::string_view body);

// Parses a 200 response body: one or more signature lines, each exactly
// "— <key name> <canonical base64>\n" (what a signed note's signature block
// holds). kMalformed on anything else, including an empty body.
Result<std::vector<NoteSignature>> ParseCosignatureLines(std::string_view body);

}  // namespace candor

#endif  // CANDOR_WITNESS_PROTOCOL_H_
