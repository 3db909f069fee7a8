// Process-level tests of `candor trust create|sign|show`: the round trip, and
// every refusal with its exit code and nothing written.
#include <doctest/doctest.h>

#include "candor/trust_root.h"
#include "cli/cli_test_util.h"
#include "cli/json_parse.h"

namespace candor {
namespace {

using clitest::Candor;
using clitest::Contains;
using clitest::Exists;
using clitest::FirstLine;
using clitest::JsonParser;
using clitest::ReadFile;
using clitest::TempDir;
using clitest::WriteFile;

struct Setup {
  TempDir dir;
  Setup() {
    for (const char* k : {"r1", "r2", "r3", "log"}) {
      REQUIRE(Candor(dir, {"keygen", "--name", std::string(k) + ".acme.example", "--out", dir / k})
                  .exit_code == 0);
    }
    REQUIRE(Candor(dir,
                   {"keygen", "--name", "w1.example", "--type", "cosignature", "--out", dir / "w1"})
                .exit_code == 0);
    WriteFile(dir / "device.policy",
              "log " + FormatVerifierKey(clitest::ReadPub(dir / "log.pub")) + "\nquorum none\n");
  }

  // `trust create` with the defaults below, each replaced or removed (an
  // empty value) by `change`.
  clitest::Run Create(std::vector<std::pair<std::string, std::string>> change = {}) {
    std::vector<std::pair<std::string, std::string>> opts = {{"--domain", "acme.example/printers"},
                                                             {"--version", "1"},
                                                             {"--expires", "2099-01-01T00:00:00Z"},
                                                             {"--root-threshold", "2"},
                                                             {"--root", dir / "r1.pub"},
                                                             {"--root", dir / "r2.pub"},
                                                             {"--policy", dir / "device.policy"},
                                                             {"--key", dir / "r1.key"},
                                                             {"--out", dir / "1.root"}};
    for (const auto& [name, value] : change) {
      bool replaced = false;
      for (auto it = opts.begin(); it != opts.end();) {
        if (it->first == name && !replaced) {
          replaced = true;
          if (value.empty()) {
            it = opts.erase(it);
            continue;
          }
          it->second = value;
        }
        ++it;
      }
      if (!replaced) opts.emplace_back(name, value);
    }
    std::vector<std::string> args = {"trust", "create"};
    for (const auto& [name, value] : opts) {
      args.push_back(name);
      args.push_back(value);
    }
    return Candor(dir, args);
  }
};

TEST_CASE("trust create, sign, show: round trip") {
  Setup s;
  auto created = s.Create();
  REQUIRE_MESSAGE(created.exit_code == 0, created.err);
  CHECK(created.out ==
        "created " + (s.dir / "1.root") +
            ": trust root acme.example/printers version 1, signed by r1.acme.example (1 of 2 "
            "required)\n");
  auto root = ParseSignedTrustRoot(ReadFile(s.dir / "1.root"));
  REQUIRE_MESSAGE(root.ok(), root.status().ToString());
  CHECK(root->root.domain == "acme.example/printers");
  CHECK(root->root.root_keys.size() == 2);
  CHECK(CheckRootSelfSigned(*root).code() == Code::kBadSignature);  // 1 of 2

  auto show = Candor(s.dir, {"trust", "show", s.dir / "1.root"});
  REQUIRE_MESSAGE(show.exit_code == 0, show.err);
  CHECK(FirstLine(show.out) == "trust root acme.example/printers version 1");
  CHECK(Contains(show.out, "expires    2099-01-01T00:00:00Z\n"));
  CHECK(Contains(show.out, "threshold  2 of 2 root keys; 1 signed (needs more signatures)"));
  CHECK(Contains(show.out, "valid   r1.acme.example+"));
  CHECK(Contains(show.out, "absent  r2.acme.example+"));
  CHECK(Contains(show.out, "Policy:\n  log log.acme.example+"));

  auto signed_r2 = Candor(s.dir, {"trust", "sign", "--key", s.dir / "r2.key", s.dir / "1.root"});
  REQUIRE_MESSAGE(signed_r2.exit_code == 0, signed_r2.err);
  CHECK(Contains(signed_r2.out, "2 of 2 required root signatures"));
  root = ParseSignedTrustRoot(ReadFile(s.dir / "1.root"));
  REQUIRE(root.ok());
  CHECK(CheckRootSelfSigned(*root).ok());

  auto js = Candor(s.dir, {"trust", "show", "--json", s.dir / "1.root"});
  REQUIRE_MESSAGE(js.exit_code == 0, js.err);
  auto doc = JsonParser::Parse(js.out);
  REQUIRE_MESSAGE(doc.has_value(), js.out);
  CHECK(doc->Get("domain")->text == "acme.example/printers");
  CHECK(doc->Get("version")->text == "1");
  CHECK(doc->Get("expires")->text == "2099-01-01T00:00:00Z");
  CHECK(!doc->Get("expired")->boolean);
  CHECK(doc->Get("root_threshold")->text == "2");
  CHECK(doc->Get("valid_signatures")->text == "2");
  CHECK(doc->Get("self_signed")->boolean);
  REQUIRE(doc->Get("root_keys")->items.size() == 2);
  for (const auto& k : doc->Get("root_keys")->items) CHECK(k.Get("signature")->text == "valid");
  CHECK(doc->Get("policy")->text == root->root.policy_text);

  // A signature that no longer verifies is shown as such.
  std::string tampered = ReadFile(s.dir / "1.root");
  tampered[tampered.find("2099-01-01") + 9] = '2';
  WriteFile(s.dir / "t.root", tampered);
  auto bad = Candor(s.dir, {"trust", "show", "--json", s.dir / "t.root"});
  REQUIRE_MESSAGE(bad.exit_code == 0, bad.err);
  doc = JsonParser::Parse(bad.out);
  REQUIRE(doc.has_value());
  CHECK(doc->Get("root_keys")->items[0].Get("signature")->text == "invalid");
  CHECK(!doc->Get("self_signed")->boolean);
}

TEST_CASE("trust create refusals: one line, the documented exit code, nothing written") {
  struct Case {
    const char* name;
    std::vector<std::pair<std::string, std::string>> change;
    int exit_code;
    const char* message;
  } cases[] = {
      {"version 0", {{"--version", "0"}}, 2, "--version must be 1 or more"},
      {"version not a number", {{"--version", "01"}}, 2, "--version"},
      {"threshold above the root keys",
       {{"--root-threshold", "3"}},
       2,
       "--root-threshold must be 1..2"},
      {"threshold 0", {{"--root-threshold", "0"}}, 2, "--root-threshold must be 1..2"},
      {"a root key given twice", {{"--root", "@r2"}}, 2, "is given twice"},
      {"expiry in the past", {{"--expires", "2020-01-01T00:00:00Z"}}, 2, "is not in the future"},
      {"expiry not a time", {{"--expires", "2099-01-01"}}, 2, "--expires"},
      {"a cosignature root key", {{"--root", "@w1"}}, 2, "root key must be Ed25519"},
      {"a signing key that is no root key", {{"--key", "@r3"}}, 5, "is not a root key"},
      {"a witness signing key", {{"--key", "@w1"}}, 2, "not a root key"},
      {"a malformed policy", {{"--policy", "@bad.policy"}}, 3, "trust policy"},
      {"a domain with a space", {{"--domain", "acme printers"}}, 3, "domain"},
      {"missing --key", {{"--key", ""}}, 1, "missing --key"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Setup s;
    WriteFile(s.dir / "bad.policy", "log nonsense\n");
    auto change = c.change;
    for (auto& [name, value] : change) {
      if (value.starts_with("@")) {
        value = s.dir / (value.substr(1) + (name == "--key" ? ".key" : ".pub"));
        if (name == "--policy") value = s.dir / "bad.policy";
      }
    }
    auto r = s.Create(change);
    CHECK_MESSAGE(r.exit_code == c.exit_code, r.err);
    CHECK_MESSAGE(Contains(r.err, c.message), r.err);
    CHECK(r.err.find('\n') == r.err.size() - 1);
    CHECK(!Exists(s.dir / "1.root"));
  }
  // An existing output is kept.
  Setup s;
  WriteFile(s.dir / "1.root", "keep");
  auto r = s.Create();
  CHECK(r.exit_code == 11);
  CHECK(ReadFile(s.dir / "1.root") == "keep");
}

TEST_CASE("trust sign refusals leave the root as it was") {
  struct Case {
    const char* name;
    const char* key;
    int exit_code;
    const char* message;
  } cases[] = {
      {"already signed", "r1", 11, "is already signed by r1.acme.example"},
      {"not a root key", "r3", 5, "is not a root key"},
      {"a witness key", "w1", 2, "not a root key"},
      {"a tampered root", "r2", 4, ""},
      {"not a trust root", "r2", 3, "trust root"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Setup s;
    REQUIRE(s.Create().exit_code == 0);
    std::string path = s.dir / "1.root";
    if (std::string_view(c.name) == "a tampered root") {
      std::string t = ReadFile(path);
      t[t.find("2099-01-01") + 9] = '2';
      WriteFile(path, t);
    } else if (std::string_view(c.name) == "not a trust root") {
      WriteFile(path, "candor.dev/release/v1\n");
    }
    const std::string before = ReadFile(path);
    auto r = Candor(s.dir, {"trust", "sign", "--key", s.dir / (std::string(c.key) + ".key"), path});
    CHECK_MESSAGE(r.exit_code == c.exit_code, r.err);
    CHECK_MESSAGE(Contains(r.err, c.message), r.err);
    CHECK(ReadFile(path) == before);
  }
  Setup s;
  CHECK(Candor(s.dir, {"trust", "sign", s.dir / "1.root"}).exit_code == 1);
  CHECK(Candor(s.dir, {"trust", "show"}).exit_code == 1);
  CHECK(Candor(s.dir, {"trust", "bless"}).exit_code == 1);
  CHECK(Candor(s.dir, {"trust", "show", s.dir / "absent.root"}).exit_code == 12);
}

// Replacing root key r1 by r3: version 2 needs 2 of version 1's {r1, r2} and
// 2 of its own {r2, r3}. r1 is only in version 1, so it signs with
// --previous; without it, it is refused as it should be for version 2 alone.
TEST_CASE("trust sign --previous: a retiring root key signs the next version") {
  Setup s;
  REQUIRE(s.Create().exit_code == 0);
  REQUIRE(Candor(s.dir, {"trust", "sign", "--key", s.dir / "r2.key", s.dir / "1.root"}).exit_code ==
          0);
  REQUIRE(s.Create({{"--version", "2"},
                    {"--root", s.dir / "r3.pub"},
                    {"--key", s.dir / "r2.key"},
                    {"--out", s.dir / "2.root"}})
              .exit_code == 0);
  const std::string v2 = s.dir / "2.root";
  auto refused = Candor(s.dir, {"trust", "sign", "--key", s.dir / "r1.key", v2});
  CHECK(refused.exit_code == 5);
  auto wrong = Candor(s.dir, {"trust", "sign", "--key", s.dir / "r1.key", "--previous", v2, v2});
  CHECK(wrong.exit_code == 2);
  auto r1 = Candor(
      s.dir, {"trust", "sign", "--key", s.dir / "r1.key", "--previous", s.dir / "1.root", v2});
  REQUIRE_MESSAGE(r1.exit_code == 0, r1.err);
  CHECK(Contains(r1.out, "1 of 2 required root signatures; 2 of 2 of version 1"));
  auto r3 = Candor(s.dir, {"trust", "sign", "--key", s.dir / "r3.key", v2});
  REQUIRE(r3.exit_code == 0);
  auto v1 = ParseSignedTrustRoot(ReadFile(s.dir / "1.root"));
  auto next = ParseSignedTrustRoot(ReadFile(v2));
  REQUIRE(v1.ok());
  REQUIRE(next.ok());
  CHECK(CheckRootSuccessor(v1->root, *next).ok());
}

}  // namespace
}  // namespace candor
