// The witness's add-checkpoint logic (candor/witness/witness.h
// Witness::AddCheckpoint on a request body), with the fixture's log and the
// fixture's first witness key. Every input starts from the same state: a
// fresh witness whose latest cosigned checkpoint is the fixture log at size 2;
// the input is the request body.
// Properties (the witness's safety): it cosigns only a checkpoint signed by
// the log key that provably extends the stored one (same root at equal size,
// else a verifying consistency proof from the STORED root); the returned
// cosignature verifies over the checkpoint body; the stored state becomes that
// checkpoint; a 409 size answer names the stored size 2; otherwise the stored
// state is unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/witness/witness.h"
#include "candor/witness_protocol.h"
#include "candor/merkle.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

struct Setup {
  std::string dir;
  std::string size2_request;  // makes the stored state the size-2 checkpoint
  Checkpoint size2;
};

const Setup& GetSetup() {
  static const Setup* setup = [] {
    const auto& fx = fuzz::Fixture();
    auto* s = new Setup;
    char tmpl[] = "/tmp/candor-fuzz-witness-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) std::abort();
    s->dir = tmpl;
    std::vector<Hash> leaves;
    for (const Bytes& e : fx.entries) leaves.push_back(LeafHash(e));
    s->size2.origin = fx.log_key.verifier.name;
    s->size2.size = 2;
    s->size2.root_hash = RootFromLeafHashes(std::span<const Hash>(leaves.data(), 2));
    const SignerKey* signers[] = {&fx.log_key.signer};
    auto note = SignNote(FormatCheckpointBody(s->size2), signers);
    if (!note.ok()) std::abort();
    s->size2_request = "old 0\n\n" + *note;
    return s;
  }();
  return *setup;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& fx = fuzz::Fixture();
  const Setup& setup = GetSetup();
  // The witness is rebuilt from scratch (state = the size-2 checkpoint) only
  // after a request changed its state; refused requests leave it as it was
  // (checked below), so every input starts from the same state.
  static std::unique_ptr<Witness> witness;
  if (witness == nullptr) {
    const std::string state_dir = setup.dir + "/state";
    std::filesystem::remove_all(state_dir);
    std::filesystem::create_directory(state_dir);
    WitnessOptions options;
    options.clock = [] { return uint64_t{1788300000}; };
    auto created = Witness::Create(fx.witness1.signer,
                                   {WitnessedLog{fx.log_key.verifier.name, {fx.log_key.verifier}}},
                                   state_dir, options);
    CANDOR_FUZZ_CHECK(created.ok());
    witness = std::move(created).value();
    CANDOR_FUZZ_CHECK(witness->AddCheckpoint(setup.size2_request).status.ok());
  }

  const std::string_view body = fuzz::AsText(data, size);
  const AddCheckpointResult result = witness->AddCheckpoint(body);
  auto state = witness->State(fx.log_key.verifier.name);
  if (result.status.ok()) witness.reset();  // state changed: rebuild for the next input
  CANDOR_FUZZ_CHECK(state.ok() && state->has_value());
  const Checkpoint& stored = (*state)->checkpoint;
  (void)ToHttpReply(result);

  if (!result.status.ok()) {
    const Code c = result.status.code();
    if (std::getenv("CANDOR_FUZZ_DEBUG"))
      std::fprintf(stderr, "witness: %s\n", result.status.ToString().c_str());
    CANDOR_FUZZ_CHECK(c != Code::kInternal && c != Code::kIo);
    if (result.stored_size) CANDOR_FUZZ_CHECK(*result.stored_size == 2);
    CANDOR_FUZZ_CHECK(stored == setup.size2);
    return 0;
  }
  if (std::getenv("CANDOR_FUZZ_DEBUG")) std::fprintf(stderr, "witness: accepted\n");
  // Accepted: the request must have been a proven extension, signed by the log.
  auto request = ParseAddCheckpointRequest(body);
  CANDOR_FUZZ_CHECK(request.ok() && request->old_size == 2);
  auto cp = VerifyCheckpoint(request->checkpoint, fx.log_key.verifier);
  CANDOR_FUZZ_CHECK(cp.ok());
  const Checkpoint& next = cp->checkpoint;
  CANDOR_FUZZ_CHECK(next.size >= 2);
  if (next.size == 2) {
    CANDOR_FUZZ_CHECK(HashEqual(next.root_hash, setup.size2.root_hash));
  } else {
    CANDOR_FUZZ_CHECK(
        VerifyConsistency(2, next.size, request->proof, setup.size2.root_hash, next.root_hash)
            .ok());
  }
  CANDOR_FUZZ_CHECK(stored == next);
  auto lines = ParseCosignatureLines(result.cosignatures);
  CANDOR_FUZZ_CHECK(lines.ok() && !lines->empty());
  for (const NoteSignature& sig : *lines) {
    CANDOR_FUZZ_CHECK(VerifyCosignature(fx.witness1.verifier, cp->body, sig).ok());
  }
  return 0;
}
