// End to end: a real candor-log process on 127.0.0.1 with several vendors and
// releases, audited with the `candor` binary (sync, list, show, diff, flags,
// watch with webhook and Atom feed, gossip); planted cases: delayed
// activation, rollback reuse, a new vendor key, equivocation accepted by a
// second log, and a forked log with the real log's key (sync and gossip
// produce evidence).
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>

#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include "audit_test_util.h"
#include "candor/audit/evidence.h"
#include "candor/audit/index.h"
#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/http/http_client.h"
#include "candor/signer.h"
#include "log_process.h"
#include "support/subprocess.h"

#if defined(CANDOR_LOG_BINARY) && defined(CANDOR_CLI_BINARY)

namespace candor {
namespace {

using namespace audittest;
using testing::CommandResult;
using testing::RunCommand;
using testing::Subprocess;

// A tiny webhook receiver on 127.0.0.1.
struct Webhook {
  httplib::Server server;
  std::thread thread;
  std::mutex mu;
  std::vector<std::string> bodies;
  int port = 0;
  Webhook() {
    server.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      bodies.push_back(req.body);
      res.set_content("ok", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    for (int i = 0; i < 200 && !server.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~Webhook() {
    server.stop();
    thread.join();
  }
};

TEST_CASE("candor audit against a real candor-log: sync, list, show, diff, flags, watch, gossip") {
  SignerKey acme = TestKey("acme.example", 11), acme_ci = TestKey("acme.example/ci", 12),
            zeta = TestKey("zeta.example", 13);
  Log log({acme, acme_ci, zeta});
  TempDir work;
  std::string mirror = work / "mirror";
  std::string key = log.dir() + "/log.pub";

  // History: acme inkjet 1.0, 2.0 (delayed block), 2.1 (rollback reused);
  // zeta router 1.0; acme again with its CI key.
  ReleaseSpec a1;
  a1.changelog = "Initial release.\n";
  log.Add(MakeRelease(acme, a1));
  ReleaseSpec a2 = a1;
  a2.version = "2.0";
  a2.rollback = 2;
  a2.issued = "2026-03-01T12:00:00Z";
  a2.disclosures = {"consumables.third-party=warned",
                    "consumables.third-party=blocked,effective=2036-09-13"};
  a2.changelog = "Security fixes.\n";
  uint64_t i_delayed = log.Add(MakeRelease(acme, a2));
  ReleaseSpec z1;
  z1.product = "router-1";
  log.Add(MakeRelease(zeta, z1));
  ReleaseSpec a3 = a2;
  a3.version = "2.1";  // same rollback counter as 2.0
  a3.changelog = "Third-party cartridges are warned about, blocked from September.\n";
  uint64_t i_reuse = log.Add(MakeRelease(acme, a3));
  ReleaseSpec a4 = a3;
  a4.version = "3.0";
  a4.rollback = 3;
  uint64_t i_newkey = log.Add(MakeRelease(acme_ci, a4));
  log.WaitFor(5);

  // sync (JSON summary), then an incremental sync.
  CommandResult s =
      Candor({"audit", "sync", "--log", log.url(), "--log-key", key, "--dir", mirror, "--json"});
  REQUIRE_MESSAGE(s.exit_code == 0, s.output);
  CHECK(Contains(s.output, "\"outcome\":\"synced\""));
  CHECK(Contains(s.output, "\"entries_verified\":5"));
  ReleaseSpec z2 = z1;
  z2.version = "1.1";
  z2.rollback = 2;
  z2.disclosures = {"telemetry=usage to t.zeta.example"};
  z2.changelog = "Now reports usage statistics to t.zeta.example.\n";
  log.Add(MakeRelease(zeta, z2));
  log.WaitFor(6);
  s = Candor({"audit", "sync", "--log", log.url(), "--log-key", key, "--dir", mirror});
  REQUIRE_MESSAGE(s.exit_code == 0, s.output);
  CHECK(Contains(s.output, "synced 5 -> 6 (1 entries verified"));
  s = Candor({"audit", "sync", "--log", log.url(), "--log-key", key, "--dir", mirror});
  CHECK(Contains(s.output, "up to date at size 6"));

  // list / show / diff
  CommandResult l = Candor({"audit", "list", "--dir", mirror, "--vendor", "acme.example"});
  REQUIRE(l.exit_code == 0);
  CHECK(Contains(l.output, "4 release(s)"));
  CHECK(!Contains(l.output, "zeta.example"));
  l = Candor({"audit", "list", "--dir", mirror, "--product", "router-1", "--json"});
  CHECK(Contains(l.output, "\"version\":\"1.1\""));
  CHECK(!Contains(l.output, "acme.example"));
  CommandResult sh = Candor({"audit", "show", "--dir", mirror, "acme.example/inkjet-x100/2.0"});
  REQUIRE_MESSAGE(sh.exit_code == 0, sh.output);
  CHECK(Contains(sh.output, "Third-party consumables: blocked (effective 2036-09-13)"));
  CHECK(Contains(sh.output, "Security fixes."));
  CHECK(Contains(sh.output, "candor.dev/release/v1\nvendor acme.example\n"));  // signed manifest
  sh = Candor({"audit", "show", "--dir", mirror, std::to_string(i_delayed), "--json"});
  CHECK(Contains(sh.output, "\"effective\":\"2036-09-13\""));
  CHECK(Contains(sh.output, "\"restrictive\":true,\"known_kind\":true,"));  // release show's shape
  CHECK(Candor({"audit", "show", "--dir", mirror, "99"}).exit_code == ExitCodeFor(Code::kNotFound));
  CommandResult df = Candor({"audit", "diff", "--dir", mirror, "acme.example/inkjet-x100"});
  REQUIRE_MESSAGE(df.exit_code == 0, df.output);
  CHECK(Contains(df.output, "1.0 (#0) -> 2.0"));
  CHECK(Contains(df.output, "+ Third-party consumables: blocked (effective 2036-09-13)"));
  // 2.1 restates 2.0's disclosures: no change.
  CHECK(Contains(df.output, "2.0 (#" + std::to_string(i_delayed) + ") -> 2.1 (#" +
                                std::to_string(i_reuse) + ")\n  no disclosure changes\n"));
  df = Candor(
      {"audit", "diff", "--dir", mirror, "acme.example/inkjet-x100", "1.0", "3.0", "--json"});
  CHECK(Contains(df.output, "\"change\":\"added\""));

  // flags
  CommandResult fl = Candor({"audit", "flags", "--dir", mirror, "--json"});
  REQUIRE_MESSAGE(fl.exit_code == 0, fl.output);
  auto has = [&](const std::string& kind, uint64_t index) {
    return Contains(fl.output,
                    "{\"flag\":\"" + kind + "\",\"log_index\":" + std::to_string(index) + ",");
  };
  CHECK(has("delayed-activation", i_delayed));
  CHECK(has("consumables-restriction", i_delayed));
  CHECK(has("changelog-silent", i_delayed));
  CHECK(has("rollback-reuse", i_reuse));
  CHECK(has("new-vendor-key", i_newkey));
  CHECK(has("first-vendor-key", 0));
  CHECK(has("first-vendor-key", 2));
  CHECK(has("telemetry-expansion", 5));  // zeta 1.1 starts sending usage data
  CHECK(!has("changelog-silent", 5));    // ... and says so
  fl = Candor({"audit", "flags", "--dir", mirror});
  CHECK(Contains(fl.output, "rollback-reuse"));

  // watch --once: the new release and its flag go to stdout, a webhook and an Atom feed.
  Webhook hook;
  ReleaseSpec z3 = z2;
  z3.version = "1.2";
  z3.rollback = 3;
  z3.disclosures = {"remote-disable=vendor", "telemetry=usage to t.zeta.example"};
  z3.changelog = "Stability.\n";
  uint64_t i_watch = log.Add(MakeRelease(zeta, z3));
  log.WaitFor(7);
  std::string atom = work / "feed.atom";
  CommandResult w =
      Candor({"audit", "watch", "--log", log.url(), "--log-key", key, "--dir", mirror, "--vendor",
              "zeta.example", "--once", "--json", "--atom", atom, "--webhook",
              "http://127.0.0.1:" + std::to_string(hook.port) + "/hook"});
  REQUIRE_MESSAGE(w.exit_code == 0, w.output);
  CHECK(Contains(w.output, "\"type\":\"release\""));
  CHECK(Contains(w.output, "\"flag\":\"remote-disable\""));
  CHECK(Contains(w.output, "\"log_index\":" + std::to_string(i_watch)));
  {
    std::lock_guard<std::mutex> lk(hook.mu);
    CHECK(hook.bodies.size() >= 2);
    bool found = false;
    for (const auto& b : hook.bodies) found = found || Contains(b, "\"flag\":\"remote-disable\"");
    CHECK(found);
  }
  std::string feed = ReadText(atom);
  CHECK(feed.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed "
                   "xmlns=\"http://www.w3.org/2005/Atom\">",
                   0) == 0);
  CHECK(Contains(feed, "<entry>"));
  CHECK(Contains(feed, "remote-disable"));
  CHECK(!Contains(feed, "acme.example/"));  // only the watched vendor
  CHECK(Contains(feed, "</feed>\n"));

  // Activation alerts: the block of 2.0 (and of 2.1, 3.0, which restate it)
  // takes effect on 2036-09-13. `flags` shows it from that day on; `watch`
  // fires it on the day, once, also without new entries, and the feed keeps it.
  const std::string eve = std::to_string(ParseUtcTime("2036-09-12T12:00:00Z").value());
  const std::string day = std::to_string(ParseUtcTime("2036-09-13T08:00:00Z").value());
  fl = Candor({"audit", "flags", "--dir", mirror, "--json"});
  CHECK(!Contains(fl.output, "\"flag\":\"activation\""));
  fl = Candor({"audit", "flags", "--dir", mirror, "--json", "--now", day});
  CHECK(has("activation", i_delayed));
  CHECK(Contains(fl.output, "\"date\":\"2036-09-13\""));
  auto watch_at = [&](const std::string& now) {
    return Candor({"audit", "watch", "--log", log.url(), "--log-key", key, "--dir", mirror,
                   "--once", "--json", "--atom", atom, "--now", now});
  };
  w = watch_at(eve);
  REQUIRE_MESSAGE(w.exit_code == 0, w.output);
  CHECK(!Contains(w.output, "activation"));
  w = watch_at(day);
  REQUIRE_MESSAGE(w.exit_code == 0, w.output);
  CHECK(Contains(w.output, "\"flag\":\"activation\",\"log\":"));
  CHECK(Contains(w.output, "\"log_index\":" + std::to_string(i_delayed) + ","));
  feed = ReadText(atom);
  CHECK(Contains(feed, "/flag/" + std::to_string(i_delayed) + "/activation/2036-09-13</id>"));
  w = watch_at(day);  // the same day again: already reported
  REQUIRE_MESSAGE(w.exit_code == 0, w.output);
  CHECK(!Contains(w.output, "activation"));
  CHECK(Candor({"audit", "flags", "--dir", mirror, "--now", "-5"}).exit_code == 1);

  // Gossip: the log's current checkpoint is consistent.
  WriteText(work / "cp-now", ReadText(log.dir() + "/checkpoint"));
  CommandResult g = Candor({"audit", "gossip", "--dir", mirror, work / "cp-now"});
  REQUIRE_MESSAGE(g.exit_code == 0, g.output);
  CHECK(Contains(g.output, "consistent"));

  // A fork signed with the real log key: sync and gossip detect it.
  SignerKey log_key = ReadPrivateKeyFile(log.dir() + "/log.key").value();
  DirectLog fork(work / "fork", log_key);
  fork.Append({MakeRelease(acme, a1), MakeRelease(acme, a2)});
  ReleaseSpec evil = a2;
  evil.version = "2.0-silent";
  evil.disclosures = {};
  fork.Append({MakeRelease(acme, evil)});
  fork.Append(
      {MakeRelease(zeta, z1), MakeRelease(zeta, z2), MakeRelease(zeta, z3), MakeRelease(acme, a4)});
  REQUIRE(fork.size() == 7);  // the mirror's size: same size, another root
  WriteText(work / "cp-fork", fork.checkpoint());
  g = Candor({"audit", "gossip", "--dir", mirror, work / "cp-now", work / "cp-fork", "--json"});
  CHECK(g.exit_code == ExitCodeFor(Code::kInconsistent));
  CHECK(Contains(g.output, "\"verdict\":\"split-view\""));
  fork.Append({MakeRelease(acme, a3)});  // now ahead of the mirror: sync checks consistency
  CommandResult fs = Candor(
      {"audit", "sync", "--log", work / "fork", "--log-key", key, "--dir", mirror, "--json"});
  CHECK(fs.exit_code == ExitCodeFor(Code::kInconsistent));
  CHECK(Contains(fs.output, "\"outcome\":\"evidence\""));
  size_t evidence_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(mirror + "/.candor-audit")) {
    std::string name = e.path().filename().string();
    if (name.rfind("evidence-", 0) != 0) continue;
    ++evidence_files;
    auto ev = audit::ParseEvidence(ReadText(e.path().string()));
    REQUIRE(ev.ok());
    CHECK(VerifyCheckpoint(ev->checkpoint_a, PublicKeyOf(log_key)).ok());
    CHECK(VerifyCheckpoint(ev->checkpoint_b, PublicKeyOf(log_key)).ok());
  }
  CHECK(evidence_files == 2);
  // The real log is still fine after the fork attempt.
  s = Candor({"audit", "sync", "--log", log.url(), "--log-key", key, "--dir", mirror});
  CHECK(s.exit_code == 0);
}

// The real binary with the real clock: checkpoints cosigned long ago (validly)
// or smaller than the mirror's are refused by `sync` and `watch --once` with
// exit 9, the smaller one with evidence; a freshly cosigned one passes.
TEST_CASE("candor audit sync/watch: max-checkpoint-age and smaller checkpoints, exit codes") {
  TempDir t;
  SignerKey log_key = TestKey("log.example/audit-fresh", 31);
  DirectLog log(t / "log", log_key);
  SignerKey acme = TestKey("acme.example", 32);
  ReleaseSpec r1;
  log.Append({MakeRelease(acme, r1)});
  const std::string small = log.checkpoint();
  ReleaseSpec r2 = r1;
  r2.version = "1.1";
  r2.rollback = 2;
  log.Append({MakeRelease(acme, r2)});
  auto w = GenerateKey("w1.example", kKeyTypeCosignatureV1);
  REQUIRE(w.ok());
  WriteText(t / "log.pub", FormatVerifierKey(PublicKeyOf(log_key)) + "\n");
  WriteText(t / "trust.policy", "log " + FormatVerifierKey(PublicKeyOf(log_key)) + "\nwitness w1 " +
                                    FormatVerifierKey(w->second) +
                                    "\nquorum w1\nmax-checkpoint-age 3600\n");
  auto publish = [&](const std::string& checkpoint, int64_t age) {
    auto body = ParseSignedCheckpointUnverified(checkpoint);
    REQUIRE(body.ok());
    auto cosig = Cosign(w->first, body->body, static_cast<uint64_t>(std::time(nullptr) - age));
    REQUIRE(cosig.ok());
    WriteText(t / "log/checkpoint", checkpoint + FormatSignatureLine(*cosig));
  };
  auto run = [&](const std::string& cmd) {
    std::vector<std::string> args = {"audit",     cmd,           "--log",    t / "log",
                                     "--log-key", t / "log.pub", "--policy", t / "trust.policy",
                                     "--dir",     t / "mirror"};
    if (cmd == "watch") args.push_back("--once");
    return Candor(args);
  };
  const std::string big = log.checkpoint();
  publish(big, 2 * 86400);  // validly signed and witnessed, two days ago
  for (const char* cmd : {"sync", "watch"}) {
    CAPTURE(cmd);
    CommandResult c = run(cmd);
    CHECK_MESSAGE(c.exit_code == 9, c.output);
  }
  publish(big, 60);
  CommandResult ok = run("sync");
  REQUIRE_MESSAGE(ok.exit_code == 0, ok.output);
  publish(small, 60);  // fresh, witnessed, but smaller than the mirror's
  for (const char* cmd : {"sync", "watch"}) {
    CAPTURE(cmd);
    CommandResult c = run(cmd);
    CHECK_MESSAGE(c.exit_code == 9, c.output);
  }
  size_t evidence = 0;
  for (const auto& e : std::filesystem::directory_iterator(t / "mirror/.candor-audit")) {
    if (e.path().filename().string().find("stale-view") == std::string::npos) continue;
    ++evidence;
    auto ev = audit::ParseEvidence(ReadText(e.path()));
    REQUIRE(ev.ok());
    CHECK(ev->checkpoint_b == ReadText(t / "mirror/checkpoint"));
    CHECK(ParseSignedCheckpointUnverified(ev->checkpoint_a)->checkpoint.size == 1);
  }
  CHECK(evidence == 2);
  publish(big, 60);
  CommandResult again = run("watch");
  CHECK_MESSAGE(again.exit_code == 0, again.output);
}

// `candor audit trust`, `show` of a trust root and its flags in `flags`, over
// a log holding both entry types (built directly: docs/AUDIT.md "Trust roots").
TEST_CASE("candor audit trust: timelines, changes and flags; show and flags of trust roots") {
  TempDir work;
  SignerKey log_key = TestKey("log.example/trust-it", 23);
  SignerKey acme = TestKey("acme.example", 21);
  SignerKey acme2 = TestKey("acme.example/2027", 24);
  SignerKey ra = TestKey("root-a.acme.example", 25);
  SignerKey rb = TestKey("root-b.acme.example", 26);
  const std::string log_line = "log " + FormatVerifierKey(PublicKeyOf(log_key)) + "\nquorum none\n";
  const std::string vendor1 = "vendor " + FormatVerifierKey(PublicKeyOf(acme)) + " inkjet-x100\n";
  const std::string vendor2 = "vendor " + FormatVerifierKey(PublicKeyOf(acme2)) + " inkjet-x100\n";
  RootSpec v1;
  v1.threshold = 2;
  v1.keys = {&ra, &rb};
  v1.signers = {&ra, &rb};
  v1.policy = log_line + vendor1;
  RootSpec v2 = v1;
  v2.version = 2;
  v2.threshold = 1;
  v2.expires = "2040-01-01T00:00:00Z";
  v2.policy = log_line + vendor1 + vendor2;
  auto entry = [](const std::string& note) { return Bytes(note.begin(), note.end()); };
  DirectLog log(work / "log", log_key);
  log.Append(
      {MakeRelease(acme, ReleaseSpec{}), entry(MakeTrustRoot(v1)), entry(MakeTrustRoot(v2))});
  WriteText(work / "log.pub", FormatVerifierKey(PublicKeyOf(log_key)) + "\n");
  CommandResult s = Candor({"audit", "sync", "--log", work / "log", "--log-key", work / "log.pub",
                            "--dir", work / "m", "--json"});
  REQUIRE_MESSAGE(s.exit_code == 0, s.output);
  CHECK(Contains(s.output, "\"invalid_entries\":0,\"trust_roots\":2,"));

  CommandResult t = Candor({"audit", "trust", "--dir", work / "m"});
  REQUIRE_MESSAGE(t.exit_code == 0, t.output);
  CHECK(Contains(t.output, "acme.example/printers\n  version 1 (#1) expires 2027-01-01T00:00:00Z"));
  CHECK(Contains(t.output, "    ! first-trust-root: first trust root of acme.example/printers"));
  CHECK(Contains(t.output, "threshold 1 of 2, against version 1 (#1)\n"));
  CHECK(Contains(t.output, "    ! root-threshold-lowered: root-threshold 2 -> 1 (of 2 keys)\n"));
  CHECK(Contains(t.output,
                 "      expires-changed: expires 2027-01-01T00:00:00Z -> "
                 "2040-01-01T00:00:00Z\n"));
  CHECK(Contains(t.output, "    ! vendor-key-added: vendor key added: " +
                               FormatVerifierKey(PublicKeyOf(acme2)) + " for inkjet-x100\n"));
  CHECK(Contains(t.output, "    ! expiry-pushed-far: expires 2040-01-01T00:00:00Z"));

  CommandResult j = Candor({"audit", "trust", "--dir", work / "m", "--json"});
  REQUIRE_MESSAGE(j.exit_code == 0, j.output);
  CHECK(Contains(j.output,
                 "{\"tree_size\":3,\"domains\":[{\"domain\":\"acme.example/printers\","
                 "\"versions\":[{\"log_index\":1,\"domain\":\"acme.example/printers\","
                 "\"version\":1,\"expires\":\"2027-01-01T00:00:00Z\","));
  CHECK(Contains(j.output,
                 "\"follows\":true,\"chain_flag\":\"\",\"chain_error\":\"\","
                 "\"previous_version\":1,\"previous_log_index\":1,\"changes\":["
                 "{\"kind\":\"root-threshold-lowered\",\"flag\":true,"
                 "\"detail\":\"root-threshold 2 -> 1 (of 2 keys)\"}"));
  CHECK(std::count(j.output.begin(), j.output.end(), '\n') == 1);

  CommandResult none = Candor({"audit", "trust", "--dir", work / "m", "--domain", "x.example/y"});
  CHECK(none.exit_code == 0);
  CHECK(none.output == "no trust root of x.example/y in a verified tree of 3 entries\n");

  CommandResult sh = Candor({"audit", "show", "--dir", work / "m", "2"});
  REQUIRE_MESSAGE(sh.exit_code == 0, sh.output);
  CHECK(Contains(sh.output, "trust root:     acme.example/printers version 2\n"));
  CHECK(Contains(sh.output, "chain:          follows the rotation rule\n"));
  CHECK(Contains(sh.output, "signed note:\ncandor.dev/trust-root/v1\n"));
  CommandResult shj = Candor({"audit", "show", "--dir", work / "m", "1", "--json"});
  REQUIRE_MESSAGE(shj.exit_code == 0, shj.output);
  CHECK(Contains(shj.output, "{\"type\":\"trust-root\",\"log_index\":1,"));
  CommandResult rel = Candor({"audit", "show", "--dir", work / "m", "0"});
  CHECK(Contains(rel.output, "vendor:        acme.example\n"));

  CommandResult fl = Candor({"audit", "flags", "--dir", work / "m", "--json"});
  REQUIRE_MESSAGE(fl.exit_code == 0, fl.output);
  CHECK(Contains(fl.output,
                 "{\"flag\":\"root-threshold-lowered\",\"log_index\":2,\"vendor\":\"\","
                 "\"product\":\"\",\"version\":\"2\",\"message\":\"root-threshold 2 -> "
                 "1 (of 2 keys)\",\"domain\":\"acme.example/printers\"}"));
  CHECK(Contains(fl.output, "{\"flag\":\"first-vendor-key\",\"log_index\":0,"));
  // A vendor filter is about releases: trust root flags are not shown.
  CommandResult flv =
      Candor({"audit", "flags", "--dir", work / "m", "--vendor", "acme.example", "--json"});
  CHECK(!Contains(flv.output, "root-threshold-lowered"));
  CommandResult ls = Candor({"audit", "list", "--dir", work / "m"});
  CHECK(Contains(ls.output, "1 release(s) in a verified tree of 3 entries"));
  // watch: trust root flags are events, on stdout and in the Atom feed.
  const std::string atom = work / "feed.atom";
  CommandResult w = Candor({"audit", "watch", "--log", work / "log", "--log-key", work / "log.pub",
                            "--dir", work / "m2", "--once", "--json", "--atom", atom});
  REQUIRE_MESSAGE(w.exit_code == 0, w.output);
  const std::string title =
      "Flag root-threshold-lowered: trust root acme.example/printers version 2";
  CHECK(Contains(w.output, "\"type\":\"flag\",\"flag\":\"root-threshold-lowered\""));
  CHECK(Contains(w.output, title));
  CHECK(Contains(ReadText(atom), title));
}

TEST_CASE("equivocation accepted by a second log is flagged; the real log refuses it") {
  SignerKey acme = TestKey("acme.example", 21);
  Log log({acme});
  ReleaseSpec r;
  log.Add(MakeRelease(acme, r));
  ReleaseSpec other = r;
  other.image = "a different image";
  {
    auto c = HttpClient::Create(log.url());
    auto resp = (*c)->Post("add", AsChars(MakeRelease(acme, other)));
    REQUIRE(resp.ok());
    CHECK(resp->status == 409);
  }
  // A second (careless or malicious) log accepts both.
  TempDir work;
  SignerKey key2 = TestKey("log2.example/careless", 22);
  DirectLog second(work / "log2", key2);
  second.Append({MakeRelease(acme, r), MakeRelease(acme, other)});
  WriteText(work / "log2.pub", FormatVerifierKey(PublicKeyOf(key2)) + "\n");
  CommandResult s = Candor({"audit", "sync", "--log", "file://" + work / "log2", "--log-key",
                            work / "log2.pub", "--dir", work / "m2"});
  REQUIRE_MESSAGE(s.exit_code == 0, s.output);
  CommandResult fl = Candor({"audit", "flags", "--dir", work / "m2", "--json"});
  CHECK(Contains(fl.output, "{\"flag\":\"equivocation\",\"log_index\":1,"));
  CommandResult sh =
      Candor({"audit", "show", "--dir", work / "m2", "acme.example/inkjet-x100/1.0"});
  CHECK(Contains(sh.output, "equivocation"));
  // A mirror never mixes logs: syncing another log into it is refused.
  CommandResult mix = Candor({"audit", "sync", "--log", log.url(), "--log-key",
                              log.dir() + "/log.pub", "--dir", work / "m2"});
  CHECK(mix.exit_code == ExitCodeFor(Code::kConflict));
}

}  // namespace
}  // namespace candor

namespace candor {
namespace {

TEST_CASE("candor audit sync killed with SIGKILL mid-way resumes from its progress") {
  using namespace audittest;
  TempDir t;
  SignerKey log_key = TestKey("log.example/kill", 31), vendor = TestKey("acme.example", 32);
  DirectLog log(t / "log", log_key);
  std::vector<Bytes> entries;
  for (uint64_t i = 0; i < 40000; ++i) {
    ReleaseSpec s;
    s.product = "p" + std::to_string(i % 7);
    s.version = "v" + std::to_string(i);
    s.rollback = i;
    entries.push_back(MakeRelease(vendor, s));
  }
  log.Append(entries);
  WriteText(t / "log.pub", FormatVerifierKey(PublicKeyOf(log_key)) + "\n");
  std::string mirror = t / "mirror";
  std::vector<std::string> argv = {CANDOR_CLI_BINARY, "audit",       "sync",  "--log", log.dir(),
                                   "--log-key",       t / "log.pub", "--dir", mirror,  "--json"};
  Subprocess p(argv, t / "first.log");
  REQUIRE(p.Start());
  // Kill it once bundle 80 is written: the first progress commit (after 64
  // bundles = 16384 entries) is durable, the second (after 128) not yet, or
  // just so.
  bool killed = false;
  for (int i = 0; i < 12000 && !killed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (std::filesystem::exists(mirror + "/tile/entries/080")) {
      p.Kill(SIGKILL);
      killed = true;
    }
  }
  REQUIRE(killed);
  CommandResult r = RunCommand(argv, /*merge_stderr=*/false);
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(Contains(r.output, "\"outcome\":\"synced\""));
  bool first = Contains(r.output, "\"resumed_from\":16384,");
  bool second = Contains(r.output, "\"resumed_from\":32768,");
  CHECK((first || second));
  CHECK(Contains(r.output, first ? "\"entries_verified\":23616," : "\"entries_verified\":7232,"));
  CommandResult l = Candor({"audit", "list", "--dir", mirror, "--json"});
  size_t count = 0;
  for (size_t pos = 0; (pos = l.output.find("\"log_index\":", pos)) != std::string::npos; ++pos) {
    ++count;
  }
  CHECK(count == 40000);
}

// Command-line mistakes are usage errors: exit 1 and a "usage error:" line,
// as for every Candor tool (docs/EXIT_CODES.md); an operational failure (a
// mirror that does not exist) is not.
TEST_CASE("candor audit: command-line mistakes are usage errors (exit 1)") {
  TempDir t;
  const std::string dir = t / "mirror";
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;  // in the merged output
  };
  const Case cases[] = {
      {{"audit"}, 1, "usage error: missing audit subcommand"},
      {{"audit", "frobnicate"}, 1, "usage error: unknown subcommand 'audit frobnicate'"},
      {{"audit", "list", "--bogus"}, 1, "usage error: unrecognised option '--bogus'"},
      {{"audit", "list", "--di", dir}, 1, "usage error: unrecognised option '--di'"},
      {{"audit", "list"}, 1, "usage error: missing --dir"},
      {{"audit", "flags", "--json"}, 1, "usage error: missing --dir"},
      {{"audit", "sync", "--dir", dir}, 1, "usage error: sync needs --log, --log-key and --dir"},
      {{"audit", "watch", "--log", dir, "--log-key", dir, "--dir", dir, "--interval", "0"},
       1,
       "usage error: --interval must be at least 0.1 s"},
      {{"audit", "show", "--dir", dir}, 1, "usage error: show needs --dir and a release"},
      {{"audit", "show", "--dir", dir, "acme/x"}, 1, "usage error: expected INDEX or"},
      {{"audit", "diff", "--dir", dir, "acme"}, 1, "usage error: diff needs --dir and"},
      {{"audit", "gossip", "--dir", dir}, 1, "usage error: gossip needs --dir and at least one"},
      {{"audit", "list", "--dir", dir}, ExitCodeFor(Code::kNotFound), "error: "},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = c.args;
    argv.insert(argv.begin(), CANDOR_CLI_BINARY);
    CommandResult r = RunCommand(argv);
    CAPTURE(r.output);
    CHECK(r.exit_code == c.exit_code);
    CHECK(Contains(r.output, c.message));
  }
}

}  // namespace
}  // namespace candor
#endif
