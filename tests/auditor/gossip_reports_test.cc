// Device reports in `candor audit gossip`, end to end with real processes: two
// candor-log servers with the same key and origin (the second started from a
// copy of the first's data directory: a fork signed by the real key), a real
// candor-agent on each side installing a release published by `candor
// publish`, `candor-agent report` files collected in a directory, and
// `candor audit gossip` over a mirror of the honest log. The device served
// the fork yields split-view evidence holding both signed checkpoints (and
// its release is one the public log does not hold at that index); the honest
// device is consistent; a checkpoint of another log is reported as such;
// a broken report does not stop the others.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "audit_test_util.h"
#include "candor/audit/evidence.h"
#include "candor/checkpoint.h"
#include "candor/device_report.h"
#include "log_process.h"

#if defined(CANDOR_LOG_BINARY) && defined(CANDOR_CLI_BINARY) && defined(CANDOR_AGENT_BINARY)

namespace candor {
namespace {

using namespace audittest;
using testing::CommandResult;
using testing::RunCommand;

constexpr const char* kProduct = "inkjet-x100";  // ReleaseSpec's default

std::string Trimmed(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// A device configured with `policy`, its state and flash target under `dir`.
struct DeviceDir {
  std::string dir, config;
  DeviceDir(const std::string& root, const std::string& name, const std::string& policy) {
    dir = root + "/" + name;
    REQUIRE(fs::MakeDirectories(dir).ok());
    WriteText(dir + "/slot", "OLD FIRMWARE\n");
    config = dir + "/agent.conf";
    WriteText(config, "policy " + policy + "\nproduct " + kProduct + "\nstate-dir " + dir +
                          "/state\nflash-target " + dir + "/slot\n");
  }
  CommandResult Agent(std::vector<std::string> args) const {
    args.insert(args.begin(), {CANDOR_AGENT_BINARY, "--config", config});
    return RunCommand(args, /*merge_stderr=*/false);
  }
};

// Publishes `entry` to `log` with `candor publish`; the bundle's path.
std::string Publish(const Log& log, const std::string& work, const std::string& name,
                    const Bytes& entry, const std::string& policy) {
  const std::string entry_path = work + "/" + name + ".entry";
  WriteText(entry_path, std::string(AsChars(entry)));
  const std::string bundle = work + "/" + name + ".bundle";
  CommandResult pub = Candor({"publish", "--log", log.url(), "--policy", policy, entry_path,
                              "--out", bundle, "--timeout", "60"});
  REQUIRE_MESSAGE(pub.exit_code == 0, pub.output);
  return bundle;
}

// Installs the release of `spec` (its image is "image" + version, as
// MakeRelease hashes it) on `device` and writes its report to `report_path`.
void InstallAndReport(const DeviceDir& device, const ReleaseSpec& spec, const std::string& bundle,
                      const std::string& report_path) {
  const std::string image = device.dir + "/" + spec.version + ".img";
  WriteText(image, spec.image + spec.version);
  CommandResult install = device.Agent({"install", "--image", image, "--bundle", bundle});
  REQUIRE_MESSAGE(install.exit_code == 0, install.output);
  CHECK(ReadText(device.dir + "/slot") == spec.image + spec.version);
  CommandResult report = device.Agent({"report"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.output);
  WriteText(report_path, report.output);
}

std::vector<std::string> EvidenceFiles(const std::string& mirror) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(mirror + "/.candor-audit")) {
    if (e.path().filename().string().starts_with("evidence-")) files.push_back(e.path());
  }
  return files;
}

TEST_CASE("gossip with device reports: an honest device is consistent, a forked one is evidence") {
  const SignerKey acme = TestKey("acme.example", 21);
  Log honest({acme}, /*serve=*/false);
  Log fork(Log::ForkOf{honest});  // same key, origin and vendors
  honest.Serve();
  fork.Serve();
  TempDir work;
  const std::string log_pub = honest.dir() + "/log.pub";
  const VerifierKey log_key = ParseVerifierKey(Trimmed(ReadText(log_pub))).value();
  const std::string policy = work / "device.policy";
  WriteText(policy, "log " + FormatVerifierKey(log_key) + "\nquorum none\nvendor " +
                        FormatVerifierKey(PublicKeyOf(acme)) + " " + kProduct + "\n");

  // One common release, then the histories part: 2.0 on the public log, a
  // 2.0-silent without its disclosure on the fork, both at index 1.
  ReleaseSpec a1;
  ReleaseSpec a2 = a1;
  a2.version = "2.0";
  a2.rollback = 2;
  a2.disclosures = {"consumables.third-party=blocked"};
  ReleaseSpec evil = a2;
  evil.version = "2.0-silent";
  evil.disclosures = {};
  Publish(honest, work.path(), "a1-honest", MakeRelease(acme, a1), policy);
  Publish(fork, work.path(), "a1-fork", MakeRelease(acme, a1), policy);
  const std::string honest_bundle =
      Publish(honest, work.path(), "a2", MakeRelease(acme, a2), policy);
  const std::string fork_bundle =
      Publish(fork, work.path(), "evil", MakeRelease(acme, evil), policy);

  // The devices install and report; the operator collects the reports.
  const std::string reports = work / "reports";
  REQUIRE(fs::MakeDirectories(reports).ok());
  DeviceDir good(work.path(), "good-device", policy);
  DeviceDir victim(work.path(), "victim-device", policy);
  InstallAndReport(good, a2, honest_bundle, reports + "/good-device.report");
  InstallAndReport(victim, evil, fork_bundle, reports + "/victim-device.report");
  auto victim_report = ParseDeviceReport(ReadText(reports + "/victim-device.report"));
  REQUIRE_MESSAGE(victim_report.ok(), victim_report.status().ToString());
  REQUIRE(victim_report->checkpoints.size() == 1);
  const std::string victim_note = victim_report->checkpoints[0].note;
  // A plain checkpoint file beside the reports still counts as one.
  WriteText(reports + "/log-checkpoint", ReadText(honest.dir() + "/checkpoint"));

  // The auditor mirrors the public log.
  const std::string mirror = work / "mirror";
  CommandResult sync =
      Candor({"audit", "sync", "--log", honest.url(), "--log-key", log_pub, "--dir", mirror});
  REQUIRE_MESSAGE(sync.exit_code == 0, sync.output);
  const std::string mirror_checkpoint = ReadText(mirror + "/checkpoint");
  REQUIRE(ParseSignedCheckpointUnverified(mirror_checkpoint)->checkpoint.size == 2);

  SUBCASE("the honest device's report, and a checkpoint of another log: exit 0") {
    const SignerKey other_key = TestKey("other.example/log", 40);
    DirectLog other(work / "other", other_key);
    other.Append({MakeRelease(acme, a1)});
    DeviceReport other_only;
    other_only.checkpoints = {{"other.example/log", other.checkpoint()}};
    WriteText(work / "other.report", FormatDeviceReport(other_only));
    CommandResult g = Candor({"audit", "gossip", "--dir", mirror, reports + "/good-device.report",
                              work / "other.report", "--json"});
    CHECK_MESSAGE(g.exit_code == 0, g.output);
    CHECK(Contains(g.output, "{\"file\":\"" + reports +
                                 "/good-device.report\",\"origin\":\"log.example/audit-it\","
                                 "\"verdict\":\"consistent\",\"size\":2,\"mirror_size\":2,"));
    CHECK(Contains(g.output, "{\"file\":\"" + work / "other.report" +
                                 "\",\"origin\":\"other.example/log\",\"verdict\":\"other-log\""));
    CHECK(!Contains(g.output, "unknown-release"));
    CHECK(EvidenceFiles(mirror).empty());
  }

  SUBCASE("a broken report is malformed, a missing one an error, the others are still judged") {
    std::string cut = ReadText(reports + "/good-device.report");
    cut.resize(cut.size() - 4);  // the end line lost in transit
    WriteText(work / "cut.report", cut);
    CommandResult json = good.Agent({"report", "--json"});
    REQUIRE(json.exit_code == 0);
    WriteText(work / "json.report", json.output);
    CommandResult g =
        Candor({"audit", "gossip", "--dir", mirror, work / "cut.report", work / "absent.report",
                work / "json.report", reports + "/good-device.report", "--json"});
    CHECK(Contains(g.output, "a JSON report; gossip reads the text form"));
    CHECK(g.exit_code == ExitCodeFor(Code::kBadSignature));
    CHECK(Contains(g.output, "{\"file\":\"" + work / "absent.report" +
                                 "\",\"origin\":null,\"verdict\":\"error\""));
    CHECK(Contains(g.output, "\"origin\":null,\"verdict\":\"malformed\""));
    CHECK(Contains(g.output, "no end line"));
    CHECK(Contains(g.output, "\"verdict\":\"consistent\""));
  }

  SUBCASE("the directory of reports: split-view evidence with both signed checkpoints, exit 8") {
    CommandResult g = Candor({"audit", "gossip", "--dir", mirror, reports, "--json"});
    CHECK(g.exit_code == ExitCodeFor(Code::kInconsistent));
    CHECK(Contains(g.output, "{\"file\":\"" + reports +
                                 "/good-device.report\",\"origin\":\"log.example/audit-it\","
                                 "\"verdict\":\"consistent\""));
    CHECK(Contains(g.output, "{\"file\":\"" + reports +
                                 "/log-checkpoint\",\"origin\":\"log.example/audit-it\","
                                 "\"verdict\":\"consistent\""));
    CHECK(Contains(g.output, "{\"file\":\"" + reports +
                                 "/victim-device.report\",\"origin\":\"log.example/audit-it\","
                                 "\"verdict\":\"split-view\",\"size\":2,\"mirror_size\":2,"));
    // The victim installed entry 1 of the fork, which the public log holds
    // another release at.
    CHECK(Contains(g.output,
                   "\"verdict\":\"unknown-release\",\"size\":1,\"mirror_size\":2,"
                   "\"detail\":\"installed inkjet-x100 2.0-silent as log index 1, "
                   "where the mirror holds acme.example 2.0 (another leaf hash)\""));
    const std::vector<std::string> evidence = EvidenceFiles(mirror);
    REQUIRE(evidence.size() == 1);
    CHECK(Contains(g.output, "\"evidence\":\"" + evidence[0] + "\""));
    auto ev = audit::ParseEvidence(ReadText(evidence[0]));
    REQUIRE_MESSAGE(ev.ok(), ev.status().ToString());
    CHECK(ev->kind == "split-view");
    CHECK(ev->origin == "log.example/audit-it");
    CHECK(ev->source_a == "gossip device report " + reports + "/victim-device.report");
    // Both checkpoints, verbatim and signed by the log: the device's and the
    // mirror's, of one size with two roots.
    CHECK(ev->checkpoint_a == victim_note);
    CHECK(ev->checkpoint_b == mirror_checkpoint);
    auto a = VerifyCheckpoint(ev->checkpoint_a, log_key);
    auto b = VerifyCheckpoint(ev->checkpoint_b, log_key);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->checkpoint.size == b->checkpoint.size);
    CHECK(!HashEqual(a->checkpoint.root_hash, b->checkpoint.root_hash));

    // The table says the same, one row per checkpoint and release.
    CommandResult table = Candor({"audit", "gossip", "--dir", mirror, reports});
    CHECK(table.exit_code == ExitCodeFor(Code::kInconsistent));
    CHECK(Contains(table.output, "FILE"));
    CHECK(Contains(table.output, "split-view"));
    CHECK(Contains(table.output, "unknown-release"));
    CHECK(Contains(table.output, "consistent"));
  }
}

}  // namespace
}  // namespace candor

#endif
