// The log side of c2sp.org/tlog-witness: obtains cosignatures on a freshly
// signed checkpoint from the witnesses of a trust policy (c2sp.org/tlog-policy
// `witness <name> <vkey> <url>` lines) and says whether they meet the quorum.
//
// Usage (inside the log, before publishing a checkpoint):
//
//   CANDOR_ASSIGN_OR_RETURN(auto client, WitnessClient::Create(policy));
//   ...
//   auto prove = [&](uint64_t old_size, uint64_t new_size) {
//     return ProveConsistency(old_size, new_size, reader);   // candor/merkle.h
//   };
//   CANDOR_ASSIGN_OR_RETURN(CosignResult r, client->Cosign(signed_checkpoint, prove));
//   if (!r.quorum.satisfied) { /* do not publish; r.witnesses says why */ }
//   Publish(r.note);  // the checkpoint + the collected cosignature lines
//
// Per witness, one Cosign call does (§add-checkpoint):
//   1. old = the size this client last saw the witness cosign (0 at start);
//      if old > the checkpoint's size the witness is ahead of us: error.
//   2. POST <url>/add-checkpoint with "old <old>", the consistency proof
//      prove(old, size) (none when old is 0 or equal to size), a blank line
//      and the checkpoint.
//   3. 200: the response's signature lines are parsed; the line with the
//      witness's (name, key ID) must verify as a cosignature/v1 on the
//      checkpoint body (other lines are ignored, as the spec requires).
//      409 with Content-Type text/x.tlog.size: the witness reports the size it
//      last cosigned; the client adopts it and retries (at most
//      max_conflict_retries times) — this is how a restarted log, which starts
//      from 0, catches up. Any other answer is a failure for that witness.
//   4. On success the witness's known size becomes the checkpoint's size.
// Witnesses are contacted in parallel, one thread each, with the HTTP
// timeouts of `options.http` (each exchange has an absolute deadline). A
// round ends as soon as the quorum is met (plus `quorum_grace` for the
// witnesses still answering), when every witness has answered, or at
// `round_timeout`, whichever comes first: a slow or trickling witness never
// holds the log's publication once the others meet the quorum. A witness
// still busy when the round ends is reported kUnavailable; its request runs
// on in the background (bounded by the HTTP deadline) and a cosignature that
// arrives late is dropped (counted in LateCosignatures()), but the size it
// cosigned is remembered, so the next round sends it the right old size. A
// witness whose earlier request is still running is not contacted again
// (kUnavailable) until that request ends. Witnesses of the policy without a
// URL are not contacted (report kNotFound).
//
// The proof function is called from the witness threads, one call at a time,
// and never after Cosign returned (a late witness that would need a proof
// gives up instead).
//
// Thread-safety: Cosign may be called from any thread; concurrent calls are
// serialised (each witness's known size is only meaningful in order).
#ifndef CANDOR_LOG_WITNESS_CLIENT_H_
#define CANDOR_LOG_WITNESS_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/bytes.h"
#include "candor/checkpoint.h"
#include "candor/http/http_client.h"
#include "candor/merkle.h"
#include "candor/note.h"
#include "candor/policy.h"
#include "candor/status.h"

