// Helpers shared by the transparency-log tests: vendor keys, signed release
// entries and trust roots, temporary directories.
#ifndef CANDOR_TESTS_TRANSPARENCY_LOG_LOG_TEST_UTIL_H_
#define CANDOR_TESTS_TRANSPARENCY_LOG_LOG_TEST_UTIL_H_

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "candor/bytes.h"
#include "candor/release_signer.h"
#include "candor/sha256.h"
#include "candor/signer.h"
#include "candor/trust_root.h"
#include "support/temp_dir.h"

namespace candor::testing {

struct Vendor {
  SignerKey key;
  VerifierKey pub;
};

// The verifier key of the log whose data directory is `dir` (its log.pub).
inline VerifierKey ReadLogKey(const std::string& dir) {
  auto key = ReadVerifierKeyFile(dir + "/log.pub", "log key");
  REQUIRE_MESSAGE(key.ok(), key.status().ToString());
  return *key;
}

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

// A trust root note (candor/trust_root.h) for `domain` and `version` whose
// root keys are `roots` (threshold `threshold`), signed by `signers`, carrying
// a minimal policy naming a fresh log key: two calls never give the same root.
inline std::string MakeTrustRoot(const std::vector<const Vendor*>& roots, size_t threshold,
                                 const std::vector<const Vendor*>& signers,
                                 const std::string& domain = "acme.example/printers",
                                 uint64_t version = 1) {
  TrustRoot root;
  root.domain = domain;
  root.version = version;
  root.expires_unix = 4102444800;  // 2100-01-01
  root.root_threshold = threshold;
  for (const Vendor* v : roots) root.root_keys.push_back(v->pub);
  std::sort(root.root_keys.begin(), root.root_keys.end(),
            [](const VerifierKey& a, const VerifierKey& b) {
              return FormatVerifierKey(a) < FormatVerifierKey(b);
            });
  auto log = GenerateKey("log.example/roots");
  REQUIRE(log.ok());
  auto policy = ParseTrustPolicy("log " + FormatVerifierKey(log->second) + "\nquorum none\n");
  REQUIRE(policy.ok());
  root.policy = *policy;
  std::vector<const SignerKey*> keys;
  for (const Vendor* v : signers) keys.push_back(&v->key);
  auto note = SignNote(FormatTrustRootText(root), keys);
  REQUIRE_MESSAGE(note.ok(), note.status().ToString());
  REQUIRE(ParseSignedTrustRoot(*note).ok());
  return *note;
}

}  // namespace candor::testing

#endif  // CANDOR_TESTS_TRANSPARENCY_LOG_LOG_TEST_UTIL_H_
