// The tile-backed NodeReader (candor/tile_reader.h), ParseTile and FormatTile.
// Two modes, chosen by the first input byte:
//  - honest: a log of n leaves (n, salt and a larger storage size from the
//    input) served as real tiles, optionally with partial tiles deleted (the
//    reader must fall back to the full tile). Properties: TreeHash equals the
//    in-memory root, also read from the larger stored tree's tiles; inclusion
//    and consistency proofs built from tiles verify.
//  - hostile: arbitrary tree size and tile bytes (wrong lengths, NotFound).
//    Properties: no crash, no kInternal, one hash per requested node.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

std::vector<Hash> Leaves(size_t n, uint8_t salt) {
  std::vector<Hash> leaves;
  leaves.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t e[5] = {salt, static_cast<uint8_t>(i >> 24), static_cast<uint8_t>(i >> 16),
                          static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    leaves.push_back(LeafHash(ByteView(e, sizeof(e))));
  }
  return leaves;
}

Hash Root(const std::vector<Hash>& leaves, size_t n) {
  return RootFromLeafHashes(std::span<const Hash>(leaves.data(), n));
}

void Honest(FuzzedDataProvider& in) {
  const size_t n = in.ConsumeIntegralInRange<size_t>(1, 1100);
  const size_t stored = n + in.ConsumeIntegralInRange<size_t>(0, 600);
  const bool delete_partials = in.ConsumeBool();
  const std::vector<Hash> leaves = Leaves(stored, in.ConsumeIntegral<uint8_t>());

  TileFetcher fetch = [&](const TileId& t) -> Result<Bytes> {
    const uint16_t have = TileWidthInTree(t.level, t.index, stored);
    if (have == 0 || t.width > have) return Status::NotFound("no such tile");
    if (delete_partials && t.width < kTileWidth && have == kTileWidth) {
      return Status::NotFound("partial tile deleted");
    }
    Bytes out;
    const unsigned tree_level = 8u * t.level;
    const uint64_t span = uint64_t{1} << tree_level;
    for (uint16_t j = 0; j < t.width; ++j) {
      const uint64_t node = t.index * kTileWidth + j;
      const Hash h = RootFromLeafHashes(
          std::span<const Hash>(leaves.data() + node * span, static_cast<size_t>(span)));
      out.insert(out.end(), h.begin(), h.end());
    }
    return out;
  };
  NodeReader reader = MakeTileNodeReader(fetch, n);

  const Hash root = Root(leaves, n);
  auto tree_hash = TreeHash(n, reader);
  CANDOR_FUZZ_CHECK(tree_hash.ok() && HashEqual(*tree_hash, root));
  // The same tree read from the tiles of the larger stored tree.
  auto from_larger = TreeHash(n, MakeTileNodeReader(fetch, n, stored));
  CANDOR_FUZZ_CHECK(from_larger.ok() && HashEqual(*from_larger, root));

  const uint64_t index = in.ConsumeIntegralInRange<uint64_t>(0, n - 1);
  auto inclusion = ProveInclusion(index, n, reader);
  CANDOR_FUZZ_CHECK(inclusion.ok());
  CANDOR_FUZZ_CHECK(VerifyInclusion(index, n, leaves[index], *inclusion, root).ok());

  const uint64_t m = in.ConsumeIntegralInRange<uint64_t>(0, n);
  auto consistency = ProveConsistency(m, n, reader);
  CANDOR_FUZZ_CHECK(consistency.ok());
  CANDOR_FUZZ_CHECK(VerifyConsistency(m, n, *consistency, Root(leaves, m), root).ok());

  // A node that does not exist in the tree is refused, not invented.
  const NodeId beyond{0, n};
  auto none = reader(std::span<const NodeId>(&beyond, 1));
  CANDOR_FUZZ_CHECK(!none.ok() && none.status().code() != Code::kInternal);
}

void Hostile(FuzzedDataProvider& in) {
  const uint64_t size = in.ConsumeIntegral<uint64_t>();
  const uint64_t a = in.ConsumeIntegral<uint64_t>();
  const uint64_t b = in.ConsumeIntegral<uint64_t>();
  const uint8_t flags = in.ConsumeIntegral<uint8_t>();
  const uint16_t width = static_cast<uint16_t>(in.ConsumeIntegralInRange<unsigned>(0, 300));
  const Bytes tile_bytes = in.ConsumeRemainingBytes<uint8_t>();

  auto parsed = ParseTile(tile_bytes, width);
  if (parsed.ok()) {
    CANDOR_FUZZ_CHECK(parsed->size() == width && tile_bytes.size() == 32u * width);
    CANDOR_FUZZ_CHECK(FormatTile(*parsed) == tile_bytes);
  }

  TileFetcher fetch = [&](const TileId& t) -> Result<Bytes> {
    if ((flags & 1) && t.width < kTileWidth) return Status::NotFound("partial");
    if (flags & 2) return Status::Io("fetch failed");
    if (flags & 4) return tile_bytes;  // probably the wrong length
    Bytes out(size_t{32} * t.width);
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = tile_bytes.empty() ? 0 : tile_bytes[(i + t.index + t.level) % tile_bytes.size()];
    }
    return out;
  };
  NodeReader reader = MakeTileNodeReader(fetch, size);

  auto th = TreeHash(size, reader);
  if (!th.ok()) CANDOR_FUZZ_CHECK(th.status().code() != Code::kInternal);
  if (size > 0) {
    auto p = ProveInclusion(a % size, size, reader);
    if (!p.ok()) {
      CANDOR_FUZZ_CHECK(p.status().code() != Code::kInternal);
    } else {
      CANDOR_FUZZ_CHECK(p->size() == InclusionProofLength(a % size, size));
    }
  }
  const uint64_t old_size = size == UINT64_MAX ? b : b % (size + 1);
  auto c = ProveConsistency(old_size, size, reader);
  if (!c.ok()) {
    CANDOR_FUZZ_CHECK(c.status().code() != Code::kInternal);
  } else {
    CANDOR_FUZZ_CHECK(c->size() == ConsistencyProofLength(old_size, size));
  }
  const NodeId nodes[] = {
      {static_cast<uint8_t>(a % 64), b}, {0, a}, {static_cast<uint8_t>(b % 64), 0}};
  auto got = reader(nodes);
  if (got.ok()) CANDOR_FUZZ_CHECK(got->size() == 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeBool()) {
    Honest(in);
  } else {
    Hostile(in);
  }
  return 0;
}
