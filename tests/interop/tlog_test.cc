// Interop: libverify's Merkle hashing, proofs and tile layout against Go's
// golang.org/x/mod/sumdb/tlog (tests/interop/go/tlog.go). Go computes
// everything in one run and prints it; this test recomputes each line.
//
// Coverage: every tree size 1..300 (root, the inclusion proof of every index,
// the consistency proof from every old size), and for sizes 65536, 65537,
// 1000000 and four pseudo-random sizes below 10^6: the root, 10 inclusion and
// 10 consistency proofs each (proved here from tiles), the contents of every
// tile of the 10^6 tree and the partial tiles of the others, NewTiles between
// many size pairs, and tile paths.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/sha256.h"
#include "candor/tile_reader.h"
#include "libverify/memory_tree.h"

namespace candor {
namespace {

using testing::MemoryTree;

// Runs the Go helper with `args` and returns its stdout; fails the test on a
// non-zero exit.
std::string RunGo(const std::string& args) {
  std::string cmd = "'" + std::string(CANDOR_GO_HELPER) + "' " + args;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  REQUIRE_MESSAGE(rc == 0, "go helper failed: " << cmd);
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

Hash ParseHex(const std::string& hex) {
  auto b = HexDecode(hex);
  REQUIRE(b.ok());
  REQUIRE(b->size() == 32);
  Hash h;
  std::copy(b->begin(), b->end(), h.begin());
  return h;
}

std::vector<Hash> ParseHashList(const std::string& s) {
  std::vector<Hash> out;
  if (s == "-") return out;
  for (const std::string& x : Split(s, ',')) out.push_back(ParseHex(x));
  return out;
}

std::string DigestOf(const std::vector<Hash>& hashes) {
  Sha256 sha;
  for (const Hash& h : hashes) sha.Update(ByteView(h));
  return HexEncode(sha.Final());
}

uint64_t U64(const std::string& s) {
  auto v = ParseDecimalU64(s);
  REQUIRE(v.ok());
  return *v;
}

TEST_CASE("interop: Merkle roots, proofs and tiles agree with Go sumdb/tlog") {
  const uint64_t kSmall = 300;
  std::vector<uint64_t> large = {65536, 65537, 1000000};
  std::mt19937_64 rng(6962);
  for (int i = 0; i < 4; ++i) large.push_back(kSmall + rng() % (1000000 - kSmall));
  std::string args = "tlog-vectors " + std::to_string(kSmall);
  uint64_t max_size = kSmall;
  for (uint64_t n : large) {
    args += " " + std::to_string(n);
    max_size = std::max(max_size, n);
  }
  const std::string out = RunGo(args);

  MemoryTree tree(max_size);
  NodeReader mem = tree.Reader();
  // A log directory holding every tile of the largest tree and the partial
  // tiles of every smaller size (prefixes of the current ones).
  TileFetcher fetch = [&tree, max_size](const TileId& t) -> Result<Bytes> {
    uint16_t w = TileWidthInTree(t.level, t.index, max_size);
    if (w == 0 || t.width > w) return Status::NotFound(TilePath(t));
    return tree.TileBytes(t);
  };

  std::map<uint64_t, Hash> roots;
  std::map<std::string, int> counts;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = Split(line, ' ');
    REQUIRE(!f.empty());
    const std::string& kind = f[0];
    ++counts[kind];
    CAPTURE(line.substr(0, 120));
    if (kind == "root") {
      REQUIRE(f.size() == 3);
      uint64_t n = U64(f[1]);
      Hash want = ParseHex(f[2]);
      roots[n] = want;
      auto got = TreeHash(n, mem);
      REQUIRE(got.ok());
      CHECK(HexEncode(*got) == f[2]);
      if (n <= kSmall) {
        CHECK(RootFromLeafHashes(std::span<const Hash>(tree.leaves()).first(n)) == want);
      } else {
        auto from_tiles = TreeHash(n, MakeTileNodeReader(fetch, n));
        REQUIRE(from_tiles.ok());
        CHECK(*from_tiles == want);
      }
    } else if (kind == "incl") {
      REQUIRE(f.size() == 5);
      uint64_t n = U64(f[1]), i = U64(f[2]);
      auto proof = ProveInclusion(i, n, mem);
      REQUIRE(proof.ok());
      CHECK(proof->size() == U64(f[3]));
      CHECK(DigestOf(*proof) == f[4]);
      REQUIRE(roots.count(n));
      CHECK(VerifyInclusion(i, n, tree.leaves()[i], *proof, roots[n]).ok());
    } else if (kind == "cons") {
      REQUIRE(f.size() == 5);
      uint64_t m = U64(f[1]), n = U64(f[2]);
      auto proof = ProveConsistency(m, n, mem);
      REQUIRE(proof.ok());
      CHECK(proof->size() == U64(f[3]));
      CHECK(DigestOf(*proof) == f[4]);
      REQUIRE(roots.count(m));
      REQUIRE(roots.count(n));
      CHECK(VerifyConsistency(m, n, *proof, roots[m], roots[n]).ok());
    } else if (kind == "inclfull") {
      REQUIRE(f.size() == 4);
      uint64_t n = U64(f[1]), i = U64(f[2]);
      std::vector<Hash> go_proof = ParseHashList(f[3]);
      auto proof = ProveInclusion(i, n, MakeTileNodeReader(fetch, n));
      REQUIRE(proof.ok());
      CHECK(*proof == go_proof);
      REQUIRE(roots.count(n));
      CHECK(VerifyInclusion(i, n, tree.leaves()[i], go_proof, roots[n]).ok());
    } else if (kind == "consfull") {
      REQUIRE(f.size() == 4);
      uint64_t m = U64(f[1]), n = U64(f[2]);
      std::vector<Hash> go_proof = ParseHashList(f[3]);
      auto proof = ProveConsistency(m, n, MakeTileNodeReader(fetch, n));
      REQUIRE(proof.ok());
      CHECK(*proof == go_proof);
      REQUIRE(roots.count(m));
      REQUIRE(roots.count(n));
      CHECK(VerifyConsistency(m, n, go_proof, roots[m], roots[n]).ok());
    } else if (kind == "newtiles") {
      REQUIRE(f.size() == 4);
      uint64_t m = U64(f[1]), n = U64(f[2]);
      std::set<TileId> go;
      if (f[3] != "-") {
        for (const std::string& p : Split(f[3], ';')) {
          auto t = ParseTilePath(p);
          REQUIRE(t.ok());
          go.insert(*t);
        }
      }
      std::vector<TileId> ours = NewTiles(m, n);
      // Ours is the subset of Go's list that C2SP needs: Go also lists every
      // intermediate partial width, and partial tiles unchanged since m.
      for (const TileId& t : ours) CHECK(go.count(t) == 1);
      std::set<TileId> ours_set(ours.begin(), ours.end());
      for (const TileId& t : go) {
        if (ours_set.count(t)) continue;
        CAPTURE(TilePath(t));
        CHECK(t.width < kTileWidth);
        CHECK((t.width != TileWidthInTree(t.level, t.index, n) ||
               t.width == TileWidthInTree(t.level, t.index, m)));
      }
    } else if (kind == "tiledata") {
      REQUIRE(f.size() == 3);
      auto t = ParseTilePath(f[1]);
      REQUIRE(t.ok());
      CHECK(HexEncode(Sha256Digest(tree.TileBytes(*t))) == f[2]);
    } else {
      FAIL("unknown line kind " << kind);
    }
  }
  // Everything we expected was checked.
  CHECK(counts["incl"] == kSmall * (kSmall + 1) / 2);
  CHECK(counts["cons"] == kSmall * (kSmall + 1) / 2);
  CHECK(counts["inclfull"] == 10 * static_cast<int>(large.size()));
  CHECK(counts["consfull"] == 10 * static_cast<int>(large.size()));
  CHECK(counts["root"] >= static_cast<int>(kSmall + large.size()));
  CHECK(counts["tiledata"] > 3906);  // all 3906 full level-0 tiles of 10^6 and more
  CHECK(counts["newtiles"] > 1000);
}

TEST_CASE("interop: tile paths agree with Go tlog.Tile.Path") {
  struct Case {
    int level;  // -1: entry bundle (Go's "data" tiles)
    uint64_t index;
    uint16_t width;
  };
  const std::vector<Case> cases = {
      {0, 0, 256},       {0, 0, 1},        {0, 1, 255},        {0, 999, 256},
      {0, 1000, 256},    {0, 1000, 17},    {1, 1234067, 256},  {2, 1234067, 3},
      {3, 123456078, 2}, {5, 999999, 256}, {7, 1000000, 128},  {0, 1000000000000, 256},
      {-1, 0, 256},      {-1, 5, 3},       {-1, 1234067, 255}, {-1, 9223372036854775807ULL, 256},
  };
  std::string args = "tlog-paths";
  for (const auto& c : cases) {
    args += " " + std::to_string(c.level) + " " + std::to_string(c.index) + " " +
            std::to_string(c.width);
  }
  std::istringstream in(RunGo(args));
  std::string line;
  size_t k = 0;
  while (std::getline(in, line)) {
    REQUIRE(k < cases.size());
    const Case& c = cases[k++];
    std::vector<std::string> f = Split(line, ' ');
    REQUIRE(f.size() == 6);
    CAPTURE(line);
    const std::string& c2sp = f[5];
    if (c.level < 0) {
      CHECK(EntryBundlePath(c.index, c.width) == c2sp);
      auto b = ParseEntryBundlePath(c2sp);
      REQUIRE(b.ok());
      CHECK(*b == EntryBundleId{c.index, c.width});
    } else {
      TileId t{static_cast<uint8_t>(c.level), c.index, c.width};
      CHECK(TilePath(t) == c2sp);
      auto parsed = ParseTilePath(c2sp);
      REQUIRE(parsed.ok());
      CHECK(*parsed == t);
      // Go's own form carries the height: tile/8/<L>/...
      CHECK(f[4] == "tile/8/" + c2sp.substr(5));
    }
  }
  CHECK(k == cases.size());
}

}  // namespace
}  // namespace candor
