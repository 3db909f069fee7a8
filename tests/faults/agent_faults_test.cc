// Fault cycles against the real candor-agent install: each cycle installs the
// next release (rollback counter k+1) with one fault: SIGKILL at a random
// point, the disk (state dir and flash target on a small tmpfs) full from the
// start or filling up at a random point, every fsync failing, or fsyncs
// failing at random, sometimes combined with a SIGKILL. Extends
// tests/device-agent/crash_safety_test.cc (plain SIGKILLs) with those faults.
//
// Invariants after every cycle: the state file loads (never corrupt); it holds
// the old or the new release (counter never lowered); it holds the new one
// only if the flash target holds the complete new image (never ahead of what
// was flashed); an install that printed success committed the new state; an
// install whose fsyncs all fail, or that starts on a full disk, never succeeds.
//
// Short run in the suite: 16 cycles. Long run: CANDOR_FAULT_CYCLES=200.
//
// trust-update: SIGKILLed (by the shim, CANDOR_KILL_AT_CALL) just before each
// of its fsyncs and renames in turn, while walking two root versions; the
// state must hold the old root or the newest one, never the one between, and
// always load.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "device-agent/agent_fixture.h"
#include "faults/fault_util.h"

namespace candor::agent {
namespace {

using faults::FaultProcess;
using testing::Device;
using testing::kNow;
using testing::Release;
using testing::World;

constexpr size_t kImageSize = 512 << 10;
constexpr uint64_t kTmpfsSize = uint64_t{64} << 20;

enum Fault { kKill, kDiskFull, kDiskFillsUp, kFsyncFails, kFsyncFlaky, kFsyncFlakyKill };
const char* FaultName(Fault f) {
  switch (f) {
    case kKill:
      return "kill";
    case kDiskFull:
      return "disk full";
    case kDiskFillsUp:
      return "disk fills up";
    case kFsyncFails:
      return "fsync fails";
    case kFsyncFlaky:
      return "fsync flaky";
    case kFsyncFlakyKill:
      return "fsync flaky + kill";
  }
  return "?";
}

// Runs to completion or until killed; returns the wait status or -1 if killed.
int RunInstall(FaultProcess& p, long kill_after_us, const std::function<void()>& midway = {},
               long midway_us = -1) {
  REQUIRE(p.Start());
  auto start = std::chrono::steady_clock::now();
  bool midway_done = !midway;
  while (true) {
    int status = 0;
    if (p.Exited(&status)) return status;
    long us = static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count());
    if (!midway_done && us >= midway_us) {
      midway();
      midway_done = true;
    }
    if (kill_after_us >= 0 && us >= kill_after_us) {
      p.Kill(SIGKILL);
      return -1;
    }
    REQUIRE(us < 60'000'000);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

TEST_CASE("faults: candor-agent install under SIGKILL, full disk and failing fsync") {
  World w;
  Device d(w);
  faults::Tmpfs fs(d.Path("mnt"), std::to_string(kTmpfsSize));
  if (!fs.ok()) {
    if (faults::FaultsRequired()) FAIL("CANDOR_REQUIRE_FAULTS=1 but " << fs.error());
    MESSAGE("SKIPPED disk-full cycles: " << fs.error());
  }
  const std::string root = fs.ok() ? fs.path() : d.root;
  const std::string state_dir = root + "/state";
  const std::string target = root + "/flash.bin";
  const std::string ballast = root + "/ballast";
  const std::string trigger = d.Path("fsync-fails");
  const std::string fail_log = d.Path("fsync-failures");
  testing::WriteFile(target, "OLD FIRMWARE\n");
  const std::string config = d.Path("agent.conf");
  testing::WriteFile(config, "policy " + d.Path("policy") + "\nproduct printer-x1\nstate-dir " +
                                 state_dir + "\nflash-target " + target + "\n");

  const int cycles = faults::FaultCycles(16);
  std::vector<Hash> digests;
  for (int k = 0; k <= cycles; ++k) {
    Release r = w.MakeRelease("1." + std::to_string(k), static_cast<uint64_t>(k) + 1, kImageSize);
    w.Append(r.entry);
    digests.push_back(Sha256Digest(r.image));
  }
  auto image_of = [&](int k) {
    return World::Image(static_cast<uint64_t>(k + 1) * 1000 + ("1." + std::to_string(k)).size(),
                        kImageSize);
  };
  auto install = [&](int k, std::map<std::string, std::string> env) {
    testing::WriteFile(d.Path("img"), image_of(k));
    testing::WriteFile(d.Path("bundle"), w.BundleText(k, k + 1, w.GoodCheckpoint(k + 1)));
    // The companion file the agent reads beside the bundle: proofs from the
    // recent sizes and from the device's own last seen size (a faulted
    // install leaves the device at any earlier size).
    std::set<uint64_t> froms;
    for (int m = std::max(1, k + 1 - 31); m <= k; ++m) froms.insert(static_cast<uint64_t>(m));
    if (auto st = LoadState(state_dir); st.ok()) {
      auto seen = st->checkpoints.find(testing::kOrigin);
      if (seen != st->checkpoints.end() && seen->second.size <= static_cast<uint64_t>(k)) {
        froms.insert(seen->second.size);
        if (froms.size() > 32) froms.erase(std::next(froms.begin()));
      }
    }
    if (!froms.empty()) {
      testing::WriteFile(d.Path("bundle.consistency"),
                         testing::ProofFile(w, std::vector<uint64_t>(froms.begin(), froms.end()),
                                            static_cast<uint64_t>(k) + 1));
    }
    return std::make_unique<FaultProcess>(
        std::vector<std::string>{CANDOR_AGENT_BIN, "--config", config, "--now",
                                 std::to_string(kNow), "install", "--image", d.Path("img"),
                                 "--bundle", d.Path("bundle")},
        std::move(env), d.Path("agent.out"));
  };

  // Release 0, uninterrupted, timed to scale the kill points.
  auto t0 = std::chrono::steady_clock::now();
  auto first = install(0, {});
  int st0 = RunInstall(*first, -1);
  REQUIRE_MESSAGE((WIFEXITED(st0) && WEXITSTATUS(st0) == 0), faults::Tail(d.Path("agent.out")));
  const long full_us = static_cast<long>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count());

  // A killed install leaves its staged image (state_dir/image.*.stage) and the
  // flash target's .tmp behind; the next install deletes or truncates them
  // first (RemoveStaleStaging in device-agent/src/image.cc, O_TRUNC in
  // fs.cc). A disk filled around them is not full for that install: it may
  // succeed in the space it reclaims. So a "disk full" cycle reclaims them
  // before filling, as the agent would.
  auto reclaim_leftovers = [&] {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(state_dir, ec)) {
      const std::string name = e.path().filename().string();
      if (name.starts_with("image.") && name.ends_with(".stage")) {
        std::filesystem::remove(e.path(), ec);
      }
    }
    std::filesystem::remove(target + ".tmp", ec);
  };

