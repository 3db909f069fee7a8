// Rotating the log by shards, end to end with the real servers on 127.0.0.1
// (docs/LOG.md "Rotating the log key with shards"): shard A is served and
// cosigned by a witness, an entry is sequenced but not yet in any
// checkpoint, A is stopped and frozen (its final checkpoint covers that
// entry and is cosigned), the witness learns shard B through `candor-witness
// logs add` + SIGHUP, B takes the new releases, and a device policy listing
// both logs accepts releases from each. The frozen A refuses new entries
// with 409 conflict (exit 11) across restarts, still answers an entry it
// holds and serves proofs, and `candor audit sync` mirrors it at its final
// size.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <memory>

#include "candor/checkpoint.h"
#include "candor/http/http_client.h"
#include "cli/cli_test_util.h"
#include "support/subprocess.h"

#if defined(CANDOR_LOG_BINARY) && defined(CANDOR_WITNESS_BINARY)

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::FirstLine;
using clitest::ReadFile;
using clitest::Run;
using clitest::TempDir;
using clitest::Trim;
using clitest::WriteFile;
using testing::Subprocess;

const std::string kLog = CANDOR_LOG_BINARY;
const std::string kWitness = CANDOR_WITNESS_BINARY;
const std::string kOriginA = "log.example/firmware";
const std::string kOriginB = "log.example/firmware/2027";

