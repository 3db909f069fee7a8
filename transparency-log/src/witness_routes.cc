#include "candor/log/witness_routes.h"

#include <fmt/core.h>
#include <httplib.h>

#include <string>

#include "candor/log/witness.h"
#include "candor/log/witness_protocol.h"

namespace candor {

void InstallWitnessRoutes(httplib::Server& server, Witness& witness,
                          const WitnessRoutesOptions& options) {
  // httplib answers 413 itself once Content-Length (or the chunked body)
  // exceeds this; ParseAddCheckpointRequest checks again.
  server.set_payload_max_length(kMaxAddCheckpointBodySize);
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_keep_alive_timeout(5);
  server.set_tcp_nodelay(true);  // small request/response pairs: no Nagle delays
  // cpp-httplib holds one worker per connection; its default pool is
  // max(8, cores - 1), so 8 slow or idle clients stalled the witness
  // (tests/faults/abuse_test.cc). Same pool size as candor-log's default.
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };

  const std::string path = options.prefix + "/" + std::string(kAddCheckpointPath);
  const bool access_log = options.access_log;
  server.Post(path, [&witness, access_log](const httplib::Request& req, httplib::Response& res) {
    AddCheckpointResult result = witness.AddCheckpoint(req.body);
    WitnessHttpReply reply = ToHttpReply(result);
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
    if (access_log) {
      fmt::print(stderr, "candor-witness: add-checkpoint from {} -> {} {}\n", req.remote_addr,
                 reply.status, result.status.ok() ? "cosigned" : result.status.ToString());
      std::fflush(stderr);
    }
  });
}

}  // namespace candor
