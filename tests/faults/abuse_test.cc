// Abuse of the real candor-log and candor-witness HTTP servers: oversized
// bodies and headers, malformed requests as raw bytes, slow clients
// (slowloris), many idle connections, floods beyond the rate limit, path
// traversal and symlinks in tile paths, invalid tile coordinates.
//
// For each: the right status (or a closed connection, never a crash), memory
// stays bounded (VmRSS before/after), a well-behaved probe client keeps being
// served (its success rate is measured), and nothing outside the log's own
// files changes (a sibling directory and the log's key/config are
// snapshotted: paths, sizes, mtimes).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "candor/fs/atomic_write.h"
#include "candor/http/http_client.h"
#include "candor/log/storage.h"
#include "candor/witness_protocol.h"
#include "faults/fault_util.h"
#include "support/subprocess.h"
#include "transparency-log/log_test_util.h"

namespace candor {
namespace {

using faults::FaultProcess;
using faults::RawExchange;
using faults::StatusOf;
using faults::Tail;
using testing::MakeEntry;
using testing::MakeVendor;
using testing::RunCommand;
using testing::TempDir;
using testing::Vendor;

// path -> (size, mtime ns) of every file and directory under `root`.
std::map<std::string, std::pair<uintmax_t, int64_t>> Snapshot(const std::string& root) {
  std::map<std::string, std::pair<uintmax_t, int64_t>> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    struct stat st {};
    if (::lstat(e.path().c_str(), &st) != 0) continue;
    out[e.path().string()] = {static_cast<uintmax_t>(st.st_size),
                              int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
  }
  return out;
}

// A probe: GETs `path` every 20 ms with a 2 s budget; counts successes.
class Probe {
 public:
  Probe(int port, std::string path) {
    thread_ = std::thread([this, port, path] {
      HttpClientOptions o;
      o.connect_timeout = std::chrono::milliseconds(2000);
      o.read_timeout = std::chrono::milliseconds(2000);
      while (!stop_) {
        auto c = HttpClient::Create("http://127.0.0.1:" + std::to_string(port), o);
        auto r = (*c)->Get(path);
        ++total_;
        if (r.ok() && r->status == 200) ++ok_;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~Probe() { Finish(); }
  double Finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return total_ == 0 ? 0.0 : static_cast<double>(ok_) / total_;
  }
  int total() const { return total_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> total_{0}, ok_{0};
  std::thread thread_;
};

// `n` connections that send a request one byte every `gap`, never finishing
// the headers, for `duration`.
void Slowloris(int port, int n, std::chrono::milliseconds duration,
               std::chrono::milliseconds gap = std::chrono::milliseconds(100)) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = faults::Connect(port, 1000);
    if (fd >= 0) fds.push_back(fd);
  }
  const std::string head = "GET /checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  auto end = std::chrono::steady_clock::now() + duration;
  size_t i = 0;
  while (std::chrono::steady_clock::now() < end) {
    char c = i < head.size() ? head[i] : 'a';
    for (int fd : fds) ::send(fd, &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    ++i;
    std::this_thread::sleep_for(gap);
  }
  for (int fd : fds) ::close(fd);
}

// `n` connected sockets that send nothing, held for `duration`.
void IdleConnections(int port, int n, std::chrono::milliseconds duration) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = faults::Connect(port, 1000);
    if (fd >= 0) fds.push_back(fd);
  }
  std::this_thread::sleep_for(duration);
  for (int fd : fds) ::close(fd);
}

struct AbuseLog {
  TempDir tmp;
  Vendor vendor = MakeVendor("acme.example");
  std::string dir = tmp.path() + "/data";
  std::string sibling = tmp.path() + "/sibling";
  std::string out = tmp.path() + "/server.log";
  int port = 0;
  std::unique_ptr<FaultProcess> proc;

