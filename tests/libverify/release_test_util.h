// Test-only helpers for the release-entry test vectors in tests/vectors/release/
// (shared by tests/libverify/release_test.cc and tests/libsign/release_signer_test.cc).
//
// A vector <name> is four files:
//   <name>.inputs     what the vendor states ("key value" lines, see the files)
//   <name>.changelog  the exact changelog bytes
//   <name>.note       the exact signed manifest note the inputs must produce
//   <name>.entry.hex  the exact entry bytes, lower-case hex, 64 digits per line
// docs/FORMATS.md quotes .note and .entry.hex verbatim (checked by release_test.cc).
#ifndef CANDOR_TESTS_LIBVERIFY_RELEASE_TEST_UTIL_H_
#define CANDOR_TESTS_LIBVERIFY_RELEASE_TEST_UTIL_H_

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sodium.h>

#include <array>

#include <doctest/doctest.h>

#include "candor/bytes.h"
#include "candor/note.h"
#include "libverify/note_test_util.h"

namespace candor {
namespace testutil {

inline const char* const kReleaseVectors[] = {"minimal", "full", "kofn"};

inline std::string ReleaseVectorPath(std::string_view file) {
  return std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/release/" + std::string(file);
}

// Whole file, or "" with *ok = false.
inline std::string ReadWholeFile(const std::string& path, bool* ok = nullptr) {
  std::ifstream in(path, std::ios::binary);
  if (ok != nullptr) *ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A file of tests/vectors/trust-root/ (docs/FORMATS.md "Trust root test
// vectors"); fails the test if it cannot be read.
inline std::string TrustRootVector(const std::string& file) {
  bool ok = false;
  std::string s =
      ReadWholeFile(std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/trust-root/" + file, &ok);
  REQUIRE_MESSAGE(ok, file);
  return s;
}

inline void WriteWholeFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Lower-case hex, 64 digits per line, each line ending in "\n".
inline std::string WrapHex(ByteView data) {
  const std::string hex = HexEncode(data);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 64) out += hex.substr(i, 64) + "\n";
  return out;
}

// Inverse of WrapHex; returns false unless `text` is exactly WrapHex's form.
inline bool UnwrapHex(std::string_view text, Bytes* out) {
  std::string hex;
  for (char c : text) {
    if (c != '\n') hex.push_back(c);
  }
  auto decoded = HexDecode(hex);
  if (!decoded.ok()) return false;
  *out = *decoded;
  return WrapHex(*out) == text;
}

// The vectors' vendor key (seed 01 02 .. 20, name acme.example/firmware),
// derived with libsodium directly (not libsign).
inline TestKey VectorKey() {
  if (sodium_init() < 0) std::abort();
  TestKey k;
  std::array<uint8_t, 32> seed;
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i + 1);
  crypto_sign_seed_keypair(k.vkey.public_key.data(), k.sk.data(), seed.data());
  k.vkey.name = "acme.example/firmware";
  k.vkey.type = kKeyTypeEd25519;
  k.vkey.key_id = KeyId(k.vkey.name, k.vkey.type, k.vkey.public_key);
  return k;
}

struct VectorInputs {
  std::string seed_hex, key_name, vendor, version, image_ascii, issued;
  std::vector<std::string> products, disclose_args;
  uint64_t rollback = 0;
  // k-of-n: "signer <seed hex> <key name>" lines, the other keys of the
  // signer list, and "sign <key name>" lines, which of them sign (in order).
  std::vector<std::pair<std::string, std::string>> signers;  // (seed hex, name)
  std::vector<std::string> signs;
  std::vector<std::string> unknown;  // unrecognised keys: tests CHECK this is empty
};

inline VectorInputs ParseVectorInputs(std::string_view text) {
  VectorInputs in;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.find(' ');
    const std::string key(line.substr(0, sp));
    const std::string value(sp == std::string_view::npos ? "" : line.substr(sp + 1));
    if (key == "seed")
      in.seed_hex = value;
    else if (key == "key-name")
      in.key_name = value;
    else if (key == "vendor")
      in.vendor = value;
    else if (key == "product")
      in.products.push_back(value);
    else if (key == "version")
      in.version = value;
    else if (key == "rollback")
      in.rollback = std::stoull(value);
    else if (key == "image-ascii")
      in.image_ascii = value;
    else if (key == "issued")
      in.issued = value;
    else if (key == "disclose")
      in.disclose_args.push_back(value);
    else if (key == "signer" && value.find(' ') != std::string::npos)
      in.signers.emplace_back(value.substr(0, value.find(' ')), value.substr(value.find(' ') + 1));
    else if (key == "sign")
      in.signs.push_back(value);
    else
      in.unknown.push_back(key);
  }
  return in;
}

}  // namespace testutil
}  // namespace candor

#endif  // CANDOR_TESTS_LIBVERIFY_RELEASE_TEST_UTIL_H_
