// Interop of release manifests with Go's golang.org/x/mod/sumdb/note: the
// published test vectors verify with Go's note.Open, and Go, signing the same
// manifest text with the same key, produces the same bytes.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "candor/manifest.h"
#include "candor/release.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"
#include "interop/go_runner.h"
#include "libverify/release_test_util.h"

namespace candor {
namespace {

using testing::RunGo;

SignerKey VectorSignerKey() {
  SignerKey k;
  k.name = "acme.example/firmware";
  k.type = kKeyTypeEd25519;
  for (size_t i = 0; i < k.seed.size(); ++i) k.seed[i] = static_cast<uint8_t>(i + 1);
  k.key_id = KeyId(k.name, k.type, PublicKeyOf(k).public_key);
  return k;
}

TEST_CASE("release vectors: Go verifies the manifests and reproduces the signatures") {
  const std::string skey = FormatSignerKey(VectorSignerKey());
  for (const char* name : testutil::kReleaseVectors) {
    CAPTURE(name);
    bool ok = false;
    const std::string note =
        testutil::ReadWholeFile(testutil::ReleaseVectorPath(std::string(name) + ".note"), &ok);
    REQUIRE(ok);
    auto m = ParseSignedManifest(note);
    REQUIRE_MESSAGE(m.ok(), m.status().ToString());
    const std::string text = note.substr(0, note.rfind("\n\n") + 1);

    auto verified = RunGo({"note-verify", FormatVerifierKey(m->vendor_key)}, note);
    CHECK(verified.exit_code == 0);
    CHECK(verified.out == text + "signed-by acme.example/firmware c0cf6168\n");

    auto signed_by_go = RunGo({"note-sign", skey}, text);
    REQUIRE(signed_by_go.exit_code == 0);
    CHECK(signed_by_go.out == note);
  }
}

TEST_CASE("a Go-generated vendor key signs releases Candor accepts") {
  auto gen = RunGo({"note-genkey", "go-vendor.example"}, "");
  REQUIRE(gen.exit_code == 0);
  const size_t nl = gen.out.find('\n');
  auto key = ParseSignerKey(gen.out.substr(0, nl));
  REQUIRE(key.ok());
  const std::string vkey = gen.out.substr(nl + 1, gen.out.size() - nl - 2);
  CHECK(FormatVerifierKey(PublicKeyOf(*key)) == vkey);

  ManifestFields f;
  f.products = {"thermostat-2"};
  f.version = "7.1";
  f.rollback = 71;
  f.image_sha256 = Sha256Digest(std::string_view("firmware"));
  f.image_size = 8;
  f.issued = 1767225600;
  f.disclosures = {{"connectivity-required", "always", Date{2027, 1, 1}}};
  auto entry = CreateReleaseEntry(f, "Cloud account now mandatory.\n", *key);
  REQUIRE_MESSAGE(entry.ok(), entry.status().ToString());
  auto parsed = ParseReleaseEntry(*entry);
  REQUIRE(parsed.ok());
  CHECK(parsed->manifest.vendor == "go-vendor.example");
  auto verified = RunGo({"note-verify", vkey}, parsed->signed_manifest_note);
  CHECK(verified.exit_code == 0);
  // Go refuses the manifest under another key of the same name.
  auto other = RunGo({"note-genkey", "go-vendor.example"}, "");
  REQUIRE(other.exit_code == 0);
  const std::string other_vkey =
      other.out.substr(other.out.find('\n') + 1, other.out.size() - other.out.find('\n') - 2);
  CHECK(RunGo({"note-verify", other_vkey}, parsed->signed_manifest_note).exit_code == 1);
}

}  // namespace
}  // namespace candor
