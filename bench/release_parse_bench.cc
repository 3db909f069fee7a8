// ParseReleaseEntry cost (libverify), with and without the vendor signature
// check: the per-entry work of the log's admission (POST /add) and of
// `candor audit sync` (docs/PERFORMANCE.md "libverify: ParseReleaseEntry").
// Run from a Release build:
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCANDOR_BUILD_BENCH=ON
//   cmake --build build-bench --target release_parse_bench
//   build-bench/bench/release_parse_bench
//
// Entries are built like bench/audit_sync's (one vendor key, ~550 bytes, a
// disclosure on some). Excluding the signature: BM_ParseReleaseEntryUpToSignature
// (all the parsing, libsodium refusing at once), or BM_ParseReleaseEntry minus
// BM_Ed25519VerifyManifest (the same libsodium verify over the same texts).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "candor/disclosure.h"
#include "candor/ed25519.h"
#include "candor/manifest.h"
#include "candor/note.h"
#include "candor/release.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"

namespace candor {
namespace {

constexpr size_t kEntries = 64;

struct Corpus {
  std::vector<Bytes> entries;
  std::vector<std::string> notes, texts;
  std::vector<Bytes> sigs;
  VerifierKey key;
};

const Corpus& TheCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    const SignerKey vendor = GenerateKey("acme.example/firmware", kKeyTypeEd25519).value().first;
    c.key = PublicKeyOf(vendor);
    for (size_t i = 0; i < kEntries; ++i) {
      ManifestFields f;
      f.products = {"printer-" + std::to_string(i % 50)};
      f.version = "1." + std::to_string(i);
      f.rollback = i + 1;
      const std::string img = "image " + std::to_string(i);
      f.image_sha256 = Sha256Digest(AsBytes(img));
      f.image_size = img.size();
      f.issued = 1767225600 + static_cast<int64_t>(i);
      if (i % 10 == 0) {
        f.disclosures.push_back(ParseDisclosureArg("telemetry=crash to t.example").value());
      }
      Bytes e = CreateReleaseEntry(f, "Release " + std::to_string(i) + ".\n", vendor).value();
      ReleaseEntry parsed = ParseReleaseEntry(e).value();
      Note note = ParseNote(parsed.signed_manifest_note).value();
      c.entries.push_back(std::move(e));
      c.notes.push_back(parsed.signed_manifest_note);
      c.texts.push_back(note.text);
      c.sigs.push_back(note.signatures[0].signature);
    }
    return c;
  }();
  return corpus;
}

// The whole check, signature included.
void BM_ParseReleaseEntry(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    auto r = ParseReleaseEntry(c.entries[i]);
    if (!r.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
    bytes += c.entries[i].size();
    i = (i + 1) % kEntries;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ParseReleaseEntry);

// Everything but the curve arithmetic: the same entries with the signature's
// S made non-canonical (its top byte set), which libsodium refuses at its first
// check, before any point operation. All of ParseReleaseEntry's parsing and
// checks up to the signature run; the changelog digest (one SHA-256 block
// here, after the signature) and the success path's copies do not.
void BM_ParseReleaseEntryUpToSignature(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  std::vector<Bytes> bad;
  for (size_t i = 0; i < kEntries; ++i) {
    Note note = ParseNote(c.notes[i]).value();
    note.signatures[0].signature[63] = 0xff;
    bad.push_back(
        EncodeReleaseEntry(FormatNote(note).value(), "Release " + std::to_string(i) + ".\n"));
    if (ParseReleaseEntry(bad.back()).status().code() != Code::kBadSignature) {
      state.SkipWithError("expected kBadSignature");
    }
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseReleaseEntry(bad[i]));
    i = (i + 1) % kEntries;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseReleaseEntryUpToSignature);

// The libsodium verify alone, over the same manifest texts: subtract it from
// BM_ParseReleaseEntry for the parse cost excluding the signature.
void BM_Ed25519VerifyManifest(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  size_t i = 0;
  for (auto _ : state) {
    if (!Ed25519Verify(c.key.public_key, AsBytes(c.texts[i]), c.sigs[i])) {
      state.SkipWithError("verify failed");
    }
    i = (i + 1) % kEntries;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519VerifyManifest);

// Pieces without any signature check, to see where the rest goes.
void BM_ParseNote(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseNote(c.notes[i]));
    i = (i + 1) % kEntries;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseNote);

void BM_ParseManifestText(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseManifestText(c.texts[i]));
    i = (i + 1) % kEntries;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseManifestText);

void BM_ParseVerifierKey(benchmark::State& state) {
  const std::string vkey = FormatVerifierKey(TheCorpus().key);
  for (auto _ : state) benchmark::DoNotOptimize(ParseVerifierKey(vkey));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseVerifierKey);

}  // namespace
}  // namespace candor

BENCHMARK_MAIN();