  std::mt19937 rng(4242);
  std::map<Fault, int> by_fault;
  int advanced = 0, kept = 0, refused_as_required = 0;
  for (int k = 1; k <= cycles; ++k) {
    std::vector<Fault> choices = {kKill, kFsyncFails, kFsyncFlaky, kFsyncFlakyKill};
    if (fs.ok()) {
      choices.push_back(kDiskFull);
      choices.push_back(kDiskFillsUp);
    }
    const Fault fault = choices[static_cast<size_t>(k) % choices.size()];
    CAPTURE(k);
    CAPTURE(FaultName(fault));
    ++by_fault[fault];
    auto before = LoadState(state_dir);
    REQUIRE(before.ok());
    const uint64_t old_counter = before->RollbackFor(testing::kProduct);

    std::map<std::string, std::string> env;
    if (fault == kFsyncFails || fault == kFsyncFlaky || fault == kFsyncFlakyKill) {
      env = faults::ShimEnv(CANDOR_FAILING_FSYNC);
      env["CANDOR_FSYNC_FAIL_LOG"] = fail_log;
      env["CANDOR_FSYNC_FAIL_SEED"] = std::to_string(k);
      if (fault == kFsyncFails) env["CANDOR_FSYNC_FAIL_AFTER"] = "0";
      if (fault != kFsyncFails) env["CANDOR_FSYNC_FAIL_PROB"] = "0.5";
    }
    auto p = install(k, env);
    std::uniform_int_distribution<long> delay(0, full_us * 3 / 2);
    int status = 0;
    if (fault == kDiskFull) {
      reclaim_leftovers();
      fs.Fill(ballast);
      status = RunInstall(*p, rng() % 2 ? delay(rng) : -1);
    } else if (fault == kDiskFillsUp) {
      status = RunInstall(
          *p, -1, [&] { fs.Fill(ballast); }, delay(rng));
    } else if (fault == kKill || fault == kFsyncFlakyKill) {
      status = RunInstall(*p, delay(rng));
    } else {
      status = RunInstall(*p, -1);
    }
    const bool succeeded = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (fault == kDiskFull || fault == kDiskFillsUp) fs.Unfill(ballast, kTmpfsSize);

    auto after = LoadState(state_dir);
    REQUIRE_MESSAGE(after.ok(), after.status().ToString());  // never corrupt
    const uint64_t counter = after->RollbackFor(testing::kProduct);
    const uint64_t new_counter = static_cast<uint64_t>(k) + 1;
    CHECK(counter >= old_counter);
    CHECK((counter == old_counter || counter == new_counter));
    if (counter == new_counter) {
      ++advanced;
      CHECK(Sha256Digest(testing::ReadFileOr(target)) == digests[k]);  // never ahead of flash
    } else {
      ++kept;
      CHECK(*after == *before);
      CHECK_FALSE(succeeded);  // success was printed only after the commit
    }
    if (fault == kFsyncFails || fault == kDiskFull) {
      CHECK_FALSE(succeeded);
      CHECK(counter == old_counter);
      if (!succeeded && counter == old_counter) ++refused_as_required;
    }
  }
  MESSAGE("candor-agent fault cycles: "
          << cycles << "; committed " << advanced << ", kept " << kept << ", refused as required "
          << refused_as_required << "; kill " << by_fault[kKill] << ", disk full "
          << by_fault[kDiskFull] << ", disk fills up " << by_fault[kDiskFillsUp] << ", fsync fails "
          << by_fault[kFsyncFails] << ", fsync flaky " << by_fault[kFsyncFlaky] << ", flaky+kill "
          << by_fault[kFsyncFlakyKill]);
  CHECK(advanced >= 1);
  CHECK(kept >= 1);
  CHECK(refused_as_required >= 1);

