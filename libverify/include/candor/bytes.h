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
// Appends HexEncode(data) to `out` (no temporary string).
void AppendHex(std::string& out, ByteView data);
// Accepts lower-case hex only (the canonical form); kMalformed otherwise.
Result<Bytes> HexDecode(std::string_view text);
// A SHA-256 digest in its canonical text form: exactly 64 lower-case hex
// digits (HexDecode's rules), straight into the digest; kMalformed otherwise.
Result<Hash> HexDecodeHash(std::string_view text);

// Constant-time equality of two digests (sodium_memcmp).
bool HashEqual(const Hash& a, const Hash& b);

// Big-endian integer helpers used by the binary formats and key IDs.
// REQUIRES (Read*): p points at 2, 4 or 8 readable bytes.
void AppendU16BE(Bytes& out, uint16_t v);
void AppendU32BE(Bytes& out, uint32_t v);
void AppendU64BE(Bytes& out, uint64_t v);
uint16_t ReadU16BE(const uint8_t* p);
uint32_t ReadU32BE(const uint8_t* p);
uint64_t ReadU64BE(const uint8_t* p);

// Splits the next "\n"-terminated line off the front of `rest` into `line`
// (without its "\n"). Returns false, leaving both untouched, if `rest` holds
// no complete line. The line-based C2SP formats all parse this way.
bool ConsumeLine(std::string_view& rest, std::string_view& line);

// The one canonical decimal codec. A canonical decimal has no sign, no
// leading zero unless the value is 0, and only the digits 0-9; it is refused
// (kMalformed) if its value exceeds `max`. Overflow is checked digit by digit,
// so 2^64 and longer strings are refused, never wrapped.
Result<uint64_t> ParseDecimal(std::string_view text, uint64_t max);

// ParseDecimal up to INT64_MAX: tree sizes, indices, timestamps and ports,
// which must also fit a signed 64-bit integer (checkpoint sizes above 2^63-1
// are refused by the C2SP formats' consumers, SQLite stores int64).
Result<uint64_t> ParseDecimalU64(std::string_view text);

// ParseDecimal over the full u64 range: rollback counters and image sizes,
// which manifests, the log, the CLI and the agent's state all accept up to
// 2^64-1. One range everywhere: a counter the manifest accepts must be one the
// device can store and read back.
Result<uint64_t> ParseDecimalU64Full(std::string_view text);

// The canonical decimal spelling of `v` (what ParseDecimal accepts).
std::string FormatDecimal(uint64_t v);
// Appends FormatDecimal(v) to `out` (no temporary string).
void AppendDecimal(std::string& out, uint64_t v);

}  // namespace candor

#endif  // CANDOR_BYTES_H_
