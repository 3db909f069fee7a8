// HttpServer: the HTTP/1.1 front of candor-log and candor-witness, on GNU
// libmicrohttpd (Debian libmicrohttpd-dev). Routes are plain functions; a
// route may also answer later, from another thread (HandleAsync), which is how
// `POST /add` waits for its group commit without holding a thread.
//
// Why libmicrohttpd and not cpp-httplib (which the tests' fake servers use): cpp-httplib
// 0.11 gives every keep-alive connection its own thread and puts no limit on
// the number of header lines, so a slow or hostile client costs a thread and
// unbounded memory, and a 200 that waits for an fsync costs four context
// switches. libmicrohttpd runs a few poll() event loops (one per core), parses
// each request inside a fixed per-connection memory pool (request line +
// headers beyond `header_memory` are answered 431 and the connection closed),
// limits connections in total and per IP, times out idle connections, and can
// park a connection (suspend/resume) until its answer is ready.
//
// Slow clients: a request (line, headers and body) must arrive in full within
// `request_deadline` of the connection being ready for it (accepted, or the
// previous answer done): a client sending a header line every few seconds,
// which the idle timeout alone never closes, is disconnected then. A watchdog
// thread shuts such connections down. Each client IP may hold at most
// `max_connections_per_ip` connections (libmicrohttpd refuses more).
//
// Request bodies: a Content-Length above `max_body` is refused with 413 before
// a byte of the body is read; a chunked body is counted as it arrives, and
// beyond `max_body` discarded and answered 413 (or the connection closed if it
// goes on past 4 x max_body + 1 MiB). Memory per connection is therefore bounded by
// header_memory + max_body.
//
// Thread-safety: register routes before Start(). Handlers run on the event-loop
// threads and must not block for long (no fsync, no waiting): use HandleAsync
// and answer from the thread that finishes the work. HttpReply::Send may be
// called from any thread, once (later calls are ignored). Stop() answers every
// parked request with 503, then stops the loops; it is idempotent.
#ifndef CANDOR_HTTP_HTTP_SERVER_H_
#define CANDOR_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "candor/status.h"

struct MHD_Daemon;

namespace candor {

struct ServerRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // URL path, percent-decoded, without the query string
  // Query parameters in order of appearance (percent-decoded); a key may repeat.
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;
  std::string remote_addr;  // "127.0.0.1" (no port)

  // The first value of `key`, or nullptr.
  const std::string* Param(std::string_view key) const;
  size_t ParamCount(std::string_view key) const;
};

// Files up to this size are sent from memory, headers and body in one write
// (one TCP segment on loopback, one wake-up of the client): libmicrohttpd
// sends a file response's headers on their own (TCP_NODELAY) before its
// sendfile, and for a small file (a hash tile is 8 KiB) that second segment,
// and the client's second read for it, cost more than copying the bytes.
// Memory: at most this much per connection with an answer in flight.
inline constexpr uint64_t kInlineFileMax = 16 * 1024;

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Bytes with static lifetime (embedded assets) sent instead of `body` when
  // non-empty, without a copy.
  std::string_view static_body;
  // An open regular file sent instead of `body` when >= 0; the server closes
  // it. Up to kInlineFileMax bytes it is read at once and written together
  // with the headers; larger files go out with sendfile. REQUIRES: file_size
  // is its size (a file found shorter when read closes the connection).
  int file_fd = -1;
  uint64_t file_size = 0;

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  // status + a text/plain body.
  void SetText(int code, std::string text) {
    status = code;
    content_type = "text/plain; charset=utf-8";
    body = std::move(text);
  }
  // An error answer: HttpStatusFor(error.code()), the message as a text/plain
  // body (a newline added if missing), "Candor-Error: <CodeName>" (the Code by
  // name, which HttpResponse::CandorError reads back: docs/LOG.md) and
  // Cache-Control: no-store. REQUIRES: !error.ok().
  void SetError(const Status& error);
};

// The way to answer a request handled by an async route. Copyable; every copy
// refers to the same request. Lifetime: may outlive the request and the server
// (Send then does nothing).
class HttpReply {
 public:
  struct State;
  explicit HttpReply(std::shared_ptr<State> state) : state_(std::move(state)) {}
  // Sends `response` (first call only). Any thread.
  void Send(ServerResponse response) const;

 private:
  std::shared_ptr<State> state_;
};

