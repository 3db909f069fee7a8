// `candor-agent report` (candor/agent/report.h): the device report made from
// the state after installs from two logs, in text (the canonical
// candor/device_report.h form, which parses back to the same checkpoints and
// releases) and JSON; the empty state; and the real binary, which reports
// while another agent holds the state-dir lock (a report never waits for, or
// holds up, an install).
#include "candor/agent/report.h"

#include <doctest/doctest.h>

#include "agent_fixture.h"
#include "agent_process.h"
#include "candor/agent/cli.h"
#include "candor/agent/private_dir.h"
#include "candor/json_string.h"

namespace candor::agent {
namespace {

using testing::Device;
using testing::kNow;
using testing::Release;
using testing::Run;
using testing::RunAgent;
using testing::World;

// A device trusting two logs, with printer-x1 1.0.0 installed from the first
// (at size 3) and printer-x2 2.0.0 from the second (at size 1).
struct TwoLogDevice {
  World a;
  World b = a.SecondLog("second.example/log");
  Device d{a};
  Release r1, r2;
  uint64_t i1 = 0, i2 = 0;
  TwoLogDevice() {
    auto policy = ParseTrustPolicy(a.PolicyWithLog(b));
    REQUIRE_MESSAGE(policy.ok(), policy.status().ToString());
    d.ctx.policy = *policy;
    r1 = a.MakeRelease("1.0.0", 5);
    a.AppendFiller(2);
    i1 = a.Append(r1.entry);
    auto got = d.Install(r1.image, a.GoodBundle(i1));
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    r2 = a.MakeRelease("2.0.0", 9, 1000, nullptr, {"printer-x2"});
    i2 = b.Append(r2.entry);
    d.ctx.product = "printer-x2";
    got = d.Install(r2.image, b.GoodBundle(i2));
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  }
};

TEST_CASE("report: after installs from two logs, text parses back to both checkpoints") {
  TwoLogDevice t;
  auto state = ReadStatus(t.d.state_dir);
  REQUIRE(state.ok());
  auto text = FormatReportText(*state);
  REQUIRE_MESSAGE(text.ok(), text.status().ToString());
  CHECK(text->starts_with("candor.dev/device-report/v1\ncheckpoint "));
  CHECK(text->ends_with("\nend\n"));
  auto report = ParseDeviceReport(*text);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(*report == ReportOf(*state));
  REQUIRE(report->checkpoints.size() == 2);
  // Ascending origin; each note verbatim as the device accepted it.
  CHECK(report->checkpoints[0].origin == t.a.origin);
  CHECK(report->checkpoints[0].note == t.a.GoodCheckpoint(3));
  CHECK(report->checkpoints[1].origin == t.b.origin);
  CHECK(report->checkpoints[1].note == t.b.GoodCheckpoint(1));
  REQUIRE(report->releases.size() == 2);
  CHECK(report->releases[0] ==
        ReportRelease{testing::kProduct, "1.0.0", 5, t.i1, LeafHash(t.r1.entry)});
  CHECK(report->releases[1] == ReportRelease{"printer-x2", "2.0.0", 9, t.i2, LeafHash(t.r2.entry)});
  CHECK(text->find("\ninstalled printer-x1 1.0.0 5 2 " + Base64Encode(LeafHash(t.r1.entry)) +
                   "\ninstalled printer-x2 2.0.0 9 0 ") != std::string::npos);
}

TEST_CASE("report --json: the status keys for checkpoints and releases, notes as strings") {
  TwoLogDevice t;
  auto state = ReadStatus(t.d.state_dir);
  REQUIRE(state.ok());
  const std::string json = FormatReportJson(*state);
  CHECK(
      json.starts_with("{\"format\":\"candor.dev/device-report/v1\",\"checkpoints\":[{\"origin\":"
                       "\"log.candor.example/firmware\",\"size\":3,"));
  CHECK(json.find("{\"origin\":\"second.example/log\",\"size\":1,") != std::string::npos);
  CHECK(json.find(",\"note\":" + JsonQuote(t.a.GoodCheckpoint(3)) + "}") != std::string::npos);
  CHECK(json.find("],\"installed\":[{\"product\":\"printer-x1\",\"version\":\"1.0.0\","
                  "\"rollback\":5,\"log_index\":2,") != std::string::npos);
  CHECK(json.find("\"leaf_hash\":\"" + Base64Encode(LeafHash(t.r2.entry)) + "\"}]}\n") !=
        std::string::npos);
  // The same pieces as status --json (one writer for both).
  const std::string status = FormatStatusJson(*state);
  const size_t from = json.find("\"checkpoints\":[");
  const size_t to = json.find("],\"installed\"") + 1;
  CHECK(status.find(json.substr(from, to - from)) != std::string::npos);
}

TEST_CASE("report: the empty state of a device that installed nothing") {
  DeviceState empty;
  auto text = FormatReportText(empty);
  REQUIRE(text.ok());
  CHECK(*text == "candor.dev/device-report/v1\nend\n");
  CHECK(FormatReportJson(empty) ==
        "{\"format\":\"candor.dev/device-report/v1\",\"checkpoints\":[],\"installed\":[]}\n");
}

TEST_CASE("report: a state the format cannot carry is an error, not an unreadable report") {
  DeviceState state;
  InstalledRelease rel;
  rel.version = "1.0";
  state.products.emplace("_not-a-product-id", rel);  // no verified install stores this
  auto text = FormatReportText(state);
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().code() == Code::kMalformed);
  CHECK(text.status().message().find("bad product id") != std::string::npos);
}

TEST_CASE(
    "candor-agent report: the binary prints the report, also while an install holds the lock") {
  TwoLogDevice t;
  auto state = ReadStatus(t.d.state_dir);
  REQUIRE(state.ok());
  // Another agent (here: this test) holds the state-dir lock, as an install does.
  auto lock = AcquireStateLock(t.d.state_dir);
  REQUIRE(lock.ok());
  Run text = RunAgent(t.d, {"--state-dir", t.d.state_dir, "report"});
  CHECK_MESSAGE(text.code == 0, text.err);
  CHECK(text.err.empty());
  CHECK(text.out == FormatReportText(*state).value());
  Run json = RunAgent(t.d, {"report", "--json", "--state-dir=" + t.d.state_dir});
  CHECK_MESSAGE(json.code == 0, json.err);
  CHECK(json.out == FormatReportJson(*state));

  // A fresh device reports the empty report; a corrupt state is one error line.
  Device fresh(t.a);
  Run empty = RunAgent(fresh, {"--state-dir", fresh.state_dir, "report"});
  CHECK(empty.code == 0);
  CHECK(empty.out == "candor.dev/device-report/v1\nend\n");
  REQUIRE(EnsurePrivateDir(fresh.state_dir).ok());
  testing::WriteFile(fresh.state_dir + "/state", "candor-agent-state v2\ngarbage\n");
  Run corrupt = RunAgent(fresh, {"--state-dir", fresh.state_dir, "report"});
  CHECK(corrupt.code == ExitCodeFor(Code::kMalformed));
  CHECK(corrupt.out.empty());
  CHECK_MESSAGE(corrupt.err.starts_with("error: corrupt state file "), corrupt.err);
  CHECK(std::count(corrupt.err.begin(), corrupt.err.end(), '\n') == 1);

  struct Case {
    std::vector<std::string> args;
    const char* err;
  } usage[] = {
      {{"report", "--image", "x"}, "usage error: --image is not an option of report"},
      {{"report", "extra"}, "usage error: unexpected argument 'extra'"},
      {{"report"}, "error: no state-dir configured"},
  };
  for (const Case& c : usage) {
    CAPTURE(c.err);
    std::vector<std::string> args = c.args;
    args.insert(args.begin(), {"--config", t.d.Path("absent.conf")});
    if (std::string_view(c.err).starts_with("error: no state-dir")) {
      args = {"--config", t.d.Path("empty.conf"), "report"};
      testing::WriteFile(t.d.Path("empty.conf"), "# nothing\n");
    }
    Run r = RunAgent(t.d, args);
    CHECK(r.code != 0);
    CHECK_MESSAGE(r.err.starts_with(c.err), r.err);
  }
}

}  // namespace
}  // namespace candor::agent
