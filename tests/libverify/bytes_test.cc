#include "candor/bytes.h"

#include <doctest/doctest.h>
#include <sodium.h>

#include <random>
#include <string>

#include "candor/sha256.h"

namespace candor {
namespace {

TEST_CASE("Base64 round-trips RFC 4648 test vectors") {
  struct Case {
    std::string_view plain, encoded;
  };
  const Case cases[] = {{"", ""},
                        {"f", "Zg=="},
                        {"fo", "Zm8="},
                        {"foo", "Zm9v"},
                        {"foob", "Zm9vYg=="},
                        {"fooba", "Zm9vYmE="},
                        {"foobar", "Zm9vYmFy"}};
  for (const auto& c : cases) {
    CHECK(Base64Encode(AsBytes(c.plain)) == c.encoded);
    auto decoded = Base64Decode(c.encoded);
    REQUIRE(decoded.ok());
    CHECK(AsChars(*decoded) == c.plain);
  }
}

TEST_CASE("Base64 decoding is strict") {
  for (std::string_view bad :
       {"Zg", "Zg=", "Zh==", "Zm9v\n", " Zm9v", "Zm9v====", "Zm-v", "Zm_v", "Zg==Zg=="}) {
    auto r = Base64Decode(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) CHECK(r.status().code() == Code::kMalformed);
  }
}

// The original decoder, as reference: libsodium decode, then a full re-encode
// compared with the input. Base64Decode must agree with it exactly.
bool ReferenceBase64Accepts(std::string_view text, Bytes* out) {
  if (text.size() % 4 != 0) return false;
  out->clear();
  if (text.empty()) return true;
  out->resize(text.size() / 4 * 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out->data(), out->size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return false;
  }
  out->resize(len);
  return Base64Encode(*out) == text;
}

void CheckSameAsReference(std::string_view text) {
  Bytes want;
  const bool accepted = ReferenceBase64Accepts(text, &want);
  auto got = Base64Decode(text);
  CAPTURE(text);
  REQUIRE(got.ok() == accepted);
  if (accepted) {
    CHECK(*got == want);
  } else {
    CHECK(got.status().code() == Code::kMalformed);
  }
}

TEST_CASE("Base64Decode accepts and refuses exactly what a full re-encode check does") {
  REQUIRE(sodium_init() >= 0);
  // Every 4-character text over characters covering every low-bit pattern of a
  // final character ('A'..'P' are 0..15), high values, padding and non-alphabet
  // bytes; alone and after a valid group (the last group is the one checked).
  const std::string alphabet = std::string("ABCDEFGHIJKLMNOPQgw+/=-_ \n") + '\0' + "\x80\xff";
  std::string t(4, ' ');
  size_t accepted = 0;
  for (char a : alphabet) {
    for (char b : alphabet) {
      for (char c : alphabet) {
        for (char d : alphabet) {
          t = {a, b, c, d};
          CheckSameAsReference(t);
          CheckSameAsReference("Zm9v" + t);
          CheckSameAsReference(t + "Zm9v");
          accepted += Base64Decode(t).ok();
        }
      }
    }
  }
  // 21 alphabet characters above: 21^4 unpadded texts; "xyz=" needs z's low 2
  // bits zero (A E I M Q g w: 0 4 8 12 16 32 48); "xy==" needs y's low 4 bits
  // zero (A Q g w: 0 16 32 48).
  const size_t want = 21 * 21 * 21 * 21 + 21 * 21 * 7 + 21 * 4;
  CHECK(accepted == want);

  // Two arbitrary final characters after "AA" (every byte value).
  for (int c = 0; c < 256; ++c) {
    for (int d = 0; d < 256; ++d) {
      CheckSameAsReference(std::string("AA") + static_cast<char>(c) + static_cast<char>(d));
      CheckSameAsReference(std::string("AAAAA") + static_cast<char>(c) + static_cast<char>(d) +
                           "=");
    }
  }

  // Every byte value, and every pair of byte values, in every position of a
  // three-group text (libsodium 1.0.18 decodes bytes >= 0x80 as '/').
  const std::string base = "Zm9vYmFyZm8=";
  for (size_t i = 0; i < base.size(); ++i) {
    for (int c = 0; c < 256; ++c) {
      std::string t1 = base;
      t1[i] = static_cast<char>(c);
      CheckSameAsReference(t1);
      if (i % 4 != 0) continue;
      for (int d = 0; d < 256; ++d) {  // and the next position too
        t1[i + 1] = static_cast<char>(d);
        CheckSameAsReference(t1);
      }
    }
  }

  // Random canonical encodings of 0..80 bytes, then one byte changed anywhere.
  std::mt19937 rng(20261126);
  for (int i = 0; i < 3000; ++i) {
    Bytes data(rng() % 81);
    for (auto& x : data) x = static_cast<uint8_t>(rng());
    std::string text = Base64Encode(data);
    CheckSameAsReference(text);
    if (text.empty()) continue;
    text[rng() % text.size()] = static_cast<char>(rng());
    CheckSameAsReference(text);
  }
}

TEST_CASE("Hex is lower-case and strict") {
  CHECK(HexEncode(AsBytes("\x01\xab")) == "01ab");
  CHECK(HexDecode("01ab").ok());
  CHECK(!HexDecode("01AB").ok());
  CHECK(!HexDecode("0").ok());
  CHECK(!HexDecode("zz").ok());
}

TEST_CASE("Hex codec: table of encodings and refusals") {
  struct Case {
    std::string_view text;
    bool ok;
    Bytes bytes;
  } cases[] = {
      {"", true, {}},
      {"00", true, {0x00}},
      {"ff", true, {0xff}},
      {"0123456789abcdef", true, {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}},
      {"FF", false, {}},  // upper case is not canonical
      {"aB", false, {}},
      {"abc", false, {}},  // odd length
      {"0g", false, {}},   // not a hex digit
      {" 0", false, {}},
      {"0x00", false, {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto d = HexDecode(c.text);
    CHECK(d.ok() == c.ok);
    if (!d.ok()) CHECK(d.status().code() == Code::kMalformed);
    if (d.ok()) {
      CHECK(*d == c.bytes);
      CHECK(HexEncode(c.bytes) == c.text);
      std::string appended = "x";
      AppendHex(appended, c.bytes);
      CHECK(appended == "x" + std::string(c.text));
    }
  }
}

TEST_CASE("HexDecodeHash: exactly 64 lower-case hex digits, as HexDecode") {
  const std::string good =
      "00112233445566778899aabbccddeeff"
      "0123456789abcdeffedcba9876543210";
  auto h = HexDecodeHash(good);
  REQUIRE(h.ok());
  CHECK(HexEncode(*h) == good);
  std::string upper = good;
  upper[10] = 'A';
  std::string odd = good;
  odd[63] = 'g';
  for (const std::string& bad :
       {good.substr(0, 62), good + "00", upper, odd, std::string(64, ' '), std::string()}) {
    CAPTURE(bad);
    auto r = HexDecodeHash(bad);
    CHECK(r.status().code() == Code::kMalformed);
    // The same verdict as the general codec plus the length.
    const bool codec_ok = HexDecode(bad).ok() && bad.size() == 64;
    CHECK_FALSE(codec_ok);
  }
}

TEST_CASE("Big-endian codecs: table of values, round trips") {
  struct Case {
    uint64_t v;
    Bytes be64;
  } cases[] = {
      {0, {0, 0, 0, 0, 0, 0, 0, 0}},
      {1, {0, 0, 0, 0, 0, 0, 0, 1}},
      {0x0102, {0, 0, 0, 0, 0, 0, 1, 2}},
      {0x01020304, {0, 0, 0, 0, 1, 2, 3, 4}},
      {0xfffefdfcu, {0, 0, 0, 0, 0xff, 0xfe, 0xfd, 0xfc}},
      {0x0102030405060708, {1, 2, 3, 4, 5, 6, 7, 8}},
      {UINT64_MAX, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.v);
    Bytes b64, b32, b16;
    AppendU64BE(b64, c.v);
    CHECK(b64 == c.be64);
    CHECK(ReadU64BE(b64.data()) == c.v);
    AppendU32BE(b32, static_cast<uint32_t>(c.v));
    CHECK(b32 == Bytes(c.be64.begin() + 4, c.be64.end()));
    CHECK(ReadU32BE(b32.data()) == static_cast<uint32_t>(c.v));
    AppendU16BE(b16, static_cast<uint16_t>(c.v));
    CHECK(b16 == Bytes(c.be64.begin() + 6, c.be64.end()));
    CHECK(ReadU16BE(b16.data()) == static_cast<uint16_t>(c.v));
  }
}

TEST_CASE("AppendDecimal appends FormatDecimal") {
  for (uint64_t v : {uint64_t{0}, uint64_t{9}, uint64_t{10}, uint64_t{INT64_MAX}, UINT64_MAX}) {
    CAPTURE(v);
    std::string s = "n=";
    AppendDecimal(s, v);
    CHECK(s == "n=" + FormatDecimal(v));
    CHECK(*ParseDecimalU64Full(s.substr(2)) == v);
  }
  CHECK(FormatDecimal(UINT64_MAX) == "18446744073709551615");
}

TEST_CASE("Decimal parsing rejects non-canonical forms") {
  CHECK(*ParseDecimalU64("0") == 0);
  CHECK(*ParseDecimalU64("18446744") == 18446744);
  CHECK(*ParseDecimalU64("9223372036854775807") == 9223372036854775807ULL);
  for (std::string_view bad :
       {"", "01", "-1", "+1", " 1", "1 ", "9223372036854775808", "12345678901234567890"})
    CHECK_MESSAGE(!ParseDecimalU64(bad).ok(), bad);
}

TEST_CASE("Decimal parsing: one codec, two ranges, edges") {
  struct Case {
    std::string_view text;
    bool full_ok, int63_ok;
    uint64_t value;
  } cases[] = {
      {"0", true, true, 0},
      {"9223372036854775807", true, true, uint64_t{INT64_MAX}},
      {"9223372036854775808", true, false, uint64_t{1} << 63},
      {"18446744073709551615", true, false, UINT64_MAX},
      {"18446744073709551616", false, false, 0},   // 2^64: out of range, not wrapped
      {"99999999999999999999", false, false, 0},   // 20 digits, overflows
      {"100000000000000000000", false, false, 0},  // 21 digits
      {"00", false, false, 0},
      {"018446744073709551615", false, false, 0},
      {"1a", false, false, 0},
      {"", false, false, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto full = ParseDecimalU64Full(c.text);
    auto narrow = ParseDecimalU64(c.text);
    CHECK(full.ok() == c.full_ok);
    CHECK(narrow.ok() == c.int63_ok);
    if (!full.ok()) CHECK(full.status().code() == Code::kMalformed);
    if (full.ok()) {
      CHECK(*full == c.value);
      CHECK(FormatDecimal(*full) == c.text);
    }
  }
}

TEST_CASE("SHA-256 matches FIPS 180-2 vectors, streaming and one-shot") {
  CHECK(HexEncode(Sha256Digest(std::string_view(""))) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(HexEncode(Sha256Digest(std::string_view("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  std::string million(1000000, 'a');
  for (size_t i = 0; i < million.size(); i += 4097)
    h.Update(std::string_view(million).substr(i, 4097));
  CHECK(HexEncode(h.Final()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Final() resets for reuse.
  h.Update(std::string_view("abc"));
  CHECK(HexEncode(h.Final()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Status maps codes to HTTP statuses and exit codes") {
  CHECK(HttpStatusFor(Code::kMalformed) == 400);
  CHECK(HttpStatusFor(Code::kRateLimited) == 429);
  CHECK(HttpStatusFor(Code::kConflict) == 409);
  CHECK(ExitCodeFor(Code::kOk) == 0);
  CHECK(ExitCodeFor(Code::kRollback) != ExitCodeFor(Code::kNotIncluded));
  // A TLS failure (docs/EXIT_CODES.md): its own name and exit code, so a
  // script tells a certificate problem from an unreachable server.
  CHECK(CodeName(Code::kTls) == "tls");
  CHECK(CodeFromName("tls") == Code::kTls);
  CHECK(ExitCodeFor(Code::kTls) == 17);
  CHECK(ExitCodeFor(Code::kTls) != ExitCodeFor(Code::kUnavailable));
  Status s = Status::NotIncluded("leaf 3");
  CHECK(s.ToString() == "not-included: leaf 3");
  CHECK(s.WithContext("proof").message() == "proof: leaf 3");
}

}  // namespace
}  // namespace candor
