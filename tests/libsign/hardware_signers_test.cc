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

#define CANDOR_SKIP_UNLESS(fixture)                                                   \
  if (!(fixture).available()) {                                                       \
    if (testing::HsmRequired()) FAIL("CANDOR_REQUIRE_HSM=1 but " << (fixture).why()); \
    MESSAGE("SKIP: " << (fixture).why());                                             \
    return;                                                                           \
  }

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
}

}  // namespace
}  // namespace candor
