// Process-level tests of `candor publish` against a scripted fake log on
// 127.0.0.1 (cpp-httplib), to exercise rate limits, unavailability,
// equivocation and bad proofs deterministically. The end-to-end test runs
// publish against the real candor-log.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "candor/signer.h"
#include "candor/tlog_proof.h"
#include "cli/cli_test_util.h"
#include "support/hostile_server.h"
#include "support/subprocess.h"

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::ReadFile;
using clitest::TempDir;
using clitest::WriteFile;

// Answers /add and /candor/v1/proof from scripted handlers.
class FakeLog {
 public:
  using Handler = std::function<void(int call, const httplib::Request&, httplib::Response&)>;
  FakeLog(Handler add, Handler proof) : add_(std::move(add)), proof_(std::move(proof)) {
    server_.Post("/add", [this](const httplib::Request& req, httplib::Response& res) {
      add_(add_calls_++, req, res);
    });
    server_.Get("/candor/v1/proof", [this](const httplib::Request& req, httplib::Response& res) {
      proof_(proof_calls_++, req, res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // bind_to_any_port already listens: early connections wait in the backlog.
  }
  ~FakeLog() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int add_calls() const { return add_calls_; }
  int proof_calls() const { return proof_calls_; }

 private:
  Handler add_;
  Handler proof_;
  httplib::Server server_;
  int port_ = 0;
  std::atomic<int> add_calls_{0};
  std::atomic<int> proof_calls_{0};
  std::thread thread_;
};

struct Setup {
  TempDir dir;
  SignerKey log_key;
  SignerKey witness_key;
  std::string entry;

  Setup() {
    log_key = GenerateKey("log.example/firmware")->first;
    witness_key = GenerateKey("witness.example/w1", kKeyTypeCosignatureV1)->first;
    clitest::MakeVendorRelease(dir);
    entry = ReadFile(dir / "r.entry");
    WriteFile(dir / "log.pub", FormatVerifierKey(PublicKeyOf(log_key)) + "\n");
    WriteFile(dir / "trust.policy",
              "log " + FormatVerifierKey(PublicKeyOf(log_key)) + "\nwitness w1 " +
                  FormatVerifierKey(PublicKeyOf(witness_key)) + "\nquorum w1\nvendor " +
                  ReadFile(dir / "vendor.pub").substr(0, ReadFile(dir / "vendor.pub").size() - 1) +
                  " p1\n");
  }

  // The log's proof answer for our entry at index 0 of a one-entry tree.
  std::string ProofBody(const std::string& for_entry, bool cosigned) const {
    std::vector<const SignerKey*> witnesses;
    if (cosigned) witnesses.push_back(&witness_key);
    Bundle b =
        ParseBundle(clitest::MakeSingleEntryBundle(for_entry, log_key, witnesses, 1772366400))
            .value();
    TlogProof p;
    p.index = 0;
    p.checkpoint = b.checkpoint_note;
    return FormatTlogProof(p);
  }

  clitest::Run Publish(const std::string& url, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "publish", "--log",          url, "--policy", dir / "trust.policy", dir / "r.entry",
        "--out",   dir / "fw.bundle"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Candor(dir, args);
  }
};

TEST_CASE("publish retries 429 (Retry-After) and 503, waits for coverage, writes the bundle") {
  Setup s;
  FakeLog log(
      [&](int call, const httplib::Request& req, httplib::Response& res) {
        if (call == 0) {
          res.status = 429;
          res.set_header("Retry-After", "1");
          res.set_content("rate limited\n", "text/plain");
        } else if (call == 1) {
          res.status = 503;
          res.set_content("overloaded\n", "text/plain");
        } else {
          CHECK(req.body == s.entry);
          res.set_content("0\n", "text/plain");
        }
      },
      [&](int call, const httplib::Request& req, httplib::Response& res) {
        CHECK(req.get_param_value("index") == "0");
        CHECK(!req.get_param_value("wait").empty());
        if (call == 0) {
          res.status = 404;
          res.set_header("Candor-Error", "not-found");
          res.set_content("not yet covered\n", "text/plain");
        } else {
          res.set_content(s.ProofBody(s.entry, true), "text/plain");
        }
      });
  auto r = s.Publish(log.url());
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(log.add_calls() == 3);
  CHECK(log.proof_calls() == 2);
  CHECK(Contains(r.err, "rate limited"));
  CHECK(Contains(r.out, "published: acme.example 1.0 at index 0"));
  CHECK(Contains(r.out, "cosigned by w1"));
  // `quorum w1` falls to one colluding witness: warned once, not an error.
  CHECK(r.warnings.starts_with("warning: policy quorum 'w1' cannot stop a split view"));
  CHECK(r.warnings.find('\n') == r.warnings.size() - 1);
  // The bundle is what devices verify.
  auto v =
      Candor(s.dir, {"verify", "--policy", s.dir / "trust.policy", "--image", s.dir / "fw.bin",
                     "--bundle", s.dir / "fw.bundle", "--product", "p1", "--now", "1772366460"});
  CHECK_MESSAGE(v.exit_code == 0, v.err);
  // Never overwritten without --force.
  auto again = s.Publish(log.url());
  CHECK(again.exit_code == ExitCodeFor(Code::kConflict));
}

TEST_CASE("publish refusals from the log and from its proof") {
  struct Case {
    std::string name;
    int add_status;
    std::string add_error;  // the Candor-Error header of a refusal ("" = none)
    std::string add_body;
    std::string proof;  // "good", "uncosigned", "other-entry", "garbage", "quorum-failing"
    Code code;
    std::string message;
  };
  const Case cases[] = {
      {"equivocation", 409, "conflict",
       "equivocation: acme.example/p1/1.0 already logged at index 7\n", "", Code::kConflict,
       "already logged at index 7"},
      {"unregistered vendor", 403, "untrusted-key", "vendor key not registered\n", "",
       Code::kUntrustedKey, "not registered"},
      {"bad signature", 403, "bad-signature", "vendor signature does not verify\n", "",
       Code::kBadSignature, "does not verify"},
      // The code is what the server states, whatever the HTTP status.
      {"stated code wins over the status", 403, "mismatch", "changelog mismatch\n", "",
       Code::kMismatch, "changelog mismatch"},
      // Not candor-log (a proxy, say): no code is guessed from the status.
      {"no Candor-Error header", 403, "", "forbidden by proxy\n", "", Code::kUnavailable,
       "no Candor-Error header"},
      {"too large", 413, "too-large", "entry too large\n", "", Code::kTooLarge, "HTTP 413"},
      {"not included", 200, "", "0\n", "other-entry", Code::kNotIncluded, "inclusion"},
      {"garbage proof", 200, "", "0\n", "garbage", Code::kMalformed, "malformed proof"},
      {"no quorum before the timeout", 200, "", "0\n", "uncosigned", Code::kPolicyUnsatisfied,
       "witness quorum not met"},
      // The log cannot publish: its witness quorum is not met (exit 9, not 12).
      {"log cannot meet its quorum", 200, "", "0\n", "quorum-failing", Code::kPolicyUnsatisfied,
       "witness quorum not met"},
      {"malformed index", 200, "", "zero\n", "", Code::kMalformed, "malformed index"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Setup s;
    std::string other = s.entry;
    other.back() = other.back() == 'x' ? 'y' : 'x';
    FakeLog log(
        [&](int, const httplib::Request&, httplib::Response& res) {
          res.status = c.add_status;
          if (!c.add_error.empty()) res.set_header("Candor-Error", c.add_error);
          res.set_content(c.add_body, "text/plain");
        },
        [&](int, const httplib::Request&, httplib::Response& res) {
          if (c.proof == "quorum-failing") {
            res.status = 403;
            res.set_header("Candor-Error", "policy-unsatisfied");
            res.set_content(
                "not yet covered: publishing the next checkpoint failed: witness quorum not met "
                "(0 of 1): w1: unavailable: connection refused\n",
                "text/plain");
          } else if (c.proof == "garbage") {
            res.set_content("c2sp.org/tlog-proof@v1\nnonsense\n", "text/plain");
          } else {
            res.set_content(
                s.ProofBody(c.proof == "other-entry" ? other : s.entry, c.proof != "uncosigned"),
                "text/plain");
          }
        });
    auto r = s.Publish(log.url(), {"--timeout", "2"});
    CHECK(r.exit_code == ExitCodeFor(c.code));
    CHECK_MESSAGE(Contains(r.err, c.message), r.err);
    CHECK(!clitest::Exists(s.dir / "fw.bundle"));
  }
}

TEST_CASE("publish fails cleanly, in bounded time, against a hostile log server") {
  using testing::HostileServer;
  const HostileServer::Behaviour behaviours[] = {
      HostileServer::kEndlessHeader, HostileServer::kManyHeaders, HostileServer::kTrickle,
      HostileServer::kTrickleHeaders,
      HostileServer::kHugeBody, HostileServer::kHugeChunked, HostileServer::kSilent};
  Setup s;
  for (auto b : behaviours) {
    CAPTURE(HostileServer::Name(b));
    HostileServer server(b, std::chrono::milliseconds(200));  // a trickle takes > 200 s
    const auto start = std::chrono::steady_clock::now();
    // --timeout bounds every exchange (here: 2 s + a 2 s grace).
    auto r = s.Publish(server.url(), {"--timeout", "2", "--retries", "1"});
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
    CHECK_MESSAGE((r.exit_code == ExitCodeFor(Code::kTooLarge) ||
                   r.exit_code == ExitCodeFor(Code::kUnavailable)),
                  r.err);
    CHECK(!r.err.empty());
    CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
    CHECK(server.bytes_sent() < (uint64_t{256} << 20));
    CHECK(!clitest::Exists(s.dir / "fw.bundle"));
  }
}

#ifdef CANDOR_LOG_BINARY
TEST_CASE("publish exits 9 when the real log cannot meet its witness quorum") {
  Setup s;
  const std::string log_dir = s.dir / "log";
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, s.dir.path());
  };
  REQUIRE(run({CANDOR_LOG_BINARY, "init", "--dir", log_dir, "--origin", "log.example/firmware"})
              .exit_code == 0);
  REQUIRE(run({CANDOR_LOG_BINARY, "vendors", "add", "--dir", log_dir, s.dir / "vendor.pub"})
              .exit_code == 0);
  std::string log_vkey = ReadFile(log_dir + "/log.pub");
  log_vkey.pop_back();
  // The log's only witness is down: it keeps serving, but cannot publish.
  const int dead = testing::PickFreePort();
  WriteFile(s.dir / "log.policy", "log " + log_vkey + "\nwitness w1 " +
                                      FormatVerifierKey(PublicKeyOf(s.witness_key)) +
                                      " http://127.0.0.1:" + std::to_string(dead) +
                                      "\nquorum w1\n");
  WriteFile(s.dir / "device.policy",
            "log " + log_vkey + "\nwitness w1 " + FormatVerifierKey(PublicKeyOf(s.witness_key)) +
                "\nquorum w1\nvendor " + ReadFile(s.dir / "vendor.pub").substr(0, ReadFile(s.dir / "vendor.pub").size() - 1) + " p1\n");
  std::unique_ptr<testing::Subprocess> log;
  int port = 0;
  for (int attempt = 0; attempt < 5 && !log; ++attempt) {
    port = testing::PickFreePort();
    log = std::make_unique<testing::Subprocess>(
        std::vector<std::string>{CANDOR_LOG_BINARY, "serve", "--dir", log_dir, "--policy",
                                 s.dir / "log.policy", "--checkpoint-interval", "0.2", "--listen",
                                 "127.0.0.1:" + std::to_string(port)},
        s.dir / "log.out");
    REQUIRE(log->Start());
    if (!testing::WaitForHttp(port, "/checkpoint", std::chrono::milliseconds(5000))) log.reset();
  }
  REQUIRE_MESSAGE(log != nullptr, ReadFile(s.dir / "log.out"));
  auto r = Candor(s.dir, {"publish", "--log", "http://127.0.0.1:" + std::to_string(port),
                          "--policy", s.dir / "device.policy", s.dir / "r.entry", "--out",
                          s.dir / "fw.bundle", "--timeout", "3"});
  CHECK_MESSAGE(r.exit_code == ExitCodeFor(Code::kPolicyUnsatisfied), r.err);
  CHECK_MESSAGE(Contains(r.err, "witness quorum not met"), r.err);
  CHECK(!clitest::Exists(s.dir / "fw.bundle"));
}
#endif

TEST_CASE("publish gives up on an unavailable log with a clear message") {
  Setup s;
  {
    FakeLog log(
        [](int, const httplib::Request&, httplib::Response& res) {
          res.status = 503;
          res.set_content("shutting down\n", "text/plain");
        },
        [](int, const httplib::Request&, httplib::Response&) {});
    auto r = s.Publish(log.url(), {"--retries", "2"});
    CHECK(r.exit_code == ExitCodeFor(Code::kUnavailable));
    CHECK(Contains(r.err, "gave up after 2 attempts"));
    CHECK(log.add_calls() == 2);
  }
  int port = testing::PickFreePort();  // nothing listens there
  auto r = s.Publish("http://127.0.0.1:" + std::to_string(port), {"--retries", "2"});
  CHECK(r.exit_code == ExitCodeFor(Code::kUnavailable));
  CHECK(Contains(r.err, "gave up after 2 attempts"));

  // Usage errors.
  CHECK(Candor(s.dir,
               {"publish", "--log", "http://127.0.0.1:1", s.dir / "r.entry", "--out", s.dir / "x"})
            .exit_code == 1);
  CHECK(s.Publish("ftp://example.org").exit_code == ExitCodeFor(Code::kInvalidArgument));
}

}  // namespace
}  // namespace candor
