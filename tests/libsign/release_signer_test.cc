#include "candor/release_signer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>
#include <vector>

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
    // k-of-n vectors name more keys ("signer" lines) and add some signatures.
    std::vector<SignerKey> others;
    std::vector<VerifierKey> list;
    if (!in.signers.empty()) list.push_back(PublicKeyOf(key));
    for (const auto& [seed, key_name] : in.signers) {
      others.push_back(KeyFromSeed(key_name, seed));
      list.push_back(PublicKeyOf(others.back()));
    }
    auto entry = CreateReleaseEntry(FieldsFromInputs(in), changelog, list, key);
    REQUIRE_MESSAGE(entry.ok(), entry.status().ToString());
    for (const std::string& signer_name : in.signs) {
      const auto it = std::find_if(others.begin(), others.end(),
                                   [&](const SignerKey& k) { return k.name == signer_name; });
      REQUIRE(it != others.end());
      entry = AddReleaseSignature(*entry, *it);
      REQUIRE_MESSAGE(entry.ok(), entry.status().ToString());
    }
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

// k-of-n releases (docs/FORMATS.md "Signer list").
struct KofN {
  SignerKey a = KeyFromByte("acme.example/firmware", 0x21);
  SignerKey b = KeyFromByte("acme.example/release-b", 0x22);
  SignerKey c = KeyFromByte("acme.example/release-c", 0x23);
  std::vector<VerifierKey> list = {PublicKeyOf(c), PublicKeyOf(a), PublicKeyOf(b)};
  std::string changelog = "log\n";
  Bytes Create() const {
    auto e = CreateReleaseEntry(SampleFields(), changelog, list, a);
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    return *e;
  }
};

TEST_CASE("k-of-n: create names the list, each key adds its signature in canonical order") {
  const KofN k;
  const Bytes created = k.Create();
  auto parsed = ParseReleaseEntry(created);
  REQUIRE(parsed.ok());
  CHECK(parsed->manifest.vendor_key == PublicKeyOf(k.a));
  REQUIRE(parsed->manifest.cosigners.size() == 2);
  CHECK(parsed->signed_by == std::vector<VerifierKey>{PublicKeyOf(k.a)});

  // Signing order does not matter: c then b, or b then c, give the same bytes.
  auto cb = AddReleaseSignature(created, k.c);
  REQUIRE_MESSAGE(cb.ok(), cb.status().ToString());
  cb = AddReleaseSignature(*cb, k.b);
  REQUIRE_MESSAGE(cb.ok(), cb.status().ToString());
  auto bc = AddReleaseSignature(created, k.b);
  REQUIRE(bc.ok());
  bc = AddReleaseSignature(*bc, k.c);
  REQUIRE(bc.ok());
  CHECK(*cb == *bc);
  auto all = ParseReleaseEntry(*cb);
  REQUIRE(all.ok());
  CHECK(all->signed_by.size() == 3);
  CHECK(all->signed_by == SignerList(all->manifest));

  // Without a signer list (or a list of the creating key alone): today's bytes.
  auto single = CreateReleaseEntry(SampleFields(), k.changelog, k.a);
  REQUIRE(single.ok());
  const std::vector<VerifierKey> just_a = {PublicKeyOf(k.a)};
  auto listed = CreateReleaseEntry(SampleFields(), k.changelog, just_a, k.a);
  REQUIRE(listed.ok());
  CHECK(*listed == *single);
  auto none = CreateReleaseEntry(SampleFields(), k.changelog, std::span<const VerifierKey>(), k.a);
  REQUIRE(none.ok());
  CHECK(*none == *single);
}

TEST_CASE("k-of-n: AddReleaseSignature refusals leave nothing signed") {
  const KofN k;
  const Bytes created = k.Create();
  const SignerKey outsider = KeyFromByte("acme.example/release-d", 0x24);
  struct Case {
    const char* what;
    Bytes entry;
    const SignerKey* key;
    Code code;
  };
  Bytes broken = created;
  broken[broken.size() - 2] ^= 1;  // the changelog
  const std::vector<Case> cases = {
      {"a key outside the signer list", created, &outsider, Code::kUntrustedKey},
      {"the creating key again", created, &k.a, Code::kConflict},
      {"a key that already signed", *AddReleaseSignature(created, k.b), &k.b, Code::kConflict},
      {"an entry that does not verify", broken, &k.b, Code::kMismatch},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    CHECK(AddReleaseSignature(c.entry, *c.key).status().code() == c.code);
  }
  SignerKey witness = k.b;
  witness.type = kKeyTypeCosignatureV1;
  CHECK(AddReleaseSignature(created, witness).status().code() == Code::kInvalidArgument);
}

TEST_CASE("k-of-n: CreateReleaseEntry refuses a bad signer list") {
  const KofN k;
  const VerifierKey a = PublicKeyOf(k.a), b = PublicKeyOf(k.b);
  const VerifierKey foreign = PublicKeyOf(KeyFromByte("evil.example/release", 0x25));
  std::vector<VerifierKey> too_many = {a};
  for (uint8_t i = 0; i < kMaxReleaseSigners; ++i) {
    too_many.push_back(PublicKeyOf(KeyFromByte("acme.example/k" + std::to_string(i), 0x40 + i)));
  }
  struct Case {
    const char* what;
    std::vector<VerifierKey> list;
    Code code;
  };
  const std::vector<Case> cases = {
      {"without the creating key", {b}, Code::kInvalidArgument},
      {"a key twice", {a, b, b}, Code::kInvalidArgument},
      {"the creating key twice", {a, b, a}, Code::kInvalidArgument},
      {"a key of another vendor", {a, foreign}, Code::kMalformed},
      {"17 keys", too_many, Code::kMalformed},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    CHECK(CreateReleaseEntry(SampleFields(), k.changelog, c.list, k.a).status().code() == c.code);
  }
  // Exactly 16 is fine.
  too_many.pop_back();
  CHECK(CreateReleaseEntry(SampleFields(), k.changelog, too_many, k.a).ok());
}

}  // namespace
}  // namespace candor
