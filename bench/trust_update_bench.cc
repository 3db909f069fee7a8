// What a trust-root update costs a device, beside a firmware verify
// (docs/PERFORMANCE.md "candor-agent: trust update vs firmware verify").
// Both run the libverify entry point a device runs, on the same log (2^20
// entries, so 20-hash inclusion proofs), the same checkpoint cosigned by a
// 2-of-2 witness quorum, and no last-seen tree:
//   BM_VerifyFirmware/<image bytes>: Verify() under root v1 (expiry check,
//     bundle, release entry with its vendor signature, streaming image hash,
//     checkpoint + 2 cosignatures, inclusion);
//   BM_TrustRootUpdate/<case>: VerifyTrustRootUpdate() from v1 to v2 (bundle,
//     root parse, rotation rule, checkpoint + 2 cosignatures, inclusion):
//     case 0 keeps the root keys (2 of {r1, r2}; a vendor key is rotated),
//     so 2 root signatures; case 1 replaces r1 by r3 (2 of {r2, r3} after
//     2 of {r1, r2}), so 3 root signatures, r2's counted for both; case 2
//     is a root threshold of 1 ({r1} before and after), so 1 root signature.
// Ed25519 verifications: firmware 4 (vendor, log, 2 witnesses); trust update
// 5 (case 0), 6 (case 1) or 4 (case 2): one per root signature the rotation
// rule requires, plus the checkpoint's three.
// Counted in instructions, which the noise of a shared machine does not move:
//   valgrind --tool=callgrind --callgrind-out-file=cg.out
//     '--toggle-collect=candor::VerifyTrustRootUpdate*' '--toggle-collect=candor::Verify(*'
//     build-bench/bench/trust_update_bench --benchmark_min_time=0.01  (one command line)
//   callgrind_annotate --inclusive=yes cg.out | grep -E 'BM_|Iterations'
// and divide each BM_ line's count by its benchmark's iterations.
// Run from a Release build:
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCANDOR_BUILD_BENCH=ON
//   cmake --build build-bench --target trust_update_bench
//   build-bench/bench/trust_update_bench
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "candor/bundle.h"
#include "candor/checkpoint.h"
#include "candor/merkle.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"
#include "candor/trust_root.h"
#include "candor/verify.h"

namespace candor {
namespace {

constexpr uint64_t kNow = 1790000000;
constexpr uint64_t kTreeSize = uint64_t{1} << 20;
constexpr uint64_t kReleaseIndex = 777777, kRootIndex = 777778;  // to 777780
constexpr const char* kDomain = "acme.example/printers";

SignerKey Key(const std::string& name, uint8_t type = kKeyTypeEd25519) {
  return GenerateKey(name, type).value().first;
}

struct World {
  SignerKey log = Key("log.example/firmware");
  SignerKey w1 = Key("w1.example", kKeyTypeCosignatureV1);
  SignerKey w2 = Key("w2.example", kKeyTypeCosignatureV1);
  SignerKey vendor = Key("acme.example/firmware");
  SignerKey r1 = Key("root1.acme.example"), r2 = Key("root2.acme.example"),
            r3 = Key("root3.acme.example");
  TrustRoot v1, v1_single;  // root threshold 2 of {r1, r2}; 1 of {r1}
  // [0] same root keys, [1] r1 replaced by r3, [2] v1_single's successor
  std::string v2_note[3];
  std::vector<Hash> leaves;
  std::string checkpoint_note;
  Bytes root_entry[3];

  TrustRoot Root(uint64_t version, std::vector<const SignerKey*> keys,
                 uint64_t threshold = 2) const {
    TrustRoot r;
    r.domain = kDomain;
    r.version = version;
    r.expires_unix = kNow + 86400 * 365;
    r.root_threshold = threshold;
    for (const SignerKey* k : keys) r.root_keys.push_back(PublicKeyOf(*k));
    r.policy = ParseTrustPolicy("log " + FormatVerifierKey(PublicKeyOf(log)) + "\nwitness w1 " +
                                FormatVerifierKey(PublicKeyOf(w1)) + "\nwitness w2 " +
                                FormatVerifierKey(PublicKeyOf(w2)) +
                                "\ngroup g 2 w1 w2\nquorum g\nvendor " +
                                FormatVerifierKey(PublicKeyOf(vendor)) +
                                " printer-x1\nmax-checkpoint-age 86400\n")
                   .value();
    return r;
  }

