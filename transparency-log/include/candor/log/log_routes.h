// HTTP routes of candor-log (docs/LOG.md "Accepting entries", "Proofs"):
//   GET  /checkpoint, /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]
//        (c2sp.org/tlog-tiles; paths parsed strictly by layout.h, so nothing
//        but tiles and the checkpoint is ever served: no traversal)
//   POST /add                      admission + sequencing (admission.h, sequencer.h);
//                                  409 conflict in a frozen shard (shard.h)
//   GET  /candor/v1/proof?index=N|leaf=HEX[&wait=S]   tlog-proof@v1 from tiles
//   GET  /candor/v1/consistency?from=M&to=N           RFC 9162 proof from tiles
// Every refusal is a 4xx/5xx with a one-line text/plain reason.
//
// Thread-safety: handlers run on the server's event loops (http_server.h);
// POST /add is answered from the sequencer thread and a long-poll from the
// proof waiters' thread. Every object in the context is thread-safe.
#ifndef CANDOR_LOG_LOG_ROUTES_H_
#define CANDOR_LOG_LOG_ROUTES_H_

#include <chrono>
#include <string>

#include "candor/http/http_server.h"
#include "candor/log/admission.h"
#include "candor/log/index.h"
#include "candor/log/log_metrics.h"
#include "candor/log/proof_waiters.h"
#include "candor/log/publisher.h"
#include "candor/log/sequencer.h"
#include "candor/log/shard.h"
#include "candor/log/log_store.h"

namespace candor {

struct LogRoutesContext {
  LogStore* store = nullptr;    // tiles, the index (proofs by leaf hash)
  std::string served_dir;       // store->ServedDirectory(): tiles sent with sendfile()
  std::string real_dir;         // realpath of served_dir, computed once; "" for none
  Sequencer* sequencer = nullptr;
  Publisher* publisher = nullptr;
  ProofWaiters* waiters = nullptr;   // long-polls of /candor/v1/proof?wait=
  VendorRegistry* vendors = nullptr;
  RateLimiter* limiter = nullptr;          // per vendor key (admission.h)
  RateLimiter* refusal_limiter = nullptr;  // refused POST /add per client address
  AdmissionOptions admission;
  std::chrono::seconds max_wait{60};
  LogMetrics* metrics = nullptr;  // refusals of POST /add are counted here when set
  // Set for a frozen shard (shard.h): POST /add is refused with kConflict.
  const FrozenShard* frozen = nullptr;
};

// Registers the routes. REQUIRES: ctx and its members outlive the server.
void RegisterLogRoutes(HttpServer& server, const LogRoutesContext* ctx);

// Cache-Control for a served tile or bundle path (full: immutable; partial:
// short-lived), and for the checkpoint.
inline constexpr const char* kImmutableCacheControl = "public, max-age=31536000, immutable";
inline constexpr const char* kPartialCacheControl = "public, max-age=60";
inline constexpr const char* kCheckpointCacheControl = "no-cache, max-age=1";

}  // namespace candor

#endif  // CANDOR_LOG_LOG_ROUTES_H_
