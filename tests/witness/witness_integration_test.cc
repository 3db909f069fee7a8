// Integration tests of the real candor-witness binary on 127.0.0.1: CLI,
// HTTP behaviour, restart, and a crash test that SIGKILLs the witness at
// random moments while checkpoints from two forks of a log are submitted.
//
// Crash test length: CANDOR_WITNESS_CRASH_CYCLES (default 6, the short run of
// the suite). The documented long run (docs/WITNESS.md) is
//   CANDOR_WITNESS_CRASH_CYCLES=60 tests_witness -tc='*crash*'
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "candor/cosignature.h"
#include "candor/http/http_client.h"
#include "candor/log/witness_client.h"
#include "candor/witness/witness_store.h"
#include "candor/witness_protocol.h"
#include "support/subprocess.h"
#include "support/witness_test_util.h"

namespace candor {
namespace {

using testing::CommandResult;
using testing::NewKey;
using testing::RunCommand;
using testing::Subprocess;
using testing::TempDir;
using testing::TestLog;

const std::string kOrigin = "example.com/log";
const std::string kBinary = CANDOR_WITNESS_BINARY;

// A witness directory set up through the CLI, for `log_key`.
struct WitnessDir {
  TempDir tmp;
  std::string dir = tmp.path() + "/w";
  VerifierKey vkey;

  explicit WitnessDir(const VerifierKey& log_key) {
    CommandResult init =
        RunCommand({kBinary, "init", "--dir", dir, "--name", "witness.test/w1"}, false);
    REQUIRE(init.exit_code == 0);
    REQUIRE(!init.output.empty());
    auto parsed = ParseVerifierKey(init.output.substr(0, init.output.find('\n')));
    REQUIRE(parsed.ok());
    vkey = *parsed;
    CommandResult add = RunCommand({kBinary, "logs", "add", "--dir", dir, "--origin", kOrigin,
                                    "--key", FormatVerifierKey(log_key)});
    REQUIRE_MESSAGE(add.exit_code == 0, add.output);
  }

  // Starts `candor-witness serve` on a free port (retrying if another
  // process took the port first); sets *port.
  std::unique_ptr<Subprocess> Serve(int* port) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      *port = testing::PickFreePort();
      REQUIRE(*port > 0);
      auto p = std::make_unique<Subprocess>(
          std::vector<std::string>{kBinary, "serve", "--dir", dir, "--listen",
                                   "127.0.0.1:" + std::to_string(*port)},
          tmp.path() + "/witness.out");
      REQUIRE(p->Start());
      if (testing::WaitForHttp(*port, "/")) return p;
      p->Stop();
    }
    FAIL("candor-witness did not start");
    return nullptr;
  }
};

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

TrustPolicy PolicyFor(const VerifierKey& log_key, const VerifierKey& witness, int port) {
  auto policy = ParseTrustPolicy("log " + FormatVerifierKey(log_key) + "\nwitness w1 " +
                                 FormatVerifierKey(witness) + " " + Url(port) + "\nquorum w1\n");
  REQUIRE(policy.ok());
  return std::move(policy).value();
}

