// TreeBuilder (the auditor's own tree recomputation) against the log's
// RightEdge tiles and libverify's Merkle root, at many sizes.
#include <doctest/doctest.h>

#include <map>

#include "audit_test_util.h"
#include "candor/audit/index.h"
#include "candor/audit/tree.h"
#include "candor/log/right_edge.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"

namespace candor {
namespace {

using audit::TreeBuilder;

Hash LeafOf(uint64_t i) {
  Bytes b(8);
  for (int k = 0; k < 8; ++k) b[k] = static_cast<uint8_t>(i >> (8 * k));
  return LeafHash(b);
}

TEST_CASE("TreeBuilder: roots and tiles equal the log's RightEdge, sizes 1..1100 and 65536+") {
  RightEdge edge;
  TreeBuilder b;
  std::map<std::string, Bytes> log_files, ours;
  std::vector<Hash> leaves;
  auto on_full = [&](const TileId& t, std::span<const Hash> hs) {
    CHECK(t.width == 256);
    ours[TilePath(t)] = FormatTile(hs);
    return Status::Ok();
  };
  std::vector<uint64_t> checkpoints;
  for (uint64_t n = 1; n <= 1100; ++n) checkpoints.push_back(n);
  checkpoints.push_back(65535);
  checkpoints.push_back(65536);
  checkpoints.push_back(65537);
  checkpoints.push_back(65536 + 256 * 3 + 7);
  uint64_t i = 0;
  for (uint64_t target : checkpoints) {
    for (; i < target; ++i) {
      Hash h = LeafOf(i);
      Bytes entry(8);
      for (int k = 0; k < 8; ++k) entry[k] = static_cast<uint8_t>(i >> (8 * k));
      edge.Append(entry, h);
      REQUIRE(b.Append(h, on_full).ok());
      if (i < 2048) leaves.push_back(h);
    }
    for (StorageFile& f : edge.TakeFiles()) {
      if (f.path.rfind("tile/entries/", 0) == 0) continue;
      log_files[f.path] = f.data;
    }
    for (const auto& p : b.Partials()) ours[TilePath(p.tile)] = FormatTile(p.hashes);
    CHECK(b.size() == target);
    REQUIRE(HashEqual(b.Root(), edge.Root()));
    if (target <= leaves.size()) {
      CHECK(HashEqual(b.Root(), RootFromLeafHashes(std::span(leaves).first(target))));
    }
  }
  // Every tile the log wrote (full and each partial at a checkpointed size)
  // equals ours, and we produced no tile the log did not.
  CHECK(log_files.size() == ours.size());
  for (const auto& file : log_files) {
    const std::string& path = file.first;
    const auto& data = file.second;
    INFO(path);
    REQUIRE(ours.count(path) == 1);
    CHECK(ours[path] == data);
  }
}

TEST_CASE("TreeBuilder: edge round trip, and its tiles give the same root") {
  TreeBuilder b;
  std::map<std::string, Bytes> tiles;
  for (uint64_t i = 0; i < 70000; ++i) {
    REQUIRE(b.Append(LeafOf(i), [&](const TileId& t, std::span<const Hash> hs) {
               tiles[TilePath(t)] = FormatTile(hs);
               return Status::Ok();
             }).ok());
  }
  for (const auto& p : b.Partials()) tiles[TilePath(p.tile)] = FormatTile(p.hashes);
  auto levels = audit::DecodeEdge(audit::EncodeEdge(b.Edge()));
  REQUIRE(levels.ok());
  auto c = TreeBuilder::FromEdge(b.size(), *levels);
  REQUIRE(c.ok());
  CHECK(HashEqual(c->Root(), b.Root()));
  // A wrong size for the edge is refused.
  CHECK(TreeBuilder::FromEdge(b.size() + 1, *levels).status().code() == Code::kMalformed);
  CHECK(!audit::DecodeEdge(Bytes{1, 0}).ok());
  // The root also agrees with libverify's tile-backed TreeHash.
  TileFetcher fetch = [&](const TileId& t) -> Result<Bytes> {
    auto it = tiles.find(TilePath(t));
    if (it == tiles.end()) return Status::NotFound(TilePath(t));
    return it->second;
  };
  auto root = TreeHash(b.size(), MakeTileNodeReader(fetch, b.size()));
  REQUIRE(root.ok());
  CHECK(HashEqual(*root, b.Root()));
  // Appending continues identically from a restored builder.
  TreeBuilder e = std::move(c).value();
  for (uint64_t i = 70000; i < 70300; ++i) {
    REQUIRE(b.Append(LeafOf(i), nullptr).ok());
    REQUIRE(e.Append(LeafOf(i), nullptr).ok());
  }
  CHECK(HashEqual(e.Root(), b.Root()));
}

TEST_CASE("TreeBuilder: empty tree and full-tile callback errors propagate") {
  TreeBuilder b;
  CHECK(HashEqual(b.Root(), EmptyTreeHash()));
  CHECK(b.Partials().empty());
  Status st;
  for (int i = 0; i < 256; ++i) {
    st = b.Append(LeafOf(i),
                  [](const TileId&, std::span<const Hash>) { return Status::Mismatch("planted"); });
  }
  CHECK(st.code() == Code::kMismatch);
  CHECK(b.size() == 256);
}

}  // namespace
}  // namespace candor
