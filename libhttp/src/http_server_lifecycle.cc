// HttpServer's life: bind, routes, stop (see http_server.h; Start, which
// wires the libmicrohttpd callbacks, is in http_server.cc).
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "candor/http/http_server.h"
#include "http_server_internal.h"

namespace candor {

using http_server_internal::Error;

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

}  // namespace candor
