// http_load: a small wrk-like HTTP/1.1 load generator for the benchmarks. One
// thread drives `connections` keep-alive connections through epoll, each with
// one request in flight, so the load generator costs a few µs of CPU per
// request instead of a thread (and its context switches) per client: on a
// 2-core machine it must leave the cores to the server being measured.
//
// Requests are pre-formatted by the caller (full "METHOD path HTTP/1.1 ..."
// bytes). A connection that fails or is closed by the server is reopened and
// its request sent again (safe for POST /add: an identical entry gets its
// index back). Responses are parsed just enough: status line, Content-Length.
//
// Thread-safety: RunHttpLoad is self-contained; call it from one thread.
#ifndef CANDOR_BENCH_HTTP_LOAD_H_
#define CANDOR_BENCH_HTTP_LOAD_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace candor::bench {

struct HttpLoadResult {
  size_t ok = 0;                   // 2xx answers
  size_t refused = 0;              // other statuses
  size_t reconnects = 0;           // connections reopened (request retried)
  std::vector<double> latency_ms;  // per 2xx answer, send to last byte
  double seconds = 0;
  std::string first_refusal;  // status line + body of the first non-2xx
};

namespace detail {

inline int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 &&
      errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Length of a complete response at the start of `in` (0 if incomplete);
// sets status. Handles Content-Length bodies only (what candor-log sends).
inline size_t CompleteResponse(const std::string& in, int& status) {
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos || in.size() < 12) return 0;
  status = std::atoi(in.c_str() + 9);
  size_t length = 0;
  for (size_t pos = in.find("\r\n"); pos < end; pos = in.find("\r\n", pos + 2)) {
    if (in.size() > pos + 17 && strncasecmp(in.c_str() + pos + 2, "content-length:", 15) == 0) {
      length = std::strtoul(in.c_str() + pos + 17, nullptr, 10);
    }
  }
  return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

}  // namespace detail

// Sends every request in `requests` once (each answered), over `connections`
// connections to 127.0.0.1:port.
inline HttpLoadResult RunHttpLoad(int port, const std::vector<std::string>& requests,
                                  size_t connections) {
  using Clock = std::chrono::steady_clock;
  struct Conn {
    int fd = -1;
    size_t request = 0;  // index into requests
    size_t sent = 0;
    bool busy = false;
    std::string in;
    Clock::time_point started;
  };
  HttpLoadResult result;
  result.latency_ms.reserve(requests.size());
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Conn> conns(std::min(connections, requests.size()));
  size_t next = 0, answered = 0;
  auto open = [&](size_t i) {
    Conn& c = conns[i];
    if (c.fd >= 0) ::close(c.fd);
    c.fd = detail::ConnectLoopback(port);
    c.sent = 0;
    c.in.clear();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;  // edge-triggered: idle sockets stay quiet
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  };
  auto start_next = [&](size_t i) {
    Conn& c = conns[i];
    c.busy = next < requests.size();
    if (!c.busy) return;
    c.request = next++;
    c.sent = 0;
    c.started = Clock::now();
  };
  auto flush = [&](size_t i) {
    Conn& c = conns[i];
    const std::string& req = requests[c.request];
    while (c.busy && c.sent < req.size()) {
      ssize_t n = ::send(c.fd, req.data() + c.sent, req.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EAGAIN) return true;
      if (n <= 0) return false;
      c.sent += static_cast<size_t>(n);
    }
    return true;
  };
  auto t0 = Clock::now();
  for (size_t i = 0; i < conns.size(); ++i) {
    open(i);
    start_next(i);
  }
  std::vector<epoll_event> events(256);
  char buf[16384];
  while (answered < requests.size()) {
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
    for (int k = 0; k < n; ++k) {
      size_t i = events[static_cast<size_t>(k)].data.u64;
      Conn& c = conns[i];
      bool alive = true;
      if (events[static_cast<size_t>(k)].events & EPOLLOUT) alive = flush(i);
      while (alive && (events[static_cast<size_t>(k)].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        ssize_t r = ::recv(c.fd, buf, sizeof(buf), 0);
        if (r < 0 && errno == EAGAIN) break;
        if (r <= 0) {
          alive = false;
          break;
        }
        c.in.append(buf, static_cast<size_t>(r));
        int status = 0;
        size_t len = 0;
        while (c.busy && (len = detail::CompleteResponse(c.in, status)) > 0) {
          if (status >= 200 && status < 300) {
            ++result.ok;
            result.latency_ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - c.started).count());
          } else {
            if (result.refused++ == 0) result.first_refusal = c.in.substr(0, len);
          }
          ++answered;
          c.in.erase(0, len);
          start_next(i);
          alive = flush(i);
        }
      }
      if (!alive && (c.busy || answered < requests.size())) {
        // Closed or failed: reopen and send the same request again.
        ++result.reconnects;
        bool was_busy = c.busy;
        open(i);
        if (was_busy) c.sent = 0;
      }
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (Conn& c : conns) {
    if (c.fd >= 0) ::close(c.fd);
  }
  ::close(ep);
  return result;
}

}  // namespace candor::bench

#endif  // CANDOR_BENCH_HTTP_LOAD_H_
