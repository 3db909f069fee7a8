// The consistency proof file and the log's hash-lines body
// (candor/consistency_proof.h): canonical round trip, the docs/FORMATS.md
// test vector, strictness, limits.
#include "candor/consistency_proof.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "candor/layout.h"
#include "candor/merkle.h"
#include "libverify/memory_tree.h"

namespace candor {
namespace {

// The test vector of docs/FORMATS.md "Consistency proof file": the tree of
// leaves "entry 0".."entry 4" (tests/libverify/memory_tree.h), proofs from
// sizes 2 and 3 to size 5.
constexpr std::string_view kVector =
    "candor-consistency-proof v1\n"
    "origin example.com/log\n"
    "from 2 to 5\n"
    "3b3oD8zesxmO9puOHwk0+84pbGur+3OFdKT2KXImZ5M=\n"
    "SFM123z+yWXxX/dF/GJcQdXqJkaTaTAWWCj3PdS2iFQ=\n"
    "from 3 to 5\n"
    "V8efTzGuApxdS9MLBzwnyU35NDiytGl+Hh7vW8A5SkE=\n"
    "YcoROfaBWEHVuvLQ0tm9nf7pfImN1ve6DAqpQe5sAes=\n"
    "WkdmL9ijF9lgSaP59HxV3GfKZgUbqjaD27GbL+CaB7A=\n"
    "SFM123z+yWXxX/dF/GJcQdXqJkaTaTAWWCj3PdS2iFQ=\n";

TEST_CASE("consistency proof file: the FORMATS.md vector parses, verifies, and round-trips") {
  testing::MemoryTree tree(5);
  ConsistencyProofFile file;
  file.origin = "example.com/log";
  for (uint64_t from : {2, 3}) {
    auto proof = ProveConsistency(from, 5, tree.Reader());
    REQUIRE(proof.ok());
    file.blocks.push_back(ConsistencyProofBlock{from, 5, *proof});
  }
  CHECK(FormatConsistencyProofFile(file) == kVector);
  auto parsed = ParseConsistencyProofFile(kVector);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(*parsed == file);
  for (uint64_t from : {2, 3}) {
    const ConsistencyProofBlock* b = parsed->Find(from);
    REQUIRE(b != nullptr);
    auto root = [&](uint64_t n) {
      return RootFromLeafHashes(std::span<const Hash>(tree.leaves()).first(n));
    };
    CHECK(VerifyConsistency(from, 5, b->hashes, root(from), root(5)).ok());
  }
  CHECK(parsed->Find(1) == nullptr);
  CHECK(parsed->Find(5) == nullptr);

  std::ifstream in(std::string(CANDOR_SOURCE_DIR) + "/docs/FORMATS.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_MESSAGE(doc.find("```\n" + std::string(kVector) + "```\n") != std::string::npos,
                "docs/FORMATS.md must quote the vector verbatim");
}

TEST_CASE("consistency proof file: every deviation from the canonical form is refused") {
  const std::string v(kVector);
  auto edit = [&](std::string_view from, std::string_view to) {
    std::string t = v;
    size_t at = t.find(from);
    REQUIRE(at != std::string::npos);
    t.replace(at, from.size(), to);
    return t;
  };
  struct Case {
    const char* name;
    std::string text;
  } cases[] = {
      {"empty", ""},
      {"header only", std::string(kConsistencyProofHeader) + "\n"},
      {"no blocks", std::string(kConsistencyProofHeader) + "\norigin example.com/log\n"},
      {"other version", edit("proof v1", "proof v2")},
      {"missing origin", edit("origin example.com/log\n", "")},
      {"empty origin", edit("origin example.com/log", "origin ")},
      {"control character in origin", edit("origin example.com/log", "origin ex\tample")},
      {"leading zero", edit("from 2 to", "from 02 to")},
      {"sign", edit("from 2 to", "from +2 to")},
      {"double space", edit("from 2 to", "from 2  to")},
      {"from 0", edit("from 2 to", "from 0 to")},
      {"from == to", edit("from 3 to 5", "from 3 to 3")},
      {"from > to", edit("from 3 to 5", "from 6 to 5")},
      {"different to", edit("from 3 to 5", "from 3 to 6")},
      {"descending", edit("from 3 to 5", "from 1 to 5")},
      {"duplicate from", edit("from 3 to 5", "from 2 to 5")},
      {"size 2^63", edit("from 3 to 5", "from 9223372036854775808 to 5")},
      {"missing final newline", v.substr(0, v.size() - 1)},
      {"CRLF", edit("\norigin", "\r\norigin")},
      {"trailing blank line", v + "\n"},
      {"trailing garbage", v + "garbage\n"},
      {"one hash too few", v.substr(0, v.rfind('\n', v.size() - 2) + 1)},
      {"one hash too many", v + v.substr(v.rfind('\n', v.size() - 2) + 1)},
      {"non-canonical base64", edit("=\nfrom 3", "\nfrom 3")},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto got = ParseConsistencyProofFile(c.text);
    CHECK(got.status().code() == Code::kMalformed);
  }
}

TEST_CASE("consistency proof file: one size cap, and at most 32 blocks") {
  CHECK(ParseConsistencyProofFile(std::string(kMaxConsistencyProofFileSize + 1, 'a'))
            .status()
            .code() == Code::kTooLarge);
  testing::MemoryTree tree(40);
  ConsistencyProofFile file;
  file.origin = "example.com/log";
  for (uint64_t from = 1; from <= 33; ++from) {
    auto proof = ProveConsistency(from, 40, tree.Reader());
    REQUIRE(proof.ok());
    file.blocks.push_back(ConsistencyProofBlock{from, 40, *proof});
  }
  auto too_many = ParseConsistencyProofFile(FormatConsistencyProofFile(file));
  CHECK(too_many.status().code() == Code::kMalformed);
  file.blocks.pop_back();
  const std::string text = FormatConsistencyProofFile(file);
  REQUIRE(text.size() <= kMaxConsistencyProofFileSize);
  auto ok = ParseConsistencyProofFile(text);
  REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  CHECK(ok->blocks.size() == kMaxConsistencyProofBlocks);
}

TEST_CASE("hash lines (the log's consistency endpoint body) are strict") {
  Hash h{};
  h[0] = 7;
  const std::string line = Base64Encode(h) + "\n";
  CHECK(ParseProofHashLines("")->empty());
  CHECK(ParseProofHashLines(line + line)->size() == 2);
  CHECK(FormatProofHashLines(*ParseProofHashLines(line + line)) == line + line);
  for (const std::string& bad : {line.substr(0, line.size() - 1), line + "\n", " " + line,
                                 std::string("AAAA\n"), line.substr(0, 43) + "\r\n"}) {
    CAPTURE(bad);
    CHECK(ParseProofHashLines(bad).status().code() == Code::kMalformed);
  }
  std::string many;
  for (size_t k = 0; k <= kMaxConsistencyProofHashes; ++k) many += line;
  CHECK(ParseProofHashLines(many).status().code() == Code::kMalformed);
}

}  // namespace
}  // namespace candor
