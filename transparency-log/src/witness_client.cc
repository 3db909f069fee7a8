#include "candor/log/witness_client.h"

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <map>
#include <thread>
#include <utility>

#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/witness_protocol.h"

namespace candor {

struct WitnessClient::Peer {
  const PolicyWitness* witness = nullptr;  // points into WitnessClient::policy_
  std::unique_ptr<HttpClient> http;        // null when the witness has no URL
  std::atomic<uint64_t> known_size{0};
  std::atomic<bool> busy{false};  // `worker` has not finished its request yet
  std::thread worker;             // the latest request's thread (joined lazily)
};

// One parallel Cosign call, shared with its witness threads (which may
// outlive the call: see the header).
struct WitnessClient::Round {
  std::mutex mu;
  std::condition_variable cv;
  bool open = true;                           // Cosign is still waiting
  const ConsistencyProofFn* prove = nullptr;  // valid while open
  SignedCheckpoint checkpoint;
  std::vector<std::optional<WitnessReport>> reports;  // by peer index
};

namespace {

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  std::string out(t);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A short printable excerpt of a response body for error messages.
std::string Excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 160)) {
    if (c == '\n') break;
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return out;
}

// The Status of a witness's error answer. A Candor witness states its Code by
// name (Candor-Error); any other c2sp.org/tlog-witness witness is read by the
// status codes that spec assigns (§add-checkpoint: 400 malformed request, 403
// checkpoint signature not verifiable or unknown key, 404 unknown log, 409
// old size mismatch, 413 too large, 422 consistency proof fails). This is the
// only place a Code is derived from an HTTP status.
Status StatusForWitnessAnswer(const HttpResponse& response) {
  if (!response.Header(kCandorErrorHeader).empty()) return response.CandorError("witness");
  std::string msg = "witness answered " + std::to_string(response.status);
  if (!response.body.empty()) msg += ": " + Excerpt(response.body);
  switch (response.status) {
    case 400:
      return Status::Malformed(msg);
    case 403:
      return Status::BadSignature(msg);
    case 404:
      return Status::NotFound(msg);
    case 409:
      return Status::Conflict(msg);
    case 413:
      return Status::TooLarge(msg);
    case 422:
      return Status::Inconsistent(msg);
    case 429:
      return Status::RateLimited(msg);
    default:
      return Status::Unavailable(msg);
  }
}

}  // namespace

WitnessClient::WitnessClient(TrustPolicy policy, WitnessClientOptions options)
    : policy_(std::move(policy)), options_(std::move(options)) {}

WitnessClient::~WitnessClient() {
  // Late requests: make them fail now rather than at their deadline.
  for (auto& peer : peers_) {
    if (peer->http) peer->http->Cancel();
  }
  for (auto& peer : peers_) {
    if (peer->worker.joinable()) peer->worker.join();
  }
}

