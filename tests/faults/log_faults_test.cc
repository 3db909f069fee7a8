// Fault cycles against the real candor-log: in every cycle the server runs
// under concurrent submissions and one fault (none, full disk, every fsync
// failing, or fsyncs failing at random), is SIGKILLed at a random moment and
// restarted. Extends log_integration_test.cc's "kill -9" test (plain kills)
// with the disk and fsync faults, and checks the published checkpoints with
// consistency proofs built from the tiles (libverify), not by recomputation.
//
// Invariants: no acknowledged (200) entry is ever lost; no 200 is sent for an
// entry whose batch could not be made durable (submitted after the disk filled
// up or fsync started failing); the server restarts after every crash; every
// published checkpoint is consistent with every later one.
//
// Short run in the suite: 12 cycles. Long run: CANDOR_FAULT_CYCLES=200.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "candor/checkpoint.h"
#include "candor/entry_bundle.h"
#include "candor/fs/atomic_write.h"
#include "candor/fs/read_file.h"
#include "candor/http/http_client.h"
#include "candor/layout.h"
#include "candor/log/storage.h"
#include "candor/merkle.h"
#include "candor/tile_reader.h"
#include "faults/fault_util.h"
#include "support/subprocess.h"
#include "transparency-log/log_test_util.h"

namespace candor {
namespace {

using faults::FaultProcess;
using faults::Tail;
using testing::MakeEntry;
using testing::MakeVendor;
using testing::RunCommand;
using testing::TempDir;
using testing::Vendor;

enum class Fault { kNone, kDiskFull, kFsyncFails, kFsyncFlaky };
const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kNone:
      return "kill only";
    case Fault::kDiskFull:
      return "disk full";
    case Fault::kFsyncFails:
      return "fsync fails";
    case Fault::kFsyncFlaky:
      return "fsync flaky";
  }
  return "?";
}

constexpr uint64_t kTmpfsSize = uint64_t{1} << 30;  // limit only; RAM used as needed

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

VerifierKey ReadLogKey(const std::string& dir) {
  auto pub = fs::ReadFileBytes(dir + "/log.pub", kMaxVerifierKeyFileSize);
  REQUIRE(pub.ok());
  std::string_view text = AsChars(*pub);
  REQUIRE(!text.empty());
  text.remove_suffix(1);
  auto key = ParseVerifierKey(text);
  REQUIRE(key.ok());
  return *key;
}

// Node reader over HTTP tiles of the tree of `size`.
NodeReader HttpNodeReader(HttpClient& c, uint64_t size) {
  return MakeTileNodeReader(
      [&c](const TileId& t) -> Result<Bytes> {
        auto r = c.Get(TilePath(t));
        if (!r.ok()) return r.status();
        if (r->status == 404) return Status::NotFound(TilePath(t));
        if (r->status != 200) return Status::Io("tile status " + std::to_string(r->status));
        return Bytes(r->body.begin(), r->body.end());
      },
      size);
}

