// audit_sync: throughput of a full-verification `candor audit sync`
// (docs/PERFORMANCE.md "candor audit"), compared with the Ed25519 bound.
//
//   audit_sync ed25519 [--n N] [--threads T]   Ed25519 verifies/s on T threads
//                                              (default 1; 0 = all cores)
//   audit_sync build --log DIR --size N        a log of N unique signed releases,
//                                              written through the log's storage API
//   audit_sync run --log DIR --mirror DIR [--threads T] [--settle S]
//                                              serves DIR over HTTP on 127.0.0.1
//                                              (static tlog-tiles with sendfile, as
//                                              candor-log and nginx serve them) and
//                                              syncs it into an empty mirror;
//                                              prints entries/s and peak RSS. An
//                                              existing mirror is deleted first,
//                                              then S seconds (61) pass (ext4)
//   audit_sync run ... --url URL [--ca-file F] syncs from URL instead (e.g.
//                                              nginx in front of `serve`, over
//                                              https or http: bench/https_vs_http.sh)
//   audit_sync serve --log DIR --port P        the static server alone, in the
//                                              foreground
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "candor/audit/mirror.h"
#include "candor/audit/sync.h"
#include "candor/date.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/http/http_server.h"
#include "candor/layout.h"
#include "candor/log/publisher.h"
#include "candor/log/right_edge.h"
#include "candor/log/storage.h"
#include "candor/merkle.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"

using namespace candor;

namespace {

SignerKey Key(const std::string& name, uint8_t seed) {
  SignerKey k;
  k.name = name;
  for (size_t i = 0; i < 32; ++i) k.seed[i] = static_cast<uint8_t>(seed + i);
  k.key_id = KeyId(name, kKeyTypeEd25519, PublicKeyOf(k).public_key);
  return k;
}

const char* Arg(int argc, char** argv, const char* name, const char* def) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Bytes Release(const SignerKey& vendor, uint64_t i) {
  ManifestFields f;
  f.products = {"printer-" + std::to_string(i % 50)};
  f.version = "1." + std::to_string(i);
  f.rollback = i + 1;
  std::string img = "image " + std::to_string(i);
  f.image_sha256 = Sha256Digest(AsBytes(img));
  f.image_size = img.size();
  f.issued = 1767225600 + static_cast<int64_t>(i);
  if (i % 10 == 0)
    f.disclosures.push_back(ParseDisclosureArg("telemetry=crash to t.example").value());
  return CreateReleaseEntry(f, "Release " + std::to_string(i) + ".\n", vendor).value();
}

int Ed25519(int argc, char** argv) {
  size_t n = std::stoul(Arg(argc, argv, "--n", "20000"));
  unsigned threads = static_cast<unsigned>(std::stoul(Arg(argc, argv, "--threads", "1")));
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  SignerKey k = Key("acme.example", 1);
  VerifierKey v = PublicKeyOf(k);
  // Messages of a typical manifest's size (~450 bytes), distinct.
  std::vector<Bytes> msgs(n), sigs(n);
  for (size_t i = 0; i < n; ++i) {
    msgs[i] = Bytes(450, static_cast<uint8_t>(i));
    std::memcpy(msgs[i].data(), &i, sizeof i);
    sigs[i] = SignEd25519(k, msgs[i]);
  }
  // `threads` threads verify interleaved shares of the n signatures, as a sync
  // spreads bundles over its workers.
  std::vector<size_t> oks(threads);
  double t0 = Now(), c0 = CpuSeconds();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < n; i += threads) {
        oks[t] += crypto_sign_verify_detached(sigs[i].data(), msgs[i].data(), msgs[i].size(),
                                              v.public_key.data()) == 0;
      }
    });
  }
  for (auto& th : pool) th.join();
  double wall = Now() - t0, cpu = CpuSeconds() - c0;
  size_t ok = 0;
  for (size_t o : oks) ok += o;
  std::printf(
      "ed25519 verify, %u thread(s): %zu verifies, %.3f s wall, %.3f s cpu: %.0f /s wall, "
      "%.0f /s per cpu-second\n",
      threads, ok, wall, cpu, ok / wall, ok / cpu);
  return ok == n ? 0 : 1;
}

