// HttpServer on libmicrohttpd (see http_server.h).
//
// libmicrohttpd calls the access handler several times per request: once when
// the headers are in (*req_cls == nullptr), once per chunk of body, and once
// with *upload_data_size == 0 when the request is complete. A request parked
// with MHD_suspend_connection gets one more such final call after
// MHD_resume_connection; that is when its answer is queued.
#include "candor/http/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "candor/bytes.h"

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

namespace {

// Per request (libmicrohttpd's *req_cls).
struct Exchange {
  ServerRequest request;
  const HttpServer::Route* route = nullptr;
  std::optional<ServerResponse> refusal;  // decided before the body was read
  bool queued = false;
  bool too_large = false;  // a chunked body grew past max_body: discarded, then 413
  uint64_t discarded = 0;
  bool parked = false;  // was suspended once (counted in HttpServer::unfinished_)
  std::shared_ptr<HttpReply::State> async;
};

// The server's own refusals (no route, method, body size, shutting down):
// `code` is stated by name; `http_status` overrides HttpStatusFor(code) where
// HTTP has a more precise status (405).
ServerResponse Error(Code code, std::string text, int http_status = 0) {
  ServerResponse r;
  r.SetError(Status(code, std::move(text)));
  if (http_status != 0) r.status = http_status;
  return r;
}

MHD_Result Queue(MHD_Connection* connection, Exchange& ex, const ServerResponse& r) {
  MHD_Response* response =
      r.file_fd >= 0 ? MHD_create_response_from_fd64(r.file_size, r.file_fd)
      : r.static_body.empty()
          ? MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()),
                                            MHD_RESPMEM_MUST_COPY)
          : MHD_create_response_from_buffer(r.static_body.size(),
                                            const_cast<char*>(r.static_body.data()),
                                            MHD_RESPMEM_PERSISTENT);
  if (response == nullptr) {  // out of memory: close the connection
    if (r.file_fd >= 0) ::close(r.file_fd);
    return MHD_NO;
  }
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
  for (const auto& [name, value] : r.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  MHD_Result ok = MHD_queue_response(connection, static_cast<unsigned>(r.status), response);
  MHD_destroy_response(response);
  ex.queued = true;
  return ok;
}

MHD_Result CollectQuery(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* query = static_cast<std::vector<std::pair<std::string, std::string>>*>(cls);
  query->emplace_back(key ? key : "", value ? value : "");
  return MHD_YES;
}

std::string RemoteAddress(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN] = {};
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof(text));
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof(text));
  }
  return text;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Quiet(void*, const char*, va_list) {}  // libmicrohttpd's own diagnostics: not logged

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of the path and query values, in place. "%00" and
// malformed escapes stay as they are (literally "%00"), so a NUL can never
// cut a path short ("/explorer/app.js%00.png" must not become
// "/explorer/app.js"): such a path matches no file and is answered 404.
size_t StrictUnescape(void*, MHD_Connection*, char* s) {
  char* out = s;
  for (const char* in = s; *in != '\0';) {
    if (in[0] == '%' && in[1] != '\0' && in[2] != '\0') {
      int hi = HexValue(in[1]), lo = HexValue(in[2]);
      if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
        *out++ = static_cast<char>(hi * 16 + lo);
        in += 3;
        continue;
      }
    }
    *out++ = *in++;
  }
  *out = '\0';
  return static_cast<size_t>(out - s);
}

}  // namespace

struct HttpServerInternals {
  static HttpServer::Tracked* TrackedOf(MHD_Connection* connection) {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == nullptr ? nullptr : static_cast<HttpServer::Tracked*>(info->socket_context);
  }
  // The connection's request is in (or answered): no deadline until the
  // next request may start.
  static void RequestIn(MHD_Connection* connection) {
    if (auto* t = TrackedOf(connection)) t->deadline_ns.store(0);
  }
  // The connection is ready for a (next) request: its deadline starts now.
  static void AwaitRequest(const HttpServer& server, HttpServer::Tracked& t) {
    auto d = server.options_.request_deadline;
    t.deadline_ns.store(d.count() > 0 ? NowNs() + std::chrono::nanoseconds(d).count() : 0);
  }

