// Byte containers and the strict text encodings the C2SP formats use.
//
// Base64 is the standard alphabet with padding (RFC 4648 §4), decoded strictly:
// no whitespace, no missing or extra padding, no non-zero trailing bits, so that
// every byte string has exactly one accepted encoding. Hex is lower-case.
//
// Thread-safety: pure functions.
#ifndef CANDOR_BYTES_H_
#define CANDOR_BYTES_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candor/status.h"

namespace candor {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// A SHA-256 digest, and so a Merkle tree hash.
using Hash = std::array<uint8_t, 32>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsChars(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string Base64Encode(ByteView data);
// Strict decode; kMalformed on any deviation from the canonical encoding.
Result<Bytes> Base64Decode(std::string_view text);
// Strict decode of exactly 32 bytes.
Result<Hash> Base64DecodeHash(std::string_view text);

std::string HexEncode(ByteView data);
// Accepts lower-case hex only (the canonical form); kMalformed otherwise.
Result<Bytes> HexDecode(std::string_view text);

// Constant-time equality of two digests (sodium_memcmp).
bool HashEqual(const Hash& a, const Hash& b);

// Big-endian integer helpers used by the binary formats.
void AppendU16BE(Bytes& out, uint16_t v);
void AppendU64BE(Bytes& out, uint64_t v);
uint64_t ReadU64BE(const uint8_t* p);

// Splits the next "\n"-terminated line off the front of `rest` into `line`
// (without its "\n"). Returns false, leaving both untouched, if `rest` holds
// no complete line. The line-based C2SP formats all parse this way.
bool ConsumeLine(std::string_view& rest, std::string_view& line);

// Parses a canonical non-negative decimal (no sign, no leading zeros unless the
// value is 0, at most 19 digits so it fits in int64). kMalformed otherwise.
Result<uint64_t> ParseDecimalU64(std::string_view text);

}  // namespace candor

#endif  // CANDOR_BYTES_H_