  AbuseLog() {
    auto init = RunCommand({CANDOR_LOG_BINARY, "init", "--dir", dir, "--origin", "log.example/a"});
    REQUIRE_MESSAGE(init.exit_code == 0, init.output);
    std::string pubfile = tmp.path() + "/acme.pub";
    REQUIRE(fs::WriteFileAtomically(pubfile, AsBytes(FormatVerifierKey(vendor.pub) + "\n")).ok());
    auto add = RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", dir, pubfile});
    REQUIRE_MESSAGE(add.exit_code == 0, add.output);
    // A sibling directory a traversal would reach, with a recognisable secret.
    std::filesystem::create_directories(sibling + "/tile/0");
    faults::WriteFileOrDie(sibling + "/secret", "SIBLING-SECRET\n");
    faults::WriteFileOrDie(sibling + "/tile/0/000", std::string(32 * 256, 'S'));
  }
  void Start(std::vector<std::string> extra) {
    port = testing::PickFreePort();
    std::vector<std::string> argv = {CANDOR_LOG_BINARY,
                                     "serve",
                                     "--dir",
                                     dir,
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port),
                                     "--checkpoint-interval",
                                     "0.1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc = std::make_unique<FaultProcess>(argv, std::map<std::string, std::string>{}, out);
    REQUIRE(proc->Start());
    REQUIRE_MESSAGE(testing::WaitForHttp(port, "/checkpoint"), Tail(out));
  }
  std::string Get(const std::string& path) {
    return RawExchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }
};

TEST_CASE("abuse: candor-log answers hostile requests correctly, stays bounded and serves others") {
  AbuseLog log;
  // Two entries so that tiles and bundles exist.
  log.Start({"--rate", "1", "--burst", "2"});
  const std::string key_text = faults::ReadFileOr(log.dir + "/log.key");
  REQUIRE(key_text.rfind("PRIVATE+KEY+", 0) == 0);
  const std::string seed_b64 = key_text.substr(key_text.find('+', 12) + 10, 40);
  auto before_sibling = Snapshot(log.sibling);
  auto before_private =
      std::map<std::string, std::string>{{"log.key", key_text},
                                         {"config", faults::ReadFileOr(log.dir + "/config")},
                                         {"vendors", faults::ReadFileOr(log.dir + "/vendors")}};
  const long rss_start = faults::RssKb(log.proc->pid());

  Probe probe(log.port, "/checkpoint");

  // --- Flood beyond the rate limit: burst 2, then 429 with Retry-After. ---
  {
    auto c = HttpClient::Create("http://127.0.0.1:" + std::to_string(log.port));
    REQUIRE(c.ok());
    int ok = 0, limited = 0;
    bool retry_after = true;
    for (int i = 0; i < 20; ++i) {
      Bytes e = MakeEntry(log.vendor, "abuse", "1." + std::to_string(i));
      auto r = (*c)->Post("add", AsChars(e));
      REQUIRE(r.ok());
      if (r->status == 200) ++ok;
      if (r->status == 429) {
        ++limited;
        auto ra = ParseDecimalU64(r->Header("Retry-After"));
        retry_after = retry_after && ra.ok() && *ra >= 1;
      }
    }
    CHECK(ok >= 2);
    CHECK(ok <= 4);  // the burst, plus at most what refilled meanwhile
    CHECK(limited >= 16);
    CHECK(retry_after);
  }

  // --- Oversized body and headers. ---
  {
    // A complete body above the limit: 413.
    std::string over =
        "POST /add HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
        "Content-Length: 2097152\r\nConnection: close\r\n\r\n" +
        std::string(2 << 20, 'x');
    CHECK(StatusOf(RawExchange(log.port, over)) == 413);
    // A Content-Length of 1 GiB with a little body: 413 at once, from the
    // headers alone (nothing of the body is read or buffered).
    std::string big =
        "POST /add HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
        "Content-Length: 1073741824\r\nConnection: close\r\n\r\n" +
        std::string(1 << 16, 'x');
    auto t0 = std::chrono::steady_clock::now();
    CHECK(StatusOf(RawExchange(log.port, big, 5000)) == 413);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));  // not a timeout
    // A real 1 MiB body.
    auto c = HttpClient::Create("http://127.0.0.1:" + std::to_string(log.port));
    auto r = (*c)->Post("add", std::string(1 << 20, 'x'));
    CHECK((!r.ok() || r->status == 413));
    // A URI longer than the limit; a single huge header line.
    int uri = StatusOf(log.Get("/tile/" + std::string(20000, 'a')));
    CHECK((uri == 414 || uri == 431 || uri == 400 || uri == 0));
    int hdr = StatusOf(RawExchange(
        log.port, "GET /checkpoint HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100000, 'h') +
                      "\r\nConnection: close\r\n\r\n"));
    CHECK((hdr == 431 || hdr == 0));
    // Many short header lines in one request: the request line and headers
    // must fit in the connection's fixed memory pool (32 KiB), else 431 and
    // the connection is closed; memory does not grow with the flood.
    const long rss_before_flood = faults::RssKb(log.proc->pid());
    for (size_t mib : {size_t{2}, size_t{8}}) {
      std::string many = "GET /checkpoint HTTP/1.1\r\nHost: x\r\n";
      for (int i = 0; many.size() < (mib << 20); ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
      many += "Connection: close\r\n\r\n";
      int many_status = StatusOf(RawExchange(log.port, many, 20000));
      CHECK((many_status == 431 || many_status == 0));
      MESSAGE(mib << " MiB of header lines: status " << many_status << ", VmRSS now "
                  << faults::RssKb(log.proc->pid()) << " KiB");
    }
    CHECK(faults::RssKb(log.proc->pid()) - rss_before_flood < 8 * 1024);
  }

