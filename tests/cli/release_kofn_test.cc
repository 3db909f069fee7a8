// k-of-n releases end to end (docs/SIGNING.md "k-of-n releases"): `candor release create
// --signer` on a build machine, `candor release sign` on two other machines
// (directories with their own key files), `candor publish` to a real
// candor-log on 127.0.0.1 from a third, and `candor verify` under a 2-of-3
// vendor group. Also the refusals of `release sign`, each leaving the file
// untouched, and the log refusing a signer list with an unregistered key.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>

#include "cli/cli_test_util.h"
#include "support/subprocess.h"

#ifdef CANDOR_LOG_BINARY

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::FirstLine;
using clitest::ReadFile;
using clitest::Run;
using clitest::TempDir;
using clitest::Trim;
using clitest::WriteFile;

const std::string kLog = CANDOR_LOG_BINARY;

TEST_CASE("k-of-n: create on A, sign on B and C, publish from P, devices need 2 of 3") {
  TempDir dir;
  for (const char* m : {"A", "B", "C", "P"}) std::filesystem::create_directory(dir / m);
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, dir.path());
  };
  // Each signer makes a key on their own machine and hands out the .pub.
  const std::vector<std::pair<std::string, std::string>> keys = {
      {"A", "release-a"}, {"B", "release-b"}, {"C", "release-c"}};
  std::string vendor_keys;
  for (const auto& [machine, name] : keys) {
    Run k = Candor(
        dir, {"keygen", "--name", "acme.example/" + name, "--out", dir / (machine + "/" + name)});
    REQUIRE_MESSAGE(k.exit_code == 0, k.err);
    vendor_keys += "vendor-key " + name + " " + Trim(k.out) + "\n";
    if (machine != "A") {
      std::filesystem::copy_file(dir / (machine + "/" + name + ".pub"),
                                 dir / ("A/" + name + ".pub"));
    }
  }
  Run outsider =
      Candor(dir, {"keygen", "--name", "acme.example/intern", "--out", dir / "B/intern"});
  REQUIRE(outsider.exit_code == 0);

  // Machine A: the build. Two releases: 1.0 stays signed by A alone.
  clitest::WriteImage(dir / "A/fw.bin", 50000, 7);
  WriteFile(dir / "A/CHANGELOG.md", "# release\n- fixes\n");
  auto create = [&](const std::string& version, const std::string& out) {
    return Candor(dir, {"release",     "create",
                        "--key",       dir / "A/release-a.key",
                        "--product",   "printer-x1",
                        "--version",   version,
                        "--rollback",  "1",
                        "--image",     dir / "A/fw.bin",
                        "--changelog", dir / "A/CHANGELOG.md",
                        "--signer",    dir / "A/release-c.pub",
                        "--signer",    dir / "A/release-a.pub",
                        "--signer",    dir / "A/release-b.pub",
                        "--out",       dir / out});
  };
  Run c1 = create("1.0", "A/1.0.entry");
  REQUIRE_MESSAGE(c1.exit_code == 0, c1.err);
  CHECK(Contains(c1.out, "signed by 1 of 3 listed keys"));
  Run c2 = create("2.0", "A/2.0.entry");
  REQUIRE_MESSAGE(c2.exit_code == 0, c2.err);

  // A list without the creating key is refused, nothing written.
  Run no_creator = Candor(dir, {"release", "create", "--key", dir / "A/release-a.key", "--product",
                                "printer-x1", "--version", "3.0", "--rollback", "1", "--image",
                                dir / "A/fw.bin", "--changelog", dir / "A/CHANGELOG.md", "--signer",
                                dir / "A/release-b.pub", "--out", dir / "A/3.0.entry"});
  CHECK(no_creator.exit_code == ExitCodeFor(Code::kInvalidArgument));
  CHECK(!clitest::Exists(dir / "A/3.0.entry"));

  // Machine B: signs 2.0 offline. Refusals first, each leaving the file as it was.
  std::filesystem::copy_file(dir / "A/2.0.entry", dir / "B/2.0.entry");
  const std::string before = ReadFile(dir / "B/2.0.entry");
  struct Refusal {
    const char* what;
    std::string key;
    Code code;
  };
  const std::vector<Refusal> refusals = {
      {"a key not in the signer list", dir / "B/intern.key", Code::kUntrustedKey},
      {"the creating key, which already signed", dir / "A/release-a.key", Code::kConflict},
  };
  for (const Refusal& r : refusals) {
    CAPTURE(r.what);
    Run s = Candor(dir, {"release", "sign", "--key", r.key, dir / "B/2.0.entry"});
    CHECK(s.exit_code == ExitCodeFor(r.code));
    CHECK(ReadFile(dir / "B/2.0.entry") == before);
  }
  Run sb = Candor(dir, {"release", "sign", "--key", dir / "B/release-b.key", dir / "B/2.0.entry"});
  REQUIRE_MESSAGE(sb.exit_code == 0, sb.err);
  CHECK(Contains(sb.out, "signed " + (dir / "B/2.0.entry") + " with acme.example/release-b"));
  CHECK(Contains(sb.out, "2 of 3 signed"));
  const std::string after_b = ReadFile(dir / "B/2.0.entry");
  Run again =
      Candor(dir, {"release", "sign", "--key", dir / "B/release-b.key", dir / "B/2.0.entry"});
  CHECK(again.exit_code == ExitCodeFor(Code::kConflict));
  CHECK(ReadFile(dir / "B/2.0.entry") == after_b);
  // A corrupted entry is refused, untouched.
  std::string corrupt = after_b;
  corrupt[corrupt.size() - 3] ^= 0x01;
  WriteFile(dir / "B/corrupt.entry", corrupt);
  Run bad =
      Candor(dir, {"release", "sign", "--key", dir / "B/release-b.key", dir / "B/corrupt.entry"});
  CHECK(bad.exit_code != 0);
  CHECK(ReadFile(dir / "B/corrupt.entry") == corrupt);

  // Machine C: signs the copy B signed.
  std::filesystem::copy_file(dir / "B/2.0.entry", dir / "C/2.0.entry");
  Run sc = Candor(dir, {"release", "sign", "--key", dir / "C/release-c.key", dir / "C/2.0.entry"});
  REQUIRE_MESSAGE(sc.exit_code == 0, sc.err);
  CHECK(Contains(sc.out, "3 of 3 signed"));
  Run show = Candor(dir, {"release", "show", dir / "C/2.0.entry", "--json"});
  REQUIRE(show.exit_code == 0);
  CHECK(Contains(show.out, "\"signers\": ["));
  CHECK(Contains(show.out, "\"signed\": true"));
  CHECK(!Contains(show.out, "\"signed\": false"));
  Run show1 = Candor(dir, {"release", "show", dir / "A/1.0.entry"});
  REQUIRE(show1.exit_code == 0);
  CHECK(Contains(show1.out, "1 of 3 signed"));
  CHECK(Contains(show1.out, "pending acme.example/release-b+"));

  // The log: release-c is not registered yet.
  REQUIRE(run({kLog, "init", "--dir", dir / "log", "--origin", "log.example/firmware"}).exit_code ==
          0);
  const std::string log_vkey = Trim(ReadFile(dir / "log/log.pub"));
  for (const char* k : {"A/release-a.pub", "B/release-b.pub"}) {
    REQUIRE(run({kLog, "vendors", "add", "--dir", dir / "log", dir / k}).exit_code == 0);
  }
  int port = 0;
  auto log = testing::ServeOnFreePort(
      {kLog, "serve", "--dir", dir / "log", "--checkpoint-interval", "0.2"}, dir / "log.out",
      "/checkpoint", &port);
  REQUIRE_MESSAGE(log != nullptr, ReadFile(dir / "log.out"));
  const std::string url = "http://127.0.0.1:" + std::to_string(port);

  // Machine P publishes; the devices' policy: 2 of the 3 keys.
  WriteFile(dir / "P/trust.policy", "log " + log_vkey + "\nquorum none\n" + vendor_keys +
                                        "vendor-group release-signers 2 release-a release-b "
                                        "release-c\nvendor release-signers printer-x1\n");
  std::filesystem::copy_file(dir / "C/2.0.entry", dir / "P/2.0.entry");
  std::filesystem::copy_file(dir / "A/1.0.entry", dir / "P/1.0.entry");
  auto publish = [&](const std::string& entry, const std::string& out) {
    return Candor(dir, {"publish", "--log", url, "--policy", dir / "P/trust.policy", dir / entry,
                        "--out", dir / out, "--timeout", "60"});
  };
  Run unregistered = publish("P/2.0.entry", "P/2.0.bundle");
  CHECK(unregistered.exit_code == ExitCodeFor(Code::kUntrustedKey));
  CHECK(Contains(unregistered.err, "acme.example/release-c is not registered"));
  REQUIRE(run({kLog, "vendors", "add", "--dir", dir / "log", dir / "C/release-c.pub"}).exit_code ==
          0);
  Run pub2 = publish("P/2.0.entry", "P/2.0.bundle");
  REQUIRE_MESSAGE(pub2.exit_code == 0, (pub2.err + ReadFile(dir / "log.out")));
  // 1.0 is logged (the log checks signatures, not k), with publish's warning.
  Run pub1 = publish("P/1.0.entry", "P/1.0.bundle");
  REQUIRE_MESSAGE(pub1.exit_code == 0, pub1.err);
  CHECK(Contains(pub1.warnings, "1 of the 2 signatures required by vendor group release-signers"));

  auto verify = [&](const std::string& bundle) {
    return Candor(dir, {"verify", "--policy", dir / "P/trust.policy", "--image", dir / "A/fw.bin",
                        "--bundle", dir / bundle, "--product", "printer-x1"});
  };
  Run ok = verify("P/2.0.bundle");
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  Run short_of_k = verify("P/1.0.bundle");
  CHECK(short_of_k.exit_code == ExitCodeFor(Code::kPolicyUnsatisfied));
  CHECK(Contains(short_of_k.err,
                 "vendor signatures: 1 of the 2 required by vendor group release-signers for "
                 "product printer-x1"));
}

}  // namespace
}  // namespace candor

#endif  // CANDOR_LOG_BINARY
