// Ed25519 and signed-note verification throughput (libverify), with signing
// (libsign) for reference. Run from a Release build:
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCANDOR_BUILD_BENCH=ON
//   cmake --build build-bench --target ed25519_bench && build-bench/bench/ed25519_bench
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/ed25519.h"
#include "candor/note.h"
#include "candor/signer.h"

namespace candor {
namespace {

const std::string kBody =
    "log.candor.example/firmware\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

std::pair<SignerKey, VerifierKey> Key(const std::string& name, uint8_t type = kKeyTypeEd25519) {
  return GenerateKey(name, type).value();
}

void BM_Ed25519Sign(benchmark::State& state) {
  auto k = Key("bench.example");
  const ByteView msg = AsBytes(kBody);
  for (auto _ : state) benchmark::DoNotOptimize(SignEd25519(k.first, msg));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
  auto k = Key("bench.example");
  const Bytes msg(static_cast<size_t>(state.range(0)), 0x5a);
  const Bytes sig = SignEd25519(k.first, msg);
  for (auto _ : state) {
    if (!Ed25519Verify(k.second.public_key, msg, sig)) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Verify)->Arg(32)->Arg(1024);

// A checkpoint note: log signature + `unknown` signature lines from other keys.
std::string CheckpointNote(const SignerKey& log, int unknown) {
  const SignerKey* signers[] = {&log};
  std::string note = SignNote(kBody, signers).value();
  for (int i = 0; i < unknown; ++i) {
    note += FormatSignatureLine(NoteSignature{"other.example/" + std::to_string(i),
                                              static_cast<uint32_t>(i), Bytes(72, 1)});
  }
  return note;
}

void BM_ParseNote(benchmark::State& state) {
  auto log = Key("log.candor.example/firmware");
  const std::string note = CheckpointNote(log.first, static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(ParseNote(note));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseNote)->Arg(0)->Arg(16);

void BM_VerifyNote(benchmark::State& state) {
  auto log = Key("log.candor.example/firmware");
  const std::string note = CheckpointNote(log.first, static_cast<int>(state.range(0)));
  const VerifierKey keys[] = {log.second};
  for (auto _ : state) {
    if (!VerifyNote(note, keys).ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyNote)->Arg(0)->Arg(16);

void BM_VerifyCheckpoint(benchmark::State& state) {
  auto log = Key("log.candor.example/firmware");
  const std::string note = CheckpointNote(log.first, 0);
  for (auto _ : state) {
    if (!VerifyCheckpoint(note, log.second).ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyCheckpoint);

// Checkpoint + N witness cosignatures, all verified (what a device does).
void BM_CheckpointWithCosignatures(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto log = Key("log.candor.example/firmware");
  std::string note = CheckpointNote(log.first, 0);
  std::vector<VerifierKey> witnesses;
  for (int i = 0; i < n; ++i) {
    auto w = Key("witness.example/w" + std::to_string(i), kKeyTypeCosignatureV1);
    note += FormatSignatureLine(Cosign(w.first, kBody, 1764115200).value());
    witnesses.push_back(w.second);
  }
  for (auto _ : state) {
    auto cp = VerifyCheckpoint(note, log.second);
    if (!cp.ok()) state.SkipWithError("checkpoint failed");
    auto got = VerifyCosignatures(*cp, witnesses);
    if (!got.ok() || got->size() != static_cast<size_t>(n)) state.SkipWithError("cosig failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckpointWithCosignatures)->Arg(1)->Arg(3)->Arg(5);

}  // namespace
}  // namespace candor

BENCHMARK_MAIN();
