// Bulk SHA-256 throughput of candor::Sha256 (streaming, as the device hashes
// firmware images) with 64 KiB and 1 MiB chunks, and the one-shot digest.
#include <benchmark/benchmark.h>

#include <vector>

#include "candor/sha256.h"

namespace candor {
namespace {

constexpr size_t kMessage = size_t{64} << 20;  // 64 MiB per iteration

const std::vector<uint8_t>& Data() {
  static const std::vector<uint8_t> data = [] {
    std::vector<uint8_t> d(kMessage);
    uint32_t x = 2463534242u;
    for (auto& b : d) {  // xorshift: cheap, incompressible enough
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      b = static_cast<uint8_t>(x);
    }
    return d;
  }();
  return data;
}

void BM_Sha256Stream(benchmark::State& state) {
  const size_t chunk = static_cast<size_t>(state.range(0));
  const auto& data = Data();
  Sha256 sha;
  for (auto _ : state) {
    for (size_t off = 0; off < data.size(); off += chunk) {
      sha.Update(ByteView(data.data() + off, std::min(chunk, data.size() - off)));
    }
    Hash h = sha.Final();
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size()));
}
BENCHMARK(BM_Sha256Stream)->Arg(64 << 10)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void BM_Sha256Digest(benchmark::State& state) {
  const auto& data = Data();
  for (auto _ : state) {
    Hash h = Sha256Digest(ByteView(data));
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size()));
}
BENCHMARK(BM_Sha256Digest)->Unit(benchmark::kMillisecond);

void BM_Sha256Small(benchmark::State& state) {
  std::vector<uint8_t> msg(static_cast<size_t>(state.range(0)), 0x33);
  for (auto _ : state) {
    Hash h = Sha256Digest(ByteView(msg));
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256Small)->Arg(64)->Arg(1024);

}  // namespace
}  // namespace candor

BENCHMARK_MAIN();
