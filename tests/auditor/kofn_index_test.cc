// k-of-n releases in the auditor (docs/AUDIT.md): the index records each
// release's signer list and who signed, a format-4 index is upgraded to 5 in
// place, and `signer-set-changed` flags a release of a product signed by a
// different set of keys than the product's previous one.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>

#include "audit_test_util.h"
#include "candor/audit/analysis.h"
#include "candor/audit/index.h"
#include "candor/release.h"
#include "candor/release_signer.h"

namespace candor {
namespace {

using namespace audittest;
using audit::AuditIndex;

struct Keys {
  SignerKey a = TestKey("acme.example/release-a", 50);
  SignerKey b = TestKey("acme.example/release-b", 90);
  SignerKey c = TestKey("acme.example/release-c", 130);
};

// A release of `version` whose signer list is a, b, c, signed by a and `more`.
Bytes KofN(const Keys& k, const std::string& version, std::vector<const SignerKey*> more) {
  ManifestFields f;
  f.products = {"printer-x1"};
  f.version = version;
  f.rollback = 1;
  f.image_sha256 = Sha256Digest(AsBytes(version));
  f.image_size = version.size();
  f.issued = ParseUtcTime("2026-01-01T00:00:00Z").value();
  const std::vector<VerifierKey> list = {PublicKeyOf(k.a), PublicKeyOf(k.b), PublicKeyOf(k.c)};
  auto e = CreateReleaseEntry(f, "Release.\n", list, k.a);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  for (const SignerKey* s : more) {
    e = AddReleaseSignature(*e, *s);
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  }
  return *e;
}

void Add(AuditIndex& idx, uint64_t i, const Bytes& e) {
  auto parsed = ParseReleaseEntry(e);
  REQUIRE(parsed.ok());
  REQUIRE(idx.AddRelease(i, LeafHash(e), *parsed, 0).ok());
}

TEST_CASE("index: signer lists round trip; signer-set-changed flags a new set") {
  const Keys k;
  TempDir t;
  auto idx = AuditIndex::Open(t / "index.db").value();
  REQUIRE(idx->Begin().ok());
  ReleaseSpec single;
  single.product = "printer-x1";
  single.version = "0.9";
  Add(*idx, 0, MakeRelease(k.a, single));      // the vendor key alone
  Add(*idx, 1, KofN(k, "1.0", {&k.b}));        // a, b of a, b, c
  Add(*idx, 2, KofN(k, "1.1", {&k.b}));        // the same set: no flag
  Add(*idx, 3, KofN(k, "1.2", {&k.c}));        // a, c: another set
  Add(*idx, 4, KofN(k, "1.3", {&k.b, &k.c}));  // all three
  REQUIRE(idx->Commit().ok());

  auto rows = idx->Releases({}, 10);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 5);
  const std::string a = FormatVerifierKey(PublicKeyOf(k.a));
  const std::string b = FormatVerifierKey(PublicKeyOf(k.b));
  const std::string c = FormatVerifierKey(PublicKeyOf(k.c));
  CHECK((*rows)[0].signers == std::vector<std::string>{a});
  CHECK((*rows)[0].signed_by == std::vector<std::string>{a});
  CHECK((*rows)[1].signers.size() == 3);
  CHECK((*rows)[1].signers.front() == a);
  CHECK((*rows)[1].signed_by == std::vector<std::string>{a, b});
  CHECK((*rows)[3].signed_by == std::vector<std::string>{a, c});
  CHECK((*rows)[4].signed_by.size() == 3);

  std::vector<uint64_t> flagged;
  for (const audit::Flag& f : audit::ComputeFlags(*rows, {})) {
    if (f.kind == "signer-set-changed") flagged.push_back(f.log_index);
  }
  CHECK(flagged == std::vector<uint64_t>{1, 3, 4});
}

TEST_CASE("index: format 4 is upgraded to 7 in place (single-signer releases need no rows)") {
  const Keys k;
  TempDir t;
  {
    auto idx = AuditIndex::Open(t / "index.db").value();
    REQUIRE(idx->Begin().ok());
    Add(*idx, 0, MakeRelease(k.a, {}));
    REQUIRE(idx->Commit().ok());
  }
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((t / "index.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(
                db,
                "DROP TABLE release_signers; DROP INDEX releases_image; DROP TABLE observations; "
                "PRAGMA user_version = 4",
                nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto idx = AuditIndex::Open(t / "index.db");
  REQUIRE_MESSAGE(idx.ok(), idx.status().ToString());
  auto rows = (*idx)->Releases({}, 10);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].signed_by == std::vector<std::string>{FormatVerifierKey(PublicKeyOf(k.a))});
  REQUIRE((*idx)->Begin().ok());
  Add(**idx, 1, KofN(k, "2.0", {&k.c}));
  REQUIRE((*idx)->Commit().ok());
  CHECK((*idx)->Releases({}, 10)->back().signed_by.size() == 2);
}

}  // namespace
}  // namespace candor