  World() {
    v1 = Root(1, {&r1, &r2});
    v1_single = Root(1, {&r1}, 1);
    const SignerKey* same[] = {&r1, &r2};
    const SignerKey* rotated[] = {&r1, &r2, &r3};
    const SignerKey* single[] = {&r1};
    v2_note[0] = SignNote(FormatTrustRootText(Root(2, {&r1, &r2})), same).value();
    v2_note[1] = SignNote(FormatTrustRootText(Root(2, {&r2, &r3})), rotated).value();
    v2_note[2] = SignNote(FormatTrustRootText(Root(2, {&r1}, 1)), single).value();
    for (int i = 0; i < 3; ++i) root_entry[i] = Bytes(v2_note[i].begin(), v2_note[i].end());
    leaves.resize(kTreeSize);
    for (uint64_t i = 0; i < kTreeSize; ++i) {
      const std::string e = "entry " + std::to_string(i);
      leaves[i] = LeafHash(AsBytes(e));
    }
    leaves[kRootIndex] = LeafHash(root_entry[0]);
    leaves[kRootIndex + 1] = LeafHash(root_entry[1]);
    leaves[kRootIndex + 2] = LeafHash(root_entry[2]);
  }

  NodeReader Reader() const {
    return [this](std::span<const NodeId> ids) -> Result<std::vector<Hash>> {
      std::vector<Hash> out;
      for (const NodeId& id : ids) {
        out.push_back(RootFromLeafHashes(
            std::span<const Hash>(leaves).subspan(id.index << id.level, uint64_t{1} << id.level)));
      }
      return out;
    };
  }

  void Checkpoint() {
    const std::string body = FormatCheckpointBody(
        candor::Checkpoint{"log.example/firmware", kTreeSize, RootFromLeafHashes(leaves), {}});
    const SignerKey* signers[] = {&log};
    checkpoint_note = SignNote(body, signers).value();
    for (const SignerKey* w : {&w1, &w2}) {
      checkpoint_note += FormatSignatureLine(Cosign(*w, body, kNow - 60).value());
    }
  }

  std::string BundleFor(const Bytes& entry, uint64_t index) const {
    return FormatBundle(
        Bundle{entry, index, ProveInclusion(index, kTreeSize, Reader()).value(), checkpoint_note});
  }
};

World& TheWorld() {
  static World* w = [] {
    auto* world = new World();
    world->Checkpoint();
    return world;
  }();
  return *w;
}

void BM_VerifyFirmware(benchmark::State& state) {
  World& w = TheWorld();
  const std::string image(static_cast<size_t>(state.range(0)), 'i');
  ManifestFields f;
  f.products = {"printer-x1"};
  f.version = "2.0";
  f.rollback = 2;
  f.image_sha256 = Sha256Digest(image);
  f.image_size = image.size();
  f.issued = kNow - 3600;
  const Bytes entry = CreateReleaseEntry(f, "Fixes.\n", w.vendor).value();
  // A log whose leaf kReleaseIndex is this entry (the root's leaf as well).
  const Hash saved = w.leaves[kReleaseIndex];
  w.leaves[kReleaseIndex] = LeafHash(entry);
  w.Checkpoint();
  const std::string bundle = w.BundleFor(entry, kReleaseIndex);
  for (auto _ : state) {
    size_t offset = 0;
    VerifyRequest req;
    req.product = "printer-x1";
    req.bundle = bundle;
    req.trust_root = &w.v1;
    req.now_unix = kNow;
    req.read_image = [&](std::span<uint8_t> buf) -> Result<size_t> {
      const size_t n = std::min(buf.size(), image.size() - offset);
      std::memcpy(buf.data(), image.data() + offset, n);
      offset += n;
      return n;
    };
    auto v = Verify(req);
    if (!v.ok()) state.SkipWithError(v.status().ToString().c_str());
    benchmark::DoNotOptimize(v);
  }
  w.leaves[kReleaseIndex] = saved;
  w.Checkpoint();
}
BENCHMARK(BM_VerifyFirmware)->Arg(4 << 10)->Arg(64 << 10)->Arg(256 << 10)->Arg(1 << 20);

void BM_TrustRootUpdate(benchmark::State& state) {
  World& w = TheWorld();
  const int c = static_cast<int>(state.range(0));
  const std::string bundle = w.BundleFor(w.root_entry[c], kRootIndex + c);
  for (auto _ : state) {
    TrustRootUpdateRequest up;
    up.current = c == 2 ? &w.v1_single : &w.v1;
    up.root_note = w.v2_note[c];
    up.bundle = bundle;
    up.now_unix = kNow;
    auto r = VerifyTrustRootUpdate(up);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_TrustRootUpdate)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace candor

BENCHMARK_MAIN();
