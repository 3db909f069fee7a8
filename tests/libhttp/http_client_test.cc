#include "candor/http/http_client.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include "support/hostile_server.h"

namespace candor {
namespace {

TEST_CASE("ParseBaseUrl accepts https URLs, and http URLs of loopback hosts") {
  struct Case {
    const char* in;
    const char* scheme;
    const char* host;
    uint16_t port;
    const char* prefix;
    const char* canonical;
  };
  const Case cases[] = {
      {"http://127.0.0.1:8080", "http", "127.0.0.1", 8080, "", "http://127.0.0.1:8080"},
      {"http://127.0.0.1:8080/", "http", "127.0.0.1", 8080, "", "http://127.0.0.1:8080"},
      {"http://127.1.2.3", "http", "127.1.2.3", 80, "", "http://127.1.2.3:80"},
      {"http://localhost/logs/a/", "http", "localhost", 80, "/logs/a",
       "http://localhost:80/logs/a"},
      {"http://[::1]:9/x", "http", "::1", 9, "/x", "http://[::1]:9/x"},
      {"https://example.com", "https", "example.com", 443, "", "https://example.com:443"},
      {"https://example.com:8443/logs/a/", "https", "example.com", 8443, "/logs/a",
       "https://example.com:8443/logs/a"},
      {"https://[2001:db8::1]/x", "https", "2001:db8::1", 443, "/x", "https://[2001:db8::1]:443/x"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    auto r = ParseBaseUrl(c.in);
    REQUIRE(r.ok());
    CHECK(r->scheme == c.scheme);
    CHECK(r->host == c.host);
    CHECK(r->port == c.port);
    CHECK(r->prefix == c.prefix);
    CHECK(r->ToString() == c.canonical);
  }
}

TEST_CASE("ParseBaseUrl refuses plain http to a host that is not loopback") {
  for (const char* url : {"http://example.com", "http://10.0.0.1:8080", "http://128.0.0.1",
                          "http://127.0.0.1.example.com", "http://127.0.0", "http://127.0.0.256",
                          "http://[::2]", "http://localhost.example"}) {
    CAPTURE(url);
    auto r = ParseBaseUrl(url);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message().find("use https://") != std::string::npos);
  }
}

TEST_CASE("ParseBaseUrl refuses everything else") {
  const char* bad[] = {"",
                       "HTTPS://x",
                       "https:/x",
                       "ftp://x",
                       "https://",
                       "https://:80",
                       "https://x:0",
                       "https://x:65536",
                       "https://x:",
                       "https://x:08",
                       "https://u@x",
                       "https://x/?q",
                       "https://x/#f",
                       "https://x y",
                       "https://x//a",
                       "https://[::1",
                       "http://127.0.0.1:0",
                       "http://127.0.0.1/?q",
                       "https://x\n"};
  for (const char* b : bad) {
    CAPTURE(b);
    auto r = ParseBaseUrl(b);
    CHECK(!r.ok());
  }
}

TEST_CASE("HttpClient GET/POST round trip, headers, body limit, transport errors") {
  httplib::Server svr;
  svr.Get("/p/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Test", "yes");
    res.set_content("hi\n", "text/plain");
  });
  svr.Get("/p/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(10000, 'a'), "text/plain");
  });
  svr.Post("/p/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 409;
    res.set_content(req.body + "|" + req.get_header_value("Content-Type"), "text/plain");
  });
  int port = svr.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread t([&] { svr.listen_after_bind(); });
  while (!svr.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  HttpClientOptions opts;
  opts.max_body_size = 5000;
  auto client = HttpClient::Create("http://127.0.0.1:" + std::to_string(port) + "/p/", opts);
  REQUIRE(client.ok());
  auto r = (*client)->Get("hello");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "hi\n");
  CHECK(r->Header("x-test") == "yes");
  CHECK(r->Header("X-TEST") == "yes");
  auto missing = (*client)->Get("/nothing");
  REQUIRE(missing.ok());
  CHECK(missing->status == 404);
  auto post = (*client)->Post("echo", "abc", "text/x.test");
  REQUIRE(post.ok());
  CHECK(post->status == 409);
  CHECK(post->body == "abc|text/x.test");
  auto big = (*client)->Get("big");
  CHECK(big.status().code() == Code::kTooLarge);
  CHECK((*client)->Get("bad path").status().code() == Code::kInvalidArgument);
  svr.stop();
  t.join();
  auto down = (*client)->Get("hello");
  CHECK(down.status().code() == Code::kUnavailable);
}

