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
#include "http_server_internal.h"

namespace candor {

using http_server_internal::Error;
using http_server_internal::Exchange;
using http_server_internal::NowNs;
using http_server_internal::Queue;

namespace {

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
      if (server.observer_) ex->observer = &server.observer_;
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
      {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&HttpServerInternals::OnConnection),
       this},
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

}  // namespace candor