  static void OnConnection(void* cls, MHD_Connection* connection, void** socket_context,
                           MHD_ConnectionNotificationCode toe) {
    auto& server = *static_cast<HttpServer*>(cls);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* t = new HttpServer::Tracked();
      const MHD_ConnectionInfo* info =
          MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      t->fd = info == nullptr ? -1 : info->connect_fd;
      AwaitRequest(server, *t);
      *socket_context = t;
      std::lock_guard<std::mutex> lock(server.tracked_mu_);
      server.tracked_.insert(t);
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
      // Called before libmicrohttpd closes the socket: once erased under the
      // lock, the watchdog can no longer shut down a reused descriptor.
      auto* t = static_cast<HttpServer::Tracked*>(*socket_context);
      if (t == nullptr) return;
      {
        std::lock_guard<std::mutex> lock(server.tracked_mu_);
        server.tracked_.erase(t);
      }
      delete t;
      *socket_context = nullptr;
    }
  }

  // Route lookup when the headers are in. Sets ex.route, or ex.refusal to 404
  // (no route for the path) or 405 (routes of other methods only).
  static void Route(HttpServer& server, Exchange& ex) {
    const std::string method = ex.request.method == "HEAD" ? "GET" : ex.request.method;
    std::string allow;
    for (const auto& route : server.routes_) {
      if (!route->Matches(ex.request.path)) continue;
      if (route->method == method) {
        ex.route = route.get();
        return;
      }
      if (allow.find(route->method) == std::string::npos) {
        allow += allow.empty() ? route->method : ", " + route->method;
      }
    }
    if (allow.empty()) {
      ex.refusal = Error(Code::kNotFound, "not found\n");
    } else {
      ex.refusal = Error(Code::kInvalidArgument, "method not allowed\n", 405);
      ex.refusal->SetHeader("Allow", allow);
    }
  }

  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                              const char* method, const char*, const char* upload_data,
                              size_t* upload_data_size, void** req_cls) {
    auto& server = *static_cast<HttpServer*>(cls);
    auto* ex = static_cast<Exchange*>(*req_cls);
    if (ex == nullptr) {  // headers are in
      ex = new Exchange();
      *req_cls = ex;
      ex->request.method = method;
      ex->request.path = url;
      MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQuery,
                                &ex->request.query);
      ex->request.remote_addr = RemoteAddress(connection);
      Route(server, *ex);
      if (!ex->refusal) {
        const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length != nullptr) {
          auto n = ParseDecimalU64(length);
          // Refuse before reading the body (libmicrohttpd already refused a
          // malformed Content-Length with 400).
          if (n.ok() && *n > server.options_.max_body) {
            ex->refusal = Error(Code::kTooLarge, "request body too large\n");
          }
        }
      }
      if (ex->refusal) {
        RequestIn(connection);
        return Queue(connection, *ex, *ex->refusal);
      }
      return MHD_YES;
    }
    if (ex->queued) {  // answered early; drop whatever body still arrives
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (*upload_data_size > 0) {
      // Only a chunked body can grow past the limit here (a larger
      // Content-Length was refused above). Discard the rest and answer 413 at
      // its end, unless it goes on and on: then just close.
      if (ex->too_large || ex->request.body.size() + *upload_data_size > server.options_.max_body) {
        if (!ex->too_large) {
          ex->too_large = true;
          ex->request.body = std::string();
        }
        ex->discarded += *upload_data_size;
        *upload_data_size = 0;
        return ex->discarded > 4 * server.options_.max_body + (1 << 20) ? MHD_NO : MHD_YES;
      }
      ex->request.body.append(upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
    // The request is complete (or a parked request was resumed).
    RequestIn(connection);
    if (ex->too_large) {
      return Queue(connection, *ex, Error(Code::kTooLarge, "request body too large\n"));
    }
    if (ex->async) {
      std::lock_guard<std::mutex> lock(ex->async->mu);
      if (!ex->async->response) return MHD_NO;  // cannot happen: resumed only after Send
      return Queue(connection, *ex, *ex->async->response);
    }
    if (ex->route->handler) {
      ServerResponse response;
      ex->route->handler(ex->request, response);
      return Queue(connection, *ex, response);
    }
    ex->async = std::make_shared<HttpReply::State>();
    ex->async->server = &server;
    ex->async->connection = connection;
    ex->route->async(ex->request, HttpReply(ex->async));
    std::unique_lock<std::mutex> lock(ex->async->mu);
    if (ex->async->response) {  // answered already (refusal, or a fast worker)
      ServerResponse response = *ex->async->response;
      lock.unlock();
      return Queue(connection, *ex, response);
    }
    {
      std::lock_guard<std::mutex> server_lock(server.mu_);
      if (server.stopping_) {
        ex->async->sent = true;
        lock.unlock();
        return Queue(connection, *ex, Error(Code::kUnavailable, "server is shutting down\n"));
      }
      server.parked_.emplace(ex->async.get(), ex->async);
      ++server.unfinished_;
      ex->parked = true;
    }
    // Park while holding the state's lock, so that Send (which takes it
    // first) can only resume a connection that is already suspended.
    ex->async->parked = true;
    MHD_suspend_connection(connection);
    return MHD_YES;
  }

  static void OnCompleted(void* cls, MHD_Connection* connection, void** req_cls,
                          MHD_RequestTerminationCode) {
    // The answer is done: on a kept-alive connection the next request's
    // deadline starts now.
    if (auto* t = TrackedOf(connection)) AwaitRequest(*static_cast<HttpServer*>(cls), *t);
    auto* ex = static_cast<Exchange*>(*req_cls);
    if (ex != nullptr && ex->parked) {
      auto& server = *static_cast<HttpServer*>(cls);
      std::lock_guard<std::mutex> lock(server.mu_);
      --server.unfinished_;
    }
    delete ex;
    *req_cls = nullptr;
  }
};

void ServerResponse::SetError(const Status& error) {
  SetText(HttpStatusFor(error.code()), error.message());
  if (body.empty() || body.back() != '\n') body += '\n';
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& h) { return h.first == "Candor-Error"; }),
                headers.end());
  SetHeader("Candor-Error", std::string(CodeName(error.code())));
  SetHeader("Cache-Control", "no-store");
}

