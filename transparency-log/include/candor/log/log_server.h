// LogServer: wires a data directory into a running candor-log: single-writer
// lock, index, sequencer, publisher (with witnessing) and HTTP routes. Also
// `InitLog`, which creates a new log directory. Used by candor-log's main, the
// integration tests and the benchmark.
//
// Data directory (docs/LOG.md):
//   DATA/log.key      PRIVATE+KEY+<origin>+... (0600)     never served
//   DATA/log.pub      <origin>+<id>+<base64> verifier key
//   DATA/config       "origin <origin>"
//   DATA/vendors      registered vendor keys
//   DATA/state/       lock, index/ (LevelDB: index.h)
//   DATA/checkpoint, DATA/tile/...   the served tlog-tiles tree
// (the last two only on the POSIX store; with --storage postgres://... the
// database holds them, open_store.h)
//   DATA/frozen       only in a frozen shard: its final checkpoint (shard.h)
//
// Thread-safety: Open/Start/Stop from one thread.
#ifndef CANDOR_LOG_LOG_SERVER_H_
#define CANDOR_LOG_LOG_SERVER_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "candor/fs/lock.h"
#include "candor/http/http_server.h"
#include "candor/log/admission.h"
#include "candor/log/index.h"
#include "candor/log/log_metrics.h"
#include "candor/log/log_routes.h"
#include "candor/log/proof_waiters.h"
#include "candor/log/publisher.h"
#include "candor/log/sequencer.h"
#include "candor/log/shard.h"
#include "candor/log/log_store.h"
#include "candor/policy.h"
#include "candor/status.h"

namespace candor {

// Creates DATA (may exist but must not hold a log): key pair named `origin`,
// log.pub, config, empty vendors file, empty index and a signed checkpoint of
// the empty tree. kConflict if DATA/log.key or DATA/log.pub exists. With
// `key_spec` (a pkcs11: URI or ssh-agent: vkey, candor/signing_key.h) no
// log.key is made: that key, which must be named `origin`, signs and its
// public half is log.pub; `serve` then needs the same --key.
// With `storage` (open_store.h: a postgres:// URI) the tree, index and
// checkpoint go to that store; DATA keeps the key, config and vendors.
Status InitLog(const std::string& dir, const std::string& origin, const std::string& key_spec = "",
               const std::string& storage = "");

struct LogServerOptions {
  std::string dir;
  // Where the tree, index and checkpoint live (open_store.h): "" for DATA
  // itself, or a postgres:// URI shared by several candor-log processes.
  std::string storage;
  std::string host = "127.0.0.1";
  int port = 0;             // 0: pick a free port (see LogServer::port())
  std::string policy_path;  // tlog-policy with witnesses + quorum; empty = none
  // The log key (OpenSigner spec: file, pkcs11: URI, ssh-agent:); empty = DIR/log.key.
  std::string key;
  // Extra CA certificates (PEM) for the policy's https:// witness URLs, in
  // addition to the system store (`candor-log serve --ca-file`).
  std::string witness_ca_file;
  PublisherOptions publisher;
  SequencerOptions sequencer;
  AdmissionOptions admission;
  double rate_per_vendor = 100;  // entries per second, <= 0 disables
  double burst_per_vendor = 1000;
  // Refused submissions (unregistered key, bad signature, malformed, ...) per
  // client address; beyond, that address's submissions are answered 429
  // before they are parsed. <= 0 disables.
  double refusals_per_address = 10;
  double refusal_burst_per_address = 100;
  int threads = 2;  // HTTP event loops (each serves many connections); ~ cores
  unsigned max_connections = 4096;
  unsigned max_connections_per_ip = 256;  // 0: no limit (behind a proxy, all is one IP)
  // A request (headers and body) must arrive within this long (http_server.h).
  std::chrono::milliseconds request_deadline{30000};
  std::chrono::seconds max_wait{60};
  size_t max_waiters = 4096;  // concurrent proof long-polls (more: 503)
  // GET /healthz answers 503 once the published checkpoint is older than
  // this (log_metrics.h LogHealth); 0: no age bound.
  std::chrono::seconds healthz_max_age{0};
};

class LogServer {
 public:
  // Opens the store (open_store.h: the POSIX store locks DATA/state/lock,
  // kConflict if another process holds it), restores the sequencer and publisher, binds the socket. A frozen
  // log (DATA/frozen, shard.h) must have exactly its final tree committed
  // (else kInconsistent) and is served read-only.
  static Result<std::unique_ptr<LogServer>> Open(const LogServerOptions& options);
  ~LogServer();

  int port() const { return port_; }
  // Starts serving (the HTTP loops run on their own threads).
  Status Start();
  // Start(), then blocks until Stop().
  void Serve();
  // Stops accepting, answers what is in flight, stops. Idempotent; any thread.
  void Stop();

  Sequencer* sequencer() { return sequencer_.get(); }
  Publisher* publisher() { return publisher_.get(); }

 private:
  LogServer() = default;

  LogServerOptions options_;
  std::mutex stop_mu_;  // Stop() may race between a signal thread and main
  // Held for the server's life, released after the index has closed.
  fs::DirectoryLock lock_;
  int port_ = 0;
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<VendorRegistry> vendors_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<RateLimiter> refusal_limiter_;
  std::optional<FrozenShard> frozen_;  // DATA/frozen, checked against the committed head
  std::unique_ptr<ProofWaiters> waiters_;
  std::unique_ptr<LogRoutesContext> ctx_;
  std::unique_ptr<LogMetrics> metrics_;  // outlives every component that reports to it
  std::unique_ptr<HttpServer> http_;
  std::mutex serve_mu_;
  std::condition_variable serve_cv_;
  bool stopped_ = false;
};

// Builds the Cosigner for a policy: empty when the policy needs no witnesses
// (`quorum none`), else one that asks the policy's witnesses (witness client),
// trusting `witness_ca_file`'s CAs in addition to the system store.
// Each witness's outcome is reported to `metrics` when non-null (REQUIRES:
// it outlives the cosigner).
Result<Cosigner> MakePolicyCosigner(const TrustPolicy& policy, const VerifierKey& log_key,
                                    const std::string& witness_ca_file = {},
                                    LogMetrics* metrics = nullptr);
// MakePolicyCosigner for the tlog-policy file at `policy_path` (read and
// parsed here); an empty path means no witnessing (an empty Cosigner).
Result<Cosigner> LoadPolicyCosigner(const std::string& policy_path, const VerifierKey& log_key,
                                    const std::string& witness_ca_file = {},
                                    LogMetrics* metrics = nullptr);

// The log's key: `key_spec` (a key file, pkcs11: URI or ssh-agent: vkey,
// candor/signing_key.h), by default DIR/log.key.
Result<std::unique_ptr<Signer>> OpenLogKey(const std::string& dir, const std::string& key_spec);

}  // namespace candor

#endif  // CANDOR_LOG_LOG_SERVER_H_
