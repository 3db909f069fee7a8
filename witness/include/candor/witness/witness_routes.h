// HTTP front of the witness: c2sp.org/tlog-witness `POST <prefix>/add-checkpoint`
// on an HttpServer (http_server.h), mapping AddCheckpointResult to the spec's
// status codes (ToHttpReply in candor/witness/witness.h). Each request is logged as
// one line on stderr.
//
// Thread-safety: the handlers call Witness::AddCheckpoint, which is
// thread-safe; `witness` must outlive the server.
#ifndef CANDOR_WITNESS_WITNESS_ROUTES_H_
#define CANDOR_WITNESS_WITNESS_ROUTES_H_

#include <string>

#include "candor/http/http_server.h"

namespace candor {

class Witness;
class WitnessMetrics;

struct WitnessRoutesOptions {
  // The submission prefix, "" or "/something" (no trailing slash).
  std::string prefix;
  // Log one line per request to stderr.
  bool access_log = true;
  // When set: requests are counted in it, and GET /metrics and GET /healthz
  // (Witness::Health) are served (candor/metrics/metrics_routes.h).
  // REQUIRES: outlives the server.
  WitnessMetrics* metrics = nullptr;
};

// Installs the add-checkpoint route on `server`. REQUIRES: `witness` outlives
// `server`.
void InstallWitnessRoutes(HttpServer& server, Witness& witness,
                          const WitnessRoutesOptions& options = {});

// The server limits a witness runs with: request bodies up to
// kMaxAddCheckpointBodySize (413 beyond, before reading), 16 KiB of headers,
// 10 s idle timeout, at most 64 connections per client IP.
HttpServerOptions WitnessHttpOptions(std::string host, int port);

}  // namespace candor

#endif  // CANDOR_WITNESS_WITNESS_ROUTES_H_