int Build(int argc, char** argv) {
  std::string dir = Arg(argc, argv, "--log", "");
  uint64_t size = std::stoull(Arg(argc, argv, "--size", "100000"));
  if (dir.empty()) return 2;
  std::filesystem::create_directories(dir);
  SignerKey log_key = Key("bench.example/log", 9);
  SignerKey vendor = Key("acme.example", 1);
  if (!fs::WriteFileAtomically(dir + "/log.pub",
                               AsBytes(FormatVerifierKey(PublicKeyOf(log_key)) + "\n"))
           .ok())
    return 1;
  TileStorage storage(dir);
  RightEdge edge;
  double t0 = Now();
  const uint64_t batch = 65536;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (uint64_t start = 0; start < size; start += batch) {
    uint64_t end = std::min(size, start + batch);
    std::vector<Bytes> entries(end - start);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (uint64_t i = start + t; i < end; i += threads) entries[i - start] = Release(vendor, i);
      });
    }
    for (auto& th : pool) th.join();
    for (const Bytes& e : entries) edge.Append(e, LeafHash(e));
    if (!storage.WriteFiles(edge.TakeFiles()).ok()) return 1;
    std::fprintf(stderr, "\rbuilt %llu/%llu", static_cast<unsigned long long>(end),
                 static_cast<unsigned long long>(size));
  }
  auto cp = Publisher::SignCheckpoint(log_key, TreeHead{edge.size(), edge.Root()});
  if (!cp.ok() || !storage.WriteCheckpoint(*cp).ok()) return 1;
  std::fprintf(stderr, "\n");
  std::printf("built log of %llu entries in %s in %.1f s\n", static_cast<unsigned long long>(size),
              dir.c_str(), Now() - t0);
  return 0;
}

// The child process of `run`: serves the log directory's checkpoint, tiles
// and entry bundles as static files, the way candor-log serves tiles (its
// libmicrohttpd front, sendfile; transparency-log/src/log_routes.cc) and as
// nginx would. Writes its port to `port_fd`, then serves until killed.
int ServeStatically(const std::string& dir, int port_fd, int port = 0) {
  HttpServerOptions so;
  so.port = port;
  so.threads = 1;  // the sync downloads over one connection
  auto server = HttpServer::Bind(so);
  if (!server.ok()) return 1;
  (*server)->Handle(
      "GET", "/", HttpMatch::kPrefix, [&dir](const ServerRequest& req, ServerResponse& res) {
        const std::string path = req.path.substr(1);
        if (path != "checkpoint" && !ParseTilePath(path).ok() && !ParseEntryBundlePath(path).ok()) {
          return res.SetText(404, "not found\n");
        }
        int fd = open((dir + "/" + path).c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
          if (fd >= 0) close(fd);
          return res.SetText(404, "not found\n");
        }
        res.content_type = "application/octet-stream";
        res.file_fd = fd;  // sent with sendfile(), closed by the server
        res.file_size = static_cast<uint64_t>(st.st_size);
      });
  if (!(*server)->Start().ok()) return 1;
  const int bound = (*server)->port();
  if (write(port_fd, &bound, sizeof bound) != static_cast<ssize_t>(sizeof bound)) return 1;
  close(port_fd);
  for (;;) pause();
}

int Serve(int argc, char** argv) {
  std::string dir = Arg(argc, argv, "--log", "");
  const int port = std::stoi(Arg(argc, argv, "--port", "0"));
  if (dir.empty()) return 2;
  return ServeStatically(dir, STDOUT_FILENO, port);
}

