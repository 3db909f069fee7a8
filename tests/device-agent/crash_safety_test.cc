// Crash safety of installs: the real candor-agent is SIGKILLed at random
// points of an install, in a loop. After every kill the state must load (never
// corrupt), hold either the old or the new release (counter never lowered),
// and only hold the new one if the new image was completely flashed.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>

#include "agent_fixture.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::kNow;
using testing::Release;
using testing::World;

// Starts an install of image/bundle; kills it after `delay_us` unless it
// finished. Returns true if it exited by itself with status 0.
bool InstallKilledAfter(const std::string& config, const std::string& image,
                        const std::string& bundle, long delay_us) {
  std::vector<std::string> args = {CANDOR_AGENT_BIN,     "--config", config,    "--now",
                                   std::to_string(kNow), "install",  "--image", image,
                                   "--bundle",           bundle};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (delay_us >= 0) {
    struct timespec ts = {delay_us / 1000000, (delay_us % 1000000) * 1000};
    ::nanosleep(&ts, nullptr);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Consistency proofs to `to` from the last sizes below it and from the
// device's last seen size (at most 32 blocks, ascending).
std::string ProofsFor(const World& w, const DeviceState& state, uint64_t to) {
  std::set<uint64_t> froms;
  for (uint64_t m = to > 31 ? to - 31 : 1; m < to; ++m) froms.insert(m);
  auto seen = state.checkpoints.find(testing::kOrigin);
  if (seen != state.checkpoints.end() && seen->second.size < to) {
    froms.insert(seen->second.size);
    if (froms.size() > 32) froms.erase(std::next(froms.begin()));
  }
  return testing::ProofFile(w, std::vector<uint64_t>(froms.begin(), froms.end()), to);
}

TEST_CASE("crash safety: SIGKILL at random points of an install never corrupts or lowers state") {
  World w;
  Device d(w);
  const std::string config = d.Path("agent.conf");
  testing::WriteFile(config, "policy " + d.Path("policy") + "\nproduct printer-x1\nstate-dir " +
                                 d.state_dir + "\nflash-target " + d.target + "\n");
  constexpr int kReleases = 40;
  constexpr size_t kImageSize = 8 << 20;
  // Release k has rollback k+1 and sits at index k; its bundle uses the
  // checkpoint of size k+1, so checkpoints grow with releases.
  std::vector<Hash> digests;
  for (int k = 0; k < kReleases; ++k) {
    Release r = w.MakeRelease("1." + std::to_string(k), static_cast<uint64_t>(k) + 1, kImageSize);
    w.Append(r.entry);
    digests.push_back(Sha256Digest(r.image));
  }
  // Regenerating 8 MiB images per iteration is cheap; keep only the current one on disk.
  auto image_of = [&](int k) {
    return testing::World::Image(
        static_cast<uint64_t>(k + 1) * 1000 + ("1." + std::to_string(k)).size(), kImageSize);
  };

  // Time one uninterrupted install of release 0 to scale the kill delays.
  testing::WriteFile(d.Path("img"), image_of(0));
  testing::WriteFile(d.Path("bundle"), w.BundleText(0, 1, w.GoodCheckpoint(1)));
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(InstallKilledAfter(config, d.Path("img"), d.Path("bundle"), -1));
  long full_us = static_cast<long>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  MESSAGE("one install of 8 MiB takes ", full_us, " us");

  std::mt19937 rng(12345);
  std::uniform_int_distribution<long> delay(0, full_us * 3 / 2);
  int advanced = 0, kept = 0;
  for (int k = 1; k < kReleases; ++k) {
    CAPTURE(k);
    auto before = LoadState(d.state_dir);
    REQUIRE(before.ok());
    const uint64_t old_counter = before->RollbackFor(testing::kProduct);
    const uint64_t new_counter = static_cast<uint64_t>(k) + 1;
    const std::string image = image_of(k);
    REQUIRE(Sha256Digest(image) == digests[k]);
    testing::WriteFile(d.Path("img"), image);
    testing::WriteFile(d.Path("bundle"), w.BundleText(k, k + 1, w.GoodCheckpoint(k + 1)));
    // The companion file beside the bundle, as an update server ships it: a
    // proof from each recent size it handed out (a killed install leaves the
    // device at an earlier size), up to the format's 32 blocks, and from the
    // device's own size (as if it had reported it).
    testing::WriteFile(d.Path("bundle.consistency"), ProofsFor(w, *before, k + 1));
    // k == 1: killed at once (must keep the old state); k == 2: never killed
    // (must advance); others: random points across the whole install.
    long us = k == 1 ? 0 : k == 2 ? -1 : delay(rng);
    bool finished = InstallKilledAfter(config, d.Path("img"), d.Path("bundle"), us);

    auto after = LoadState(d.state_dir);
    REQUIRE_MESSAGE(after.ok(), after.status().ToString());  // never corrupt
    const uint64_t counter = after->RollbackFor(testing::kProduct);
    CHECK(counter >= old_counter);  // never lowered
    CHECK((counter == old_counter || counter == new_counter));
    if (counter == new_counter) {
      ++advanced;
      // Never ahead of the flash: the target holds the complete new image.
      CHECK(Sha256Digest(d.TargetBytes()) == digests[k]);
      CHECK(after->checkpoints.at(testing::kOrigin).size == static_cast<uint64_t>(k) + 1);
    } else {
      ++kept;
      CHECK_FALSE(finished);
      CHECK(*after == *before);
    }
    if (k == 1) CHECK(counter == old_counter);
    if (k == 2) CHECK(counter == new_counter);
  }
  MESSAGE(advanced, " installs committed, ", kept, " killed before commit");
  CHECK(advanced >= 1);
  CHECK(kept >= 1);

  // After all the crashes, an install still works (lock released, leftovers cleaned).
  const int last = kReleases - 1;
  testing::WriteFile(d.Path("img"), image_of(last));
  testing::WriteFile(d.Path("bundle"), w.BundleText(last, last + 1, w.GoodCheckpoint(last + 1)));
  testing::WriteFile(d.Path("bundle.consistency"),
                     ProofsFor(w, *LoadState(d.state_dir), last + 1));
  REQUIRE(InstallKilledAfter(config, d.Path("img"), d.Path("bundle"), -1));
  CHECK(LoadState(d.state_dir)->RollbackFor(testing::kProduct) == static_cast<uint64_t>(kReleases));
  CHECK(Sha256Digest(d.TargetBytes()) == digests[last]);
}

}  // namespace
}  // namespace candor::agent
