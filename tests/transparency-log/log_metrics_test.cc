// GET /metrics and GET /healthz of real candor-log and candor-witness
// processes (candor/log/log_metrics.h, candor/witness/witness_metrics.h,
// candor/metrics/metrics_routes.h): values move as entries are logged and
// cosigned; /healthz follows the witness quorum and the freshness bound; only
// GET is answered; hostile paths never become label values.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/http/http_client.h"
#include "log_test_util.h"
#include "support/subprocess.h"

namespace candor {
namespace {

using testing::CommandResult;
using testing::MakeEntry;
using testing::MakeVendor;
using testing::RunCommand;
using testing::Subprocess;
using testing::TempDir;
using testing::Vendor;

// The value of the sample line `series` ("name" or "name{labels}"), if present.
std::optional<double> SampleValue(const std::string& text, const std::string& series) {
  const std::string prefix = series + " ";
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (text.compare(pos, prefix.size(), prefix) == 0) {
      return std::stod(text.substr(pos + prefix.size(), end - pos - prefix.size()));
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::unique_ptr<HttpClient> Client(int port) {
  auto c = HttpClient::Create("http://127.0.0.1:" + std::to_string(port));
  REQUIRE(c.ok());
  return std::move(*c);
}

std::string Scrape(int port) {
  auto r = Client(port)->Get("metrics");
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  CHECK(r->Header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  return r->body;
}

// Polls GET /healthz until it answers `status` (bounded); the last answer.
HttpResponse WaitHealth(int port, int status, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto r = Client(port)->Get("healthz");
    REQUIRE(r.ok());
    if (r->status == status || std::chrono::steady_clock::now() > deadline) return *r;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// An initialised log (origin log.example/m) with one vendor, and a witness
// directory that witnesses it.
struct Setup {
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  std::string log_vkey, witness_vkey;
  Setup() {
    CommandResult init =
        RunCommand({CANDOR_LOG_BINARY, "init", "--dir", dir(), "--origin", "log.example/m"});
    REQUIRE_MESSAGE(init.exit_code == 0, init.output);
    std::string pubfile = tmp.path() + "/acme.pub";
    REQUIRE(fs::WriteFileAtomically(pubfile, AsBytes(FormatVerifierKey(vendor.pub) + "\n")).ok());
    REQUIRE(RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", dir(), pubfile}).exit_code ==
            0);
    auto pub = fs::ReadFileBytes(dir() + "/log.pub", kMaxVerifierKeyFileSize);
    REQUIRE(pub.ok());
    log_vkey = std::string(AsChars(*pub));
    log_vkey.pop_back();
    CommandResult w = RunCommand(
        {CANDOR_WITNESS_BINARY, "init", "--dir", wdir(), "--name", "witness.example/w1"}, false);
    REQUIRE_MESSAGE(w.exit_code == 0, w.output);
    witness_vkey = w.output.substr(0, w.output.find('\n'));
    REQUIRE(RunCommand({CANDOR_WITNESS_BINARY, "logs", "add", "--dir", wdir(), "--origin",
                        "log.example/m", "--key", log_vkey})
                .exit_code == 0);
  }
  std::string dir() const { return tmp.path() + "/data"; }
  std::string wdir() const { return tmp.path() + "/witness"; }
  // A policy naming the witness at `wport` as the quorum.
  std::string Policy(int wport) const {
    std::string path = tmp.path() + "/log.policy";
    REQUIRE(fs::WriteFileAtomically(
                path, AsBytes("log " + log_vkey + "\nwitness w1 " + witness_vkey +
                              " http://127.0.0.1:" + std::to_string(wport) + "\nquorum w1\n"))
                .ok());
    return path;
  }
};

TEST_CASE("candor-log /metrics moves and /healthz follows the witness quorum and freshness") {
  Setup s;
  const int wport = testing::PickFreePort();
  int port = 0;
  // The witness is not running yet: nothing can be cosigned.
  auto log = testing::ServeOnFreePort(
      {CANDOR_LOG_BINARY, "serve", "--dir", s.dir(), "--policy", s.Policy(wport),
       "--checkpoint-interval", "0.2", "--republish-interval", "1", "--healthz-max-age", "3",
       "--rate", "0"},
      s.tmp.path() + "/log.log", "/checkpoint", &port);
  REQUIRE(log);

  HttpResponse health = WaitHealth(port, 503, std::chrono::seconds(1));
  CHECK(health.status == 503);
  CHECK(health.body.rfind("not witnessed: ", 0) == 0);
  CHECK(health.body.find('\n') == health.body.size() - 1);
  std::string m = Scrape(port);
  CHECK(SampleValue(m, "candor_log_tree_size") == 0);
  CHECK(SampleValue(m, "candor_log_healthy") == 0);
  CHECK(SampleValue(m, "candor_log_entries_sequenced_total") == 0);
  CHECK(m.find("# TYPE candor_log_group_commit_seconds histogram\n") != std::string::npos);

  Subprocess witness({CANDOR_WITNESS_BINARY, "serve", "--dir", s.wdir(), "--listen",
                      "127.0.0.1:" + std::to_string(wport)},
                     s.tmp.path() + "/witness.log");
  REQUIRE(witness.Start());
  REQUIRE(testing::WaitForHttp(wport, "/healthz"));
  Bytes e = MakeEntry(s.vendor, "m", "1.0");
  auto added = Client(port)->Post("add", AsChars(e));
  REQUIRE(added.ok());
  REQUIRE(added->status == 200);
  auto proof = Client(port)->Get("candor/v1/proof?index=0&wait=20");
  REQUIRE(proof.ok());
  REQUIRE(proof->status == 200);

  health = WaitHealth(port, 200, std::chrono::seconds(20));
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");
  m = Scrape(port);
  CHECK(SampleValue(m, "candor_log_entries_sequenced_total") == 1);
  CHECK(SampleValue(m, "candor_log_tree_size") == 1);
  CHECK(SampleValue(m, "candor_log_healthy") == 1);
  CHECK(SampleValue(m, "candor_log_group_commit_entries_count") == 1);
  CHECK(SampleValue(m, "candor_log_group_commit_entries_bucket{le=\"1\"}") == 1);
  CHECK(SampleValue(m, "candor_log_witness_cosign_seconds_count{witness=\"w1\"}") >= 1);
  CHECK(SampleValue(m, "candor_log_http_requests_total{route=\"/add\",code=\"200\"}") == 1);
  CHECK(SampleValue(m, "candor_log_checkpoint_age_seconds") <= 3);

  // A refused submission is counted by its Code name.
  auto bad = Client(port)->Post("add", "not an entry");
  REQUIRE(bad.ok());
  CHECK(bad->status == 400);
  CHECK(SampleValue(Scrape(port), "candor_log_add_refusals_total{code=\"malformed\"}") == 1);

  // The witness's own metrics and health.
  std::string wm = Scrape(wport);
  CHECK(SampleValue(wm, "candor_witness_cosignatures_total{origin=\"log.example/m\"}") >= 1);
  CHECK(SampleValue(wm, "candor_witness_add_checkpoint_requests_total{code=\"ok\"}") >= 1);
  CHECK(SampleValue(wm,
                    "candor_witness_http_requests_total{route=\"/add-checkpoint\",code="
                    "\"200\"}") >= 1);
  auto wh = Client(wport)->Get("healthz");
  REQUIRE(wh.ok());
  CHECK(wh->status == 200);
  CHECK(wh->body == "ok\n");

  // Without its witness the log keeps its last cosigned checkpoint, which
  // ages past --healthz-max-age.
  witness.Kill(SIGKILL);
  health = WaitHealth(port, 503, std::chrono::seconds(20));
  CHECK(health.status == 503);
  CHECK(health.body.rfind("stale: last cosigned checkpoint ", 0) == 0);
  CHECK(health.body.find(" s old (limit 3 s)") != std::string::npos);
  CHECK(health.body.find("policy-unsatisfied") != std::string::npos);
  m = Scrape(port);
  CHECK(SampleValue(m, "candor_log_healthy") == 0);
  CHECK(SampleValue(m, "candor_log_checkpoint_age_seconds") > 3);
  CHECK(SampleValue(m,
                    "candor_log_witness_cosign_failures_total{witness=\"w1\",code="
                    "\"unavailable\"}") >= 1);
  CHECK(SampleValue(m, "candor_log_publish_failures_total{code=\"policy-unsatisfied\"}") >= 1);
}

TEST_CASE("/metrics and /healthz answer GET only; hostile paths create no label values") {
  Setup s;
  int port = 0;
  auto log = testing::ServeOnFreePort({CANDOR_LOG_BINARY, "serve", "--dir", s.dir()},
                                      s.tmp.path() + "/log.log", "/checkpoint", &port);
  REQUIRE(log);
  auto c = Client(port);
  for (const char* path : {"metrics", "healthz"}) {
    CAPTURE(path);
    httplib::Client raw("127.0.0.1", port);
    const std::string p = std::string("/") + path;
    auto check405 = [](const httplib::Result& r) {
      REQUIRE(r);
      CHECK(r->status == 405);
      CHECK(r->get_header_value("Allow") == "GET");
    };
    check405(raw.Post(p, "x", "text/plain"));
    check405(raw.Put(p, "x", "text/plain"));
    check405(raw.Delete(p));
    auto get = c->Get(path);
    REQUIRE(get.ok());
    CHECK(get->status == 200);
  }
  // Without witnesses no quorum is needed and no age bound is set: healthy.
  auto h = c->Get("healthz");
  REQUIRE(h.ok());
  CHECK(h->status == 200);

  const char* hostile[] = {"etc/passwd",
                           "tile/..%2F..%2Fsecret",
                           "metrics%0a%7Bevil%3D%221%22%7D",
                           "candor/v1/proof/extra",
                           "x%22%5C%0Ay",
                           "checkpoint/evil"};
  for (int round = 0; round < 40; ++round) {
    for (const char* p : hostile) {
      auto r = c->Get(std::string(p) + std::to_string(round));
      REQUIRE(r.ok());
      CHECK(r->status >= 400);
    }
  }
  const std::string m = Scrape(port);
  // Every route label is one of the templates the log registered, or "none".
  const std::set<std::string> templates = {"none",
                                           "/",
                                           "/index.html",
                                           "/explorer/",
                                           "/checkpoint",
                                           "/tile/",
                                           "/add",
                                           "/candor/v1/proof",
                                           "/candor/v1/consistency",
                                           "/metrics",
                                           "/healthz"};
  size_t lines = 0;
  for (size_t pos = m.find("candor_log_http_requests_total{route=\""); pos != std::string::npos;
       pos = m.find("candor_log_http_requests_total{route=\"", pos + 1)) {
    size_t start = pos + std::string("candor_log_http_requests_total{route=\"").size();
    std::string route = m.substr(start, m.find('"', start) - start);
    CAPTURE(route);
    CHECK(templates.count(route) == 1);
    ++lines;
  }
  CHECK(lines >= 3);
  CHECK(SampleValue(m, "candor_log_http_requests_total{route=\"none\",code=\"404\"}") >= 200);
  for (const char* word : {"passwd", "evil", "secret", "extra", "overflow"}) {
    CAPTURE(word);
    CHECK(m.find(word) == std::string::npos);
  }
}

}  // namespace
}  // namespace candor