std::vector<WitnessReport> WitnessClient::CosignParallel(const SignedCheckpoint& checkpoint,
                                                         const ConsistencyProofFn& prove) {
  auto round = std::make_shared<Round>();
  round->prove = &prove;
  round->checkpoint = checkpoint;
  round->reports.resize(peers_.size());
  // The witness threads reach the proof function only through the round, and
  // only while it is open.
  ConsistencyProofFn guarded = [round](uint64_t old_size, uint64_t new_size) {
    std::lock_guard<std::mutex> lock(round->mu);
    if (!round->open) {
      return Result<std::vector<Hash>>(
          Status::Unavailable("the round ended before a proof was needed"));
    }
    return (*round->prove)(old_size, new_size);
  };
  for (size_t i = 0; i < peers_.size(); ++i) {
    Peer& peer = *peers_[i];
    if (peer.http && peer.busy.load()) {
      WitnessReport busy;
      busy.name = peer.witness->name;
      busy.status = Status::Unavailable("still answering an earlier round's request");
      round->reports[i] = std::move(busy);
      continue;
    }
    if (peer.worker.joinable()) peer.worker.join();  // finished: busy is false
    peer.busy.store(true);
    peer.worker = std::thread([this, &peer, i, round, guarded] {
      const auto start = std::chrono::steady_clock::now();
      WitnessReport report = CosignWith(peer, round->checkpoint, guarded);
      report.elapsed = std::chrono::steady_clock::now() - start;
      // Done with the peer's connection: a next round may contact it (after
      // joining this thread, which only has to hand in its report).
      peer.busy.store(false);
      {
        std::lock_guard<std::mutex> lock(round->mu);
        if (round->open) {
          round->reports[i] = std::move(report);
        } else if (report.status.ok()) {
          late_cosignatures_.fetch_add(1);  // dropped; known_size is updated
        }
      }
      round->cv.notify_all();
    });
  }

  const auto deadline = std::chrono::steady_clock::now() + options_.round_timeout;
  std::optional<std::chrono::steady_clock::time_point> grace_end;
  std::unique_lock<std::mutex> lock(round->mu);
  while (true) {
    bool all = true;
    std::map<std::string, uint64_t> cosigned_by;
    for (const auto& r : round->reports) {
      if (!r) {
        all = false;
      } else if (r->status.ok()) {
        cosigned_by[r->name] = r->timestamp;
      }
    }
    if (all) break;
    if (!grace_end && EvaluateQuorum(policy_, cosigned_by).satisfied) {
      grace_end = std::min(deadline, std::chrono::steady_clock::now() + options_.quorum_grace);
    }
    const auto until = grace_end ? *grace_end : deadline;
    if (round->cv.wait_until(lock, until) == std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= until) {
      break;
    }
  }
  round->open = false;
  std::vector<WitnessReport> out(peers_.size());
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (round->reports[i]) {
      out[i] = std::move(*round->reports[i]);
    } else {
      out[i].name = peers_[i]->witness->name;
      out[i].status = Status::Unavailable(
          grace_end ? "still answering when the quorum was met (a late cosignature is dropped)"
                    : "no answer within the round deadline of " +
                          std::to_string(options_.round_timeout.count()) + " ms");
      out[i].attempts = 1;
    }
  }
  return out;
}

Result<std::unique_ptr<WitnessClient>> WitnessClient::Create(TrustPolicy policy,
                                                             WitnessClientOptions options) {
  std::unique_ptr<WitnessClient> client(new WitnessClient(std::move(policy), std::move(options)));
  for (const PolicyWitness& w : client->policy_.witnesses) {
    if (w.key.type != kKeyTypeCosignatureV1) {
      return Status::InvalidArgument("witness " + w.name + " key is not a cosignature/v1 key");
    }
    auto peer = std::make_unique<Peer>();
    peer->witness = &w;
    if (!w.url.empty()) {
      auto http = HttpClient::Create(w.url, client->options_.http);
      if (!http.ok()) return http.status().WithContext("witness " + w.name + " URL");
      peer->http = std::move(http).value();
    }
    client->peers_.push_back(std::move(peer));
  }
  return client;
}

std::optional<uint64_t> WitnessClient::KnownSize(std::string_view witness_name) const {
  for (const auto& peer : peers_) {
    if (peer->witness->name == witness_name) return peer->known_size.load();
  }
  return std::nullopt;
}

