// Process-level tests of the real candor-agent binary: install, status --json,
// refusal lines and exit codes (docs/EXIT_CODES.md), usage errors.
#include <doctest/doctest.h>

#include "agent_fixture.h"
#include "agent_process.h"
#include "candor/agent/cli.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::kNow;
using testing::Release;
using testing::Run;
using testing::RunAgent;
using testing::World;

std::string WriteConfig(const Device& d) {
  std::string path = d.Path("agent.conf");
  testing::WriteFile(path, "# test device\npolicy " + d.Path("policy") +
                               "\nproduct printer-x1\nstate-dir " + d.state_dir +
                               "\nflash-target " + d.target + "\n");
  return path;
}

size_t Lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST_CASE("candor-agent: install, status, refusals, exit codes") {
  World w;
  Device d(w);
  const std::string config = WriteConfig(d);
  const std::string now = std::to_string(kNow);
  Release v1 =
      w.MakeRelease("1.0.0", 5, 200000, nullptr, {testing::kProduct},
                    {*ParseDisclosureArg("telemetry=crash-reports to metrics.acme.example")});
  uint64_t i1 = w.Append(v1.entry);
  testing::WriteFile(d.Path("v1.img"), v1.image);
  testing::WriteFile(d.Path("v1.bundle"), w.GoodBundle(i1));

  Run verify = RunAgent(d, {"--config", config, "--now", now, "verify", "--image", d.Path("v1.img"),
                            "--bundle", d.Path("v1.bundle")});
  CHECK_MESSAGE(verify.code == 0, verify.err);
  CHECK(
      verify.out.starts_with("verified: acme.example printer-x1 1.0.0 (rollback 5), log index 0"));
  CHECK(d.TargetBytes() == "OLD FIRMWARE\n");

  Run install = RunAgent(d, {"install", "--config=" + config, "--now=" + now, "--image",
                             d.Path("v1.img"), "--bundle", d.Path("v1.bundle")});
  CHECK_MESSAGE(install.code == 0, install.err);
  CHECK(install.out.starts_with("installed: acme.example printer-x1 1.0.0 (rollback 5)"));
  CHECK(install.out.find("cosigned by w1, w2") != std::string::npos);
  CHECK(install.err.empty());
  // The fixture's 2-of-3 quorum falls to one colluding witness: one warning.
  CHECK(install.warnings == QuorumSplitViewWarning(d.ctx.policy) + "\n");
  CHECK(install.warnings.starts_with("warning: policy quorum 'witnesses'"));
  CHECK(d.TargetBytes() == v1.image);

  Run status = RunAgent(d, {"--config", config, "status", "--json"});
  CHECK(status.code == 0);
  CHECK(
      status.out.starts_with("{\"products\":[{\"product\":\"printer-x1\",\"version\":\"1.0.0\","
                             "\"rollback\":5,\"log_index\":0,"));
  CHECK(status.out.find("\"kind\":\"telemetry\"") != std::string::npos);
  CHECK(status.out.find("\"size\":1,") != std::string::npos);
  Run text = RunAgent(d, {"--config", config, "status"});
  CHECK(text.code == 0);
  CHECK(text.out.find("product printer-x1: version 1.0.0 (rollback 5), log index 0") !=
        std::string::npos);

  // A rollback: one line naming the reason, exit code of the rollback class.
  Release old = w.MakeRelease("0.9.0", 4);
  uint64_t i0 = w.Append(old.entry);
  testing::WriteFile(d.Path("old.img"), old.image);
  testing::WriteFile(d.Path("old.bundle"), w.GoodBundle(i0));
  const std::string state_before = d.StateBytes();
  Run rb = RunAgent(d, {"--config", config, "--now", now, "install", "--image", d.Path("old.img"),
                        "--bundle", d.Path("old.bundle")});
  CHECK(rb.code == ExitCodeFor(Code::kRollback));
  CHECK(rb.code == 10);
  CHECK(rb.err == "refused: rollback 4 < 5\n");
  CHECK(rb.out.empty());
  CHECK(d.TargetBytes() == v1.image);
  CHECK(d.StateBytes() == state_before);

  // Not logged.
  Release unlogged = w.MakeRelease("1.1.0", 6);
  Bundle b{unlogged.entry, 0, w.tree.Inclusion(0, 2), w.GoodCheckpoint(2)};
  testing::WriteFile(d.Path("u.img"), unlogged.image);
  testing::WriteFile(d.Path("u.bundle"), FormatBundle(b));
  // The update server's companion file, found beside the bundle by default.
  testing::WriteFile(d.Path("u.bundle.consistency"), testing::ProofFile(w, {1}, 2));
  Run nl = RunAgent(d, {"--config", config, "--now", now, "install", "--image", d.Path("u.img"),
                        "--bundle", d.Path("u.bundle")});
  CHECK(nl.code == ExitCodeFor(Code::kNotIncluded));
  CHECK(nl.err.starts_with("refused: not logged"));
  CHECK(Lines(nl.err) == 1);

  // Witness quorum, through --flash-target/--policy/... flags without a config.
  Release v2 = w.MakeRelease("1.2.0", 7);
  uint64_t i2 = w.Append(v2.entry);
  testing::WriteFile(d.Path("v2.img"), v2.image);
  testing::WriteFile(d.Path("v2.bundle"),
                     w.BundleText(i2, i2 + 1, w.CheckpointNote(i2 + 1, {&w.w2})));
  Run q = RunAgent(d, {"install", "--policy", d.Path("policy"), "--product", "printer-x1",
                       "--state-dir", d.state_dir, "--flash-target", d.target, "--now", now,
                       "--image", d.Path("v2.img"), "--bundle", d.Path("v2.bundle")});
  CHECK(q.code == ExitCodeFor(Code::kPolicyUnsatisfied));
  CHECK(q.err == "refused: witness quorum not met (1 of 2)\n");

  // Too old, judged by the device clock.
  testing::WriteFile(d.Path("v2.bundle"), w.GoodBundle(i2));
  Run late = RunAgent(d, {"--config", config, "--now", std::to_string(kNow + 3 * 86400), "install",
                          "--image", d.Path("v2.img"), "--bundle", d.Path("v2.bundle")});
  CHECK(late.code == ExitCodeFor(Code::kPolicyUnsatisfied));
  CHECK(late.err.starts_with("refused: checkpoint too old"));
  CHECK(d.TargetBytes() == v1.image);
  CHECK(d.StateBytes() == state_before);

  // A larger checkpoint without a consistency proof: its own exit code.
  Run unproven = RunAgent(d, {"--config", config, "--now", now, "install", "--image",
                              d.Path("v2.img"), "--bundle", d.Path("v2.bundle")});
  CHECK(unproven.code == ExitCodeFor(Code::kConsistencyRequired));
  CHECK(unproven.code == 15);
  CHECK(unproven.err ==
        "refused: consistency proof required: last seen log.candor.example/firmware at size 1, "
        "checkpoint is size 3; none given\n");
  CHECK(d.StateBytes() == state_before);
  // With the proof file given explicitly, it installs.
  testing::WriteFile(d.Path("v2.proof"), testing::ProofFile(w, {1}, 3));
  Run proven =
      RunAgent(d, {"--config", config, "--now", now, "install", "--image", d.Path("v2.img"),
                   "--bundle", d.Path("v2.bundle"), "--consistency-proof", d.Path("v2.proof")});
  CHECK_MESSAGE(proven.code == 0, proven.err);
  CHECK(d.TargetBytes() == v2.image);
}

