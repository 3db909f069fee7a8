// HttpClient over HTTPS against real nginx terminating TLS (the shipped
// examples/nginx/candor-tls.conf) with certificates the test makes with the
// openssl CLI: a valid chain works; an unknown CA, a wrong host name and an
// expired certificate are each refused as Code::kTls with a line naming the
// reason; no downgrade; redirects only within the origin; bodies stay bounded.
#include <doctest/doctest.h>
#include <httplib.h>

#include <fstream>
#include <string>
#include <thread>

#include "candor/http/http_client.h"
#include "support/hostile_server.h"
#include "support/temp_dir.h"
#include "support/tls_nginx.h"

namespace candor {
namespace {

using testing::HostileServer;
using testing::TestPki;
using testing::TlsNginx;

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The upstream nginx proxies to: a few fixed answers.
class Backend {
 public:
  Backend() {
    svr_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hi\n", "text/plain");
    });
    svr_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100000, 'b'), "application/octet-stream");
    });
    svr_.Get("/same-origin",
             [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/hello"); });
    svr_.Post("/same-origin", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/hello", 307);
    });
    svr_.Get("/loop",
             [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    svr_.Get("/other-port", [this](const httplib::Request&, httplib::Response& res) {
      res.set_redirect(redirect_target_ + "/hello");
    });
    svr_.Get("/other-host", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("https://evil.example/hello");
    });
    svr_.Get("/downgrade", [](const httplib::Request& req, httplib::Response& res) {
      res.set_redirect("http://" + req.get_header_value("Host") + "/hello");
    });
    port_ = svr_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~Backend() {
    svr_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  void set_redirect_target(std::string t) { redirect_target_ = std::move(t); }

 private:
  httplib::Server svr_;
  int port_ = 0;
  std::string redirect_target_;
  std::thread thread_;
};

HttpClientOptions WithCa(const std::string& ca_file) {
  HttpClientOptions o;
  o.ca_file = ca_file;
  o.deadline = std::chrono::seconds(10);
  return o;
}

Result<HttpResponse> Fetch(const std::string& url, const HttpClientOptions& o,
                           const std::string& path = "hello") {
  auto c = HttpClient::Create(url, o);
  REQUIRE(c.ok());
  return (*c)->Get(path);
}

// A PKI, a backend, and nginx serving the "good" certificate in front of it.
struct Front {
  testing::TempDir dir;
  TestPki pki{dir.path() + "/pki"};
  Backend backend;
  TlsNginx nginx{dir.path() + "/nginx", pki, "good", backend.port()};
  Front() {
    REQUIRE(pki.ok());
    REQUIRE_MESSAGE(nginx.Start(), nginx.ErrorLog());
  }
};

TEST_CASE("HTTPS through nginx: a valid chain works; bad certificates are refused as tls") {
  Front f;
  const testing::TempDir& dir = f.dir;
  const TestPki& pki = f.pki;
  Backend& backend = f.backend;
  const TlsNginx& good = f.nginx;

  SUBCASE("valid chain, private CA added with ca_file") {
    auto r = Fetch(good.url(), WithCa(pki.ca()));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(r->status == 200);
    CHECK(r->body == "hi\n");
    // "localhost" is in the certificate too; the connection is reused.
    auto c =
        HttpClient::Create("https://localhost:" + std::to_string(good.port()), WithCa(pki.ca()));
    REQUIRE(c.ok());
    for (int i = 0; i < 3; ++i) CHECK((*c)->Get("hello").ok());
  }
  SUBCASE("without ca_file the private CA is not trusted (system store only)") {
    auto r = Fetch(good.url(), HttpClientOptions{});
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kTls);
    CHECK(Has(r.status().message(), "certificate"));
  }
  SUBCASE("a ca_file of another CA adds only that CA") {
    auto r = Fetch(good.url(), WithCa(pki.other_ca()));
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kTls);
  }
  SUBCASE("an unreadable or empty ca_file is an error before any request") {
    auto missing = Fetch(good.url(), WithCa(dir.path() + "/nope.pem"));
    CHECK(missing.status().code() == Code::kNotFound);
    const std::string junk = dir.path() + "/junk.pem";
    { std::ofstream(junk) << "not a certificate\n"; }
    CHECK(Fetch(good.url(), WithCa(junk)).status().code() == Code::kMalformed);
  }
  SUBCASE("no downgrade: an https URL to a plain HTTP server fails, never falls back") {
    auto r = Fetch("https://127.0.0.1:" + std::to_string(backend.port()), WithCa(pki.ca()));
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kTls);
    // And a redirect from https to http of the same host is another origin.
    auto d = Fetch(good.url(), WithCa(pki.ca()), "downgrade");
    REQUIRE(!d.ok());
    CHECK(Has(d.status().message(), "another origin"));
  }
  SUBCASE("plain http to loopback still works") {
    auto r = Fetch("http://127.0.0.1:" + std::to_string(backend.port()), HttpClientOptions{});
    REQUIRE(r.ok());
    CHECK(r->body == "hi\n");
  }

  SUBCASE("unknown CA, wrong host name, expired: each refused as tls with its reason") {
    // Each bad certificate: Code::kTls (exit 17) and a line naming the reason.
    struct Case {
      const char* leaf;
      const char* reason;  // part of libcurl/OpenSSL's text
    };
    const Case cases[] = {
        {"wrong-name", "subject name"},
        {"expired", "expired"},
        {"unknown-ca", "issuer certificate"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.leaf);
      TlsNginx bad(dir.path() + "/" + c.leaf, pki, c.leaf, backend.port());
      REQUIRE_MESSAGE(bad.Start(), bad.ErrorLog());
      auto r = Fetch(bad.url(), WithCa(pki.ca()));
      REQUIRE(!r.ok());
      CHECK(r.status().code() == Code::kTls);
      CHECK(ExitCodeFor(r.status().code()) == 17);
      CHECK_MESSAGE(Has(r.status().message(), c.reason), r.status().message());
      CHECK(Has(r.status().message(), bad.url()));
      CHECK(r.status().message().find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("HTTPS redirects are followed only within the origin") {
  Front f;
  const TestPki& pki = f.pki;
  const TlsNginx& nginx = f.nginx;
  TlsNginx other(f.dir.path() + "/other", pki, "good", f.backend.port());
  REQUIRE_MESSAGE(other.Start(), other.ErrorLog());
  f.backend.set_redirect_target(other.url());  // same host, another port

  auto same = Fetch(nginx.url(), WithCa(pki.ca()), "same-origin");
  REQUIRE_MESSAGE(same.ok(), same.status().ToString());
  CHECK(same->body == "hi\n");

  for (const char* path : {"other-port", "other-host"}) {
    CAPTURE(path);
    auto r = Fetch(nginx.url(), WithCa(pki.ca()), path);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    CHECK(Has(r.status().message(), "redirect to another origin refused"));
  }
  auto loop = Fetch(nginx.url(), WithCa(pki.ca()), "loop");
  REQUIRE(!loop.ok());
  CHECK(Has(loop.status().message(), "redirects"));

  // A POST is never redirected (its body is not replayed), even within the origin.
  auto c = HttpClient::Create(nginx.url(), WithCa(pki.ca()));
  REQUIRE(c.ok());
  auto post = (*c)->Post("same-origin", "x");
  REQUIRE(!post.ok());
  CHECK(Has(post.status().message(), "redirect of a POST refused"));
}

TEST_CASE("HTTPS bodies stay bounded: oversized and slow answers through nginx") {
  testing::TempDir dir;
  TestPki pki(dir.path() + "/pki");
  REQUIRE(pki.ok());
  {
    Backend backend;
    TlsNginx nginx(dir.path() + "/big", pki, "good", backend.port());
    REQUIRE_MESSAGE(nginx.Start(), nginx.ErrorLog());
    HttpClientOptions o = WithCa(pki.ca());
    o.max_body_size = 1000;
    auto r = Fetch(nginx.url(), o, "big");
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kTooLarge);
  }
  for (auto behaviour : {HostileServer::kHugeChunked, HostileServer::kTrickle}) {
    CAPTURE(HostileServer::Name(behaviour));
    HostileServer hostile(behaviour, std::chrono::milliseconds(200));
    TlsNginx nginx(dir.path() + "/hostile-" + std::to_string(static_cast<int>(behaviour)), pki,
                   "good", hostile.port());
    REQUIRE_MESSAGE(nginx.Start(), nginx.ErrorLog());
    HttpClientOptions o = WithCa(pki.ca());
    o.max_body_size = 64 * 1024;
    o.deadline = std::chrono::seconds(2);
    auto r = Fetch(nginx.url(), o, "checkpoint");
    REQUIRE(!r.ok());
    CHECK((r.status().code() == Code::kTooLarge || r.status().code() == Code::kUnavailable));
  }
}

}  // namespace
}  // namespace candor
