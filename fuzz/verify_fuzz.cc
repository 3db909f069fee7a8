// Verify() end to end (candor/verify.h) with the fixture's fixed policy,
// product, image and clock: the input is the bundle text; the seed corpus
// holds the valid bundle, so the fuzzer mutates a bundle that verifies.
// Properties: whatever bundle is accepted carries exactly the logged release
// entry at its index, under the fixture's checkpoint (no forged, unlogged or
// substituted entry is ever accepted); refusals carry a named reason code.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "candor/release.h"
#include "candor/verify.h"
#include "fuzz_util.h"

using namespace candor;

namespace {

Result<VerifiedRelease> RunVerify(std::string_view bundle) {
  const auto& fx = fuzz::Fixture();
  size_t offset = 0;
  VerifyRequest req;
  req.product = fx.product;
  req.bundle = bundle;
  req.policy = &fx.policy;
  req.now_unix = fx.now_unix;
  req.min_rollback = 7;
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
    auto v = RunVerify(fuzz::Fixture().bundle);
    if (!v.ok())
      std::fprintf(stderr, "fixture bundle refused: %s\n", v.status().ToString().c_str());
    return v.ok();
  }();
  CANDOR_FUZZ_CHECK(fixture_verifies);

  auto verdict = RunVerify(fuzz::AsText(data, size));
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
