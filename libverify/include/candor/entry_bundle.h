// C2SP tlog-tiles entry bundles: a sequence of log entries, each prefixed by
// its length as a big-endian uint16 (so an entry is at most 65535 bytes). A
// full bundle holds 256 entries, the partial right-edge bundle 1..255.
//
// Parsing is strict: exactly `expected_count` entries, no truncated length or
// body, no trailing bytes (kMalformed otherwise). Zero-length entries are
// allowed by the format and accepted.
//
// Thread-safety: pure functions.
#ifndef CANDOR_ENTRY_BUNDLE_H_
#define CANDOR_ENTRY_BUNDLE_H_

#include <cstddef>
#include <span>
#include <vector>

#include "candor/bytes.h"
#include "candor/status.h"

namespace candor {

inline constexpr size_t kMaxEntrySize = 65535;

// kInvalidArgument unless 1 <= expected_count <= 256.
Result<std::vector<Bytes>> ParseEntryBundle(ByteView data, size_t expected_count);

// Appends one length-prefixed entry to `bundle`. kTooLarge if
// entry.size() > kMaxEntrySize (bundle unchanged).
Status AppendToEntryBundle(Bytes& bundle, ByteView entry);

// Serialises whole bundle. kTooLarge as above; kInvalidArgument if more than
// 256 entries.
Result<Bytes> SerializeEntryBundle(std::span<const Bytes> entries);

}  // namespace candor

#endif  // CANDOR_ENTRY_BUNDLE_H_