  // After every fault, a clean install still works (lock released, leftovers cleaned).
  auto last = install(cycles, {});
  int st = RunInstall(*last, -1);
  if (LoadState(state_dir)->RollbackFor(testing::kProduct) != static_cast<uint64_t>(cycles) + 1) {
    CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0));
    CHECK(LoadState(state_dir)->RollbackFor(testing::kProduct) ==
          static_cast<uint64_t>(cycles) + 1);
  }
  CHECK(Sha256Digest(testing::ReadFileOr(target)) == digests[cycles]);
}

TEST_CASE("faults: SIGKILL at every durability step of candor-agent trust-update") {
  World w;
  Device d(w);
  testing::Keys a = testing::MakeKey("root-a.example"), b = testing::MakeKey("root-b.example");
  const std::string root1 = World::SignRoot(w.Root(1, {&a}, 1), {&a});
  const std::string root2 = World::SignRoot(w.Root(2, {&a, &b}, 2), {&a, &b});
  const std::string root3 = World::SignRoot(w.Root(3, {&b}, 1), {&a, &b});
  d.ProvisionRoot(root1);
  // The old state: a release installed under root 1 (a v2 file, no root yet).
  Release r = w.MakeRelease("1.0.0", 5);
  const uint64_t ri = w.Append(r.entry);
  REQUIRE(d.Install(r.image, w.GoodBundle(ri)).ok());
  const std::string old_state = d.StateBytes();
  const uint64_t i2 = w.AppendNote(root2), i3 = w.AppendNote(root3);
  testing::WriteFile(d.Path("2.root"), root2);
  testing::WriteFile(d.Path("2.root.bundle"), w.GoodBundle(i2));
  testing::WriteFile(d.Path("2.root.bundle.consistency"), testing::ProofFile(w, {1}, 3));
  testing::WriteFile(d.Path("3.root"), root3);
  testing::WriteFile(d.Path("3.root.bundle"), w.GoodBundle(i3));
  const std::vector<std::string> args = {CANDOR_AGENT_BIN,
                                         "--config",
                                         d.Path("agent.conf"),
                                         "--now",
                                         std::to_string(kNow),
                                         "trust-update",
                                         "--root",
                                         d.Path("2.root"),
                                         "--bundle",
                                         d.Path("2.root.bundle"),
                                         "--root",
                                         d.Path("3.root"),
                                         "--bundle",
                                         d.Path("3.root.bundle")};
  testing::WriteFile(d.Path("agent.conf"), "trust-root " + d.Path("root.provisioned") +
                                               "\nproduct printer-x1\nstate-dir " + d.state_dir +
                                               "\n");

  int killed_old = 0, killed_new = 0;
  bool completed = false;
  for (int step = 1; step <= 64 && !completed; ++step) {
    CAPTURE(step);
    // Every step starts from the old state (a committed kill would refuse
    // the same walk as a rollback next time); leftovers stay, as after a crash.
    testing::WriteFile(d.state_dir + "/state", old_state);
    auto env = faults::ShimEnv(CANDOR_FAILING_FSYNC);
    env["CANDOR_KILL_AT_CALL"] = std::to_string(step);
    FaultProcess p(args, env, d.Path("agent.out"));
    int status = RunInstall(p, -1);
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    completed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    REQUIRE_MESSAGE((killed || completed), faults::Tail(d.Path("agent.out")));

    auto after = LoadState(d.state_dir);
    REQUIRE_MESSAGE(after.ok(), after.status().ToString());  // always parses
    CHECK(after->RollbackFor(testing::kProduct) == 5);       // the install is kept
    if (after->trust_root.empty()) {
      CHECK_FALSE(completed);
      CHECK(d.StateBytes() == old_state);  // not a byte changed
      ++killed_old;
    } else {
      // Never root 2: the walk commits once, at its end.
      CHECK(after->trust_root == root3);
      CHECK(after->checkpoints.at(testing::kOrigin).size == 3);
      if (!completed) ++killed_new;
    }
  }
  MESSAGE("trust-update killed at each step: " << killed_old << " kept the old root, " << killed_new
                                               << " had committed the new one");
  CHECK(completed);
  CHECK(killed_old >= 1);
  CHECK(killed_new >= 1);  // the kill before the directory fsync: renamed, so committed
}

}  // namespace
}  // namespace candor::agent
