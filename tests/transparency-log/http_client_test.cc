#include "candor/log/http_client.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <string>
#include <thread>

namespace candor {
namespace {

TEST_CASE("ParseBaseUrl accepts canonical http URLs") {
  struct Case {
    const char* in;
    const char* host;
    uint16_t port;
    const char* prefix;
  };
  const Case cases[] = {
      {"http://127.0.0.1:8080", "127.0.0.1", 8080, ""},
      {"http://127.0.0.1:8080/", "127.0.0.1", 8080, ""},
      {"http://example.com", "example.com", 80, ""},
      {"http://example.com/logs/a/", "example.com", 80, "/logs/a"},
      {"http://[::1]:9/x", "::1", 9, "/x"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    auto r = ParseBaseUrl(c.in);
    REQUIRE(r.ok());
    CHECK(r->host == c.host);
    CHECK(r->port == c.port);
    CHECK(r->prefix == c.prefix);
  }
}

TEST_CASE("ParseBaseUrl refuses everything else") {
  const char* bad[] = {"",
                       "https://x",
                       "ftp://x",
                       "http://",
                       "http://:80",
                       "http://x:0",
                       "http://x:65536",
                       "http://x:",
                       "http://x:08",
                       "http://u@x",
                       "http://x/?q",
                       "http://x/#f",
                       "http://x y",
                       "http://x//a",
                       "http://[::1",
                       "http://x\n"};
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

}  // namespace
}  // namespace candor