TEST_CASE("shards: freeze the old log, publish to the new one, devices and auditors see both") {
  TempDir dir;
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, dir.path());
  };
  for (const auto& [name, origin] : {std::pair{"a", kOriginA}, std::pair{"b", kOriginB}}) {
    Run init = run({kLog, "init", "--dir", dir / name, "--origin", origin});
    REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  }
  const std::string vkey_a = Trim(ReadFile(dir / "a/log.pub"));
  const std::string vkey_b = Trim(ReadFile(dir / "b/log.pub"));

  // The witness knows shard A only, for now.
  Run w = run({kWitness, "init", "--dir", dir / "witness", "--name", "witness.example/w1"});
  REQUIRE_MESSAGE(w.exit_code == 0, w.err);
  const std::string witness_vkey = FirstLine(w.out);
  REQUIRE(run({kWitness, "logs", "add", "--dir", dir / "witness", "--origin", kOriginA, "--key",
               vkey_a})
              .exit_code == 0);
  int witness_port = 0;
  auto witness = testing::ServeOnFreePort({kWitness, "serve", "--dir", dir / "witness"},
                                          dir / "witness.out", "/", &witness_port);
  REQUIRE_MESSAGE(witness != nullptr, ReadFile(dir / "witness.out"));
  const std::string witness_line = "witness w1 " + witness_vkey +
                                   " http://127.0.0.1:" + std::to_string(witness_port) +
                                   "\nquorum w1\n";
  WriteFile(dir / "a.policy", "log " + vkey_a + "\n" + witness_line);
  WriteFile(dir / "b.policy", "log " + vkey_b + "\n" + witness_line);

  Run keygen = Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "vendor"});
  REQUIRE_MESSAGE(keygen.exit_code == 0, keygen.err);
  for (const char* shard : {"a", "b"}) {
    REQUIRE(run({kLog, "vendors", "add", "--dir", dir / shard, dir / "vendor.pub"}).exit_code == 0);
  }
  // The device trusts both shards during the overlap.
  WriteFile(dir / "device.policy", "log " + vkey_a + "\nlog " + vkey_b + "\n" + witness_line +
                                       "max-checkpoint-age 3600\nvendor " + Trim(keygen.out) +
                                       " printer-x\n");

  auto serve = [&](const std::string& shard, const std::string& interval) {
    int port = 0;
    auto p =
        testing::ServeOnFreePort({kLog, "serve", "--dir", dir / shard, "--policy",
                                  dir / (shard + ".policy"), "--checkpoint-interval", interval},
                                 dir / (shard + ".out"), "/checkpoint", &port);
    REQUIRE_MESSAGE(p != nullptr, ReadFile(dir / (shard + ".out")));
    return std::pair{std::move(p), "http://127.0.0.1:" + std::to_string(port)};
  };
  WriteFile(dir / "CHANGELOG.md", "# release\n");
  auto create = [&](const std::string& version, const std::string& rollback) {
    clitest::WriteImage(dir / ("fw-" + version + ".bin"), 4096, std::stoi(rollback));
    Run r = Candor(dir, {"release", "create", "--key", dir / "vendor.key", "--product", "printer-x",
                         "--version", version, "--rollback", rollback, "--image",
                         dir / ("fw-" + version + ".bin"), "--changelog", dir / "CHANGELOG.md",
                         "--out", dir / (version + ".entry")});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  };
  auto publish = [&](const std::string& url, const std::string& version) {
    return Candor(
        dir, {"publish", "--log", url, "--policy", dir / "device.policy",
              dir / (version + ".entry"), "--out", dir / (version + ".bundle"), "--timeout", "60"});
  };
  auto verify = [&](const std::string& version) {
    return Candor(dir, {"verify", "--policy", dir / "device.policy", "--image",
                        dir / ("fw-" + version + ".bin"), "--bundle", dir / (version + ".bundle"),
                        "--product", "printer-x"});
  };
  auto shard = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {kLog, "shard"});
    return run(args);
  };

  // 1.0 goes to shard A as usual.
  auto [log_a, url_a] = serve("a", "0.2");
  create("1.0", "1");
  Run pub = publish(url_a, "1.0");
  REQUIRE_MESSAGE(pub.exit_code == 0, pub.err);
  CHECK(Contains(pub.out, "at index 0 of " + kOriginA));
  REQUIRE_MESSAGE(verify("1.0").exit_code == 0, verify("1.0").err);

  // 1.1 is sequenced (durable, index 1) but no checkpoint covers it yet.
  log_a->Stop();
  std::tie(log_a, url_a) = serve("a", "3600");
  create("1.1", "2");
  {
    auto http = HttpClient::Create(url_a);
    REQUIRE(http.ok());
    auto added = (*http)->Post("add", ReadFile(dir / "1.1.entry"));
    REQUIRE(added.ok());
    REQUIRE_MESSAGE(added->status == 200, added->body);
    CHECK(added->body == "1\n");
    auto cp = ParseSignedCheckpointUnverified(ReadFile(dir / "a/checkpoint"));
    REQUIRE(cp.ok());
    CHECK(cp->checkpoint.size == 1);
  }

  // Freezing needs the server stopped (it holds the directory's lock) and the
  // serve policy (so the final checkpoint is cosigned as usual).
  Run busy = shard({"freeze", "--dir", dir / "a", "--policy", dir / "a.policy"});
  CHECK(busy.exit_code == ExitCodeFor(Code::kConflict));
  CHECK_MESSAGE(Contains(busy.err, "stop it"), busy.err);
  CHECK(!clitest::Exists(dir / "a/frozen"));
  log_a->Stop();
  CHECK(shard({"freeze", "--dir", dir / "a"}).exit_code == 1);
  Run freeze = shard({"freeze", "--dir", dir / "a", "--policy", dir / "a.policy", "--json"});
  REQUIRE_MESSAGE(freeze.exit_code == 0, freeze.err);
  CHECK_MESSAGE(Contains(freeze.out, "\"already_frozen\":false"), freeze.out);
  CHECK(Contains(freeze.out, "\"final_size\":2"));  // 1.1 is not lost
  Run again = shard({"freeze", "--dir", dir / "a", "--policy", dir / "a.policy"});
  CHECK(again.exit_code == 0);
  CHECK_MESSAGE(FirstLine(again.out) == "already frozen: " + kOriginA, again.out);
  Run status = shard({"status", "--dir", dir / "a", "--policy", dir / "a.policy", "--json"});
  REQUIRE_MESSAGE(status.exit_code == 0, status.err);
  CHECK_MESSAGE(Contains(status.out, "\"size\":2,"), status.out);
  CHECK(Contains(status.out, "\"frozen\":true"));
  CHECK(Contains(status.out, "\"final_size\":2"));
  CHECK(Contains(status.out, "\"quorum\":\"satisfied\",\"quorum_detail\":\"w1\""));
  Run status_b = shard({"status", "--dir", dir / "b"});
  CHECK(status_b.exit_code == 0);
  CHECK(Contains(status_b.out, "not frozen"));
  CHECK(Contains(status_b.out, "checkpoint quorum unchecked"));

  // The frozen A, served again: an entry it holds is answered (the vendor of
  // 1.1 gets its bundle, covered by the final checkpoint), a new one refused.
  std::tie(log_a, url_a) = serve("a", "0.2");
  pub = publish(url_a, "1.1");
  REQUIRE_MESSAGE(pub.exit_code == 0, pub.err);
  CHECK(Contains(pub.out, "at index 1 of " + kOriginA));
  Run ok_a = verify("1.1");
  CHECK_MESSAGE(ok_a.exit_code == 0, ok_a.err);
  create("2.0", "3");
  Run refused = publish(url_a, "2.0");
  CHECK(refused.exit_code == ExitCodeFor(Code::kConflict));
  CHECK_MESSAGE(Contains(refused.err, "frozen at tree size 2"), refused.err);
  CHECK(!clitest::Exists(dir / "2.0.bundle"));
  {
    auto http = HttpClient::Create(url_a);
    REQUIRE(http.ok());
    auto proof = (*http)->Get("candor/v1/proof?index=0");
    REQUIRE(proof.ok());
    CHECK(proof->status == 200);
    auto add = (*http)->Post("add", ReadFile(dir / "2.0.entry"));
    REQUIRE(add.ok());
    CHECK(add->status == 409);
    CHECK(add->Header("Candor-Error") == "conflict");
  }

  // Shard B: the witness learns it on SIGHUP, then B takes 2.0.
  REQUIRE(run({kWitness, "logs", "add", "--dir", dir / "witness", "--origin", kOriginB, "--key",
               vkey_b})
              .exit_code == 0);
  REQUIRE(::kill(witness->pid(), SIGHUP) == 0);
  REQUIRE_MESSAGE(testing::WaitForFileText(dir / "witness.out", "(2 logs)"),
                  ReadFile(dir / "witness.out"));
  auto [log_b, url_b] = serve("b", "0.2");
  pub = publish(url_b, "2.0");
  REQUIRE_MESSAGE(pub.exit_code == 0, (pub.err + ReadFile(dir / "b.out")));
  CHECK(Contains(pub.out, "at index 0 of " + kOriginB));
  Run ok_b = verify("2.0");
  CHECK_MESSAGE(ok_b.exit_code == 0, ok_b.err);
  // Bundles from the frozen shard keep verifying under the same policy.
  CHECK(verify("1.0").exit_code == 0);

  // The auditor mirrors both; A's checkpoint stays at its final size.
  for (int round = 0; round < 2; ++round) {
    Run sync_a = Candor(dir, {"audit", "sync", "--log", url_a, "--log-key", dir / "a/log.pub",
                              "--policy", dir / "device.policy", "--dir", dir / "mirror-a"});
    CHECK_MESSAGE(sync_a.exit_code == 0, sync_a.err);
    CHECK_MESSAGE(Contains(sync_a.out, round == 0 ? "0 -> 2" : "up to date at size 2"), sync_a.out);
  }
  Run sync_b = Candor(dir, {"audit", "sync", "--log", url_b, "--log-key", dir / "b/log.pub",
                            "--policy", dir / "device.policy", "--dir", dir / "mirror-b"});
  CHECK_MESSAGE(sync_b.exit_code == 0, sync_b.err);

  // Restarted once more, A is still frozen.
  log_a->Stop();
  std::tie(log_a, url_a) = serve("a", "0.2");
  refused = publish(url_a, "2.0");
  CHECK(refused.exit_code == ExitCodeFor(Code::kConflict));
  Run text = shard({"status", "--dir", dir / "a"});
  CHECK(text.exit_code == 0);
  CHECK_MESSAGE(Contains(text.out, "frozen since "), text.out);
  CHECK(Contains(text.out, "final checkpoint size 2 root "));

  CHECK(WIFEXITED(log_a->Stop()));
  CHECK(WIFEXITED(log_b->Stop()));
  CHECK(WIFEXITED(witness->Stop()));
}