int Run(int argc, char** argv) {
  std::string dir = Arg(argc, argv, "--log", "");
  std::string mirror_dir = Arg(argc, argv, "--mirror", "");
  unsigned threads = static_cast<unsigned>(std::stoul(Arg(argc, argv, "--threads", "0")));
  if (dir.empty() || mirror_dir.empty()) return 2;
  const unsigned settle = static_cast<unsigned>(std::stoul(Arg(argc, argv, "--settle", "61")));
  if (std::filesystem::exists(mirror_dir)) {
    std::filesystem::remove_all(mirror_dir);
    // ext4 skips inodes freed in the last 60 s when it allocates new ones
    // (fs/ext4/ialloc.c, recently_deleted()), scanning past each of them:
    // creating the new mirror's files right after deleting the old mirror's
    // would charge the sync with that scan (up to 5% of its CPU in back-to-back
    // runs), which a first sync into a new directory does not pay.
    std::fprintf(stderr, "deleted the old mirror; waiting %u s for ext4 (--settle)\n", settle);
    sleep(settle);
  }
  std::filesystem::create_directories(mirror_dir);
  const std::string url = Arg(argc, argv, "--url", "");
  // The static file server runs in a child process, so the sync's own CPU time
  // (RUSAGE_SELF) and the server's (RUSAGE_CHILDREN) are measured apart. Both
  // share the machine's cores, as a local server would.
  int port = 0;
  pid_t server_pid = -1;
  if (url.empty()) {
    int ports[2];
    if (pipe(ports) != 0) return 1;
    server_pid = fork();
    if (server_pid < 0) return 1;
    if (server_pid == 0) {
      close(ports[0]);
      _exit(ServeStatically(dir, ports[1]));
    }
    close(ports[1]);
    if (read(ports[0], &port, sizeof port) != static_cast<ssize_t>(sizeof port) || port <= 0) {
      std::fprintf(stderr, "the file server did not start\n");
      return 1;
    }
    close(ports[0]);
  }

  auto key_text = fs::ReadFileBytes(dir + "/log.pub", kMaxVerifierKeyFileSize).value();
  std::string k(AsChars(key_text));
  k.pop_back();
  audit::SyncOptions o;
  o.log = url.empty() ? "http://127.0.0.1:" + std::to_string(port) : url;
  o.http.ca_file = Arg(argc, argv, "--ca-file", "");
  o.log_key = ParseVerifierKey(k).value();
  o.verify_threads = threads;
  o.prefetch = std::stoul(Arg(argc, argv, "--prefetch", std::to_string(o.prefetch).c_str()));
  o.commit_bundles =
      std::stoul(Arg(argc, argv, "--commit-bundles", std::to_string(o.commit_bundles).c_str()));
  auto m = audit::Mirror::Open(mirror_dir, true, true);
  if (!m.ok()) return 1;
  double c0 = CpuSeconds();
  audit::SyncResult r = audit::Sync(**m, o);
  double cpu = CpuSeconds() - c0;
  if (server_pid > 0) {
    kill(server_pid, SIGTERM);
    int wstatus = 0;
    waitpid(server_pid, &wstatus, 0);
  }
  rusage u{}, su{};
  getrusage(RUSAGE_SELF, &u);
  getrusage(RUSAGE_CHILDREN, &su);
  double server_cpu =
      su.ru_utime.tv_sec + su.ru_stime.tv_sec + (su.ru_utime.tv_usec + su.ru_stime.tv_usec) / 1e6;
  if (!r.status.ok()) {
    std::printf("sync failed: %s\n", r.status.ToString().c_str());
    return 1;
  }
  const double n = static_cast<double>(r.entries_verified);
  std::printf(
      "sync %llu entries: %.2f s wall, %.0f entries/s wall; cpu: sync %.2f s (%.0f entries per "
      "cpu-second), server %.2f s, both %.2f s (%.0f entries per cpu-second); %.1f MB "
      "downloaded, peak RSS %ld MiB, verify threads %u\n",
      static_cast<unsigned long long>(r.entries_verified), r.seconds, n / r.seconds, cpu, n / cpu,
      server_cpu, cpu + server_cpu, n / (cpu + server_cpu), r.bytes_downloaded / 1e6,
      u.ru_maxrss / 1024, threads ? threads : std::thread::hardware_concurrency());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "ed25519") return Ed25519(argc, argv);
  if (cmd == "build") return Build(argc, argv);
  if (cmd == "run") return Run(argc, argv);
  if (cmd == "serve") return Serve(argc, argv);
  std::fprintf(stderr, "usage: audit_sync ed25519|build|run|serve ... (see the source)\n");
  return 2;
}
