// Test support: a hostile HTTP server on 127.0.0.1 (raw sockets), for tests
// that every HTTP client path fails cleanly, in bounded time and memory,
// against a peer that never finishes its answer.
//
// Behaviours (each accepted connection: read the request head, then):
//   kEndlessHeader  "HTTP/1.1 200 OK\r\nX-Junk: aaaa..." without end, as fast
//                   as the client reads;
//   kManyHeaders    "X-N: v\r\n" header lines without end;
//   kTrickle        valid headers at once, then the body one byte every
//                   `trickle_interval` (a steady trickle: no stall timeout
//                   fires, only an absolute deadline ends it);
//   kTrickleHeaders header lines without end, one byte every `trickle_interval`;
//   kHugeBody       "Content-Length: 2^40" and then body bytes without end;
//   kHugeChunked    a chunked body without end (no length to refuse early);
//   kSilent         accepts and reads, never answers.
//
// Usage:
//   HostileServer s(HostileServer::kTrickle);
//   auto c = HttpClient::Create(s.url(), options);  ... c->Get("checkpoint") fails
//   s.bytes_sent()  // how much the client took before giving up
//
// Thread-safety: one thread per connection inside; the accessors are atomic.
// The destructor closes every connection and joins the threads.
#ifndef CANDOR_TESTS_SUPPORT_HOSTILE_SERVER_H_
#define CANDOR_TESTS_SUPPORT_HOSTILE_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace candor::testing {

class HostileServer {
 public:
  enum Behaviour {
    kEndlessHeader,
    kManyHeaders,
    kTrickle,
    kTrickleHeaders,
    kHugeBody,
    kHugeChunked,
    kSilent
  };

  explicit HostileServer(Behaviour behaviour,
                         std::chrono::milliseconds trickle_interval = std::chrono::milliseconds(500));
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint64_t bytes_sent() const { return bytes_sent_.load(); }
  int connections() const { return connections_.load(); }

  static const char* Name(Behaviour b);

 private:
  void Serve(int fd);
  bool SendAll(int fd, const std::string& data);

  Behaviour behaviour_;
  std::chrono::milliseconds trickle_interval_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> bytes_sent_{0};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> workers_;
};

// Resident set size of this process in bytes (/proc/self/statm).
uint64_t ResidentBytes();

}  // namespace candor::testing

#endif  // CANDOR_TESTS_SUPPORT_HOSTILE_SERVER_H_