// A frozen log whose committed tree is not its final one (here: entries
// appended behind the freeze's back, simulated by freezing a copy taken
// earlier) must not be served.
TEST_CASE("shards: a frozen marker that does not match the committed tree stops the server") {
  TempDir dir;
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, dir.path());
  };
  REQUIRE(run({kLog, "init", "--dir", dir / "a", "--origin", kOriginA}).exit_code == 0);
  WriteFile(dir / "none.policy", "log " + Trim(ReadFile(dir / "a/log.pub")) + "\nquorum none\n");
  clitest::MakeVendorRelease(dir);  // dir/vendor.key, .pub and dir/r.entry
  REQUIRE(run({kLog, "vendors", "add", "--dir", dir / "a", dir / "vendor.pub"}).exit_code == 0);
  // Frozen at size 0: keep that final checkpoint aside, unfreeze by hand,
  // log one entry, then put the size-0 marker back.
  Run freeze = run({kLog, "shard", "freeze", "--dir", dir / "a", "--policy", dir / "none.policy"});
  REQUIRE_MESSAGE(freeze.exit_code == 0, freeze.err);
  const std::string marker = ReadFile(dir / "a/frozen");
  std::filesystem::remove(dir / "a/frozen");
  int port = 0;
  auto log = testing::ServeOnFreePort({kLog, "serve", "--dir", dir / "a", "--policy",
                                       dir / "none.policy", "--checkpoint-interval", "0.2"},
                                      dir / "a.out", "/checkpoint", &port);
  REQUIRE(log != nullptr);
  Run pub = Candor(
      dir, {"publish", "--log", "http://127.0.0.1:" + std::to_string(port), "--log-key",
            dir / "a/log.pub", dir / "r.entry", "--out", dir / "r.bundle", "--timeout", "60"});
  REQUIRE_MESSAGE(pub.exit_code == 0, pub.err);
  log->Stop();
  // Serving must fail at once; a server that starts anyway is stopped by the
  // Subprocess after the timeout and the test fails.
  auto serve_exit = [&](const std::string& out) {
    Subprocess p({kLog, "serve", "--dir", dir / "a", "--listen", "127.0.0.1:0"}, dir / out);
    REQUIRE(p.Start());
    auto st = p.Wait(std::chrono::seconds(10));
    REQUIRE_MESSAGE(st.has_value(), "a frozen log that changed was served");
    return WIFEXITED(*st) ? WEXITSTATUS(*st) : -1;
  };
  WriteFile(dir / "a/frozen", marker);
  CHECK(serve_exit("serve1.out") == ExitCodeFor(Code::kInconsistent));
  CHECK_MESSAGE(Contains(ReadFile(dir / "serve1.out"), "frozen at tree size 0"),
                ReadFile(dir / "serve1.out"));
  // A marker that is not the log's checkpoint at all: refused, not ignored.
  WriteFile(dir / "a/frozen", "garbage\n");
  CHECK(serve_exit("serve2.out") == ExitCodeFor(Code::kMalformed));
  Run status = run({kLog, "shard", "status", "--dir", dir / "a"});
  CHECK(status.exit_code == ExitCodeFor(Code::kMalformed));
}

}  // namespace
}  // namespace candor

#endif  // CANDOR_LOG_BINARY && CANDOR_WITNESS_BINARY
