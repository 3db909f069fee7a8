// WitnessMetrics: candor-witness's metrics (docs/WITNESS.md "Metrics and
// health"): add-checkpoint requests by outcome Code, cosignatures issued per
// log origin (origins of logs.conf only, so bounded), HTTP requests by route
// template and status. InstallWitnessRoutes reports to it and serves it on
// GET /metrics, with GET /healthz (Witness::Health).
//
// Thread-safety: Observe* and the registry are thread-safe.
#ifndef CANDOR_WITNESS_WITNESS_METRICS_H_
#define CANDOR_WITNESS_WITNESS_METRICS_H_

#include <vector>

#include "candor/metrics/metrics.h"
#include "candor/witness/witness.h"

namespace candor {

class WitnessMetrics {
 public:
  // Every configured origin's cosignature counter exists from the start (0).
  explicit WitnessMetrics(const std::vector<WitnessedLog>& logs);

  metrics::Registry& registry() { return registry_; }
  metrics::Family<metrics::Counter>& http_requests() { return http_requests_; }
  // One add-checkpoint request's outcome.
  void ObserveAddCheckpoint(const AddCheckpointResult& result);

 private:
  metrics::Registry registry_;
  metrics::Family<metrics::Counter>& add_checkpoint_;
  metrics::Family<metrics::Counter>& cosignatures_;
  metrics::Family<metrics::Counter>& http_requests_;
};

}  // namespace candor

#endif  // CANDOR_WITNESS_WITNESS_METRICS_H_
