#include "candor/entry_bundle.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace candor {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST_CASE("entry_bundle: serialise and parse") {
  std::vector<Bytes> entries = {B("hello"), B(""), B("world"), Bytes(300, 0xab)};
  auto bundle = SerializeEntryBundle(entries);
  REQUIRE(bundle.ok());
  Bytes want = {0, 5, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 5, 'w', 'o', 'r', 'l', 'd', 0x01, 0x2c};
  want.insert(want.end(), 300, 0xab);
  CHECK(*bundle == want);
  auto parsed = ParseEntryBundle(*bundle, 4);
  REQUIRE(parsed.ok());
  CHECK(*parsed == entries);

  // AppendToEntryBundle builds the same bytes incrementally.
  Bytes inc;
  for (const Bytes& e : entries) REQUIRE(AppendToEntryBundle(inc, e).ok());
  CHECK(inc == *bundle);
}

TEST_CASE("entry_bundle: full bundle and size limits") {
  std::vector<Bytes> entries;
  for (int i = 0; i < 256; ++i) entries.push_back(B("entry " + std::to_string(i)));
  auto bundle = SerializeEntryBundle(entries);
  REQUIRE(bundle.ok());
  auto parsed = ParseEntryBundle(*bundle, 256);
  REQUIRE(parsed.ok());
  CHECK(*parsed == entries);
  entries.push_back(B("one too many"));
  CHECK(SerializeEntryBundle(entries).status().code() == Code::kInvalidArgument);

  Bytes max(kMaxEntrySize, 7);
  Bytes out;
  REQUIRE(AppendToEntryBundle(out, max).ok());
  CHECK(out.size() == kMaxEntrySize + 2);
  CHECK(out[0] == 0xff);
  CHECK(out[1] == 0xff);
  auto one = ParseEntryBundle(out, 1);
  REQUIRE(one.ok());
  CHECK((*one)[0] == max);
  Bytes too_big(kMaxEntrySize + 1, 7);
  Bytes unchanged = out;
  CHECK(AppendToEntryBundle(out, too_big).code() == Code::kTooLarge);
  CHECK(out == unchanged);
  std::vector<Bytes> with_big = {too_big};
  CHECK(SerializeEntryBundle(with_big).status().code() == Code::kTooLarge);
}

TEST_CASE("entry_bundle: strict parsing") {
  const Bytes good = {0, 1, 'a', 0, 2, 'b', 'c'};
  REQUIRE(ParseEntryBundle(good, 2).ok());
  struct Case {
    const char* name;
    Bytes data;
    size_t count;
    Code code;
  };
  const std::vector<Case> cases = {
      {"empty", {}, 1, Code::kMalformed},
      {"one length byte", {0}, 1, Code::kMalformed},
      {"truncated body", {0, 3, 'a', 'b'}, 1, Code::kMalformed},
      {"length claims 65535", {0xff, 0xff, 'a'}, 1, Code::kMalformed},
      {"trailing byte", {0, 1, 'a', 0, 2, 'b', 'c', 0}, 2, Code::kMalformed},
      {"trailing entry", good, 1, Code::kMalformed},
      {"fewer entries", good, 3, Code::kMalformed},
      {"truncated second length", {0, 1, 'a', 0}, 2, Code::kMalformed},
      {"count 0", good, 0, Code::kInvalidArgument},
      {"count 257", good, 257, Code::kInvalidArgument},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(ParseEntryBundle(c.data, c.count).status().code() == c.code);
  }
  // Every strict prefix of a valid bundle is refused.
  for (size_t k = 0; k < good.size(); ++k) {
    CHECK(ParseEntryBundle(ByteView(good).first(k), 2).status().code() == Code::kMalformed);
  }
  // Zero-length entries are valid.
  Bytes zeros = {0, 0, 0, 0};
  auto z = ParseEntryBundle(zeros, 2);
  REQUIRE(z.ok());
  CHECK((*z)[0].empty());
  CHECK((*z)[1].empty());
}

}  // namespace
}  // namespace candor
