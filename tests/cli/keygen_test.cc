// Process-level tests of `candor keygen`.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "candor/note.h"
#include "candor/signer.h"
#include "cli/cli_test_util.h"

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::ReadFile;
using clitest::TempDir;

unsigned ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

TEST_CASE("keygen writes a 0600 private key and a matching verifier key") {
  struct Case {
    std::string type_flag;
    uint8_t type;
  };
  for (const Case& c : {Case{"", kKeyTypeEd25519}, Case{"ed25519", kKeyTypeEd25519},
                        Case{"cosignature", kKeyTypeCosignatureV1}}) {
    CAPTURE(c.type_flag);
    TempDir dir;
    std::vector<std::string> args = {"keygen", "--name", "acme.example/fw", "--out", dir / "k"};
    if (!c.type_flag.empty()) {
      args.push_back("--type");
      args.push_back(c.type_flag);
    }
    auto r = Candor(dir, args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(ModeOf(dir / "k.key") == 0600);
    auto priv = ReadPrivateKeyFile(dir / "k.key");
    REQUIRE(priv.ok());
    CHECK(priv->type == c.type);
    CHECK(priv->name == "acme.example/fw");
    VerifierKey pub = clitest::ReadPub(dir / "k.pub");
    CHECK(pub == PublicKeyOf(*priv));
    // stdout is exactly the verifier key line, for scripts.
    CHECK(r.out == FormatVerifierKey(pub) + "\n");
  }
}

TEST_CASE("keygen refuses to overwrite either half of a key pair") {
  TempDir dir;
  auto first = Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "v"});
  REQUIRE(first.exit_code == 0);
  const std::string key_before = ReadFile(dir / "v.key");
  auto again = Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "v"});
  CHECK(again.exit_code == ExitCodeFor(Code::kConflict));
  CHECK(Contains(again.err, "already exists"));
  CHECK(ReadFile(dir / "v.key") == key_before);

  // Only the .pub exists: still refused, and no .key is created.
  clitest::WriteFile(dir / "w.pub", "something\n");
  auto pub_only = Candor(dir, {"keygen", "--name", "acme.example", "--out", dir / "w"});
  CHECK(pub_only.exit_code == ExitCodeFor(Code::kConflict));
  CHECK(!clitest::Exists(dir / "w.key"));
  CHECK(ReadFile(dir / "w.pub") == "something\n");
}

TEST_CASE("keygen usage errors") {
  TempDir dir;
  const int kUsage = 1;  // command-line usage errors
  const int kInvalid = ExitCodeFor(Code::kInvalidArgument);
  struct Case {
    std::vector<std::string> args;
    std::string message;
    int exit_code;
  };
  const Case cases[] = {
      {{"keygen", "--out", dir / "a"}, "missing --name", kUsage},
      {{"keygen", "--name", "acme.example"}, "missing --out", kUsage},
      {{"keygen", "--name", "has space", "--out", dir / "a"}, "invalid key name", kInvalid},
      {{"keygen", "--name", "a+b", "--out", dir / "a"}, "invalid key name", kInvalid},
      {{"keygen", "--name", "acme.example", "--out", dir / "a", "--type", "rsa"},
       "unknown key type",
       kInvalid},
      {{"keygen", "--name", "acme.example", "--out", dir / "a", "--bogus"}, "bogus", kUsage},
      {{"keygen", "--name", "acme.example", "--out", dir / "a", "--na", "x"}, "--na", kUsage},
  };
  for (const Case& c : cases) {
    CAPTURE(c.message);
    auto r = Candor(dir, c.args);
    CHECK(r.exit_code == c.exit_code);
    CHECK(Contains(r.err, c.message));
    CHECK(!clitest::Exists(dir / "a.key"));
  }
}

TEST_CASE("help and unknown commands") {
  TempDir dir;
  auto help = Candor(dir, {"help"});
  CHECK(help.exit_code == 0);
  CHECK(Contains(help.out, "release create"));
  auto cmd_help = Candor(dir, {"release", "create", "--help"});
  CHECK(cmd_help.exit_code == 0);
  CHECK(Contains(cmd_help.out, "--disclose"));
  auto unknown = Candor(dir, {"frobnicate"});
  CHECK(unknown.exit_code == 1);
  CHECK(Contains(unknown.err, "unknown command"));
  CHECK(Candor(dir, {}).exit_code == 1);
  CHECK(Candor(dir, {"release"}).exit_code == 1);
  CHECK(Candor(dir, {"release", "destroy"}).exit_code == 1);
}

}  // namespace
}  // namespace candor
