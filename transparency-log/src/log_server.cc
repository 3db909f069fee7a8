// LogServer and InitLog (see log_server.h).
#include "candor/log/log_server.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "candor/fs/lock.h"
#include "candor/http/http_server.h"
#include "candor/log/explorer_routes.h"
#include "candor/log/open_store.h"
#include "candor/log/proof_waiters.h"
#include "candor/merkle.h"
#include "candor/metrics/metrics_routes.h"
#include "candor/signing_key.h"

namespace candor {

Result<std::unique_ptr<Signer>> OpenLogKey(const std::string& dir, const std::string& key_spec) {
  return OpenSigner(key_spec.empty() ? dir + "/log.key" : key_spec, {.role = "log key"});
}

Status InitLog(const std::string& dir, const std::string& origin, const std::string& key_spec,
               const std::string& storage) {
  if (!IsValidKeyName(origin)) return Status::InvalidArgument("origin is not a valid key name");
  CANDOR_RETURN_IF_ERROR(fs::MakeDirectories(dir));
  struct stat st {};
  for (const char* name : {"/log.key", "/log.pub"}) {
    if (::stat((dir + name).c_str(), &st) == 0) {
      return Status::Conflict(dir + " already holds a log (" + (name + 1) + " exists)");
    }
  }
  // With key_spec the key is opened (and checked) before anything is written.
  std::unique_ptr<Signer> key;
  if (!key_spec.empty()) {
    CANDOR_ASSIGN_OR_RETURN(key, OpenLogKey(dir, key_spec));
    if (key->public_key().name != origin) {
      return Status::InvalidArgument("the log key is named " + key->public_key().name +
                                     ", not the origin " + origin);
    }
  }
  std::optional<SignerKey> new_key;
  if (!key) {
    CANDOR_ASSIGN_OR_RETURN(auto pair, GenerateKey(origin));
    new_key = std::move(pair.first);
  }
  // The store first: a database that cannot be reached (or already holds a
  // log) fails the init before any file is written, so it can be run again.
  CANDOR_RETURN_IF_ERROR(InitLogStore(dir, storage, origin));
  if (new_key) {
    CANDOR_RETURN_IF_ERROR(WritePrivateKeyFile(dir + "/log.key", *new_key));
    key = MakeKeySigner(std::move(*new_key));
  }
  CANDOR_RETURN_IF_ERROR(fs::WriteFileAtomically(
      dir + "/log.pub", AsBytes(FormatVerifierKey(key->public_key()) + "\n")));
  CANDOR_RETURN_IF_ERROR(
      fs::WriteFileAtomically(dir + "/config", AsBytes("origin " + origin + "\n" +
                                                        (IsPostgresStorage(storage)
                                                             ? std::string(kPostgresConfigLine) + "\n"
                                                             : std::string()))));
  if (::stat((dir + "/vendors").c_str(), &st) != 0) {
    CANDOR_RETURN_IF_ERROR(
        fs::WriteFileAtomically(dir + "/vendors", AsBytes(FormatVendorsFile({}))));
  }
  CANDOR_ASSIGN_OR_RETURN(OpenedStore opened, OpenLogStore(dir, storage));
  CANDOR_ASSIGN_OR_RETURN(TreeHead head, opened.store->Head());
  CANDOR_ASSIGN_OR_RETURN(std::string note, Publisher::SignCheckpoint(*key, head));
  CANDOR_ASSIGN_OR_RETURN(bool integrator, opened.store->RenewIntegratorLease());
  if (!integrator) return Status::Conflict("another candor-log integrates this log's store");
  return opened.store->WriteCheckpoint(note);
}

Result<std::unique_ptr<LogServer>> LogServer::Open(const LogServerOptions& options) {
  std::unique_ptr<LogServer> s(new LogServer());
  s->options_ = options;
  const std::string& dir = options.dir;
  CANDOR_ASSIGN_OR_RETURN(OpenedStore opened, OpenLogStore(dir, options.storage));
  s->lock_ = std::move(opened.lock);
  s->store_ = std::move(opened.store);
  s->metrics_ = std::make_unique<LogMetrics>();
  LogMetrics* metrics = s->metrics_.get();
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Signer> key, OpenLogKey(dir, options.key));
  const std::string origin = key->public_key().name;  // the log key is named after the origin
  CANDOR_ASSIGN_OR_RETURN(Cosigner cosigner,
                          LoadPolicyCosigner(options.policy_path, key->public_key(),
                                             options.witness_ca_file, metrics));
  CANDOR_ASSIGN_OR_RETURN(s->frozen_, ReadFrozenShard(dir, key->public_key()));
  SequencerOptions sequencer_options = options.sequencer;
  sequencer_options.on_commit = [metrics](size_t n, std::chrono::nanoseconds t, const Status& st) {
    metrics->ObserveCommit(n, t, st);
  };
  CANDOR_ASSIGN_OR_RETURN(s->sequencer_,
                          Sequencer::Open(s->store_.get(), sequencer_options));
  PublisherOptions publisher_options = options.publisher;
  publisher_options.on_publish = [metrics](const Status& st) { metrics->ObservePublish(st); };
  if (s->frozen_) CANDOR_RETURN_IF_ERROR(CheckFrozenHead(*s->frozen_, s->sequencer_->Head()));
  s->publisher_ =
      std::make_unique<Publisher>(s->store_.get(), s->sequencer_.get(), std::move(key),
                                  std::move(cosigner), publisher_options);
  metrics->AddStateGauges(s->sequencer_.get(), s->publisher_.get(), options.healthz_max_age,
                          s->store_.get());
  CANDOR_RETURN_IF_ERROR(s->publisher_->Start());
  s->vendors_ = std::make_unique<VendorRegistry>(dir + "/vendors");
  CANDOR_RETURN_IF_ERROR(s->vendors_->Refresh());
  s->limiter_ = std::make_unique<RateLimiter>(options.rate_per_vendor, options.burst_per_vendor);
  s->refusal_limiter_ = std::make_unique<RateLimiter>(options.refusals_per_address,
                                                      options.refusal_burst_per_address);
  s->waiters_ = std::make_unique<ProofWaiters>(s->publisher_.get(), options.max_waiters);
  s->ctx_ = std::make_unique<LogRoutesContext>();
  s->ctx_->store = s->store_.get();
  s->ctx_->served_dir = s->store_->ServedDirectory();
  if (!s->ctx_->served_dir.empty()) {
    const std::string& served = s->ctx_->served_dir;
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(served.c_str(), nullptr),
                                                      &std::free);
    if (!real) return Status::Io("cannot resolve " + served);
    s->ctx_->real_dir = real.get();
  }
  s->ctx_->sequencer = s->sequencer_.get();
  s->ctx_->publisher = s->publisher_.get();
  s->ctx_->waiters = s->waiters_.get();
  s->ctx_->vendors = s->vendors_.get();
  s->ctx_->limiter = s->limiter_.get();
  s->ctx_->refusal_limiter = s->refusal_limiter_.get();
  s->ctx_->admission = options.admission;
  s->ctx_->admission.origin = origin;  // observations must be about this log
  s->ctx_->max_wait = options.max_wait;
  s->ctx_->metrics = metrics;
  if (s->frozen_) s->ctx_->frozen = &*s->frozen_;

  HttpServerOptions http;
  http.host = options.host;
  http.port = options.port;
  http.threads = static_cast<unsigned>(std::clamp(options.threads, 1, 64));
  // The body of POST /add is one release entry; nothing else takes a body.
  http.max_body = std::max<size_t>(options.admission.max_entry_size, 1024);
  http.max_connections = options.max_connections;
  http.max_connections_per_ip = options.max_connections_per_ip;
  http.request_deadline = options.request_deadline;
  CANDOR_ASSIGN_OR_RETURN(s->http_, HttpServer::Bind(http));
  s->port_ = s->http_->port();
  // Before the explorer's catch-all "/": GET /metrics and /healthz.
  metrics::RegisterMetricsRoutes(
      *s->http_, metrics->registry(),
      [seq = s->sequencer_.get(), pub = s->publisher_.get(), store = s->store_.get(),
       max_age = options.healthz_max_age] { return LogHealth(*seq, *pub, max_age, store);
      });
  metrics::CountRequests(*s->http_, metrics->http_requests());
  RegisterLogRoutes(*s->http_, s->ctx_.get());
  RegisterExplorerRoutes(*s->http_);  // read-only web explorer at "/" (docs/EXPLORER.md)
  return s;
}

LogServer::~LogServer() { Stop(); }

Status LogServer::Start() { return http_->Start(); }

void LogServer::Serve() {
  Status st = Start();
  if (!st.ok()) {
    // kUnavailable: Stop() came first; nothing to serve.
    if (st.code() != Code::kUnavailable)
      std::fprintf(stderr, "candor-log: %s\n", st.ToString().c_str());
    return;
  }
  std::unique_lock<std::mutex> lock(serve_mu_);
  serve_cv_.wait(lock, [this] { return stopped_; });
}

void LogServer::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  // No new requests; then answer everything in flight (long-polls with the
  // latest checkpoint, queued entries with their commit or 503) before the
  // HTTP loops go away.
  if (http_) http_->StopAccepting();
  if (waiters_) waiters_->Stop();
  if (publisher_) publisher_->Stop();
  if (sequencer_) sequencer_->Stop();
  if (http_) http_->Stop();
  {
    std::lock_guard<std::mutex> serve_lock(serve_mu_);
    stopped_ = true;
  }
  serve_cv_.notify_all();
}

}  // namespace candor
