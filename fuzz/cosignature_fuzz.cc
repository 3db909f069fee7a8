// Witness cosignatures (c2sp.org/tlog-cosignature): the input is a signed
// checkpoint (parsed unverified); VerifyCosignatures runs with the fixture's
// two witness keys, VerifyCosignature on every signature line.
// Properties: every accepted cosignature is by a listed witness, at most once,
// with a timestamp <= 2^63-1; it no longer verifies over a different body.
// VerifyTrustedCheckpoint (fixture policy; the fixture's clock, a clock at 0
// and one from the input's first bytes): a cosignature dated beyond the future
// skew never counts, an accepted checkpoint's quorum time is at most the skew
// ahead and at most max-checkpoint-age behind the clock.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "candor/checkpoint_trust.h"
#include "candor/cosignature.h"
#include "fuzz_util.h"

using namespace candor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& fx = fuzz::Fixture();
  auto cp = ParseSignedCheckpointUnverified(fuzz::AsText(data, size));
  if (!cp.ok()) return 0;

  const std::vector<VerifierKey> witnesses = {fx.witness1.verifier, fx.witness2.verifier};
  auto cosigs = VerifyCosignatures(*cp, witnesses);
  if (cosigs.ok()) {
    CANDOR_FUZZ_CHECK(cosigs->size() <= witnesses.size());
    for (size_t i = 0; i < cosigs->size(); ++i) {
      const Cosignature& c = (*cosigs)[i];
      CANDOR_FUZZ_CHECK(c.witness == witnesses[0] || c.witness == witnesses[1]);
      CANDOR_FUZZ_CHECK(c.timestamp <= kMaxCosignatureTimestamp);
      for (size_t j = 0; j < i; ++j) CANDOR_FUZZ_CHECK(!((*cosigs)[j].witness == c.witness));
    }
  }
  // A log key is not a witness key.
  const std::vector<VerifierKey> wrong = {fx.log_key.verifier};
  CANDOR_FUZZ_CHECK(!VerifyCosignatures(*cp, wrong).ok());

  const std::string other_body = cp->body + "extension\n";
  for (const NoteSignature& sig : cp->signatures) {
    for (const VerifierKey& w : witnesses) {
      auto ts = VerifyCosignature(w, cp->body, sig);
      if (!(sig.name == w.name && sig.key_id == w.key_id)) {
        CANDOR_FUZZ_CHECK(!ts.ok() && ts.status().code() == Code::kMismatch);
        continue;
      }
      if (!ts.ok()) {
        // A listed witness's bad line fails the whole set (fail closed).
        CANDOR_FUZZ_CHECK(!cosigs.ok());
        continue;
      }
      CANDOR_FUZZ_CHECK(*ts <= kMaxCosignatureTimestamp);
      CANDOR_FUZZ_CHECK(!VerifyCosignature(w, other_body, sig).ok());
    }
  }

  const uint64_t clocks[] = {fx.now_unix, 0,
                             size >= 8 ? ReadU64BE(data) : fx.cosign_time};
  for (uint64_t now : clocks) {
    auto trusted = VerifyTrustedCheckpoint(fuzz::AsText(data, size), fx.log_key.verifier,
                                           fx.policy, now);
    if (!trusted.ok()) continue;
    CANDOR_FUZZ_CHECK(cosigs.ok());
    CANDOR_FUZZ_CHECK(trusted->quorum.satisfied && trusted->quorum.quorum_time);
    const uint64_t qt = *trusted->quorum.quorum_time;
    CANDOR_FUZZ_CHECK(qt <= now || qt - now <= kMaxClockSkewSeconds);
    CANDOR_FUZZ_CHECK(now <= qt || now - qt <= *fx.policy.max_checkpoint_age_seconds);
    for (const Cosignature& c : *cosigs) {
      if (c.timestamp <= now || c.timestamp - now <= kMaxClockSkewSeconds) continue;
      for (const std::string& name : trusted->cosigned_by) {
        const PolicyWitness* w = nullptr;
        for (const PolicyWitness& pw : fx.policy.witnesses) w = pw.name == name ? &pw : w;
        CANDOR_FUZZ_CHECK(w != nullptr && !(w->key == c.witness));
      }
    }
  }
  return 0;
}
