// Integration: a real candor-log process (init, vendors add, serve) driven over
// HTTP; proofs verified with libverify; tiles compared with a tree computed
// independently; Go's sumdb/tlog verifies a log directory; kill -9 crash cycles.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "candor/checkpoint.h"
#include "candor/cosignature.h"
#include "candor/entry_bundle.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/http/http_client.h"
#include "candor/layout.h"
#include "candor/log/log_server.h"
#include "candor/log/open_store.h"
#include "candor/merkle.h"
#include "candor/policy.h"
#include "candor/tile_reader.h"
#include "candor/tlog_proof.h"
#include "log_test_util.h"
#include "support/subprocess.h"

namespace candor {
namespace {

using testing::CommandResult;
using testing::MakeEntry;
using testing::MakeTrustRoot;
using testing::MakeVendor;
using testing::ReadLogKey;
using testing::RunCommand;
using testing::Subprocess;
using testing::TempDir;
using testing::Vendor;


// An initialised log directory with one registered vendor.
struct LogDir {
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  VerifierKey log_key;
  LogDir() {
    CommandResult init = RunCommand(
        {CANDOR_LOG_BINARY, "init", "--dir", tmp.path() + "/data", "--origin", "log.example/it"});
    REQUIRE_MESSAGE(init.exit_code == 0, init.output);
    std::string pubfile = tmp.path() + "/acme.pub";
    REQUIRE(fs::WriteFileAtomically(pubfile, AsBytes(FormatVerifierKey(vendor.pub) + "\n")).ok());
    CommandResult add = RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", dir(), pubfile});
    REQUIRE_MESSAGE(add.exit_code == 0, add.output);
    CommandResult list = RunCommand({CANDOR_LOG_BINARY, "vendors", "list", "--dir", dir()});
    CHECK(list.output == FormatVerifierKey(vendor.pub) + "\n");
    log_key = ReadLogKey(dir());
  }
  std::string dir() const { return tmp.path() + "/data"; }
};

struct RunningLog {
  int port = testing::PickFreePort();
  Subprocess proc;
  RunningLog(const std::string& dir, const std::string& interval = "0.1")
      : proc(Args(dir, port, interval), dir + "/../server.log") {
    REQUIRE(proc.Start());
    REQUIRE(testing::WaitForHttp(port, "/checkpoint"));
  }
  static std::vector<std::string> Args(const std::string& dir, int port,
                                       const std::string& interval) {
    std::vector<std::string> a = {CANDOR_LOG_BINARY,
                                  "serve",
                                  "--dir",
                                  dir,
                                  "--listen",
                                  "127.0.0.1:" + std::to_string(port),
                                  "--checkpoint-interval",
                                  interval,
                                  "--rate",
                                  "0"};
    return a;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// Downloads every entry bundle of a tree of `size` over HTTP and returns the leaf hashes.
std::vector<Hash> FetchLeaves(HttpClient& c, uint64_t size) {
  std::vector<Hash> leaves;
  for (const auto& b : NewEntryBundles(0, size)) {
    auto r = c.Get(EntryBundlePath(b));
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
    auto entries = ParseEntryBundle(AsBytes(r->body), b.width);
    REQUIRE(entries.ok());
    for (const Bytes& e : *entries) leaves.push_back(LeafHash(e));
  }
  return leaves;
}

TEST_CASE("candor-log process: submit, wait for proof, verify, tiles match an independent tree") {
  LogDir d;
  RunningLog log(d.dir());
  constexpr int kThreads = 4, kPer = 80;
  std::vector<std::vector<std::pair<uint64_t, Bytes>>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = HttpClient::Create(log.url());
      for (int i = 0; i < kPer; ++i) {
        Bytes e = MakeEntry(d.vendor, "dev" + std::to_string(t), "1." + std::to_string(i));
        auto r = (*c)->Post("add", AsChars(e));
        if (!r.ok() || r->status != 200) continue;
        auto idx = ParseDecimalU64(std::string_view(r->body).substr(0, r->body.size() - 1));
        if (idx.ok()) got[t].emplace_back(*idx, e);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::map<uint64_t, Hash> acked;
  for (const auto& g : got) {
    for (const auto& [idx, e] : g) acked[idx] = LeafHash(e);
  }
  REQUIRE(acked.size() == kThreads * kPer);
  CHECK(acked.rbegin()->first == kThreads * kPer - 1);

  auto c = HttpClient::Create(log.url());
  REQUIRE(c.ok());
  // Wait for the last entry's proof; verify several proofs with libverify.
  for (uint64_t idx :
       {uint64_t{0}, uint64_t{17}, uint64_t{255}, uint64_t{256}, uint64_t{kThreads * kPer - 1}}) {
    CAPTURE(idx);
    auto r = (*c)->Get("candor/v1/proof?index=" + std::to_string(idx) + "&wait=20");
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
    auto proof = ParseTlogProof(r->body);
    REQUIRE(proof.ok());
    auto cp = VerifyCheckpoint(proof->checkpoint, d.log_key);
    REQUIRE(cp.ok());
    CHECK(VerifyInclusion(idx, cp->checkpoint.size, acked[idx], proof->inclusion_proof,
                          cp->checkpoint.root_hash)
              .ok());
  }
  auto cpr = (*c)->Get("checkpoint");
  REQUIRE(cpr.ok());
  auto cp = VerifyCheckpoint(cpr->body, d.log_key);
  REQUIRE(cp.ok());
  uint64_t size = cp->checkpoint.size;
  REQUIRE(size == kThreads * kPer);
  // Leaves from the entry bundles match the acknowledged entries, and give the root.
  std::vector<Hash> leaves = FetchLeaves(**c, size);
  for (const auto& [idx, leaf] : acked) CHECK(HashEqual(leaves[idx], leaf));
  CHECK(HashEqual(RootFromLeafHashes(leaves), cp->checkpoint.root_hash));
  // Every tile read back over HTTP equals the tile computed independently.
  for (const TileId& t : TilesForSize(size)) {
    CAPTURE(TilePath(t));
    auto r = (*c)->Get(TilePath(t));
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
    auto hashes = ParseTile(AsBytes(r->body), t.width);
    REQUIRE(hashes.ok());
    uint64_t span = uint64_t{1} << (8 * t.level);
    for (uint16_t i = 0; i < t.width; ++i) {
      uint64_t node = t.index * 256 + i;
      Hash want = RootFromLeafHashes(std::span<const Hash>(leaves.data() + node * span, span));
      CHECK(HashEqual((*hashes)[i], want));
    }
  }
  // Clean shutdown (SIGTERM) and restart: same checkpoint, dedup survives.
  int status = log.proc.Stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  RunningLog again(d.dir());
  auto c2 = HttpClient::Create(again.url());
  auto cp2 = (*c2)->Get("checkpoint");
  REQUIRE(cp2.ok());
  CHECK(cp2->body == cpr->body);
  auto dup = (*c2)->Post("add", AsChars(got[0][5].second));
  REQUIRE(dup.ok());
  CHECK(dup->status == 200);
  CHECK(dup->body == std::to_string(got[0][5].first) + "\n");
  // A second server on the same directory is refused (single writer).
  CommandResult second = RunCommand({CANDOR_LOG_BINARY, "serve", "--dir", d.dir(), "--listen",
                                     "127.0.0.1:" + std::to_string(testing::PickFreePort())});
  CHECK(second.exit_code != 0);
  CHECK(second.output.find("another candor-log process") != std::string::npos);
}

TEST_CASE(
    "candor-log process: trust roots are logged beside releases, one per domain and version") {
  LogDir d;
  const Vendor a = MakeVendor("root-a.acme.example");
  const Vendor b = MakeVendor("root-b.acme.example");
  const Vendor stranger = MakeVendor("root-c.acme.example");
  for (const Vendor* v : {&a, &b}) {
    const std::string pubfile = d.tmp.path() + "/" + v->pub.name + ".pub";
    REQUIRE(fs::WriteFileAtomically(pubfile, AsBytes(FormatVerifierKey(v->pub) + "\n")).ok());
    CommandResult add =
        RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", d.dir(), pubfile});
    REQUIRE_MESSAGE(add.exit_code == 0, add.output);
  }
  RunningLog log(d.dir());
  auto c = HttpClient::Create(log.url());
  REQUIRE(c.ok());
  auto post = [&](std::string_view body) {
    auto r = (*c)->Post("add", body);
    REQUIRE(r.ok());
    return *r;
  };
  const std::string root = MakeTrustRoot({&a, &b}, 2, {&a, &b});
  std::string noncanonical = root;
  noncanonical.replace(noncanonical.find("root-threshold 2\n"), 17, "root-threshold  2\n");
  REQUIRE(post(AsChars(MakeEntry(d.vendor, "p", "1"))).body == "0\n");
  REQUIRE(post(root).body == "1\n");
  struct Case {
    const char* name;
    std::string body;
    int status;
    std::string answer;  // the body (200) or the Candor-Error code name
  } cases[] = {
      {"replay: the same index", root, 200, "1\n"},
      {"another root, same domain and version", MakeTrustRoot({&a, &b}, 2, {&a, &b}), 409,
       "conflict"},
      {"the next version (both thresholds: version 1's, 2 of 2, and its own)",
       MakeTrustRoot({&a, &b}, 1, {&a, &b}, "acme.example/printers", 2), 200, "2\n"},
      {"signed by an unregistered root key only", MakeTrustRoot({&a, &stranger}, 1, {&stranger}),
       403, "untrusted-key"},
      {"not canonical", noncanonical, 400, "malformed"},
      {"a release after the roots", std::string(AsChars(MakeEntry(d.vendor, "p", "2"))), 200,
       "3\n"},
  };
  // Version 2 is checked against version 1 as published (admission.h).
  auto published = (*c)->Get("candor/v1/proof?index=1&wait=20");
  REQUIRE(published.ok());
  REQUIRE(published->status == 200);
  for (const Case& k : cases) {
    CAPTURE(k.name);
    HttpResponse r = post(k.body);
    CHECK_MESSAGE(r.status == k.status, r.body);
    CHECK((k.status == 200 ? r.body : r.Header(kCandorErrorHeader)) == k.answer);
  }
  // The routes that read entries still serve: the proof of the root, the
  // entry bundle that holds it, the explorer page.
  REQUIRE((*c)->Get("candor/v1/proof?index=3&wait=20").ok());  // all four published
  auto proof_r = (*c)->Get("candor/v1/proof?index=1&wait=20");
  REQUIRE(proof_r.ok());
  REQUIRE_MESSAGE(proof_r->status == 200, proof_r->body);
  auto proof = ParseTlogProof(proof_r->body);
  REQUIRE(proof.ok());
  auto cp = VerifyCheckpoint(proof->checkpoint, d.log_key);
  REQUIRE(cp.ok());
  CHECK(VerifyInclusion(1, cp->checkpoint.size, LeafHash(AsBytes(root)), proof->inclusion_proof,
                        cp->checkpoint.root_hash)
            .ok());
  REQUIRE(cp->checkpoint.size == 4);
  std::vector<Hash> leaves = FetchLeaves(**c, 4);
  CHECK(HashEqual(leaves[1], LeafHash(AsBytes(root))));
  auto explorer = (*c)->Get("");
  REQUIRE(explorer.ok());
  CHECK(explorer->status == 200);
  // The equivocation key is durable: after a restart, a replay is still its
  // index and another root still a conflict.
  CHECK(WIFEXITED(log.proc.Stop()));
  RunningLog again(d.dir());
  auto c2 = HttpClient::Create(again.url());
  REQUIRE(c2.ok());
  auto replay = (*c2)->Post("add", root);
  REQUIRE(replay.ok());
  CHECK(replay->body == "1\n");
  auto equivocation = (*c2)->Post("add", MakeTrustRoot({&a, &b}, 2, {&a, &b}));
  REQUIRE(equivocation.ok());
  CHECK(equivocation->status == 409);
}

TEST_CASE("candor-log --help and bad arguments") {
  CommandResult help = RunCommand({CANDOR_LOG_BINARY, "serve", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("--checkpoint-interval") != std::string::npos);
  CHECK(help.output.find("--max-entry-size") != std::string::npos);
  CHECK(RunCommand({CANDOR_LOG_BINARY}).exit_code != 0);
  CHECK(RunCommand({CANDOR_LOG_BINARY, "frobnicate"}).exit_code != 0);
  CHECK(RunCommand({CANDOR_LOG_BINARY, "serve", "--dir"}).exit_code != 0);
  TempDir tmp;
  CHECK(RunCommand({CANDOR_LOG_BINARY, "init", "--dir", tmp.path() + "/d", "--origin", "a b"})
            .exit_code != 0);
  CHECK(RunCommand({CANDOR_LOG_BINARY, "init", "--dir", tmp.path() + "/d", "--origin", "ok/log"})
            .exit_code == 0);
  // init refuses to overwrite an existing log.
  CHECK(RunCommand({CANDOR_LOG_BINARY, "init", "--dir", tmp.path() + "/d", "--origin", "ok/log"})
            .exit_code != 0);
}

int CrashCycles() {
  const char* env = std::getenv("CANDOR_CRASH_CYCLES");
  return env ? std::max(1, std::atoi(env)) : 10;
}

TEST_CASE("kill -9 under concurrent submissions loses no acknowledged entry and never forks") {
  LogDir d;
  const int cycles = CrashCycles();
  std::mutex mu;
  std::map<uint64_t, Hash> acked;               // index -> leaf of every 200
  std::vector<std::pair<uint64_t, Hash>> seen;  // every distinct published checkpoint
  std::mt19937 rng(12345);
  std::atomic<uint64_t> serial{0};
  for (int cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    RunningLog log(d.dir(), "0.05");
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        HttpClientOptions o;
        o.read_timeout = std::chrono::milliseconds(3000);
        auto c = HttpClient::Create(log.url(), o);
        while (!stop) {
          uint64_t n = serial++;
          Bytes e = MakeEntry(d.vendor, "crash" + std::to_string(t), "v" + std::to_string(n));
          auto r = (*c)->Post("add", AsChars(e));
          if (!r.ok()) continue;  // the server died mid-request: not acknowledged
          if (r->status != 200) continue;
          auto idx = ParseDecimalU64(std::string_view(r->body).substr(0, r->body.size() - 1));
          REQUIRE(idx.ok());
          std::lock_guard<std::mutex> lock(mu);
          auto [it, inserted] = acked.emplace(*idx, LeafHash(e));
          CHECK((inserted || HashEqual(it->second, LeafHash(e))));
        }
      });
    }
    clients.emplace_back([&] {
      auto c = HttpClient::Create(log.url());
      std::string last;
      while (!stop) {
        auto r = (*c)->Get("checkpoint");
        if (r.ok() && r->status == 200 && r->body != last) {
          last = r->body;
          auto cp = VerifyCheckpoint(r->body, d.log_key);
          REQUIRE(cp.ok());
          std::lock_guard<std::mutex> lock(mu);
          seen.emplace_back(cp->checkpoint.size, cp->checkpoint.root_hash);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 600));
    log.proc.Kill(SIGKILL);
    stop = true;
    for (auto& th : clients) th.join();
  }
  // Final restart: wait until every acknowledged entry is covered.
  RunningLog log(d.dir());
  auto c = HttpClient::Create(log.url());
  REQUIRE(!acked.empty());
  uint64_t max_index = acked.rbegin()->first;
  auto pr = (*c)->Get("candor/v1/proof?index=" + std::to_string(max_index) + "&wait=30");
  REQUIRE(pr.ok());
  REQUIRE(pr->status == 200);
  auto cpr = (*c)->Get("checkpoint");
  REQUIRE(cpr.ok());
  auto cp = VerifyCheckpoint(cpr->body, d.log_key);
  REQUIRE(cp.ok());
  uint64_t size = cp->checkpoint.size;
  std::vector<Hash> leaves = FetchLeaves(**c, size);
  REQUIRE(HashEqual(RootFromLeafHashes(leaves), cp->checkpoint.root_hash));
  size_t missing = 0;
  for (const auto& [idx, leaf] : acked) {
    if (idx >= size || !HashEqual(leaves[idx], leaf)) ++missing;
  }
  CHECK(missing == 0);
  // Every checkpoint ever published is a prefix of the final tree (no fork).
  size_t forks = 0;
  for (const auto& [s, root] : seen) {
    if (s > size) {
      ++forks;
      continue;
    }
    Hash want = RootFromLeafHashes(std::span<const Hash>(leaves.data(), s));
    if (!HashEqual(want, root)) ++forks;
  }
  CHECK(forks == 0);
  MESSAGE("crash cycles: " << cycles << ", acknowledged: " << acked.size()
                           << ", final size: " << size << ", checkpoints seen: " << seen.size());
}

TEST_CASE("candor-log --policy publishes only witness-cosigned checkpoints, also after restart") {
  LogDir d;
  std::string wdir = d.tmp.path() + "/witness";
  CommandResult init = RunCommand(
      {CANDOR_WITNESS_BINARY, "init", "--dir", wdir, "--name", "witness.example/w1"}, false);
  REQUIRE_MESSAGE(init.exit_code == 0, init.output);
  std::string wkey_text = init.output.substr(0, init.output.find('\n'));
  auto wkey = ParseVerifierKey(wkey_text);
  REQUIRE(wkey.ok());
  std::string log_vkey = FormatVerifierKey(d.log_key);
  REQUIRE(RunCommand({CANDOR_WITNESS_BINARY, "logs", "add", "--dir", wdir, "--origin",
                      d.log_key.name, "--key", log_vkey})
              .exit_code == 0);
  int wport = testing::PickFreePort();
  Subprocess witness({CANDOR_WITNESS_BINARY, "serve", "--dir", wdir, "--listen",
                      "127.0.0.1:" + std::to_string(wport)},
                     d.tmp.path() + "/witness.log");
  REQUIRE(witness.Start());
  REQUIRE(testing::WaitForHttp(wport, "/"));
  std::string policy = d.tmp.path() + "/log.policy";
  REQUIRE(fs::WriteFileAtomically(
              policy, AsBytes("log " + log_vkey + "\nwitness w1 " + wkey_text +
                              " http://127.0.0.1:" + std::to_string(wport) + "\nquorum w1\n"))
              .ok());
  auto policy_parsed = ParseTrustPolicy(AsChars(*fs::ReadFileBytes(policy, kMaxPolicySize)));
  REQUIRE(policy_parsed.ok());
  for (int round = 0; round < 2; ++round) {  // the second round restarts the log
    CAPTURE(round);
    int port = testing::PickFreePort();
    Subprocess log(
        {CANDOR_LOG_BINARY, "serve", "--dir", d.dir(), "--listen",
         "127.0.0.1:" + std::to_string(port), "--policy", policy, "--checkpoint-interval", "0.1"},
        d.tmp.path() + "/server.log");
    REQUIRE(log.Start());
    REQUIRE(testing::WaitForHttp(port, "/checkpoint"));
    auto c = HttpClient::Create("http://127.0.0.1:" + std::to_string(port));
    Bytes e = MakeEntry(d.vendor, "w", "v" + std::to_string(round));
    auto r = (*c)->Post("add", AsChars(e));
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
    auto idx = ParseDecimalU64(std::string_view(r->body).substr(0, r->body.size() - 1));
    REQUIRE(idx.ok());
    auto pr = (*c)->Get("candor/v1/proof?index=" + std::to_string(*idx) + "&wait=20");
    REQUIRE(pr.ok());
    REQUIRE(pr->status == 200);
    auto proof = ParseTlogProof(pr->body);
    REQUIRE(proof.ok());
    auto cp = VerifyCheckpoint(proof->checkpoint, d.log_key);
    REQUIRE(cp.ok());
    CHECK(VerifyInclusion(*idx, cp->checkpoint.size, LeafHash(e), proof->inclusion_proof,
                          cp->checkpoint.root_hash)
              .ok());
    std::vector<VerifierKey> witnesses = {*wkey};
    auto cosigs = VerifyCosignatures(*cp, witnesses);
    REQUIRE(cosigs.ok());
    CHECK(cosigs->size() == 1);
    std::map<std::string, uint64_t> by;
    for (const auto& cs : *cosigs) by["w1"] = cs.timestamp;
    CHECK(EvaluateQuorum(*policy_parsed, by).satisfied);
    log.Stop();
  }
}

#ifdef CANDOR_GO_HELPER
TEST_CASE("Go sumdb/tlog verifies candor-log directories (tiles, bundles, checkpoint)") {
  for (uint64_t n :
       {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{257}, uint64_t{70000}}) {
    CAPTURE(n);
    TempDir tmp;
    std::string dir = tmp.path() + "/data";
    REQUIRE(InitLog(dir, "log.example/go").ok());
    {
      auto opened = OpenLogStore(dir, "");
      REQUIRE(opened.ok());
      LogStore* store = opened->store.get();
      auto seq = Sequencer::Open(store);
      REQUIRE(seq.ok());
      // Raw entries, written in batches straight through the sequencer.
      std::vector<std::future<Result<AddOutcome>>> futs;
      for (uint64_t i = 0; i < n; ++i) {
        AdmittedEntry e;
        std::string s = "entry-" + std::to_string(i) + std::string(i % 50, '.');
        e.entry.assign(s.begin(), s.end());
        e.leaf = LeafHash(e.entry);
        futs.push_back((*seq)->Add(std::move(e)));
        if (futs.size() == 5000 || i + 1 == n) {
          for (auto& f : futs) REQUIRE(f.get().ok());
          futs.clear();
        }
      }
      auto key = ReadPrivateKeyFile(dir + "/log.key");
      REQUIRE(key.ok());
      Publisher pub(store, seq->get(), *key, Cosigner(), PublisherOptions{});
      REQUIRE(pub.PublishNow().ok());
    }
    CommandResult go =
        RunCommand({CANDOR_GO_HELPER, "tiles", dir, FormatVerifierKey(ReadLogKey(dir))});
    CHECK_MESSAGE(go.exit_code == 0, go.output);
    CHECK(go.output == "ok " + std::to_string(n) + "\n");
    // A corrupted tile is detected by Go.
    if (n >= 256) {
      std::string path = dir + "/tile/0/000";
      auto data = fs::ReadFileBytes(path, size_t{64} << 20);
      REQUIRE(data.ok());
      (*data)[5] ^= 1;
      REQUIRE(fs::WriteFileAtomically(path, *data).ok());
      CommandResult bad =
          RunCommand({CANDOR_GO_HELPER, "tiles", dir, FormatVerifierKey(ReadLogKey(dir))});
      CHECK(bad.exit_code != 0);
    }
  }
}
#endif

}  // namespace
}  // namespace candor
