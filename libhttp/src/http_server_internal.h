// Private to candor_http: the types and helpers HttpServer's files share
// (http_server.cc: the libmicrohttpd callbacks and Start;
// http_server_lifecycle.cc: bind, routes and stop; server_response.cc:
// building and queueing answers; request_deadline.cc: the watchdog that
// enforces request deadlines). See candor/http/http_server.h.
//
// Thread-safety: as HttpServer's; each declaration says what guards it.
#ifndef CANDOR_HTTP_SRC_HTTP_SERVER_INTERNAL_H_
#define CANDOR_HTTP_SRC_HTTP_SERVER_INTERNAL_H_

#include <microhttpd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "candor/http/http_server.h"

namespace candor {

struct HttpServer::Route {
  std::string method;
  std::string path;
  HttpMatch match;
  HttpHandler handler;  // exactly one of the two is set
  HttpAsyncHandler async;
  bool Matches(std::string_view p) const {
    return match == HttpMatch::kExact ? p == path : p.substr(0, path.size()) == path;
  }
};

// One open connection, for the request-deadline watchdog.
struct HttpServer::Tracked {
  int fd = -1;
  // steady_clock nanoseconds by which the current request must be in; 0
  // while a request is being handled (or its answer sent).
  std::atomic<int64_t> deadline_ns{0};
  bool shut = false;  // guarded by HttpServer::tracked_mu_
};

struct HttpReply::State {
  HttpServer* server = nullptr;
  MHD_Connection* connection = nullptr;
  std::mutex mu;
  bool parked = false;  // suspended, waiting for Send
  bool sent = false;
  std::optional<ServerResponse> response;
};

namespace http_server_internal {

// Per request (libmicrohttpd's *req_cls).
struct Exchange {
  ServerRequest request;
  const HttpServer::Route* route = nullptr;
  const HttpObserver* observer = nullptr;  // the server's, when set
  std::optional<ServerResponse> refusal;   // decided before the body was read
  bool queued = false;
  bool too_large = false;  // a chunked body grew past max_body: discarded, then 413
  uint64_t discarded = 0;
  bool parked = false;  // was suspended once (counted in HttpServer::unfinished_)
  std::shared_ptr<HttpReply::State> async;
};

// The server's own refusals (no route, method, body size, shutting down):
// `code` is stated by name; `http_status` overrides HttpStatusFor(code) where
// HTTP has a more precise status (405).
ServerResponse Error(Code code, std::string text, int http_status = 0);

// Queues `r` as the answer to `ex` (sets ex.queued) and reports it to
// ex.observer: the one place every answer passes. MHD_NO (close the
// connection) when libmicrohttpd cannot make the response.
MHD_Result Queue(MHD_Connection* connection, Exchange& ex, const ServerResponse& r);

// steady_clock now, in nanoseconds (request deadlines).
int64_t NowNs();

}  // namespace http_server_internal

}  // namespace candor

#endif  // CANDOR_HTTP_SRC_HTTP_SERVER_INTERNAL_H_
