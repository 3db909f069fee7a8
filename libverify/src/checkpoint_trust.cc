// Checkpoint trust under a policy; see candor/checkpoint_trust.h.
#include "candor/checkpoint_trust.h"

#include <map>

#include "candor/cosignature.h"

namespace candor {
namespace {

std::string Num(uint64_t v) { return std::to_string(v); }

// Prefixes "checkpoint: " unless the checkpoint module already said so.
Status CheckpointContext(const Status& s) {
  return s.message().starts_with("checkpoint") ? s : s.WithContext("checkpoint");
}

}  // namespace

Result<TrustedCheckpoint> VerifyCheckpointQuorum(std::string_view note, const VerifierKey& log_key,
                                                 const TrustPolicy& policy, uint64_t now_unix) {
  auto verified = VerifyCheckpoint(note, log_key);
  if (!verified.ok()) return CheckpointContext(verified.status());
  TrustedCheckpoint out;
  out.signed_checkpoint = std::move(verified).value();

  std::vector<VerifierKey> witness_keys;
  witness_keys.reserve(policy.witnesses.size());
  for (const PolicyWitness& w : policy.witnesses) witness_keys.push_back(w.key);
  auto cosignatures = VerifyCosignatures(out.signed_checkpoint, witness_keys);
  if (!cosignatures.ok()) return cosignatures.status().WithContext("witness cosignature");
  // Saturating: a clock near 2^64 must not wrap the limit below now.
  const uint64_t latest_allowed = now_unix > UINT64_MAX - kMaxClockSkewSeconds
                                      ? UINT64_MAX
                                      : now_unix + kMaxClockSkewSeconds;
  std::map<std::string, uint64_t> cosigned;
  for (const Cosignature& c : *cosignatures) {
    for (const PolicyWitness& w : policy.witnesses) {
      if (!(w.key == c.witness)) continue;
      // Only when times are used at all (max-checkpoint-age): a verifier
      // without a freshness rule, or a device without a clock, must not
      // depend on one.
      if (policy.max_checkpoint_age_seconds && c.timestamp > latest_allowed) {
        ++out.future_cosignatures;
        continue;
      }
      cosigned[w.name] = c.timestamp;
      out.cosigned_by.push_back(w.name);
    }
  }
  out.quorum = EvaluateQuorum(policy, cosigned);
  if (!out.quorum.satisfied) {
    std::string msg =
        "witness quorum not met (" + Num(out.quorum.met) + " of " + Num(out.quorum.required);
    if (out.future_cosignatures != 0) {
      msg += "; " + Num(out.future_cosignatures) + " cosignature(s) dated more than " +
             Num(kMaxClockSkewSeconds) + " s ahead of this clock ignored";
    }
    return Status::PolicyUnsatisfied(msg + ")");
  }
  return out;
}

Result<const PolicyLog*> PolicyLogFor(std::string_view note, const TrustPolicy& policy) {
  auto unverified = ParseSignedCheckpointUnverified(note);
  if (!unverified.ok()) return CheckpointContext(unverified.status());
  const PolicyLog* log = policy.FindLog(unverified->checkpoint.origin);
  if (log == nullptr) {
    return Status::UntrustedKey("checkpoint from unknown log \"" + unverified->checkpoint.origin +
                                "\"");
  }
  return log;
}

Status CheckCheckpointAge(const TrustPolicy& policy, const QuorumResult& quorum,
                          uint64_t now_unix) {
  if (!policy.max_checkpoint_age_seconds) return Status::Ok();
  // The parser refuses max-checkpoint-age with quorum none, so a satisfied
  // quorum here always has a time.
  if (!quorum.satisfied || !quorum.quorum_time) return Status::Internal("quorum without a time");
  const uint64_t t = *quorum.quorum_time;
  const uint64_t max_age = *policy.max_checkpoint_age_seconds;
  if (now_unix > t && now_unix - t > max_age) {
    return Status::PolicyUnsatisfied("checkpoint too old (cosigned " + Num(now_unix - t) +
                                     " s ago, maximum " + Num(max_age) + " s)");
  }
  return Status::Ok();
}

Status CheckClockNotBehind(uint64_t seen_quorum_time, uint64_t now_unix) {
  if (now_unix < seen_quorum_time &&
      seen_quorum_time - now_unix > kMaxClockSkewSeconds) {
    return Status::PolicyUnsatisfied("clock " + Num(now_unix) + " is behind the witness time " +
                                     Num(seen_quorum_time) +
                                     " of a checkpoint already verified; cannot check "
                                     "max-checkpoint-age");
  }
  return Status::Ok();
}

Result<TrustedCheckpoint> VerifyTrustedCheckpoint(std::string_view note,
                                                  const VerifierKey& log_key,
                                                  const TrustPolicy& policy, uint64_t now_unix) {
  CANDOR_ASSIGN_OR_RETURN(TrustedCheckpoint out,
                          VerifyCheckpointQuorum(note, log_key, policy, now_unix));
  CANDOR_RETURN_IF_ERROR(CheckCheckpointAge(policy, out.quorum, now_unix));
  return out;
}

}  // namespace candor
