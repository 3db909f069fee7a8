#include "candor/tile_reader.h"

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "libverify/memory_tree.h"

namespace candor {
namespace {

using testing::MemoryTree;

// A log directory in memory: path -> bytes, as a log of `size` would serve it
// (after having published every size in `history`, so older partial tiles are
// present too unless deleted).
struct TileStore {
  std::map<std::string, Bytes> files;
  std::map<std::string, int> fetches;

  void Publish(const MemoryTree& tree, uint64_t old_size, uint64_t new_size) {
    for (const TileId& t : NewTiles(old_size, new_size)) files[TilePath(t)] = tree.TileBytes(t);
  }
  TileFetcher Fetcher() {
    return [this](const TileId& t) -> Result<Bytes> {
      std::string p = TilePath(t);
      ++fetches[p];
      auto it = files.find(p);
      if (it == files.end()) return Status::NotFound(p);
      return it->second;
    };
  }
};

TEST_CASE("tile_reader: PerfectSubtreeHash and ParseTile") {
  MemoryTree tree(256);
  CHECK(PerfectSubtreeHash(std::span<const Hash>(tree.leaves()).first(1)) == tree.leaves()[0]);
  CHECK(PerfectSubtreeHash(std::span<const Hash>(tree.leaves()).first(2)) ==
        NodeHash(tree.leaves()[0], tree.leaves()[1]));
  CHECK(PerfectSubtreeHash(tree.leaves()) == tree.Node({8, 0}));
  CHECK(PerfectSubtreeHash(std::span<const Hash>(tree.leaves()).subspan(64, 64)) ==
        tree.Node({6, 1}));

  Bytes data = tree.TileBytes({0, 0, 3});
  auto hashes = ParseTile(data, 3);
  REQUIRE(hashes.ok());
  CHECK(*hashes == std::vector<Hash>(tree.leaves().begin(), tree.leaves().begin() + 3));
  CHECK(ParseTile(data, 2).status().code() == Code::kMalformed);
  CHECK(ParseTile(data, 4).status().code() == Code::kMalformed);
  CHECK(ParseTile(ByteView(data).first(95), 3).status().code() == Code::kMalformed);
  CHECK(ParseTile({}, 1).status().code() == Code::kMalformed);
  CHECK(ParseTile({}, 0).status().code() == Code::kInvalidArgument);
  CHECK(ParseTile(data, 257).status().code() == Code::kInvalidArgument);
}

TEST_CASE("tile_reader: FormatTile and ParseTile are inverses") {
  MemoryTree tree(256);
  for (size_t n : {size_t{1}, size_t{2}, size_t{255}, size_t{256}}) {
    CAPTURE(n);
    std::span<const Hash> hashes = std::span<const Hash>(tree.leaves()).first(n);
    Bytes bytes = FormatTile(hashes);
    CHECK(bytes == tree.TileBytes({0, 0, static_cast<uint16_t>(n)}));
    auto parsed = ParseTile(bytes, static_cast<uint16_t>(n));
    REQUIRE(parsed.ok());
    CHECK(std::equal(parsed->begin(), parsed->end(), hashes.begin(), hashes.end()));
    CHECK(FormatTile(*parsed) == bytes);
  }
}

// The one partial-tile rule (FetchTile): which paths are asked for, in order,
// and what comes back.
TEST_CASE("tile_reader: FetchTile falls back from a missing partial to the full tile only") {
  MemoryTree tree(600);
  const Bytes full = tree.TileBytes({0, 1, 256});
  const Bytes partial = tree.TileBytes({0, 1, 88});
  const Bytes wider = tree.TileBytes({0, 1, 200});
  auto grown = [](Bytes b) {
    b.push_back(0);
    return b;
  };
  auto shrunk = [](Bytes b) {
    b.pop_back();
    return b;
  };
  struct Case {
    const char* name;
    TileId want;
    std::map<std::string, Bytes> files;
    bool io_error = false;  // every fetch fails with kIo
    std::string io_path;    // ... or only this one
    Code code;              // expected result
    std::vector<std::string> asked;
  };
  const Case cases[] = {
      {"partial present", {0, 1, 88}, {{"tile/0/001.p/88", partial}, {"tile/0/001", full}},
       false, "", Code::kOk, {"tile/0/001.p/88"}},
      {"partial missing: the full tile's prefix", {0, 1, 88}, {{"tile/0/001", full}}, false, "",
       Code::kOk, {"tile/0/001.p/88", "tile/0/001"}},
      {"partial and full missing", {0, 1, 88}, {}, false, "", Code::kNotFound,
       {"tile/0/001.p/88", "tile/0/001"}},
      {"a wider partial never serves a narrower one", {0, 1, 88},
       {{"tile/0/001.p/200", wider}}, false, "", Code::kNotFound,
       {"tile/0/001.p/88", "tile/0/001"}},
      {"full missing: no partial serves it", {0, 1, 256},
       {{"tile/0/001.p/88", partial}, {"tile/0/001.p/255", tree.TileBytes({0, 1, 255})}}, false,
       "", Code::kNotFound, {"tile/0/001"}},
      {"full present", {0, 1, 256}, {{"tile/0/001", full}}, false, "", Code::kOk, {"tile/0/001"}},
      {"short partial: no fallback", {0, 1, 88},
       {{"tile/0/001.p/88", shrunk(partial)}, {"tile/0/001", full}}, false, "", Code::kMalformed,
       {"tile/0/001.p/88"}},
      {"long partial: no fallback", {0, 1, 88},
       {{"tile/0/001.p/88", grown(partial)}, {"tile/0/001", full}}, false, "", Code::kMalformed,
       {"tile/0/001.p/88"}},
      {"short full tile serving a partial", {0, 1, 88}, {{"tile/0/001", partial}}, false, "",
       Code::kMalformed, {"tile/0/001.p/88", "tile/0/001"}},
      {"malformed full tile", {0, 1, 256}, {{"tile/0/001", grown(full)}}, false, "",
       Code::kMalformed, {"tile/0/001"}},
      {"I/O error on the partial: no fallback", {0, 1, 88}, {{"tile/0/001", full}}, true, "",
       Code::kIo, {"tile/0/001.p/88"}},
      {"I/O error on the full tile after a missing partial", {0, 1, 88}, {}, false,
       "tile/0/001", Code::kIo, {"tile/0/001.p/88", "tile/0/001"}},
      {"width 0", {0, 1, 0}, {{"tile/0/001", full}}, false, "", Code::kInvalidArgument, {}},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    std::vector<std::string> asked;
    TileFetcher fetch = [&](const TileId& t) -> Result<Bytes> {
      std::string p = TilePath(t);
      asked.push_back(p);
      if (c.io_error || p == c.io_path) return Status::Io("disk on fire");
      auto it = c.files.find(p);
      if (it == c.files.end()) return Status::NotFound(p);
      return it->second;
    };
    auto got = FetchTile(fetch, c.want);
    CHECK(got.status().code() == c.code);
    CHECK(asked == c.asked);
    if (got.ok()) {
      CHECK(FormatTile(*got) == tree.TileBytes(c.want));
    }
  }
}

TEST_CASE("tile_reader: nodes of a smaller tree read from the tiles of a larger one") {
  MemoryTree tree(70000);
  TileStore s;
  s.Publish(tree, 0, 70000);  // only the tiles of 70000: no partial tile of the smaller sizes
  for (uint64_t n : {uint64_t{1}, uint64_t{300}, uint64_t{65537}, uint64_t{69999}}) {
    CAPTURE(n);
    NodeReader r = MakeTileNodeReader(s.Fetcher(), n, 70000);
    auto root = TreeHash(n, r);
    REQUIRE(root.ok());
    CHECK(*root == RootFromLeafHashes(std::span<const Hash>(tree.leaves()).first(n)));
    auto p1 = ProveConsistency(n / 2 + 1, n, r);
    auto p2 = ProveConsistency(n / 2 + 1, n, tree.Reader());
    REQUIRE(p1.ok());
    REQUIRE(p2.ok());
    CHECK(*p1 == *p2);
    // Nodes outside the smaller tree stay outside, even though the tiles hold them.
    std::vector<NodeId> outside = {{0, n}};
    CHECK(r(outside).status().code() == Code::kInvalidArgument);
    // Asking for the tiles of n itself fails when neither they nor the full
    // tiles exist (for the other sizes the full tiles serve them).
    if (n == 69999) {
      CHECK(TreeHash(n, MakeTileNodeReader(s.Fetcher(), n)).status().code() == Code::kNotFound);
    }
  }
  CHECK(TreeHash(10, MakeTileNodeReader(s.Fetcher(), 10, 5)).status().code() ==
        Code::kInvalidArgument);
}

TEST_CASE("tile_reader: roots and proofs from tiles equal the in-memory tree") {
  MemoryTree tree(70000);
  TileStore store;
  store.Publish(tree, 0, 70000);
  const uint64_t sizes[] = {1, 2, 255, 256, 257, 1000, 65535, 65536, 65537, 70000};
  for (uint64_t n : sizes) {
    CAPTURE(n);
    // Only the tiles of size n are published for this check.
    TileStore s;
    s.Publish(tree, 0, n);
    NodeReader tiles = MakeTileNodeReader(s.Fetcher(), n);
    NodeReader mem = tree.Reader();
    auto root = TreeHash(n, tiles);
    REQUIRE(root.ok());
    CHECK(*root == RootFromLeafHashes(std::span<const Hash>(tree.leaves()).first(n)));
    for (uint64_t i : {uint64_t{0}, n / 3, n / 2, n - 1}) {
      CAPTURE(i);
      auto p1 = ProveInclusion(i, n, tiles);
      auto p2 = ProveInclusion(i, n, mem);
      REQUIRE(p1.ok());
      REQUIRE(p2.ok());
      CHECK(*p1 == *p2);
      CHECK(VerifyInclusion(i, n, tree.leaves()[i], *p1, *root).ok());
    }
    for (uint64_t m : {uint64_t{1}, n / 2, n - 1, n}) {
      if (m == 0) continue;
      CAPTURE(m);
      auto p1 = ProveConsistency(m, n, tiles);
      auto p2 = ProveConsistency(m, n, mem);
      REQUIRE(p1.ok());
      REQUIRE(p2.ok());
      CHECK(*p1 == *p2);
    }
    // Each tile is fetched once per batch.
    s.fetches.clear();
    REQUIRE(TreeHash(n, tiles).ok());
    for (const auto& [path, count] : s.fetches) {
      const auto& tile_path = path;  // clang < 16 cannot capture a structured binding (CAPTURE)
      CAPTURE(tile_path);
      CHECK(count == 1);
    }
    CHECK(!s.fetches.empty());
  }
}

TEST_CASE("tile_reader: a tree read from a log that has since grown") {
  MemoryTree tree(1000);
  TileStore s;
  // The log published 600, then 1000. Tiles of 600 (partial) remain.
  s.Publish(tree, 0, 600);
  s.Publish(tree, 600, 1000);
  NodeReader r600 = MakeTileNodeReader(s.Fetcher(), 600);
  Hash root600 = RootFromLeafHashes(std::span<const Hash>(tree.leaves()).first(600));
  auto got = TreeHash(600, r600);
  REQUIRE(got.ok());
  CHECK(*got == root600);
  CHECK(s.fetches.count("tile/0/002.p/88") == 1);

  // The log deleted the partial tile once the full one existed: fall back.
  s.files.erase("tile/0/002.p/88");
  s.fetches.clear();
  got = TreeHash(600, r600);
  REQUIRE(got.ok());
  CHECK(*got == root600);
  CHECK(s.fetches["tile/0/002.p/88"] == 1);
  CHECK(s.fetches["tile/0/002"] == 1);
  auto proof = ProveInclusion(599, 600, r600);
  REQUIRE(proof.ok());
  CHECK(VerifyInclusion(599, 600, tree.leaves()[599], *proof, root600).ok());

  // Tiles grow by extension: the partial tile is a prefix of the full one.
  Bytes partial = tree.TileBytes({0, 2, 88}), full = tree.TileBytes({0, 2, 256});
  CHECK(std::equal(partial.begin(), partial.end(), full.begin()));
}

TEST_CASE("tile_reader: errors") {
  MemoryTree tree(300);
  TileStore s;
  s.Publish(tree, 0, 300);
  NodeReader r = MakeTileNodeReader(s.Fetcher(), 300);

  // Nodes outside the tree.
  std::vector<NodeId> outside = {{0, 300}};
  CHECK(r(outside).status().code() == Code::kInvalidArgument);
  std::vector<NodeId> too_high = {{9, 0}};
  CHECK(r(too_high).status().code() == Code::kInvalidArgument);

  // Wrong tile lengths, for full and partial tiles.
  for (const char* path : {"tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1"}) {
    CAPTURE(path);
    TileStore bad = s;
    bad.files[path].push_back(0);
    NodeReader rb = MakeTileNodeReader(bad.Fetcher(), 300);
    // The root reads tile/1/000.p/1 and tile/0/001.p/44; the proof for leaf 3
    // reads tile/0/000 and tile/0/001.p/44.
    auto first_error = [&rb]() {
      Status st = TreeHash(300, rb).status();
      return st.ok() ? ProveInclusion(3, 300, rb).status().code() : st.code();
    };
    CHECK(first_error() == Code::kMalformed);
    bad.files[path].resize(bad.files[path].size() - 33);
    CHECK(first_error() == Code::kMalformed);
    bad.files[path].clear();
    CHECK(first_error() == Code::kMalformed);
  }

  // Missing tiles; the full-tile fallback only applies to partial tiles.
  {
    TileStore missing = s;
    missing.files.erase("tile/0/000");
    NodeReader rm = MakeTileNodeReader(missing.Fetcher(), 300);
    CHECK(ProveInclusion(3, 300, rm).status().code() == Code::kNotFound);
    missing.files.erase("tile/0/001.p/44");
    CHECK(ProveInclusion(299, 300, rm).status().code() == Code::kNotFound);
  }
  // Fetch errors other than NotFound propagate without fallback.
  int calls = 0;
  NodeReader io = MakeTileNodeReader(
      [&calls](const TileId&) -> Result<Bytes> {
        ++calls;
        return Status::Io("network down");
      },
      300);
  CHECK(TreeHash(300, io).status().code() == Code::kIo);
  CHECK(calls == 1);

  // A tampered tile yields a root that does not verify against the real one.
  TileStore tampered = s;
  tampered.files["tile/0/001.p/44"][5] ^= 1;
  NodeReader rt = MakeTileNodeReader(tampered.Fetcher(), 300);
  auto root = TreeHash(300, rt);
  REQUIRE(root.ok());
  CHECK(*root != RootFromLeafHashes(tree.leaves()));
}

}  // namespace
}  // namespace candor