const std::string* ServerRequest::Param(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return &v;
  }
  return nullptr;
}

size_t ServerRequest::ParamCount(std::string_view key) const {
  return static_cast<size_t>(
      std::count_if(query.begin(), query.end(), [&](const auto& kv) { return kv.first == key; }));
}

void HttpReply::Send(ServerResponse response) const {
  State& s = *state_;
  bool resume = false;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.sent) return;
    s.sent = true;
    s.response = std::move(response);
    resume = s.parked;
    s.parked = false;
  }
  if (!resume) return;  // the handler is still running: it queues the answer itself
  HttpServer& server = *s.server;
  std::lock_guard<std::mutex> lock(server.mu_);
  server.parked_.erase(&s);
  if (!server.daemon_stopping_) MHD_resume_connection(s.connection);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(const HttpServerOptions& options) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->options_ = options;
  if (options.port < 0 || options.port > 65535) return Status::InvalidArgument("bad port");
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port_text = std::to_string(options.port);
  if (getaddrinfo(options.host.c_str(), port_text.c_str(), &hints, &found) != 0 || !found) {
    return Status::InvalidArgument("listen address must be a numeric IP address: " + options.host);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::Io("socket: " + std::string(std::strerror(errno)));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 ||
      ::listen(fd, options.listen_backlog) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Io("cannot listen on " + options.host + ":" + port_text + ": " +
                      std::strerror(err));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  server->port_ =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  server->listen_fd_ = fd;
  return server;
}

