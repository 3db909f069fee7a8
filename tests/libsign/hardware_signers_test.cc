// The PKCS#11 and ssh-agent backends in process (so the sanitizer builds see
// them): a SoftHSM2 token and OpenSSH's ssh-agent started by the test, keys
// made on them, signatures checked with libverify. Process-level behaviour
// (exit codes, nothing written) is tests/cli/signers_test.cc. Skips only when
// softhsm2 / openssh-client is absent and CANDOR_REQUIRE_HSM is not 1.
#include <doctest/doctest.h>

#include <fstream>

#include "candor/cosignature.h"
#include "candor/pkcs11_signer.h"
#include "candor/signing_key.h"
#include "candor/ssh_agent.h"
#include "support/signer_fixtures.h"
#include "support/temp_dir.h"

namespace candor {
namespace {

// Signs a note with `s` and verifies it with libverify.
void CheckSigns(const Signer& s) {
  const Signer* signers[] = {&s};
  auto note = SignNote("hello from hardware\n", signers);
  REQUIRE_MESSAGE(note.ok(), note.status().ToString());
  const VerifierKey known[] = {s.public_key()};
  CHECK(VerifyNote(*note, known).ok());
}

TEST_CASE("PKCS#11 signer on SoftHSM: generate on the token, open, sign, verify") {
  testing::TempDir dir;
  testing::SoftHsm hsm(dir / "hsm");
  CANDOR_SKIP_UNLESS(hsm);
  REQUIRE(hsm.InitToken("lib", "1234"));
  std::ofstream(dir / "pin") << "1234\n";
  const std::string q =
      std::string("?module-path=") + testing::kSoftHsmModule + "&pin-source=file:" + (dir / "pin");
  auto pub = GeneratePkcs11Key("pkcs11:token=lib" + q, "acme.example/fw", kKeyTypeEd25519);
  REQUIRE_MESSAGE(pub.ok(), pub.status().ToString());
  CHECK(GeneratePkcs11Key("pkcs11:token=lib" + q, "acme.example/fw", kKeyTypeEd25519)
            .status()
            .code() == Code::kConflict);
  auto signer = OpenSigner("pkcs11:token=lib;object=acme.example%2Ffw" + q);
  REQUIRE_MESSAGE(signer.ok(), signer.status().ToString());
  CHECK((*signer)->public_key() == *pub);
  CheckSigns(**signer);

  // A witness key on the token: cosignature/v1 by use.
  auto wpub = GeneratePkcs11Key("pkcs11:token=lib" + q, "w.example", kKeyTypeCosignatureV1);
  REQUIRE(wpub.ok());
  auto witness =
      OpenSigner("pkcs11:token=lib;object=w.example" + q, {.key_type = kKeyTypeCosignatureV1});
  REQUIRE(witness.ok());
  const std::string body = "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  auto cosig = Cosign(**witness, body, 1700000000);
  REQUIRE(cosig.ok());
  CHECK(VerifyCosignature(*wpub, body, *cosig).ok());
}

TEST_CASE("ssh-agent signer against OpenSSH's agent: sign, verify") {
  testing::TempDir dir;
  testing::SshAgent agent(dir.path());
  CANDOR_SKIP_UNLESS(agent);
  REQUIRE(testing::SshAgent::MakeKey(dir / "id", "ed25519"));
  REQUIRE(agent.Add(dir / "id"));
  std::ifstream in(dir / "id.pub");
  std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto pk = ParseSshEd25519PublicKey(line);
  REQUIRE(pk.ok());
  const VerifierKey vkey = MakeVerifierKey("acme.example", kKeyTypeEd25519, *pk);
  std::ofstream(dir / "v.pub") << FormatVerifierKey(vkey) << "\n";
  auto signer = OpenSigner("ssh-agent:" + (dir / "v.pub"));
  REQUIRE_MESSAGE(signer.ok(), signer.status().ToString());
  CHECK((*signer)->public_key() == vkey);
  CheckSigns(**signer);
  // A vkey file whose name starts with "SHA256:" is named with its directory
  // (docs/SIGNING.md); bare, the spec is a fingerprint, and not a valid one.
  std::ofstream(dir / "SHA256:v.pub") << FormatVerifierKey(vkey) << "\n";
  auto by_path = OpenSigner("ssh-agent:" + (dir / "SHA256:v.pub"));
  REQUIRE_MESSAGE(by_path.ok(), by_path.status().ToString());
  CHECK((*by_path)->public_key() == vkey);
  CHECK(OpenSigner("ssh-agent:SHA256:v.pub").status().code() == Code::kMalformed);
}

TEST_CASE("ssh-agent signer chosen by OpenSSH fingerprint, named by the key's comment") {
  testing::TempDir dir;
  testing::SshAgent agent(dir.path());
  CANDOR_SKIP_UNLESS(agent);
  const std::string b = dir / "release-b";
  REQUIRE(testing::SshAgent::MakeKey(b, "ed25519", "acme.example/release-b"));
  REQUIRE(agent.Add(b));
  std::ifstream in(b + ".pub");
  std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto pk = ParseSshEd25519PublicKey(line);
  REQUIRE(pk.ok());
  // The fingerprint as ssh-keygen -l prints it, not as our code computes it.
  const std::string fp = testing::SshAgent::Fingerprint(b);
  REQUIRE(fp.starts_with("SHA256:"));

  SUBCASE("a match signs, under the comment's name and the caller's key type") {
    for (uint8_t type : {kKeyTypeEd25519, kKeyTypeCosignatureV1}) {
      CAPTURE(int{type});
      OpenSignerOptions options;
      options.key_type = type;
      auto signer = OpenSigner("ssh-agent:" + fp, options);
      REQUIRE_MESSAGE(signer.ok(), signer.status().ToString());
      CHECK((*signer)->public_key() == MakeVerifierKey("acme.example/release-b", type, *pk));
      if (type == kKeyTypeEd25519) CheckSigns(**signer);
    }
  }

  SUBCASE("refusals") {
    REQUIRE(testing::SshAgent::MakeKey(dir / "absent", "ed25519", "acme.example/absent"));
    REQUIRE(testing::SshAgent::MakeKey(dir / "spaced", "ed25519", "release key b"));
    REQUIRE(agent.Add(dir / "spaced"));
    REQUIRE(testing::SshAgent::MakeKey(dir / "ecdsa", "ecdsa", "acme.example/ecdsa"));
    REQUIRE(agent.Add(dir / "ecdsa"));
    struct Case {
      std::string name;
      std::string spec;
      Code code;
      std::string message;
    };
    const Case cases[] = {
        {"no identity matches", "ssh-agent:" + testing::SshAgent::Fingerprint(dir / "absent"),
         Code::kNotFound, "holds no key SHA256:"},
        {"comment is not a key name", "ssh-agent:" + testing::SshAgent::Fingerprint(dir / "spaced"),
         Code::kInvalidArgument, "use ssh-agent:VKEY-FILE"},
        {"an ECDSA key", "ssh-agent:" + testing::SshAgent::Fingerprint(dir / "ecdsa"),
         Code::kInvalidArgument, "not ssh-ed25519"},
        {"too short", "ssh-agent:" + fp.substr(0, fp.size() - 1), Code::kMalformed,
         "malformed key fingerprint"},
        {"padded", "ssh-agent:" + fp + "=", Code::kMalformed, "malformed key fingerprint"},
        {"not base64", "ssh-agent:" + fp.substr(0, fp.size() - 1) + "*", Code::kMalformed,
         "malformed key fingerprint"},
        {"empty", "ssh-agent:SHA256:", Code::kMalformed, "malformed key fingerprint"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      auto signer = OpenSigner(c.spec);
      REQUIRE(!signer.ok());
      CHECK(signer.status().code() == c.code);
      CHECK_MESSAGE(signer.status().message().find(c.message) != std::string::npos,
                    signer.status().ToString());
    }
  }
}

}  // namespace
}  // namespace candor
