// The log admits rollback counters over the full u64 range, the same range
// the manifest, the CLI and the device agent's state accept (one codec,
// candor/bytes.h ParseDecimalU64Full): 2^64 and beyond are malformed.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "candor/log/admission.h"
#include "candor/release.h"
#include "candor/release_signer.h"
#include "candor/signer.h"
#include "support/temp_dir.h"

namespace candor {
namespace {

TEST_CASE("admission: rollback counters at the u64 edges") {
  auto key = GenerateKey("acme.example/firmware");
  REQUIRE(key.ok());
  testing::TempDir dir;
  const std::string vendors = dir.path() + "/vendors";
  {
    FILE* f = std::fopen(vendors.c_str(), "w");
    REQUIRE(f != nullptr);
    const std::string text = FormatVendorsFile({key->second});
    REQUIRE(std::fwrite(text.data(), 1, text.size(), f) == text.size());
    std::fclose(f);
  }
  VendorRegistry registry(vendors);
  REQUIRE(registry.Refresh().ok());

  auto entry_with = [&](uint64_t rollback) {
    ManifestFields f;
    f.products = {"printer-x1"};
    f.version = "1.0." + std::to_string(rollback);
    f.rollback = rollback;
    f.image_size = 1;
    f.issued = 1790000000;
    auto e = CreateReleaseEntry(f, "changes\n", key->first);
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    return *e;
  };
  for (uint64_t v : {uint64_t{0}, uint64_t{INT64_MAX}, uint64_t{INT64_MAX} + 1, UINT64_MAX}) {
    CAPTURE(v);
    auto admitted = AdmitEntry(entry_with(v), registry, AdmissionOptions{});
    REQUIRE_MESSAGE(admitted.ok(), admitted.status().ToString());
    auto parsed = ParseReleaseEntry(admitted->entry);
    REQUIRE(parsed.ok());
    CHECK(parsed->manifest.rollback == v);
  }
  // 2^64, validly signed by a registered vendor: malformed, not wrapped to 0.
  auto e = ParseReleaseEntry(entry_with(UINT64_MAX));
  REQUIRE(e.ok());
  std::string body = e->signed_manifest_note.substr(0, e->signed_manifest_note.find("\n\n") + 1);
  const std::string from = "rollback 18446744073709551615\n";
  const size_t at = body.find(from);
  REQUIRE(at != std::string::npos);
  body.replace(at, from.size(), "rollback 18446744073709551616\n");
  const SignerKey* signers[] = {&key->first};
  auto note = SignNote(body, signers);
  REQUIRE(note.ok());
  auto over = AdmitEntry(EncodeReleaseEntry(*note, e->changelog), registry, AdmissionOptions{});
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().code() == Code::kMalformed);
}

}  // namespace
}  // namespace candor
