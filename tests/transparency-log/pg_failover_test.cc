// The log beyond one machine, for real: two candor-log front-ends on one
// PostgreSQL database with a synchronous streaming standby, concurrent
// submitters on both, and then the failures an operator meets (docs/LOG.md
// "Storage: one interface, two engines"): the integrating front-end killed,
// the primary killed with SIGKILL and the standby promoted (the front-ends
// follow it through a multi-host connection string), a front-end paused past
// its lease and resumed (fenced). Afterwards every acknowledged entry must be
// in the final log at its acknowledged index and nowhere else, every
// checkpoint either front-end ever served must be a prefix of the final tree,
// and Go's sumdb/tlog must verify the exported tiles.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "candor/checkpoint.h"
#include "candor/entry_bundle.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/directory.h"
#include "candor/fs/read_file.h"
#include "candor/http/http_client.h"
#include "candor/layout.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"
#include "log_test_util.h"
#include "support/postgres_cluster.h"
#include "support/subprocess.h"

namespace candor {
namespace {

using Clock = std::chrono::steady_clock;
using testing::CommandResult;
using testing::MakeEntry;
using testing::MakeVendor;
using testing::PostgresCluster;
using testing::ReadLogKey;
using testing::RunCommand;
using testing::Subprocess;
using testing::TempDir;
using testing::Vendor;


void CopyFile(const std::string& from, const std::string& to, unsigned mode) {
  auto data = fs::ReadFileBytes(from, 1 << 20);
  REQUIRE(data.ok());
  REQUIRE(fs::WriteFileAtomically(to, *data, {.mode = mode}).ok());
}

// A front-end: `candor-log serve` on its own data directory (key, config,
// vendors) and the shared database.
struct FrontEnd {
  FrontEnd(std::string d, std::string s) : dir(std::move(d)), storage(std::move(s)) {}
  std::string dir;
  std::string storage;
  int port = testing::PickFreePort();
  std::unique_ptr<Subprocess> proc;

  void Start() {
    proc = std::make_unique<Subprocess>(
        std::vector<std::string>{CANDOR_LOG_BINARY, "serve", "--dir", dir, "--storage", storage,
                                 "--listen", "127.0.0.1:" + std::to_string(port),
                                 "--checkpoint-interval", "0.2", "--rate", "0"},
        dir + "/server.log");
    REQUIRE(proc->Start());
    REQUIRE(testing::WaitForHttp(port, "/checkpoint", std::chrono::milliseconds(30000)));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  std::string Log() const {
    auto data = fs::ReadFileBytes(dir + "/server.log", 1 << 20);
    return data.ok() ? std::string(AsChars(*data)) : "";
  }
};

std::unique_ptr<HttpClient> Client(const std::string& url) {
  HttpClientOptions o;
  o.connect_timeout = std::chrono::milliseconds(1000);
  o.deadline = std::chrono::milliseconds(15000);
  auto c = HttpClient::Create(url, o);
  REQUIRE(c.ok());
  return std::move(*c);
}

// A gauge's value from GET /metrics, or -1.
double Gauge(const std::string& url, const std::string& name) {
  auto r = Client(url)->Get("metrics");
  if (!r.ok() || r->status != 200) return -1;
  const std::string& body = r->body;
  size_t at = body.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + name.size() + 2));
}

// Stops and joins a test's threads when it ends, also through a failed
// REQUIRE (an exception): never std::terminate on a joinable thread.
struct Joiner {
  std::atomic<bool>& stop;
  std::vector<std::thread>& threads;
  ~Joiner() {
    stop = true;
    for (auto& th : threads) {
      if (th.joinable()) th.join();
    }
  }
};

// What the submitters were told and what the front-ends served.
struct Record {
  std::mutex mu;
  std::map<std::string, uint64_t> acked;     // entry bytes (as a string) -> index
  std::vector<Clock::time_point> ack_times;  // when each 200 arrived
  std::set<std::string> checkpoints;         // every distinct checkpoint note served
  std::map<int, size_t> statuses;            // every answer's status (0: no answer)

