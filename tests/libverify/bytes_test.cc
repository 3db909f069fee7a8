#include "candor/bytes.h"

#include <doctest/doctest.h>

#include "candor/sha256.h"

namespace candor {
namespace {

TEST_CASE("Base64 round-trips RFC 4648 test vectors") {
  struct Case {
    std::string_view plain, encoded;
  };
  const Case cases[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                        {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                        {"foobar", "Zm9vYmFy"}};
  for (const auto& c : cases) {
    CHECK(Base64Encode(AsBytes(c.plain)) == c.encoded);
    auto decoded = Base64Decode(c.encoded);
    REQUIRE(decoded.ok());
    CHECK(AsChars(*decoded) == c.plain);
  }
}

TEST_CASE("Base64 decoding is strict") {
  for (std::string_view bad : {"Zg", "Zg=", "Zh==", "Zm9v\n", " Zm9v", "Zm9v====", "Zm-v", "Zm_v",
                               "Zg==Zg=="}) {
    auto r = Base64Decode(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) CHECK(r.status().code() == Code::kMalformed);
  }
}

TEST_CASE("Hex is lower-case and strict") {
  CHECK(HexEncode(AsBytes("\x01\xab")) == "01ab");
  CHECK(HexDecode("01ab").ok());
  CHECK(!HexDecode("01AB").ok());
  CHECK(!HexDecode("0").ok());
  CHECK(!HexDecode("zz").ok());
}

TEST_CASE("Decimal parsing rejects non-canonical forms") {
  CHECK(*ParseDecimalU64("0") == 0);
  CHECK(*ParseDecimalU64("18446744") == 18446744);
  CHECK(*ParseDecimalU64("9223372036854775807") == 9223372036854775807ULL);
  for (std::string_view bad : {"", "01", "-1", "+1", "1 ", "9223372036854775808", "12345678901234567890"})
    CHECK_MESSAGE(!ParseDecimalU64(bad).ok(), bad);
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
  CHECK(HexEncode(h.Final()) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Final() resets for reuse.
  h.Update(std::string_view("abc"));
  CHECK(HexEncode(h.Final()) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Status maps codes to HTTP statuses and exit codes") {
  CHECK(HttpStatusFor(Code::kMalformed) == 400);
  CHECK(HttpStatusFor(Code::kRateLimited) == 429);
  CHECK(HttpStatusFor(Code::kConflict) == 409);
  CHECK(ExitCodeFor(Code::kOk) == 0);
  CHECK(ExitCodeFor(Code::kRollback) != ExitCodeFor(Code::kNotIncluded));
  Status s = Status::NotIncluded("leaf 3");
  CHECK(s.ToString() == "not-included: leaf 3");
  CHECK(s.WithContext("proof").message() == "proof: leaf 3");
}

}  // namespace
}  // namespace candor
