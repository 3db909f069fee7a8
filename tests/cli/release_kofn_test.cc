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
#include "support/signer_fixtures.h"
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

// A candor-log in dir/log serving on 127.0.0.1 with `vendor_pubs` registered;
// more may be added (`candor-log vendors add`) while it runs.
struct RunningLog {
  std::unique_ptr<testing::Subprocess> process;
  std::string url;
  std::string vkey;  // the log's verifier key
};

RunningLog StartLog(const TempDir& dir, const std::vector<std::string>& vendor_pubs) {
  auto run = [&](const std::vector<std::string>& args) {
    return clitest::RunProcess(args, dir.path());
  };
  REQUIRE(run({kLog, "init", "--dir", dir / "log", "--origin", "log.example/firmware"}).exit_code ==
          0);
  for (const std::string& pub : vendor_pubs) {
    REQUIRE(run({kLog, "vendors", "add", "--dir", dir / "log", pub}).exit_code == 0);
  }
  RunningLog log;
  int port = 0;
  log.process = testing::ServeOnFreePort(
      {kLog, "serve", "--dir", dir / "log", "--checkpoint-interval", "0.2"}, dir / "log.out",
      "/checkpoint", &port);
  REQUIRE_MESSAGE(log.process != nullptr, ReadFile(dir / "log.out"));
  log.url = "http://127.0.0.1:" + std::to_string(port);
  log.vkey = Trim(ReadFile(dir / "log/log.pub"));
  return log;
}

// The devices' policy: printer-x1 needs 2 of the keys release-a, -b and -c
// (`vendor_keys`: their vendor-key lines).
std::string TwoOfThreePolicy(const std::string& log_vkey, const std::string& vendor_keys) {
  return "log " + log_vkey + "\nquorum none\n" + vendor_keys +
         "vendor-group release-signers 2 release-a release-b release-c\n"
         "vendor release-signers printer-x1\n";
}

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
  RunningLog log = StartLog(dir, {dir / "A/release-a.pub", dir / "B/release-b.pub"});
  const std::string& url = log.url;

  // Machine P publishes; the devices' policy: 2 of the 3 keys.
  WriteFile(dir / "P/trust.policy", TwoOfThreePolicy(log.vkey, vendor_keys));
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

