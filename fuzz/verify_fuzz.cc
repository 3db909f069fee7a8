// Verify() end to end (candor/verify.h) with the fixture's fixed policy,
// product, image and clock: the input is the bundle text; the seed corpus
// holds the valid bundle, so the fuzzer mutates a bundle that verifies.
// Properties: whatever bundle is accepted carries exactly the logged release
// entry at its index, under the fixture's checkpoint (no forged, unlogged or
// substituted entry is ever accepted); refusals carry a named reason code.
// Every other input is run as a device that saw the log at size 2, with the
// consistency proof file from 2 (candor/consistency_proof.h), so the
// mandatory consistency path is fuzzed too.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "candor/consistency_proof.h"
#include "candor/merkle.h"
#include "candor/release.h"
#include "candor/verify.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

// The device's view at size 2 and a proof file from it to the fixture's tree.
struct SeenAt2 {
  LastSeenTree seen;
  ConsistencyProofFile proofs;
};
const SeenAt2& Seen() {
  static const SeenAt2* s = [] {
    const auto& fx = fuzz::Fixture();
    std::vector<Hash> leaves;
    for (const Bytes& e : fx.entries) leaves.push_back(LeafHash(e));
    auto* out = new SeenAt2;
    auto body = ParseCheckpointBody(fx.checkpoint_body);
    if (!body.ok() || leaves.size() <= 2) return out;
    out->seen = LastSeenTree{body->origin, 2, RootFromLeafHashes(std::span<const Hash>(leaves).first(2)),
                             std::nullopt};
    auto proof = ProveConsistency(2, leaves.size(), fuzz::MemoryNodeReader(&leaves));
    if (!proof.ok()) return out;
    out->proofs.origin = body->origin;
    out->proofs.blocks.push_back(ConsistencyProofBlock{2, leaves.size(), *proof});
    return out;
  }();
  return *s;
}

Result<VerifiedRelease> RunVerify(std::string_view bundle, bool seen_at_2) {
  const auto& fx = fuzz::Fixture();
  size_t offset = 0;
  VerifyRequest req;
  req.product = fx.product;
  req.bundle = bundle;
  req.policy = &fx.policy;
  req.now_unix = fx.now_unix;
  req.min_rollback = 7;
  if (seen_at_2 && !Seen().proofs.blocks.empty()) {
    req.last_seen.push_back(Seen().seen);
    req.consistency_proofs = Seen().proofs;
  }
  req.read_image = [&](std::span<uint8_t> buf) -> Result<size_t> {
    const size_t n = std::min(buf.size(), fx.image.size() - offset);
    std::memcpy(buf.data(), fx.image.data() + offset, n);
    offset += n;
    return n;
  };
  return Verify(req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& fx = fuzz::Fixture();
  static const bool fixture_verifies = [] {
    auto v = RunVerify(fuzz::Fixture().bundle, false);
    if (v.ok()) v = RunVerify(fuzz::Fixture().bundle, true);
    if (!v.ok())
      std::fprintf(stderr, "fixture bundle refused: %s\n", v.status().ToString().c_str());
    return v.ok();
  }();
  CANDOR_FUZZ_CHECK(fixture_verifies);

  auto verdict = RunVerify(fuzz::AsText(data, size), size % 2 == 1);
  if (!verdict.ok()) {
    const Code c = verdict.status().code();
    CANDOR_FUZZ_CHECK(c != Code::kOk && c != Code::kInternal && c != Code::kInvalidArgument);
    CANDOR_FUZZ_CHECK(!verdict.status().message().empty());
    return 0;
  }
  CANDOR_FUZZ_CHECK(EncodeReleaseEntry(verdict->release) == fx.release_entry);
  CANDOR_FUZZ_CHECK(verdict->log_index == fx.release_index);
  CANDOR_FUZZ_CHECK(HashEqual(verdict->leaf_hash, LeafHash(fx.release_entry)));
  auto body = ParseCheckpointBody(fx.checkpoint_body);
  CANDOR_FUZZ_CHECK(body.ok() && verdict->checkpoint == *body);
  CANDOR_FUZZ_CHECK(!verdict->cosigned_by.empty());
  return 0;
}
