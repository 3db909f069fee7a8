// LogMetrics: candor-log's metrics (docs/LOG.md "Metrics and health" lists
// every one) and LogHealth, the verdict of GET /healthz. LogServer owns one
// and wires it into the sequencer (on_commit), the publisher (on_publish),
// the witness cosigner (MakePolicyCosigner), the routes (refusals of POST
// /add) and the HTTP server (requests by route template and status).
//
// Every label value comes from a bounded set: route templates, Code names
// (candor/status.h), witness names of the policy, HTTP statuses; each family
// is capped besides (candor/metrics/metrics.h).
//
// Thread-safety: the Observe* methods and the registry are thread-safe;
// AddStateGauges once, before the server starts.
#ifndef CANDOR_LOG_LOG_METRICS_H_
#define CANDOR_LOG_LOG_METRICS_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "candor/log/publisher.h"
#include "candor/log/sequencer.h"
#include "candor/metrics/metrics.h"
#include "candor/status.h"

namespace candor {

// OK when the log's store is healthy (LogStore::Health: reachable, its
// synchronous standby streaming and not lagging), the log can commit
// (Sequencer::WriteHealth) and its published
// checkpoint carries a witness quorum (PublishedCheckpoint::witnessed) and,
// when max_age > 0, was published less than max_age ago. Otherwise the
// reason, one line, e.g. "stale: last cosigned checkpoint 412 s old (limit
// 30 s)" or "commit failing: group commit: io: ...".
// `store` may be null (not checked).
Status LogHealth(const Sequencer& sequencer, const Publisher& publisher,
                 std::chrono::seconds max_age, LogStore* store = nullptr);

class LogMetrics {
 public:
  LogMetrics();

  metrics::Registry& registry() { return registry_; }
  const metrics::Registry& registry() const { return registry_; }
  metrics::Family<metrics::Counter>& http_requests() { return http_requests_; }

  // The gauges read at scrape time: tree size and age of the published
  // checkpoint, and LogHealth as 1/0. REQUIRES: the pointers outlive this.
  void AddStateGauges(const Sequencer* sequencer, const Publisher* publisher,
                      std::chrono::seconds max_age, LogStore* store = nullptr);

  // SequencerOptions::on_commit.
  void ObserveCommit(size_t entries, std::chrono::nanoseconds elapsed, const Status& outcome);
  // PublisherOptions::on_publish.
  void ObservePublish(const Status& outcome);
  // One witness's part of a cosigning round: a cosignature (latency) or a failure (its Code).
  void ObserveCosign(const std::string& witness, std::chrono::nanoseconds elapsed,
                     const Status& outcome);
  // A POST /add answered with a refusal of `code`.
  void ObserveRefusal(Code code);

 private:
  metrics::Registry registry_;
  metrics::Family<metrics::Counter>& entries_;
  metrics::Family<metrics::Histogram>& commit_entries_;
  metrics::Family<metrics::Histogram>& commit_seconds_;
  metrics::Family<metrics::Counter>& commit_failures_;
  metrics::Family<metrics::Counter>& publish_failures_;
  metrics::Family<metrics::Histogram>& cosign_seconds_;
  metrics::Family<metrics::Counter>& cosign_failures_;
  metrics::Family<metrics::Counter>& refusals_;
  metrics::Family<metrics::Counter>& http_requests_;
};

}  // namespace candor

#endif  // CANDOR_LOG_LOG_METRICS_H_
