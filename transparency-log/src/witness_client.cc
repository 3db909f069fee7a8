#include "candor/log/witness_client.h"

#include <atomic>
#include <cctype>
#include <map>
#include <thread>
#include <utility>

#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/log/witness_protocol.h"

namespace candor {

struct WitnessClient::Peer {
  const PolicyWitness* witness = nullptr;  // points into WitnessClient::policy_
  std::unique_ptr<HttpClient> http;        // null when the witness has no URL
  std::atomic<uint64_t> known_size{0};
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

Status StatusForHttp(int http_status, std::string_view body) {
  std::string msg = "witness answered " + std::to_string(http_status);
  if (!body.empty()) msg += ": " + Excerpt(body);
  switch (http_status) {
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

WitnessClient::~WitnessClient() = default;

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
      report.status = StatusForHttp(response->status, response->body);
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
    std::vector<std::thread> threads;
    threads.reserve(peers_.size());
    for (size_t i = 0; i < peers_.size(); ++i) {
      threads.emplace_back([this, i, &checkpoint, &prove, &result] {
        result.witnesses[i] = CosignWith(*peers_[i], checkpoint, prove);
      });
    }
    for (auto& t : threads) t.join();
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