// docs/SIGNING.md "Signers with hardware keys": the same flow with the keys
// in hardware. A creates with a key generated on a SoftHSM token, B signs
// offline through OpenSSH's ssh-agent, C (a key file holder who does not
// sign) publishes; 2 of 3 suffice.
TEST_CASE("k-of-n with hardware keys: token creates on A, ssh-agent signs on B, C publishes") {
  TempDir dir;
  testing::SoftHsm hsm(dir / "hsm");
  CANDOR_SKIP_UNLESS(hsm);
  testing::SshAgent agent(dir.path());
  CANDOR_SKIP_UNLESS(agent);
  for (const char* m : {"A", "B", "C"}) std::filesystem::create_directory(dir / m);

  // A, once: the key pair is made on the token; only release-a.pub leaves it.
  // The object is the key's label, its name, with '/' written %2F.
  REQUIRE(hsm.InitToken("release-a", "123456"));
  WriteFile(dir / "A/pin", "123456\n");
  const std::string query = std::string("?module-path=") + testing::kSoftHsmModule +
                            "&pin-source=file:" + (dir / "A/pin");
  Run ka = Candor(dir, {"keygen", "--pkcs11", "pkcs11:token=release-a" + query, "--name",
                        "acme.example/release-a", "--out", dir / "A/release-a"});
  REQUIRE_MESSAGE(ka.exit_code == 0, ka.err);
  const std::string token_key = "pkcs11:token=release-a;object=acme.example%2Frelease-a" + query;
  // B, once: the verifier key of the Ed25519 key its agent holds.
  REQUIRE(testing::SshAgent::MakeKey(dir / "B/id_ed25519", "ed25519", "acme.example/release-b"));
  REQUIRE(agent.Add(dir / "B/id_ed25519"));
  Run kb = Candor(dir, {"keygen", "--from-ssh-pubkey", dir / "B/id_ed25519.pub", "--name",
                        "acme.example/release-b", "--out", dir / "B/release-b"});
  REQUIRE_MESSAGE(kb.exit_code == 0, kb.err);
  // C, once: a key file.
  Run kc =
      Candor(dir, {"keygen", "--name", "acme.example/release-c", "--out", dir / "C/release-c"});
  REQUIRE_MESSAGE(kc.exit_code == 0, kc.err);
  // The .pub files travel to A; the devices' policy names all three.
  std::string vendor_keys;
  for (const auto& [machine, name] : std::vector<std::pair<std::string, std::string>>{
           {"A", "release-a"}, {"B", "release-b"}, {"C", "release-c"}}) {
    vendor_keys +=
        "vendor-key " + name + " " + Trim(ReadFile(dir / (machine + "/" + name + ".pub"))) + "\n";
    if (machine != "A") {
      std::filesystem::copy_file(dir / (machine + "/" + name + ".pub"),
                                 dir / ("A/" + name + ".pub"));
    }
  }

  // A: the build, signed on the token.
  clitest::WriteImage(dir / "A/fw.bin", 50000, 9);
  WriteFile(dir / "A/CHANGELOG.md", "# release\n- fixes\n");
  Run create = Candor(dir, {"release",     "create",
                            "--key",       token_key,
                            "--product",   "printer-x1",
                            "--version",   "2.0",
                            "--rollback",  "1",
                            "--image",     dir / "A/fw.bin",
                            "--changelog", dir / "A/CHANGELOG.md",
                            "--signer",    dir / "A/release-a.pub",
                            "--signer",    dir / "A/release-b.pub",
                            "--signer",    dir / "A/release-c.pub",
                            "--out",       dir / "A/2.0.entry"});
  REQUIRE_MESSAGE(create.exit_code == 0, create.err);
  CHECK(Contains(create.out, "signed by 1 of 3 listed keys"));

  // B: signs the carried copy through the agent, by vkey file; the same key
  // chosen by its OpenSSH fingerprint (named by its comment) signs a second
  // copy identically (Ed25519 is deterministic).
  std::filesystem::copy_file(dir / "A/2.0.entry", dir / "B/2.0.entry");
  std::filesystem::copy_file(dir / "A/2.0.entry", dir / "B/fp.entry");
  Run sb = Candor(dir, {"release", "sign", "--key", "ssh-agent:" + (dir / "B/release-b.pub"),
                        dir / "B/2.0.entry"});
  REQUIRE_MESSAGE(sb.exit_code == 0, sb.err);
  CHECK(Contains(sb.out, "2 of 3 signed"));
  const std::string fp = testing::SshAgent::Fingerprint(dir / "B/id_ed25519");
  Run sfp = Candor(dir, {"release", "sign", "--key", "ssh-agent:" + fp, dir / "B/fp.entry"});
  CHECK_MESSAGE(sfp.exit_code == 0, sfp.err);
  CHECK(ReadFile(dir / "B/fp.entry") == ReadFile(dir / "B/2.0.entry"));

  // C: publishes the copy B signed; the devices need 2 of 3.
  std::filesystem::copy_file(dir / "B/2.0.entry", dir / "C/2.0.entry");
  RunningLog log =
      StartLog(dir, {dir / "A/release-a.pub", dir / "B/release-b.pub", dir / "C/release-c.pub"});
  WriteFile(dir / "C/trust.policy", TwoOfThreePolicy(log.vkey, vendor_keys));
  Run pub = Candor(dir, {"publish", "--log", log.url, "--policy", dir / "C/trust.policy",
                         dir / "C/2.0.entry", "--out", dir / "C/2.0.bundle", "--timeout", "60"});
  REQUIRE_MESSAGE(pub.exit_code == 0, (pub.err + ReadFile(dir / "log.out")));
  Run ok = Candor(dir, {"verify", "--policy", dir / "C/trust.policy", "--image", dir / "A/fw.bin",
                        "--bundle", dir / "C/2.0.bundle", "--product", "printer-x1"});
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
}

}  // namespace
}  // namespace candor

#endif  // CANDOR_LOG_BINARY
