// Interop of release manifests with Go's golang.org/x/mod/sumdb/note: the
// published test vectors verify with Go's note.Open, and Go, signing the same
// manifest text with the same key, produces the same bytes.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

SignerKey SeedKey(const std::string& name, const std::string& seed_hex) {
  SignerKey k;
  k.name = name;
  k.type = kKeyTypeEd25519;
  auto seed = HexDecode(seed_hex);
  REQUIRE(seed.ok());
  REQUIRE(seed->size() == k.seed.size());
  std::copy(seed->begin(), seed->end(), k.seed.begin());
  k.key_id = KeyId(k.name, k.type, PublicKeyOf(k).public_key);
  return k;
}

std::string KeyHash(const VerifierKey& k) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(k.key_id));
  return hex;
}

// Every vector, the k-of-n one included: Go's note.Open, given the whole
// signer list as its VerifierList, verifies every signature on the note, and
// Go's note.Sign with the signing keys in canonical order gives the same bytes.
TEST_CASE("release vectors: Go verifies the manifests and reproduces the signatures") {
  for (const char* name : testutil::kReleaseVectors) {
    CAPTURE(name);
    bool ok = false;
    const std::string note =
        testutil::ReadWholeFile(testutil::ReleaseVectorPath(std::string(name) + ".note"), &ok);
    REQUIRE(ok);
    const auto in = testutil::ParseVectorInputs(
        testutil::ReadWholeFile(testutil::ReleaseVectorPath(std::string(name) + ".inputs")));
    std::vector<VerifierKey> signed_by;
    auto m = ParseSignedManifest(note, nullptr, nullptr, &signed_by);
    REQUIRE_MESSAGE(m.ok(), m.status().ToString());
    const std::string text = note.substr(0, note.rfind("\n\n") + 1);

    std::vector<std::string> verify_args = {"note-verify"};
    for (const VerifierKey& k : SignerList(*m)) verify_args.push_back(FormatVerifierKey(k));
    std::string want = text;
    for (const VerifierKey& k : signed_by) want += "signed-by " + k.name + " " + KeyHash(k) + "\n";
    auto verified = RunGo(verify_args, note);
    CHECK(verified.exit_code == 0);
    CHECK(verified.out == want);

    std::vector<std::string> sign_args = {"note-sign", FormatSignerKey(VectorSignerKey())};
    for (const std::string& signer : in.signs) {
      for (const auto& [seed, key_name] : in.signers) {
        if (key_name == signer) sign_args.push_back(FormatSignerKey(SeedKey(key_name, seed)));
      }
    }
    REQUIRE(sign_args.size() == 2 + in.signs.size());
    auto signed_by_go = RunGo(sign_args, text);
    REQUIRE(signed_by_go.exit_code == 0);
    CHECK(signed_by_go.out == note);
  }
}

TEST_CASE("a 3-key manifest signed by Candor verifies with Go's note.Open and a verifier list") {
  const SignerKey a = SeedKey("acme.example/firmware", std::string(64, '1'));
  const SignerKey b = SeedKey("acme.example/release-b", std::string(64, '2'));
  const SignerKey c = SeedKey("acme.example/release-c", std::string(64, '3'));
  const std::vector<VerifierKey> list = {PublicKeyOf(a), PublicKeyOf(b), PublicKeyOf(c)};
  ManifestFields f;
  f.products = {"printer-x1"};
  f.version = "9.0";
  f.rollback = 9;
  f.image_sha256 = Sha256Digest(std::string_view("firmware"));
  f.image_size = 8;
  f.issued = 1767225600;
  auto entry = CreateReleaseEntry(f, "Three keys.\n", list, a);
  REQUIRE(entry.ok());
  entry = AddReleaseSignature(*entry, c);
  REQUIRE(entry.ok());
  entry = AddReleaseSignature(*entry, b);
  REQUIRE(entry.ok());
  auto parsed = ParseReleaseEntry(*entry);
  REQUIRE(parsed.ok());
  const std::string& note = parsed->signed_manifest_note;
  const std::string text = note.substr(0, note.rfind("\n\n") + 1);
  REQUIRE(parsed->signed_by.size() == 3);

  // All three verified, reported in the note's (canonical) order.
  std::vector<std::string> args = {"note-verify"};
  for (const VerifierKey& k : list) args.push_back(FormatVerifierKey(k));
  std::string want = text;
  for (const VerifierKey& k : parsed->signed_by) {
    want += "signed-by " + k.name + " " + KeyHash(k) + "\n";
  }
  auto all = RunGo(args, note);
  CHECK(all.exit_code == 0);
  CHECK(all.out == want);
  // Go, knowing only two of the keys, verifies those and ignores the third.
  auto two = RunGo(
      {"note-verify", FormatVerifierKey(PublicKeyOf(b)), FormatVerifierKey(PublicKeyOf(c))}, note);
  CHECK(two.exit_code == 0);
  CHECK(two.out.find("signed-by acme.example/firmware") == std::string::npos);
  CHECK(two.out.find("signed-by acme.example/release-b") != std::string::npos);
  // Go's own multi-key note.Sign in canonical order gives Candor's bytes.
  std::vector<std::string> sign = {"note-sign"};
  for (const VerifierKey& k : parsed->signed_by) {
    for (const SignerKey* s : {&a, &b, &c}) {
      if (PublicKeyOf(*s) == k) sign.push_back(FormatSignerKey(*s));
    }
  }
  auto go_signed = RunGo(sign, text);
  REQUIRE(go_signed.exit_code == 0);
  CHECK(go_signed.out == note);
  // And a note Go signed in another order is refused by Candor as non-canonical.
  std::vector<std::string> reordered = {"note-sign", sign[1], sign[3], sign[2]};
  auto go_reordered = RunGo(reordered, text);
  REQUIRE(go_reordered.exit_code == 0);
  CHECK(
      ParseReleaseEntry(EncodeReleaseEntry(go_reordered.out, parsed->changelog)).status().code() ==
      Code::kMalformed);
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
