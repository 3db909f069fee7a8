// Tests of the log-side witness client (candor/log/witness_client.h) against
// in-process witnesses served over loopback HTTP, and against fake witnesses
// that misbehave.
#include "candor/log/witness_client.h"

#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "candor/cosignature.h"
#include "candor/witness/witness.h"
#include "candor/witness_protocol.h"
#include "candor/witness/witness_routes.h"
#include "candor/policy.h"
#include "support/hostile_server.h"
#include "support/subprocess.h"
#include "support/witness_test_util.h"

namespace candor {
namespace {

using testing::NewKey;
using testing::TempDir;
using testing::TestLog;

const std::string kOrigin = "example.com/log";

// An httplib server on 127.0.0.1:<any port>, running in a thread: fake
// witnesses that answer what a test wants.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<void(httplib::Server&)> install) {
    install(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      done_ = true;
    });
    // stop() is a no-op until the accept loop runs: wait for it, or the
    // destructor could hang in join().
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() {
    server_.stop();
    // Belt and braces: under ThreadSanitizer the listen thread was seen stuck
    // in accept() after stop(); a connection wakes it up.
    while (!done_.load()) {
      httplib::Client poke("127.0.0.1", port_);
      poke.set_connection_timeout(0, 100000);
      poke.Get("/");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = -1;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The witness's own HTTP server (http_server.h) on 127.0.0.1:<any port>.
class WitnessServer {
 public:
  explicit WitnessServer(Witness& witness) {
    auto s = HttpServer::Bind(WitnessHttpOptions("127.0.0.1", 0));
    REQUIRE(s.ok());
    server_ = std::move(s).value();
    WitnessRoutesOptions options;
    options.access_log = false;
    InstallWitnessRoutes(*server_, witness, options);
    REQUIRE(server_->Start().ok());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

 private:
  std::unique_ptr<HttpServer> server_;
};

// A real Witness (state in its own temp dir) behind its HTTP server.
struct TestWitness {
  TempDir dir;
  std::pair<SignerKey, VerifierKey> key;
  std::unique_ptr<Witness> witness;
  std::unique_ptr<WitnessServer> server;

  TestWitness(const std::string& name, const VerifierKey& log_key)
      : key(NewKey(name, kKeyTypeCosignatureV1)) {
    ::mkdir((dir.path() + "/state").c_str(), 0700);
    Restart(log_key);
  }
  // Drops the witness and starts a new one on the same state (a restart).
  void Restart(const VerifierKey& log_key) {
    server.reset();
    witness.reset();
    auto w = Witness::Create(key.first, {{kOrigin, {log_key}}}, dir.path() + "/state");
    REQUIRE(w.ok());
    witness = std::move(w).value();
    server = std::make_unique<WitnessServer>(*witness);
  }
  uint64_t StoredSize() {
    auto state = witness->State(kOrigin);
    REQUIRE(state.ok());
    return state->has_value() ? (*state)->checkpoint.size : 0;
  }
};

TrustPolicy MakePolicy(const VerifierKey& log_key,
                       const std::vector<std::tuple<std::string, VerifierKey, std::string>>& ws,
                       const std::string& quorum_lines) {
  std::string text = "log " + FormatVerifierKey(log_key) + "\n";
  for (const auto& [name, key, url] : ws) {
    text +=
        "witness " + name + " " + FormatVerifierKey(key) + (url.empty() ? "" : " " + url) + "\n";
  }
  text += quorum_lines;
  auto policy = ParseTrustPolicy(text);
  REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
  return std::move(policy).value();
}

WitnessClientOptions FastOptions() {
  WitnessClientOptions o;
  o.http.connect_timeout = std::chrono::milliseconds(1000);
  o.http.read_timeout = std::chrono::milliseconds(2000);
  o.http.write_timeout = std::chrono::milliseconds(2000);
  // These tests check every witness's verdict: a round whose quorum is met
  // still waits this long for the others (it ends as soon as all answered).
  // The default 100 ms is too short under sanitizers on a loaded machine; the
  // trickle test sets the default back to show the round does not wait.
  o.quorum_grace = std::chrono::seconds(10);
  return o;
}

struct ClientFixture {
  std::pair<SignerKey, VerifierKey> log_key = NewKey(kOrigin, kKeyTypeEd25519);
  TestLog log{kOrigin, log_key.first, 200};
  TestLog fork{kOrigin, log_key.first, 200, "fork", 10};
  TestWitness w1{"witness.test/w1", log_key.second};
  TestWitness w2{"witness.test/w2", log_key.second};

  TrustPolicy Policy(const std::string& quorum = "group both all w1 w2\nquorum both\n") {
    return MakePolicy(
        log_key.second,
        {{"w1", w1.key.second, w1.server->url()}, {"w2", w2.key.second, w2.server->url()}}, quorum);
  }
};

// Checks that `note` is l's checkpoint of `size` with valid cosignatures from
// exactly `witnesses`.
void ExpectCosignedNote(const std::string& note, const TestLog& l, uint64_t size,
                        const std::vector<VerifierKey>& witnesses) {
  auto cp = VerifyCheckpoint(note, l.public_key());
  REQUIRE_MESSAGE(cp.ok(), cp.status().ToString());
  CHECK(cp->body == l.Body(size));
  auto cosigs = VerifyCosignatures(*cp, witnesses);
  REQUIRE_MESSAGE(cosigs.ok(), cosigs.status().ToString());
  CHECK(cosigs->size() == witnesses.size());
}

TEST_CASE("witness client: collects cosignatures, follows growth with proofs") {
  ClientFixture f;
  auto client = WitnessClient::Create(f.Policy(), FastOptions());
  REQUIRE(client.ok());
  std::atomic<int> proofs{0};
  ConsistencyProofFn prove = [&](uint64_t old_size, uint64_t new_size) {
    ++proofs;
    CHECK(old_size == 5);
    CHECK(new_size == 40);
    return f.log.Prover()(old_size, new_size);
  };

  auto r = (*client)->Cosign(f.log.SignedCheckpoint(5), prove);
  REQUIRE(r.ok());
  CHECK(r->quorum.satisfied);
  CHECK(proofs == 0);  // from size 0 no proof is needed
  REQUIRE(r->witnesses.size() == 2);
  for (const auto& report : r->witnesses) {
    CHECK_MESSAGE(report.status.ok(), report.status.ToString());
    CHECK(report.attempts == 1);
  }
  ExpectCosignedNote(r->note, f.log, 5, {f.w1.key.second, f.w2.key.second});
  CHECK((*client)->KnownSize("w1") == 5);
  CHECK((*client)->KnownSize("nope") == std::nullopt);

  r = (*client)->Cosign(f.log.SignedCheckpoint(40), prove);
  REQUIRE(r.ok());
  CHECK(r->quorum.satisfied);
  CHECK(proofs == 2);  // one per witness
  ExpectCosignedNote(r->note, f.log, 40, {f.w1.key.second, f.w2.key.second});
  CHECK(f.w1.StoredSize() == 40);
  CHECK(f.w2.StoredSize() == 40);

  // Same size again (a republish for fresh timestamps): no proof, still cosigned.
  r = (*client)->Cosign(f.log.SignedCheckpoint(40), prove);
  REQUIRE(r.ok());
  CHECK(r->quorum.satisfied);
  CHECK(proofs == 2);
}

TEST_CASE("witness client: a restarted log catches up through 409 text/x.tlog.size") {
  ClientFixture f;
  {
    auto client = WitnessClient::Create(f.Policy(), FastOptions());
    REQUIRE(client.ok());
    REQUIRE((*client)->Cosign(f.log.SignedCheckpoint(30), f.log.Prover())->quorum.satisfied);
  }
  f.w1.Restart(f.log_key.second);  // witnesses restart too; state is on disk
  auto client = WitnessClient::Create(f.Policy(), FastOptions());  // knows nothing: size 0
  REQUIRE(client.ok());
  auto r = (*client)->Cosign(f.log.SignedCheckpoint(77), f.log.Prover());
  REQUIRE(r.ok());
  CHECK(r->quorum.satisfied);
  for (const auto& report : r->witnesses) {
    CHECK_MESSAGE(report.status.ok(), report.status.ToString());
    CHECK(report.attempts == 2);  // 409 with the stored size, then success
  }
  CHECK((*client)->KnownSize("w2") == 77);
  ExpectCosignedNote(r->note, f.log, 77, {f.w1.key.second, f.w2.key.second});
}

TEST_CASE("witness client: unreachable and URL-less witnesses, partial quorum") {
  ClientFixture f;
  auto w3 = NewKey("witness.test/w3", kKeyTypeCosignatureV1);
  auto w4 = NewKey("witness.test/w4", kKeyTypeCosignatureV1);
  int dead_port = testing::PickFreePort();  // nothing listens there
  REQUIRE(dead_port > 0);
  std::vector<std::tuple<std::string, VerifierKey, std::string>> ws = {
      {"w1", f.w1.key.second, f.w1.server->url()},
      {"w3", w3.second, "http://127.0.0.1:" + std::to_string(dead_port)},
      {"w4", w4.second, ""}};
  SUBCASE("two of three required: not met") {
    auto client = WitnessClient::Create(
        MakePolicy(f.log_key.second, ws, "group g 2 w1 w3 w4\nquorum g\n"), FastOptions());
    REQUIRE(client.ok());
    auto r = (*client)->Cosign(f.log.SignedCheckpoint(9), f.log.Prover());
    REQUIRE(r.ok());
    CHECK_FALSE(r->quorum.satisfied);
    REQUIRE(r->witnesses.size() == 3);
    CHECK(r->witnesses[0].status.ok());
    CHECK(r->witnesses[1].status.code() == Code::kUnavailable);
    CHECK(r->witnesses[2].status.code() == Code::kNotFound);
    CHECK(r->witnesses[2].attempts == 0);
    // The cosignature that was obtained is on the note anyway.
    ExpectCosignedNote(r->note, f.log, 9, {f.w1.key.second});
  }
  SUBCASE("any one: met") {
    auto client = WitnessClient::Create(
        MakePolicy(f.log_key.second, ws, "group g any w1 w3 w4\nquorum g\n"), FastOptions());
    REQUIRE(client.ok());
    auto r = (*client)->Cosign(f.log.SignedCheckpoint(9), f.log.Prover());
    REQUIRE(r.ok());
    CHECK(r->quorum.satisfied);
  }
  SUBCASE("sequential mode gives the same verdicts") {
    WitnessClientOptions options = FastOptions();
    options.parallel = false;
    auto client = WitnessClient::Create(
        MakePolicy(f.log_key.second, ws, "group g any w1 w3 w4\nquorum g\n"), options);
    REQUIRE(client.ok());
    auto r = (*client)->Cosign(f.log.SignedCheckpoint(9), f.log.Prover());
    REQUIRE(r.ok());
    CHECK(r->quorum.satisfied);
    CHECK(r->witnesses[1].status.code() == Code::kUnavailable);
  }
}

TEST_CASE("witness client: a trickling witness does not hold a round whose quorum is met") {
  // w1 and w2 answer at once; "slow" sends a byte every 200 ms (its answer
  // would take minutes) and never stalls long enough for a stall timeout.
  ClientFixture f;
  auto slow_key = NewKey("witness.test/slow", kKeyTypeCosignatureV1);
  testing::HostileServer slow(testing::HostileServer::kTrickle, std::chrono::milliseconds(200));
  WitnessClientOptions o = FastOptions();
  o.http.read_timeout = std::chrono::milliseconds(5000);
  o.http.deadline = std::chrono::minutes(10);  // only the round may end the wait
  o.round_timeout = std::chrono::minutes(10);
  o.quorum_grace = WitnessClientOptions{}.quorum_grace;  // the default: the round must not wait
  const std::vector<std::tuple<std::string, VerifierKey, std::string>> ws = {
      {"w1", f.w1.key.second, f.w1.server->url()},
      {"slow", slow_key.second, slow.url()},
      {"w2", f.w2.key.second, f.w2.server->url()}};
  auto client =
      WitnessClient::Create(MakePolicy(f.log_key.second, ws, "group g 2 w1 slow w2\nquorum g\n"), o);
  REQUIRE(client.ok());
  for (uint64_t size : {5, 9}) {
    CAPTURE(size);
    const auto start = std::chrono::steady_clock::now();
    auto r = (*client)->Cosign(f.log.SignedCheckpoint(size), f.log.Prover());
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(r.ok());
    CHECK(r->quorum.satisfied);
    REQUIRE(r->witnesses.size() == 3);
    CHECK(r->witnesses[0].status.ok());
    CHECK(r->witnesses[2].status.ok());
    CHECK_MESSAGE(r->witnesses[1].status.code() == Code::kUnavailable, r->witnesses[1].status.ToString());
    ExpectCosignedNote(r->note, f.log, size, {f.w1.key.second, f.w2.key.second});
    // Returned long before the trickler could have answered (> 200 s).
    CHECK(took < std::chrono::seconds(60));
  }
  CHECK(slow.connections() == 1);  // the second round did not pile up a request
}

TEST_CASE("witness client: hostile witnesses fail their own report in bounded time") {
  using testing::HostileServer;
  const HostileServer::Behaviour behaviours[] = {
      HostileServer::kEndlessHeader, HostileServer::kManyHeaders, HostileServer::kTrickle,
      HostileServer::kTrickleHeaders,
      HostileServer::kHugeBody, HostileServer::kHugeChunked};
  for (auto b : behaviours) {
    CAPTURE(HostileServer::Name(b));
    ClientFixture f;
    auto bad_key = NewKey("witness.test/bad", kKeyTypeCosignatureV1);
    HostileServer bad(b, std::chrono::milliseconds(200));
    WitnessClientOptions o = FastOptions();  // default HTTP limits; a short deadline
    o.http.read_timeout = std::chrono::milliseconds(5000);
    o.http.deadline = std::chrono::milliseconds(1500);
    auto client = WitnessClient::Create(
        MakePolicy(f.log_key.second,
                   {{"w1", f.w1.key.second, f.w1.server->url()}, {"bad", bad_key.second, bad.url()}},
                   "group g all w1 bad\nquorum g\n"),
        o);
    REQUIRE(client.ok());
    const auto start = std::chrono::steady_clock::now();
    auto r = (*client)->Cosign(f.log.SignedCheckpoint(5), f.log.Prover());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
    REQUIRE(r.ok());
    CHECK_FALSE(r->quorum.satisfied);
    CHECK(r->witnesses[0].status.ok());
    const Code code = r->witnesses[1].status.code();
    CHECK_MESSAGE((code == Code::kTooLarge || code == Code::kUnavailable),
                  r->witnesses[1].status.ToString());
    CHECK(bad.bytes_sent() < (uint64_t{256} << 20));
  }
}

TEST_CASE("witness client: the round deadline ends a round whose quorum is not met") {
  ClientFixture f;
  auto slow_key = NewKey("witness.test/slow", kKeyTypeCosignatureV1);
  testing::HostileServer slow(testing::HostileServer::kTrickle, std::chrono::milliseconds(200));
  WitnessClientOptions o = FastOptions();
  o.http.read_timeout = std::chrono::milliseconds(5000);
  o.http.deadline = std::chrono::minutes(10);
  o.round_timeout = std::chrono::milliseconds(1500);
  const std::vector<std::tuple<std::string, VerifierKey, std::string>> ws = {
      {"w1", f.w1.key.second, f.w1.server->url()}, {"slow", slow_key.second, slow.url()}};
  auto client =
      WitnessClient::Create(MakePolicy(f.log_key.second, ws, "group g all w1 slow\nquorum g\n"), o);
  REQUIRE(client.ok());
  const auto start = std::chrono::steady_clock::now();
  auto r = (*client)->Cosign(f.log.SignedCheckpoint(5), f.log.Prover());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
  REQUIRE(r.ok());
  CHECK_FALSE(r->quorum.satisfied);
  CHECK(r->witnesses[0].status.ok());
  CHECK(r->witnesses[1].status.code() == Code::kUnavailable);
  CHECK(r->witnesses[1].status.message().find("round deadline") != std::string::npos);
}

TEST_CASE("witness client: a witness on another branch refuses the fork (422)") {
  ClientFixture f;
  // The honest branch reaches w1 first.
  {
    auto client = WitnessClient::Create(f.Policy(), FastOptions());
    REQUIRE((*client)->Cosign(f.log.SignedCheckpoint(50), f.log.Prover())->quorum.satisfied);
  }
  // A forked log (same key) tries to get its split view cosigned.
  auto client = WitnessClient::Create(f.Policy(), FastOptions());
  REQUIRE(client.ok());
  auto r = (*client)->Cosign(f.fork.SignedCheckpoint(60), f.fork.Prover());
  REQUIRE(r.ok());
  CHECK_FALSE(r->quorum.satisfied);
  for (const auto& report : r->witnesses) {
    CHECK(report.status.code() == Code::kInconsistent);
    CHECK(report.attempts == 2);
  }
  // Same size as the witnesses' state, different root: 409 without a size.
  r = (*client)->Cosign(f.fork.SignedCheckpoint(50), f.fork.Prover());
  REQUIRE(r.ok());
  for (const auto& report : r->witnesses) CHECK_MESSAGE(report.status.code() == Code::kConflict, report.status.ToString());
  // A checkpoint smaller than what the witness cosigned: it is ahead of us.
  r = (*client)->Cosign(f.log.SignedCheckpoint(20), f.log.Prover());
  REQUIRE(r.ok());
  for (const auto& report : r->witnesses) CHECK(report.status.code() == Code::kConflict);
  CHECK(f.w1.StoredSize() == 50);
}

TEST_CASE("witness client: refuses a checkpoint the policy's log did not sign") {
  ClientFixture f;
  auto client = WitnessClient::Create(f.Policy(), FastOptions());
  REQUIRE(client.ok());
  auto impostor = NewKey(kOrigin, kKeyTypeEd25519);
  TestLog forged(kOrigin, impostor.first, 10);
  CHECK_FALSE((*client)->Cosign(forged.SignedCheckpoint(5), forged.Prover()).ok());
  CHECK((*client)->Cosign("not a checkpoint", forged.Prover()).status().code() == Code::kMalformed);
  CHECK(f.w1.StoredSize() == 0);
}

TEST_CASE("witness client: misbehaving witnesses fail only their own report") {
  ClientFixture f;
  auto fake_key = NewKey("witness.test/fake", kKeyTypeCosignatureV1);
  auto other_key = NewKey("witness.test/fake", kKeyTypeCosignatureV1);  // same name, other key
  struct Case {
    const char* name;
    std::function<void(const httplib::Request&, httplib::Response&)> handler;
    Code expected;
  };
  auto cosign_with = [&](const SignerKey& k, std::string_view body, uint64_t ts) {
    return FormatSignatureLine(Cosign(k, body, ts).value());
  };
  const std::string body5 = f.log.Body(5);
  const Case cases[] = {
      {"garbage 200",
       [](const httplib::Request&, httplib::Response& res) {
         res.set_content("hello\n", "text/plain");
       },
       Code::kMalformed},
      {"cosignature by another key under the same name",
       [&](const httplib::Request&, httplib::Response& res) {
         res.set_content(cosign_with(other_key.first, body5, 1), "text/plain");
       },
       Code::kBadSignature},
      {"cosignature over another checkpoint",
       [&](const httplib::Request&, httplib::Response& res) {
         res.set_content(cosign_with(fake_key.first, f.log.Body(6), 1), "text/plain");
       },
       Code::kBadSignature},
      {"409 without a size",
       [](const httplib::Request&, httplib::Response& res) {
         res.status = 409;
         res.set_content("conflict\n", "text/plain");
       },
       Code::kConflict},
      {"409 with a malformed size",
       [](const httplib::Request&, httplib::Response& res) {
         res.status = 409;
         res.set_content("012\n", "text/x.tlog.size");
       },
       Code::kMalformed},
      {"409 forever",
       [](const httplib::Request& req, httplib::Response& res) {
         // Claims a different size every time.
         auto parsed = ParseAddCheckpointRequest(req.body);
         res.status = 409;
         res.set_content(FormatTlogSize(parsed.ok() ? (parsed->old_size + 1) % 5 : 1),
                         "text/x.tlog.size; charset=utf-8");
       },
       Code::kConflict},
      {"500", [](const httplib::Request&, httplib::Response& res) { res.status = 500; },
       Code::kUnavailable},
      {"403", [](const httplib::Request&, httplib::Response& res) { res.status = 403; },
       Code::kBadSignature},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    LoopbackServer fake([&](httplib::Server& s) { s.Post("/add-checkpoint", c.handler); });
    auto client = WitnessClient::Create(MakePolicy(f.log_key.second,
                                                   {{"w1", f.w1.key.second, f.w1.server->url()},
                                                    {"fake", fake_key.second, fake.url()}},
                                                   "group g any w1 fake\nquorum g\n"),
                                        FastOptions());
    REQUIRE(client.ok());
    auto r = (*client)->Cosign(f.log.SignedCheckpoint(5), f.log.Prover());
    REQUIRE(r.ok());
    CHECK(r->witnesses[0].status.ok());
    CHECK_MESSAGE(r->witnesses[1].status.code() == c.expected, r->witnesses[1].status.ToString());
    CHECK(r->quorum.satisfied);
    ExpectCosignedNote(r->note, f.log, 5, {f.w1.key.second});
    CHECK(r->note.find("witness.test/fake") == std::string::npos);
  }
  // A response carrying extra lines from unknown keys: those are ignored.
  auto stranger = NewKey("stranger.example/w", kKeyTypeCosignatureV1);
  LoopbackServer chatty([&](httplib::Server& s) {
    s.Post("/add-checkpoint", [&](const httplib::Request&, httplib::Response& res) {
      res.set_content(cosign_with(stranger.first, body5, 7) + cosign_with(fake_key.first, body5, 7),
                      "text/plain");
    });
  });
  auto client = WitnessClient::Create(
      MakePolicy(f.log_key.second, {{"fake", fake_key.second, chatty.url()}}, "quorum fake\n"),
      FastOptions());
  REQUIRE(client.ok());
  auto r = (*client)->Cosign(f.log.SignedCheckpoint(5), f.log.Prover());
  REQUIRE(r.ok());
  CHECK(r->quorum.satisfied);
  CHECK(r->witnesses[0].timestamp == 7);
  CHECK(r->note.find("stranger.example/w") == std::string::npos);
  ExpectCosignedNote(r->note, f.log, 5, {fake_key.second});
}

TEST_CASE("witness client: a bad witness URL is refused at creation") {
  ClientFixture f;
  auto w = NewKey("witness.test/x", kKeyTypeCosignatureV1);
  auto client = WitnessClient::Create(
      MakePolicy(f.log_key.second, {{"x", w.second, "ftp://example.com"}}, "quorum x\n"));
  CHECK(client.status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace candor
