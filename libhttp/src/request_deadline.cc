// Request deadlines: libmicrohttpd's connection notifications track every
// open connection (HttpServer::Tracked, http_server.cc) with the time by
// which its current request must be in; this watchdog thread shuts down the
// ones that miss it (slow senders holding a connection).
#include <sys/socket.h>

#include <algorithm>
#include <chrono>

#include "candor/http/http_server.h"
#include "http_server_internal.h"

namespace candor {
namespace http_server_internal {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace http_server_internal

using http_server_internal::NowNs;

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