  // Records a POST /add answer for `entry`; true when it was acknowledged
  // (200 with its index). A retry of an entry whose earlier answer was lost
  // must get the same index.
  bool Answer(const Bytes& entry, const Result<HttpResponse>& r) {
    std::lock_guard<std::mutex> lock(mu);
    statuses[r.ok() ? r->status : 0]++;
    if (!r.ok() || r->status != 200) return false;
    auto idx = ParseDecimalU64(std::string_view(r->body).substr(0, r->body.size() - 1));
    REQUIRE(idx.ok());
    auto [it, fresh] = acked.emplace(std::string(AsChars(entry)), *idx);
    CHECK(it->second == *idx);
    if (fresh) ack_times.push_back(Clock::now());
    return true;
  }
};

TEST_CASE("PostgreSQL failover: every acknowledged entry at its index, served checkpoints prefixes") {
  auto primary = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*primary);
  auto standby = primary->AddStandby(/*synchronous=*/true);
  REQUIRE_MESSAGE(standby->available(), standby->why());
  // The front-ends follow whichever server accepts writes (libpq multi-host).
  const std::string storage = "postgresql://candor@127.0.0.1:" + std::to_string(primary->port()) +
                              ",127.0.0.1:" + std::to_string(standby->port()) +
                              "/candor?target_session_attrs=read-write&connect_timeout=2";
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  FrontEnd a{tmp.path() + "/a", storage}, b{tmp.path() + "/b", storage};
  CommandResult init = RunCommand({CANDOR_LOG_BINARY, "init", "--dir", a.dir, "--origin",
                                   "log.example/pg", "--storage", storage});
  REQUIRE_MESSAGE(init.exit_code == 0, init.output);
  REQUIRE(fs::WriteFileAtomically(tmp.path() + "/acme.pub",
                                  AsBytes(FormatVerifierKey(vendor.pub) + "\n"))
              .ok());
  CommandResult add =
      RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", a.dir, tmp.path() + "/acme.pub"});
  REQUIRE_MESSAGE(add.exit_code == 0, add.output);
  // The second front-end: the same key, config and vendors.
  REQUIRE(fs::MakeDirectories(b.dir).ok());
  for (const char* f : {"/log.key", "/log.pub", "/config", "/vendors"}) {
    CopyFile(a.dir + f, b.dir + f, 0600);
  }
  const VerifierKey log_key = ReadLogKey(a.dir);
  a.Start();
  b.Start();