TEST_CASE("faults: candor-log under SIGKILL, full disk and failing fsync") {
  TempDir tmp;
  std::unique_ptr<faults::Tmpfs> fs =
      std::make_unique<faults::Tmpfs>(tmp.path() + "/mnt", std::to_string(kTmpfsSize));
  bool have_tmpfs = fs->ok();
  if (!have_tmpfs) {
    if (faults::FaultsRequired()) FAIL("CANDOR_REQUIRE_FAULTS=1 but " << fs->error());
    MESSAGE("SKIPPED disk-full cycles: "
            << fs->error() << " (run as root, or set CANDOR_REQUIRE_FAULTS=1 to fail)");
  }
  const std::string root = have_tmpfs ? fs->path() : tmp.path();
  const std::string dir = root + "/data";
  const std::string ballast = root + "/ballast";
  const std::string trigger = tmp.path() + "/fsync-fails";
  const std::string fail_log = tmp.path() + "/fsync-failures";
  const std::string server_log = tmp.path() + "/server.log";

  Vendor vendor = MakeVendor("acme.example");
  {
    auto init = RunCommand({CANDOR_LOG_BINARY, "init", "--dir", dir, "--origin", "log.example/f"});
    REQUIRE_MESSAGE(init.exit_code == 0, init.output);
    std::string pubfile = tmp.path() + "/acme.pub";
    REQUIRE(fs::WriteFileAtomically(pubfile, AsBytes(FormatVerifierKey(vendor.pub) + "\n")).ok());
    auto add = RunCommand({CANDOR_LOG_BINARY, "vendors", "add", "--dir", dir, pubfile});
    REQUIRE_MESSAGE(add.exit_code == 0, add.output);
  }
  const VerifierKey log_key = ReadLogKey(dir);

  const int cycles = faults::FaultCycles(12);
  std::mutex mu;
  std::map<uint64_t, Hash> acked;                    // index -> leaf of every 200
  std::vector<std::pair<uint64_t, Hash>> published;  // distinct checkpoints, in order seen
  std::map<int, int> statuses;                       // HTTP status -> count
  // 200s for entries submitted after the fault began, by fault. With every
  // fsync failing they cannot be durable: must be 0. On a full disk they are
  // legitimate only if space was freed meanwhile (a failed batch unlinks its
  // temporary files); the final check proves each one is in the log.
  std::map<Fault, int> acked_after_fault;
  int transport_errors = 0;
  std::map<Fault, int> cycles_by_fault;
  std::atomic<uint64_t> serial{0};
  std::mt19937 rng(20261126);

  for (int cycle = 0; cycle < cycles; ++cycle) {
    std::vector<Fault> choices = {Fault::kNone, Fault::kFsyncFails, Fault::kFsyncFlaky};
    if (have_tmpfs) choices.push_back(Fault::kDiskFull);
    const Fault fault = choices[cycle % choices.size()];
    CAPTURE(cycle);
    CAPTURE(FaultName(fault));
    ++cycles_by_fault[fault];

    std::map<std::string, std::string> env;
    if (fault == Fault::kFsyncFails || fault == Fault::kFsyncFlaky) {
      env = faults::ShimEnv(CANDOR_FAILING_FSYNC);
      env["CANDOR_FSYNC_FAIL_LOG"] = fail_log;
      env["CANDOR_FSYNC_FAIL_SEED"] = std::to_string(cycle + 1);
      if (fault == Fault::kFsyncFails) env["CANDOR_FSYNC_FAIL_FILE"] = trigger;
      if (fault == Fault::kFsyncFlaky) env["CANDOR_FSYNC_FAIL_PROB"] = "0.2";
    }
    const int port = testing::PickFreePort();
    FaultProcess server(
        {CANDOR_LOG_BINARY, "serve", "--dir", dir, "--listen", "127.0.0.1:" + std::to_string(port),
         "--checkpoint-interval", "0.05", "--rate", "0"},
        env, server_log);
    REQUIRE(server.Start());
    // The restart after the previous crash (and its fault) must succeed.
    REQUIRE_MESSAGE(testing::WaitForHttp(port, "/checkpoint"),
                    "candor-log did not come back: " << Tail(server_log));
    const std::string url = "http://127.0.0.1:" + std::to_string(port);

    std::atomic<bool> stop{false};
    std::atomic<int64_t> fault_on_ns{INT64_MAX};
    std::vector<std::thread> clients;
    for (int t = 0; t < 3; ++t) {
      clients.emplace_back([&, t] {
        HttpClientOptions o;
        o.connect_timeout = std::chrono::milliseconds(500);
        o.read_timeout = std::chrono::milliseconds(3000);
        auto c = HttpClient::Create(url, o);
        REQUIRE(c.ok());
        while (!stop) {
          uint64_t n = serial++;
          Bytes e = MakeEntry(vendor, "fault" + std::to_string(t), "v" + std::to_string(n));
          const int64_t sent = NowNs();
          auto r = (*c)->Post("add", AsChars(e));
          std::lock_guard<std::mutex> lock(mu);
          if (!r.ok()) {  // killed mid-request: not acknowledged
            ++transport_errors;
            continue;
          }
          ++statuses[r->status];
          if (r->status != 200) continue;
          // Every entry is new (never resubmitted), so a 200 means its batch
          // was committed; after the fault started that cannot be durable.
          if (sent > fault_on_ns.load()) ++acked_after_fault[fault];
          auto idx = ParseDecimalU64(std::string_view(r->body).substr(0, r->body.size() - 1));
          REQUIRE(idx.ok());
          auto [it, inserted] = acked.emplace(*idx, LeafHash(e));
          CHECK((inserted || HashEqual(it->second, LeafHash(e))));
        }
      });
    }
    clients.emplace_back([&] {
      auto c = HttpClient::Create(url);
      REQUIRE(c.ok());
      std::string last;
      while (!stop) {
        auto r = (*c)->Get("checkpoint");
        if (r.ok() && r->status == 200 && r->body != last) {
          last = r->body;
          auto cp = VerifyCheckpoint(r->body, log_key);
          std::lock_guard<std::mutex> lock(mu);
          CHECK(cp.ok());
          if (cp.ok() && (published.empty() || published.back().first != cp->checkpoint.size ||
                          !HashEqual(published.back().second, cp->checkpoint.root_hash))) {
            published.emplace_back(cp->checkpoint.size, cp->checkpoint.root_hash);
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });

    std::this_thread::sleep_for(std::chrono::milliseconds(80 + rng() % 250));
    if (fault == Fault::kDiskFull) {
      fs->Fill(ballast);
      fault_on_ns = NowNs();
    } else if (fault == Fault::kFsyncFails) {
      faults::WriteFileOrDie(trigger, "on\n");
      fault_on_ns = NowNs();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(80 + rng() % 250));
    const bool died = server.Exited();  // a fatal fault may have stopped it by itself
    server.Kill(SIGKILL);
    stop = true;
    for (auto& th : clients) th.join();
    if (died)
      MESSAGE("cycle " << cycle << ": candor-log exited by itself: " << Tail(server_log, 400));
    if (fault == Fault::kDiskFull) fs->Unfill(ballast, kTmpfsSize);
    ::unlink(trigger.c_str());
  }

  // Final restart without faults: every acknowledged entry must be covered.
  const int port = testing::PickFreePort();
  FaultProcess server(
      {CANDOR_LOG_BINARY, "serve", "--dir", dir, "--listen", "127.0.0.1:" + std::to_string(port),
       "--checkpoint-interval", "0.05", "--rate", "0"},
      {}, server_log);
  REQUIRE(server.Start());
  REQUIRE_MESSAGE(testing::WaitForHttp(port, "/checkpoint"), Tail(server_log));
  auto c = HttpClient::Create("http://127.0.0.1:" + std::to_string(port));
  REQUIRE(c.ok());
  REQUIRE(!acked.empty());
  uint64_t max_index = acked.rbegin()->first;
  auto pr = (*c)->Get("candor/v1/proof?index=" + std::to_string(max_index) + "&wait=30");
  REQUIRE(pr.ok());
  REQUIRE_MESSAGE(pr->status == 200, pr->body);
  auto cpr = (*c)->Get("checkpoint");
  REQUIRE(cpr.ok());
  auto cp = VerifyCheckpoint(cpr->body, log_key);
  REQUIRE(cp.ok());
  const uint64_t size = cp->checkpoint.size;
  const Hash final_root = cp->checkpoint.root_hash;
  published.emplace_back(size, final_root);

  // No acknowledged entry lost: the entry bundles hold each acked leaf at its index.
  std::vector<Hash> leaves;
  for (const auto& b : NewEntryBundles(0, size)) {
    auto r = (*c)->Get(EntryBundlePath(b));
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
    auto entries = ParseEntryBundle(AsBytes(r->body), b.width);
    REQUIRE(entries.ok());
    for (const Bytes& e : *entries) leaves.push_back(LeafHash(e));
  }
  REQUIRE(leaves.size() == size);
  size_t lost = 0;
  for (const auto& [idx, leaf] : acked) {
    if (idx >= size || !HashEqual(leaves[idx], leaf)) ++lost;
  }
  CHECK(lost == 0);

  // No regression or fork: each published checkpoint is consistent with the
  // next one and with the final one, by RFC 9162 proofs built from the tiles.
  NodeReader reader = HttpNodeReader(**c, size);
  size_t inconsistent = 0, regressions = 0;
  for (size_t i = 0; i < published.size(); ++i) {
    const auto& [s, r] = published[i];
    if (i + 1 < published.size()) {
      const auto& [s2, r2] = published[i + 1];
      if (s2 < s) ++regressions;
      auto proof = ProveConsistency(std::min(s, s2), std::max(s, s2), reader);
      if (!proof.ok() || !VerifyConsistency(std::min(s, s2), std::max(s, s2), *proof,
                                            s <= s2 ? r : r2, s <= s2 ? r2 : r)
                              .ok()) {
        ++inconsistent;
      }
    }
    auto proof = ProveConsistency(s, size, reader);
    if (!proof.ok() || !VerifyConsistency(s, size, *proof, r, final_root).ok()) ++inconsistent;
  }
  CHECK(regressions == 0);
  CHECK(inconsistent == 0);
  CHECK(acked_after_fault[Fault::kFsyncFails] == 0);
  const size_t injected = [&] {
    std::string s = faults::ReadFileOr(fail_log);
    return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
  }();
  CHECK(injected > 0);       // the shim really made fsyncs fail
  CHECK(statuses[500] > 0);  // and the server refused to acknowledge those batches
  std::string status_text;
  for (const auto& [code, n] : statuses) {
    status_text += " " + std::to_string(code) + ":" + std::to_string(n);
  }
  MESSAGE("candor-log fault cycles: "
          << cycles << " (kill only " << cycles_by_fault[Fault::kNone] << ", disk full "
          << cycles_by_fault[Fault::kDiskFull] << ", fsync fails "
          << cycles_by_fault[Fault::kFsyncFails] << ", fsync flaky "
          << cycles_by_fault[Fault::kFsyncFlaky] << "); acknowledged " << acked.size()
          << ", final size " << size << ", checkpoints checked " << published.size()
          << ", injected fsync failures " << injected << ", answers" << status_text
          << ", transport errors " << transport_errors << ", lost " << lost << ", inconsistent "
          << inconsistent << "; acknowledged after the fault began: fsync fails "
          << acked_after_fault[Fault::kFsyncFails] << ", disk full "
          << acked_after_fault[Fault::kDiskFull]);
}

}  // namespace
}  // namespace candor