  // --- Malformed requests as raw bytes: 400 or closed, never a crash. ---
  {
    const std::vector<std::string> garbage = {
        std::string("\x00\x01\x02\xff\xfe\r\n\r\n", 8),
        "GET\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n",
        "POST /add HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "POST /add HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
        "POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
        std::string(10000, '\n'),
        "GET /candor/v1/proof?index=99999999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /candor/v1/proof?index=0&index=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /candor/v1/consistency?from=5&to=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        "DELETE /checkpoint HTTP/1.1\r\nHost: x\r\n\r\n",
    };
    for (const std::string& g : garbage) {
      CAPTURE(g.substr(0, 60));
      int status = StatusOf(RawExchange(log.port, g, 1500));
      CHECK(status != 200);
      CHECK(status != 500);
      CHECK(log.proc->running());
    }
  }

  // --- Path traversal and symlinks: never outside the tile tree. ---
  {
    ::symlink((log.sibling + "/tile/0/000").c_str(), (log.dir + "/tile/0/001").c_str());
    std::filesystem::create_directories(log.dir + "/tile/entries");
    ::symlink((log.sibling + "/tile").c_str(), (log.dir + "/tile/1").c_str());
    const std::vector<std::string> paths = {
        "/tile/../log.key",
        "/tile/%2e%2e/log.key",
        "/tile/%2E%2E/%2E%2E/sibling/secret",
        "/tile/0/..%2f..%2flog.key",
        "/tile/0/../../log.key",
        "/tile/0/x001/../../../log.key",
        "/tile//etc/passwd",
        "/tile/" + log.dir + "/log.key",
        "/tile/entries/../../log.key",
        "/tile/entries/%2e%2e%2f%2e%2e%2flog.key",
        "/../log.key",
        "/%2e%2e/log.key",
        "/log.key",
        "/state/index.db",
        "/state/index/CURRENT",
        "/config",
        "/tile/0/001",      // symlink to a file outside the data directory
        "/tile/1/000",      // a symlinked directory outside the data directory
        "/tile/0/000.tmp",  // temporary files are never served
    };
    for (const std::string& p : paths) {
      CAPTURE(p);
      std::string res = log.Get(p);
      int status = StatusOf(res);
      CHECK((status == 400 || status == 404));
      CHECK(res.find("PRIVATE+KEY") == std::string::npos);
      CHECK(res.find(seed_b64) == std::string::npos);
      CHECK(res.find("SIBLING-SECRET") == std::string::npos);
      CHECK(res.find("SSSSSSSS") == std::string::npos);
    }
    ::unlink((log.dir + "/tile/0/001").c_str());
    ::unlink((log.dir + "/tile/1").c_str());
  }

  // --- Invalid tile coordinates: 400 (malformed) or 404 (absent), never 500. ---
  {
    const std::vector<std::pair<std::string, std::vector<int>>> cases = {
        {"/tile/0/000.p/0", {400}},
        {"/tile/0/000.p/256", {400}},
        {"/tile/0/000.p/01", {400}},
        {"/tile/0/0", {400}},
        {"/tile/0/00", {400}},
        {"/tile/0/0000", {400}},
        {"/tile/0/x1/000", {400}},
        {"/tile/0/-01", {400}},
        {"/tile/64/000", {400, 404}},
        {"/tile/999999999999999999999/000", {400}},
        {"/tile/0/x999/x999/x999/x999/x999/x999/x999/999", {400, 404}},
        {"/tile/entries/000.p/300", {400}},
        {"/tile/entries/x001/000.p/5", {404}},
        {"/tile/0/123", {404}},
        {"/tile/", {400}},
        {"/tile/0/000.p/", {400}},
    };
    for (const auto& c : cases) {
      const auto& p = c.first;
      const auto& want = c.second;
      CAPTURE(p);
      int status = StatusOf(log.Get(p));
      CHECK(std::find(want.begin(), want.end(), status) != want.end());
    }
  }

