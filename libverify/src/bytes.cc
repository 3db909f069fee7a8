#include "candor/bytes.h"

#include <array>

#include <sodium.h>

#include <charconv>

namespace candor {

std::string Base64Encode(ByteView data) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

namespace {

// 1 if lo <= x <= hi, else 0, without a branch (x, lo, hi < 256, so a
// difference that wraps has its top bit set).
inline uint32_t InRange(uint32_t x, uint32_t lo, uint32_t hi) {
  return (((x - lo) | (hi - x)) >> 31) ^ 1;
}

// The 6-bit value of base64 character c (RFC 4648 §4 alphabet); sets *bad to
// non-zero if c is not in the alphabet. No table and no data-dependent branch,
// as libsodium's decoder, so decoding does not leak the data through timing.
inline uint32_t Base64Value(uint8_t c, uint32_t* bad) {
  const uint32_t x = c;
  const uint32_t upper = InRange(x, 'A', 'Z'), lower = InRange(x, 'a', 'z'),
                 digit = InRange(x, '0', '9'), plus = InRange(x, '+', '+'),
                 slash = InRange(x, '/', '/');
  *bad |= (upper | lower | digit | plus | slash) ^ 1;
  return ((0u - upper) & (x - 'A')) | ((0u - lower) & (x - 'a' + 26)) |
         ((0u - digit) & (x - '0' + 52)) | ((0u - plus) & 62) | ((0u - slash) & 63);
}

}  // namespace

Result<Bytes> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Status::Malformed("base64 length is not a multiple of 4");
  if (text.empty()) return Bytes();
  // Canonical form only (RFC 4648 §3.2, §3.5): alphabet characters, then "="
  // or "==" exactly as the length requires, and zero pad bits. Any other "="
  // is refused as a non-alphabet character.
  size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  const size_t groups = text.size() / 4;
  Bytes out(groups * 3 - pad);
  const auto* in = reinterpret_cast<const uint8_t*>(text.data());
  uint32_t bad = 0;
  // Whole groups: 4 characters, 3 bytes (independent, so they pipeline).
  const size_t whole = pad == 0 ? groups : groups - 1;
  for (size_t g = 0; g < whole; ++g) {
    const uint8_t* c = in + 4 * g;
    const uint32_t n = Base64Value(c[0], &bad) << 18 | Base64Value(c[1], &bad) << 12 |
                       Base64Value(c[2], &bad) << 6 | Base64Value(c[3], &bad);
    out[3 * g] = static_cast<uint8_t>(n >> 16);
    out[3 * g + 1] = static_cast<uint8_t>(n >> 8);
    out[3 * g + 2] = static_cast<uint8_t>(n);
  }
  if (pad != 0) {
    // "xxx=" (2 bytes, 2 pad bits) or "xx==" (1 byte, 4 pad bits); the pad
    // bits must be zero.
    const uint8_t* c = in + 4 * whole;
    uint32_t n = Base64Value(c[0], &bad) << 18 | Base64Value(c[1], &bad) << 12;
    if (pad == 1) n |= Base64Value(c[2], &bad) << 6;
    out[3 * whole] = static_cast<uint8_t>(n >> 16);
    if (pad == 1) out[3 * whole + 1] = static_cast<uint8_t>(n >> 8);
    bad |= pad == 1 ? n & 0xFF : n & 0xFFFF;
  }
  if (bad != 0) return Status::Malformed("invalid or non-canonical base64");
  return out;
}

Result<Hash> Base64DecodeHash(std::string_view text) {
  if (text.size() != 44) return Status::Malformed("hash must be 44 base64 characters");
  auto bytes = Base64Decode(text);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != 32) return Status::Malformed("hash must decode to 32 bytes");
  Hash h;
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

void AppendHex(std::string& out, ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const size_t at = out.size();
  out.resize(at + 2 * data.size());
  char* p = out.data() + at;
  for (uint8_t b : data) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0xf];
  }
}

std::string HexEncode(ByteView data) {
  std::string out;
  AppendHex(out, data);
  return out;
}

Result<Bytes> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return Status::Malformed("hex length is odd");
  Bytes out;
  out.reserve(text.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return Status::Malformed("invalid lower-case hex");
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

namespace {

// Lower-case hex digit values, -1 for every other byte (HexDecode's rule).
constexpr std::array<int8_t, 256> kHexValue = [] {
  std::array<int8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = c >= '0' && c <= '9'   ? static_cast<int8_t>(c - '0')
           : c >= 'a' && c <= 'f' ? static_cast<int8_t>(c - 'a' + 10)
                                  : int8_t{-1};
  }
  return t;
}();

}  // namespace

Result<Hash> HexDecodeHash(std::string_view text) {
  if (text.size() != 64) return Status::Malformed("digest is not 64 hex digits");
  Hash h{};
  int bad = 0;  // any -1 makes it negative
  for (size_t i = 0; i < h.size(); ++i) {
    const int hi = kHexValue[static_cast<uint8_t>(text[2 * i])];
    const int lo = kHexValue[static_cast<uint8_t>(text[2 * i + 1])];
    bad |= hi | lo;
    h[i] = static_cast<uint8_t>((hi & 0xf) << 4 | (lo & 0xf));
  }
  if (bad < 0) return Status::Malformed("invalid lower-case hex");
  return h;
}

bool HashEqual(const Hash& a, const Hash& b) {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void AppendU16BE(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void AppendU32BE(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void AppendU64BE(Bytes& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint16_t ReadU16BE(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

uint32_t ReadU32BE(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

uint64_t ReadU64BE(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | p[i];
  return v;
}

bool ConsumeLine(std::string_view& rest, std::string_view& line) {
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return false;
  line = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return true;
}

Result<uint64_t> ParseDecimal(std::string_view text, uint64_t max) {
  // 20 digits hold UINT64_MAX; anything longer is out of range for any max.
  if (text.empty() || text.size() > 20) return Status::Malformed("invalid decimal number");
  if (text.size() > 1 && text[0] == '0') return Status::Malformed("decimal has a leading zero");
  uint64_t v = 0;
  bool overflow = false;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::Malformed("invalid decimal number");
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) overflow = true;  // keep scanning: a letter is "invalid"
    v = v * 10 + digit;
  }
  if (overflow || v > max) return Status::Malformed("decimal out of range");
  return v;
}

Result<uint64_t> ParseDecimalU64(std::string_view text) {
  return ParseDecimal(text, static_cast<uint64_t>(INT64_MAX));
}

Result<uint64_t> ParseDecimalU64Full(std::string_view text) {
  return ParseDecimal(text, UINT64_MAX);
}

std::string FormatDecimal(uint64_t v) { return std::to_string(v); }

void AppendDecimal(std::string& out, uint64_t v) {
  char buf[20];  // UINT64_MAX has 20 digits
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace candor