TEST_CASE("candor-agent: usage and configuration errors") {
  World w;
  Device d(w);
  Run help = RunAgent(d, {"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.starts_with("usage: candor-agent"));
  struct Case {
    std::vector<std::string> args;
    int code;
    const char* err_prefix;
  } cases[] = {
      {{}, kExitUsage, "usage error: no command given"},
      {{"frobnicate"}, kExitUsage, "usage error: unknown command 'frobnicate'"},
      {{"verify", "--image", "x"}, kExitUsage, "usage error: verify needs --image and --bundle"},
      {{"status", "--bogus"}, kExitUsage, "usage error: unknown option --bogus"},
      {{"status", "--image", "x"}, kExitUsage, "usage error: --image is not an option of status"},
      {{"status", "--state-dir"}, kExitUsage, "usage error: --state-dir needs a value"},
      {{"status", "--now", "yesterday"}, kExitUsage, "usage error: --now needs a decimal"},
      {{"status", "--state-dir", "a", "--state-dir", "b"},
       kExitUsage,
       "usage error: --state-dir given twice"},
      {{"status", "extra", "args"}, kExitUsage, "usage error: unexpected argument"},
      {{"--config", "/nonexistent/agent.conf", "status"},
       ExitCodeFor(Code::kNotFound),
       "error: config"},
      {{"install", "--image", "a", "--bundle", "b", "--state-dir", "/tmp/x"},
       ExitCodeFor(Code::kInvalidArgument),
       "error: no policy configured"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.err_prefix);
    Run r = RunAgent(d, c.args);
    CHECK(r.code == c.code);
    CHECK_MESSAGE(r.err.starts_with(c.err_prefix), r.err);
    CHECK(Lines(r.err) == 1);
  }
}

}  // namespace
}  // namespace candor::agent
