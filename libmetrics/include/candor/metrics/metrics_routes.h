// GET /metrics and GET /healthz on an HttpServer, and the one HTTP request
// counter, shared by candor-log and candor-witness (docs/LOG.md and
// docs/WITNESS.md "Metrics and health").
//
//   GET /metrics   200, the registry in the Prometheus text format 0.0.4
//                  (Content-Type text/plain; version=0.0.4; charset=utf-8)
//   GET /healthz   200 "ok\n" when `health` returns OK, else 503 with its
//                  message as one line
// Other methods are answered 405 by the server (only GET routes exist).
//
// Thread-safety: the handlers run on the server's event loops; `registry`
// and `health` must be thread-safe and outlive the server.
#ifndef CANDOR_METRICS_METRICS_ROUTES_H_
#define CANDOR_METRICS_METRICS_ROUTES_H_

#include <functional>

#include "candor/http/http_server.h"
#include "candor/metrics/metrics.h"
#include "candor/status.h"

namespace candor::metrics {

void RegisterMetricsRoutes(HttpServer& server, const Registry& registry,
                           std::function<Status()> health);

// Counts every answer of `server` in `requests` (labels: route, code), where
// route is the matched route template (HttpOutcome::route) or "none", so a
// client's paths never become label values. REQUIRES: `requests` has exactly
// the labels {"route", "code"} and outlives the server.
void CountRequests(HttpServer& server, Family<Counter>& requests);

}  // namespace candor::metrics

#endif  // CANDOR_METRICS_METRICS_ROUTES_H_
