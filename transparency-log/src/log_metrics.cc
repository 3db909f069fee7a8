// LogMetrics and LogHealth (see log_metrics.h).
#include "candor/log/log_metrics.h"

namespace candor {
namespace {

double SecondsOf(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// Entries per group commit: powers of two up to the default max_batch.
std::vector<double> BatchBuckets() {
  std::vector<double> b;
  for (double v = 1; v <= 8192; v *= 2) b.push_back(v);
  return b;
}

int64_t AgeSeconds(const PublishedCheckpoint& pub) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                          pub.published_at)
      .count();
}

}  // namespace

Status LogHealth(const Sequencer& sequencer, const Publisher& publisher,
                 std::chrono::seconds max_age, LogStore* store) {
  if (store != nullptr) {
    if (Status st = store->Health(); !st.ok()) {
      return Status::Unavailable("store: " + st.message());
    }
  }
  if (Status st = sequencer.WriteHealth(); !st.ok()) {
    return Status::Unavailable("commit failing: " + st.ToString());
  }
  auto latest = publisher.Latest();
  if (!latest) return Status::Unavailable("no checkpoint published yet");
  const Status last = publisher.LastError();
  const std::string why = last.ok() ? "" : " (last publication: " + last.ToString() + ")";
  if (!latest->witnessed) {
    return Status::Unavailable("not witnessed: the published checkpoint (size " +
                               std::to_string(latest->size) + ") has no witness quorum yet" + why);
  }
  const int64_t age = AgeSeconds(*latest);
  if (max_age.count() > 0 && age > max_age.count()) {
    return Status::Unavailable("stale: last cosigned checkpoint " + std::to_string(age) +
                               " s old (limit " + std::to_string(max_age.count()) + " s)" + why);
  }
  return Status::Ok();
}

LogMetrics::LogMetrics()
    : entries_(registry_.AddCounter("candor_log_entries_sequenced_total",
                                    "Entries committed to the log (duplicates not counted).")),
      commit_entries_(registry_.AddHistogram("candor_log_group_commit_entries",
                                             "Entries per successful group commit.", {},
                                             BatchBuckets())),
      commit_seconds_(registry_.AddHistogram("candor_log_group_commit_seconds",
                                             "Duration of successful group commits (synced "
                                             "index write), seconds.",
                                             {}, metrics::LatencyBuckets())),
      commit_failures_(registry_.AddCounter("candor_log_commit_failures_total",
                                            "Failed group commits and tile flushes, by Code name.",
                                            {"code"}, 32)),
      publish_failures_(registry_.AddCounter(
          "candor_log_publish_failures_total",
          "Failed checkpoint publications (e.g. policy-unsatisfied: no witness quorum), by Code "
          "name.",
          {"code"}, 32)),
      cosign_seconds_(registry_.AddHistogram(
          "candor_log_witness_cosign_seconds",
          "Time to obtain a cosignature from a witness (successful requests), seconds.",
          {"witness"}, metrics::LatencyBuckets(), 64)),
      cosign_failures_(registry_.AddCounter(
          "candor_log_witness_cosign_failures_total",
          "Cosignature requests to a witness that failed, by witness and Code name.",
          {"witness", "code"}, 256)),
      refusals_(registry_.AddCounter("candor_log_add_refusals_total",
                                     "POST /add requests refused, by Code name.", {"code"}, 32)),
      http_requests_(registry_.AddCounter(
          "candor_log_http_requests_total",
          "HTTP requests answered, by route template (none: no route) and status.",
          {"route", "code"}, 128)) {}

void LogMetrics::AddStateGauges(const Sequencer* sequencer, const Publisher* publisher,
                                std::chrono::seconds max_age, LogStore* store) {
  registry_.AddGaugeFunction("candor_log_tree_size", "Tree size of the published checkpoint.",
                             [publisher] {
                               auto latest = publisher->Latest();
                               return latest ? static_cast<double>(latest->size) : 0.0;
                             });
  registry_.AddGaugeFunction("candor_log_checkpoint_age_seconds",
                             "Seconds since the published checkpoint was published (-1: none yet).",
                             [publisher] {
                               auto latest = publisher->Latest();
                               return latest ? static_cast<double>(AgeSeconds(*latest)) : -1.0;
                             });
  registry_.AddGaugeFunction("candor_log_integrator",
                             "1 while this process holds the store's integrator lease.",
                             [publisher] { return publisher->integrator() ? 1.0 : 0.0; });
  registry_.AddGaugeFunction("candor_log_healthy", "1 when GET /healthz answers 200, else 0.",
                             [sequencer, publisher, max_age, store] {
                               return LogHealth(*sequencer, *publisher, max_age, store).ok() ? 1.0
                                                                                             : 0.0;
                             });
}

void LogMetrics::ObserveCommit(size_t entries, std::chrono::nanoseconds elapsed,
                               const Status& outcome) {
  if (!outcome.ok()) {
    commit_failures_.With({std::string(CodeName(outcome.code()))}).Inc();
    return;
  }
  entries_.With({}).Inc(entries);
  commit_entries_.With({}).Observe(static_cast<double>(entries));
  commit_seconds_.With({}).Observe(SecondsOf(elapsed));
}

void LogMetrics::ObservePublish(const Status& outcome) {
  if (!outcome.ok()) publish_failures_.With({std::string(CodeName(outcome.code()))}).Inc();
}

void LogMetrics::ObserveCosign(const std::string& witness, std::chrono::nanoseconds elapsed,
                               const Status& outcome) {
  if (outcome.ok()) {
    cosign_seconds_.With({witness}).Observe(SecondsOf(elapsed));
  } else {
    cosign_failures_.With({witness, std::string(CodeName(outcome.code()))}).Inc();
  }
}

void LogMetrics::ObserveRefusal(Code code) { refusals_.With({std::string(CodeName(code))}).Inc(); }

}  // namespace candor
