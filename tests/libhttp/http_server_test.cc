// Tests for HttpServer (candor/http/http_server.h): routing, body and header
// limits, strict percent-decoding, async answers from other threads, and a
// Stop() that answers parked requests.
#include "candor/http/http_server.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "faults/fault_util.h"

namespace candor {
namespace {

using faults::RawExchange;
using faults::StatusOf;

// Waits until `parked` (guarded by `mu`) holds `n` replies. Sleeps with `mu`
// released: a waiter sleeping under the lock starves the server thread whose
// handler needs it (for tens of seconds under TSan), and the test then times
// out the client instead of testing the server.
template <typename Parked>
void WaitForParked(std::mutex& mu, const Parked& parked, size_t n) {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (parked.size() == n) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::unique_ptr<HttpServer> NewServer(HttpServerOptions o = {}) {
  auto s = HttpServer::Bind(o);
  REQUIRE(s.ok());
  return std::move(s).value();
}

void Echo(const ServerRequest& req, ServerResponse& res) {
  std::string text = req.method + " " + req.path;
  for (const auto& [k, v] : req.query) text += " " + k + "=" + v;
  res.SetText(200, text + " body=" + std::to_string(req.body.size()) + "\n");
  res.SetHeader("X-Test", "yes");
}

TEST_CASE("http server: routing, 404, 405 with Allow, HEAD, query decoding") {
  auto s = NewServer();
  s->Handle("GET", "/exact", HttpMatch::kExact, Echo);
  s->Handle("GET", "/prefix/", HttpMatch::kPrefix, Echo);
  s->Handle("POST", "/exact", HttpMatch::kExact, Echo);
  REQUIRE(s->Start().ok());
  httplib::Client c("127.0.0.1", s->port());

  struct Case {
    const char* method;
    const char* path;
    int status;
    const char* body;  // expected body prefix when 200
  };
  const Case cases[] = {
      {"GET", "/exact", 200, "GET /exact body=0"},
      {"GET", "/exact?a=1&b=%41%2f&a=2", 200, "GET /exact a=1 b=A/ a=2 body=0"},
      {"GET", "/prefix/x/y", 200, "GET /prefix/x/y body=0"},
      {"GET", "/prefix/%2e%2e", 200, "GET /prefix/.. body=0"},
      // A decoded NUL would cut the path short: %00 stays literal.
      {"GET", "/prefix/a%00b", 200, "GET /prefix/a%00b body=0"},
      {"GET", "/prefix/a%zzb", 200, "GET /prefix/a%zzb body=0"},
      {"GET", "/exact/", 404, nullptr},
      {"GET", "/prefix", 404, nullptr},
      {"GET", "/other", 404, nullptr},
      {"DELETE", "/exact", 405, nullptr},
      {"PUT", "/prefix/a", 405, nullptr},
  };
  for (const Case& k : cases) {
    CAPTURE(std::string(k.method) + " " + k.path);
    std::string raw =
        RawExchange(s->port(), std::string(k.method) + " " + k.path +
                                   " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(StatusOf(raw) == k.status);
    if (k.body != nullptr) {
      CHECK(raw.find("\r\n\r\n" + std::string(k.body)) != std::string::npos);
      CHECK(raw.find("X-Test: yes") != std::string::npos);
    }
    if (k.status == 405) CHECK(raw.find("Allow: ") != std::string::npos);
  }
  auto head = c.Head("/exact");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());
  auto post = c.Post("/exact", std::string(1000, 'x'), "application/octet-stream");
  REQUIRE(post);
  CHECK(post->body == "POST /exact body=1000\n");
}

TEST_CASE("http server: body and header limits are enforced before buffering") {
  HttpServerOptions o;
  o.max_body = 1000;
  o.header_memory = 8 * 1024;
  auto s = NewServer(o);
  s->Handle("POST", "/p", HttpMatch::kExact, Echo);
  s->Handle("GET", "/g", HttpMatch::kExact, Echo);
  REQUIRE(s->Start().ok());
  const int port = s->port();
  auto post = [&](size_t announced, size_t sent) {
    return StatusOf(RawExchange(
        port, "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(announced) +
                  "\r\nConnection: close\r\n\r\n" + std::string(sent, 'b')));
  };
  CHECK(post(1000, 1000) == 200);
  CHECK(post(1001, 1001) == 413);
  // Announced 1 GiB, a few bytes sent: refused from the headers alone.
  CHECK(post(size_t{1} << 30, 10) == 413);
  // Chunked bodies are counted as they arrive.
  std::string chunked =
      "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n";
  for (int i = 0; i < 5; ++i) chunked += "12c\r\n" + std::string(300, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  CHECK(StatusOf(RawExchange(port, chunked)) == 413);
  std::string small_chunked =
      "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  std::string ok = RawExchange(port, small_chunked);
  CHECK(StatusOf(ok) == 200);
  CHECK(ok.find("body=5") != std::string::npos);
  // Headers beyond the per-connection pool: 431.
  std::string many = "GET /g HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; many.size() < 64 * 1024; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  many += "Connection: close\r\n\r\n";
  CHECK(StatusOf(RawExchange(port, many)) == 431);
  // The server still serves.
  CHECK(StatusOf(RawExchange(port, "GET /g HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) ==
        200);
}

TEST_CASE("http server: async routes answer from other threads, in any order") {
  auto s = NewServer();
  std::mutex mu;
  std::vector<std::pair<std::string, HttpReply>> parked;
  s->HandleAsync("POST", "/later", HttpMatch::kExact,
                 [&](const ServerRequest& req, HttpReply reply) {
                   std::lock_guard<std::mutex> lock(mu);
                   parked.emplace_back(req.body, reply);
                 });
  s->HandleAsync("GET", "/now", HttpMatch::kExact, [](const ServerRequest&, HttpReply reply) {
    ServerResponse r;
    r.SetText(201, "at once\n");
    reply.Send(r);
    r.SetText(500, "second send is ignored\n");
    reply.Send(r);
  });
  REQUIRE(s->Start().ok());
  const int port = s->port();

  httplib::Client now("127.0.0.1", port);
  auto r = now.Get("/now");
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(r->body == "at once\n");

  constexpr int kClients = 16;
  std::vector<std::future<std::pair<int, std::string>>> answers;
  for (int i = 0; i < kClients; ++i) {
    answers.push_back(std::async(std::launch::async, [port, i] {
      httplib::Client c("127.0.0.1", port);
      auto res = c.Post("/later", std::to_string(i), "text/plain");
      return res ? std::make_pair(res->status, res->body) : std::make_pair(0, std::string());
    }));
  }
  WaitForParked(mu, parked, kClients);
  // Answer from a worker thread, in reverse order.
  std::thread worker([&] {
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = parked.rbegin(); it != parked.rend(); ++it) {
      ServerResponse res;
      res.SetText(200, "answer " + it->first + "\n");
      it->second.Send(res);
    }
  });
  worker.join();
  for (int i = 0; i < kClients; ++i) {
    auto [status, body] = answers[static_cast<size_t>(i)].get();
    CHECK(status == 200);
    CHECK(body == "answer " + std::to_string(i) + "\n");
  }
}

TEST_CASE("http server: Stop answers parked requests with 503 and later sends are ignored") {
  auto s = NewServer();
  std::mutex mu;
  std::vector<HttpReply> parked;
  s->HandleAsync("GET", "/never", HttpMatch::kExact, [&](const ServerRequest&, HttpReply reply) {
    std::lock_guard<std::mutex> lock(mu);
    parked.push_back(reply);
  });
  REQUIRE(s->Start().ok());
  const int port = s->port();
  std::vector<std::future<int>> answers;
  for (int i = 0; i < 4; ++i) {
    answers.push_back(std::async(std::launch::async, [port] {
      return StatusOf(
          RawExchange(port, "GET /never HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 10000));
    }));
  }
  WaitForParked(mu, parked, 4);
  s->Stop();
  for (auto& a : answers) CHECK(a.get() == 503);
  // Replies outliving the server do nothing.
  ServerResponse late;
  late.SetText(200, "too late\n");
  for (auto& p : parked) p.Send(late);
  s.reset();
  for (auto& p : parked) p.Send(late);
  // The port is closed.
  CHECK(StatusOf(RawExchange(port, "GET /never HTTP/1.1\r\nHost: x\r\n\r\n", 500)) == 0);
}

TEST_CASE("http server: Bind refuses what it cannot listen on") {
  HttpServerOptions o;
  o.host = "localhost";  // numeric addresses only
  CHECK(HttpServer::Bind(o).status().code() == Code::kInvalidArgument);
  auto first = NewServer();
  o.host = "127.0.0.1";
  o.port = first->port();  // taken
  CHECK(HttpServer::Bind(o).status().code() == Code::kIo);
}

}  // namespace
}  // namespace candor

namespace candor {
namespace {

TEST_CASE("http server: a request parked longer than the idle timeout still gets its answer") {
  HttpServerOptions o;
  o.idle_timeout_seconds = 1;
  auto s = NewServer(o);
  std::mutex mu;
  std::vector<HttpReply> parked;
  s->HandleAsync("GET", "/slow", HttpMatch::kExact, [&](const ServerRequest&, HttpReply reply) {
    std::lock_guard<std::mutex> lock(mu);
    parked.push_back(reply);
  });
  REQUIRE(s->Start().ok());
  const int port = s->port();
  auto answer = std::async(std::launch::async, [port] {
    return RawExchange(port, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 10000);
  });
  WaitForParked(mu, parked, 1);
  // Like a proof long-poll: the answer comes after several idle timeouts.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  ServerResponse r;
  r.SetText(200, "finally\n");
  parked[0].Send(r);
  std::string raw = answer.get();
  CHECK(StatusOf(raw) == 200);
  CHECK(raw.find("finally") != std::string::npos);
}

// A slow client: sends `pieces` one every `gap` until the server closes the
// connection. Returns how many pieces it sent before it saw the close (or
// pieces.size() + 1 if the server never closed). `skip_response` first reads
// one complete answer (to a request in pieces[0]) on the kept-alive connection.
size_t SlowClient(int port, const std::vector<std::string>& pieces, std::chrono::milliseconds gap,
                  bool skip_response = false) {
  int fd = faults::Connect(port, 5000);
  REQUIRE(fd >= 0);
  size_t sent = 0;
  for (const std::string& piece : pieces) {
    if (::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) < 0) break;
    ++sent;
    if (skip_response && sent == 1) {
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos || got.back() != '\n') {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      CHECK(StatusOf(got) == 200);
      continue;
    }
    std::this_thread::sleep_for(gap);
    char c;
    ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break;  // closed
  }
  ::close(fd);
  return sent;
}

TEST_CASE("http server: a request that does not arrive by its deadline is cut off; others served") {
  HttpServerOptions o;
  o.idle_timeout_seconds = 60;  // never the idle timeout: each piece is 200 ms apart
  o.max_connections_per_ip = 0;
  o.request_deadline = std::chrono::milliseconds(1000);
  auto s = NewServer(o);
  s->Handle("GET", "/g", HttpMatch::kExact, Echo);
  s->Handle("POST", "/p", HttpMatch::kExact, Echo);
  REQUIRE(s->Start().ok());
  const int port = s->port();
  // 200 pieces, 200 ms apart: 40 s if nobody cuts the client off.
  auto header_lines = [](std::string first) {
    std::vector<std::string> v = {std::move(first)};
    for (int i = 0; i < 200; ++i) v.push_back("X-" + std::to_string(i) + ": v\r\n");
    return v;
  };
  std::vector<std::string> slow_body = {
      "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"};
  for (int i = 0; i < 200; ++i) slow_body.push_back("a");
  std::vector<std::string> second_request = header_lines("GET /g HTTP/1.1\r\nHost: x\r\n\r\n");
  second_request.insert(second_request.begin() + 1, "GET /g HTTP/1.1\r\n");
  struct Case {
    const char* name;
    std::vector<std::string> pieces;
    bool skip_response;
  };
  const Case cases[] = {
      {"header lines trickle", header_lines("GET /g HTTP/1.1\r\n"), false},
      {"request line trickles",
       {"G", "E", "T", " ",  "/",  "g", " ", "H", "T", "T", "P", "/",
        "1", ".", "1", "\r", "\n", "X", "-", "a", ":", " ", "b"},
       false},
      {"body trickles", slow_body, false},
      {"second request on a kept-alive connection trickles", second_request, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const uint64_t closes = s->DeadlineCloses();
    auto slow = std::async(std::launch::async, [&] {
      return SlowClient(port, c.pieces, std::chrono::milliseconds(200), c.skip_response);
    });
    // Meanwhile other clients are served.
    httplib::Client ok("127.0.0.1", port);
    for (int i = 0; i < 3; ++i) {
      auto r = ok.Get("/g");
      REQUIRE(r);
      CHECK(r->status == 200);
    }
    const size_t sent = slow.get();
    // Cut off long before it would have finished (deadline 1 s = ~5 pieces).
    CHECK(sent < c.pieces.size());
    CHECK(s->DeadlineCloses() > closes);
  }
}

TEST_CASE("http server: connections per client IP are limited") {
  HttpServerOptions o;
  o.max_connections_per_ip = 2;
  auto s = NewServer(o);
  s->Handle("GET", "/g", HttpMatch::kExact, Echo);
  REQUIRE(s->Start().ok());
  const int port = s->port();
  int a = faults::Connect(port, 5000), b = faults::Connect(port, 5000);
  REQUIRE(a >= 0);
  REQUIRE(b >= 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // both accepted
  // A third connection from the same IP is closed without an answer.
  CHECK(StatusOf(RawExchange(port, "GET /g HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) ==
        0);
  ::close(a);
  // Once one closes, the IP may connect again.
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = StatusOf(RawExchange(port, "GET /g HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  }
  CHECK(status == 200);
  ::close(b);
}

}  // namespace
}  // namespace candor
