#include "candor/witness/witness_routes.h"

#include <fmt/core.h>

#include <string>

#include "candor/metrics/metrics_routes.h"
#include "candor/witness/witness.h"
#include "candor/witness/witness_metrics.h"
#include "candor/witness_protocol.h"

namespace candor {

void InstallWitnessRoutes(HttpServer& server, Witness& witness,
                          const WitnessRoutesOptions& options) {
  const std::string path = options.prefix + "/" + std::string(kAddCheckpointPath);
  const bool access_log = options.access_log;
  WitnessMetrics* metrics = options.metrics;
  if (metrics != nullptr) {
    metrics::RegisterMetricsRoutes(server, metrics->registry(),
                                   [&witness] { return witness.Health(); });
    metrics::CountRequests(server, metrics->http_requests());
  }
  // The handler runs on an event loop and includes the state's fsync
  // (~ms): a witness serves a handful of logs, each posting about once per
  // checkpoint interval, so this is not worth a worker pool.
  server.Handle("POST", path, HttpMatch::kExact,
                [&witness, access_log, metrics](const ServerRequest& req, ServerResponse& res) {
                  AddCheckpointResult result = witness.AddCheckpoint(req.body);
                  if (metrics != nullptr) metrics->ObserveAddCheckpoint(result);
                  WitnessHttpReply reply = ToHttpReply(result);
                  res.status = reply.status;
                  res.content_type = reply.content_type;
                  res.body = std::move(reply.body);
                  if (!reply.candor_error.empty()) {
                    res.SetHeader("Candor-Error", reply.candor_error);
                    res.SetHeader("Cache-Control", "no-store");
                  }
                  if (access_log) {
                    fmt::print(stderr, "candor-witness: add-checkpoint from {} -> {} {}\n",
                               req.remote_addr, reply.status,
                               result.status.ok() ? "cosigned" : result.status.ToString());
                    std::fflush(stderr);
                  }
                });
}

HttpServerOptions WitnessHttpOptions(std::string host, int port) {
  HttpServerOptions o;
  o.host = std::move(host);
  o.port = port;
  // Bodies above this are refused with 413 before they are read;
  // ParseAddCheckpointRequest checks again.
  o.max_body = kMaxAddCheckpointBodySize;
  o.header_memory = 16 * 1024;
  o.idle_timeout_seconds = 10;
  o.max_connections = 1024;
  // A witness is called by a few logs, not by the public: no client needs
  // many connections, and one client cannot take all of them.
  o.max_connections_per_ip = 64;
  // A log posts a few KiB at once; a request trickling in is not a log.
  o.request_deadline = std::chrono::seconds(10);
  return o;
}

}  // namespace candor