TEST_CASE("candor-witness: CLI, HTTP status codes, restart") {
  auto log_key = NewKey(kOrigin, kKeyTypeEd25519);
  TestLog log(kOrigin, log_key.first, 100);
  WitnessDir w(log_key.second);

  // CLI refusals.
  CHECK(RunCommand({kBinary, "init", "--dir", w.dir, "--name", "again"}).exit_code ==
        ExitCodeFor(Code::kConflict));
  CHECK(RunCommand(
            {kBinary, "logs", "add", "--dir", w.dir, "--origin", kOrigin, "--key", "not-a-key"})
            .exit_code == ExitCodeFor(Code::kMalformed));
  CHECK(RunCommand({kBinary, "frobnicate"}).exit_code == 1);
  CHECK(RunCommand({kBinary, "serve", "--dir", w.dir}).exit_code == 1);
  CommandResult list = RunCommand({kBinary, "logs", "list", "--dir", w.dir});
  CHECK(list.exit_code == 0);
  CHECK(list.output.find("log " + kOrigin) != std::string::npos);
  CHECK(list.output.find("nothing cosigned yet") != std::string::npos);

  int port = 0;
  auto server = w.Serve(&port);

  // A second server on the same directory refuses to start (flock).
  CommandResult second = RunCommand(
      {kBinary, "serve", "--dir", w.dir, "--listen", "127.0.0.1:" + std::to_string(port + 1)});
  CHECK(second.exit_code == ExitCodeFor(Code::kConflict));

  auto client = WitnessClient::Create(PolicyFor(log_key.second, w.vkey, port));
  REQUIRE(client.ok());
  auto r = (*client)->Cosign(log.SignedCheckpoint(5), log.Prover());
  REQUIRE(r.ok());
  CHECK(r->quorum.satisfied);
  r = (*client)->Cosign(log.SignedCheckpoint(40), log.Prover());
  REQUIRE(r.ok());
  CHECK(r->quorum.satisfied);
  auto cp = VerifyCheckpoint(r->note, log_key.second);
  REQUIRE(cp.ok());
  CHECK(VerifyCosignatures(*cp, std::vector<VerifierKey>{w.vkey}).value().size() == 1);

  // Raw HTTP: the spec's status codes and the 409 content type.
  auto http = HttpClient::Create(Url(port));
  REQUIRE(http.ok());
  auto post = [&](const std::string& body) {
    auto res = (*http)->Post("add-checkpoint", body);
    REQUIRE(res.ok());
    return std::move(res).value();
  };
  AddCheckpointRequest req;
  req.checkpoint = log.SignedCheckpoint(50);
  HttpResponse res = post(FormatAddCheckpointRequest(req));
  CHECK(res.status == 409);
  CHECK(res.Header("Content-Type") == "text/x.tlog.size");
  CHECK(res.body == "40\n");
  CHECK(post("old 0\n").status == 400);
  CHECK(post("old 0\n\n" + std::string(kMaxAddCheckpointBodySize + 10, 'x')).status == 413);
  auto other_key = NewKey("other.example/log", kKeyTypeEd25519);
  TestLog other("other.example/log", other_key.first, 10);
  req.checkpoint = other.SignedCheckpoint(3);
  CHECK(post(FormatAddCheckpointRequest(req)).status == 404);
  auto impostor = NewKey(kOrigin, kKeyTypeEd25519);
  TestLog forged(kOrigin, impostor.first, 100);
  req.checkpoint = forged.SignedCheckpoint(50);
  CHECK(post(FormatAddCheckpointRequest(req)).status == 403);
  req.old_size = 40;
  req.checkpoint = log.SignedCheckpoint(50);
  req.proof = log.Proof(40, 50);
  req.proof[0][0] ^= 1;
  CHECK(post(FormatAddCheckpointRequest(req)).status == 422);
  CHECK((*http)->Get("add-checkpoint")->status != 200);

  // GET /metrics: every outcome by Code, cosignatures per configured origin
  // only, requests by route template (docs/WITNESS.md "Metrics and health").
  auto metrics = (*http)->Get("metrics");
  REQUIRE(metrics.ok());
  CHECK(metrics->status == 200);
  CHECK(metrics->Header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  for (const char* line : {
           "candor_witness_cosignatures_total{origin=\"example.com/log\"} 2\n",
           "candor_witness_add_checkpoint_requests_total{code=\"ok\"} 2\n",
           "candor_witness_add_checkpoint_requests_total{code=\"conflict\"} 1\n",
           "candor_witness_add_checkpoint_requests_total{code=\"malformed\"} 1\n",
           "candor_witness_add_checkpoint_requests_total{code=\"not-found\"} 1\n",
           "candor_witness_add_checkpoint_requests_total{code=\"inconsistent\"} 1\n",
           "candor_witness_http_requests_total{route=\"/add-checkpoint\",code=\"413\"} 1\n",
           "candor_witness_http_requests_total{route=\"none\",code=\"405\"} 1\n",
       }) {
    CAPTURE(line);
    CHECK(metrics->body.find(line) != std::string::npos);
  }
  CHECK(metrics->body.find("other.example") == std::string::npos);
  // GET /healthz follows the state store: 503 while it is gone.
  auto health = (*http)->Get("healthz");
  REQUIRE(health.ok());
  CHECK(health->status == 200);
  CHECK(health->body == "ok\n");
  REQUIRE(std::rename((w.dir + "/state").c_str(), (w.dir + "/state.away").c_str()) == 0);
  health = (*http)->Get("healthz");
  REQUIRE(health.ok());
  CHECK(health->status == 503);
  CHECK(health->body.find("state store " + w.dir + "/state is not writable") != std::string::npos);
  REQUIRE(std::rename((w.dir + "/state.away").c_str(), (w.dir + "/state").c_str()) == 0);
  CHECK((*http)->Get("healthz")->status == 200);

  // Graceful stop, restart: the state is kept and a fresh client catches up.
  int status = server->Stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  list = RunCommand({kBinary, "logs", "list", "--dir", w.dir});
  CHECK(list.output.find("state size 40 root " + Base64Encode(log.Root(40))) != std::string::npos);
  server = w.Serve(&port);
  client = WitnessClient::Create(PolicyFor(log_key.second, w.vkey, port));
  REQUIRE(client.ok());
  r = (*client)->Cosign(log.SignedCheckpoint(60), log.Prover());
  REQUIRE(r.ok());
  CHECK(r->quorum.satisfied);
  CHECK(r->witnesses[0].attempts == 2);
  CHECK((*client)->KnownSize("w1") == 60);
}

TEST_CASE("candor-witness serve reloads logs.conf on SIGHUP; a broken file keeps the old list") {
  auto key_a = NewKey(kOrigin, kKeyTypeEd25519);
  TestLog log_a(kOrigin, key_a.first, 50);
  const std::string origin_b = "example.com/log-2027";
  auto key_b = NewKey(origin_b, kKeyTypeEd25519);
  TestLog log_b(origin_b, key_b.first, 50);
  WitnessDir w(key_a.second);
  const std::string out = w.tmp.path() + "/witness.out";
  int port = 0;
  auto server = w.Serve(&port);
  auto cosign = [&](const VerifierKey& log_key, TestLog& log, uint64_t size) {
    auto client = WitnessClient::Create(PolicyFor(log_key, w.vkey, port));
    REQUIRE(client.ok());
    auto r = (*client)->Cosign(log.SignedCheckpoint(size), log.Prover());
    return r.ok() && r->quorum.satisfied;
  };
  CHECK(cosign(key_a.second, log_a, 10));
  CHECK_FALSE(cosign(key_b.second, log_b, 10));  // not configured yet: 404

  // Added on disk: nothing changes until SIGHUP, then the witness cosigns it.
  CommandResult add = RunCommand({kBinary, "logs", "add", "--dir", w.dir, "--origin", origin_b,
                                  "--key", FormatVerifierKey(key_b.second)});
  REQUIRE(add.exit_code == 0);
  CHECK(add.output.find("SIGHUP") != std::string::npos);
  CHECK_FALSE(cosign(key_b.second, log_b, 10));
  REQUIRE(::kill(server->pid(), SIGHUP) == 0);
  REQUIRE(testing::WaitForFileText(out, "(2 logs)"));
  CHECK(cosign(key_b.second, log_b, 10));
  CHECK(cosign(key_a.second, log_a, 20));  // log A's state survived the reload

  // A broken logs.conf: one error line, the old list keeps serving both logs.
  {
    std::ofstream broken(WitnessLogsPath(w.dir), std::ios::trunc);
    broken << "log " << origin_b << " not-a-key\n";
  }
  REQUIRE(::kill(server->pid(), SIGHUP) == 0);
  REQUIRE(testing::WaitForFileText(out, "reload failed, keeping the 2 logs served"));
  CHECK(cosign(key_a.second, log_a, 30));
  CHECK(cosign(key_b.second, log_b, 30));
  int status = server->Stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

int CrashCycles() {
  const char* env = std::getenv("CANDOR_WITNESS_CRASH_CYCLES");
  if (env == nullptr) return 6;
  int n = std::atoi(env);
  return n > 0 ? n : 6;
}

TEST_CASE("candor-witness crash test: SIGKILL at random moments never breaks consistency") {
  auto log_key = NewKey(kOrigin, kKeyTypeEd25519);
  constexpr uint64_t kForkAt = 10;
  const TestLog branches[2] = {TestLog(kOrigin, log_key.first, 20000),
                               TestLog(kOrigin, log_key.first, 20000, "fork", kForkAt)};
  WitnessDir w(log_key.second);
  WitnessStateStore store(WitnessStateDir(w.dir));

  struct Cosigned {
    int branch;
    uint64_t size;
  };
  std::mutex mu;
  std::vector<Cosigned> cosigned;  // every cosignature the witness returned
  uint64_t max_cosigned = 0;
  uint64_t last_stored = 0;
  std::mt19937_64 rng(std::random_device{}());
  const int cycles = CrashCycles();
  int in_flight_kills = 0;
  std::atomic<int> answered[600] = {};  // by HTTP status
  std::atomic<int> transport_errors{0};

  for (int cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    int port = 0;
    auto server = w.Serve(&port);
    std::atomic<bool> stop{false};
    std::atomic<int> requests{0};
    std::vector<std::thread> submitters;
    for (int t = 0; t < 3; ++t) {
      uint64_t seed = rng();
      submitters.emplace_back([&, t, seed] {
        std::mt19937_64 local(seed);
        HttpClientOptions options;
        options.connect_timeout = std::chrono::milliseconds(500);
        options.read_timeout = std::chrono::milliseconds(2000);
        auto http = HttpClient::Create(Url(port), options);
        if (!http.ok()) return;
        uint64_t known = 0;
        while (!stop.load()) {
          // Thread 0 mostly pushes the main branch, thread 1 the fork, thread 2 both.
          int b = t < 2 ? ((local() % 8 == 0) ? 1 - t : t) : static_cast<int>(local() % 2);
          const TestLog& l = branches[b];
          uint64_t size = std::min<uint64_t>(l.size(), known + local() % 16);
          AddCheckpointRequest req;
          req.old_size = known;
          if (known != 0 && known != size) req.proof = l.Proof(known, size);
          req.checkpoint = l.SignedCheckpoint(size);
          ++requests;
          auto res = (*http)->Post("add-checkpoint", FormatAddCheckpointRequest(req));
          if (!res.ok()) {  // killed, or restarting
            ++transport_errors;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
          }
          if (res->status > 0 && res->status < 600) ++answered[res->status];
          if (res->status == 200) {
            auto lines = ParseCosignatureLines(res->body);
            bool valid = lines.ok() && lines->size() == 1 &&
                         VerifyCosignature(w.vkey, l.Body(size), (*lines)[0]).ok();
            std::lock_guard<std::mutex> lock(mu);
            CHECK(valid);
            cosigned.push_back({b, size});
            max_cosigned = std::max(max_cosigned, size);
            known = size;
          } else if (res->status == 409 && res->Header("content-type") == kTlogSizeContentType) {
            auto s = ParseTlogSize(res->body);
            if (s.ok()) known = *s;
          } else if (res->status == 422 || res->status == 409) {
            known = 0;  // on the wrong branch: re-learn the size
          } else {
            std::lock_guard<std::mutex> lock(mu);
            FAIL_CHECK("unexpected status " << res->status << ": " << res->body);
          }
        }
      });
    }
    // Let requests flow, then kill at a random moment (while they are in flight).
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 200));
    if (requests.load() > 0) ++in_flight_kills;
    server->Kill(SIGKILL);
    stop = true;
    for (auto& t : submitters) t.join();

    // The disk state after the crash.
    auto state = store.Load(kOrigin);
    REQUIRE_MESSAGE(state.ok(), state.status().ToString());
    std::lock_guard<std::mutex> lock(mu);
    uint64_t stored = state->has_value() ? (*state)->checkpoint.size : 0;
    CHECK(stored >= max_cosigned);  // every returned cosignature was persisted first
    CHECK(stored >= last_stored);   // the stored size never goes down
    last_stored = stored;
    if (state->has_value()) {
      // The stored checkpoint is a checkpoint of one of the branches, and
      // every cosigned checkpoint is a prefix of it.
      const Hash& root = (*state)->checkpoint.root_hash;
      int sb = HashEqual(root, branches[0].Root(stored)) ? 0 : 1;
      REQUIRE(HashEqual(root, branches[sb].Root(stored)));
      for (const Cosigned& c : cosigned) {
        CHECK(HashEqual(branches[c.branch].Root(c.size), branches[sb].Root(c.size)));
      }
    }
  }
  MESSAGE("crash test: " << cycles << " cycles, " << cosigned.size() << " cosignatures, "
                         << "final stored size " << last_stored
                         << "; answers 200: " << answered[200].load()
                         << ", 409: " << answered[409].load() << ", 422: " << answered[422].load()
                         << ", transport errors: " << transport_errors.load());
  CHECK(in_flight_kills == cycles);
  CHECK(!cosigned.empty());
  // Every pair of cosigned checkpoints is consistent: all are prefixes of the
  // largest one.
  if (!cosigned.empty()) {
    const Cosigned* largest = &cosigned[0];
    for (const Cosigned& c : cosigned) {
      if (c.size > largest->size) largest = &c;
    }
    for (const Cosigned& c : cosigned) {
      CHECK(HashEqual(branches[c.branch].Root(c.size), branches[largest->branch].Root(c.size)));
    }
  }
}

}  // namespace
}  // namespace candor
