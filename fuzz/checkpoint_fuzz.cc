// Checkpoints (c2sp.org/tlog-checkpoint): the input is tried as a checkpoint
// body (ParseCheckpointBody / FormatCheckpointBody) and as a signed
// checkpoint note (ParseSignedCheckpointUnverified, VerifyCheckpoint with the
// fixture's log key).
// Properties: format(parse(x)) == x and parse(format(v)) == v for bodies; a
// verified checkpoint is also accepted unverified, with the same contents;
// its origin is the log key's name (two-argument form) or the expected origin.
#include <cstddef>
#include <cstdint>

#include "candor/checkpoint.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& fx = fuzz::Fixture();
  const std::string_view text = fuzz::AsText(data, size);

  auto body = ParseCheckpointBody(text);
  if (body.ok()) {
    CANDOR_FUZZ_CHECK(!body->origin.empty());
    for (const std::string& ext : body->extensions) CANDOR_FUZZ_CHECK(!ext.empty());
    const std::string formatted = FormatCheckpointBody(*body);
    CANDOR_FUZZ_CHECK(formatted == text);
    auto again = ParseCheckpointBody(formatted);
    CANDOR_FUZZ_CHECK(again.ok() && *again == *body);
  }

  auto unverified = ParseSignedCheckpointUnverified(text);
  if (unverified.ok()) {
    CANDOR_FUZZ_CHECK(unverified->note == text);
    auto b = ParseCheckpointBody(unverified->body);
    CANDOR_FUZZ_CHECK(b.ok() && *b == unverified->checkpoint);
  }

  auto verified = VerifyCheckpoint(text, fx.log_key.verifier);
  if (verified.ok()) {
    CANDOR_FUZZ_CHECK(unverified.ok());
    CANDOR_FUZZ_CHECK(verified->checkpoint == unverified->checkpoint);
    CANDOR_FUZZ_CHECK(verified->body == unverified->body);
    CANDOR_FUZZ_CHECK(verified->checkpoint.origin == fx.log_key.verifier.name);
  }
  auto other = VerifyCheckpoint(text, fx.log_key.verifier, "other.fuzz.example");
  if (other.ok()) CANDOR_FUZZ_CHECK(other->checkpoint.origin == "other.fuzz.example");
  // Only Ed25519 log keys are accepted.
  CANDOR_FUZZ_CHECK(!VerifyCheckpoint(text, fx.witness1.verifier).ok());
  return 0;
}
