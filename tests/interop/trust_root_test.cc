// Interop of trust roots (docs/FORMATS.md "Trust root") with Go's
// golang.org/x/mod/sumdb/note: the published vectors were signed by Go's
// note.Sign; Go's note.Open verifies their root-key signatures, Candor's
// signer reproduces them byte for byte, and a root signed by a Go-generated
// root key passes Candor's rotation rule.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "candor/signer.h"
#include "candor/trust_root.h"
#include "interop/go_runner.h"
#include "libverify/release_test_util.h"

namespace candor {
namespace {

using testing::RunGo;

SignerKey SeedKey(const std::string& name, uint8_t seed_byte) {
  SignerKey k;
  k.name = name;
  k.type = kKeyTypeEd25519;
  k.seed.fill(seed_byte);
  k.key_id = KeyId(k.name, k.type, PublicKeyOf(k).public_key);
  return k;
}

std::string Text(const std::string& note) { return note.substr(0, note.rfind("\n\n") + 1); }

TEST_CASE("trust root vectors: Go verifies every root-key signature; Candor signs the same bytes") {
  const SignerKey a = SeedKey("root-a.acme.example", 0x21);
  const SignerKey b = SeedKey("root-b.acme.example", 0x22);
  const SignerKey c = SeedKey("root-c.acme.example", 0x23);
  struct Case {
    const char* file;
    std::vector<const SignerKey*> signers;
  } cases[] = {{"v1.root", {&a, &b}}, {"v2.root", {&a, &b, &c}}};
  for (const Case& cs : cases) {
    CAPTURE(cs.file);
    const std::string note = testutil::TrustRootVector(cs.file);
    auto root = ParseSignedTrustRoot(note);
    REQUIRE_MESSAGE(root.ok(), root.status().ToString());
    std::vector<std::string> args = {"note-verify"};
    std::string want = Text(note);
    for (const SignerKey* k : cs.signers) {
      args.push_back(FormatVerifierKey(PublicKeyOf(*k)));
      char id[9];
      std::snprintf(id, sizeof id, "%08x", k->key_id);
      want += "signed-by " + k->name + " " + id + "\n";
    }
    auto verified = RunGo(args, note);
    CHECK(verified.exit_code == 0);
    CHECK(verified.out == want);
    // Candor's signer, independently, produces Go's bytes.
    auto resigned = SignNote(Text(note), cs.signers);
    REQUIRE(resigned.ok());
    CHECK(*resigned == note);
  }
  // Go refuses v2 under version 1's root-a key alone if a byte of the text changes.
  std::string tampered = testutil::TrustRootVector("v2.root");
  tampered.replace(tampered.find("version 2"), 9, "version 3");
  CHECK(RunGo({"note-verify", FormatVerifierKey(PublicKeyOf(a))}, tampered).exit_code == 1);
}

TEST_CASE("a Go-generated root key signs a root Candor accepts as the next version") {
  auto gen = RunGo({"note-genkey", "go-root.example"}, "");
  REQUIRE(gen.exit_code == 0);
  const size_t nl = gen.out.find('\n');
  auto go_key = ParseSignerKey(gen.out.substr(0, nl));
  REQUIRE(go_key.ok());

  auto v1 = ParseSignedTrustRoot(testutil::TrustRootVector("v1.root"));
  REQUIRE(v1.ok());
  // Version 2: root-a and root-b of version 1 sign; its own keys are the Go
  // key alone, threshold 1, so the Go key's signature is needed too.
  TrustRoot v2 = v1->root;
  v2.version = 2;
  v2.root_threshold = 1;
  v2.root_keys = {PublicKeyOf(*go_key)};
  const std::string text = FormatTrustRootText(v2);
  const SignerKey a = SeedKey("root-a.acme.example", 0x21);
  const SignerKey b = SeedKey("root-b.acme.example", 0x22);
  const SignerKey* candor_signers[] = {&a, &b};
  auto by_candor = SignNote(text, candor_signers);
  REQUIRE(by_candor.ok());
  auto parsed_without = ParseSignedTrustRoot(*by_candor);
  REQUIRE(parsed_without.ok());
  CHECK(CheckRootSuccessor(v1->root, *parsed_without).code() == Code::kBadSignature);

  // Go adds its signature to the note text; the signature lines combine.
  auto by_go = RunGo({"note-sign", gen.out.substr(0, nl)}, text);
  REQUIRE(by_go.exit_code == 0);
  const std::string go_line = by_go.out.substr(text.size() + 1);
  auto parsed = ParseSignedTrustRoot(*by_candor + go_line);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(CheckRootSuccessor(v1->root, *parsed).ok());
}

}  // namespace
}  // namespace candor
