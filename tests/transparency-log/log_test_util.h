// Helpers shared by the transparency-log tests: vendor keys, signed release
// entries, temporary directories.
#ifndef CANDOR_TESTS_TRANSPARENCY_LOG_LOG_TEST_UTIL_H_
#define CANDOR_TESTS_TRANSPARENCY_LOG_LOG_TEST_UTIL_H_

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "candor/bytes.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"
#include "support/temp_dir.h"

namespace candor::testing {

struct Vendor {
  SignerKey key;
  VerifierKey pub;
};

inline Vendor MakeVendor(const std::string& domain) {
  auto pair = GenerateKey(domain);
  REQUIRE(pair.ok());
  return Vendor{pair->first, pair->second};
}

// A valid, signed release entry for product/version.
inline Bytes MakeEntry(const Vendor& v, const std::string& product, const std::string& version,
                       const std::string& changelog = "Fixes.\n", uint64_t rollback = 1) {
  ManifestFields f;
  f.products = {product};
  f.version = version;
  f.rollback = rollback;
  f.image_sha256 = Sha256Digest(AsBytes(product + version + changelog));
  f.image_size = 1000;
  f.issued = 1767225600;  // 2026-01-01
  auto entry = CreateReleaseEntry(f, changelog, v.key);
  if (!entry.ok()) FAIL("CreateReleaseEntry: " << entry.status().ToString());
  return *entry;
}

}  // namespace candor::testing

#endif  // CANDOR_TESTS_TRANSPARENCY_LOG_LOG_TEST_UTIL_H_
