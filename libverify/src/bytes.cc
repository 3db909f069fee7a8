#include "candor/bytes.h"

#include <sodium.h>

namespace candor {

std::string Base64Encode(ByteView data) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Status::Malformed("base64 length is not a multiple of 4");
  if (text.empty()) return Bytes();  // libsodium must not see a null buffer
  // libsodium 1.0.18 decodes every byte >= 0x80 as '/' (signed char
  // arithmetic), so refuse them first; all other bytes it decodes exactly as
  // RFC 4648's alphabet or refuses. One pass, no data-dependent branch.
  uint8_t high = 0;
  for (char c : text) high |= static_cast<uint8_t>(c);
  if (high & 0x80) return Status::Malformed("invalid base64");
  Bytes out(text.size() / 4 * 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return Status::Malformed("invalid base64");
  }
  out.resize(len);
  // Pin the one canonical form (RFC 4648 §3.5: zero pad bits, §3.2: padding
  // exactly as needed) without re-encoding everything: every 4-character group
  // before the last decoded to 3 bytes from 4 alphabet characters (ASCII only,
  // libsodium stops at the first '=' and the whole text was consumed), and that
  // mapping is a bijection, so only the last group can differ from its
  // re-encoding. Re-encode just its 1..3 bytes (libsodium) and compare.
  // tests/libverify/bytes_test.cc checks equivalence with a full re-encode.
  const size_t full = (text.size() / 4 - 1) * 3;  // bytes of the groups before the last
  if (len <= full || len > full + 3) return Status::Malformed("invalid base64");  // fail closed
  const size_t tail = len - full;
  char last[5];
  sodium_bin2base64(last, sizeof last, out.data() + (len - tail), tail,
                    sodium_base64_VARIANT_ORIGINAL);
  if (std::string_view(last, 4) != text.substr(text.size() - 4)) {
    return Status::Malformed("non-canonical base64");
  }
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

std::string HexEncode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
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

bool HashEqual(const Hash& a, const Hash& b) {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void AppendU16BE(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void AppendU64BE(Bytes& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
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

Result<uint64_t> ParseDecimalU64(std::string_view text) {
  if (text.empty() || text.size() > 19) return Status::Malformed("invalid decimal number");
  if (text.size() > 1 && text[0] == '0') return Status::Malformed("decimal has a leading zero");
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::Malformed("invalid decimal number");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return Status::Malformed("decimal out of range");
  return v;
}

}  // namespace candor
