// MakeConsistencyProofFile (cli/src/publish_consistency.h): what `candor
// publish --consistency-out` and `candor bundle refresh` write, and what they
// refuse to write, against an in-memory proof source.
#include "publish_consistency.h"

#include <doctest/doctest.h>

#include <sstream>

#include "candor/merkle.h"

namespace candor::cli {
namespace {

// An honest in-memory log of `n` leaves, and checkpoints of its prefixes.
struct FakeLog {
  std::vector<Hash> leaves;
  explicit FakeLog(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      const std::string e = "entry " + std::to_string(i);
      leaves.push_back(LeafHash(AsBytes(e)));
    }
  }
  Hash Root(uint64_t size) const {
    return RootFromLeafHashes(std::span<const Hash>(leaves).first(size));
  }
  Checkpoint At(uint64_t size, std::string origin = "log.example") const {
    return Checkpoint{std::move(origin), size, Root(size), {}};
  }
  NodeReader Reader() const {
    return [this](std::span<const NodeId> ids) -> Result<std::vector<Hash>> {
      std::vector<Hash> out;
      for (const NodeId& id : ids) {
        uint64_t first = id.index << id.level, n = uint64_t{1} << id.level;
        out.push_back(RootFromLeafHashes(std::span<const Hash>(leaves).subspan(first, n)));
      }
      return out;
    };
  }
  // Proves consistency from this log's tree (optionally corrupting the proof).
  ConsistencyProofFn Fetcher(int* calls, bool corrupt = false) const {
    return [this, calls, corrupt](uint64_t from, uint64_t to) -> Result<std::vector<Hash>> {
      ++*calls;
      auto proof = ProveConsistency(from, to, Reader());
      REQUIRE(proof.ok());
      if (corrupt) (*proof)[0][0] ^= 1;
      return proof;
    };
  }
};

TEST_CASE("publish consistency: one verified block per smaller previous size") {
  FakeLog log(9);
  int calls = 0;
  std::ostringstream err;
  auto file = MakeConsistencyProofFile(
      {log.At(5), log.At(2), log.At(5), log.At(9), log.At(3, "other.example")}, log.At(9),
      log.Fetcher(&calls), err);
  REQUIRE_MESSAGE(file.ok(), file.status().ToString());
  REQUIRE(file->has_value());
  const ConsistencyProofFile& f = **file;
  CHECK(f.origin == "log.example");
  REQUIRE(f.blocks.size() == 2);
  CHECK(f.blocks[0].from == 2);
  CHECK(f.blocks[1].from == 5);
  CHECK(calls == 2);  // duplicates and the equal size fetch nothing
  CHECK(err.str().find("other.example") != std::string::npos);
  for (const ConsistencyProofBlock& b : f.blocks) {
    CHECK(VerifyConsistency(b.from, 9, b.hashes, log.Root(b.from), log.Root(9)).ok());
  }
  CHECK(ParseConsistencyProofFile(FormatConsistencyProofFile(f)).ok());

  // Nothing smaller: no file.
  auto none = MakeConsistencyProofFile({log.At(9)}, log.At(9), log.Fetcher(&calls), err);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("publish consistency: refuses what devices holding a previous bundle would refuse") {
  FakeLog log(9);
  FakeLog fork(9);
  fork.leaves[1][0] ^= 1;  // another branch from entry 1 on
  int calls = 0;
  std::ostringstream err;
  struct Case {
    const char* name;
    std::vector<Checkpoint> previous;
    bool corrupt;
  } cases[] = {
      {"previous bundle larger than the new checkpoint",
       {Checkpoint{"log.example", 12, log.Root(9), {}}},
       false},
      {"previous bundle from another branch", {fork.At(4)}, false},
      {"same size, another root", {fork.At(9)}, false},
      {"two previous bundles disagree at one size", {log.At(4), fork.At(4)}, false},
      {"the log's proof does not verify", {log.At(4)}, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto got = MakeConsistencyProofFile(c.previous, log.At(9), log.Fetcher(&calls, c.corrupt), err);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == Code::kInconsistent);
  }
}

}  // namespace
}  // namespace candor::cli
