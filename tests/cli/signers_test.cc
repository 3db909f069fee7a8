// Process-level tests of the hardware-key backends (docs/SIGNING.md) with the
// real things: a SoftHSM2 token made by the test, OpenSSH's ssh-agent started
// by the test. A release signed on the token or through the agent is accepted
// by `candor verify`; every failure is one line, its exit code, nothing
// written. Skips only when softhsm2 / openssh-client is absent and
// CANDOR_REQUIRE_HSM is not 1 (CI sets it).
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>

#include "candor/checkpoint.h"
#include "candor/signer.h"
#include "cli/cli_test_util.h"
#include "support/signer_fixtures.h"

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::FirstLine;
using clitest::ReadFile;
using clitest::TempDir;
using clitest::WriteFile;

constexpr uint64_t kCosignTime = 1772366400;  // 2026-03-01T12:00:00Z
constexpr const char* kPin = "123456";

std::string Uri(const std::string& path_attrs, const std::string& query = "") {
  std::string q = std::string("module-path=") + testing::kSoftHsmModule;
  if (!query.empty()) q += "&" + query;
  return "pkcs11:" + path_attrs + "?" + q;
}

// A vendor release of printer-x signed with --key `key`, into dir/out.
clitest::Run CreateRelease(const TempDir& dir, const std::string& key, const std::string& out) {
  return Candor(dir, {"release", "create", "--key", key, "--product", "printer-x", "--version",
                      "2.4.1", "--rollback", "17", "--image", dir / "fw.bin", "--changelog",
                      dir / "CHANGELOG.md", "--out", dir / out});
}

// `candor verify` of dir/entry as a one-entry log's bundle, the vendor
// trusted by its .pub file `vendor_pub`.
clitest::Run VerifyRelease(const TempDir& dir, const std::string& entry,
                           const std::string& vendor_pub) {
  auto lk = GenerateKey("log.example/firmware");
  auto wk = GenerateKey("witness.example/w1", kKeyTypeCosignatureV1);
  REQUIRE(lk.ok());
  REQUIRE(wk.ok());
  WriteFile(dir / "trust.policy", "log " + FormatVerifierKey(lk->second) + "\nwitness w1 " +
                                      FormatVerifierKey(wk->second) + "\nquorum w1\nvendor " +
                                      clitest::Trim(ReadFile(vendor_pub)) + " printer-x\n");
  WriteFile(dir / "fw.bundle", clitest::MakeSingleEntryBundle(ReadFile(dir / entry), lk->first,
                                                              {&wk->first}, kCosignTime));
  return Candor(dir, {"verify", "--policy", dir / "trust.policy", "--image", dir / "fw.bin",
                      "--bundle", dir / "fw.bundle", "--product", "printer-x", "--now",
                      std::to_string(kCosignTime + 60)});
}

// A refusal: `code`'s exit status, one line naming `message`, `out` not written.
void CheckRefused(const clitest::Run& r, Code code, const std::string& message,
                  const std::string& out) {
  CHECK(r.exit_code == ExitCodeFor(code));
  CHECK_MESSAGE(Contains(r.err, message), r.err);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(!clitest::Exists(out));
}

void WriteReleaseInputs(const TempDir& dir) {
  clitest::WriteImage(dir / "fw.bin", 100000);
  WriteFile(dir / "CHANGELOG.md", "# 2.4.1\n- signed on a token\n");
}