WitnessReport WitnessClient::CosignWith(Peer& peer, const SignedCheckpoint& checkpoint,
                                        const ConsistencyProofFn& prove) {
  WitnessReport report;
  report.name = peer.witness->name;
  report.status = Status::Unavailable("not attempted");
  if (!peer.http) {
    report.status = Status::NotFound("witness has no URL in the policy");
    return report;
  }
  const VerifierKey& key = peer.witness->key;
  const uint64_t size = checkpoint.checkpoint.size;
  for (int attempt = 0; attempt <= options_.max_conflict_retries; ++attempt) {
    AddCheckpointRequest request;
    request.old_size = peer.known_size.load();
    if (request.old_size > size) {
      report.status =
          Status::Conflict("witness has cosigned size " + std::to_string(request.old_size) +
                           ", larger than this checkpoint's " + std::to_string(size));
      return report;
    }
    if (request.old_size != 0 && request.old_size != size) {
      auto proof = prove(request.old_size, size);
      if (!proof.ok()) {
        report.status = proof.status().WithContext("consistency proof for the witness");
        return report;
      }
      request.proof = std::move(proof).value();
    }
    request.checkpoint = checkpoint.note;
    ++report.attempts;
    auto response = peer.http->Post(kAddCheckpointPath, FormatAddCheckpointRequest(request),
                                    "text/plain; charset=utf-8");
    if (!response.ok()) {
      report.status = response.status();
      return report;
    }
    if (response->status == 409 &&
        MediaType(response->Header("content-type")) == kTlogSizeContentType) {
      auto witness_size = ParseTlogSize(response->body);
      if (!witness_size.ok()) {
        report.status = witness_size.status().WithContext("409 from witness");
        return report;
      }
      if (*witness_size == request.old_size) {
        report.status = Status::Conflict("witness answered 409 with the size we sent");
        return report;
      }
      peer.known_size.store(*witness_size);  // adopt and retry
      continue;
    }
    if (response->status != 200) {
      report.status = StatusForWitnessAnswer(*response);
      return report;
    }
    auto lines = ParseCosignatureLines(response->body);
    if (!lines.ok()) {
      report.status = lines.status().WithContext("witness response");
      return report;
    }
    // Lines by other keys are ignored (§add-checkpoint: "The client MUST
    // ignore any cosignatures from unknown keys").
    for (const NoteSignature& sig : *lines) {
      if (sig.name != key.name || sig.key_id != key.key_id) continue;
      auto ts = VerifyCosignature(key, checkpoint.body, sig);
      if (!ts.ok()) {
        report.status = ts.status().WithContext("witness cosignature");
        return report;
      }
      peer.known_size.store(size);
      report.status = Status::Ok();
      report.cosignature = sig;
      report.timestamp = *ts;
      return report;
    }
    report.status = Status::BadSignature("the response holds no cosignature by the witness key");
    return report;
  }
  report.status = Status::Conflict("witness kept answering 409 (old size mismatch)");
  return report;
}

Result<CosignResult> WitnessClient::Cosign(std::string_view signed_checkpoint,
                                           const ConsistencyProofFn& prove) {
  std::lock_guard<std::mutex> lock(mu_);
  auto parsed = ParseSignedCheckpointUnverified(signed_checkpoint);
  if (!parsed.ok()) return parsed.status().WithContext("checkpoint to cosign");
  SignedCheckpoint checkpoint = std::move(parsed).value();
  if (const PolicyLog* log = policy_.FindLog(checkpoint.checkpoint.origin)) {
    // Do not spend witnesses' time on a checkpoint they would refuse anyway.
    auto verified = VerifyCheckpoint(signed_checkpoint, log->key);
    if (!verified.ok()) return verified.status().WithContext("checkpoint to cosign");
  }

  CosignResult result;
  result.witnesses.resize(peers_.size());
  if (options_.parallel) {
    result.witnesses = CosignParallel(checkpoint, prove);
  } else {
    for (size_t i = 0; i < peers_.size(); ++i) {
      result.witnesses[i] = CosignWith(*peers_[i], checkpoint, prove);
    }
  }

  // Append the new cosignatures, replacing an older line by the same key.
  Note note;
  note.text = checkpoint.body;
  note.signatures = checkpoint.signatures;
  std::map<std::string, uint64_t> cosigned_by;
  for (const WitnessReport& report : result.witnesses) {
    if (!report.status.ok()) continue;
    const NoteSignature& sig = *report.cosignature;
    std::erase_if(note.signatures, [&](const NoteSignature& s) {
      return s.name == sig.name && s.key_id == sig.key_id;
    });
    note.signatures.push_back(sig);
    cosigned_by[report.name] = report.timestamp;
  }
  auto formatted = FormatNote(note);
  if (!formatted.ok()) return formatted.status().WithContext("cosigned checkpoint");
  result.note = std::move(formatted).value();
  result.quorum = EvaluateQuorum(policy_, cosigned_by);
  return result;
}

}  // namespace candor
