// WitnessMetrics (see witness_metrics.h).
#include "candor/witness/witness_metrics.h"

#include <string>

namespace candor {

WitnessMetrics::WitnessMetrics(const std::vector<WitnessedLog>& logs)
    : add_checkpoint_(registry_.AddCounter(
          "candor_witness_add_checkpoint_requests_total",
          "add-checkpoint requests by outcome (ok, or the refusal's Code name).", {"code"}, 32)),
      cosignatures_(registry_.AddCounter("candor_witness_cosignatures_total",
                                         "Cosignatures issued, by log origin.", {"origin"},
                                         logs.size() + 2)),
      http_requests_(registry_.AddCounter(
          "candor_witness_http_requests_total",
          "HTTP requests answered, by route template (none: no route) and status.",
          {"route", "code"}, 64)) {
  for (const WitnessedLog& log : logs) cosignatures_.With({log.origin});
}

void WitnessMetrics::ObserveAddCheckpoint(const AddCheckpointResult& result) {
  add_checkpoint_.With({result.status.ok() ? "ok" : std::string(CodeName(result.status.code()))})
      .Inc();
  if (result.status.ok() && !result.origin.empty()) cosignatures_.With({result.origin}).Inc();
}

}  // namespace candor