// Sets an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const std::string& n, const char* value) : name(n) {
    if (const char* v = std::getenv(n.c_str())) old = v;
    if (value != nullptr) {
      ::setenv(n.c_str(), value, 1);
    } else {
      ::unsetenv(n.c_str());
    }
  }
  ~ScopedEnv() {
    if (old) {
      ::setenv(name.c_str(), old->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
};

// A token `token` holding an Ed25519 key labelled acme.example, made with
// `candor keygen --pkcs11` (its vendor.pub in dir), and the release inputs.
void TokenWithVendorKey(const TempDir& dir, testing::SoftHsm& hsm, const std::string& token) {
  REQUIRE(hsm.InitToken(token, kPin));
  WriteReleaseInputs(dir);
  ScopedEnv pin("CANDOR_PKCS11_PIN", kPin);
  auto gen = Candor(dir, {"keygen", "--pkcs11", Uri("token=" + token), "--name", "acme.example",
                          "--out", dir / "vendor"});
  REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
}

TEST_CASE("PKCS#11: keygen on a SoftHSM token, release create with the token, verify accepts") {
  TempDir dir;
  testing::SoftHsm hsm(dir / "hsm");
  CANDOR_SKIP_UNLESS(hsm);
  REQUIRE(hsm.InitToken("candor", kPin));
  WriteFile(dir / "pin", std::string(kPin) + "\n");
  WriteReleaseInputs(dir);

  // Generated on the token: only the .pub is written (PIN from pin-source).
  auto gen =
      Candor(dir, {"keygen", "--pkcs11", Uri("token=candor", "pin-source=file:" + (dir / "pin")),
                   "--name", "acme.example", "--out", dir / "vendor"});
  REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
  CHECK(clitest::Exists(dir / "vendor.pub"));
  CHECK(!clitest::Exists(dir / "vendor.key"));
  const VerifierKey pub = clitest::ReadPub(dir / "vendor.pub");
  CHECK(pub.name == "acme.example");
  CHECK(Contains(gen.out, FormatVerifierKey(pub)));
  // A second key of the same name on the token is refused.
  auto again =
      Candor(dir, {"keygen", "--pkcs11", Uri("token=candor", "pin-source=file:" + (dir / "pin")),
                   "--name", "acme.example", "--out", dir / "vendor2"});
  CHECK(again.exit_code == ExitCodeFor(Code::kConflict));
  CHECK(!clitest::Exists(dir / "vendor2.pub"));

  // Signed on the token (PIN from the environment), accepted by verify.
  ScopedEnv pin("CANDOR_PKCS11_PIN", kPin);
  auto created = CreateRelease(dir, Uri("token=candor;object=acme.example"), "r.entry");
  REQUIRE_MESSAGE(created.exit_code == 0, created.err);
  auto verified = VerifyRelease(dir, "r.entry", dir / "vendor.pub");
  REQUIRE_MESSAGE(verified.exit_code == 0, verified.err);
  CHECK(FirstLine(verified.out) == "accepted: printer-x 2.4.1 by acme.example (rollback 17)");
  // The only key on the token: object= may be left out.
  CHECK(CreateRelease(dir, Uri("token=candor"), "r2.entry").exit_code == 0);

  // The same token key signs a trust root (`candor trust create`).
  auto root = Candor(dir, {"trust", "create", "--domain", "acme.example/printers", "--version", "1",
                           "--expires", "2099-01-01T00:00:00Z", "--root-threshold", "1", "--root",
                           dir / "vendor.pub", "--policy", dir / "trust.policy", "--key",
                           Uri("token=candor;object=acme.example"), "--out", dir / "1.root"});
  CHECK_MESSAGE(root.exit_code == 0, root.err);
  CHECK(Candor(dir, {"trust", "show", dir / "1.root"}).exit_code == 0);
}

TEST_CASE("PKCS#11: candor-log init signs its checkpoints on the token") {
  TempDir dir;
  testing::SoftHsm hsm(dir / "hsm");
  CANDOR_SKIP_UNLESS(hsm);
  REQUIRE(hsm.InitToken("log", kPin));
  ScopedEnv pin("CANDOR_PKCS11_PIN", kPin);
  REQUIRE(Candor(dir, {"keygen", "--pkcs11", Uri("token=log"), "--name", "log.example/fw", "--out",
                       dir / "log"})
              .exit_code == 0);
  auto init = clitest::RunProcess({CANDOR_LOG_BINARY, "init", "--dir", dir / "data", "--origin",
                                   "log.example/fw", "--key", Uri("token=log")},
                                  dir.path());
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  CHECK(!clitest::Exists(dir / "data/log.key"));
  CHECK(ReadFile(dir / "data/log.pub") == ReadFile(dir / "log.pub"));
  auto cp = VerifyCheckpoint(ReadFile(dir / "data/checkpoint"), clitest::ReadPub(dir / "log.pub"));
  CHECK_MESSAGE(cp.ok(), cp.status().ToString());
}

TEST_CASE("PKCS#11 failures: one line, the code's exit status, nothing written") {
  TempDir dir;
  testing::SoftHsm hsm(dir / "hsm");
  CANDOR_SKIP_UNLESS(hsm);
  TokenWithVendorKey(dir, hsm, "candor");
  // A NIST P-256 key on the same token (imported PKCS#8).
  REQUIRE(testing::Shell("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '" +
                         (dir / "p256.pem") + "' 2>/dev/null") == 0);
  REQUIRE(hsm.Import("candor", kPin, dir / "p256.pem", "p256", "0a0b"));

  struct Case {
    std::string name;
    std::string key;
    const char* pin;  // CANDOR_PKCS11_PIN; nullptr: unset
    Code code;
    std::string message;
  };
  const Case cases[] = {
      {"wrong PIN", Uri("token=candor;object=acme.example"), "000000", Code::kInvalidArgument,
       "wrong PIN"},
      {"no PIN", Uri("token=candor;object=acme.example"), nullptr, Code::kInvalidArgument,
       "needs a PIN"},
      {"PIN in the URI", Uri("token=candor;object=acme.example", "pin-value=123456"), kPin,
       Code::kInvalidArgument, "pin-value is refused"},
      {"missing token", Uri("token=nosuch;object=acme.example"), kPin, Code::kNotFound,
       "no PKCS#11 token matches"},
      {"missing object", Uri("token=candor;object=nosuch"), kPin, Code::kNotFound,
       "no private key"},
      {"an ECDSA P-256 key", Uri("token=candor;object=p256"), kPin, Code::kInvalidArgument,
       "not an Ed25519 key"},
      {"two keys match", Uri("token=candor"), kPin, Code::kInvalidArgument, "several private keys"},
      {"missing module", "pkcs11:token=candor?module-path=/nonexistent/module.so", kPin,
       Code::kNotFound, "does not exist"},
      {"unparsable URI", "pkcs11:token=candor;object=%zz", kPin, Code::kMalformed, "URI"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    ScopedEnv pin("CANDOR_PKCS11_PIN", c.pin);
    auto r = CreateRelease(dir, c.key, "bad.entry");
    CheckRefused(r, c.code, c.message, dir / "bad.entry");
    CHECK(!Contains(r.err, kPin));
  }
}

TEST_CASE("PKCS#11: a token that returns a wrong signature is caught, nothing written") {
  TempDir dir;
  testing::SoftHsm hsm(dir / "hsm");
  CANDOR_SKIP_UNLESS(hsm);
  TokenWithVendorKey(dir, hsm, "candor");
  ScopedEnv pin("CANDOR_PKCS11_PIN", kPin);
  // The same token through a module that flips one bit of every signature.
  const std::string corrupt =
      std::string("pkcs11:token=candor?module-path=") + CANDOR_CORRUPT_PKCS11;
  auto r = CreateRelease(dir, corrupt, "r.entry");
  CHECK(r.exit_code == ExitCodeFor(Code::kBadSignature));
  CHECK_MESSAGE(Contains(r.err, "does not verify under its public key"), r.err);
  CHECK(!clitest::Exists(dir / "r.entry"));
  // The honest module signs the same release.
  CHECK(CreateRelease(dir, Uri("token=candor"), "r.entry").exit_code == 0);
}

TEST_CASE("ssh-agent: an Ed25519 key in OpenSSH's agent signs a release that verify accepts") {
  TempDir dir;
  testing::SshAgent agent(dir.path());
  CANDOR_SKIP_UNLESS(agent);
  WriteReleaseInputs(dir);
  REQUIRE(testing::SshAgent::MakeKey(dir / "id_ed25519", "ed25519"));
  REQUIRE(agent.Add(dir / "id_ed25519"));
  auto gen = Candor(dir, {"keygen", "--from-ssh-pubkey", dir / "id_ed25519.pub", "--name",
                          "acme.example", "--out", dir / "vendor"});
  REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
  CHECK(!clitest::Exists(dir / "vendor.key"));
  auto created = CreateRelease(dir, "ssh-agent:" + (dir / "vendor.pub"), "r.entry");
  REQUIRE_MESSAGE(created.exit_code == 0, created.err);
  auto verified = VerifyRelease(dir, "r.entry", dir / "vendor.pub");
  REQUIRE_MESSAGE(verified.exit_code == 0, verified.err);
  CHECK(FirstLine(verified.out) == "accepted: printer-x 2.4.1 by acme.example (rollback 17)");
}

TEST_CASE("ssh-agent failures: one line, the code's exit status, nothing written") {
  TempDir dir;
  testing::SshAgent agent(dir.path());
  CANDOR_SKIP_UNLESS(agent);
  WriteReleaseInputs(dir);
  // A key the agent does not hold, and an ECDSA key (agents hold those too).
  REQUIRE(testing::SshAgent::MakeKey(dir / "absent", "ed25519"));
  REQUIRE(testing::SshAgent::MakeKey(dir / "id_ecdsa", "ecdsa"));
  REQUIRE(agent.Add(dir / "id_ecdsa"));
  REQUIRE(Candor(dir, {"keygen", "--from-ssh-pubkey", dir / "absent.pub", "--name", "acme.example",
                       "--out", dir / "absent-vendor"})
              .exit_code == 0);
  const std::string key = "ssh-agent:" + (dir / "absent-vendor.pub");

  auto ecdsa = Candor(dir, {"keygen", "--from-ssh-pubkey", dir / "id_ecdsa.pub", "--name",
                            "acme.example", "--out", dir / "ecdsa-vendor"});
  CHECK(ecdsa.exit_code == ExitCodeFor(Code::kInvalidArgument));
  CHECK(Contains(ecdsa.err, "not ssh-ed25519"));
  CHECK(!clitest::Exists(dir / "ecdsa-vendor.pub"));

  struct Case {
    std::string name;
    const char* sock;  // SSH_AUTH_SOCK; nullptr: unset
    Code code;
    std::string message;
  };
  const std::string dead = dir / "no-agent.sock";
  const Case cases[] = {
      {"agent without the key", agent.socket().c_str(), Code::kNotFound, "does not hold"},
      {"no SSH_AUTH_SOCK", nullptr, Code::kInvalidArgument, "SSH_AUTH_SOCK is not set"},
      {"no agent on the socket", dead.c_str(), Code::kUnavailable, "cannot connect"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    ScopedEnv sock("SSH_AUTH_SOCK", c.sock);
    CheckRefused(CreateRelease(dir, key, "bad.entry"), c.code, c.message, dir / "bad.entry");
  }
}

}  // namespace
}  // namespace candor
