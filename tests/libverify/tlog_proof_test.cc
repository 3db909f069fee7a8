#include "candor/tlog_proof.h"

#include <doctest/doctest.h>

#include "candor/bundle.h"

namespace candor {
namespace {

// The example of c2sp.org/tlog-proof §Introduction, with the elided
// signatures replaced (the checkpoint is carried verbatim, not verified here).
constexpr std::string_view kSpecExample =
    "c2sp.org/tlog-proof@v1\n"
    "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6\n"
    "index 73894\n"
    "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
    "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
    "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
    "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
    "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
    "\n"
    "example.com/fancylog\n"
    "109482\n"
    "sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
    "\n"
    "\xe2\x80\x94 example.com/fancylog hI2DJwAAAA==\n";

TEST_CASE("Parses and re-serialises the tlog-proof spec example byte for byte") {
  auto proof = ParseTlogProof(kSpecExample);
  REQUIRE_MESSAGE(proof.ok(), proof.status().ToString());
  REQUIRE(proof->extra.has_value());
  CHECK(AsChars(*proof->extra) == "age-v1.2.1-darwin-arm64.tar.gz");
  CHECK(proof->index == 73894);
  CHECK(proof->inclusion_proof.size() == 5);
  CHECK(proof->checkpoint.starts_with("example.com/fancylog\n109482\n"));
  CHECK(FormatTlogProof(*proof) == kSpecExample);
}

TEST_CASE("tlog-proof without extra and with an empty inclusion proof") {
  const std::string text = "c2sp.org/tlog-proof@v1\nindex 0\n\nlog\n1\nAAAA\n";
  auto proof = ParseTlogProof(text);
  REQUIRE(proof.ok());
  CHECK(!proof->extra.has_value());
  CHECK(proof->inclusion_proof.empty());
  CHECK(FormatTlogProof(*proof) == text);
}

TEST_CASE("Malformed tlog-proofs are refused") {
  const std::string h = "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n";
  std::string too_many = "c2sp.org/tlog-proof@v1\nindex 1\n";
  for (int i = 0; i < 64; i++) too_many += h;
  too_many += "\ncp\n";
  const std::string cases[] = {
      "",
      "c2sp.org/tlog-proof@v2\nindex 1\n\ncp\n",
      "c2sp.org/tlog-proof@v1",
      "c2sp.org/tlog-proof@v1\n",
      "c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n",
      "c2sp.org/tlog-proof@v1\nindex -1\n\ncp\n",
      "c2sp.org/tlog-proof@v1\nindex  1\n\ncp\n",
      "c2sp.org/tlog-proof@v1\nindex 1\n" + h,             // no blank line
      "c2sp.org/tlog-proof@v1\nindex 1\n" + h + "\n",      // no checkpoint
      "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\ncp\n",     // short hash
      "c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\ncp\n",  // bad base64
      "c2sp.org/tlog-proof@v1\nindex 1\nextra AAAA\n\ncp\n",  // extra after index
      "c2sp.org/tlog-proof@v1\r\nindex 1\n\ncp\n",
      too_many,
  };
  for (const std::string& text : cases) {
    auto proof = ParseTlogProof(text);
    CHECK_MESSAGE(!proof.ok(), text);
    if (!proof.ok()) CHECK(proof.status().code() == Code::kMalformed);
  }
}

TEST_CASE("A bundle is a tlog-proof carrying the entry as extra data") {
  Bundle bundle;
  bundle.entry = Bytes{1, 2, 3, 4};
  bundle.index = 42;
  bundle.inclusion_proof.push_back(Hash{});
  bundle.checkpoint_note = "log\n43\nAAAA\n\n\xe2\x80\x94 log AAAAAA==\n";
  std::string text = FormatBundle(bundle);
  CHECK(text.starts_with("c2sp.org/tlog-proof@v1\nextra AQIDBA==\nindex 42\n"));
  auto parsed = ParseBundle(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == bundle);

  auto no_entry = ParseBundle("c2sp.org/tlog-proof@v1\nindex 1\n\ncp\n");
  REQUIRE(!no_entry.ok());
  CHECK(no_entry.status().code() == Code::kMalformed);
  auto huge = ParseBundle(std::string(3 << 20, 'a'));
  REQUIRE(!huge.ok());
  CHECK(huge.status().code() == Code::kTooLarge);
}

}  // namespace
}  // namespace candor