namespace candor {

struct WitnessClientOptions {
  // Per-request timeouts; defaults suit a witness on the same continent.
  // The connect timeout covers the TCP and the TLS handshake (libcurl's
  // CONNECTTIMEOUT): 10 s as Go's http.Transport allows a TLS handshake, so a
  // busy host (or a witness behind a loaded TLS terminator) is not taken for
  // a dead one. A dead witness costs no round time: the round ends at the
  // quorum plus `quorum_grace`.
  HttpClientOptions http = [] {
    HttpClientOptions o;
    o.connect_timeout = std::chrono::milliseconds(10000);
    o.read_timeout = std::chrono::milliseconds(10000);
    o.write_timeout = std::chrono::milliseconds(10000);
    o.max_body_size = 16 * 1024;
    o.user_agent = "candor-log-witness-client/0.1";
    return o;
  }();
  // 409 (old size mismatch) retries per witness and Cosign call.
  int max_conflict_retries = 2;
  // Contact the witnesses in parallel (one thread each) or one after another
  // (then without the round deadline: for tests).
  bool parallel = true;
  // The longest a Cosign call waits for the witnesses (parallel mode).
  std::chrono::milliseconds round_timeout{15000};
  // Once the quorum is met, how long to wait for the witnesses still
  // answering (more cosignatures serve devices with stricter policies).
  std::chrono::milliseconds quorum_grace{100};
};

// What happened with one witness during a Cosign call.
struct WitnessReport {
  std::string name;  // the witness name in the policy
  // OK when a valid cosignature was obtained. Otherwise why not: kNotFound (no
  // URL), kUnavailable (transport, timeouts), kConflict (the witness holds a
  // different tree head at our size, or is ahead of us: investigate!),
  // kBadSignature / kMalformed (bad response), kInconsistent / kBadSignature /
  // kNotFound / kMalformed mirroring a 422 / 403 / 404 / 400 answer, or the
  // proof function's error.
  Status status;
  std::optional<NoteSignature> cosignature;  // set iff status is OK
  uint64_t timestamp = 0;                    // the cosignature's timestamp
  int attempts = 0;                          // HTTP requests made
  std::chrono::nanoseconds elapsed{0};       // time spent on this witness (metrics)
};

struct CosignResult {
  // The input checkpoint note with the valid cosignature lines appended (in
  // policy order; a witness whose line was already on the note is not added
  // twice). Publish this.
  std::string note;
  // EvaluateQuorum over the witnesses that cosigned (name -> timestamp).
  QuorumResult quorum;
  std::vector<WitnessReport> witnesses;  // one per policy witness, policy order
};

class WitnessClient {
 public:
  // Validates the witnesses' URLs (kInvalidArgument on a bad one). Witness
  // keys must be type 0x04 (the policy parser guarantees it).
  static Result<std::unique_ptr<WitnessClient>> Create(TrustPolicy policy,
                                                       WitnessClientOptions options = {});
  ~WitnessClient();
  WitnessClient(const WitnessClient&) = delete;
  WitnessClient& operator=(const WitnessClient&) = delete;

  // Collects cosignatures on `signed_checkpoint` (the log's signed checkpoint
  // note) from every witness with a URL. Errors (the call itself fails) only
  // for a checkpoint that does not parse (kMalformed) or, when the policy
  // lists a log with that origin, whose signature by that log key does not
  // verify (kBadSignature / kUntrustedKey). Per-witness failures are in the
  // reports; check result.quorum.satisfied.
  Result<CosignResult> Cosign(std::string_view signed_checkpoint, const ConsistencyProofFn& prove);

  // The tree size this client believes `witness_name` last cosigned (0 until
  // learned); nullopt for a name not in the policy. Never blocks.
  std::optional<uint64_t> KnownSize(std::string_view witness_name) const;

  const TrustPolicy& policy() const { return policy_; }

  // Cosignatures that arrived after their round had ended (and were dropped).
  uint64_t LateCosignatures() const { return late_cosignatures_.load(); }

 private:
  struct Peer;
  struct Round;
  WitnessClient(TrustPolicy policy, WitnessClientOptions options);
  WitnessReport CosignWith(Peer& peer, const SignedCheckpoint& checkpoint,
                           const ConsistencyProofFn& prove);
  std::vector<WitnessReport> CosignParallel(const SignedCheckpoint& checkpoint,
                                            const ConsistencyProofFn& prove);

  TrustPolicy policy_;
  WitnessClientOptions options_;
  std::vector<std::unique_ptr<Peer>> peers_;  // one per policy witness, policy order
  std::mutex mu_;                             // serialises Cosign calls
  std::atomic<uint64_t> late_cosignatures_{0};
};

}  // namespace candor

#endif  // CANDOR_LOG_WITNESS_CLIENT_H_
