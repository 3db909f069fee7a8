// MakePolicyCosigner: connects the publisher to the witnesses of a policy
// through the witness client (candor/log/witness_client.h).
#include <cstdio>
#include <memory>

#include "candor/fs/read_file.h"
#include "candor/log/log_metrics.h"
#include "candor/log/log_server.h"
#include "candor/log/witness_client.h"

namespace candor {

Result<Cosigner> MakePolicyCosigner(const TrustPolicy& policy, const VerifierKey& log_key,
                                    const std::string& witness_ca_file, LogMetrics* metrics) {
  if (policy.quorum == "none") return Cosigner();
  if (const PolicyLog* log = policy.FindLog(log_key.name); log && !(log->key == log_key)) {
    return Status::Mismatch("the policy names a different key for log " + log_key.name);
  }
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<WitnessClient> client, WitnessClient::Create(policy, [&] {
                            WitnessClientOptions o;
                            o.http.ca_file = witness_ca_file;
                            return o;
                          }()));
  std::shared_ptr<WitnessClient> shared(std::move(client));
  return Cosigner([shared, metrics](const std::string& signed_checkpoint,
                                    const ConsistencyProofFn& prove) -> Result<std::string> {
    CANDOR_ASSIGN_OR_RETURN(CosignResult r, shared->Cosign(signed_checkpoint, prove));
    if (metrics != nullptr) {
      for (const WitnessReport& w : r.witnesses)
        metrics->ObserveCosign(w.name, w.elapsed, w.status);
    }
    if (!r.quorum.satisfied) {
      std::string why;
      for (const WitnessReport& w : r.witnesses) {
        if (!w.status.ok()) why += " " + w.name + ": " + w.status.ToString() + ";";
      }
      return Status::PolicyUnsatisfied("witness quorum not met (" + std::to_string(r.quorum.met) +
                                       " of " + std::to_string(r.quorum.required) + "):" + why);
    }
    return r.note;
  });
}

Result<Cosigner> LoadPolicyCosigner(const std::string& policy_path, const VerifierKey& log_key,
                                    const std::string& witness_ca_file, LogMetrics* metrics) {
  if (policy_path.empty()) return Cosigner();
  CANDOR_ASSIGN_OR_RETURN(Bytes text, fs::ReadFileBytes(policy_path, kMaxPolicySize));
  CANDOR_ASSIGN_OR_RETURN(TrustPolicy policy, ParseTrustPolicy(AsChars(text)));
  return MakePolicyCosigner(policy, log_key, witness_ca_file, metrics);
}

}  // namespace candor
