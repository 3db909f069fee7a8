// HostileServer (see hostile_server.h).
#include "support/hostile_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace candor::testing {

HostileServer::HostileServer(Behaviour behaviour, std::chrono::milliseconds trickle_interval)
    : behaviour_(behaviour), trickle_interval_(trickle_interval) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("bind/listen");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] {
    while (!stopping_.load()) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{0, 100 * 1000};  // lets a blocked send notice stopping_
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      fds_.push_back(fd);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  });
}

HostileServer::~HostileServer() {
  stopping_.store(true);
  acceptor_.join();
  ::close(listen_fd_);
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  for (auto& t : workers_) t.join();
  for (int fd : fds_) ::close(fd);
}

const char* HostileServer::Name(Behaviour b) {
  switch (b) {
    case kEndlessHeader: return "endless header";
    case kManyHeaders: return "many headers";
    case kTrickle: return "trickle";
    case kTrickleHeaders: return "trickle headers";
    case kHugeBody: return "huge body";
    case kHugeChunked: return "huge chunked body";
    case kSilent: return "silent";
  }
  return "?";
}

bool HostileServer::SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    if (stopping_.load()) return false;
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
    bytes_sent_ += static_cast<uint64_t>(n);
  }
  return true;
}

void HostileServer::Serve(int fd) {
  // The request head (the body of a small POST is in the same reads or ignored).
  std::string head;
  while (!stopping_.load() && head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  const std::string chunk(16384, 'a');
  switch (behaviour_) {
    case kEndlessHeader:
      if (!SendAll(fd, "HTTP/1.1 200 OK\r\nX-Junk: ")) return;
      while (SendAll(fd, chunk)) {
      }
      return;
    case kManyHeaders: {
      if (!SendAll(fd, "HTTP/1.1 200 OK\r\n")) return;
      std::string lines;
      for (int i = 0; i < 1000; ++i) lines += "X-" + std::to_string(i) + ": v\r\n";
      while (SendAll(fd, lines)) {
      }
      return;
    }
    case kTrickle:
    case kTrickleHeaders: {
      auto pause = [&] {
        auto until = std::chrono::steady_clock::now() + trickle_interval_;
        while (!stopping_.load() && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return !stopping_.load();
      };
      if (behaviour_ == kTrickle) {
        if (!SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         "Content-Length: 1000\r\n\r\n")) {
          return;
        }
        for (int i = 0; i < 1000; ++i) {
          if (!pause() || !SendAll(fd, "x")) return;
        }
        return;
      }
      const std::string status_line = "HTTP/1.1 200 OK\r\n";
      const std::string header_line = "X-a: b\r\n";
      for (size_t i = 0;; ++i) {
        char c = i < status_line.size()
                     ? status_line[i]
                     : header_line[(i - status_line.size()) % header_line.size()];
        if (!SendAll(fd, std::string(1, c)) || !pause()) return;
      }
    }
    case kHugeBody:
      if (!SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n")) return;
      while (SendAll(fd, chunk)) {
      }
      return;
    case kHugeChunked: {
      if (!SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
      const std::string framed = "4000\r\n" + chunk + "\r\n";
      while (SendAll(fd, framed)) {
      }
      return;
    }
    case kSilent:
      while (!stopping_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return;
  }
}

uint64_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<uint64_t>(resident) * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace candor::testing