  // --- Slow clients (slowloris): others keep being served. ---
  {
    Probe slow_probe(log.port, "/checkpoint");
    Slowloris(log.port, 32, std::chrono::milliseconds(3000));
    double rate = slow_probe.Finish();
    MESSAGE("probe success during 32 slowloris connections: " << rate * 100 << "% of "
                                                              << slow_probe.total());
    CHECK(rate >= 0.95);
  }
  // --- Many idle connections: they cost no thread (event loops), others are served. ---
  {
    Probe idle_probe(log.port, "/checkpoint");
    IdleConnections(log.port, 200, std::chrono::milliseconds(3000));
    double rate = idle_probe.Finish();
    MESSAGE("probe success during 200 idle connections: " << rate * 100 << "% of "
                                                          << idle_probe.total());
    CHECK(rate >= 0.95);
    CHECK(log.proc->running());
  }

  const double overall = probe.Finish();
  const long rss_end = faults::RssKb(log.proc->pid());
  MESSAGE("candor-log VmRSS " << rss_start << " KiB -> " << rss_end << " KiB; probe success "
                              << overall * 100 << "% of " << probe.total());
  CHECK(log.proc->running());
  CHECK(rss_end - rss_start < 256 * 1024);  // bounded (ASan builds inflate everything)
  CHECK(Snapshot(log.sibling) == before_sibling);
  for (const auto& [name, content] : before_private) {
    CHECK(faults::ReadFileOr(log.dir + "/" + name) == content);
  }
  // The key never appears in the server's output.
  std::string out = faults::ReadFileOr(log.out);
  CHECK(out.find("PRIVATE+KEY") == std::string::npos);
  CHECK(out.find(seed_b64) == std::string::npos);
  // Well-behaved clients are still served after the abuse.
  auto c = HttpClient::Create("http://127.0.0.1:" + std::to_string(log.port));
  auto r = (*c)->Get("checkpoint");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
}

TEST_CASE("abuse: candor-witness answers hostile requests correctly and serves others") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/w";
  auto init =
      RunCommand({CANDOR_WITNESS_BINARY, "init", "--dir", dir, "--name", "witness.test/a"}, false);
  REQUIRE(init.exit_code == 0);
  const int port = testing::PickFreePort();
  FaultProcess w({CANDOR_WITNESS_BINARY, "serve", "--dir", dir, "--listen",
                  "127.0.0.1:" + std::to_string(port)},
                 {}, tmp.path() + "/witness.log");
  REQUIRE(w.Start());
  REQUIRE(testing::WaitForHttp(port, "/"));
  const long rss_start = faults::RssKb(w.pid());
  auto post = [&](const std::string& body) {
    return StatusOf(RawExchange(
        port, "POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body));
  };
  CHECK(post("garbage") == 400);
  CHECK(post(std::string(kMaxAddCheckpointBodySize + 1, 'x')) == 413);
  int big = StatusOf(RawExchange(port,
                                 "POST /add-checkpoint HTTP/1.1\r\nHost: x\r\n"
                                 "Content-Length: 1073741824\r\nConnection: close\r\n\r\nold",
                                 2000));
  CHECK(big == 413);  // from the headers alone
  CHECK(StatusOf(RawExchange(
            port, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11))) != 200);
  // A probe that is a real (404: unknown origin) add-checkpoint; served = any HTTP answer.
  std::atomic<bool> stop{false};
  std::atomic<int> total{0}, answered{0};
  std::thread probe([&] {
    while (!stop) {
      int s =
          post("old 0\n\nexample.com/none\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n");
      ++total;
      if (s == 400 || s == 404) ++answered;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  Slowloris(port, 32, std::chrono::milliseconds(3000));
  stop = true;
  probe.join();
  double rate = total == 0 ? 0.0 : static_cast<double>(answered) / total;
  MESSAGE("witness probe success during 32 slowloris connections: "
          << rate * 100 << "% of " << total.load() << ", worker threads "
          << faults::ThreadCount(w.pid()));
  CHECK(rate >= 0.95);
  const long rss_end = faults::RssKb(w.pid());
  MESSAGE("candor-witness VmRSS " << rss_start << " KiB -> " << rss_end << " KiB");
  CHECK(rss_end - rss_start < 128 * 1024);
  CHECK(w.running());
}

}  // namespace
}  // namespace candor