  Record rec;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> serial{0};
  // Submitters: each entry is posted until a front-end answers 200 (the other
  // one when one does not answer), as a vendor's publisher retries.
  auto submit = [&](int t) {
    auto ca = Client(a.url()), cb = Client(b.url());
    while (!stop) {
      const uint64_t n = serial++;
      Bytes e = MakeEntry(vendor, "dev" + std::to_string(t), "1." + std::to_string(n));
      for (int attempt = 0; !stop; ++attempt) {
        HttpClient& c = (n + attempt) % 2 == 0 ? *ca : *cb;
        if (rec.Answer(e, c.Post("add", AsChars(e)))) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  };
  // Every checkpoint served by either front-end, verified with the log key.
  auto poll = [&] {
    auto ca = Client(a.url()), cb = Client(b.url());
    while (!stop) {
      for (HttpClient* c : {ca.get(), cb.get()}) {
        auto r = c->Get("checkpoint");
        if (!r.ok() || r->status != 200) continue;
        CHECK(VerifyCheckpoint(r->body, log_key).ok());
        std::lock_guard<std::mutex> lock(rec.mu);
        rec.checkpoints.insert(r->body);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  auto acked_count = [&] {
    std::lock_guard<std::mutex> lock(rec.mu);
    return rec.acked.size();
  };
  auto wait_for_acks = [&](size_t n, const char* phase) {
    const auto deadline = Clock::now() + std::chrono::seconds(90);
    while (acked_count() < n && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE_MESSAGE(acked_count() >= n, phase << ": only " << acked_count() << " acknowledged\n"
                                              << a.Log() << b.Log());
  };
  std::vector<std::thread> threads;
  Joiner joiner{stop, threads};  // a failed REQUIRE leaves through here too
  for (int t = 0; t < 4; ++t) threads.emplace_back(submit, t);
  threads.emplace_back(poll);

  wait_for_acks(200, "both front-ends up");
  // Exactly one front-end integrates.
  double ia = -1, ib = -1;
  for (int i = 0; i < 50 && ia + ib != 1.0; ++i) {  // a tick after the start at most
    ia = Gauge(a.url(), "candor_log_integrator");
    ib = Gauge(b.url(), "candor_log_integrator");
    if (ia + ib != 1.0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO("integrator gauges: a " << ia << ", b " << ib);
  REQUIRE(ia + ib == 1.0);
  FrontEnd& integrator = ia == 1.0 ? a : b;
  FrontEnd& follower = ia == 1.0 ? b : a;

  // 1. The integrating front-end dies: the other takes the lease over and
  //    publishes checkpoints again; submissions go on through it.
  const std::string before_kill = [&] {
    auto r = Client(follower.url())->Get("checkpoint");
    REQUIRE(r.ok());
    return r->body;
  }();
  integrator.proc->Kill(SIGKILL);
  const auto killed_at = Clock::now();
  std::optional<double> takeover_s;
  while (Clock::now() - killed_at < std::chrono::seconds(30)) {
    auto r = Client(follower.url())->Get("checkpoint");
    if (r.ok() && r->status == 200 && r->body != before_kill &&
        Gauge(follower.url(), "candor_log_integrator") == 1.0) {
      takeover_s = std::chrono::duration<double>(Clock::now() - killed_at).count();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE_MESSAGE(takeover_s, "the surviving front-end never published\n" << follower.Log());
  MESSAGE("integrator killed -> new checkpoint from the other front-end: " << *takeover_s << " s");
  CHECK(*takeover_s < 10.0);
  integrator.Start();  // it comes back as a follower
  wait_for_acks(acked_count() + 200, "after the integrator's death");

  // 2. The primary crashes (SIGKILL) and the standby is promoted: the
  //    front-ends reconnect to it; acknowledgements resume.
  const size_t acked_before_crash = acked_count();
  primary->Kill9();
  const auto crashed_at = Clock::now();
  REQUIRE(standby->Promote());
  std::optional<double> failover_s;
  while (!failover_s && Clock::now() - crashed_at < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard<std::mutex> lock(rec.mu);
    for (const auto& t : rec.ack_times) {
      if (t > crashed_at) {  // the first acknowledgement after the crash
        failover_s = std::chrono::duration<double>(t - crashed_at).count();
        break;
      }
    }
  }
  REQUIRE_MESSAGE(failover_s, "no acknowledgement after the primary crashed\n"
                                  << a.Log() << b.Log());
  MESSAGE("primary killed -> first acknowledgement from the promoted standby: " << *failover_s
                                                                                << " s");
  CHECK(*failover_s < 10.0);
  wait_for_acks(acked_before_crash + 200, "after the promotion");

  // 3. A front-end paused past its lease (SIGSTOP) is fenced when it wakes:
  //    the other integrates meanwhile, and the paused one's checkpoints and
  //    tiles never land (every served checkpoint is checked below).
  ia = Gauge(a.url(), "candor_log_integrator");
  FrontEnd& paused = ia == 1.0 ? a : b;
  FrontEnd& other = ia == 1.0 ? b : a;
  REQUIRE(::kill(paused.proc->pid(), SIGSTOP) == 0);  // Subprocess::Kill would wait for it
  std::this_thread::sleep_for(std::chrono::seconds(8));  // > the 5 s lease
  CHECK(Gauge(other.url(), "candor_log_integrator") == 1.0);
  REQUIRE(::kill(paused.proc->pid(), SIGCONT) == 0);
  wait_for_acks(acked_count() + 200, "after the pause");
  stop = true;
  for (auto& th : threads) th.join();

  // The final tree: wait until a published checkpoint covers every
  // acknowledged entry, then export it.
  uint64_t max_index = 0;
  for (const auto& [e, idx] : rec.acked) max_index = std::max(max_index, idx);
  std::string final_note;
  for (int i = 0; i < 300; ++i) {
    auto r = Client(other.url())->Get("checkpoint");
    if (r.ok() && r->status == 200) {
      auto cp = VerifyCheckpoint(r->body, log_key);
      REQUIRE(cp.ok());
      if (cp->checkpoint.size > max_index) {
        final_note = r->body;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE_MESSAGE(!final_note.empty(), "no checkpoint covers every acknowledged entry");
  const std::string out = tmp.path() + "/static";
  CommandResult exported = RunCommand({CANDOR_LOG_BINARY, "export", "--storage", storage, "--dir",
                                       out, "--log-key", a.dir + "/log.pub", "--json"});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.output);
  auto note = fs::ReadFileBytes(out + "/checkpoint", kMaxNoteSize);
  REQUIRE(note.ok());
  auto final_cp = VerifyCheckpoint(AsChars(*note), log_key);
  REQUIRE(final_cp.ok());
  const uint64_t size = final_cp->checkpoint.size;
  REQUIRE(size > max_index);
  CommandResult go =
      RunCommand({CANDOR_GO_HELPER, "tiles", out, FormatVerifierKey(log_key)});
  CHECK_MESSAGE(go.exit_code == 0, go.output);
  CHECK(go.output == "ok " + std::to_string(size) + "\n");

  // Every acknowledged entry at its index, and no entry twice.
  std::vector<Bytes> entries;
  for (const auto& bundle : NewEntryBundles(0, size)) {
    auto data = fs::ReadFileBytes(out + "/" + EntryBundlePath(bundle), size_t{64} << 20);
    REQUIRE(data.ok());
    auto parsed = ParseEntryBundle(*data, bundle.width);
    REQUIRE(parsed.ok());
    for (Bytes& e : *parsed) entries.push_back(std::move(e));
  }
  REQUIRE(entries.size() == size);
  std::set<std::string> seen;
  for (const Bytes& e : entries) CHECK(seen.insert(std::string(AsChars(e))).second);
  size_t misplaced = 0;
  for (const auto& [e, idx] : rec.acked) {
    if (std::string(AsChars(entries[idx])) != e) ++misplaced;
  }
  CHECK(misplaced == 0);
  // Every checkpoint served is a prefix of the final tree.
  const TileFetcher fetch = [&out](const TileId& t) {
    return fs::ReadFileBytes(out + "/" + TilePath(t), 1 << 20);
  };
  size_t checked = 0;
  for (const std::string& served : rec.checkpoints) {
    auto cp = VerifyCheckpoint(served, log_key);
    REQUIRE(cp.ok());
    REQUIRE(cp->checkpoint.size <= size);
    // Its nodes, read from the final tiles (tile_reader.h: an older size).
    auto root = TreeHash(cp->checkpoint.size, MakeTileNodeReader(fetch, cp->checkpoint.size, size));
    REQUIRE(root.ok());
    CHECK(HashEqual(*root, cp->checkpoint.root_hash));
    ++checked;
  }
  MESSAGE(rec.acked.size() << " entries acknowledged, " << checked
                           << " distinct checkpoints served, final size " << size);
  CHECK(checked >= 5);
}

}  // namespace
}  // namespace candor

namespace candor {
namespace {

TEST_CASE("PostgreSQL store gone mid-commit: 503, and a retry gets the same index, never two") {
  auto primary = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*primary);
  const std::string storage = primary->Uri() + "?connect_timeout=2";
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  FrontEnd fe{tmp.path() + "/a", storage};
  CommandResult init = RunCommand({CANDOR_LOG_BINARY, "init", "--dir", fe.dir, "--origin",
                                   "log.example/pg", "--storage", storage});
  REQUIRE_MESSAGE(init.exit_code == 0, init.output);
  REQUIRE(fs::WriteFileAtomically(tmp.path() + "/acme.pub",
                                  AsBytes(FormatVerifierKey(vendor.pub) + "\n"))
              .ok());
  REQUIRE(RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", fe.dir,
                      tmp.path() + "/acme.pub"})
              .exit_code == 0);
  fe.Start();
  const VerifierKey log_key = ReadLogKey(fe.dir);

  // Submitters retry each entry until it is acknowledged; the database is
  // killed and restarted under them.
  Record rec;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> serial{0};
  auto submit = [&](int t) {
    auto c = Client(fe.url());
    while (!stop) {
      const uint64_t n = serial++;
      Bytes e = MakeEntry(vendor, "dev" + std::to_string(t), "2." + std::to_string(n));
      while (!stop) {
        auto r = c->Post("add", AsChars(e));
        if (rec.Answer(e, r)) break;
        if (r.ok()) {
          // Refused while the database is away: 503 with its reason, by name.
          CHECK(r->status == 503);
          CHECK(r->Header("Candor-Error") == std::string("unavailable"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  };
  auto acked_count = [&] {
    std::lock_guard<std::mutex> lock(rec.mu);
    return rec.acked.size();
  };
  std::vector<std::thread> threads;
  Joiner joiner{stop, threads};
  for (int t = 0; t < 4; ++t) threads.emplace_back(submit, t);
  auto wait_for = [&](size_t n) {
    for (int i = 0; i < 3000 && acked_count() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE_MESSAGE(acked_count() >= n, fe.Log());
  };
  wait_for(150);
  primary->Kill9();
  // While it is away: /healthz says why, in one line.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto health = Client(fe.url())->Get("healthz");
  REQUIRE(health.ok());
  CHECK(health->status == 503);
  CHECK(health->body.find('\n') == health->body.size() - 1);
  MESSAGE("healthz with the database away: " << health->body);
  REQUIRE(primary->Start());
  wait_for(acked_count() + 150);
  stop = true;
  for (auto& th : threads) th.join();
  {
    std::lock_guard<std::mutex> lock(rec.mu);
    CHECK(rec.statuses[503] + rec.statuses[0] > 0);  // the outage was seen
  }
  // Every acknowledged entry once, at its index.
  uint64_t max_index = 0;
  for (const auto& [e, idx] : rec.acked) max_index = std::max(max_index, idx);
  std::string out = tmp.path() + "/static";
  for (int i = 0; i < 200; ++i) {
    CommandResult exported = RunCommand({CANDOR_LOG_BINARY, "export", "--storage", storage,
                                         "--dir", out, "--log-key", fe.dir + "/log.pub", "--json"});
    REQUIRE_MESSAGE(exported.exit_code == 0, exported.output);
    auto note = fs::ReadFileBytes(out + "/checkpoint", kMaxNoteSize);
    REQUIRE(note.ok());
    auto cp = VerifyCheckpoint(AsChars(*note), log_key);
    REQUIRE(cp.ok());
    if (cp->checkpoint.size > max_index) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto note = fs::ReadFileBytes(out + "/checkpoint", kMaxNoteSize);
  auto cp = VerifyCheckpoint(AsChars(*note), log_key);
  REQUIRE(cp.ok());
  const uint64_t size = cp->checkpoint.size;
  REQUIRE(size > max_index);
  std::vector<std::string> entries;
  for (const auto& bundle : NewEntryBundles(0, size)) {
    auto data = fs::ReadFileBytes(out + "/" + EntryBundlePath(bundle), size_t{64} << 20);
    REQUIRE(data.ok());
    auto parsed = ParseEntryBundle(*data, bundle.width);
    REQUIRE(parsed.ok());
    for (const Bytes& e : *parsed) entries.emplace_back(AsChars(e));
  }
  std::set<std::string> seen(entries.begin(), entries.end());
  CHECK(seen.size() == entries.size());
  for (const auto& [e, idx] : rec.acked) CHECK(entries[idx] == e);
}

TEST_CASE("candor-log on PostgreSQL: a bad connection string is one line and an exit code") {
  auto primary = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*primary);
  TempDir tmp;
  const std::string port = std::to_string(primary->port());
  struct Case {
    std::string name;
    std::string storage;
  };
  const Case cases[] = {
      {"no such database", "postgresql://candor@127.0.0.1:" + port + "/nope"},
      {"no such role", "postgresql://nobody:secret@127.0.0.1:" + port + "/candor"},
      {"nothing listening", "postgresql://candor:secret@127.0.0.1:1/candor?connect_timeout=2"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CommandResult r = RunCommand({CANDOR_LOG_BINARY, "init", "--dir", tmp.path() + "/x",
                                  "--origin", "log.example/pg", "--storage", c.storage});
    CHECK(r.exit_code != 0);
    CHECK(r.output.find('\n') == r.output.size() - 1);  // one line
    CHECK(r.output.find("secret") == std::string::npos);  // the password is never echoed
  }
}

}  // namespace
}  // namespace candor

namespace candor {
namespace {

// A front-end's directory holds the log key but not the tree. Run without
// --storage (a forgotten flag, a unit file copied from a data-directory log),
// it must not start an empty tree of its own: that would be a second log
// signed with the same key, contradicting the real one.
TEST_CASE("A PostgreSQL log's front-end directory is never served, frozen or exported as a data "
          "directory") {
  auto primary = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*primary);
  TempDir tmp;
  const std::string dir = tmp.path() + "/fe";
  CommandResult init = RunCommand({CANDOR_LOG_BINARY, "init", "--dir", dir, "--origin",
                                   "log.example/pg", "--storage", primary->Uri()});
  REQUIRE_MESSAGE(init.exit_code == 0, init.output);
  REQUIRE(fs::WriteFileAtomically(tmp.path() + "/policy", AsBytes("quorum none\n")).ok());
  const struct {
    std::string name;
    std::vector<std::string> argv;
  } cases[] = {
      {"serve", {CANDOR_LOG_BINARY, "serve", "--dir", dir, "--listen", "127.0.0.1:0"}},
      {"shard freeze",
       {CANDOR_LOG_BINARY, "shard", "freeze", "--dir", dir, "--policy", tmp.path() + "/policy"}},
      {"export --from", {CANDOR_LOG_BINARY, "export", "--from", dir, "--dir", tmp.path() + "/out"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    // A child that does not refuse (serve would go on serving) fails the
    // test instead of hanging it.
    const std::string out_path = tmp.path() + "/output-" + std::to_string(&c - cases);
    Subprocess p(c.argv, out_path);
    REQUIRE(p.Start());
    std::optional<int> status = p.Wait(std::chrono::milliseconds(30000));
    if (!status) p.Kill(SIGKILL);
    REQUIRE_MESSAGE(status.has_value(), "still running: it did not refuse");
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 2);
    auto written = fs::ReadFileBytes(out_path, 1 << 20);
    REQUIRE(written.ok());
    const std::string output(AsChars(*written));
    CAPTURE(output);
    CHECK(output.find("lives in PostgreSQL") != std::string::npos);
    CHECK(output.find('\n') == output.size() - 1);  // one line
    // Nothing of a data-directory log was made.
    CHECK_FALSE(std::filesystem::exists(dir + "/state"));
    CHECK_FALSE(std::filesystem::exists(dir + "/frozen"));
    CHECK_FALSE(std::filesystem::exists(dir + "/checkpoint"));
    CHECK_FALSE(std::filesystem::exists(tmp.path() + "/out/checkpoint"));
  }
  // With --storage the same directory serves the log.
  FrontEnd fe(dir, primary->Uri());
  fe.Start();
  auto cp = Client(fe.url())->Get("checkpoint");
  REQUIRE(cp.ok());
  CHECK(cp->status == 200);
}

TEST_CASE("A front-end on a hot standby serves the log's reads and refuses writes") {
  auto primary = PostgresCluster::Primary();
  CANDOR_SKIP_UNLESS_POSTGRES(*primary);
  auto standby = primary->AddStandby(/*synchronous=*/true);
  REQUIRE_MESSAGE(standby->available(), standby->why());
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  FrontEnd writer(tmp.path() + "/w", primary->Uri());
  FrontEnd reader(tmp.path() + "/r", standby->Uri());
  CommandResult init = RunCommand({CANDOR_LOG_BINARY, "init", "--dir", writer.dir, "--origin",
                                   "log.example/pg", "--storage", writer.storage});
  REQUIRE_MESSAGE(init.exit_code == 0, init.output);
  REQUIRE(fs::WriteFileAtomically(tmp.path() + "/acme.pub",
                                  AsBytes(FormatVerifierKey(vendor.pub) + "\n"))
              .ok());
  REQUIRE(RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", writer.dir,
                      tmp.path() + "/acme.pub"})
              .exit_code == 0);
  REQUIRE(fs::MakeDirectories(reader.dir).ok());
  for (const char* f : {"/log.key", "/log.pub", "/config", "/vendors"}) {
    CopyFile(writer.dir + f, reader.dir + f, 0600);
  }
  writer.Start();
  reader.Start();
  const VerifierKey log_key = ReadLogKey(writer.dir);
  auto w = Client(writer.url());
  std::vector<Bytes> entries;
  for (int i = 0; i < 300; ++i) {
    entries.push_back(MakeEntry(vendor, "dev", "3." + std::to_string(i)));
    auto r = w->Post("add", AsChars(entries.back()));
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
  }
  // The reader follows the writer's checkpoints through replication.
  auto r = Client(reader.url());
  std::string served;
  for (int i = 0; i < 300; ++i) {
    auto got = r->Get("checkpoint");
    REQUIRE(got.ok());
    auto cp = VerifyCheckpoint(got->body, log_key);
    if (got->status == 200 && cp.ok() && cp->checkpoint.size == entries.size()) {
      served = got->body;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE_MESSAGE(!served.empty(), reader.Log());
  // Tiles and bundles byte for byte as the writer serves them, and proofs.
  for (const std::string path : {"tile/0/000", "tile/0/001.p/44", "tile/entries/000",
                                 "tile/entries/001.p/44", "tile/1/000.p/1"}) {
    CAPTURE(path);
    auto a = w->Get(path);
    auto b = r->Get(path);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->status == 200);
    CHECK(b->status == 200);
    CHECK(a->body == b->body);
  }
  auto proof = r->Get("candor/v1/proof?index=123");
  REQUIRE(proof.ok());
  CHECK(proof->status == 200);
  // Writes: refused with 503 by name (a standby takes no writes), and the
  // health check says why.
  auto add = r->Post("add", AsChars(MakeEntry(vendor, "dev", "4.0")));
  REQUIRE(add.ok());
  CHECK(add->status == 503);
  CHECK(add->Header("Candor-Error") == std::string("unavailable"));
  auto health = r->Get("healthz");
  REQUIRE(health.ok());
  CHECK(health->status == 503);
  CHECK(health->body.find("standby") != std::string::npos);
}

}  // namespace
}  // namespace candor
