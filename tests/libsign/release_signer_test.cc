#include "candor/release_signer.h"

#include <doctest/doctest.h>

#include <array>
#include <cstdlib>
#include <string>

#include "candor/release.h"
#include "candor/sha256.h"
#include "libverify/release_test_util.h"

namespace candor {
namespace {

SignerKey KeyFromSeed(std::string_view name, std::string_view seed_hex) {
  SignerKey k;
  k.name = std::string(name);
  k.type = kKeyTypeEd25519;
  auto seed = HexDecode(seed_hex);
  REQUIRE(seed.ok());
  REQUIRE(seed->size() == 32);
  std::copy(seed->begin(), seed->end(), k.seed.begin());
  k.key_id = KeyId(k.name, k.type, PublicKeyOf(k).public_key);
  return k;
}

SignerKey KeyFromByte(std::string_view name, uint8_t b) {
  return KeyFromSeed(name, HexEncode(Bytes(32, b)));
}

ManifestFields FieldsFromInputs(const testutil::VectorInputs& in) {
  ManifestFields f;
  f.vendor = in.vendor;
  f.products = in.products;
  f.version = in.version;
  f.rollback = in.rollback;
  f.image_sha256 = Sha256Digest(in.image_ascii);
  f.image_size = in.image_ascii.size();
  auto issued = ParseUtcTime(in.issued);
  REQUIRE(issued.ok());
  f.issued = *issued;
  for (const std::string& arg : in.disclose_args) {
    auto d = ParseDisclosureArg(arg);
    REQUIRE_MESSAGE(d.ok(), arg);
    f.disclosures.push_back(*d);
  }
  return f;
}

ManifestFields SampleFields() {
  ManifestFields f;
  f.products = {"printer-b", "printer-a"};
  f.version = "2.0.1";
  f.rollback = 7;
  f.image_sha256 = Sha256Digest(std::string_view("image"));
  f.image_size = 5;
  f.issued = 1767225600;  // 2026-01-01T00:00:00Z
  f.disclosures = {{"telemetry", "none", std::nullopt},
                   {"consumables.third-party", "blocked", Date{2026, 9, 13}}};
  return f;
}

TEST_CASE("release vectors: the published inputs produce the published bytes") {
  // CANDOR_UPDATE_VECTORS=1 rewrites the .note and .entry.hex files (then
  // re-run without it, and update docs/FORMATS.md: release_test.cc checks it).
  const bool update = std::getenv("CANDOR_UPDATE_VECTORS") != nullptr;
  for (const char* name : testutil::kReleaseVectors) {
    CAPTURE(name);
    bool ok_in = false, ok_cl = false;
    const auto in = testutil::ParseVectorInputs(testutil::ReadWholeFile(
        testutil::ReleaseVectorPath(std::string(name) + ".inputs"), &ok_in));
    const std::string changelog = testutil::ReadWholeFile(
        testutil::ReleaseVectorPath(std::string(name) + ".changelog"), &ok_cl);
    REQUIRE(ok_in);
    REQUIRE(ok_cl);
    CHECK(in.unknown.empty());
    const SignerKey key = KeyFromSeed(in.key_name, in.seed_hex);
    auto entry = CreateReleaseEntry(FieldsFromInputs(in), changelog, key);
    REQUIRE_MESSAGE(entry.ok(), entry.status().ToString());
    auto parsed = ParseReleaseEntry(*entry);
    REQUIRE(parsed.ok());
    const std::string note_path = testutil::ReleaseVectorPath(std::string(name) + ".note");
    const std::string hex_path = testutil::ReleaseVectorPath(std::string(name) + ".entry.hex");
    if (update) {
      testutil::WriteWholeFile(note_path, parsed->signed_manifest_note);
      testutil::WriteWholeFile(hex_path, testutil::WrapHex(*entry));
    }
    CHECK(testutil::ReadWholeFile(note_path) == parsed->signed_manifest_note);
    CHECK(testutil::ReadWholeFile(hex_path) == testutil::WrapHex(*entry));
  }
}

TEST_CASE("CreateReleaseEntry: canonicalises, derives and round-trips") {
  const SignerKey key = KeyFromByte("acme.example/firmware", 0x11);
  const std::string changelog = "Fixes.\n";
  auto entry = CreateReleaseEntry(SampleFields(), changelog, key);
  REQUIRE_MESSAGE(entry.ok(), entry.status().ToString());
  auto parsed = ParseReleaseEntry(*entry);
  REQUIRE(parsed.ok());
  const Manifest& m = parsed->manifest;
  CHECK(m.vendor == "acme.example");  // derived from the key name
  CHECK(m.vendor_key == PublicKeyOf(key));
  CHECK(m.products == std::vector<std::string>{"printer-a", "printer-b"});
  REQUIRE(m.disclosures.size() == 2);
  CHECK(m.disclosures[0].kind == "consumables.third-party");
  CHECK(m.disclosures[1].kind == "telemetry");
  CHECK(HashEqual(m.changelog_sha256, Sha256Digest(changelog)));
  CHECK(parsed->changelog == changelog);
  CHECK(EncodeReleaseEntry(*parsed) == *entry);

  auto built = BuildManifest(SampleFields(), changelog, key);
  REQUIRE(built.ok());
  CHECK(*built == m);

  // Input order does not matter: one byte sequence per release.
  ManifestFields shuffled = SampleFields();
  std::swap(shuffled.products[0], shuffled.products[1]);
  std::swap(shuffled.disclosures[0], shuffled.disclosures[1]);
  auto entry2 = CreateReleaseEntry(shuffled, changelog, key);
  REQUIRE(entry2.ok());
  CHECK(*entry2 == *entry);
}

TEST_CASE("CreateReleaseEntry refuses what the parser would refuse") {
  const SignerKey key = KeyFromByte("acme.example/firmware", 0x11);
  struct Case {
    const char* what;
    void (*mutate)(ManifestFields&);
    Code code;
  };
  const Case cases[] = {
      {"duplicate product", [](ManifestFields& f) { f.products.push_back("printer-a"); },
       Code::kInvalidArgument},
      {"duplicate disclosure", [](ManifestFields& f) { f.disclosures.push_back(f.disclosures[0]); },
       Code::kInvalidArgument},
      {"no product", [](ManifestFields& f) { f.products.clear(); }, Code::kMalformed},
      {"bad product", [](ManifestFields& f) { f.products[0] = "printer a"; }, Code::kMalformed},
      {"bad version", [](ManifestFields& f) { f.version = "v 2"; }, Code::kMalformed},
      {"empty version", [](ManifestFields& f) { f.version = ""; }, Code::kMalformed},
      {"zero image size", [](ManifestFields& f) { f.image_size = 0; }, Code::kMalformed},
      {"negative time", [](ManifestFields& f) { f.issued = -1; }, Code::kMalformed},
      {"time after 9999", [](ManifestFields& f) { f.issued = kMaxUnixSeconds + 1; },
       Code::kMalformed},
      {"vendor not matching the key name", [](ManifestFields& f) { f.vendor = "other.example"; },
       Code::kMalformed},
      {"vendor not a domain", [](ManifestFields& f) { f.vendor = "ACME"; }, Code::kMalformed},
      {"unknown kind",
       [](ManifestFields& f) {
         f.disclosures.push_back({"ads", "yes", {}});
       },
       Code::kMalformed},
      {"vendor kind of another vendor",
       [](ManifestFields& f) {
         f.disclosures.push_back({"x-other.example/a", "b", {}});
       },
       Code::kMalformed},
      {"telemetry destinations repeat",
       [](ManifestFields& f) {
         std::erase(f.disclosures, Disclosure{"telemetry", "none", std::nullopt});
         f.disclosures.push_back({"telemetry", "crash to a.example", {}});
         f.disclosures.push_back({"telemetry", "usage to b.example", {}});
       },
       Code::kOk},  // telemetry may repeat (several destinations)
      {"telemetry none next to a destination",
       [](ManifestFields& f) {
         f.disclosures.push_back({"telemetry", "crash to a.example", {}});
       },
       Code::kMalformed},  // `none` excludes every other telemetry value at once
      {"conflicting consumables state",
       [](ManifestFields& f) {
         f.disclosures.push_back({"consumables.third-party", "allowed", Date{2026, 9, 13}});
       },
       Code::kMalformed},
      {"too many disclosures",
       [](ManifestFields& f) {
         for (int i = 0; i < 64; ++i) {
           f.disclosures.push_back({"feature-removal", "feature " + std::to_string(i), {}});
         }
       },
       Code::kMalformed},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    ManifestFields f = SampleFields();
    c.mutate(f);
    auto entry = CreateReleaseEntry(f, "log\n", key);
    if (c.code == Code::kOk) {
      CHECK_MESSAGE(entry.ok(), entry.status().ToString());
    } else {
      REQUIRE(!entry.ok());
      CHECK(entry.status().code() == c.code);
    }
  }
}

TEST_CASE("CreateReleaseEntry: size limits") {
  const SignerKey key = KeyFromByte("acme.example/firmware", 0x11);
  // Largest changelog fits; one byte more does not.
  const std::string max_log(kMaxChangelogSize, 'a');
  auto ok = CreateReleaseEntry(SampleFields(), max_log, key);
  REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  CHECK(ok->size() <= kMaxReleaseEntrySize);
  auto big = CreateReleaseEntry(SampleFields(), max_log + "a", key);
  REQUIRE(!big.ok());
  CHECK(big.status().code() == Code::kTooLarge);
  CHECK(CreateReleaseEntry(SampleFields(), "", key).status().code() == Code::kMalformed);
  CHECK(CreateReleaseEntry(SampleFields(), "bad \xff\n", key).status().code() == Code::kMalformed);

  // 64 maximal disclosures overflow the 12 KiB manifest bound.
  ManifestFields f = SampleFields();
  f.disclosures.clear();
  for (int i = 0; i < 64; ++i) {
    std::string v = std::to_string(100 + i) + std::string(kMaxDisclosureValueSize - 3, 'v');
    f.disclosures.push_back({"feature-removal", v, {}});
  }
  auto too_large = CreateReleaseEntry(f, "log\n", key);
  REQUIRE(!too_large.ok());
  CHECK(too_large.status().code() == Code::kTooLarge);
}

TEST_CASE("CreateReleaseEntry: key checks") {
  SignerKey cosigner = KeyFromByte("acme.example/witness", 0x12);
  cosigner.type = kKeyTypeCosignatureV1;
  CHECK(CreateReleaseEntry(SampleFields(), "log\n", cosigner).status().code() ==
        Code::kInvalidArgument);

  // SignManifest refuses a manifest naming another key.
  const SignerKey a = KeyFromByte("acme.example/firmware", 0x11);
  const SignerKey b = KeyFromByte("acme.example/firmware", 0x13);
  auto m = BuildManifest(SampleFields(), "log\n", a);
  REQUIRE(m.ok());
  CHECK(SignManifest(*m, b).status().code() == Code::kInvalidArgument);
}

TEST_CASE("manifest signatures: exactly one, by the named key") {
  const SignerKey a = KeyFromByte("acme.example/firmware", 0x11);
  const SignerKey b = KeyFromByte("acme.example/firmware", 0x13);  // same name, other key
  const SignerKey c = KeyFromByte("acme.example/other", 0x14);
  const std::string changelog = "log\n";
  auto m = BuildManifest(SampleFields(), changelog, a);
  REQUIRE(m.ok());
  auto text = FormatManifestText(*m);
  REQUIRE(text.ok());

  auto sign = [&](std::vector<const SignerKey*> keys) {
    auto note = SignNote(*text, keys);
    REQUIRE(note.ok());
    return *note;
  };
  auto parse = [&](const std::string& note) {
    return ParseReleaseEntry(EncodeReleaseEntry(note, changelog));
  };
  CHECK(parse(sign({&a})).ok());
  // Signed by a key with the same name but another key ID: not the vendor's.
  CHECK(parse(sign({&b})).status().code() == Code::kBadSignature);
  CHECK(parse(sign({&c})).status().code() == Code::kBadSignature);
  // A second signature (even a valid extra one) breaks canonical form.
  CHECK(parse(sign({&a, &c})).status().code() == Code::kMalformed);
  CHECK(parse(sign({&c, &a})).status().code() == Code::kMalformed);

  // A correct key ID and name but a signature made by another key.
  SignerKey forged = b;
  forged.key_id = a.key_id;
  CHECK(parse(sign({&forged})).status().code() == Code::kBadSignature);
}

}  // namespace
}  // namespace candor
