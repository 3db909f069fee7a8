// /metrics, /healthz and the request counter (see metrics_routes.h).
#include "candor/metrics/metrics_routes.h"

#include <string>

#include "candor/metrics/exposition.h"

namespace candor::metrics {

void RegisterMetricsRoutes(HttpServer& server, const Registry& registry,
                           std::function<Status()> health) {
  server.Handle("GET", "/metrics", HttpMatch::kExact,
                [&registry](const ServerRequest&, ServerResponse& res) {
                  res.status = 200;
                  res.content_type = kExpositionContentType;
                  res.body = registry.Render();
                  res.SetHeader("Cache-Control", "no-store");
                });
  server.Handle("GET", "/healthz", HttpMatch::kExact,
                [health = std::move(health)](const ServerRequest&, ServerResponse& res) {
                  Status st = health();
                  std::string line = st.ok() ? "ok" : st.message();
                  for (char& c : line) {
                    if (c == '\n' || c == '\r') c = ' ';
                  }
                  res.SetText(st.ok() ? 200 : 503, line + "\n");
                  res.SetHeader("Cache-Control", "no-store");
                });
}

void CountRequests(HttpServer& server, Family<Counter>& requests) {
  server.SetObserver([&requests](const HttpOutcome& outcome) {
    requests
        .With({outcome.route.empty() ? "none" : std::string(outcome.route),
               std::to_string(outcome.status)})
        .Inc();
  });
}

}  // namespace candor::metrics