using HttpHandler = std::function<void(const ServerRequest&, ServerResponse&)>;
// Must eventually call reply.Send (else the client waits until Stop()).
using HttpAsyncHandler = std::function<void(const ServerRequest&, HttpReply reply)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";    // numeric IPv4 or IPv6 address
  int port = 0;                      // 0: a free port (see HttpServer::port())
  unsigned threads = 2;              // event loops (poll); each serves many connections
  size_t max_body = 64 * 1024;       // larger bodies: 413
  size_t header_memory = 32 * 1024;  // per connection: request line + headers
  unsigned max_connections = 4096;
  // 0: no per-IP limit (e.g. behind a reverse proxy, where all is one IP).
  unsigned max_connections_per_ip = 256;
  unsigned idle_timeout_seconds = 30;  // a connection idle (or stalled) this long is closed
  // A request must be received in full (line, headers, body) this long after
  // the connection became ready for it; 0: no deadline (idle timeout only).
  std::chrono::milliseconds request_deadline{30000};
  int listen_backlog = 4096;
};

enum class HttpMatch { kExact, kPrefix };

// What the server answered one request with, for metrics (SetObserver).
struct HttpOutcome {
  // The matched route's registered path: a template from the fixed set the
  // program registered ("/tile/" for every tile), never the request's own
  // path, so a client cannot invent new values. Empty when no route of the
  // request's method matched (404, 405).
  std::string_view route;
  int status = 0;
};
// Called once per answer queued (any event-loop thread); must be quick and
// thread-safe.
using HttpObserver = std::function<void(const HttpOutcome&)>;

class HttpServer {
 public:
  // Binds and listens on host:port (so port() is known before Start()).
  static Result<std::unique_ptr<HttpServer>> Bind(const HttpServerOptions& options);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes, tried in registration order. A path that matches no route is 404;
  // a path that matches only routes of other methods is 405 with Allow.
  // HEAD is answered by GET routes.
  void Handle(std::string method, std::string path, HttpMatch match, HttpHandler handler);
  void HandleAsync(std::string method, std::string path, HttpMatch match, HttpAsyncHandler handler);

  // Every answer is reported to `observer` (metrics). Before Start().
  void SetObserver(HttpObserver observer) { observer_ = std::move(observer); }

  // Starts the event loops (returns at once). kUnavailable after Stop().
  Status Start();
  // Stops accepting connections; requests in flight may still be answered.
  void StopAccepting();
  // Answers parked requests with 503, closes every connection, joins the loops.
  void Stop();

  int port() const { return port_; }
  // Connections shut down so far for missing their request deadline.
  uint64_t DeadlineCloses();

  struct Route;

 private:
  HttpServer() = default;
  friend class HttpReply;
  friend struct HttpServerInternals;  // the libmicrohttpd callbacks (http_server.cc)

  void StopAcceptingLocked();  // REQUIRES: lifecycle_mu_ held

  HttpServerOptions options_;
  // Start/StopAccepting/Stop may race (Serve() on one thread, Stop() on
  // another): they hold this. Never taken by request handling.
  std::mutex lifecycle_mu_;
  bool stopped_ = false;
  int listen_fd_ = -1;
  int port_ = 0;
  MHD_Daemon* daemon_ = nullptr;
  std::vector<std::unique_ptr<Route>> routes_;
  HttpObserver observer_;  // set before Start(), then read-only
  std::mutex mu_;          // guards the three below; held while resuming a connection
  // Requests suspended until HttpReply::Send.
  std::map<HttpReply::State*, std::shared_ptr<HttpReply::State>> parked_;
  bool stopping_ = false;         // Stop() began: park nothing more
  bool daemon_stopping_ = false;  // the loops are going away: resume nothing
  size_t unfinished_ = 0;         // requests parked once and not yet completed
  bool quiesced_ = false;

  // Request deadlines (see the header comment): one Tracked per open
  // connection, registered by libmicrohttpd's connection notifications.
  struct Tracked;
  void Watchdog();
  std::mutex tracked_mu_;  // guards the four below
  std::set<Tracked*> tracked_;
  std::condition_variable watchdog_cv_;
  bool watchdog_stop_ = false;
  uint64_t deadline_closes_ = 0;
  std::thread watchdog_;
};

}  // namespace candor

#endif  // CANDOR_HTTP_HTTP_SERVER_H_
