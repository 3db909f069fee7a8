// HTTP front of the witness: c2sp.org/tlog-witness `POST <prefix>/add-checkpoint`
// on a cpp-httplib server, mapping AddCheckpointResult to the spec's status
// codes (ToHttpReply in candor/log/witness.h).
//
// Request bodies above kMaxAddCheckpointBodySize are refused with 413 before
// they are read in full. Each request is logged as one line on stderr.
//
// Thread-safety: the handlers call Witness::AddCheckpoint, which is
// thread-safe; `witness` must outlive the server.
#ifndef CANDOR_LOG_WITNESS_ROUTES_H_
#define CANDOR_LOG_WITNESS_ROUTES_H_

#include <string>

namespace httplib {
class Server;
}  // namespace httplib

namespace candor {

class Witness;

struct WitnessRoutesOptions {
  // The submission prefix, "" or "/something" (no trailing slash).
  std::string prefix;
  // Log one line per request to stderr.
  bool access_log = true;
};

// Installs the add-checkpoint route, the payload limit and read/write timeouts
// on `server`. REQUIRES: `witness` outlives `server`.
void InstallWitnessRoutes(httplib::Server& server, Witness& witness,
                          const WitnessRoutesOptions& options = {});

}  // namespace candor

#endif  // CANDOR_LOG_WITNESS_ROUTES_H_
