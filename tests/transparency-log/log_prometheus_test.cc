// A real Prometheus (Debian's prometheus package) scrapes a real candor-log:
// the exposition is accepted (up == 1) and candor_log_tree_size as Prometheus
// stores it equals the log's tree size. promtool checks the scraped text and
// the alert rules of examples/prometheus/ (docs/LOG.md "Metrics and health").
//
// Skipped with a message when /usr/bin/prometheus is absent, unless
// CANDOR_REQUIRE_PROMETHEUS=1 (CI, .ci/run): then a missing binary fails.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
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

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr const char* kPromtool = "/usr/bin/promtool";

bool PrometheusRequired() {
  const char* env = std::getenv("CANDOR_REQUIRE_PROMETHEUS");
  return env != nullptr && std::string(env) == "1";
}

#define CANDOR_SKIP_WITHOUT(binary)                                                                \
  if (::access(binary, X_OK) != 0) {                                                               \
    if (PrometheusRequired()) FAIL("CANDOR_REQUIRE_PROMETHEUS=1 but " << binary << " is missing"); \
    MESSAGE("SKIP: " << binary << " is not installed (Debian package prometheus)");                \
    return;                                                                                        \
  }

// The first sample's value of a Prometheus instant-query answer
// ({"status":"success","data":{"resultType":"vector","result":[{"metric":{...},
// "value":[<time>,"<value>"]}]}}), or "" when the result is empty.
std::string FirstValue(const std::string& json) {
  size_t at = json.find("\"value\":[");
  if (at == std::string::npos) return "";
  at = json.find(",\"", at);
  if (at == std::string::npos) return "";
  at += 2;
  size_t end = json.find('"', at);
  return end == std::string::npos ? "" : json.substr(at, end - at);
}

// Polls Prometheus's /api/v1/query until `query` has a sample (bounded).
std::string QueryUntilPresent(HttpClient& prom, const std::string& query,
                              std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = prom.Get("api/v1/query?query=" + query);
    if (r.ok() && r->status == 200) {
      std::string v = FirstValue(r->body);
      if (!v.empty()) return v;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return "";
}

TEST_CASE("Prometheus scrapes candor-log: up, and candor_log_tree_size equals the tree size") {
  CANDOR_SKIP_WITHOUT(kPrometheus);
  TempDir tmp;
  const std::string dir = tmp.path() + "/data";
  CommandResult init =
      RunCommand({CANDOR_LOG_BINARY, "init", "--dir", dir, "--origin", "log.example/prom"});
  REQUIRE_MESSAGE(init.exit_code == 0, init.output);
  auto vendor = MakeVendor("acme.example");
  const std::string pubfile = tmp.path() + "/acme.pub";
  REQUIRE(fs::WriteFileAtomically(pubfile, AsBytes(FormatVerifierKey(vendor.pub) + "\n")).ok());
  REQUIRE(RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", dir, pubfile}).exit_code == 0);
  int port = 0;
  auto log = testing::ServeOnFreePort(
      {CANDOR_LOG_BINARY, "serve", "--dir", dir, "--checkpoint-interval", "0.1", "--rate", "0"},
      tmp.path() + "/log.log", "/checkpoint", &port);
  REQUIRE(log);
  auto c = HttpClient::Create("http://127.0.0.1:" + std::to_string(port));
  REQUIRE(c.ok());
  for (int i = 0; i < 3; ++i) {
    Bytes e = MakeEntry(vendor, "p", "1." + std::to_string(i));
    auto r = (*c)->Post("add", AsChars(e));
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
  }
  auto proof = (*c)->Get("candor/v1/proof?index=2&wait=20");
  REQUIRE(proof.ok());
  REQUIRE(proof->status == 200);
  auto metrics = (*c)->Get("metrics");
  REQUIRE(metrics.ok());
  REQUIRE(metrics->body.find("\ncandor_log_tree_size 3\n") != std::string::npos);

  const int pport = testing::PickFreePort();
  const std::string config = tmp.path() + "/prometheus.yml";
  REQUIRE(fs::WriteFileAtomically(config, AsBytes("global:\n"
                                                  "  scrape_interval: 1s\n"
                                                  "  evaluation_interval: 1s\n"
                                                  "scrape_configs:\n"
                                                  "  - job_name: candor-log\n"
                                                  "    static_configs:\n"
                                                  "      - targets: ['127.0.0.1:" +
                                                  std::to_string(port) + "']\n"))
              .ok());
  Subprocess prometheus(
      {kPrometheus, "--config.file=" + config, "--storage.tsdb.path=" + tmp.path() + "/tsdb",
       "--web.listen-address=127.0.0.1:" + std::to_string(pport)},
      tmp.path() + "/prometheus.log");
  REQUIRE(prometheus.Start());
  REQUIRE(testing::WaitForHttp(pport, "/-/ready", std::chrono::seconds(30)));
  auto prom = HttpClient::Create("http://127.0.0.1:" + std::to_string(pport));
  REQUIRE(prom.ok());
  // up is 1 only when the scrape parsed: the exposition format is valid.
  CHECK(QueryUntilPresent(**prom, "up%7Bjob%3D%22candor-log%22%7D", std::chrono::seconds(30)) ==
        "1");
  CHECK(QueryUntilPresent(**prom, "candor_log_tree_size", std::chrono::seconds(30)) == "3");
  CHECK(QueryUntilPresent(**prom, "candor_log_entries_sequenced_total", std::chrono::seconds(30)) ==
        "3");
  prometheus.Stop();

  // promtool's linter accepts the scraped text as it is.
  if (::access(kPromtool, X_OK) == 0) {
    const std::string scraped = tmp.path() + "/scraped.txt";
    REQUIRE(fs::WriteFileAtomically(scraped, AsBytes(metrics->body)).ok());
    CommandResult lint =
        RunCommand({"/bin/sh", "-c", std::string(kPromtool) + " check metrics < " + scraped});
    CHECK_MESSAGE(lint.exit_code == 0, lint.output);
  }
}

TEST_CASE("promtool accepts the alert rules of examples/prometheus/") {
  CANDOR_SKIP_WITHOUT(kPromtool);
  for (const char* file : {"candor-log.rules.yml", "candor-witness.rules.yml"}) {
    CAPTURE(file);
    CommandResult check =
        RunCommand({kPromtool, "check", "rules",
                    std::string(CANDOR_SOURCE_DIR) + "/examples/prometheus/" + file});
    CHECK_MESSAGE(check.exit_code == 0, check.output);
    CHECK(check.output.find("SUCCESS") != std::string::npos);
  }
}

}  // namespace
}  // namespace candor
