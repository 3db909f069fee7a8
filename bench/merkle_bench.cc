// Merkle micro-benchmarks: node and leaf hashing, proof verification and
// proof generation (from memory and from tiles) in a tree of 10^6 leaves.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"

namespace candor {
namespace {

constexpr uint64_t kTreeSize = 1000000;

// Every complete-subtree hash of a tree of kTreeSize leaves "entry <i>".
const std::vector<std::vector<Hash>>& Levels() {
  static const std::vector<std::vector<Hash>> levels = [] {
    std::vector<std::vector<Hash>> l(1);
    for (uint64_t i = 0; i < kTreeSize; ++i) {
      l[0].push_back(LeafHash(AsBytes("entry " + std::to_string(i))));
    }
    while (l.back().size() >= 2) {
      std::vector<Hash> up;
      const auto& below = l.back();
      for (size_t i = 0; i + 1 < below.size(); i += 2) {
        up.push_back(NodeHash(below[i], below[i + 1]));
      }
      l.push_back(std::move(up));
    }
    return l;
  }();
  return levels;
}

NodeReader MemReader() {
  return [](std::span<const NodeId> nodes) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    for (const NodeId& n : nodes) out.push_back(Levels()[n.level][n.index]);
    return out;
  };
}

TileFetcher MemTiles() {
  return [](const TileId& t) -> Result<Bytes> {
    Bytes out;
    for (uint16_t i = 0; i < t.width; ++i) {
      NodeId n = TileHashNode(t, i);
      const Hash& h = Levels()[n.level][n.index];
      out.insert(out.end(), h.begin(), h.end());
    }
    return out;
  };
}

void BM_NodeHash(benchmark::State& state) {
  Hash l = LeafHash(AsBytes("l")), r = LeafHash(AsBytes("r"));
  for (auto _ : state) {
    l = NodeHash(l, r);
    benchmark::DoNotOptimize(l);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NodeHash);

void BM_LeafHash(benchmark::State& state) {
  Bytes entry(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    Hash h = LeafHash(entry);
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LeafHash)->Arg(32)->Arg(256)->Arg(1024)->Arg(4096)->Arg(65535);

void BM_VerifyInclusion(benchmark::State& state) {
  const uint64_t index = 123457;
  Hash root = *TreeHash(kTreeSize, MemReader());
  std::vector<Hash> proof = *ProveInclusion(index, kTreeSize, MemReader());
  const Hash leaf = Levels()[0][index];
  for (auto _ : state) {
    Status st = VerifyInclusion(index, kTreeSize, leaf, proof, root);
    if (!st.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["proof_len"] = static_cast<double>(proof.size());
}
BENCHMARK(BM_VerifyInclusion);

void BM_VerifyConsistency(benchmark::State& state) {
  const uint64_t old_size = 654321;
  Hash old_root = *TreeHash(old_size, MemReader());
  Hash new_root = *TreeHash(kTreeSize, MemReader());
  std::vector<Hash> proof = *ProveConsistency(old_size, kTreeSize, MemReader());
  for (auto _ : state) {
    Status st = VerifyConsistency(old_size, kTreeSize, proof, old_root, new_root);
    if (!st.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["proof_len"] = static_cast<double>(proof.size());
}
BENCHMARK(BM_VerifyConsistency);

void BM_ProveInclusionFromMemory(benchmark::State& state) {
  NodeReader reader = MemReader();
  uint64_t index = 0;
  for (auto _ : state) {
    auto proof = ProveInclusion(index, kTreeSize, reader);
    benchmark::DoNotOptimize(proof);
    index = (index + 7919) % kTreeSize;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveInclusionFromMemory);

// Includes rendering the tiles from memory (3-4 tiles of up to 8 KiB per
// proof) and hashing inside tiles: roughly a server's per-request CPU.
void BM_ProveInclusionFromTiles(benchmark::State& state) {
  NodeReader reader = MakeTileNodeReader(MemTiles(), kTreeSize);
  uint64_t index = 0;
  for (auto _ : state) {
    auto proof = ProveInclusion(index, kTreeSize, reader);
    benchmark::DoNotOptimize(proof);
    index = (index + 7919) % kTreeSize;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveInclusionFromTiles);

void BM_RootFromLeafHashes(benchmark::State& state) {
  const auto& leaves = Levels()[0];
  for (auto _ : state) {
    Hash h = RootFromLeafHashes(leaves);
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(leaves.size()));
}
BENCHMARK(BM_RootFromLeafHashes)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace candor

BENCHMARK_MAIN();