HttpServer::~HttpServer() {
  Stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void HttpServer::Handle(std::string method, std::string path, HttpMatch match,
                        HttpHandler handler) {
  routes_.push_back(std::make_unique<Route>(
      Route{std::move(method), std::move(path), match, std::move(handler), {}}));
}

void HttpServer::HandleAsync(std::string method, std::string path, HttpMatch match,
                             HttpAsyncHandler handler) {
  routes_.push_back(std::make_unique<Route>(
      Route{std::move(method), std::move(path), match, {}, std::move(handler)}));
}

Status HttpServer::Start() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (stopped_) return Status::Unavailable("the HTTP server was stopped");
  if (daemon_ != nullptr) return Status::Ok();
  // poll(), not epoll: with libmicrohttpd 0.9.75 (Debian 12), epoll thread
  // pools under CPU load now and then left every connection of one loop that
  // had just been resumed unserved until the idle timeout (30 s), then closed
  // them: 3 of 50 runs of `log_bench append` with 512 connections and two
  // busy-loop processes; with poll(), 0 of 65. poll() costs O(connections)
  // per wake-up, which at thousands of connections per loop is still small
  // next to an Ed25519 verification per request.
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME;
  std::vector<MHD_OptionItem> opts = {
      {MHD_OPTION_LISTEN_SOCKET, listen_fd_, nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(options_.header_memory), nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(options_.max_connections), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(options_.idle_timeout_seconds),
       nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&HttpServerInternals::OnCompleted),
       this},
      {MHD_OPTION_NOTIFY_CONNECTION,
       reinterpret_cast<intptr_t>(&HttpServerInternals::OnConnection), this},
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&Quiet), nullptr},
      {MHD_OPTION_UNESCAPE_CALLBACK, reinterpret_cast<intptr_t>(&StrictUnescape), nullptr},
  };
  if (options_.max_connections_per_ip > 0) {
    opts.push_back({MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                    static_cast<intptr_t>(options_.max_connections_per_ip), nullptr});
  }
  if (options_.threads > 1) {
    opts.push_back({MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(options_.threads), nullptr});
  }
  opts.push_back({MHD_OPTION_END, 0, nullptr});
  daemon_ = MHD_start_daemon(flags, 0, nullptr, nullptr, &HttpServerInternals::OnRequest, this,
                             MHD_OPTION_ARRAY, opts.data(), MHD_OPTION_END);
  if (daemon_ == nullptr) return Status::Io("cannot start the HTTP server");
  if (options_.request_deadline.count() > 0) watchdog_ = std::thread([this] { Watchdog(); });
  return Status::Ok();
}

void HttpServer::StopAccepting() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  StopAcceptingLocked();
}

void HttpServer::StopAcceptingLocked() {
  if (daemon_ == nullptr || quiesced_) return;
  quiesced_ = true;
  // From now on the listening socket is ours again; closing it refuses new
  // connections at once.
  MHD_socket fd = MHD_quiesce_daemon(daemon_);
  if (fd != MHD_INVALID_SOCKET) ::close(fd);
  listen_fd_ = -1;  // closed here, or (if quiescing failed) by MHD_stop_daemon
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  stopped_ = true;  // a Start() racing with this one (Serve on another thread) fails
  if (daemon_ == nullptr) return;
  StopAcceptingLocked();
  std::vector<std::shared_ptr<HttpReply::State>> parked;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (const auto& [raw, state] : parked_) parked.push_back(state);
  }
  // libmicrohttpd must not be stopped with suspended connections: answer them
  // (a Send racing with this one wins or loses cleanly under the state's lock).
  for (auto& state : parked) HttpReply(state).Send(Error(Code::kUnavailable, "server is shutting down\n"));
  parked.clear();
  // A Send that won that race resumes its connection (under mu_) a moment
  // later: wait for it, so that no connection is suspended when the loops
  // stop. Then give the resumed requests a moment to go out (their clients
  // get their answer rather than a reset), but not forever.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (parked_.empty() && (unfinished_ == 0 || std::chrono::steady_clock::now() > give_up)) {
        daemon_stopping_ = true;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  {
    std::lock_guard<std::mutex> lock(tracked_mu_);
    watchdog_stop_ = true;
  }
  watchdog_cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

void HttpServer::Watchdog() {
  // Checks a few times per deadline (at most once a second, at least every
  // 10 ms), so a connection is shut down at most ~1.25 deadlines after its
  // request became due.
  const auto period = std::clamp<std::chrono::milliseconds>(
      options_.request_deadline / 4, std::chrono::milliseconds(10), std::chrono::seconds(1));
  std::unique_lock<std::mutex> lock(tracked_mu_);
  while (!watchdog_cv_.wait_for(lock, period, [this] { return watchdog_stop_; })) {
    const int64_t now = NowNs();
    for (Tracked* t : tracked_) {
      const int64_t due = t->deadline_ns.load();
      if (due == 0 || now < due || t->shut || t->fd < 0) continue;
      // libmicrohttpd sees the end of the stream and closes the connection
      // on its own loop (the descriptor stays valid until it is untracked).
      ::shutdown(t->fd, SHUT_RDWR);
      t->shut = true;
      ++deadline_closes_;
    }
  }
}

uint64_t HttpServer::DeadlineCloses() {
  std::lock_guard<std::mutex> lock(tracked_mu_);
  return deadline_closes_;
}

}  // namespace candor
