#include "candor/layout.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace candor {
namespace {

TEST_CASE("layout: tile index encoding") {
  struct Case {
    uint64_t index;
    const char* text;
  };
  const Case cases[] = {
      {0, "000"},
      {1, "001"},
      {999, "999"},
      {1000, "x001/000"},
      {1001, "x001/001"},
      {123456, "x123/456"},
      {1234067, "x001/x234/067"},
      {1000000, "x001/x000/000"},
      {UINT64_MAX, "x018/x446/x744/x073/x709/x551/615"},
  };
  for (const auto& c : cases) CHECK(EncodeTileIndex(c.index) == c.text);
}

TEST_CASE("layout: tile and entry bundle paths round trip") {
  struct Case {
    TileId tile;
    const char* path;
  };
  const Case cases[] = {
      {{0, 0, 256}, "tile/0/000"},
      {{0, 1, 256}, "tile/0/001"},
      {{0, 1, 5}, "tile/0/001.p/5"},
      {{5, 123456078, 256}, "tile/5/x123/x456/078"},
      {{5, 123456078, 2}, "tile/5/x123/x456/078.p/2"},
      {{1, 3057500, 255}, "tile/1/x003/x057/500.p/255"},
      {{63, 0, 1}, "tile/63/000.p/1"},
      {{2, 1000, 256}, "tile/2/x001/000"},
      {{0, UINT64_MAX, 256}, "tile/0/x018/x446/x744/x073/x709/x551/615"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.path);
    CHECK(TilePath(c.tile) == c.path);
    auto parsed = ParseTilePath(c.path);
    REQUIRE(parsed.ok());
    CHECK(*parsed == c.tile);
    // The same index/width as an entry bundle.
    std::string rest = std::string(c.path).substr(std::string(c.path).find('/', 5) + 1);
    std::string bundle = "tile/entries/" + rest;
    CHECK(EntryBundlePath(c.tile.index, c.tile.width) == bundle);
    auto pb = ParseEntryBundlePath(bundle);
    REQUIRE(pb.ok());
    CHECK(pb->index == c.tile.index);
    CHECK(pb->width == c.tile.width);
  }
}

TEST_CASE("layout: non-canonical or hostile tile paths are rejected") {
  const char* const bad[] = {
      "",
      "tile",
      "tile/",
      "tile/0",
      "tile/0/",
      "/tile/0/000",
      "tile/0/000/",
      "tile//000",
      "tile/0//000",
      "tile/0/x001//000",
      "tile/../0/000",
      "tile/0/../000",
      "tile/0/x001/../000",
      "tile/0/./000",
      "../tile/0/000",
      "tile/0/x1/002",
      "tile/0/x001/02",
      "tile/0/1",
      "tile/0/01",
      "tile/0/0001",
      "tile/0/x000/001",  // leading zero group
      "tile/0/x000/000",
      "tile/0/x001",
      "tile/0/x001/x002",
      "tile/0/X001/000",
      "tile/0/001/002",  // non-final group without x
      "tile/0/00a",
      "tile/0/-01",
      "tile/0/+01",
      "tile/00/000",
      "tile/01/000",
      "tile/64/000",
      "tile/100/000",
      "tile/-1/000",
      "tile/+1/000",
      "tile/a/000",
      "tile/entries/000",
      "tile/data/000",
      "tile/8/0/000",  // Go's sumdb form with the height element
      "tile/0/000.p/0",
      "tile/0/000.p/00",
      "tile/0/000.p/05",
      "tile/0/000.p/001",
      "tile/0/000.p/256",
      "tile/0/000.p/300",
      "tile/0/000.p/1000",
      "tile/0/000.p/",
      "tile/0/000.p",
      "tile/0/000.p/5/",
      "tile/0/000.p/5.p/3",
      "tile/0/000.p/-1",
      "tile/0/000.p/+5",
      "tile/0/000.P/5",
      "tile/0/000p/5",
      "tile/0/x001.p/5/000",
      "tile/0/x018/x446/x744/x073/x709/x551/616",       // 2^64
      "tile/0/x001/x000/x000/x000/x000/x000/x000/000",  // 8 groups
      "TILE/0/000",
      "tile\\0\\000",
      " tile/0/000",
      "tile/0/000 ",
      "tile/0/000\n",
      "tile/0/%30%30%30",
      "tile/0/000?x=1",
      "tile/0/000#",
  };
  for (const char* p : bad) {
    CAPTURE(p);
    auto r = ParseTilePath(p);
    CHECK(r.status().code() == Code::kMalformed);
  }
  // Embedded NUL.
  std::string nul("tile/0/000\0", 11);
  CHECK(ParseTilePath(nul).status().code() == Code::kMalformed);
}

TEST_CASE("layout: non-canonical or hostile entry bundle paths are rejected") {
  const char* const bad[] = {
      "",
      "tile/entries",
      "tile/entries/",
      "tile/entries/000/",
      "/tile/entries/000",
      "tile/entries/../000",
      "tile/entries/x1/002",
      "tile/entries/001/002",
      "tile/entries/01",
      "tile/entries/0001",
      "tile/entries/x000/001",
      "tile/entries/000.p/0",
      "tile/entries/000.p/256",
      "tile/entries/000.p/300",
      "tile/entries/000.p/05",
      "tile/entries/000.p/",
      "tile/0/000",
      "tile/entries//000",
      "tile/Entries/000",
      "tile/entries/x018/x446/x744/x073/x709/x551/616",
  };
  for (const char* p : bad) {
    CAPTURE(p);
    CHECK(ParseEntryBundlePath(p).status().code() == Code::kMalformed);
  }
}

TEST_CASE("layout: tiles of a tree (tlog-tiles examples)") {
  // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one
  // partial level 0 tile of width 112, one full level 1 tile, one partial
  // level 1 tile of width 17, and one partial level 2 tile of width 1."
  std::vector<TileId> tiles = TilesForSize(70000);
  std::vector<TileId> want;
  for (uint64_t n = 0; n < 273; ++n) want.push_back({0, n, 256});
  want.push_back({0, 273, 112});
  want.push_back({1, 0, 256});
  want.push_back({1, 1, 17});
  want.push_back({2, 0, 1});
  CHECK(tiles == want);
  CHECK(TileWidthInTree(0, 272, 70000) == 256);
  CHECK(TileWidthInTree(0, 273, 70000) == 112);
  CHECK(TileWidthInTree(0, 274, 70000) == 0);
  CHECK(TileWidthInTree(1, 0, 70000) == 256);
  CHECK(TileWidthInTree(1, 1, 70000) == 17);
  CHECK(TileWidthInTree(2, 0, 70000) == 1);
  CHECK(TileWidthInTree(3, 0, 70000) == 0);
  CHECK(TileWidthInTree(8, 0, UINT64_MAX) == 0);
  CHECK(TileWidthInTree(7, 0, UINT64_MAX) == 255);
  // "a tree of size 256 will be represented by a full level 0 tile and a
  // partial level 1 tile of width 1."
  CHECK(TilesForSize(256) == std::vector<TileId>{{0, 0, 256}, {1, 0, 1}});
  CHECK(TilesForSize(0).empty());
  CHECK(TilesForSize(1) == std::vector<TileId>{{0, 0, 1}});
  CHECK(EntryBundleWidthInTree(273, 70000) == 112);
  CHECK(NewEntryBundles(0, 70000).size() == 274);
  CHECK(NewEntryBundles(69999, 70000) == std::vector<EntryBundleId>{{273, 112}});
  CHECK(NewEntryBundles(70000, 70000).empty());
  CHECK(NewEntryBundles(255, 513) == std::vector<EntryBundleId>{{0, 256}, {1, 256}, {2, 1}});
}

TEST_CASE("layout: NewTiles is exactly the set of changed tiles") {
  const uint64_t sizes[] = {0,   1,   2,     255,   256,   257,   511,
                            512, 513, 65535, 65536, 65537, 70000, 131072 + 3};
  for (uint64_t m : sizes) {
    for (uint64_t n : sizes) {
      if (m > n) continue;
      CAPTURE(m);
      CAPTURE(n);
      std::vector<TileId> all_old = TilesForSize(m), all_new = TilesForSize(n);
      std::set<TileId> old_set(all_old.begin(), all_old.end());
      std::set<TileId> want;
      for (const TileId& t : all_new) {
        if (!old_set.count(t)) want.insert(t);
      }
      std::vector<TileId> got = NewTiles(m, n);
      CHECK(std::set<TileId>(got.begin(), got.end()) == want);
      CHECK(got.size() == want.size());
      CHECK(std::is_sorted(got.begin(), got.end()));
      for (const TileId& t : got) CHECK(TileWidthInTree(t.level, t.index, n) == t.width);
    }
  }
}

TEST_CASE("layout: LocateNode") {
  struct Case {
    NodeId node;
    uint64_t size;
    TileId tile;
    uint16_t first, count;
  };
  const Case cases[] = {
      {{0, 0}, 1, {0, 0, 1}, 0, 1},
      {{0, 5}, 10, {0, 0, 10}, 5, 1},
      {{1, 2}, 10, {0, 0, 10}, 4, 2},
      {{3, 0}, 8, {0, 0, 8}, 0, 8},
      {{7, 1}, 256, {0, 0, 256}, 128, 128},
      {{0, 300}, 1000, {0, 1, 256}, 44, 1},
      {{0, 999}, 1000, {0, 3, 232}, 231, 1},
      {{8, 0}, 256, {1, 0, 1}, 0, 1},
      {{8, 2}, 70000, {1, 0, 256}, 2, 1},
      {{9, 1}, 70000, {1, 0, 256}, 2, 2},
      {{12, 16}, 70000, {1, 1, 17}, 0, 16},
      {{16, 0}, 70000, {2, 0, 1}, 0, 1},
      {{63, 0}, UINT64_MAX, {7, 0, 255}, 0, 128},
  };
  for (const auto& c : cases) {
    CAPTURE(int(c.node.level));
    CAPTURE(c.node.index);
    auto loc = LocateNode(c.node, c.size);
    REQUIRE(loc.ok());
    CHECK(loc->tile == c.tile);
    CHECK(loc->first == c.first);
    CHECK(loc->count == c.count);
  }
  CHECK(LocateNode({0, 1}, 1).status().code() == Code::kInvalidArgument);
  CHECK(LocateNode({1, 0}, 1).status().code() == Code::kInvalidArgument);
  CHECK(LocateNode({3, 1}, 15).status().code() == Code::kInvalidArgument);
  CHECK(LocateNode({64, 0}, UINT64_MAX).status().code() == Code::kInvalidArgument);
  CHECK(LocateNode({0, UINT64_MAX}, UINT64_MAX).status().code() == Code::kInvalidArgument);
  CHECK(LocateNode({0, 0}, 0).status().code() == Code::kInvalidArgument);

  // Every node of every tree up to 600 sits inside its tile's width.
  for (uint64_t n = 1; n <= 600; ++n) {
    for (uint8_t l = 0; (uint64_t{1} << l) <= n; ++l) {
      for (uint64_t i = 0; i < (n >> l); ++i) {
        auto loc = LocateNode({l, i}, n);
        REQUIRE(loc.ok());
        REQUIRE(loc->tile.level == l / 8);
        REQUIRE(loc->tile.width >= loc->first + loc->count);
        REQUIRE(TileWidthInTree(loc->tile.level, loc->tile.index, n) == loc->tile.width);
      }
    }
  }
}

TEST_CASE("layout: RangeNodes") {
  struct Case {
    uint64_t begin, end;
    std::vector<NodeId> nodes;
  };
  const std::vector<Case> cases = {
      {0, 0, {}},
      {5, 5, {}},
      {0, 1, {{0, 0}}},
      {0, 7, {{2, 0}, {1, 2}, {0, 6}}},
      {0, 8, {{3, 0}}},
      {4, 7, {{1, 2}, {0, 6}}},
      {3, 8, {{0, 3}, {2, 1}}},  // not a single MTH range; still a cover
      {0, 70000, {{16, 0}, {12, 16}, {8, 272}, {6, 1092}, {5, 2186}, {4, 4374}}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.begin);
    CAPTURE(c.end);
    CHECK(RangeNodes(c.begin, c.end) == c.nodes);
  }
  auto top = RangeNodes(0, UINT64_MAX);
  CHECK(top.size() == 64);
  CHECK(top.front() == NodeId{63, 0});
  CHECK(top.back() == NodeId{0, UINT64_MAX - 1});
}

TEST_CASE("layout: proof plans cover the right ranges, lengths agree") {
  for (uint64_t n = 1; n <= 300; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      auto plan = InclusionProofPlan(i, n);
      REQUIRE(plan.ok());
      REQUIRE(plan->elements.size() == InclusionProofLength(i, n));
      // The sibling ranges plus the leaf tile [0, n) exactly once.
      uint64_t covered = 1;
      for (const auto& e : plan->elements) {
        REQUIRE(!e.empty());
        for (const NodeId& node : e) {
          REQUIRE(((node.index + 1) << node.level) <= n);
          REQUIRE(!(node.index << node.level <= i && i < (node.index + 1) << node.level));
          covered += uint64_t{1} << node.level;
        }
      }
      REQUIRE(covered == n);
    }
  }
  for (uint64_t n = 0; n <= 200; ++n) {
    for (uint64_t m = 0; m <= n; ++m) {
      auto plan = ConsistencyProofPlan(m, n);
      REQUIRE(plan.ok());
      REQUIRE(plan->elements.size() == ConsistencyProofLength(m, n));
      for (const NodeId& node : plan->AllNodes()) REQUIRE(((node.index + 1) << node.level) <= n);
    }
  }
  CHECK(InclusionProofPlan(0, 0).status().code() == Code::kInvalidArgument);
  CHECK(InclusionProofPlan(7, 7).status().code() == Code::kInvalidArgument);
  CHECK(ConsistencyProofPlan(8, 7).status().code() == Code::kInvalidArgument);
  CHECK(InclusionProofLength(0, 1) == 0);
  CHECK(InclusionProofLength(5, 8) == 3);
  CHECK(InclusionProofLength(UINT64_MAX - 1, UINT64_MAX) == 63);
  CHECK(ConsistencyProofLength(6, 8) == 3);
  CHECK(ConsistencyProofLength(4, 8) == 1);
  CHECK(ConsistencyProofLength(0, 8) == 0);
  CHECK(ConsistencyProofLength(8, 8) == 0);
  // Plans for huge trees are cheap (O(log n) nodes).
  auto big = InclusionProofPlan(UINT64_MAX / 3, UINT64_MAX);
  REQUIRE(big.ok());
  CHECK(big->elements.size() == InclusionProofLength(UINT64_MAX / 3, UINT64_MAX));
  auto bigc = ConsistencyProofPlan(UINT64_MAX / 3, UINT64_MAX);
  REQUIRE(bigc.ok());
  CHECK(bigc->elements.size() == ConsistencyProofLength(UINT64_MAX / 3, UINT64_MAX));
}

TEST_CASE("layout: TileHashNode") {
  CHECK(TileHashNode({0, 0, 256}, 0) == NodeId{0, 0});
  CHECK(TileHashNode({0, 3, 256}, 7) == NodeId{0, 775});
  CHECK(TileHashNode({1, 2, 17}, 16) == NodeId{8, 528});
  CHECK(TileHashNode({7, 0, 1}, 0) == NodeId{56, 0});
}

}  // namespace
}  // namespace candor
