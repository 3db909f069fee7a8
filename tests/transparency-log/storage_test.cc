// TileStorage and RightEdge: tile writes, partial tiles, restart from tiles.
#include "candor/log/storage.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <map>
#include <random>
#include <set>

#include "candor/entry_bundle.h"
#include "candor/layout.h"
#include "candor/log/posix_store.h"
#include "candor/log/right_edge.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"
#include "log_test_util.h"

namespace candor {
namespace {

using testing::TempDir;

Bytes EntryFor(uint64_t i) {
  std::string s = "entry " + std::to_string(i);
  return Bytes(s.begin(), s.end());
}

// Expected tile contents computed independently from the leaf hashes.
Bytes ExpectedTile(const std::vector<Hash>& leaves, const TileId& t) {
  Bytes out;
  uint64_t span = uint64_t{1} << (8 * t.level);
  for (uint64_t i = 0; i < t.width; ++i) {
    uint64_t node = t.index * 256 + i;
    std::span<const Hash> range(leaves.data() + node * span, span);
    Hash h = RootFromLeafHashes(range);
    out.insert(out.end(), h.begin(), h.end());
  }
  return out;
}

TEST_CASE("TileStorage writes atomically and reads tiles and checkpoint") {
  TempDir tmp;
  TileStorage st(tmp.path());
  Bytes full(32 * 256, 7);
  Bytes part(32 * 3, 7);
  REQUIRE(st.WriteFiles({{"tile/0/000", full}, {"tile/0/001.p/3", part}}).ok());
  auto r = st.ReadTile(TileId{0, 0, 256});
  REQUIRE(r.ok());
  CHECK(*r == full);
  CHECK(st.ReadTile(TileId{0, 1, 2}).status().code() == Code::kNotFound);
  // Exact widths only: the partial-tile rule is libverify's (FetchTile).
  CHECK(st.ReadTile(TileId{0, 1, 256}).status().code() == Code::kNotFound);
  struct stat sb {};
  CHECK(::stat((tmp.path() + "/tile/0/000.tmp").c_str(), &sb) != 0);  // no stray tmp
  CHECK(st.ReadCheckpoint().status().code() == Code::kNotFound);
  REQUIRE(st.WriteCheckpoint("a\n").ok());
  REQUIRE(st.WriteCheckpoint("b\n").ok());
  CHECK(*st.ReadCheckpoint() == "b\n");
}

TEST_CASE("RightEdge emits exactly NewTiles with correct contents, and reloads") {
  std::mt19937_64 rng(42);
  for (uint64_t total : {1ull, 255ull, 256ull, 257ull, 1000ull, 65536ull + 300}) {
    CAPTURE(total);
    TempDir tmp;
    auto store = PosixLogStore::Open(tmp.path(), tmp.path() + "/index");
    REQUIRE(store.ok());
    TileStorage& st = (*store)->tiles();
    RightEdge edge;
    std::vector<Hash> leaves;
    uint64_t committed = 0;
    while (edge.size() < total) {
      uint64_t batch = 1 + rng() % (total < 600 ? 40 : 5000);
      batch = std::min(batch, total - edge.size());
      for (uint64_t i = 0; i < batch; ++i) {
        Bytes e = EntryFor(edge.size());
        leaves.push_back(LeafHash(e));
        edge.Append(e, leaves.back());
      }
      auto files = edge.TakeFiles();
      // Same set of tiles as layout.h's NewTiles + NewEntryBundles.
      std::set<std::string> want;
      for (const TileId& t : NewTiles(committed, edge.size())) want.insert(TilePath(t));
      for (const auto& b : NewEntryBundles(committed, edge.size())) want.insert(EntryBundlePath(b));
      std::set<std::string> got;
      for (const auto& f : files) got.insert(f.path);
      CHECK(got == want);
      REQUIRE(st.WriteFiles(files).ok());
      committed = edge.size();
      CHECK(HashEqual(edge.Root(), RootFromLeafHashes(leaves)));
    }
    // Every stored tile equals the independently computed one.
    for (const TileId& t : TilesForSize(total)) {
      auto data = st.ReadTile(t);
      REQUIRE(data.ok());
      CHECK(*data == ExpectedTile(leaves, t));
    }
    // Bundles hold the entries.
    for (const auto& b : NewEntryBundles(0, total)) {
      auto data = st.ReadEntryBundle(b);
      REQUIRE(data.ok());
      auto entries = ParseEntryBundle(*data, b.width);
      REQUIRE(entries.ok());
      CHECK((*entries)[0] == EntryFor(b.index * 256));
    }
    // Reload at the committed size: same root, and appending continues identically.
    auto loaded = RightEdge::Load(**store, total);
    REQUIRE(loaded.ok());
    CHECK(HashEqual(loaded->Root(), RootFromLeafHashes(leaves)));
    for (int i = 0; i < 300; ++i) {
      Bytes e = EntryFor(loaded->size());
      leaves.push_back(LeafHash(e));
      loaded->Append(e, leaves.back());
    }
    REQUIRE(st.WriteFiles(loaded->TakeFiles()).ok());
    CHECK(HashEqual(loaded->Root(), RootFromLeafHashes(leaves)));
    for (const TileId& t : NewTiles(total, total + 300)) {
      auto data = st.ReadTile(t);
      REQUIRE(data.ok());
      CHECK(*data == ExpectedTile(leaves, t));
    }
  }
}

TEST_CASE("RightEdge::Load refuses missing or mismatched tiles") {
  TempDir tmp;
  auto store = PosixLogStore::Open(tmp.path(), tmp.path() + "/index");
  REQUIRE(store.ok());
  TileStorage& st = (*store)->tiles();
  RightEdge edge;
  for (int i = 0; i < 10; ++i) edge.Append(EntryFor(i), LeafHash(EntryFor(i)));
  REQUIRE(st.WriteFiles(edge.TakeFiles()).ok());
  CHECK(RightEdge::Load(**store, 10).ok());
  CHECK(!RightEdge::Load(**store, 11).ok());  // no tile of width 11
  // A bundle that does not match the level-0 tile is refused.
  auto other = SerializeEntryBundle(std::vector<Bytes>(10, EntryFor(99)));
  REQUIRE(st.WriteFiles({{EntryBundlePath(0, 10), *other}}).ok());
  CHECK(RightEdge::Load(**store, 10).status().code() == Code::kInconsistent);
}

}  // namespace
}  // namespace candor
