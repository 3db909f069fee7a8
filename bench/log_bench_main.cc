// log_bench: load generator and growth tool for candor-log (docs/PERFORMANCE.md,
// "transparency-log: candor-log").
//
//   log_bench append --url URL --dir DATA --clients N --entries M
//       registers a fresh vendor key in DATA/vendors, pre-signs M release
//       entries, then N keep-alive connections (one request in flight each,
//       driven by one epoll thread: bench/http_load.h) POST /add them; prints
//       entries/s, the submit-to-sequenced (durable 200) latency p50/p99 and
//       the load generator's own CPU per request.
//   log_bench tiles --url URL --clients N --seconds S
//       N clients GET random full tiles and entry bundles of the published tree.
//   log_bench grow --dir DATA --entries M
//       appends M small raw entries straight through the sequencer (server
//       stopped) and publishes a checkpoint: to pre-grow a log to 10^7 leaves.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include "candor/checkpoint.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/http/http_client.h"
#include "candor/layout.h"
#include "candor/log/admission.h"
#include "candor/log/index.h"
#include "candor/log/publisher.h"
#include "candor/log/sequencer.h"
#include "candor/log/open_store.h"
#include "candor/merkle.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"
#include "http_load.h"

namespace candor {
namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, std::string> Flags(int argc, char** argv) {
  std::map<std::string, std::string> f;
  for (int i = 2; i + 1 < argc; i += 2) f[argv[i]] = argv[i + 1];
  return f;
}

uint64_t Num(const std::map<std::string, std::string>& f, const std::string& k, uint64_t d) {
  auto it = f.find(k);
  return it == f.end() ? d : std::strtoull(it->second.c_str(), nullptr, 10);
}

int Die(const std::string& msg) {
  std::fprintf(stderr, "log_bench: %s\n", msg.c_str());
  return 1;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

int Append(const std::map<std::string, std::string>& f) {
  std::string url = f.count("--url") ? f.at("--url") : "";
  std::string dir = f.count("--dir") ? f.at("--dir") : "";
  size_t clients = Num(f, "--clients", 64);
  size_t n = Num(f, "--entries", 20000);
  if (url.empty() || dir.empty()) return Die("append needs --url and --dir");
  auto pair = GenerateKey("bench" + std::to_string(std::random_device{}() % 1000000) + ".example");
  if (!pair.ok()) return Die(pair.status().ToString());
  // Register the vendor (the server reloads DATA/vendors when it changes).
  std::vector<VerifierKey> keys;
  if (auto data = fs::ReadFileBytes(dir + "/vendors", kMaxVendorsFileSize); data.ok()) {
    auto parsed = ParseVendorsFile(AsChars(*data));
    if (parsed.ok()) keys = *parsed;
  }
  keys.push_back(pair->second);
  if (Status st = fs::WriteFileAtomically(dir + "/vendors", AsBytes(FormatVendorsFile(keys)));
      !st.ok()) {
    return Die(st.ToString());
  }
  std::fprintf(stderr, "signing %zu entries...\n", n);
  std::vector<Bytes> entries(n);
  {
    std::vector<std::thread> signers;
    for (size_t t = 0; t < 2; ++t) {
      signers.emplace_back([&, t] {
        for (size_t i = t; i < n; i += 2) {
          ManifestFields m;
          m.products = {"bench-device"};
          m.version = "1." + std::to_string(i);
          m.rollback = i;
          m.image_sha256 = Sha256Digest(std::to_string(i));
          m.image_size = 1 << 20;
          m.issued = 1767225600;
          auto e =
              CreateReleaseEntry(m, "Benchmark release " + std::to_string(i) + ".\n", pair->first);
          if (!e.ok()) std::abort();
          entries[i] = std::move(*e);
        }
      });
    }
    for (auto& t : signers) t.join();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // vendors reload
  auto base = ParseBaseUrl(url);
  if (!base.ok()) return Die(base.status().ToString());
  std::vector<std::string> requests;
  requests.reserve(n);
  for (const Bytes& e : entries) {
    requests.push_back("POST " + base->prefix + "/add HTTP/1.1\r\nHost: " + base->host +
                       "\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                       std::to_string(e.size()) + "\r\n\r\n" + std::string(AsChars(e)));
  }
  struct rusage before {};
  getrusage(RUSAGE_SELF, &before);
  bench::HttpLoadResult r = bench::RunHttpLoad(base->port, requests, clients);
  struct rusage after {};
  getrusage(RUSAGE_SELF, &after);
  auto cpu = [](const struct rusage& u) {
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  if (r.refused > 0) std::fprintf(stderr, "first refusal: %s\n", r.first_refusal.c_str());
  std::printf(
      "append: %zu connections, %zu ok, %zu refused, %zu reconnects, %.2f s, %.0f entries/s, "
      "latency p50 %.1f ms, p99 %.1f ms, load generator %.1f us CPU/request\n",
      clients, r.ok, r.refused, r.reconnects, r.seconds, static_cast<double>(r.ok) / r.seconds,
      Percentile(r.latency_ms, 0.50), Percentile(r.latency_ms, 0.99),
      (cpu(after) - cpu(before)) * 1e6 / static_cast<double>(n));
  return r.refused ? 2 : 0;
}

int Tiles(const std::map<std::string, std::string>& f) {
  std::string url = f.count("--url") ? f.at("--url") : "";
  size_t clients = Num(f, "--clients", 8);
  uint64_t seconds = Num(f, "--seconds", 10);
  auto c = HttpClient::Create(url);
  if (!c.ok()) return Die(c.status().ToString());
  auto cp = (*c)->Get("checkpoint");
  if (!cp.ok() || cp->status != 200) return Die("no checkpoint");
  auto parsed = ParseSignedCheckpointUnverified(cp->body);
  if (!parsed.ok()) return Die(parsed.status().ToString());
  uint64_t size = parsed->checkpoint.size;
  std::vector<std::string> paths;
  for (uint64_t i = 0; i < size / 256 && paths.size() < 100000; ++i) {
    paths.push_back(TilePath(TileId{0, i, 256}));
    paths.push_back(EntryBundlePath(i, 256));
  }
  if (paths.empty()) return Die("log has no full tiles");
  std::atomic<uint64_t> done{0}, bytes{0}, errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto client = HttpClient::Create(url);
      std::mt19937_64 rng(t);
      while (!stop) {
        auto r = (*client)->Get(paths[rng() % paths.size()]);
        if (r.ok() && r->status == 200) {
          ++done;
          bytes += r->body.size();
        } else {
          ++errors;
        }
      }
    });
  }
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("tiles: %zu clients, %.0f requests/s, %.1f MB/s, %llu errors (tree size %llu)\n",
              clients, static_cast<double>(done) / secs, static_cast<double>(bytes) / secs / 1e6,
              static_cast<unsigned long long>(errors.load()),
              static_cast<unsigned long long>(size));
  return 0;
}

int Grow(const std::map<std::string, std::string>& f) {
  std::string dir = f.count("--dir") ? f.at("--dir") : "";
  uint64_t n = Num(f, "--entries", 1000);
  if (dir.empty()) return Die("grow needs --dir");
  // --storage: as candor-log's (open_store.h), so a PostgreSQL log grows too.
  auto opened = OpenLogStore(dir, f.count("--storage") ? f.at("--storage") : "");
  if (!opened.ok()) return Die(opened.status().ToString());
  LogStore* store = opened->store.get();
  SequencerOptions so;
  so.max_batch = 65536;
  so.max_queue = 1 << 20;
  auto seq = Sequencer::Open(store, so);
  if (!seq.ok()) return Die(seq.status().ToString());
  uint64_t base = (*seq)->Head().size;
  auto start = Clock::now();
  std::vector<std::future<Result<AddOutcome>>> futs;
  for (uint64_t i = 0; i < n; ++i) {
    AdmittedEntry e;
    std::string s = "grow-" + std::to_string(base + i);
    e.entry.assign(s.begin(), s.end());
    e.leaf = LeafHash(e.entry);
    futs.push_back((*seq)->Add(std::move(e)));
    if (futs.size() == 65536 || i + 1 == n) {
      for (auto& fu : futs) {
        if (!fu.get().ok()) return Die("grow: add failed");
      }
      futs.clear();
      double secs = std::chrono::duration<double>(Clock::now() - start).count();
      std::fprintf(stderr, "\r%llu entries, %.0f/s   ", static_cast<unsigned long long>(i + 1),
                   static_cast<double>(i + 1) / secs);
    }
  }
  std::fprintf(stderr, "\n");
  auto key = ReadPrivateKeyFile(dir + "/log.key");
  if (!key.ok()) return Die(key.status().ToString());
  Publisher pub(store, seq->get(), *key, Cosigner(), PublisherOptions{});
  if (Status st = pub.PublishNow(); !st.ok()) return Die(st.ToString());
  std::printf("grow: tree size %llu\n", static_cast<unsigned long long>((*seq)->Head().size));
  return 0;
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: log_bench append|tiles|grow [--flag value]...\n");
    return 1;
  }
  std::string mode = argv[1];
  auto flags = candor::Flags(argc, argv);
  if (mode == "append") return candor::Append(flags);
  if (mode == "tiles") return candor::Tiles(flags);
  if (mode == "grow") return candor::Grow(flags);
  return candor::Die("unknown mode " + mode);
}