// Runs `fn` while sampling this process's resident set; returns the largest
// growth seen over the RSS before the call.
template <typename Fn>
uint64_t PeakRssGrowth(Fn&& fn) {
  const uint64_t before = testing::ResidentBytes();
  std::atomic<bool> done{false};
  std::atomic<uint64_t> peak{before};
  std::thread sampler([&] {
    while (!done.load()) {
      uint64_t now = testing::ResidentBytes();
      if (now > peak.load()) peak.store(now);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  fn();
  done.store(true);
  sampler.join();
  return peak.load() > before ? peak.load() - before : 0;
}

TEST_CASE("HttpClient fails cleanly, in bounded time and memory, against hostile servers") {
  using testing::HostileServer;
  struct Case {
    HostileServer::Behaviour behaviour;
    Code code;
    const char* message;
  };
  const Case cases[] = {
      {HostileServer::kEndlessHeader, Code::kTooLarge, "header"},
      {HostileServer::kManyHeaders, Code::kTooLarge, "headers exceed"},
      {HostileServer::kTrickle, Code::kUnavailable, "deadline"},
      {HostileServer::kTrickleHeaders, Code::kUnavailable, "deadline"},
      {HostileServer::kHugeBody, Code::kTooLarge, "body exceeds"},
      {HostileServer::kHugeChunked, Code::kTooLarge, "body exceeds"},
      {HostileServer::kSilent, Code::kUnavailable, "deadline"},
  };
  for (const Case& c : cases) {
    for (const char* method : {"GET", "POST"}) {
      CAPTURE(HostileServer::Name(c.behaviour));
      CAPTURE(method);
      // A byte every 200 ms: never silent for the 5 s stall bound; the whole
      // trickled answer would take over 200 s.
      HostileServer server(c.behaviour, std::chrono::milliseconds(200));
      HttpClientOptions o;
      o.deadline = std::chrono::milliseconds(1500);
      o.read_timeout = std::chrono::milliseconds(5000);
      o.max_body_size = 1 << 20;
      auto client = HttpClient::Create(server.url(), o);
      REQUIRE(client.ok());
      Result<HttpResponse> r = Status::Internal("not run");
      const auto start = std::chrono::steady_clock::now();
      const uint64_t growth = PeakRssGrowth([&] {
        r = std::string_view(method) == "GET" ? (*client)->Get("checkpoint")
                                              : (*client)->Post("add", "entry");
      });
      const auto took = std::chrono::steady_clock::now() - start;
      REQUIRE(!r.ok());
      CHECK(r.status().code() == c.code);
      CHECK_MESSAGE(r.status().message().find(c.message) != std::string::npos,
                    r.status().ToString());
      // Far below the hostile peer's patience (endless, or 200 s of trickle).
      CHECK(took < std::chrono::seconds(30));
      CHECK(growth < (uint64_t{64} << 20));
      // The client stopped reading: nowhere near what an unbounded reader
      // takes from a loopback peer in that time.
      CHECK(server.bytes_sent() < (uint64_t{256} << 20));
    }
  }
}

TEST_CASE("HttpResponse::CandorError reads the code by name, never from the HTTP status") {
  struct Case {
    int status;
    const char* header;  // nullptr: no Candor-Error header
    Code code;
  };
  const Case cases[] = {
      {403, "policy-unsatisfied", Code::kPolicyUnsatisfied},
      {403, "untrusted-key", Code::kUntrustedKey},
      {403, "bad-signature", Code::kBadSignature},
      {422, "inconsistent", Code::kInconsistent},
      {404, "not-found", Code::kNotFound},
      {500, "internal", Code::kInternal},
      {403, nullptr, Code::kUnavailable},  // not a Candor server: no guessing
      {403, "ok", Code::kUnavailable},
      {403, "Bad-Signature", Code::kUnavailable},
      {403, "no-such-code", Code::kUnavailable},
  };
  for (const Case& c : cases) {
    CAPTURE(c.status);
    CAPTURE(c.header ? c.header : "(none)");
    HttpResponse r;
    r.status = c.status;
    r.body = "why it failed\nmore\n";
    if (c.header) r.headers["candor-error"] = c.header;
    Status st = r.CandorError("submitting");
    CHECK(st.code() == c.code);
    CHECK(st.message().find("submitting: HTTP " + std::to_string(c.status) + ": why it failed") ==
          0);
  }
}

}  // namespace
}  // namespace candor
